package frame

import (
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
	na, nb := len(a.Dict), len(b.Dict)
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
	// Too many cells for an array (a million client IPs): the rows' b codes
	// are put in buckets by a code (a counting sort), and each bucket is
	// sorted and counted, which costs far less than a map of every pair.
	start := make([]int, na+1) // bucket c is bs[start[c]:start[c+1]]
	rows := 0
	each(func(i int) { start[a.At(i)+1]++; rows++ })
	for c := range na {
		start[c+1] += start[c]
	}
	next := slices.Clone(start[:na])
	bs := make([]uint32, rows)
	each(func(i int) {
		c := a.At(i)
		bs[next[c]] = b.At(i)
		next[c]++
	})
	var out []PairCount
	for c := range na {
		seg := bs[start[c]:start[c+1]]
		if len(seg) > 1 {
			slices.Sort(seg)
		}
		for j := 0; j < len(seg); {
			k := j + 1
			for k < len(seg) && seg[k] == seg[j] {
				k++
			}
			out = append(out, PairCount{A: uint32(c), B: seg[j], N: k - j})
			j = k
		}
	}
	return out
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
