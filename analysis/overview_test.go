package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestOverviewSummary: the summary holds typed values, not display strings;
// the conclusion still says them for people.
func TestOverviewSummary(t *testing.T) {
	plus2 := time.FixedZone("+0200", 2*3600)
	f := handFrame([]rec{{0, "192.0.2.1", "GET", "/", "200"}, {7200 + 65, "192.0.2.2", "GET", "/a", "404"}, {30, "192.0.2.1", "GET", "/", "200"}})
	in := &Input{Frame: f, Loc: plus2, Sources: []Source{{Name: "a.log", Format: "combined", Lines: 4, Records: 3, Malformed: 1}}}
	s, err := overview{}.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	first, last := time.Unix(t0, 0).In(plus2), time.Unix(t0+7265, 0).In(plus2)
	want := [][]any{
		{"records", Typed{Integer, 3}},
		{"first request", Typed{Time, first}},
		{"last request", Typed{Time, last}},
		{"time span", Typed{Duration, 7265}},
		{"time zone", Typed{Text, "+0200"}},
		{"unique IPs", Typed{Integer, 2}},
		{"unique user agents", Typed{Integer, 0}},
		{"bytes sent", Typed{Bytes, 0}},
		{"lines read", Typed{Integer, 4}},
		{"malformed lines", Typed{Integer, 1}},
		{"repaired lines", Typed{Integer, 0}},
	}
	tab := tableByID(s, "summary")
	if got := rows(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("summary:\n got %v\nwant %v", got, want)
	}
	if tab.Columns[1] != (Column{"value", Mixed}) {
		t.Errorf("value column = %v", tab.Columns[1])
	}
	if want := "from " + Timestamp(first) + " to " + Timestamp(last) + " (2 hours 1 minute)"; !strings.Contains(s.Conclusions[0], want) {
		t.Errorf("conclusion %q lacks %q", s.Conclusions[0], want)
	}

	empty, err := overview{}.Run(context.Background(), &Input{Frame: handFrame(nil), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(tableByID(empty, "summary"))[1:4]; !reflect.DeepEqual(got, [][]any{
		{"first request", Typed{Time, nil}}, {"last request", Typed{Time, nil}}, {"time span", Typed{Duration, nil}}}) {
		t.Errorf("empty summary times = %v", got)
	}
}
