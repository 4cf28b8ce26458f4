package analysis

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestMergeSortedTail checks the in-place merge of a sorted list and a
// tail in any order: tails before, after, inside and across the list, with
// keys the list holds, keys repeated in the tail, and empty parts.
func TestMergeSortedTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	type kv struct{ k, n int }
	byKey := func(a, b kv) int { return cmp.Compare(a.k, b.k) }
	add := func(into *kv, x kv) { into.n += x.n }
	for trial := range 2000 {
		want := map[int]int{}
		var s []kv
		sorted := 0
		lo, hi := rng.IntN(50), 1+rng.IntN(200)
		for range 1 + rng.IntN(6) {
			for range rng.IntN(40) {
				k := lo + rng.IntN(hi)
				n := 1 + rng.IntN(9)
				want[k] += n
				s = append(s, kv{k, n})
			}
			s = mergeSortedTail(s, sorted, byKey, add)
			sorted = len(s)
			for i := 1; i < len(s); i++ { // sorted, each key once
				if s[i-1].k >= s[i].k {
					t.Fatalf("trial %d: keys %d then %d", trial, s[i-1].k, s[i].k)
				}
			}
			lo = rng.IntN(300) // the next tail elsewhere
		}
		got := map[int]int{}
		for _, x := range s {
			got[x.k] = x.n
		}
		if !maps.Equal(got, want) || len(s) != len(want) {
			t.Fatalf("trial %d: %v, want %v", trial, s, want)
		}
	}
}

// TestCodePairsMerge checks that pairs added in chunks and merged from
// states with other codes (remapped) count each pair once, sorted.
func TestCodePairsMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	want := map[[2]string]int{}
	var dictA, dictB Dict
	var all CodePairs
	for range 20 {
		var da, db Dict
		var part CodePairs
		for range 1 + rng.IntN(3) {
			for range rng.IntN(500) {
				a, b := "a"+string(rune('a'+rng.IntN(40))), "b"+string(rune('a'+rng.IntN(7)))
				n := 1 + rng.IntN(3)
				want[[2]string{a, b}] += n
				part.Add(da.Code(a), db.Code(b), n)
			}
			part.Compact()
		}
		all.Merge(&part, dictA.Remap(&da), dictB.Remap(&db))
	}
	got := map[[2]string]int{}
	pairs := all.Sorted()
	for i, p := range pairs {
		if i > 0 && pairs[i-1].K >= p.K {
			t.Fatalf("pairs not sorted and distinct at %d", i)
		}
		got[[2]string{dictA.At(p.A()), dictB.At(p.B())}] = p.N
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%d pairs, want %d: %v", len(got), len(want), got)
	}
}
