package analysis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// rec is one hand-written record: seconds after t0, and its strings.
type rec struct {
	at                       int64
	ip, method, stem, status string
}

// handFrame builds a frame of IP, method, stem and status columns.
func handFrame(recs []rec) *frame.Frame {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Status))
	var r frame.Row
	for _, x := range recs {
		r.Reset()
		r.Time = t0 + x.at
		r.Str[frame.IP], r.Str[frame.Method] = []byte(x.ip), []byte(x.method)
		r.Str[frame.Stem], r.Str[frame.Status] = []byte(x.stem), []byte(x.status)
		b.Add(&r)
	}
	return b.Frame()
}

func rows(t *Table) [][]any {
	if t == nil {
		return nil
	}
	return t.Rows
}

// millionRows is a synthetic week of 1,000,000 requests with the outage.
func millionRows(b *testing.B) *frame.Frame {
	benchOnce.Do(func() { benchFrame = synthFrame(synthOptions{Lines: 1_000_000, Days: 7, Outage: true, Seed: 42}) })
	return benchFrame
}

func benchSection(b *testing.B, name string) {
	a := configured(b, name, nil)
	f := millionRows(b)
	in := &Input{Frame: f, Loc: time.UTC}
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// configured returns the registered analysis name with its parameters at
// their defaults, then set from params.
func configured(t testing.TB, name string, params map[string]string) Analysis {
	info, ok := Lookup(name)
	if !ok {
		panic("no analysis " + name)
	}
	a, err := info.Configure(params)
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	return a
}

// utcMinute is a time "2006-01-02 15:04" in UTC, as a Time column holds it.
func utcMinute(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.UTC)
	if err != nil {
		panic(err)
	}
	return t
}

// wantConclusions fails t for each sentence part that no conclusion of s
// contains.
func wantConclusions(t testing.TB, s *Section, parts ...string) {
	t.Helper()
	text := strings.Join(s.Conclusions, "\n")
	for _, want := range parts {
		if !strings.Contains(text, want) {
			t.Errorf("conclusions lack %q:\n%s", want, text)
		}
	}
}
