package analysis

import (
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

// The conditional-distribution engine: value_counts(normalize=True) of one
// column within each group of another, as status_codes and methods use it.

// CondRow is one row of a conditional distribution P(value | key).
type CondRow struct {
	Key, Value string
	N          int     // rows with this key and value
	Proba      float64 // N divided by the rows with this key

	keyRank, valueRank uint32 // the order of Key and Value among their dictionaries' strings
}

// sortByCount orders rows by N descending, then Key, then Value: the order
// of a groupby([key, value]).size().sort_values(ascending=False). It sorts
// small pointer-free keys and then moves each row once, rather than moving
// rows, which hold strings, at every step of the sort.
func sortByCount(rows []CondRow) {
	type key struct {
		n    int
		rank uint64 // the key's rank, then the value's
		i    int
	}
	keys := make([]key, len(rows))
	for i, r := range rows {
		keys[i] = key{r.N, uint64(r.keyRank)<<32 | uint64(r.valueRank), i}
	}
	slices.SortFunc(keys, func(a, b key) int { return byCountThenKey(a.n, a.rank, b.n, b.rank) })
	sorted := make([]CondRow, len(rows))
	for j, k := range keys {
		sorted[j] = rows[k.i]
	}
	copy(rows, sorted)
}

// Conditional computes df.groupby(key)[value].value_counts(normalize=True)
// over all rows, sorted by key, then probability descending, then value.
// Missing keys and values are shown as "-".
func Conditional(key, value *frame.CodeView) []CondRow {
	pairs := frame.PairCounts(*key, *value, nil) // by key code, then value code
	// The pairs of key code c are pairs[first[c]:first[c+1]].
	first := make([]int32, len(key.Dict)+1)
	totals := make([]int, len(key.Dict))
	for _, p := range pairs {
		first[p.A+1]++
		totals[p.A] += p.N
	}
	for c := range key.Dict {
		first[c+1] += first[c]
	}
	// The keys are walked in the order of their strings, found once per
	// dictionary; only each key's few values are sorted, by count, then
	// by their strings' rank.
	keys, kr := viewDashRanks(key)
	_, vr := viewDashRanks(value)
	out := make([]CondRow, 0, len(pairs))
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && kr[keys[j]] == kr[keys[i]] {
			j++ // codes shown as the same string ("" and "-") form one group
		}
		g := len(out)
		for _, c := range keys[i:j] {
			for _, p := range pairs[first[c]:first[c+1]] {
				out = append(out, CondRow{Key: orDash(key.Dict[p.A]), Value: orDash(value.Dict[p.B]), N: p.N,
					Proba: float64(p.N) / float64(totals[p.A]), keyRank: kr[p.A], valueRank: vr[p.B]})
			}
		}
		if len(out)-g > 1 {
			slices.SortFunc(out[g:], func(a, b CondRow) int { // same key: N orders like Proba
				return byCountThenKey(a.N, a.valueRank, b.N, b.valueRank)
			})
		}
		i = j
	}
	return out
}

// dashRanks sorts the codes of dict by their strings, shown as "-" when
// empty, and gives each code the rank of its string: equal strings share a
// rank, so comparing ranks orders codes as comparing their strings would.
func dashRanks(dict []string) (order, ranks []uint32) {
	order = make([]uint32, len(dict))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(orDash(dict[a]), orDash(dict[b])) })
	ranks = make([]uint32, len(dict))
	r := uint32(0)
	for i, c := range order {
		if i > 0 && orDash(dict[c]) != orDash(dict[order[i-1]]) {
			r++
		}
		ranks[c] = r
	}
	return order, ranks
}

// groupCond calls fn for each key's run of rows in cond (sorted by key).
func groupCond(cond []CondRow, fn func(rows []CondRow)) {
	for i := 0; i < len(cond); {
		j := i + 1
		for j < len(cond) && cond[j].Key == cond[i].Key {
			j++
		}
		fn(cond[i:j])
		i = j
	}
}

// viewDashRanks is dashRanks for a column's view: the same order and
// ranks, from the column's sorted order (CodeView.Order), which is made
// once and shared, with the empty string moved to where "-" sorts.
func viewDashRanks(v *frame.CodeView) (order, ranks []uint32) {
	sorted := v.Order()
	order = make([]uint32, 0, len(sorted))
	empty, hasEmpty := uint32(0), false
	for _, c := range sorted {
		if v.Dict[c] == "" {
			empty, hasEmpty = c, true
			continue
		}
		order = append(order, c)
	}
	if hasEmpty {
		// The first string not below "-": the empty value goes before it,
		// after a "-" the column may hold itself.
		i, _ := slices.BinarySearchFunc(order, "-", func(c uint32, t string) int { return strings.Compare(v.Dict[c], t) })
		for i < len(order) && v.Dict[order[i]] == "-" {
			i++
		}
		order = slices.Insert(order, i, empty)
	}
	ranks = make([]uint32, len(v.Dict))
	r := uint32(0)
	for i, c := range order {
		if i > 0 && orDash(v.Dict[c]) != orDash(v.Dict[order[i-1]]) {
			r++
		}
		ranks[c] = r
	}
	return order, ranks
}
