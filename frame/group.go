package frame

import (
	"math"
	"slices"
	"time"
)

// PairCount is the number of rows holding code A in one column and code B in
// another.
type PairCount struct {
	A, B uint32
	N    int
}

// denseLimit is the largest number of (a, b) cells counted in a flat array
// (four bytes a cell) rather than a map.
const denseLimit = 1 << 21

// PairCounts counts the rows per (a, b) pair of codes over the rows listed in
// keep (all rows when keep is nil). The result is sorted by A, then B.
func PairCounts(a, b CodeView, keep []int) []PairCount {
	na, nb := a.Dict.Len(), b.Dict.Len()
	each := func(fn func(i int)) {
		if keep == nil {
			for i := range a.Len() {
				fn(i)
			}
			return
		}
		for _, i := range keep {
			fn(i)
		}
	}
	if uint64(na)*uint64(nb) <= denseLimit {
		cells := make([]int32, na*nb)
		each(func(i int) { cells[int(a.At(i))*nb+int(b.At(i))]++ })
		used := 0
		for _, n := range cells {
			if n > 0 {
				used++
			}
		}
		out := make([]PairCount, 0, used)
		for k, n := range cells {
			if n > 0 {
				out = append(out, PairCount{A: uint32(k / nb), B: uint32(k % nb), N: int(n)})
			}
		}
		return out // already in (A, B) order
	}
	// Too many cells for an array (a million client IPs): the rows are
	// grouped by their a code (a counting sort, made once per column for
	// all its rows and shared: rowGroups), each group's b codes gathered
	// and sorted, and counted, which costs far less than a map of every
	// pair.
	var g *groups
	if keep == nil {
		g = rowGroups(a)
	} else {
		g = groupRows(a, each)
	}
	start := g.start
	bs := make([]uint32, len(g.rows))
	for k, i := range g.rows {
		bs[k] = b.At(int(i))
	}
	// Each group sorted, its distinct values counted, so that the pairs
	// are made at their number (a million of them, appended, would grow
	// through twice their size).
	pairs := 0
	for c := range na {
		seg := bs[start[c]:start[c+1]]
		if len(seg) > 1 {
			slices.Sort(seg)
		}
		for j := range seg {
			if j == 0 || seg[j] != seg[j-1] {
				pairs++
			}
		}
	}
	out := make([]PairCount, 0, pairs)
	for c := range na {
		seg := bs[start[c]:start[c+1]]
		for j := 0; j < len(seg); {
			k := j + 1
			for k < len(seg) && seg[k] == seg[j] {
				k++
			}
			out = append(out, PairCount{A: uint32(c), B: uint32(seg[j]), N: k - j})
			j = k
		}
	}
	return out
}

// groups are the rows of a column grouped by their code (a counting
// sort): group c is rows[start[c]:start[c+1]], in row order.
type groups struct {
	start []uint32 // per code, where its group starts; one more at the end
	rows  []uint32
}

// GroupsKey names rowGroups' memo on a column (the rows grouped by code,
// for PairCounts and RowPairs), for Forget.
type GroupsKey struct{}

// rowGroups returns the groups of all of a's rows, made once per column
// and shared (the caller must not modify them): on a million distinct
// client IPs, the conditional tables of status codes and methods and the
// clients' pairs each grouped the rows by client again, 24 MB of counts,
// cursors and keys a time.
func rowGroups(a CodeView) *groups {
	all := func(fn func(i int)) {
		for i := range a.Len() {
			fn(i)
		}
	}
	if a.col == nil {
		return groupRows(a, all)
	}
	return a.Memo(GroupsKey{}, func() any { return groupRows(a, all) }).(*groups)
}

// groupRows groups the rows each visits by their code in a, each group in
// the order each visits them.
func groupRows(a CodeView, each func(fn func(i int))) *groups {
	na := a.Dict.Len()
	g := &groups{start: make([]uint32, na+1)}
	rows := 0
	each(func(i int) { g.start[a.At(i)+1]++; rows++ })
	for c := range na {
		g.start[c+1] += g.start[c]
	}
	next := slices.Clone(g.start[:na])
	g.rows = make([]uint32, rows)
	each(func(i int) {
		c := a.At(i)
		g.rows[next[c]] = uint32(i)
		next[c]++
	})
	return g
}

// Clock turns Unix seconds into local time in a location, caching the
// current zone offset so that a column of timestamps costs one addition per
// row outside DST transitions.
type Clock struct {
	loc    *time.Location
	lo, hi int64 // the span [lo, hi) over which off holds
	off    int64
}

// NewClock returns a clock for loc.
func NewClock(loc *time.Location) *Clock { return &Clock{loc: loc, lo: 1, hi: 0} }

// Local returns t shifted by its zone offset: seconds since the Unix epoch as
// if the local wall clock were UTC.
func (c *Clock) Local(t int64) int64 {
	if t < c.lo || t >= c.hi {
		tt := time.Unix(t, 0).In(c.loc)
		_, off := tt.Zone()
		start, end := tt.ZoneBounds()
		c.off = int64(off)
		c.lo, c.hi = -1<<62, 1<<62
		if !start.IsZero() {
			c.lo = start.Unix()
		}
		if !end.IsZero() {
			c.hi = end.Unix()
		}
	}
	return t + c.off
}

// Day returns the local day number (days since 1970-01-01) of t.
func (c *Clock) Day(t int64) int64 { return floorDiv(c.Local(t), 86400) }

// Hour returns the local hour number (hours since the epoch) of t.
func (c *Clock) Hour(t int64) int64 { return floorDiv(c.Local(t), 3600) }

// Minute returns the local minute number (minutes since the epoch) of t.
func (c *Clock) Minute(t int64) int64 { return floorDiv(c.Local(t), 60) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// DayString formats a day number as YYYY-MM-DD.
func DayString(day int64) string {
	return time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
}

// HourString formats an hour number as YYYY-MM-DD HH:00.
func HourString(hour int64) string {
	return time.Unix(hour*3600, 0).UTC().Format("2006-01-02 15:00")
}

// Pairs are the distinct (a, b) code pairs of two columns' rows, each
// once (in no promised order), and each row's pair: what the sections that
// key on a client (an IP and an agent) read instead of looking each row up
// in a map.
type Pairs struct {
	A, B []uint32 // per pair, its codes in a and in b
	Row  []uint32 // per row, the index of its pair
}

// PairsKey names RowPairs' memo on column a, for Forget: b is the other
// column.
type PairsKey struct{ b *Strings }

// RowPairs returns the Pairs of columns a and b (of one frame: the same
// rows), computed once per pair of columns and shared: the caller must not
// modify it.
func RowPairs(a, b CodeView) *Pairs {
	if a.col == nil || b.col == nil {
		return rowPairs(a, b)
	}
	return a.Memo(PairsKey{b.col}, func() any { return rowPairs(a, b) }).(*Pairs)
}

func rowPairs(a, b CodeView) *Pairs {
	if n := a.Len(); a.Dict.Len() > n/8 {
		return bucketPairs(a, b)
	}
	return cachedPairs(a, b)
}

// cachedPairs is rowPairs where a's values repeat (a client IP makes many
// requests, mostly with one agent): the pair of each a's last b spares
// most rows the map.
func cachedPairs(a, b CodeView) *Pairs {
	n, na := a.Len(), a.Dict.Len()
	p := &Pairs{Row: make([]uint32, n)}
	lastB, lastPair := make([]uint32, na), make([]uint32, na)
	for c := range lastB {
		lastB[c] = math.MaxUint32
	}
	seen := map[uint64]uint32{}
	for i := range n {
		x, y := a.At(i), b.At(i)
		if lastB[x] != y {
			k := uint64(x)<<32 | uint64(y)
			id, ok := seen[k]
			if !ok {
				id = uint32(len(p.A))
				seen[k] = id
				p.A, p.B = append(p.A, x), append(p.B, y)
			}
			lastB[x], lastPair[x] = y, id
		}
		p.Row[i] = lastPair[x]
	}
	return p
}

// bucketPairs is rowPairs where most a values are distinct (a million
// client IPs): the rows are put in buckets by their a code (a counting
// sort), and a bucket whose b codes differ is sorted, which costs far less
// than a map of a million pairs.
func bucketPairs(a, b CodeView) *Pairs {
	n, na := a.Len(), a.Dict.Len()
	// Each row as its b code above its row number: sorting a group sorts
	// by b, the rows of one b in row order.
	g := rowGroups(a)
	start := g.start
	rows := make([]uint64, len(g.rows))
	for k, i := range g.rows {
		rows[k] = uint64(b.At(int(i)))<<32 | uint64(i)
	}
	p := &Pairs{Row: make([]uint32, n)}
	for c := range na {
		seg := rows[start[c]:start[c+1]]
		if !slices.IsSorted(seg) {
			slices.Sort(seg)
		}
		for j, k := range seg {
			if j == 0 || k>>32 != seg[j-1]>>32 {
				p.A, p.B = append(p.A, uint32(c)), append(p.B, uint32(k>>32))
			}
			p.Row[uint32(k)] = uint32(len(p.A) - 1)
		}
	}
	return p
}
