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

// TimeCounts is the exact distribution of records in time: how many fall
// on each second. It merges without loss, and its size follows the
// distinct seconds, not the records (a day is at most 86,400 of them,
// however busy). Runs may hold a second more than once and out of order
// until they are compacted, which sums them; Sorted compacts.
//
// Where a bound would go: a state merged over years holds a run per
// second with records (tens of millions for a busy site); counting per
// minute instead would keep it to about half a million a year, and put the
// edges of the time bulk (findBulk) to within a minute.
type TimeCounts struct {
	Runs []TimeCount

	compacted int // the length of Runs after the last compaction: unset after gob, which only delays the next
}

// Add counts n records at time t.
func (tc *TimeCounts) Add(t int64, n int) {
	if l := len(tc.Runs); l > 0 && tc.Runs[l-1].T == t {
		tc.Runs[l-1].N += n
		return
	}
	tc.Runs = append(tc.Runs, TimeCount{t, n})
}

// Merge adds the counts of o.
func (tc *TimeCounts) Merge(o TimeCounts) {
	tc.Runs = append(tc.Runs, o.Runs...)
	tc.maybeCompact()
}

// maybeCompact compacts once the runs have doubled since the last
// compaction, so that adding costs O(1) amortized per run and the runs
// stay within twice the distinct seconds (plus a chunk's).
func (tc *TimeCounts) maybeCompact() {
	if len(tc.Runs) > 2*max(tc.compacted, 4096) {
		tc.compact()
	}
}

// compact sorts the runs by time and sums those of the same second.
func (tc *TimeCounts) compact() {
	r := tc.Runs
	if !slices.IsSortedFunc(r, func(a, b TimeCount) int { return cmp.Compare(a.T, b.T) }) {
		slices.SortFunc(r, func(a, b TimeCount) int { return cmp.Compare(a.T, b.T) })
	}
	w := 0
	for _, x := range r {
		if w > 0 && r[w-1].T == x.T {
			r[w-1].N += x.N
			continue
		}
		r[w] = x
		w++
	}
	tc.Runs = r[:w]
	tc.compacted = w
}

// Sorted returns the distinct seconds in ascending order with their
// counts (the runs themselves, compacted: the caller must not keep them
// across a later Add or Merge).
func (tc *TimeCounts) Sorted() []TimeCount {
	tc.compact()
	return tc.Runs
}

// findBulkCounts is findBulk over the times that runs (sorted, distinct
// seconds, as TimeCounts.Sorted returns them) hold: the same bulk, with
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

// ValueTally counts rows per key and value, as [PairTally] does, held per
// key: each key's few values in a short list, so that a chunk costs a map
// look-up per distinct key rather than per pair, and the conditional
// distribution sorts the keys once. It suits a value of few distinct
// strings (status codes, methods) and a key of many (client IPs).
type ValueTally struct {
	Keys map[string]*KeyValues

	canon map[string]string // each value once, owned: shared by the keys' lists (rebuilt after gob)
}

// KeyValues is one key's values and their counts.
type KeyValues struct{ Values []ValueCount }

// ValueCount is a value and its rows.
type ValueCount struct {
	Value string
	N     int
}

// NewValueTally returns an empty tally.
func NewValueTally() ValueTally { return ValueTally{Keys: map[string]*KeyValues{}} }

func (kv *KeyValues) add(v string, n int) {
	for i := range kv.Values {
		if kv.Values[i].Value == v {
			kv.Values[i].N += n
			return
		}
	}
	kv.Values = append(kv.Values, ValueCount{v, n})
}

// addAll adds the counts of vs, distinct values: by searching the list
// while it is short, and through an index of it otherwise, so that a key
// with thousands of values (a log whose status field holds anything)
// costs no more than a map.
func (kv *KeyValues) addAll(vs []ValueCount) {
	if len(kv.Values) == 0 {
		kv.Values = append(kv.Values, vs...)
		return
	}
	if len(kv.Values)*len(vs) <= 256 {
		for _, v := range vs {
			kv.add(v.Value, v.N)
		}
		return
	}
	at := make(map[string]int, len(kv.Values))
	for i, v := range kv.Values {
		at[v.Value] = i
	}
	for _, v := range vs {
		if i, ok := at[v.Value]; ok {
			kv.Values[i].N += v.N
			continue
		}
		kv.Values = append(kv.Values, v)
	}
}

// AddColumns adds the rows of f, counted per string of its key and value
// columns; a column f lacks counts as the empty string (Tally.AddColumn).
func (t *ValueTally) AddColumns(f *frame.Frame, key, value frame.StrCol) {
	kv, vv := strColOrEmpty(f, key), strColOrEmpty(f, value)
	if t.canon == nil {
		t.canon = map[string]string{}
	}
	values := make([]string, len(vv.Dict)) // the chunk's values as owned strings, made on first use
	pairs := frame.PairCounts(kv, vv, nil)
	var run []ValueCount
	for i := 0; i < len(pairs); {
		a := pairs[i].A
		k := kv.Dict[a]
		e := t.Keys[k]
		if e == nil {
			e = &KeyValues{}
			t.Keys[own(k)] = e
		}
		run = run[:0]
		for ; i < len(pairs) && pairs[i].A == a; i++ {
			b := pairs[i].B
			if values[b] == "" && vv.Dict[b] != "" {
				v, ok := t.canon[vv.Dict[b]]
				if !ok {
					v = own(vv.Dict[b])
					t.canon[v] = v
				}
				values[b] = v
			}
			run = append(run, ValueCount{values[b], pairs[i].N})
		}
		e.addAll(run)
	}
}

// Merge adds the counts of o, taking over its lists.
func (t *ValueTally) Merge(o ValueTally) {
	for k, oe := range o.Keys {
		e := t.Keys[k]
		if e == nil {
			t.Keys[k] = oe // o's strings are owned already
			continue
		}
		e.addAll(oe.Values)
	}
}

// Totals is the rows per value, over all keys.
func (t ValueTally) Totals() Tally {
	var few KeyValues // while the values are few, a list is searched faster than a map is hashed
	var out Tally
	for _, e := range t.Keys {
		for _, v := range e.Values {
			if out != nil {
				out[v.Value] += v.N
				continue
			}
			few.add(v.Value, v.N)
			if len(few.Values) > 64 {
				out = Tally{}
				for _, v := range few.Values {
					out[v.Value] = v.N
				}
			}
		}
	}
	if out == nil {
		out = make(Tally, len(few.Values))
		for _, v := range few.Values {
			out[v.Value] = v.N
		}
	}
	return out
}

// Conditional is [PairTally.Conditional] of the same counts: the same rows
// in the same order (by key, an empty key shown and sorted as "-", then by
// count, the largest first, then by value, strings shown alike ordered as
// written).
func (t ValueTally) Conditional() []CondRow {
	keys := make([]string, 0, len(t.Keys))
	entries := make([]*KeyValues, 0, len(t.Keys))
	rows := 0
	vr := map[string]uint32{}
	for k, e := range t.Keys {
		keys = append(keys, k)
		entries = append(entries, e)
		rows += len(e.Values)
		for _, v := range e.Values {
			vr[v.Value] = 0
		}
	}
	for v, r := range stringDashRanks(mapKeys(vr)) {
		vr[v] = r
	}
	order, kr := dashRanks(keys)
	out := make([]CondRow, 0, rows)
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && kr[order[j]] == kr[order[i]] {
			j++ // keys shown as the same string ("" and "-") form one group
		}
		g := len(out)
		for _, c := range order[i:j] {
			k, e := keys[c], entries[c]
			total := 0
			for _, v := range e.Values {
				total += v.N
			}
			for _, v := range e.Values {
				out = append(out, CondRow{Key: k, Value: v.Value, N: v.N, Proba: float64(v.N) / float64(total),
					keyRank: kr[c], valueRank: vr[v.Value]})
			}
		}
		if len(out)-g > 1 {
			slices.SortFunc(out[g:], func(a, b CondRow) int {
				if c := byCountThenKey(a.N, a.valueRank, b.N, b.valueRank); c != 0 {
					return c
				}
				if c := strings.Compare(a.Value, b.Value); c != 0 {
					return c
				}
				return strings.Compare(a.Key, b.Key)
			})
		}
		for r := g; r < len(out); r++ {
			out[r].Key, out[r].Value = orDash(out[r].Key), orDash(out[r].Value)
		}
		i = j
	}
	return out
}

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
// B) and each pair once after a compaction, and compacted whenever it has
// doubled since the last (so within twice the distinct pairs, plus a
// chunk's), by sorting in place: no map, no transient beyond the list.
type CodePairs struct {
	Pairs []CodePair

	compacted int // the length after the last compaction: unset after gob, which only brings the next one forward
}

// Grow makes room for n more pairs.
func (cp *CodePairs) Grow(n int) { cp.Pairs = slices.Grow(cp.Pairs, n) }

// Add counts n rows of the pair (a, b).
func (cp *CodePairs) Add(a, b uint32, n int) {
	cp.Pairs = append(cp.Pairs, CodePair{uint64(a)<<32 | uint64(b), n})
}

// MaybeCompact compacts once the pairs have doubled since the last
// compaction.
func (cp *CodePairs) MaybeCompact() {
	if len(cp.Pairs) > 2*max(cp.compacted, 4096) {
		cp.compact()
	}
}

func (cp *CodePairs) compact() {
	p := cp.Pairs
	byKey := func(a, b CodePair) int { return cmp.Compare(a.K, b.K) }
	if !slices.IsSortedFunc(p, byKey) {
		slices.SortFunc(p, byKey)
	}
	w := 0
	for _, x := range p {
		if w > 0 && p[w-1].K == x.K {
			p[w-1].N += x.N
			continue
		}
		p[w] = x
		w++
	}
	clear(p[w:])
	cp.Pairs = p[:w]
	cp.compacted = w
}

// Merge adds the counts of o, whose codes ra and rb map to this state's
// (Dict.Remap).
func (cp *CodePairs) Merge(o *CodePairs, ra, rb []uint32) {
	cp.Grow(len(o.Pairs))
	for _, p := range o.Pairs {
		cp.Add(ra[p.A()], rb[p.B()], p.N)
	}
	cp.MaybeCompact()
}

// Sorted returns the pairs sorted by (A, B), each once with its count (the
// list itself: the caller must not keep it across a later Add or Merge).
func (cp *CodePairs) Sorted() []CodePair {
	cp.compact()
	return cp.Pairs
}
