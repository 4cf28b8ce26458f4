package analysis

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestByCountThenKey(t *testing.T) {
	type row struct {
		key string
		n   int
	}
	rows := []row{{"b", 2}, {"c", 5}, {"a", 2}, {"", 2}, {"d", 1}, {"-", 5}}
	slices.SortFunc(rows, func(a, b row) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
	want := []row{{"-", 5}, {"c", 5}, {"", 2}, {"a", 2}, {"b", 2}, {"d", 1}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("sorted = %v, want %v", rows, want)
	}
	if byCountThenKey(3, uint64(9), 3, uint64(9)) != 0 || byCount(1, 2) != 1 || byCount(2, 1) != -1 || byCount(4, 4) != 0 {
		t.Error("equal rows must compare equal, larger counts first")
	}
}

// TestCodeCounts: counts from a dictionary column, most first, ties by the
// value as it is (the empty value sorts first and is shown as "-"), codes
// with no rows left out.
func TestCodeCounts(t *testing.T) {
	dict := []string{"GET", "", "POST", "PUT", "HEAD", "-"}
	counts := []int{5, 2, 2, 0, 2, 1}
	got := codeCounts(counts, dict)
	want := []keyCount{{"GET", 5, 0}, {"-", 2, 1}, {"HEAD", 2, 4}, {"POST", 2, 2}, {"-", 1, 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("codeCounts = %v, want %v", got, want)
	}
	labels := labelCounts(map[string]int{"Firefox": 3, "Chrome": 3, "(other)": 1, "Safari": 7})
	wantLabels := []keyCount{{key: "Safari", n: 7}, {key: "Chrome", n: 3}, {key: "Firefox", n: 3}, {key: "(other)", n: 1}}
	if !reflect.DeepEqual(labels, wantLabels) {
		t.Errorf("labelCounts = %v, want %v", labels, wantLabels)
	}
}

func TestCountsTable(t *testing.T) {
	rows := []keyCount{{key: "GET", n: 6}, {key: "POST", n: 2}}
	tab := countsTable("methods", "Methods", "method", rows, "share", 8)
	if !reflect.DeepEqual(tab.Columns, []Column{{"method", Text}, {"requests", Integer}, {"share", Share}}) || tab.Index != 0 {
		t.Errorf("columns = %v, index %d", tab.Columns, tab.Index)
	}
	if want := [][]any{{"GET", 6, 0.75}, {"POST", 2, 0.25}}; !reflect.DeepEqual(tab.Rows, want) {
		t.Errorf("rows = %v, want %v", tab.Rows, want)
	}
	plain := countsTable("codes", "Codes", "status_code", rows, "", 8)
	if want := [][]any{{"GET", 6}, {"POST", 2}}; !reflect.DeepEqual(plain.Rows, want) || len(plain.Columns) != 2 {
		t.Errorf("rows = %v, want %v", plain.Rows, want)
	}
}

// TestTopRows: the rows topRows keeps are the first limit of the whole
// list sorted stably by the same order, whatever the limit, with many
// ties among them.
func TestTopRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type row struct{ n, id int }
	byN := func(a, b row) int { return cmp.Compare(b.n, a.n) }
	for _, size := range []int{0, 1, 5, 100, 3000} {
		rows := make([]row, size)
		for i := range rows {
			rows[i] = row{rng.IntN(20), i}
		}
		want := slices.Clone(rows)
		slices.SortStableFunc(want, byN)
		for _, limit := range []int{0, 1, 2, 7, 99, 100, 101, 5000} {
			top := newTopRows(limit, byN)
			for _, r := range rows {
				top.offer(r)
			}
			got, seen := top.sorted()
			keep := len(want)
			if limit > 0 {
				keep = min(limit, len(want))
			}
			if seen != size || !slices.Equal(got, want[:keep]) {
				t.Fatalf("%d rows, limit %d: kept %v (of %d seen), want %v", size, limit, got, seen, want[:keep])
			}
		}
	}
}

// TestCompareJoined: compareJoined orders as strings.Compare of the joined
// strings, where the pieces' own order would not ("a?b" after "a/?c").
func TestCompareJoined(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	piece := func() string {
		b := make([]byte, rng.IntN(4))
		for i := range b {
			b[i] = "a/?b"[rng.IntN(4)]
		}
		return string(b)
	}
	for range 20000 {
		a, a2, b, b2 := piece(), piece(), piece(), piece()
		want := strings.Compare(a+"?"+a2, b+"?"+b2)
		if got := compareJoined(a, a2, b, b2, "?"); got != want {
			t.Fatalf("compareJoined(%q, %q, %q, %q) = %d, want %d", a, a2, b, b2, got, want)
		}
	}
	if compareJoined("a", "b", "a/", "c", "?") <= 0 {
		t.Error(`"a?b" ordered before "a/?c"`)
	}
}

// TestSumCodes: the sums of each code, by code, each with its first row.
func TestSumCodes(t *testing.T) {
	got := sumCodes([]codeSum{{7, 1, 0}, {3, 2, 1}, {7, 4, 2}, {1 << 40, 1, 3}, {3, 1, 4}})
	want := []codeSum{{3, 3, 1}, {7, 5, 0}, {1 << 40, 1, 3}}
	if !slices.Equal(got, want) {
		t.Errorf("sumCodes = %v, want %v", got, want)
	}
	if len(sumCodes(nil)) != 0 {
		t.Error("sumCodes(nil) is not empty")
	}
}
