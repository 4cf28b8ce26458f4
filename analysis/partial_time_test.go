package analysis

import (
	"bytes"
	"encoding/gob"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/logbook/logbook/frame"
)

// TestSecondCounts checks that records added in chunks of any order, to
// states merged in any grouping and written with gob, count each second
// once with its exact count, whether a chunk is sorted, sorted by Add or
// counted in a slot per second: on a busy day (held dense), quiet days
// (lists), a day that turns dense as chunks come, seconds with more
// records than a slot holds (in a list and in a dense day, before and
// after it turns dense), negative times, times far apart and times past
// any calendar (up to the ends of int64).
func TestSecondCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const day = 86400
	base := int64(1_700_006_400) // a UTC midnight
	var times []int64
	for range 120_000 { // busy: most seconds of the day
		times = append(times, base+rng.Int64N(day))
	}
	for d := int64(1); d <= 3; d++ { // quiet
		for range 2000 {
			times = append(times, base+d*day+rng.Int64N(day))
		}
	}
	for range 80_000 { // turns dense once enough chunks are in
		times = append(times, base+5*day+rng.Int64N(day))
	}
	for range 70_000 { // past a dense slot, past a list slot
		times = append(times, base+17, base+2*day+5)
	}
	for range 40_000 { // past a list slot, on the day that turns dense
		times = append(times, base+5*day+99)
	}
	times = append(times, -1, -day-1, -1, 0, 1<<40, -1<<40, base+day-1, base+day,
		math.MaxInt64, math.MinInt64, math.MaxInt64, 1<<62, 1<<62+1, -1<<62, -1<<62-1) // past any calendar too
	want := map[int64]int{}
	for _, x := range times {
		want[x]++
	}
	rng.Shuffle(len(times), func(i, j int) { times[i], times[j] = times[j], times[i] })

	for trial := range 4 {
		var chunks [][]int64
		if trial == 2 {
			// A chunk per day, in any order: spans short for their records,
			// counted in a slot per second.
			days := map[int64][]int64{}
			for _, x := range times {
				days[floorDiv(x, day)] = append(days[floorDiv(x, day)], x)
			}
			for _, d := range slices.Sorted(maps.Keys(days)) {
				chunks = append(chunks, days[d])
			}
		}
		for c := 0; c < len(times) && trial != 2; {
			n := min(len(times)-c, 1+rng.IntN(60_000))
			chunk := times[c : c+n]
			if trial == 1 || trial == 3 {
				chunk = slices.Clone(chunk)
				slices.Sort(chunk) // a log read in order: the sorted path
			}
			chunks = append(chunks, chunk)
			c += n
		}
		var states []*SecondCounts
		for _, chunk := range chunks {
			if trial == 3 && len(states) > 0 {
				states[0].Add(chunk) // one state: chunks added to days already dense
				continue
			}
			st := &SecondCounts{}
			st.Add(chunk)
			states = append(states, roundTrip(t, st))
		}
		for len(states) > 1 {
			i := rng.IntN(len(states) - 1)
			states[i].Merge(states[i+1])
			states = slices.Delete(states, i+1, i+2)
		}
		got := map[int64]int{}
		var prev int64
		first := true
		for x, n := range roundTrip(t, states[0]).All() {
			if !first && x <= prev {
				t.Fatalf("trial %d: second %d after %d", trial, x, prev)
			}
			first, prev = false, x
			got[x] = n
		}
		if !maps.Equal(got, want) {
			for x, n := range want {
				if got[x] != n {
					t.Errorf("trial %d: second %d: %d records, want %d", trial, x, got[x], n)
				}
			}
			t.Fatalf("trial %d: %d seconds, want %d", trial, len(got), len(want))
		}
		dense := 0
		for _, d := range states[0].Days {
			if d.Dense != nil {
				dense++
			}
		}
		if dense != 2 {
			t.Errorf("trial %d: %d dense days, want 2 (the busy day and the one that fills)", trial, dense)
		}
		if runs := states[0].Runs(); len(runs) != len(want) || runs[0].T != math.MinInt64 || runs[len(runs)-1].T != math.MaxInt64 {
			t.Errorf("trial %d: %d runs from %v to %v, want %d from MinInt64 to MaxInt64", trial, len(runs), runs[0], runs[len(runs)-1], len(want))
		}
	}
}

// TestSecondCountsFullListSlot checks a listed day whose second holds more
// than a list slot, then turns dense: the dense slot takes back what Over
// held, and the count stays exact.
func TestSecondCountsFullListSlot(t *testing.T) {
	base := int64(1_700_006_400)
	var sc SecondCounts
	busy := make([]int64, 40_000)
	for i := range busy {
		busy[i] = base + 7
	}
	sc.Add(busy)
	if len(sc.Days) != 1 || sc.Days[0].Dense != nil || sc.Over[base+7] != 40_000-listMaxCount {
		t.Fatalf("after one second of 40,000 records: %d days, dense %v, over %v", len(sc.Days), sc.Days[0].Dense != nil, sc.Over)
	}
	var spread []int64
	for s := range int64(50_000) {
		spread = append(spread, base+s)
	}
	sc.Add(spread)
	if sc.Days[0].Dense == nil || len(sc.Over) != 0 {
		t.Fatalf("after 50,000 seconds: dense %v, over %v", sc.Days[0].Dense != nil, sc.Over)
	}
	for x, n := range sc.All() {
		if want := 1 + 40_000*b2i(x == base+7); n != want {
			t.Fatalf("second %d: %d records, want %d", x-base, n, want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func roundTrip(t *testing.T, st *SecondCounts) *SecondCounts {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(st); err != nil {
		t.Fatal(err)
	}
	out := &SecondCounts{}
	if err := gob.NewDecoder(&buf).Decode(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestClassSecondsAdd checks the records per second and per class of a
// frame in time order, in any order over a short span (counted in slots),
// in any order over a long one (sorted), and without a status column.
func TestClassSecondsAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	codes := []string{"200", "301", "304", "404", "410", "500", "503", "", "x"}
	for trial, span := range []int64{600, 600, 5 * 86400, 86400} {
		n := 2000
		times := make([]int64, n)
		status := frame.NewStrings()
		for i := range times {
			times[i] = 1_700_000_000 + rng.Int64N(span)
			status.Append([]byte(codes[rng.IntN(len(codes))]))
		}
		if trial == 0 {
			// In time order: the statuses go with the sorted times.
			slices.Sort(times)
		}
		if trial == 3 {
			times[7] = -1 << 62 // far apart: sorted, not counted
		}
		want := [4]map[int64]int{{}, {}, {}, {}}
		for i, x := range times {
			want[0][x]++
			switch statusClass(status.Value(i)) {
			case "3xx":
				want[1][x]++
			case "4xx":
				want[2][x]++
			case "5xx":
				want[3][x]++
			}
		}
		var cs ClassSeconds
		v := status.View()
		cs.Add(times, &v, [3]bool{true, false, true}) // no 4xx kept
		for k, sc := range []*SecondCounts{&cs.All, &cs.Classes[0], &cs.Classes[1], &cs.Classes[2]} {
			got := map[int64]int{}
			for x, n := range sc.All() {
				got[x] = n
			}
			w := want[k]
			if k == 2 {
				w = map[int64]int{}
			}
			if !maps.Equal(got, w) {
				t.Errorf("trial %d, series %d: %d seconds, want %d", trial, k, len(got), len(w))
			}
		}
		var none ClassSeconds
		none.Add(times, nil, [3]bool{true, true, true})
		if got := maps.Collect(none.All.All()); !maps.Equal(got, want[0]) || len(none.Classes[0].Days)+len(none.Classes[2].Days) != 0 {
			t.Errorf("trial %d without status: %d seconds, want %d, and no class", trial, len(got), len(want[0]))
		}
	}
}
