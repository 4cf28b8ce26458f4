package analysis

import (
	"cmp"
	"iter"
	"maps"
	"slices"

	"github.com/logbook/logbook/frame"
)

// Records per second, the time layout that status_codes and traffic
// share: exact to the second (the time bulk, its stray dates, local hours
// and days in any zone, minutes), and small. A UTC day is at most 86,400
// seconds: a busy day is held dense, a uint16 per second (173 KB), a quiet
// one as a sorted list of its seconds with records, 4 bytes each (the
// second of the day and its count packed), and a day turns dense once its
// list would be larger. What a second holds past its slot's range (65,535
// in a dense day, 32,767 in a list: a log whose times are whole minutes,
// or years of partials merged) is kept exactly in Over.

const (
	daySeconds = 86400
	// A list entry is the second of the day (17 bits) above its count
	// (15 bits).
	listCountBits = 15
	listMaxCount  = 1<<listCountBits - 1
	denseMaxCount = 1<<16 - 1
	// A list longer than this takes more room than the dense slots.
	maxListSeconds = daySeconds / 2
)

// SecondCounts counts records per UTC second.
type SecondCounts struct {
	Days []DayCounts // by Day, ascending
	// Over holds, for a second whose slot is full, the records past it:
	// the second's count is its slot's plus Over's (a slot is full
	// whenever Over holds its second).
	Over map[int64]int
	// Far counts the seconds past ±2^62 (no calendar's, but a log may
	// say anything), which days of 86,400 seconds would overflow.
	Far map[int64]int
}

// farSeconds bounds the times held in days.
const farSeconds = 1 << 62

// DayCounts is one UTC day's records per second: Dense when the day is
// busy, List otherwise.
type DayCounts struct {
	Day   int64    // floorDiv(t, 86400)
	List  []uint32 // second of the day << listCountBits | count, ascending
	Dense []uint16 // 86,400 slots, or nil
}

// over adds n records to the second t beyond its full slot.
func (sc *SecondCounts) over(t int64, n int) {
	if sc.Over == nil {
		sc.Over = map[int64]int{}
	}
	sc.Over[t] += n
}

// find returns the index of day d's block, if there is one; i is a hint,
// the index to try first.
func (sc *SecondCounts) find(d int64, i int) (int, bool) {
	if i >= 0 && i < len(sc.Days) && sc.Days[i].Day == d {
		return i, true
	}
	return slices.BinarySearchFunc(sc.Days, d, func(x DayCounts, d int64) int { return cmp.Compare(x.Day, d) })
}

// day returns the block of day d, inserted (empty) where it belongs if
// new; i is a hint, the index to try first.
func (sc *SecondCounts) day(d int64, i int) (int, *DayCounts) {
	if i >= 0 && i < len(sc.Days) && sc.Days[i].Day == d {
		return i, &sc.Days[i]
	}
	if n := len(sc.Days); n == 0 || sc.Days[n-1].Day < d {
		sc.Days = append(sc.Days, DayCounts{Day: d})
		return n, &sc.Days[n]
	}
	i, found := sc.find(d, -1)
	if !found {
		sc.Days = slices.Insert(sc.Days, i, DayCounts{Day: d})
	}
	return i, &sc.Days[i]
}

// addDense adds n records to second s of a dense day, base its first
// second.
func (sc *SecondCounts) addDense(dc *DayCounts, base int64, s int, n int) {
	v := int(dc.Dense[s]) + n
	if v > denseMaxCount {
		sc.over(base+int64(s), v-denseMaxCount)
		v = denseMaxCount
	}
	dc.Dense[s] = uint16(v)
}

// listEntry packs second s of a day with n records, the part past a list
// slot's range going to Over.
func (sc *SecondCounts) listEntry(base int64, s int, n int) uint32 {
	if n > listMaxCount {
		sc.over(base+int64(s), n-listMaxCount)
		n = listMaxCount
	}
	return uint32(s)<<listCountBits | uint32(n)
}

// densify turns a listed day dense.
func (sc *SecondCounts) densify(dc *DayCounts) {
	list := dc.List
	dc.List, dc.Dense = nil, make([]uint16, daySeconds)
	base := dc.Day * daySeconds
	for _, e := range list {
		s, n := int(e>>listCountBits), int(e&listMaxCount)
		if n == listMaxCount {
			// A full list slot: its second may hold more in Over, which
			// the dense slot's larger range takes back.
			t := base + int64(s)
			n += sc.Over[t]
			delete(sc.Over, t)
		}
		sc.addDense(dc, base, s, n)
	}
}

// addSecond is a second of a day and its records, as addDay takes them.
type addSecond struct {
	S int // second of the day
	N int
}

// addDay adds to day d the seconds secs (ascending, distinct); i is a hint
// for the day's index, and the day's index is returned.
func (sc *SecondCounts) addDay(d int64, i int, secs []addSecond) int {
	i, dc := sc.day(d, i)
	base := d * daySeconds
	if dc.Dense == nil && len(dc.List)+len(secs) > maxListSeconds {
		// Perhaps the union is short still; dense if not.
		if distinctUnion(dc.List, secs) > maxListSeconds {
			sc.densify(dc)
		}
	}
	if dc.Dense != nil {
		for _, x := range secs {
			sc.addDense(dc, base, x.S, x.N)
		}
		return i
	}
	if l := len(dc.List); l == 0 || int(dc.List[l-1]>>listCountBits) < secs[0].S {
		// After every second the day holds: a log read in order.
		dc.List = slices.Grow(dc.List, len(secs))
		for _, x := range secs {
			dc.List = append(dc.List, sc.listEntry(base, x.S, x.N))
		}
		return i
	}
	merged := make([]uint32, 0, len(dc.List)+len(secs))
	a := dc.List
	for len(a) > 0 || len(secs) > 0 {
		switch {
		case len(secs) == 0 || len(a) > 0 && int(a[0]>>listCountBits) < secs[0].S:
			merged = append(merged, a[0])
			a = a[1:]
		case len(a) == 0 || int(a[0]>>listCountBits) > secs[0].S:
			merged = append(merged, sc.listEntry(base, secs[0].S, secs[0].N))
			secs = secs[1:]
		default:
			merged = append(merged, sc.listEntry(base, secs[0].S, int(a[0]&listMaxCount)+secs[0].N))
			a, secs = a[1:], secs[1:]
		}
	}
	dc.List = merged
	return i
}

// distinctUnion is how many distinct seconds list and secs hold together.
func distinctUnion(list []uint32, secs []addSecond) int {
	n, i, j := 0, 0, 0
	for i < len(list) && j < len(secs) {
		a, b := int(list[i]>>listCountBits), secs[j].S
		switch {
		case a < b:
			i++
		case a > b:
			j++
		default:
			i++
			j++
		}
		n++
	}
	return n + len(list) - i + len(secs) - j
}

// addSorted adds a record at each of times, which are in ascending order
// and within ±farSeconds.
func (sc *SecondCounts) addSorted(times []int64) {
	var secs []addSecond
	hint := -1
	for i := 0; i < len(times); {
		d := floorDiv(times[i], daySeconds)
		base := d * daySeconds
		if j, ok := sc.find(d, hint); ok && sc.Days[j].Dense != nil {
			// A dense day: counted in place.
			dc := &sc.Days[j]
			for ; i < len(times) && times[i]-base < daySeconds; i++ { // base+daySeconds may be past int64
				if s := times[i] - base; dc.Dense[s] < denseMaxCount {
					dc.Dense[s]++
				} else {
					sc.addDense(dc, base, int(s), 1)
				}
			}
			hint = j + 1
			continue
		}
		if secs == nil {
			secs = make([]addSecond, 0, min(len(times)-i, daySeconds))
		}
		secs = secs[:0]
		for i < len(times) && times[i]-base < daySeconds {
			t := times[i]
			j := i + 1
			for j < len(times) && times[j] == t {
				j++
			}
			secs = append(secs, addSecond{S: int(t - base), N: j - i})
			i = j
		}
		hint = sc.addDay(d, hint, secs) + 1
	}
}

// Add adds a record at each of times, in any order.
func (sc *SecondCounts) Add(times []int64) {
	if len(times) == 0 {
		return
	}
	sorted := slices.IsSorted(times)
	lo, hi := times[0], times[len(times)-1]
	if !sorted {
		lo, hi = slices.Min(times), slices.Max(times)
	}
	if lo < -farSeconds || hi > farSeconds {
		near := make([]int64, 0, len(times))
		for _, t := range times {
			if t >= -farSeconds && t <= farSeconds {
				near = append(near, t)
				continue
			}
			if sc.Far == nil {
				sc.Far = map[int64]int{}
			}
			sc.Far[t]++
		}
		sc.Add(near)
		return
	}
	if sorted {
		sc.addSorted(times)
		return
	}
	if span := hi - lo; span >= 0 && span < min(maxCountedSpan, countedPerRecord*int64(len(times))) {
		// Counted in a slot per second of the span: a frame of a log's
		// files one after another, or of rows in any order, costs no sort.
		cnt := make([]uint32, span+1)
		for _, t := range times {
			cnt[t-lo]++
		}
		sc.addCounted(lo, cnt)
		return
	}
	times = slices.Clone(times)
	slices.Sort(times)
	sc.addSorted(times)
}

// Bounds of Add's counting: spans up to four seconds a record (16 bytes a
// record), but never past maxCountedSpan, are counted in a slot per
// second; longer ones (a chunk of rows dealt from a long log, stray
// dates) are sorted.
const (
	countedPerRecord = 4
	maxCountedSpan   = 1 << 24
)

// addCounted adds cnt[i] records at second lo+i, for each i.
func (sc *SecondCounts) addCounted(lo int64, cnt []uint32) {
	secs := make([]addSecond, 0, min(len(cnt), daySeconds))
	hint := -1
	for i := 0; i < len(cnt); {
		t := lo + int64(i)
		d := floorDiv(t, daySeconds)
		base := d * daySeconds
		n := min(len(cnt)-i, int(daySeconds-(t-base))) // the slots of day d
		secs = secs[:0]
		for j, c := range cnt[i : i+n] {
			if c != 0 {
				secs = append(secs, addSecond{S: int(t-base) + j, N: int(c)})
			}
		}
		if len(secs) > 0 {
			hint = sc.addDay(d, hint, secs) + 1
		}
		i += n
	}
}

// Merge adds the counts of o.
func (sc *SecondCounts) Merge(o *SecondCounts) {
	var secs []addSecond
	hint := -1
	for di := range o.Days {
		od := &o.Days[di]
		secs = secs[:0]
		o.eachOf(od, func(s, n int) { secs = append(secs, addSecond{S: s, N: n}) })
		if len(secs) > 0 {
			hint = sc.addDay(od.Day, hint, secs) + 1
		}
	}
	for t, n := range o.Far {
		if sc.Far == nil {
			sc.Far = map[int64]int{}
		}
		sc.Far[t] += n
	}
}

// eachOf calls fn with each second of the day dc with records, as the
// second of the day, and its count, in order.
func (sc *SecondCounts) eachOf(dc *DayCounts, fn func(s, n int)) {
	base := dc.Day * daySeconds
	if dc.Dense != nil {
		for s, n := range dc.Dense {
			switch n {
			case 0:
			case denseMaxCount:
				fn(s, int(n)+sc.Over[base+int64(s)])
			default:
				fn(s, int(n))
			}
		}
		return
	}
	for _, e := range dc.List {
		s, n := int(e>>listCountBits), int(e&listMaxCount)
		if n == listMaxCount {
			n += sc.Over[base+int64(s)]
		}
		fn(s, n)
	}
}

// All yields each second with records and its count, in time order.
func (sc *SecondCounts) All() iter.Seq2[int64, int] {
	return func(yield func(int64, int) bool) {
		far := slices.Sorted(maps.Keys(sc.Far))
		for len(far) > 0 && far[0] < 0 { // before every day
			if !yield(far[0], sc.Far[far[0]]) {
				return
			}
			far = far[1:]
		}
		if !sc.eachDay(yield) {
			return
		}
		for _, t := range far { // after every day
			if !yield(t, sc.Far[t]) {
				return
			}
		}
	}
}

// eachDay is All over the days: false if yield stopped it.
func (sc *SecondCounts) eachDay(yield func(int64, int) bool) bool {
	for di := range sc.Days {
		dc := &sc.Days[di]
		base := dc.Day * daySeconds
		if dc.Dense != nil {
			for s, c := range dc.Dense {
				if c == 0 {
					continue
				}
				n := int(c)
				if c == denseMaxCount {
					n += sc.Over[base+int64(s)]
				}
				if !yield(base+int64(s), n) {
					return false
				}
			}
			continue
		}
		for _, e := range dc.List {
			s, n := int64(e>>listCountBits), int(e&listMaxCount)
			if n == listMaxCount {
				n += sc.Over[base+s]
			}
			if !yield(base+s, n) {
				return false
			}
		}
	}
	return true
}

// Len is how many seconds hold records.
func (sc *SecondCounts) Len() int {
	n := len(sc.Far)
	for di := range sc.Days {
		dc := &sc.Days[di]
		if dc.Dense == nil {
			n += len(dc.List)
			continue
		}
		for _, c := range dc.Dense {
			if c != 0 {
				n++
			}
		}
	}
	return n
}

// Runs is every second with records and its count, in time order: what
// findBulkCounts reads.
func (sc *SecondCounts) Runs() []TimeCount {
	out := make([]TimeCount, 0, sc.Len())
	for t, n := range sc.All() {
		out = append(out, TimeCount{T: t, N: n})
	}
	return out
}

// ClassSeconds counts records per second, and among them the 3xx, 4xx and
// 5xx responses (Classes[0], [1], [2]), each kept only when asked for.
type ClassSeconds struct {
	All     SecondCounts
	Classes [3]SecondCounts
}

// statusClassCodes maps each code of a status column to 0, 1, 2 for a
// 3xx, 4xx, 5xx and -1 for any other.
func statusClassCodes(dict frame.Dict) []int8 {
	class := make([]int8, dict.Len())
	for c, v := range dict.All() {
		switch statusClass(v) {
		case "3xx":
			class[c] = 0
		case "4xx":
			class[c] = 1
		case "5xx":
			class[c] = 2
		default:
			class[c] = -1
		}
	}
	return class
}

// Add counts the records of times, the status of each in status (nil: no
// column, no record of any class), for the classes with want set.
func (cs *ClassSeconds) Add(times []int64, status *frame.CodeView, want [3]bool) {
	if status == nil {
		cs.All.Add(times)
		return
	}
	class := statusClassCodes(status.Dict)
	for c, k := range class {
		if k >= 0 && !want[k] {
			class[c] = -1
		}
	}
	if len(times) == 0 {
		return
	}
	if times[0] >= -farSeconds && times[len(times)-1] <= farSeconds && slices.IsSorted(times) {
		cs.addSorted(times, status, class)
		return
	}
	if lo, hi := slices.Min(times), slices.Max(times); lo >= -farSeconds && hi <= farSeconds && hi-lo < min(maxCountedSpan, countedPerRecord*int64(len(times))) {
		// In any order over a short span: counted in a slot per second,
		// a list of slots per kept class, in one pass.
		all := make([]uint32, hi-lo+1)
		var per [3][]uint32
		for k := range per {
			if want[k] {
				per[k] = make([]uint32, len(all))
			}
		}
		for i, t := range times {
			all[t-lo]++
			if k := class[status.At(i)]; k >= 0 {
				per[k][t-lo]++
			}
		}
		cs.All.addCounted(lo, all)
		for k := range per {
			if per[k] != nil {
				cs.Classes[k].addCounted(lo, per[k])
			}
		}
		return
	}
	cs.All.Add(times)
	var counts [3]int
	for i := range times {
		if k := class[status.At(i)]; k >= 0 {
			counts[k]++
		}
	}
	var picked [3][]int64
	for k, n := range counts {
		picked[k] = make([]int64, 0, n)
	}
	for i, t := range times {
		if k := class[status.At(i)]; k >= 0 {
			picked[k] = append(picked[k], t)
		}
	}
	for k := range cs.Classes {
		if len(picked[k]) > 0 {
			cs.Classes[k].Add(picked[k])
		}
	}
}

// addSorted is Add of times in ascending order within ±farSeconds, class
// the class of each status code (-1: none kept): in one pass, a day at a
// time.
func (cs *ClassSeconds) addSorted(times []int64, status *frame.CodeView, class []int8) {
	var all []addSecond
	var per [3][]addSecond
	hint, hints := -1, [3]int{-1, -1, -1}
	for i := 0; i < len(times); {
		d := floorDiv(times[i], daySeconds)
		base := d * daySeconds
		all = all[:0]
		for k := range per {
			per[k] = per[k][:0]
		}
		for i < len(times) && times[i]-base < daySeconds {
			t := times[i]
			var c [3]int
			j := i
			for ; j < len(times) && times[j] == t; j++ {
				if k := class[status.At(j)]; k >= 0 {
					c[k]++
				}
			}
			s := int(t - base)
			all = append(all, addSecond{S: s, N: j - i})
			for k, n := range c {
				if n > 0 {
					per[k] = append(per[k], addSecond{S: s, N: n})
				}
			}
			i = j
		}
		hint = cs.All.addDay(d, hint, all) + 1
		for k := range per {
			if len(per[k]) > 0 {
				hints[k] = cs.Classes[k].addDay(d, hints[k], per[k]) + 1
			}
		}
	}
}

// Merge adds the counts of o.
func (cs *ClassSeconds) Merge(o *ClassSeconds) {
	cs.All.Merge(&o.All)
	for k := range cs.Classes {
		cs.Classes[k].Merge(&o.Classes[k])
	}
}
