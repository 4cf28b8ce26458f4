package report

import (
	"math"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
)

func TestFormatValue(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600) // no tz database: the same offset in winter
	}
	winter := time.Date(2024, 3, 4, 12, 5, 9, 0, paris)
	summer := time.Date(2024, 7, 4, 23, 59, 0, 0, paris)
	minus := time.Date(2024, 3, 4, 1, 2, 3, 0, time.FixedZone("", -(9*3600+30*60)))
	cases := []struct {
		v    any
		k    analysis.Kind
		want string
	}{
		{"GET", analysis.Text, "GET"},
		{"", analysis.Text, ""},
		{"a\nb", analysis.Text, `a\nb`},
		{200, analysis.Text, "200"},
		{14002, analysis.Integer, "14,002"},
		{12.0, analysis.Integer, "12"},
		{math.Pi, analysis.Float, "3.1416"},
		{1.0 / 3, analysis.Share, "0.333333"},
		{1536.0, analysis.Bytes, "1536"},
		{2812345678, analysis.Bytes, "2,812,345,678"},
		{0.0123456, analysis.Seconds, "0.012"},
		{nil, analysis.Float, "NaN"},
		{nil, analysis.Time, "NaT"},
		{nil, analysis.Duration, "NaT"},
		{603000, analysis.Duration, "6 days 23 hours"},
		{5340.0, analysis.Duration, "89 minutes"},
		{59, analysis.Duration, "59 seconds"},
		{"2024-03-04", analysis.Date, "2024-03-04"},
		{winter, analysis.Time, "2024-03-04 12:05:09 +0100"},
		{minus, analysis.Time, "2024-03-04 01:02:03 -0930"},
		{time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC), analysis.Time, "2024-03-04 12:00:00 +0000"},
		// A Mixed column: each value by its own kind.
		{analysis.Typed{Kind: analysis.Integer, V: 10000}, analysis.Mixed, "10,000"},
		{analysis.Typed{Kind: analysis.Time, V: winter}, analysis.Mixed, "2024-03-04 12:05:09 +0100"},
		{analysis.Typed{Kind: analysis.Duration, V: 603000}, analysis.Mixed, "6 days 23 hours"},
		{analysis.Typed{Kind: analysis.Text, V: "Europe/Paris"}, analysis.Mixed, "Europe/Paris"},
		{analysis.Typed{Kind: analysis.Bytes, V: 1536}, analysis.Mixed, "1.5 KiB"},
		{analysis.Typed{Kind: analysis.Bytes, V: 3849970340.0}, analysis.Mixed, "3.6 GiB"},
		{analysis.Typed{Kind: analysis.Time, V: nil}, analysis.Mixed, "NaT"},
	}
	if paris.String() == "Europe/Paris" {
		cases = append(cases, struct {
			v    any
			k    analysis.Kind
			want string
		}{summer, analysis.Time, "2024-07-04 23:59:00 +0200"})
	}
	for _, c := range cases {
		if got := FormatValue(c.v, c.k); got != c.want {
			t.Errorf("FormatValue(%#v, %s) = %q, want %q", c.v, c.k, got, c.want)
		}
	}
}

func TestNumericKinds(t *testing.T) {
	for k := analysis.Text; k <= analysis.Mixed; k++ {
		want := k != analysis.Text && k != analysis.Date && k != analysis.Time && k != analysis.Mixed
		if numeric(k) != want {
			t.Errorf("numeric(%s) = %v", k, numeric(k))
		}
	}
}
