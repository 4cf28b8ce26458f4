package analysis

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/logbook/logbook/frame"
)

// TestFindBulkCounts checks that the bulk found from the times' counts is
// findBulk's of the times themselves, on logs of a few weeks, logs with
// stray dates years off, and logs centuries apart (the 60-year window),
// each with many records on the same seconds.
func TestFindBulkCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const day = 86400
	withOutliers, windowed := 0, 0
	for trial := range 300 {
		n := 1 + rng.IntN(400)
		times := make([]int64, n)
		base := int64(1_700_000_000)
		for i := range times {
			switch u := rng.IntN(100); {
			case trial%3 == 0 || u < 90:
				times[i] = base + rng.Int64N(30*day)
			case trial%3 == 1:
				times[i] = base - int64(2+rng.IntN(30))*365*day + rng.Int64N(100) // stray, years before
			default:
				times[i] = base + int64(100+rng.IntN(300))*365*day + rng.Int64N(1000) // centuries later
			}
			if i > 0 && rng.IntN(3) == 0 {
				times[i] = times[rng.IntN(i)] // a second shared with another record
			}
		}
		want := findBulk(times)
		got := findBulkCounts(timeCounts(times))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: findBulkCounts = %+v, findBulk = %+v", trial, got, want)
		}
		if len(want.Outliers) > 0 {
			withOutliers++
		}
		if slices.Max(times)-slices.Min(times) > bulkMaxSpan && want.Hi-want.Lo <= bulkMaxSpan {
			windowed++
		}
	}
	if withOutliers < 50 || windowed < 50 {
		t.Errorf("the trials had %d logs with outliers and %d cut to a window: too few to tell", withOutliers, windowed)
	}
	if b := findBulkCounts(nil); !reflect.DeepEqual(b, timeBulk{}) {
		t.Errorf("no records: %+v", b)
	}
}

// TestValueTallyConditional checks that a ValueTally, fed in chunks with
// their own dictionaries and merged, gives the rows of PairTally's
// Conditional in its order, and the same totals, including keys and values
// that are empty or "-" (shown alike) and a key with many values; and
// that CondGroups' EachByCode gives the groups of Each, and Each stops
// when asked.
func TestValueTallyConditional(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	keys := []string{"", "-", "a", "b", "B", "c", "10.0.0.1", "10.0.0.10", "10.0.0.2"}
	values := []string{"", "-", "200", "301", "404", "500", "x"}
	merged := 0 // trials with keys shown alike in one group
	for trial := range 50 {
		var recs []rec
		for i := range 50 + rng.IntN(300) {
			k := keys[rng.IntN(len(keys))]
			v := values[rng.IntN(len(values))]
			if trial%5 == 0 && k == "a" {
				v = strconv.Itoa(i) // one key with hundreds of values
			}
			recs = append(recs, rec{ip: k, status: v})
		}
		all := handFrame(recs)
		want := PairTally{}
		want.AddColumns(all, frame.IP, frame.Status)
		got := NewValueTally()
		for c := range 3 {
			keep := make([]bool, len(recs))
			for i := c; i < len(recs); i += 3 {
				keep[i] = true
			}
			part := NewValueTally()
			part.AddColumns(all.Subset(keep), frame.IP, frame.Status)
			got.Merge(part)
		}
		if g, w := got.Conditional(), want.Conditional(); !reflect.DeepEqual(g, w) {
			t.Fatalf("trial %d: conditional\n got %v\nwant %v", trial, g, w)
		}
		// The groups by code are the groups in order, each with the
		// same rows in the same order; the empty key and "-" are one.
		var ordered, byCode [][]CondRow
		groups := got.CondGroups()
		groups.Each(func(g []CondRow) bool { ordered = append(ordered, slices.Clone(g)); return true })
		groups.EachByCode(func(g []CondRow) { byCode = append(byCode, slices.Clone(g)) })
		if len(byCode) != len(ordered) {
			t.Fatalf("trial %d: %d groups by code, %d in order", trial, len(byCode), len(ordered))
		}
		slices.SortFunc(byCode, func(a, b []CondRow) int { return int(a[0].keyRank) - int(b[0].keyRank) })
		if !reflect.DeepEqual(byCode, ordered) {
			t.Fatalf("trial %d: groups by code\n got %v\nwant %v", trial, byCode, ordered)
		}
		for _, g := range ordered {
			if slices.ContainsFunc(g, func(r CondRow) bool { return r.key != g[0].key }) {
				merged++ // the empty key and "-", one group
			}
		}
		// Stopped after two groups, Each calls fn no more.
		calls := 0
		groups.Each(func([]CondRow) bool { calls++; return calls < 2 })
		if want := min(2, len(ordered)); calls != want {
			t.Fatalf("trial %d: fn called %d times after asking to stop at 2", trial, calls)
		}
		wantTotals := Tally{}
		for p, n := range want {
			wantTotals[p.Value] += n
		}
		if g := got.Totals(); !reflect.DeepEqual(g, wantTotals) {
			t.Fatalf("trial %d: totals %v, want %v", trial, g, wantTotals)
		}
	}
	if merged < 10 {
		t.Errorf("only %d trials had the empty key and \"-\" in one group: too few to tell", merged)
	}
}

func unsafeSameData(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// TestStatusPartialsMixedColumns checks status_codes and not_found on a
// run of two logs, one with paths and query strings and one without: the
// states of each log merged give the section of the frame of both, where
// the rows of the second hold empty paths and queries. Its redirects lack
// a path, its 404s count under "-".
func TestStatusPartialsMixedColumns(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Stem, frame.Query, frame.Status))
	var r frame.Row
	for i, x := range []struct{ ip, stem, query, status string }{
		{"192.0.2.1", "/old", "a=1", "301"}, {"192.0.2.1", "/old", "", "301"}, {"192.0.2.2", "/x", "", "404"},
		{"192.0.2.2", "/", "", "200"}, {"192.0.2.3", "/gone", "q", "410"}, {"192.0.2.3", "/", "", "503"},
	} {
		r.Reset()
		r.Time = t0 + int64(i)*600
		r.Str[frame.IP], r.Str[frame.Stem], r.Str[frame.Query], r.Str[frame.Status] = []byte(x.ip), []byte(x.stem), []byte(x.query), []byte(x.status)
		b.Add(&r)
	}
	withPaths := b.Frame()
	var b2 frame.Builder
	b2.Begin(frame.Cols(frame.IP, frame.Status))
	for i, x := range []struct{ ip, status string }{
		{"192.0.2.1", "302"}, {"192.0.2.4", "404"}, {"192.0.2.4", "404"}, {"192.0.2.2", "200"}, {"192.0.2.1", "500"},
	} {
		r.Reset()
		r.Time = t0 + 7200 + int64(i)*60
		r.Str[frame.IP], r.Str[frame.Status] = []byte(x.ip), []byte(x.status)
		b2.Add(&r)
	}
	without := b2.Frame()
	var all frame.Frame
	all.Append(withPaths)
	all.Append(without)
	ctx := context.Background()
	in := &Input{Frame: &all, Loc: time.UTC, MaxRows: 100}
	for _, name := range []string{"status_codes", "not_found"} {
		p := configured(t, name, nil).(Partial)
		want, err := p.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		st := p.NewState(in)
		for _, f := range []*frame.Frame{without, withPaths} {
			part := p.NewState(in)
			if err := part.Add(ctx, f); err != nil {
				t.Fatal(err)
			}
			if err := st.Merge(part); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.Finish(ctx, &Input{Loc: time.UTC, MaxRows: 100})
		if err != nil {
			t.Fatal(err)
		}
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(got)
		if string(w) != string(g) {
			t.Errorf("%s: the two logs' states merged differ from the frame of both:\n got %s\nwant %s", name, g, w)
		}
		switch name {
		case "status_codes":
			red := tableByID(got, "redirects")
			if red == nil || len(red.Rows) != 3 || red.Rows[2][1] != "-" || red.Rows[2][0] != "302" {
				t.Errorf("redirects: %v, want the 302 of the log without paths under \"-\"", rows(red))
			}
		case "not_found":
			paths := rows(tableByID(got, "not_found_paths"))
			if len(paths) == 0 || paths[0][0] != "-" || paths[0][1] != 2 {
				t.Errorf("not_found_paths: %v, want \"-\" first with the 2 requests of the log without paths", paths)
			}
		}
	}
}

// timeCounts is the distinct seconds of times, ascending, with their
// records.
func timeCounts(times []int64) []TimeCount {
	sorted := slices.Sorted(slices.Values(times))
	var out []TimeCount
	for _, t := range sorted {
		if l := len(out); l > 0 && out[l-1].T == t {
			out[l-1].N++
			continue
		}
		out = append(out, TimeCount{t, 1})
	}
	return out
}
