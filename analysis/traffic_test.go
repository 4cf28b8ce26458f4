package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// timesFrame builds a frame with only times (Unix seconds) and one IP.
func timesFrame(times ...int64) *frame.Frame {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP))
	var r frame.Row
	for _, t := range times {
		r.Reset()
		r.Time = t
		r.Str[frame.IP] = []byte("192.0.2.1")
		b.Add(&r)
	}
	return b.Frame()
}

func utc(y int, m time.Month, d, h, min, s int) int64 {
	return time.Date(y, m, d, h, min, s, 0, time.UTC).Unix()
}

func plotByID(s *Section, id string) *Plot {
	for _, c := range s.Cells {
		for _, o := range c.Outputs {
			if o.Plot != nil && o.Plot.ID == id {
				return o.Plot
			}
		}
	}
	return nil
}

// TestTrafficByDayAndHour counts in +0200 across midnight: what pandas gives
// with requests.time.dt.tz_convert("+02:00") and resample/dt.hour.
func TestTrafficByDayAndHour(t *testing.T) {
	f := timesFrame(
		utc(2024, 3, 4, 21, 30, 0),  // 23:30 on the 4th
		utc(2024, 3, 4, 21, 59, 59), // 23:59:59
		utc(2024, 3, 4, 22, 0, 0),   // 00:00 on the 5th
		utc(2024, 3, 5, 8, 15, 0),   // 10:15
		utc(2024, 3, 5, 8, 45, 0),   // 10:45
		utc(2024, 3, 5, 9, 5, 0),    // 11:05
	)
	s, err := configured(t, "traffic", nil).Run(context.Background(), &Input{Frame: f, Loc: time.FixedZone("+0200", 7200)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows(tableByID(s, "requests_by_day")), [][]any{{"2024-03-04", 2}, {"2024-03-05", 4}}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests_by_day = %v, want %v", got, want)
	}
	byHour := make([][]any, 24)
	for h := range byHour {
		byHour[h] = []any{h, 0, 0.0}
	}
	byHour[0] = []any{0, 1, 1.0 / 6}
	byHour[10] = []any{10, 2, 2.0 / 6}
	byHour[11] = []any{11, 1, 1.0 / 6}
	byHour[23] = []any{23, 2, 2.0 / 6}
	if got := rows(tableByID(s, "requests_by_hour_of_day")); !reflect.DeepEqual(got, byHour) {
		t.Errorf("requests_by_hour_of_day = %v", got)
	}

	p := plotByID(s, "requests_by_day_and_hour")
	if p == nil {
		t.Fatal("no heat map")
	}
	grid := [][]float64{make([]float64, 24), make([]float64, 24)}
	grid[0][23], grid[1][0], grid[1][10], grid[1][11] = 2, 1, 2, 1
	if p.Kind != Heatmap || !reflect.DeepEqual(p.Grid, grid) || !reflect.DeepEqual(p.YLabels, []string{"2024-03-04", "2024-03-05"}) ||
		len(p.Labels) != 24 || p.Labels[0] != "00" || p.Labels[23] != "23" {
		t.Errorf("heat map %v %v %v", p.YLabels, p.Labels, p.Grid)
	}
	text := strings.Join(s.Conclusions, "\n")
	if strings.Contains(text, "hour of the day") {
		t.Errorf("less than two days, yet an hour-of-day sentence:\n%s", text)
	}
	if !strings.Contains(text, "too sparse") {
		t.Errorf("six requests, yet no word that traffic is too sparse for gaps:\n%s", text)
	}
}

// TestTrafficHourOfDaySentence names the busiest and quietest hour of the day.
func TestTrafficHourOfDaySentence(t *testing.T) {
	var times []int64
	for d := range 3 {
		for h := range 24 {
			for i := range 1 + h%5 + 10*boolInt(h == 14) {
				times = append(times, utc(2024, 3, 4+d, h, i, 0))
			}
		}
	}
	s := runTraffic(t, timesFrame(times...))
	// Per day: 24 hours with 1+h%5 requests (sum 70) plus 10 at 14:00; 14:00
	// has 1+4+10 = 15 of 80 a day; 00:00 has 1 of 80.
	want := "By hour of the day, the busiest was 14:00–15:00 with 18.75% of requests and the quietest 00:00–01:00 with 1.25%."
	if text := strings.Join(s.Conclusions, "\n"); !strings.Contains(text, want) {
		t.Errorf("conclusions lack %q:\n%s", want, text)
	}
}

// TestTrafficEvenHours: hours of the day that each hold the same share
// (to the digits shown) are one share, not a range from it to itself; a
// near-even spread is a range.
func TestTrafficEvenHours(t *testing.T) {
	for _, c := range []struct {
		extra int // requests added at 14:00 on the first day (of 576: 24 an hour of the day)
		want  string
	}{
		{0, "Traffic was about even over the hours of the day: each held about 4.17% of requests."},
		{1, "Traffic was about even over the hours of the day: each held between 4.16% and 4.33% of requests."},
	} {
		var times []int64
		for d := range 3 {
			for h := range 24 {
				for i := range 8 {
					times = append(times, utc(2024, 3, 4+d, h, i, 0))
				}
			}
		}
		for i := range c.extra {
			times = append(times, utc(2024, 3, 4, 14, 30+i, 0))
		}
		s := runTraffic(t, timesFrame(times...))
		if text := strings.Join(s.Conclusions, "\n"); !strings.Contains(text, c.want) {
			t.Errorf("%d extra: conclusions lack %q:\n%s", c.extra, c.want, text)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestHeatMapRows: a row a week past 92 days, a row a month past 92 weeks,
// and only the months with requests past 92 months.
func TestHeatMapRows(t *testing.T) {
	for _, tc := range []struct {
		name        string
		times       []int64
		id          string
		rows        int
		first, last string
	}{
		{"half a year", []int64{utc(2024, 1, 3, 5, 0, 0), utc(2024, 6, 30, 6, 0, 0)}, "requests_by_week_and_hour", 26, "week of 2024-01-01", "week of 2024-06-24"},
		{"three years", []int64{utc(2021, 12, 31, 5, 0, 0), utc(2024, 3, 1, 6, 0, 0)}, "requests_by_month_and_hour", 28, "2021-12", "2024-03"},
		{"nine years", []int64{utc(2015, 5, 17, 5, 0, 0), utc(2015, 5, 18, 7, 0, 0), utc(2024, 3, 4, 6, 0, 0)}, "requests_by_month_and_hour", 2, "2015-05", "2024-03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runTraffic(t, timesFrame(tc.times...))
			p := plotByID(s, tc.id)
			if p == nil {
				t.Fatalf("no plot %s", tc.id)
			}
			if len(p.Grid) != tc.rows || len(p.YLabels) != tc.rows || p.YLabels[0] != tc.first || p.YLabels[tc.rows-1] != tc.last {
				t.Errorf("%d rows %q … %q, want %d %q … %q", len(p.Grid), p.YLabels[0], p.YLabels[len(p.YLabels)-1], tc.rows, tc.first, tc.last)
			}
			sum := 0.0
			for _, row := range p.Grid {
				for _, v := range row {
					sum += v
				}
			}
			if sum != float64(len(tc.times)) {
				t.Errorf("grid holds %v requests, want %d", sum, len(tc.times))
			}
		})
	}
}

func TestSkippedHour(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	wall := func(h int) int64 { return utc(2024, 3, 31, h, 0, 0) / 3600 } // local hour numbers
	if !skippedHour(berlin, wall(2)) || skippedHour(berlin, wall(1)) || skippedHour(berlin, wall(3)) || skippedHour(time.UTC, wall(2)) {
		t.Error("skippedHour: only 02:00 on 2024-03-31 is missing in Berlin")
	}
}

func BenchmarkTraffic(b *testing.B) { benchSection(b, "traffic") }

// TestWallTime: a local hour number (frame.Clock's) becomes the instant in
// the report's zone whose wall clock reads it, offset included.
func TestWallTime(t *testing.T) {
	plus2 := time.FixedZone("+0200", 2*3600)
	clock := frame.NewClock(plus2)
	at := time.Date(2024, 3, 4, 23, 30, 0, 0, plus2)
	hour := clock.Hour(at.Unix())
	if got, want := wallTime(hour*3600, plus2), time.Date(2024, 3, 4, 23, 0, 0, 0, plus2); got != want {
		t.Errorf("wallTime(hour) = %v, want %v", got, want)
	}
	if got, want := wallTime(clock.Day(at.Unix())*86400, plus2), time.Date(2024, 3, 4, 0, 0, 0, 0, plus2); got != want {
		t.Errorf("wallTime(day) = %v, want %v", got, want)
	}
}

// strayDatesLog is 2,000 requests over two days of March 2024 and one
// request each dated 0001-01-01 and 9999-12-31.
func strayDatesLog() *frame.Frame {
	var recs []rec
	for i := range 2000 {
		recs = append(recs, rec{at: int64(i)*86%(2*86400) - 10*3600, ip: fmtIP(i % 40), method: "GET", stem: "/a", status: []string{"200", "404", "500"}[i%3]})
	}
	start := t0
	recs = append(recs,
		rec{at: utc(9999, 12, 31, 23, 0, 0) - start, ip: "192.0.2.9", method: "GET", stem: "/late", status: "200"},
		rec{at: utc(1, 1, 1, 0, 30, 0) - start, ip: "192.0.2.8", method: "GET", stem: "/early", status: "500"})
	return handFrame(recs)
}

// TestStrayDatesBounded: two records dated years 1 and 9999 among 2,000 of
// 2024 run every registered section with structures sized by the records
// (a bucket per hour of the span would be 87 million), and are named.
func TestStrayDatesBounded(t *testing.T) {
	f := strayDatesLog()
	in := &Input{Frame: f, Loc: time.UTC}
	for _, s := range RunAll(context.Background(), in, Defaults(All())) {
		if s.Error != "" {
			t.Errorf("%s: %s", s.ID, s.Error)
		}
		for _, c := range s.Cells {
			for _, o := range c.Outputs {
				if o.Table != nil && len(o.Table.Rows) > f.Len() {
					t.Errorf("%s: table %s has %d rows", s.ID, o.Table.ID, len(o.Table.Rows))
				}
				if p := o.Plot; p != nil && (len(p.Labels) > 100 || len(p.Grid) > 100) {
					t.Errorf("%s: plot %s has %d points and %d rows", s.ID, p.ID, len(p.Labels), len(p.Grid))
				}
			}
		}
		if s.ID != "traffic" {
			continue
		}
		if got := rows(tableByID(s, "requests_by_day")); len(got) != 2 {
			t.Errorf("requests_by_day has %d rows, want the 2 days of 2024", len(got))
		}
		if p := plotByID(s, "requests_per_hour"); p == nil || len(p.Labels) != 48 {
			t.Errorf("requests_per_hour: %+v, want 48 hours", p)
		}
		wantConclusions(t, s, "2 records are dated far from the other 2,000 records (2024-03-04 to 2024-03-05): they are dated 0001-01-01 and 9999-12-31. They are left out of the counts per day and hour")
		if fd := findingByID(s, "traffic_outlier_dates"); fd == nil || fd.Value != 2 || fd.Severity != SevNotice {
			t.Errorf("traffic_outlier_dates = %+v", fd)
		}
		if text := strings.Join(s.Conclusions, "\n"); strings.Contains(text, "No requests were logged") || strings.Contains(text, "days") && strings.Contains(text, "3,652") {
			t.Errorf("the stray dates stretch the conclusions:\n%s", text)
		}
	}
	// The bulk itself, by hand: nothing is an outlier in a log under 400 days.
	if b := findBulk([]int64{0, 399 * 86400}); len(b.Outliers) != 0 || b.N != 2 {
		t.Errorf("findBulk over 399 days = %+v", b)
	}
}

// sampledFrame is 96 hours of 120 requests an hour, each in one of the
// minutes of the hour that minute says.
func sampledFrame(minute func(i int64) int64) *frame.Frame {
	var times []int64
	for h := range int64(96) {
		for i := range int64(120) {
			times = append(times, synthStart.Unix()+h*3600+minute(i)*60+i%60)
		}
	}
	return timesFrame(times...)
}

// TestSampledLogClaims: a log with every record in minute :05 of its hour
// (like samples/apache), or in the first ten minutes, is said to be a
// sample and no conclusion is drawn from its empty minutes; a log spread
// over the hour is not.
func TestSampledLogClaims(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    *frame.Frame
		say  string
	}{
		{"minute :05", sampledFrame(func(int64) int64 { return 5 }), "Every record falls in minute :05 of its hour: this log looks like a sample of each hour, so the empty minutes between samples are not taken for gaps in traffic."},
		{"first ten minutes", sampledFrame(func(i int64) int64 { return i % 10 }), "Every record falls in minutes :00–:09 of its hour: this log looks like a sample"},
		{"three minutes apart", sampledFrame(func(i int64) int64 { return i % 3 * 20 }), "Every record falls in 3 of the 60 minutes (:00, :20, :40) of its hour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runTraffic(t, tc.f)
			wantConclusions(t, s, tc.say)
			text := strings.Join(s.Conclusions, "\n")
			if strings.Contains(text, "No gaps") || strings.Contains(text, "stopped") || strings.Contains(text, "longest stretch") || len(s.Findings) != 0 {
				t.Errorf("a sampled log's gaps are told:\n%s\n%+v", text, s.Findings)
			}
		})
	}
	s := runTraffic(t, synthFrame(synthOptions{Lines: 20000, Days: 7, Seed: 3}))
	if text := strings.Join(s.Conclusions, "\n"); strings.Contains(text, "sample") || !strings.Contains(text, "No gaps in traffic") {
		t.Errorf("a log spread over each hour:\n%s", text)
	}
	one := timesFrame(utc(2024, 3, 4, 10, 5, 0))
	if h := sampledMinutes(countMinutes(one.Time, nil), bucketTimes(one, &Input{Loc: time.UTC}), frame.NewClock(time.UTC)); h.sampled {
		t.Error("one record is a sample")
	}
}

// steadyTimes is n requests evenly spread over [from, to).
func steadyTimes(from, to int64, n int) []int64 {
	var out []int64
	for i := range n {
		out = append(out, from+int64(i)*(to-from)/int64(n))
	}
	return out
}

// TestCollapseNearTheEnd: traffic that stops on a Wednesday at noon, with
// one request on Thursday and the log ending 32 hours after, collapsed;
// the same on a Friday evening before a weekend is not said to be.
func TestCollapseNearTheEnd(t *testing.T) {
	times := steadyTimes(utc(2024, 3, 4, 0, 0, 0), utc(2024, 3, 6, 12, 0, 0), 6000)
	times = append(times, utc(2024, 3, 7, 10, 0, 0), utc(2024, 3, 7, 19, 30, 0))
	s := runTraffic(t, timesFrame(times...))
	wantConclusions(t, s, "Traffic collapsed at 2024-03-06 12:00 and did not come back before the log ends: 6,000 requests in the 60 hours before (about 100 an hour), 2 requests in the 32 hours after (0.06 an hour)")
	if f := findingByID(s, "traffic_collapse"); f == nil || f.Severity != SevWarning || f.Value != "2024-03-06 12:00" {
		t.Errorf("traffic_collapse = %+v", f)
	}

	times = steadyTimes(utc(2024, 3, 6, 0, 0, 0), utc(2024, 3, 8, 18, 0, 0), 6600)
	times = append(times, utc(2024, 3, 9, 10, 0, 0), utc(2024, 3, 10, 19, 30, 0))
	s = runTraffic(t, timesFrame(times...))
	if f := findingByID(s, "traffic_collapse"); f != nil {
		t.Errorf("a weekend is taken for a collapse: %+v", f)
	}
}

// TestTrafficStartAfterTrickle: two days of a request every two hours, then
// five days of 5,000 a day: the start is said as such, with no quiet days
// or hours and no finding.
func TestTrafficStartAfterTrickle(t *testing.T) {
	times := steadyTimes(utc(2024, 3, 4, 0, 0, 0), utc(2024, 3, 6, 0, 0, 0), 24)
	times = append(times, steadyTimes(utc(2024, 3, 6, 0, 0, 0), utc(2024, 3, 11, 0, 0, 0), 25000)...)
	s := runTraffic(t, timesFrame(times...))
	wantConclusions(t, s, "The log begins with a trickle: 24 requests in its first 48 hours (0.5 an hour), then traffic began at 2024-03-06 00:00, about 210 an hour since. That is where its traffic starts, not an outage.")
	text := strings.Join(s.Conclusions, "\n")
	if strings.Contains(text, "far below") || strings.Contains(text, "collapsed") || strings.Contains(text, "drop-off") || len(s.Findings) != 0 {
		t.Errorf("the start is taken for a drop:\n%s\n%+v", text, s.Findings)
	}
}

// TestDaySentences: a one-day log has no quietest day; a last day of one
// request 21 s past midnight is partial, not the quietest.
func TestDaySentences(t *testing.T) {
	s := runTraffic(t, timesFrame(steadyTimes(utc(2024, 3, 4, 0, 0, 0), utc(2024, 3, 5, 0, 0, 0), 2400)...))
	wantConclusions(t, s, "All 2,400 requests arrived on 2024-03-04; the busiest hour began at 2024-03-04 00:00 with 100 requests.")
	if text := strings.Join(s.Conclusions, "\n"); strings.Contains(text, "quietest was") {
		t.Errorf("one day has a quietest day:\n%s", text)
	}

	times := steadyTimes(utc(2024, 3, 4, 0, 0, 0), utc(2024, 3, 5, 0, 0, 0), 2400)
	times = append(times, steadyTimes(utc(2024, 3, 5, 0, 0, 0), utc(2024, 3, 6, 0, 0, 0), 2000)...)
	times = append(times, utc(2024, 3, 6, 0, 0, 21))
	s = runTraffic(t, timesFrame(times...))
	wantConclusions(t, s, "Over 3 days, from 2024-03-04 to 2024-03-06, the log holds 4,401 requests; its 2 complete days held 2,200 a day on average (the last day is partial).",
		"The busiest day was 2024-03-04 with 2,400 requests; of the complete days, the quietest was 2024-03-05 with 2,000 requests.")
	if text := strings.Join(s.Conclusions, "\n"); strings.Contains(text, "2024-03-06 with 1 request") {
		t.Errorf("the partial day is called the quietest:\n%s", text)
	}
}

// TestLongSpanSeries: over nine years (two logs apart, as samples/ holds),
// the series is per week, at most maxPlotPoints points, holding every request.
func TestLongSpanSeries(t *testing.T) {
	s := runTraffic(t, timesFrame(utc(2015, 5, 17, 5, 0, 0), utc(2015, 5, 18, 7, 0, 0), utc(2024, 3, 4, 6, 0, 0)))
	p := plotByID(s, "requests_per_week")
	if p == nil {
		t.Fatal("no requests_per_week plot")
	}
	sum := 0.0
	for _, v := range p.Series[0].Values {
		sum += v
	}
	if len(p.Labels) > maxPlotPoints || len(p.Labels) < 400 || p.Labels[0] != "week of 2015-05-11" || sum != 3 {
		t.Errorf("%d points from %q holding %v requests", len(p.Labels), p.Labels[0], sum)
	}
}

// TestTrafficOneRequest: a log of one request says so, without "all 1
// request" or a busiest hour of one.
func TestTrafficOneRequest(t *testing.T) {
	s := runTraffic(t, timesFrame(utc(2024, 3, 4, 13, 55, 36)))
	text := strings.Join(s.Conclusions, "\n")
	want := "The one request arrived on 2024-03-04, in the hour that began at 2024-03-04 13:00."
	if !strings.Contains(text, want) || strings.Contains(text, "All 1") || strings.Contains(text, "busiest") {
		t.Errorf("conclusions:\n%s\nwant %q and no busiest hour", text, want)
	}
}
