package frame

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// mapPairCounts is PairCounts as a map of pairs computes it: the reference.
func mapPairCounts(a, b CodeView, keep []int) []PairCount {
	m := map[uint64]int{}
	add := func(i int) { m[uint64(a.At(i))<<32|uint64(b.At(i))]++ }
	if keep == nil {
		for i := range a.Len() {
			add(i)
		}
	} else {
		for _, i := range keep {
			add(i)
		}
	}
	var out []PairCount
	for k, n := range m {
		out = append(out, PairCount{A: uint32(k >> 32), B: uint32(k), N: n})
	}
	slices.SortFunc(out, func(x, y PairCount) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	return out
}

// TestPairCounts: over the dense array and over the buckets (more cells
// than denseLimit: many distinct keys), with and without a row selection,
// PairCounts gives the counts of a map of pairs, in (A, B) order.
func TestPairCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, keys := range []int{50, 300_000} {
		ka, kb := NewStrings(), NewStrings()
		for i := range 400_000 {
			// A few busy keys and many rare ones; values skewed too.
			k := rng.IntN(keys)
			if i%3 == 0 {
				k = rng.IntN(5)
			}
			ka.Append([]byte("k" + strconv.Itoa(k)))
			kb.Append([]byte("v" + strconv.Itoa(rng.IntN(1+rng.IntN(12)))))
		}
		a, b := ka.View(), kb.View()
		if dense := uint64(a.Dict.Len())*uint64(b.Dict.Len()) <= denseLimit; dense != (keys == 50) {
			t.Fatalf("%d keys: dense %v; the test means to cover both paths", keys, dense)
		}
		var keep []int
		for i := 0; i < a.Len(); i += 1 + rng.IntN(4) {
			keep = append(keep, i)
		}
		for _, k := range [][]int{nil, keep, {}} {
			got, want := PairCounts(a, b, k), mapPairCounts(a, b, k)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%d keys, keep of %d: %d pairs, want %d", keys, len(k), len(got), len(want))
			}
		}
	}
}

// TestOrder: a column's order sorts its values as their bytes do, short
// values, shared prefixes, zero bytes and high bytes included, and is
// shared by the column's views.
func TestOrder(t *testing.T) {
	vals := []string{"", "a", "a\x00", "a\x00b", "ab", "abcdefgh", "abcdefghi", "abcdefgh\x00", "abcdefg",
		"\xff", "\xff\xff", "Z", "10.0.0.1", "10.0.0.10", "10.0.0.2", "/item/abc/page", "/item/abd", "/item/ab"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3 * radixMin { // past radixMin, for the radix sort
		n := rng.IntN(14)
		b := make([]byte, n)
		for j := range b {
			b[j] = "ab\x00\xff/."[rng.IntN(6)]
		}
		vals = append(vals, string(b))
	}
	col := NewStrings()
	for _, v := range vals {
		col.Append([]byte(v))
	}
	v := col.View()
	order := v.Order()
	want := valsOf(v.Dict)
	slices.Sort(want)
	got := make([]string, len(order))
	for i, c := range order {
		got[i] = v.Dict.At(c)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the order does not sort the values")
	}
	if &col.View().Order()[0] != &order[0] {
		t.Errorf("a second view made the order again")
	}
}

// TestRowPairs: each row's pair holds the row's two codes and each pair is
// there once, over few keys (cachedPairs) and many (bucketPairs); and the
// pairs of one frame's columns are built once and shared.
func TestRowPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, keys := range []int{3, 50, 200_000} {
		// 200,000 keys over 300,000 rows take bucketPairs, the others cachedPairs.
		ka, kb := NewStrings(), NewStrings()
		for range 300_000 {
			ka.Append([]byte("ip" + strconv.Itoa(rng.IntN(keys))))
			// Most keys keep one value; some have several.
			v := 0
			if rng.IntN(4) == 0 {
				v = rng.IntN(7)
			}
			kb.Append([]byte("ua" + strconv.Itoa(v)))
		}
		a, b := ka.View(), kb.View()
		p := RowPairs(a, b)
		if len(p.Row) != a.Len() || len(p.A) != len(p.B) {
			t.Fatalf("%d keys: %d rows for %d, %d A for %d B", keys, len(p.Row), a.Len(), len(p.A), len(p.B))
		}
		for i := range a.Len() {
			k := p.Row[i]
			if p.A[k] != a.At(i) || p.B[k] != b.At(i) {
				t.Fatalf("%d keys, row %d: pair %d is (%d, %d), the row holds (%d, %d)", keys, i, k, p.A[k], p.B[k], a.At(i), b.At(i))
			}
		}
		distinct := len(mapPairCounts(a, b, nil))
		if len(p.A) != distinct {
			t.Errorf("%d keys: %d pairs, %d distinct", keys, len(p.A), distinct)
		}
		seen := map[[2]uint32]bool{}
		for k := range p.A {
			if seen[[2]uint32{p.A[k], p.B[k]}] {
				t.Fatalf("%d keys: pair (%d, %d) is there twice", keys, p.A[k], p.B[k])
			}
			seen[[2]uint32{p.A[k], p.B[k]}] = true
		}
		if q := RowPairs(ka.View(), kb.View()); q != p {
			t.Errorf("%d keys: the pairs were built again for the same columns", keys)
		}
		if q := RowPairs(ka.View(), ka.View()); q == p {
			t.Errorf("%d keys: the pairs of (a, b) answered for (a, a)", keys)
		}
	}
}

// TestRowGroupsShared: the rows grouped by a column of many keys are
// grouped once for every column they are paired with (PairCounts,
// RowPairs), and again once the column grows, the counts then those of
// the rows added too.
func TestRowGroupsShared(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ka, kb, kc := NewStrings(), NewStrings(), NewStrings()
	add := func(n int) {
		for range n {
			ka.Append([]byte("ip" + strconv.Itoa(rng.IntN(250_000))))
			kb.Append([]byte("s" + strconv.Itoa(rng.IntN(20))))
			kc.Append([]byte("m" + strconv.Itoa(rng.IntN(9))))
		}
	}
	add(300_000)
	check := func(when string) {
		a := ka.View()
		for _, b := range []CodeView{kb.View(), kc.View()} {
			if got, want := PairCounts(a, b, nil), mapPairCounts(a, b, nil); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %d pairs, want %d", when, len(got), len(want))
			}
		}
		if p := RowPairs(a, kb.View()); len(p.Row) != a.Len() {
			t.Errorf("%s: pairs of %d rows, want %d", when, len(p.Row), a.Len())
		}
	}
	check("first")
	g := rowGroups(ka.View())
	if rowGroups(ka.View()) != g {
		t.Error("the rows were grouped again for the same column")
	}
	add(1000)
	check("after more rows")
	if h := rowGroups(ka.View()); h == g || len(h.rows) != ka.View().Len() {
		t.Error("a grown column's rows were not grouped again")
	}
}
