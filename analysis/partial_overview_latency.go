package analysis

import (
	"math"
	"math/big"
	"slices"

	"github.com/logbook/logbook/frame"
)

// Mergeable states the overview, latency, cloudfront and load_balancer
// sections share (see partial.go for the contract).

// StrSet is a set of strings: the distinct values of a column, kept owned
// ([own]). A bool rather than an empty struct, which gob cannot write.
type StrSet map[string]bool

// AddView adds the values of v that at least one row holds (counts is
// v.Counts()), the empty string among them. The strings new to the set are
// owned from one allocation (ownCodes): a chunk of a million distinct
// addresses costs one copy, not a million.
func (s StrSet) AddView(v frame.CodeView, counts []int) {
	fresh := len(s) == 0 // a dictionary holds each string once: no lookup needed
	need := make([]bool, len(counts))
	found := false
	for c, n := range counts {
		if n > 0 && (fresh || !s[v.Dict.Peek(uint32(c))]) {
			need[c], found = true, true
		}
	}
	if !found {
		return
	}
	for _, k := range ownCodes(v.Dict, need) {
		s[k] = true
	}
}

// Pending holds values bound for a StrSet from chunks cut from a run's
// shared dictionaries (frame.Shared): each distinct value is known by its
// shared code (SeenCodes) and listed as the shared dictionary's string,
// with no string hashed or copied, until the set itself is needed (Settle:
// to merge, to encode). A million distinct addresses made a map of 60 MB
// and a second of rehashing; they are a list of 16 MB. The zero value is
// empty; it is not encoded (Settle first).
//
// While every shared code so far came, in order (ident, as for a Dict),
// vals is the shared dictionary's own slice of values
// (frame.CodeView.SharedValues), and no code is marked in seen.
type Pending struct {
	seen  SeenCodes
	vals  []string
	lin   *frame.Lineage // of vals, while ident
	ident bool
}

// Add adds the values of v that at least one row holds (counts is
// v.Counts()) to p, or to s (AddView) for a view of no shared dictionary.
func (p *Pending) Add(s StrSet, v frame.CodeView, counts []int) {
	lin, global := v.Global()
	if lin == nil {
		p.Settle(s)
		s.AddView(v, counts)
		return
	}
	if p.lin != nil && p.lin != lin || p.seen.lin != nil && p.seen.lin != lin {
		p.Settle(s) // the codes of another run's dictionaries: they say nothing of these
	}
	if p.lin == nil && !p.ident && len(p.vals) == 0 {
		p.lin, p.ident = lin, true
	}
	if p.ident {
		n, in := extendIdent(uint32(len(p.vals)), global, func(c int) bool { return counts[c] > 0 })
		if in {
			p.vals = v.SharedValues()[:n:n]
			return
		}
		p.ident, p.lin = false, nil
		for g := range p.vals {
			p.seen.add(lin, uint32(g))
		}
	}
	for c, n := range counts {
		if n > 0 && p.seen.add(lin, global[c]) {
			p.vals = append(p.vals, v.Dict.At(uint32(c)))
		}
	}
}

// Len is how many values p holds.
func (p *Pending) Len() int { return len(p.vals) }

// Settle moves the values of p into s.
func (p *Pending) Settle(s StrSet) {
	for _, v := range p.vals {
		s[v] = true
	}
	*p = Pending{}
}

// NonEmpty is s.NonEmpty() of s with the values of p.
func (p *Pending) NonEmpty(s StrSet) int {
	if len(s) == 0 {
		n := len(p.vals) // distinct: one per shared code
		if slices.Contains(p.vals, "") {
			n--
		}
		return n
	}
	p.Settle(s)
	return s.NonEmpty()
}

// SeenCodes is a set of the codes of a run's shared dictionary of one
// column (frame.Lineage). The zero value is empty.
type SeenCodes struct {
	lin  *frame.Lineage
	bits []uint64
}

// add adds code g of lin's numbering and says whether it was new. A code
// of another numbering than the set's starts the set afresh: the strings
// it stands for are in the set of strings already.
func (s *SeenCodes) add(lin *frame.Lineage, g uint32) bool {
	if s.lin != lin {
		s.lin, s.bits = lin, nil
	}
	w := int(g / 64)
	if w >= len(s.bits) {
		s.bits = slices.Grow(s.bits, max(w+1, 2*len(s.bits))-len(s.bits))
		s.bits = s.bits[:cap(s.bits)]
	}
	bit := uint64(1) << (g % 64)
	if s.bits[w]&bit != 0 {
		return false
	}
	s.bits[w] |= bit
	return true
}

// Merge adds the values of o.
func (s StrSet) Merge(o StrSet) {
	for k := range o {
		s[k] = true
	}
}

// NonEmpty is how many values of the set are not the empty string.
func (s StrSet) NonEmpty() int {
	if s[""] {
		return len(s) - 1
	}
	return len(s)
}

// exactPrec is enough bits for any sum of float64 values times counts to
// be exact: float64 spans 2^-1074 to 2^1024, and a count adds at most 63
// bits and the carries of the additions a few more.
const exactPrec = 2200

// ExactSum is the sum of float64 values without rounding, so that it does
// not depend on the order of the additions, with Value the exact total
// rounded once. Integral values of at most 2^53 (byte counts) add as
// integers; any other value goes to a big.Float wide enough never to
// round. Infinities are kept aside (a big.Float cannot add +Inf to -Inf).
type ExactSum struct {
	Int            int64
	Rest           *big.Float // nil while every value was a small integer
	PosInf, NegInf bool
}

// Add adds x; NaN is left out, as the sections leave missing values out.
func (s *ExactSum) Add(x float64) {
	switch {
	case x != x:
		return
	case math.IsInf(x, 1):
		s.PosInf = true
		return
	case math.IsInf(x, -1):
		s.NegInf = true
		return
	case x == math.Trunc(x) && math.Abs(x) <= 1<<53:
		if s.Int > 1<<62 || s.Int < -1<<62 {
			s.rest().Add(s.Rest, new(big.Float).SetInt64(s.Int))
			s.Int = 0
		}
		s.Int += int64(x)
		return
	}
	s.rest().Add(s.Rest, new(big.Float).SetFloat64(x))
}

// AddAll adds every value of xs but NaN: Add in a loop that keeps the
// integers' sum in a register.
func (s *ExactSum) AddAll(xs []float64) {
	acc := s.Int
	for _, x := range xs {
		if x == math.Trunc(x) && x <= 1<<53 && x >= -1<<53 && acc <= 1<<62 && acc >= -1<<62 {
			acc += int64(x)
			continue
		}
		s.Int = acc
		s.Add(x) // NaN, an infinity, a fraction, or a sum near overflow
		acc = s.Int
	}
	s.Int = acc
}

// AddN adds n times x, exactly.
func (s *ExactSum) AddN(x float64, n int) {
	switch {
	case x != x || n == 0:
		return
	case math.IsInf(x, 0):
		s.Add(x)
		return
	}
	p := new(big.Float).SetPrec(exactPrec).SetFloat64(x)
	p.Mul(p, new(big.Float).SetInt64(int64(n)))
	s.rest().Add(s.Rest, p)
}

func (s *ExactSum) rest() *big.Float {
	if s.Rest == nil {
		s.Rest = new(big.Float).SetPrec(exactPrec)
	}
	return s.Rest
}

// Merge adds o's sum.
func (s *ExactSum) Merge(o ExactSum) {
	s.PosInf = s.PosInf || o.PosInf
	s.NegInf = s.NegInf || o.NegInf
	if o.Rest != nil {
		s.rest().Add(s.Rest, o.Rest)
	}
	const half = 1 << 62 // two integers of at most this add without overflow
	switch {
	case o.Int == 0:
	case s.Int <= half && s.Int >= -half && o.Int <= half && o.Int >= -half:
		s.Int += o.Int
	default:
		s.rest().Add(s.Rest, new(big.Float).SetInt64(o.Int))
	}
}

// Value is the sum rounded to the nearest float64 (±Inf past the range;
// NaN when both infinities were added, as a float sum would be).
func (s *ExactSum) Value() float64 {
	switch {
	case s.PosInf && s.NegInf:
		return math.NaN()
	case s.PosInf:
		return math.Inf(1)
	case s.NegInf:
		return math.Inf(-1)
	case s.Rest == nil:
		return float64(s.Int) // the exact integer, rounded once to the nearest float64
	}
	t := new(big.Float).SetPrec(exactPrec).SetInt64(s.Int)
	t.Add(t, s.Rest)
	v, _ := t.Float64()
	return v
}

// Mean is the sum divided by n, the exact quotient rounded once to the
// nearest float64.
func (s *ExactSum) Mean(n int) float64 {
	if s.PosInf || s.NegInf || n == 0 {
		return s.Value() / float64(n)
	}
	t := new(big.Float).SetPrec(exactPrec).SetInt64(s.Int)
	if s.Rest != nil {
		t.Add(t, s.Rest)
	}
	q := new(big.Float).SetPrec(53).Quo(t, new(big.Float).SetInt64(int64(n)))
	v, _ := q.Float64()
	return v
}

// floatTable counts float64 values by their bits: an open-addressed table
// (linear probing, Fibonacci hashing) that a column's values go through
// before they reach a [ValueCounts] once per distinct value, since a Go
// map costs a hash of the whole key and a few cache misses per row. The
// zero table is ready to use.
type floatTable struct {
	keys  []uint64
	n     []int
	used  int
	shift uint // 64 - log2(len(keys))
}

func (t *floatTable) reset() {
	if t.used > 0 {
		clear(t.n)
		t.used = 0
	}
	if t.keys == nil {
		t.keys, t.n, t.shift = make([]uint64, 1<<10), make([]int, 1<<10), 64-10
	}
}

func (t *floatTable) add(x float64) {
	b := math.Float64bits(x)
	mask := len(t.keys) - 1
	for i := int((b * 0x9E3779B97F4A7C15) >> t.shift); ; i = (i + 1) & mask {
		switch {
		case t.n[i] == 0:
			t.keys[i], t.n[i] = b, 1
			if t.used++; 2*t.used > len(t.keys) {
				t.grow()
			}
			return
		case t.keys[i] == b:
			t.n[i]++
			return
		}
	}
}

func (t *floatTable) grow() {
	keys, n := t.keys, t.n
	t.keys, t.n, t.shift = make([]uint64, 2*len(keys)), make([]int, 2*len(keys)), t.shift-1
	mask := len(t.keys) - 1
	for j, c := range n {
		if c == 0 {
			continue
		}
		i := int((keys[j] * 0x9E3779B97F4A7C15) >> t.shift)
		for t.n[i] != 0 {
			i = (i + 1) & mask
		}
		t.keys[i], t.n[i] = keys[j], c
	}
}

// flush adds the counts to vc.
func (t *floatTable) flush(vc ValueCounts) {
	if t.used == 0 {
		return
	}
	for i, c := range t.n {
		if c > 0 {
			vc[math.Float64frombits(t.keys[i])] += c
		}
	}
}
