package analysis

import (
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

// SortedKeys is a mergeable map from strings to values kept as two
// slices, the keys sorted and distinct, the values in the same order: a
// chunk lists its keys in its column's sorted order (CodeView.Order, made
// once per column and shared by the sections), two states merge in a walk
// of both lists, and Finish reads the keys in order without sorting them.
// For many keys (client IPs) it costs less time and memory than a map; a
// key is found by binary search (Get).
type SortedKeys[V any] struct {
	Keys []string
	Vals []V

	// runs are chunks' keys pushed and not merged yet (Push), largest
	// first; they are not encoded (Settle first).
	runs []SortedKeys[V]
}

// Push adds a chunk's keys (as Merge would), merging them in later: a run
// is merged into the one before it while that one is at most twice its
// size, so that each key is copied about log2(chunks) times in all,
// rather than once for every chunk after it (a merge per chunk was
// quadratic in the chunks: 1.4 GB copied for 3M distinct addresses in 12
// chunks, and more than a hundred times that for 50M).
func (s *SortedKeys[V]) Push(o SortedKeys[V], merge func(into *V, from V)) {
	if len(o.Keys) == 0 {
		return
	}
	s.runs = append(s.runs, o)
	for n := len(s.runs); n >= 2 && len(s.runs[n-2].Keys) <= 2*len(s.runs[n-1].Keys); n = len(s.runs) {
		s.runs[n-2].Merge(s.runs[n-1], merge)
		s.runs = s.runs[:n-1]
	}
}

// Settle merges the pushed runs into s: before s is read, merged or
// encoded.
func (s *SortedKeys[V]) Settle(merge func(into *V, from V)) {
	for i := len(s.runs) - 1; i > 0; i-- {
		s.runs[i-1].Merge(s.runs[i], merge)
	}
	if len(s.runs) > 0 {
		s.Merge(s.runs[0], merge)
	}
	s.runs = nil
}

// sortedFromCodes lists the codes of v that have a value (ok), in the
// order of their strings. The keys are copied into one string of their
// own, in the order of the codes (the order the dictionary's strings were
// made, and mostly lie in memory), rather than one allocation per key.
func sortedFromCodes[V any](v *frame.CodeView, val func(code uint32) (V, bool)) SortedKeys[V] {
	if out, ok := fewFromCodes(v, val); ok {
		return out
	}
	order := v.Order()
	codes := make([]uint32, 0, len(order))
	out := SortedKeys[V]{Vals: make([]V, 0, len(order))}
	for _, c := range order {
		if x, ok := val(c); ok {
			codes = append(codes, c)
			out.Vals = append(out.Vals, x)
		}
	}
	if lin, _ := v.Global(); lin != nil {
		// Strings of the run's shared dictionary outlive the chunk.
		out.Keys = make([]string, len(codes))
		for i, c := range codes {
			out.Keys[i] = v.Dict.At(c)
		}
		return out
	}
	// The listed strings copied in code order, each read once (a large
	// dictionary's are packed: read in order, not sorted). rank[c] is
	// where code c is in codes, plus 1 (0: not listed); span[2i] and
	// span[2i+1] are where key i starts and ends in the copy.
	rank := make([]uint32, v.Dict.Len())
	for i, c := range codes {
		rank[c] = uint32(i + 1)
	}
	var b strings.Builder
	span := make([]int, 2*len(codes))
	v.Dict.Scan(0, v.Dict.Len(), func(c int, s string) {
		if r := rank[c]; r != 0 {
			span[2*r-2] = b.Len()
			b.WriteString(s) // a copy: s lasts for the call
			span[2*r-1] = b.Len()
		}
	})
	buf := b.String()
	out.Keys = make([]string, len(codes))
	for i := range codes {
		out.Keys[i] = buf[span[2*i]:span[2*i+1]]
	}
	return out
}

// fewFromCodes is sortedFromCodes when at most one code in 16 has a value
// (the clients that probed, of a whole frame's): those strings read one
// by one and sorted, rather than the column's order made and its whole
// dictionary read. ok is false, and nothing kept, when there are more.
func fewFromCodes[V any](v *frame.CodeView, val func(code uint32) (V, bool)) (out SortedKeys[V], ok bool) {
	n := v.Dict.Len()
	type kv struct {
		key string
		val V
	}
	var few []kv
	for c := range n {
		x, ok := val(uint32(c))
		if !ok {
			continue
		}
		if 16*(len(few)+1) > n {
			return out, false
		}
		few = append(few, kv{strings.Clone(v.Dict.Peek(uint32(c))), x}) // a chunk's strings may not outlive it
	}
	slices.SortFunc(few, func(a, b kv) int { return strings.Compare(a.key, b.key) })
	out = SortedKeys[V]{Keys: make([]string, len(few)), Vals: make([]V, len(few))}
	for i, e := range few {
		out.Keys[i], out.Vals[i] = e.key, e.val
	}
	return out, true
}

// Merge folds o into s: the keys of both, each once, the values of a key
// both hold combined by merge(&s's, o's). It may take over o's slices.
func (s *SortedKeys[V]) Merge(o SortedKeys[V], merge func(into *V, from V)) {
	if len(s.Keys) == 0 {
		s.Keys, s.Vals = o.Keys, o.Vals
		return
	}
	if len(o.Keys) == 0 {
		return
	}
	keys := make([]string, 0, len(s.Keys)+len(o.Keys)) // grown by append, a long slice was copied a few times over
	vals := make([]V, 0, cap(keys))
	i, j := 0, 0
	for i < len(s.Keys) || j < len(o.Keys) {
		c := 1
		switch {
		case i == len(s.Keys):
		case j == len(o.Keys):
			c = -1
		default:
			c = strings.Compare(s.Keys[i], o.Keys[j])
		}
		switch {
		case c < 0:
			keys, vals = append(keys, s.Keys[i]), append(vals, s.Vals[i])
			i++
		case c > 0:
			keys, vals = append(keys, o.Keys[j]), append(vals, o.Vals[j])
			j++
		default:
			x := s.Vals[i]
			merge(&x, o.Vals[j])
			keys, vals = append(keys, s.Keys[i]), append(vals, x)
			i, j = i+1, j+1
		}
	}
	s.Keys, s.Vals = keys, vals
}

// Get returns the value of key k, if s holds it.
func (s *SortedKeys[V]) Get(k string) (V, bool) {
	if i, ok := slices.BinarySearch(s.Keys, k); ok {
		return s.Vals[i], true
	}
	var zero V
	return zero, false
}

// DashOrder is the indices of s's keys in the order they are shown, an
// empty key as "-": the keys' own order, but for the empty key (the
// first, when there is one), moved after the keys below "-" and a "-"
// itself, as viewDashRanks orders a column's codes.
func (s *SortedKeys[V]) DashOrder() []int {
	order := make([]int, len(s.Keys))
	for i := range order {
		order[i] = i
	}
	if len(order) > 0 && s.Keys[0] == "" {
		i, _ := slices.BinarySearch(s.Keys, "-")
		for i < len(s.Keys) && s.Keys[i] == "-" {
			i++
		}
		copy(order, order[1:i])
		order[i-1] = 0
	}
	return order
}

// addCount is the merge of SortedKeys[int] holding counts.
func addCount(into *int, from int) { *into += from }
