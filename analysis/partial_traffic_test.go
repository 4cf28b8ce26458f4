package analysis

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// TestBulkOfSecondsIsFindBulk: the bulk found from the counts per second
// is findBulk's from the times themselves, on short logs, logs with stray
// dates, long logs, and two logs centuries apart (the 60-year window).
func TestBulkOfSecondsIsFindBulk(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	base := utc(2024, 3, 4, 0, 0, 0)
	spread := func(from int64, span int64, n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = from + rng.Int64N(span)
		}
		return out
	}
	cases := map[string][]int64{
		"empty":       nil,
		"one":         {base},
		"short":       spread(base, 3*86400, 5000),
		"399 days":    {0, 399 * 86400},
		"stray dates": strayDatesLog().Time,
		"long log":    spread(base, 900*86400, 3000),
		"strays both sides": slices.Concat(spread(base, 30*86400, 4000), []int64{utc(1970, 1, 1, 0, 0, 0), utc(1970, 1, 1, 0, 0, 0),
			utc(2999, 5, 1, 12, 0, 30)}),
		"centuries apart": slices.Concat(spread(base, 10*86400, 3000), spread(utc(1900, 1, 1, 0, 0, 0), 10*86400, 2000),
			spread(utc(2200, 1, 1, 0, 0, 0), 86400, 40)),
		"ties at the window": slices.Concat(slices.Repeat([]int64{base}, 50), slices.Repeat([]int64{base + bulkMaxSpan}, 50),
			slices.Repeat([]int64{base + 2*bulkMaxSpan}, 50)),
	}
	for name, times := range cases {
		want := findBulk(slices.Clone(times))
		got := bulkOfSeconds(countSeconds(times, nil))
		if got.Lo != want.Lo || got.Hi != want.Hi || got.N != want.N || !slices.Equal(got.Outliers, want.Outliers) {
			t.Errorf("%s: bulkOfSeconds = %+v, findBulk = %+v", name, got, want)
		}
		if name == "centuries apart" && len(want.Outliers) != 2040 {
			t.Errorf("%s: %d outliers, want the 2,040 records of 1900 and 2200", name, len(want.Outliers))
		}
	}
}

// TestCountSecondsPaths: the flat arrays and the sort count the same, per
// second, with the 4xx and 5xx, as a map does; and runs added in any
// order merge into the counts of all.
func TestCountSecondsPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	codes := []string{"200", "404", "503", "301", "", "500", "403"}
	status := frame.NewStrings()
	var times []int64
	for range 5000 {
		times = append(times, 1_700_000_000+rng.Int64N(4000))
		status.Append([]byte(codes[rng.IntN(len(codes))]))
	}
	want := func(times []int64, status *frame.Strings) []secondCount {
		m := map[int64]*secondCount{}
		for i, ts := range times {
			c := m[ts]
			if c == nil {
				c = &secondCount{T: ts}
				m[ts] = c
			}
			c.N++
			switch statusClass(status.Value(i)) {
			case "4xx":
				c.E4++
			case "5xx":
				c.E5++
			}
		}
		var out []secondCount
		for _, c := range m {
			out = append(out, *c)
		}
		slices.SortFunc(out, func(a, b secondCount) int { return cmp.Compare(a.T, b.T) })
		return out
	}
	if got := countSeconds(times, ptr(status.View())); !slices.Equal(got, want(times, status)) {
		t.Errorf("dense: %d seconds, want %d", len(got), len(want(times, status)))
	}
	// A record past maxDenseSeconds takes the sort.
	times = append(times, 1_700_000_000+maxDenseSeconds+5)
	status.Append([]byte("502"))
	all := want(times, status)
	if got := countSeconds(times, ptr(status.View())); !slices.Equal(got, all) {
		t.Errorf("sorted: %d seconds, want %d", len(got), len(all))
	}
	if got := countSeconds(times, nil); len(got) != len(all) || got[0].N != all[0].N || got[0].E4+got[0].E5 != 0 {
		t.Errorf("without status: %+v, want %+v without errors", got[0], all[0])
	}
	// Times past any calendar (±2^61 seconds) take the sort of records.
	huge := frame.NewStrings()
	hugeTimes := []int64{1 << 61, -1 << 61, 5, 1 << 61, 5}
	for _, c := range []string{"500", "404", "200", "503", "404"} {
		huge.Append([]byte(c))
	}
	if got, want := countSeconds(hugeTimes, ptr(huge.View())), want(hugeTimes, huge); !slices.Equal(got, want) {
		t.Errorf("huge times: %+v, want %+v", got, want)
	}
}

// TestTrafficStateSplits: the traffic section from states of chunks of a
// log (runs, and dealt rows), written with gob, merged in a random order
// and finished without the frame, is Run's, on logs TestPartialsMerge's
// samples lack: stray dates, an outage with 5xx before it, two logs
// months apart, a sampled log, a zone whose offset is not whole minutes,
// and a chunk without status codes.
func TestTrafficStateSplits(t *testing.T) {
	ctx := context.Background()
	odd := time.FixedZone("odd", 5*3600+30*60+17)
	apart := synthFrame(synthOptions{Lines: 20000, Days: 2, Seed: 13})
	apart.Append(synthFrame(synthOptions{Lines: 20000, Days: 2, Seed: 14, Start: synthStart.AddDate(0, 2, 0)}))
	noStatus := timesFrame(steadyTimes(synthStart.Unix()-86400, synthStart.Unix(), 3000)...)
	withStatus := synthFrame(synthOptions{Lines: 30000, Days: 3, Outage: true, Seed: 5})
	mixed := &frame.Frame{}
	mixed.Append(noStatus)
	mixed.Append(withStatus)
	cases := []struct {
		name   string
		f      *frame.Frame
		loc    *time.Location
		chunks []*frame.Frame // as given; else split
	}{
		{"stray dates", strayDatesLog(), time.UTC, nil},
		{"outage", synthFrame(synthOptions{Lines: 40000, Days: 7, Outage: true, Seed: 1}), time.UTC, nil},
		{"outage, odd zone", synthFrame(synthOptions{Lines: 40000, Days: 7, Outage: true, Seed: 2}), odd, nil},
		{"two logs apart", apart, time.UTC, nil},
		{"sampled", sampledFrame(func(int64) int64 { return 5 }), time.UTC, nil},
		{"a chunk without status", mixed, time.UTC, []*frame.Frame{withStatus, noStatus}},
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range cases {
		a := configured(t, "traffic", nil).(Partial)
		in := &Input{Frame: tc.f, Loc: tc.loc}
		run, err := a.Run(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		want := mustJSON(t, run)
		splits := [][]*frame.Frame{tc.chunks}
		if tc.chunks == nil {
			splits = [][]*frame.Frame{splitFrame(tc.f, 3, false), splitFrame(tc.f, 6, true)}
		}
		for _, chunks := range splits {
			var states []State
			for _, c := range chunks {
				st := a.NewState(in)
				if err := st.Add(ctx, c); err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := gob.NewEncoder(&buf).Encode(st); err != nil {
					t.Fatal(err)
				}
				back := a.NewState(in)
				if err := gob.NewDecoder(&buf).Decode(back); err != nil {
					t.Fatal(err)
				}
				states = append(states, back)
			}
			rng.Shuffle(len(states), func(i, j int) { states[i], states[j] = states[j], states[i] })
			for len(states) > 1 {
				if err := states[1].Merge(states[0]); err != nil {
					t.Fatal(err)
				}
				states = states[1:]
			}
			got, err := states[0].Finish(ctx, &Input{Loc: tc.loc})
			if err != nil {
				t.Fatal(err)
			}
			if s := mustJSON(t, got); s != want {
				t.Errorf("%s, %d chunks: the merged states' section differs from Run's", tc.name, len(chunks))
			}
		}
		if tc.name == "outage" && findingByID(run, "traffic_gap") == nil {
			t.Errorf("%s: no gap found, the case tests nothing", tc.name)
		}
	}
}

// splitFrame cuts f into n runs of rows, or deals its rows round into n.
func splitFrame(f *frame.Frame, n int, dealt bool) []*frame.Frame {
	out := make([]*frame.Frame, n)
	for c := range out {
		keep := make([]bool, f.Len())
		for i := range keep {
			if dealt {
				keep[i] = i%n == c
			} else {
				keep[i] = i*n/f.Len() == c
			}
		}
		out[c] = f.Subset(keep)
	}
	return out
}

func mustJSON(t *testing.T, s *Section) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkTrafficChunks: the traffic section of a week of a million
// rows as the pipeline will run it, from 100 chunks of rows dealt round
// (each spanning the week), added to 8 states that are then merged.
func BenchmarkTrafficChunks(b *testing.B) {
	f := millionRows(b)
	const chunks, workers = 100, 8
	parts := make([]*frame.Frame, chunks)
	for c := range parts {
		keep := make([]bool, f.Len())
		for i := c; i < f.Len(); i += chunks {
			keep[i] = true
		}
		parts[c] = f.Subset(keep)
	}
	a := configured(b, "traffic", nil).(Partial)
	in := &Input{Loc: time.UTC}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		states := make([]State, workers)
		for w := range states {
			states[w] = a.NewState(in)
		}
		for c, p := range parts {
			if err := states[c%workers].Add(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		for _, st := range states[1:] {
			if err := states[0].Merge(st); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := states[0].Finish(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
