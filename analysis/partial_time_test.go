package analysis

import (
	"bytes"
	"encoding/gob"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSecondCounts checks that records added in chunks of any order, to
// states merged in any grouping and written with gob, count each second
// once with its exact count: on a busy day (held dense), quiet days
// (lists), a day that turns dense as chunks come, seconds with more
// records than a slot holds (in a list and in a dense day, before and
// after it turns dense), negative times and times far apart.
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
	times = append(times, -1, -day-1, -1, 0, 1<<40, -1<<40, base+day-1, base+day)
	want := map[int64]int{}
	for _, x := range times {
		want[x]++
	}
	rng.Shuffle(len(times), func(i, j int) { times[i], times[j] = times[j], times[i] })

	for trial := range 3 {
		var states []*SecondCounts
		for c := 0; c < len(times); {
			n := min(len(times)-c, 1+rng.IntN(60_000))
			st := &SecondCounts{}
			chunk := times[c : c+n]
			if trial == 1 {
				chunk = slices.Clone(chunk)
				slices.Sort(chunk) // a log read in order: the sorted path
			}
			st.Add(chunk)
			states = append(states, roundTrip(t, st))
			c += n
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
		if runs := states[0].Runs(); len(runs) != len(want) || runs[0].T != -1<<40 {
			t.Errorf("trial %d: %d runs from %v, want %d from %d", trial, len(runs), runs[0], len(want), int64(-1<<40))
		}
	}
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
