package analysis

import (
	"bytes"
	"encoding/gob"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestExactSumOrderFree: the sum of fractions and integers, large and
// small, is the same whatever the order of the additions and the split
// into merged parts, and is the exact total rounded once (checked with
// big.Rat); integers add as a float sum of them would.
func TestExactSumOrderFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 0, 3000)
	for i := range 1000 {
		xs = append(xs, float64(rng.IntN(1_000_000)), float64(rng.IntN(5000))/1000, 1e16*float64(i%3-1)+0.5)
	}
	exact := new(big.Rat)
	for _, x := range xs {
		exact.Add(exact, new(big.Rat).SetFloat64(x))
	}
	want, _ := exact.Float64()
	for round := range 5 {
		rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
		var a, b ExactSum
		cut := len(xs) * round / 5
		a.AddAll(xs[:cut])
		for _, x := range xs[cut:] {
			b.Add(x)
		}
		// A gob round trip, as a partial file would make.
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(&b); err != nil {
			t.Fatal(err)
		}
		var back ExactSum
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatal(err)
		}
		a.Merge(back)
		if got := a.Value(); got != want {
			t.Fatalf("round %d: sum %v, want %v", round, got, want)
		}
		wantMean, _ := new(big.Rat).Quo(exact, big.NewRat(int64(len(xs)), 1)).Float64()
		if got := a.Mean(len(xs)); got != wantMean {
			t.Fatalf("round %d: mean %v, want %v", round, got, wantMean)
		}
	}

	var ints ExactSum
	ints.AddAll([]float64{3, math.NaN(), 4e15, -2})
	if got := ints.Value(); got != 3+4e15-2 || ints.Rest != nil {
		t.Errorf("integers: %v (rest %v), want %v as integers", got, ints.Rest, 3+4e15-2)
	}
	var inf ExactSum
	inf.AddAll([]float64{1, math.Inf(1), 0.5})
	if got := inf.Value(); !math.IsInf(got, 1) {
		t.Errorf("with +Inf: %v", got)
	}
	inf.Add(math.Inf(-1))
	if got := inf.Value(); !math.IsNaN(got) {
		t.Errorf("with both infinities: %v, want NaN", got)
	}
	var many ExactSum
	many.AddN(0.1, 3)
	many.AddN(0.2, 1)
	r := new(big.Rat).Mul(new(big.Rat).SetFloat64(0.1), big.NewRat(3, 1))
	r.Add(r, new(big.Rat).SetFloat64(0.2))
	if w, _ := r.Float64(); many.Value() != w {
		t.Errorf("AddN: %v, want %v", many.Value(), w)
	}
}

// TestFloatTableCounts: the scratch table counts as a map would, across
// its growth (5,000 distinct values from a table of 1,024 slots) and
// after a reset.
func TestFloatTableCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var tab floatTable
	for round := range 2 {
		want := map[float64]int{}
		tab.reset()
		for range 50_000 {
			x := float64(rng.IntN(5000)) / 1000 * float64(1+round)
			want[x]++
			tab.add(x)
		}
		got := ValueCounts{}
		tab.flush(got)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d distinct values, want %d", round, len(got), len(want))
		}
		for x, n := range want {
			if got[x] != n {
				t.Fatalf("round %d: %v counted %d times, want %d", round, x, got[x], n)
			}
		}
	}
}
