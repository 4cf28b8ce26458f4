package logbook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin and America/New_York on a machine without a zone database
)

// haproxyLines: two HAProxy requests, one in winter and one in summer
// (Europe/Berlin is +0100 then +0200), the accept dates without a zone.
const haproxyLines = `Feb  6 12:14:14 lb1 haproxy[14389]: 10.0.1.2:33317 [06/Feb/2024:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"
Jul  6 12:14:14 lb1 haproxy[14389]: 10.0.1.3:33318 [06/Jul/2024:12:14:14.655] http-in static/srv1 10/0/30/69/109 404 275 - - ---- 1/1/1/1/0 0/0 "GET /x HTTP/1.1"
`

// TestZonelessTimes: HAProxy's accept dates carry no zone. Without
// --log-tz they are read as UTC and a note (not a failure) says so, in the
// problems and in the overview; with it they are read as that zone's wall
// clock, daylight saving included, and the report counts in that zone.
func TestZonelessTimes(t *testing.T) {
	run := func(logTZ string) *Outcome {
		t.Helper()
		out, err := Run(context.Background(), Config{Inputs: []string{"-"}, Sections: []string{"overview"},
			Stdin: strings.NewReader(haproxyLines), LogTimeZone: logTZ})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	note := func(out *Outcome) string {
		t.Helper()
		var msgs []string
		for _, p := range out.Problems {
			if p.Kind == ZonelessTimes {
				if p.Fails {
					t.Errorf("the note fails the run: %+v", p)
				}
				msgs = append(msgs, p.Message)
			}
		}
		if len(msgs) != 1 {
			t.Fatalf("zone notes = %q, want one", msgs)
		}
		return msgs[0]
	}

	out := run("")
	if m := note(out); m != "stdin: haproxy logs write their times without a zone; they were read as UTC (--log-tz ZONE gives the zone of the server's clock)" {
		t.Errorf("note = %q", m)
	}
	if got, want := out.Report.First, time.Date(2024, 2, 6, 12, 14, 14, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first = %v, want %v", got, want)
	}
	if !strings.Contains(strings.Join(out.Report.Sections[0].Conclusions, "\n"), "they were read as UTC") {
		t.Errorf("overview conclusions lack the note: %q", out.Report.Sections[0].Conclusions)
	}

	out = run("Europe/Berlin")
	if m := note(out); !strings.Contains(m, "they were read as Europe/Berlin time") {
		t.Errorf("note = %q", m)
	}
	if got, want := out.Report.First, time.Date(2024, 2, 6, 11, 14, 14, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first = %v, want %v (12:14 at +0100)", got, want)
	}
	if got, want := out.Report.Last, time.Date(2024, 7, 6, 10, 14, 14, 0, time.UTC); !got.Equal(want) {
		t.Errorf("last = %v, want %v (12:14 at +0200)", got, want)
	}
	if out.Report.Loc.String() != "Europe/Berlin" {
		t.Errorf("report zone = %v, want Europe/Berlin", out.Report.Loc)
	}

	if _, err := Run(context.Background(), Config{Inputs: []string{"-"}, Stdin: strings.NewReader(haproxyLines), LogTimeZone: "Mars/Olympus"}); !IsUsage(err) {
		t.Errorf("an unknown --log-tz: err = %v, want a usage error", err)
	}
}

// TestShiftWallClock holds the per-quarter-hour offset cache to time.Date
// across both daylight-saving changes of a year.
func TestShiftWallClock(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	var ts, want []int64
	for w := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); w.Year() == 2024; w = w.Add(37 * time.Minute) {
		ts = append(ts, w.Unix())
		want = append(want, time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc).Unix())
	}
	shiftWallClock(ts, loc)
	for i := range ts {
		if ts[i] != want[i] {
			t.Fatalf("row %d: %d, want %d", i, ts[i], want[i])
		}
	}
}

// TestZonelessNoteOnce: a folder of rotated HAProxy logs gets one note,
// naming the first sources and counting the rest, not one per file.
func TestZonelessNoteOnce(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"haproxy.log", "haproxy.log.1", "haproxy.log.2", "haproxy.log.3"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(haproxyLines), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := Run(context.Background(), Config{Inputs: []string{dir}, Sections: []string{"overview"}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, p := range out.Problems {
		if p.Kind == ZonelessTimes {
			msgs = append(msgs, p.Message)
		}
	}
	want := filepath.Join(dir, "haproxy.log") + ", " + filepath.Join(dir, "haproxy.log.1") + " and 2 more sources: haproxy logs write their times without a zone"
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], want) {
		t.Errorf("zone notes = %q, want one starting %q", msgs, want)
	}
	n := 0
	for _, c := range out.Report.Sections[0].Conclusions {
		if strings.Contains(c, "without a zone") {
			n++
			if !strings.Contains(c, "and 2 more sources: haproxy logs write") {
				t.Errorf("overview note = %q", c)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d overview notes, want 1: %q", n, out.Report.Sections[0].Conclusions)
	}
}
