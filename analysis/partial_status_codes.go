package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

// Mergeable states the status_codes and not_found sections need beyond
// those of partial.go.

// TimeCount is how many records were dated T (Unix seconds).
type TimeCount struct {
	T int64
	N int
}

// findBulkCounts is findBulk over the times that runs (sorted, distinct
// seconds) hold: the same bulk, with
// the same bounds, count and outliers, as findBulk of every record's time.
func findBulkCounts(runs []TimeCount) timeBulk {
	if len(runs) == 0 {
		return timeBulk{}
	}
	// cum[i] is the index, among all records sorted, of the first record
	// of runs[i]; cum[len(runs)] is the number of records.
	cum := make([]int, len(runs)+1)
	for i, r := range runs {
		cum[i+1] = cum[i] + r.N
	}
	n := cum[len(runs)]
	lo, hi := runs[0].T, runs[len(runs)-1].T
	if hi-lo <= bulkMinSpan {
		return timeBulk{Lo: lo, Hi: hi, N: n}
	}
	// at is the time of the record of index k among all records sorted.
	at := func(k int) int64 {
		i, _ := slices.BinarySearch(cum, k+1) // the first run ending past k
		return runs[i-1].T
	}
	// first is the index of the first run at or after t.
	first := func(t int64) int {
		i, _ := slices.BinarySearchFunc(runs, t, func(r TimeCount, t int64) int { return cmp.Compare(r.T, t) })
		return i
	}
	qlo, qhi := at(n/100), at(n-1-n/100)
	pad := max(qhi-qlo, bulkMinPad)
	a, z := first(qlo-pad), first(qhi+pad+1) // runs[a:z] are in the bulk
	if runs[z-1].T-runs[a].T > bulkMaxSpan {
		// The window of bulkMaxSpan that holds the most records, the
		// earliest of those that hold as many: findBulk's window starts at
		// a record, and the first record of a second starts the largest.
		bestA, bestZ := a, a
		for i, j := a, a; i < z; i++ {
			for j < z && runs[j].T-runs[i].T <= bulkMaxSpan {
				j++
			}
			if cum[j]-cum[i] > cum[bestZ]-cum[bestA] {
				bestA, bestZ = i, j
			}
		}
		a, z = bestA, bestZ
	}
	b := timeBulk{Lo: runs[a].T, Hi: runs[z-1].T, N: cum[z] - cum[a]}
	for _, r := range slices.Concat(runs[:a], runs[z:]) {
		for range r.N {
			b.Outliers = append(b.Outliers, r.T)
		}
	}
	return b
}

// ValueTally counts rows per key and value, as [PairTally] does, with
// its strings as codes: keys and values each in a dictionary, each pair of
// codes with its count in a sorted list (CodePairs), so that a chunk costs
// a look-up per distinct string, and the conditional distribution groups
// the pairs of a key without sorting strings but the keys once. It suits a
// value of few distinct strings (status codes, methods) and a key of many
// (client IPs).
type ValueTally struct {
	Keys, Values Dict
	Pairs        CodePairs // (key, value) codes
}

// NewValueTally returns an empty tally.
func NewValueTally() ValueTally { return ValueTally{} }

// Borrow is Dict.Borrow for the keys and values.
func (t *ValueTally) Borrow(in *Input) {
	t.Keys.Borrow(in)
	t.Values.Borrow(in)
}

// AddColumns adds the rows of f, counted per string of its key and value
// columns; a column f lacks counts as the empty string (Tally.AddColumn).
// It returns the tally's codes of the chunk's keys and values (those of
// the rows; 0 for strings no row holds).
func (t *ValueTally) AddColumns(f *frame.Frame, key, value frame.StrCol) (keyCodes, valueCodes []uint32) {
	kv, vv := strColOrEmpty(f, key), strColOrEmpty(f, value)
	pairs := frame.PairCounts(kv, vv, nil)
	needK, needV := make([]bool, kv.Dict.Len()), make([]bool, vv.Dict.Len())
	for _, p := range pairs {
		needK[p.A], needV[p.B] = true, true
	}
	keyCodes, valueCodes = t.Keys.CodesOf(&kv, needK), t.Values.CodesOf(&vv, needV)
	t.Pairs.Grow(len(pairs))
	for _, p := range pairs {
		t.Pairs.Add(keyCodes[p.A], valueCodes[p.B], p.N)
	}
	t.Pairs.Compact()
	return keyCodes, valueCodes
}

// Merge adds the counts of o.
func (t *ValueTally) Merge(o ValueTally) { t.merge(&o) }

// merge adds the counts of o and returns the maps of o's key and value
// codes to this tally's.
func (t *ValueTally) merge(o *ValueTally) (keys, values []uint32) {
	keys, values = t.Keys.Remap(&o.Keys), t.Values.Remap(&o.Values)
	t.Pairs.Merge(&o.Pairs, keys, values)
	return keys, values
}

// Totals is the rows per value, over all keys.
func (t *ValueTally) Totals() Tally {
	per := make([]int, t.Values.Len())
	for _, p := range t.Pairs.Pairs {
		per[p.B()] += p.N
	}
	out := make(Tally, len(per))
	for c, n := range per {
		if n > 0 {
			out[t.Values.At(uint32(c))] = n
		}
	}
	return out
}

// Conditional is [PairTally.Conditional] of the same counts: the same rows
// in the same order (by key, an empty key shown and sorted as "-", then by
// count, the largest first, then by value, strings shown alike ordered as
// written).
func (t *ValueTally) Conditional() []CondRow {
	out := make([]CondRow, 0, len(t.Pairs.Pairs))
	t.CondGroups().Each(func(g []CondRow) bool { out = append(out, g...); return true })
	keys := t.Keys.all()
	for i := range out {
		out[i].Key, out[i].key = orDash(keys[out[i].key]), 0 // named, as PairTally's rows are
	}
	return out
}

// CondGroups returns the rows of Conditional one key at a time (a group of
// the keys shown alike), without holding them all: on a million distinct
// clients those were a million rows of two strings. Each walks them in
// Conditional's order, EachByCode in another; both may be called, any
// number of times.
//
// The rows' Key is not set: KeyOf names it, for the rows a table keeps
// (of a million clients, the keys of a thousand are read, not all).
func (t *ValueTally) CondGroups() *CondGroups {
	cg := &CondGroups{t: t, pairs: t.Pairs.Sorted(), values: t.Values.all()}
	// The pairs are sorted by key code.
	cg.start = make([]int, t.Keys.Len()+1)
	for _, p := range cg.pairs {
		cg.start[p.A()+1]++
	}
	for c := range t.Keys.Len() {
		cg.start[c+1] += cg.start[c]
	}
	_, cg.vr = t.Values.dashRanks()
	cg.order, cg.kr = t.Keys.dashRanks()
	return cg
}

// CondGroups holds what a tally's conditional groups are made of: the
// pairs by key code (start[c] is the index of key c's first pair), the
// values' strings, both columns' ranks, and the keys' codes in the order
// of their strings.
type CondGroups struct {
	t      *ValueTally
	pairs  []CodePair
	start  []int
	values []string
	vr, kr []uint32
	order  []uint32
	out    []CondRow
}

// Each calls fn with each group in Conditional's order, and stops when fn
// returns false. fn must not keep g, which is reused for the next group.
func (cg *CondGroups) Each(fn func(g []CondRow) bool) {
	order, kr := cg.order, cg.kr
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && kr[order[j]] == kr[order[i]] {
			j++ // keys shown as the same string ("" and "-") form one group
		}
		if g := cg.group(order[i:j]); len(g) > 0 && !fn(g) {
			return
		}
		i = j
	}
}

// addFirstRows adds to tab, a table of the key, the value and its
// probability given the key, with a limit, the first rows in Conditional's
// order until it is full: the rows it leaves out are counted by the
// caller (Table.Skip), from a pass over them all.
func (cg *CondGroups) addFirstRows(tab *Table) {
	cg.Each(func(g []CondRow) bool {
		for _, r := range g {
			if tab.Full() {
				return false
			}
			tab.Add(cg.t.KeyOf(r), r.Value, r.Proba)
		}
		return true
	})
}

// EachByCode calls fn with the groups of Each, each with the same rows in
// the same order, the groups in the order of their keys' codes rather than
// of their strings: for a reader whose result does not depend on the
// groups' order (it tells rows apart by their ranks). The pairs are read
// in their own order, where the keys' sorted order jumps about a million
// clients' pairs at random when the log's lines came in no order
// (status_codes' pass over them took three times as long).
func (cg *CondGroups) EachByCode(fn func(g []CondRow)) {
	kr := cg.kr
	// Keys shown alike (the empty key and "-") share a rank: they form
	// one group, met at the first of their codes. The ranks run from 0
	// with none left out, so that a shared one shows as fewer ranks than
	// keys.
	top := -1
	for _, r := range kr {
		top = max(top, int(r))
	}
	var alike map[uint32][]uint32 // the codes by rank, of the ranks shared
	if top+1 < len(kr) {
		seen, shared := make([]uint64, top/64+1), map[uint32]bool{}
		for _, r := range kr {
			if seen[r/64]&(1<<(r%64)) != 0 {
				shared[r] = true
			}
			seen[r/64] |= 1 << (r % 64)
		}
		alike = map[uint32][]uint32{}
		for c, r := range kr {
			if shared[r] {
				alike[r] = append(alike[r], uint32(c))
			}
		}
	}
	var one [1]uint32
	for c := range uint32(len(kr)) {
		codes := one[:]
		codes[0] = c
		if same, ok := alike[kr[c]]; ok {
			if same[0] != c {
				continue
			}
			codes = same
		}
		if g := cg.group(codes); len(g) > 0 {
			fn(g)
		}
	}
}

// group returns the rows of the keys codes (one key, or the keys shown
// alike), sorted by count, then by value; the slice is reused by the next
// call.
func (cg *CondGroups) group(codes []uint32) []CondRow {
	t, kr, vr := cg.t, cg.kr, cg.vr
	out := cg.out[:0]
	for _, c := range codes {
		ps := cg.pairs[cg.start[c]:cg.start[c+1]]
		total := 0
		for _, p := range ps {
			total += p.N
		}
		for _, p := range ps {
			out = append(out, CondRow{Value: cg.values[p.B()], N: p.N, Proba: float64(p.N) / float64(total),
				keyRank: kr[c], valueRank: vr[p.B()], key: c})
		}
	}
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b CondRow) int {
			if c := byCountThenKey(a.N, a.valueRank, b.N, b.valueRank); c != 0 {
				return c
			}
			if c := strings.Compare(a.Value, b.Value); c != 0 {
				return c
			}
			// Only keys shown alike ("" and "-") get here.
			return strings.Compare(t.Keys.peek(a.key), t.Keys.peek(b.key))
		})
	}
	for r := range out {
		out[r].Value = orDash(out[r].Value)
	}
	cg.out = out
	return out
}

// KeyOf is the key of a row of CondGroups, "-" for a missing one.
func (t *ValueTally) KeyOf(r CondRow) string { return orDash(t.Keys.At(r.key)) }

// CodePair is a pair of a state's codes, packed (A above B), and its
// count.
type CodePair struct {
	K uint64
	N int
}

// A is the pair's first code.
func (p CodePair) A() uint32 { return uint32(p.K >> 32) }

// B is the pair's second code.
func (p CodePair) B() uint32 { return uint32(p.K) }

// CodePairs counts rows per pair of codes: 16 bytes a pair, sorted by (A,
// B) with each pair once, the pairs of a chunk (or of a merged state)
// merged in as they come: sorted on their own, then merged into the list
// in place (mergeSortedTail), so that the list stays within its distinct
// pairs plus a chunk's, and no map or copy of it is ever made.
type CodePairs struct {
	Pairs []CodePair

	sorted int // the sorted prefix: unset after gob, when all is sorted again (and found so)
}

// Grow makes room for n more pairs.
func (cp *CodePairs) Grow(n int) { cp.Pairs = slices.Grow(cp.Pairs, n) }

// Add counts n rows of the pair (a, b); Compact sorts them in.
func (cp *CodePairs) Add(a, b uint32, n int) {
	cp.Pairs = append(cp.Pairs, CodePair{uint64(a)<<32 | uint64(b), n})
}

// Compact merges the pairs added since the last compaction into the
// sorted ones.
func (cp *CodePairs) Compact() {
	cp.Pairs = mergeSortedTail(cp.Pairs, cp.sorted, func(a, b CodePair) int { return cmp.Compare(a.K, b.K) },
		func(into *CodePair, x CodePair) { into.N += x.N })
	cp.sorted = len(cp.Pairs)
}

// Merge adds the counts of o, whose codes ra and rb map to this state's
// (Dict.Remap).
func (cp *CodePairs) Merge(o *CodePairs, ra, rb []uint32) {
	cp.Grow(len(o.Pairs))
	for _, p := range o.Pairs {
		cp.Add(ra[p.A()], rb[p.B()], p.N)
	}
	cp.Compact()
}

// Sorted returns the pairs sorted by (A, B), each once with its count (the
// list itself: the caller must not keep it across a later Add or Merge).
func (cp *CodePairs) Sorted() []CodePair {
	cp.Compact()
	return cp.Pairs
}

// mergeSortedTail merges s[from:] into s[:from], which is sorted by
// compare with each key once, and returns the merged list, sorted with
// each key once, the elements of equal keys combined by add. It works in
// place: the tail is sorted and combined where it is, then merged from
// the end, with a copy of the tail as its only buffer, so that it costs
// the tail's sort and a pass over the list.
func mergeSortedTail[T any](s []T, from int, compare func(a, b T) int, add func(into *T, x T)) []T {
	tail := s[from:]
	if !slices.IsSortedFunc(tail, compare) {
		slices.SortFunc(tail, compare)
	}
	w := 0
	for i := range tail {
		if w > 0 && compare(tail[w-1], tail[i]) == 0 {
			add(&tail[w-1], tail[i])
			continue
		}
		tail[w] = tail[i]
		w++
	}
	tail = tail[:w]
	end := from + w
	if from == 0 || w == 0 || compare(s[from-1], tail[0]) < 0 {
		return s[:end] // already in order: a log read in order, or the first chunk
	}
	buf := slices.Clone(tail)
	i, j, k := from-1, len(buf)-1, end-1
	for j >= 0 {
		c := -1
		if i >= 0 {
			c = compare(s[i], buf[j])
		}
		switch {
		case c > 0:
			s[k] = s[i]
			i--
		case c == 0:
			x := s[i]
			add(&x, buf[j])
			s[k] = x
			i--
			j--
		default:
			s[k] = buf[j]
			j--
		}
		k--
	}
	// s[:i+1] and s[k+1:end] are the list; keys merged leave a gap
	// between them.
	if k > i {
		n := copy(s[i+1:], s[k+1:end])
		end = i + 1 + n
	}
	return s[:end]
}
