package frame

import (
	"math"
	"testing"
)

// TestFilled: a column a source declared but never wrote is in Columns and
// not in Filled; one value anywhere puts it in Filled; Bytes counts 0 as
// missing; the cache follows added rows.
func TestFilled(t *testing.T) {
	b := NewBuilder()
	b.Begin(Cols(IP, Status, TargetStatus, Bytes, TimeTaken, UpstreamTime))
	add := func(ip, st, target string, bytes, took float64) {
		var r Row
		r.Reset()
		r.Str[IP], r.Str[Status] = []byte(ip), []byte(st)
		if target != "" {
			r.Str[TargetStatus] = []byte(target)
		}
		r.Num[Bytes], r.Num[TimeTaken] = bytes, took
		b.Add(&r)
	}
	add("192.0.2.1", "200", "", 0, math.NaN())
	add("192.0.2.2", "404", "", 0, 0.25)
	f := b.Frame()
	cols, filled := f.Columns(), f.Filled()
	for _, c := range []StrCol{IP, Status, TargetStatus} {
		if !cols.Str[c] {
			t.Errorf("Columns lacks %s", c)
		}
	}
	if !filled.Str[IP] || !filled.Str[Status] || !filled.Num[TimeTaken] {
		t.Errorf("Filled = %v, want ip, status and time_taken", filled.Missing(Cols(IP, Status, TimeTaken)))
	}
	if filled.Str[TargetStatus] || filled.Num[Bytes] || filled.Num[UpstreamTime] || filled.Str[Method] {
		t.Errorf("Filled has target_status, bytes, upstream_time or method: %+v", filled)
	}
	if got := filled.Missing(Cols(TargetStatus, Bytes)); len(got) != 2 {
		t.Errorf("Missing = %v, want target_status and bytes", got)
	}

	// A later row fills them: the cached answer must not stick.
	o := NewBuilder()
	o.Begin(Cols(IP, Status, TargetStatus, Bytes))
	var r Row
	r.Reset()
	r.Str[IP], r.Str[Status], r.Str[TargetStatus] = []byte("192.0.2.3"), []byte("502"), []byte("504")
	r.Num[Bytes] = 512
	o.Add(&r)
	f.Append(o.Frame())
	if filled := f.Filled(); !filled.Str[TargetStatus] || !filled.Num[Bytes] || filled.Num[UpstreamTime] {
		t.Errorf("after Append, Filled = %+v, want target_status and bytes, no upstream_time", filled)
	}
}
