package analysis

import (
	"cmp"
	"slices"

	"github.com/logbook/logbook/frame"
)

// Requests per second, the mergeable form of the traffic section's time
// column: what findBulk, bucketTimes and countMinutesIn read from the
// records, kept at the input's resolution (whole seconds) so that the
// bulk of the log, its stray dates, its local hours and days (in zones
// whose offsets are not whole minutes too) and its minutes come out as
// they would from the column itself.
//
// Its size follows the distinct seconds of the log, at most 86,400 a day
// however many records each holds. Were that too much (years of logs
// merged), the bound would go here: counts per minute with the first and
// last second of each, which give the same days, hours and minutes
// wherever the zone's offset is whole minutes, and the bulk exactly
// unless a stray-date threshold falls inside a minute with records.

// secondCount is the requests in one UTC second, and how many of them were
// answered with a 4xx or a 5xx status.
type secondCount struct {
	T         int64 // Unix seconds
	N, E4, E5 int32
}

// statusClasses maps each code of a status column to 1 for a 4xx, 2 for
// a 5xx, and 0 otherwise; nil for no column.
func statusClasses(status *frame.CodeView) []uint8 {
	if status == nil {
		return nil
	}
	class := make([]uint8, status.Dict.Len())
	for c, v := range status.Dict.All() {
		switch statusClass(v) {
		case "4xx":
			class[c] = 1
		case "5xx":
			class[c] = 2
		}
	}
	return class
}

// Bounds of countSeconds' flat arrays: spans up to eight seconds a record
// (12 bytes a second), but never past maxDenseSeconds, are counted in
// arrays a slot per second; longer ones (a small chunk of a long log,
// stray dates, logs years apart) by sorting.
const (
	denseSecondsPerRecord = 8
	maxDenseSeconds       = 1 << 22
)

// countSeconds counts the requests per UTC second of times, and the 4xx
// and 5xx responses when status is not nil, in time order; only seconds
// with requests are listed.
func countSeconds(times []int64, status *frame.CodeView) []secondCount {
	if len(times) == 0 {
		return nil
	}
	class := statusClasses(status)
	lo, hi := times[0], times[0]
	for _, t := range times {
		lo, hi = min(lo, t), max(hi, t)
	}
	if span := hi - lo; span >= 0 && span < min(denseSecondsPerRecord*int64(len(times)), maxDenseSeconds) {
		return countSecondsDense(times, status, class, lo, int(span)+1)
	}
	if lo > -1<<60 && hi < 1<<60 {
		// Sorted as keys, a time and its class in one number (times of
		// any calendar date fit).
		keys := make([]int64, len(times))
		for i, t := range times {
			keys[i] = t * 4
			if class != nil {
				keys[i] += int64(class[status.At(i)])
			}
		}
		slices.Sort(keys)
		return secondsOfSorted(len(keys), func(i int) (int64, uint8) { return floorDiv(keys[i], 4), uint8(floorMod(keys[i], 4)) })
	}
	type rec struct {
		t int64
		c uint8
	}
	s := make([]rec, len(times))
	for i, t := range times {
		s[i].t = t
		if class != nil {
			s[i].c = class[status.At(i)]
		}
	}
	slices.SortFunc(s, func(a, b rec) int { return cmp.Compare(a.t, b.t) })
	return secondsOfSorted(len(s), func(i int) (int64, uint8) { return s[i].t, s[i].c })
}

// secondsOfSorted counts n records, the time and status class of each
// given by at in time order.
func secondsOfSorted(n int, at func(i int) (int64, uint8)) []secondCount {
	distinct := 0
	var prev int64
	for i := range n {
		if t, _ := at(i); i == 0 || t != prev {
			distinct++
			prev = t
		}
	}
	out := make([]secondCount, 0, distinct)
	for i := range n {
		t, c := at(i)
		if len(out) == 0 || out[len(out)-1].T != t {
			out = append(out, secondCount{T: t})
		}
		last := &out[len(out)-1]
		last.N++
		switch c {
		case 1:
			last.E4++
		case 2:
			last.E5++
		}
	}
	return out
}

func countSecondsDense(times []int64, status *frame.CodeView, class []uint8, lo int64, span int) []secondCount {
	// A slot per second holds its requests, 4xx and 5xx side by side, so
	// that a record touches one cache line.
	cnt := make([][3]int32, span)
	if class != nil {
		for i, t := range times {
			c := &cnt[t-lo]
			c[0]++
			if k := class[status.At(i)]; k != 0 {
				c[k]++
			}
		}
	} else {
		for _, t := range times {
			cnt[t-lo][0]++
		}
	}
	distinct := 0
	for i := range cnt {
		if cnt[i][0] != 0 {
			distinct++
		}
	}
	out := make([]secondCount, 0, distinct)
	for s, c := range cnt {
		if c[0] != 0 {
			out = append(out, secondCount{T: lo + int64(s), N: c[0], E4: c[1], E5: c[2]})
		}
	}
	return out
}

// bulkOfSeconds is findBulk of the times that secs counts
// (findBulkCounts, which status_codes shares).
func bulkOfSeconds(secs []secondCount) timeBulk {
	runs := make([]TimeCount, len(secs))
	for i, c := range secs {
		runs[i] = TimeCount{T: c.T, N: int(c.N)}
	}
	return findBulkCounts(runs)
}

// bucketSeconds is bucketTimes of the times that secs counts.
func bucketSeconds(secs []secondCount, in *Input) timeBuckets {
	clock := frame.NewClock(in.Loc)
	bulk := bulkOfSeconds(secs)
	lo, hi := bulk.Lo, bulk.Hi
	b := timeBuckets{firstDay: clock.Day(lo), firstHour: clock.Hour(lo), bulk: bulk}
	b.days = make([]int, clock.Day(hi)-b.firstDay+1)
	b.hours = make([]int, clock.Hour(hi)-b.firstHour+1)
	for _, c := range secs {
		if len(bulk.Outliers) > 0 && !bulk.In(c.T) {
			continue
		}
		h := clock.Hour(c.T)
		b.hours[h-b.firstHour] += int(c.N)
		b.days[floorDiv(h*3600, 86400)-b.firstDay] += int(c.N)
	}
	return b
}

// minutesOfSeconds is countMinutesIn of the times that secs counts: the
// requests, 4xx and 5xx per UTC minute of the seconds in [from, to].
func minutesOfSeconds(secs []secondCount, from, to int64) []minuteCount {
	var out []minuteCount
	for _, c := range secs {
		if c.T < from || c.T > to {
			continue
		}
		m := floorDiv(c.T, 60)
		if len(out) == 0 || out[len(out)-1].Minute != m {
			out = append(out, minuteCount{Minute: m})
		}
		last := &out[len(out)-1]
		last.N += c.N
		last.E4 += c.E4
		last.E5 += c.E5
	}
	return out
}

// secondCounts is the requests per second that cs counts, with their 4xx
// and 5xx responses, in time order (as countSeconds lists them).
func (cs *ClassSeconds) secondCounts() []secondCount {
	out := make([]secondCount, 0, cs.All.Len())
	for t, n := range cs.All.All() {
		out = append(out, secondCount{T: t, N: int32(n)})
	}
	// Every second with a 4xx or a 5xx holds a request: found in out by a
	// walk, for both are in time order.
	for k, e := range []func(*secondCount, int){nil, func(c *secondCount, n int) { c.E4 += int32(n) }, func(c *secondCount, n int) { c.E5 += int32(n) }} {
		if e == nil {
			continue
		}
		i := 0
		for t, n := range cs.Classes[k].All() {
			for out[i].T < t {
				i++
			}
			e(&out[i], n)
		}
	}
	return out
}
