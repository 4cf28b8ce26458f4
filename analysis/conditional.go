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
	key                uint32 // of ValueTally.CondGroups, which leaves Key unset: the key's code (KeyOf)
}

// Conditional computes df.groupby(key)[value].value_counts(normalize=True)
// over all rows, sorted by key, then probability descending, then value.
// Missing keys and values are shown as "-".
func Conditional(key, value *frame.CodeView) []CondRow {
	pairs := frame.PairCounts(*key, *value, nil) // by key code, then value code
	// The pairs of key code c are pairs[first[c]:first[c+1]].
	first := make([]int32, key.Dict.Len()+1)
	totals := make([]int, key.Dict.Len())
	for _, p := range pairs {
		first[p.A+1]++
		totals[p.A] += p.N
	}
	for c := range key.Dict.Len() {
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
				out = append(out, CondRow{Key: orDash(key.Dict.At(p.A)), Value: orDash(value.Dict.At(p.B)), N: p.N,
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

// viewDashRanks is dashRanks for a column's view: the same order and
// ranks, from the column's sorted order (CodeView.Order), which is made
// once and shared, with the empty string moved to where "-" sorts. It
// reads a few values only (the first, and those a binary search for "-"
// meets): a dictionary's values are distinct, so that two codes are shown
// alike only when they are "" and "-", and a large dictionary's values are
// packed (frame.Dict).
//
// Both are made once per column and shared (CodeView.Memo): status_codes,
// methods and sizes rank the same million clients, and a column's ranks
// are written at random in its sorted order. The caller must not modify
// them. Without an empty value the order is the column's own.
func viewDashRanks(v *frame.CodeView) (order, ranks []uint32) {
	r := v.Memo(dashRanksKey{}, func() any {
		var r dashRanked
		r.order, r.ranks = makeViewDashRanks(v)
		return r
	}).(dashRanked)
	return r.order, r.ranks
}

// dashRanksKey is the memo key of viewDashRanks.
type dashRanksKey struct{}

type dashRanked struct{ order, ranks []uint32 }

func makeViewDashRanks(v *frame.CodeView) (order, ranks []uint32) {
	sorted := v.Order()
	order = sorted
	// The empty string sorts first; dash is the position in order of
	// "-", if the column holds it.
	empty, hasEmpty := uint32(0), len(sorted) > 0 && v.Dict.At(sorted[0]) == ""
	dash, hasDash := -1, false
	if hasEmpty {
		empty = sorted[0]
		order = make([]uint32, 0, len(sorted))
		order = append(order, sorted[1:]...)
		// The first string not below "-": the empty value goes before it,
		// after a "-" the column may hold itself.
		i, found := slices.BinarySearchFunc(order, "-", func(c uint32, t string) int { return strings.Compare(v.Dict.At(c), t) })
		if found {
			dash, hasDash = i, true
			i++
		}
		order = slices.Insert(order, i, empty)
	}
	ranks = make([]uint32, v.Dict.Len())
	r := uint32(0)
	for i, c := range order {
		if i > 0 && !(hasDash && i == dash+1) { // the empty value after "-" shares its rank
			r++
		}
		ranks[c] = r
	}
	return order, ranks
}

// topRows keeps, of the rows offered, the first limit in the order cmp
// gives (every row, for a limit of 0), without holding the others: a
// table shows its first thousand rows of a million. cmp must order any
// two rows offered (a tie is settled by the order they were offered in).
type topRows[T any] struct {
	limit int
	cmp   func(a, b T) int
	rows  []ranked[T] // with a limit, a heap with the last row kept first
	seen  int         // rows offered
}

type ranked[T any] struct {
	row T
	seq int
}

func newTopRows[T any](limit int, cmp func(a, b T) int) *topRows[T] {
	return &topRows[T]{limit: max(limit, 0), cmp: cmp}
}

func (t *topRows[T]) less(a, b ranked[T]) bool {
	if c := t.cmp(a.row, b.row); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

// wants reports whether offer would keep x: the caller may skip building
// what a row kept needs (a copy of a group) for one it would not.
func (t *topRows[T]) wants(x T) bool {
	return t.limit == 0 || len(t.rows) < t.limit || t.less(ranked[T]{x, t.seen}, t.rows[0])
}

// pass counts a row offered that wants said would not be kept, as offer
// would count it, without comparing it again.
func (t *topRows[T]) pass() { t.seen++ }

// offer adds x to the rows seen, keeping it if it is among the first.
func (t *topRows[T]) offer(x T) {
	r := ranked[T]{x, t.seen}
	t.seen++
	switch {
	case t.limit == 0:
		t.rows = append(t.rows, r)
	case len(t.rows) < t.limit:
		t.rows = append(t.rows, r)
		for i := len(t.rows) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.less(t.rows[p], t.rows[i]) {
				break
			}
			t.rows[p], t.rows[i] = t.rows[i], t.rows[p]
			i = p
		}
	case t.less(r, t.rows[0]):
		t.rows[0] = r
		for i := 0; ; {
			l, big := 2*i+1, i
			if l < len(t.rows) && t.less(t.rows[big], t.rows[l]) {
				big = l
			}
			if l+1 < len(t.rows) && t.less(t.rows[big], t.rows[l+1]) {
				big = l + 1
			}
			if big == i {
				break
			}
			t.rows[i], t.rows[big] = t.rows[big], t.rows[i]
			i = big
		}
	}
}

// sorted returns the rows kept, in order, and how many were offered.
func (t *topRows[T]) sorted() ([]T, int) {
	slices.SortFunc(t.rows, func(a, b ranked[T]) int {
		if t.less(a, b) {
			return -1
		}
		return 1
	})
	out := make([]T, len(t.rows))
	for i, r := range t.rows {
		out[i] = r.row
	}
	return out, t.seen
}

// byCountRow orders rows by N descending, then Key, then Value: the order
// of a groupby([key, value]).size().sort_values(ascending=False).
func byCountRow(a, b CondRow) int {
	return byCountThenKey(a.N, uint64(a.keyRank)<<32|uint64(a.valueRank), b.N, uint64(b.keyRank)<<32|uint64(b.valueRank))
}
