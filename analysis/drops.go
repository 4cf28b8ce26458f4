package analysis

// Traffic drops: minutes-long gaps with no requests where the usual rate
// says there should have been plenty, hours and days far below their usual
// level, and error bursts in the minutes before a gap. The functions here
// are pure: they take counts and return what they found, and traffic.go
// turns that into tables, findings and sentences.
//
// Baselines are robust: medians (and the median absolute deviation), never
// means, so that one burst of scanner traffic or one bad day does not make
// every other stretch look quiet.

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/logbook/logbook/frame"
)

// minuteCount is the number of requests in one UTC minute, and how many of
// them were answered with a 4xx or a 5xx status.
type minuteCount struct {
	Minute    int64 // Unix seconds / 60
	N, E4, E5 int32
}

// denseMinutes is a span, in minutes, past which countMinutes counts by
// sorting (countSeconds' flat arrays stop well before it).
const denseMinutes = 1 << 20

// countMinutes counts the requests per UTC minute, and the 4xx and 5xx
// responses when status is not nil. Only minutes with requests are listed,
// in time order. Minutes are UTC, not local, so that a daylight-saving
// change never looks like an hour without traffic.
func countMinutes(times []int64, status *frame.CodeView) []minuteCount {
	return countMinutesIn(times, status, math.MinInt64, math.MaxInt64)
}

// countMinutesIn is countMinutes of the times in [from, to] only (the bulk
// of a log whose stray dates are left out): the sums per minute of
// countSeconds, as the traffic section's state makes them.
func countMinutesIn(times []int64, status *frame.CodeView, from, to int64) []minuteCount {
	return minutesOfSeconds(countSeconds(times, status), from, to)
}

// minuteIndex answers range sums over a sparse minute series.
type minuteIndex struct {
	mc           []minuteCount
	n, e4, e5    []int64 // prefix sums: n[i] is the requests in mc[:i]
	first, limit int64   // the first minute with requests, and one past the last
}

func indexMinutes(mc []minuteCount) *minuteIndex {
	x := &minuteIndex{mc: mc, n: make([]int64, len(mc)+1), e4: make([]int64, len(mc)+1), e5: make([]int64, len(mc)+1)}
	for i, c := range mc {
		x.n[i+1] = x.n[i] + int64(c.N)
		x.e4[i+1] = x.e4[i] + int64(c.E4)
		x.e5[i+1] = x.e5[i] + int64(c.E5)
	}
	if len(mc) > 0 {
		x.first, x.limit = mc[0].Minute, mc[len(mc)-1].Minute+1
	}
	return x
}

// at is the position of the first minute ≥ m.
func (x *minuteIndex) at(m int64) int {
	i, _ := slices.BinarySearchFunc(x.mc, m, func(c minuteCount, m int64) int { return cmp.Compare(c.Minute, m) })
	return i
}

// sum returns the requests, 4xx and 5xx in the minutes [a, b).
func (x *minuteIndex) sum(a, b int64) (n, e4, e5 int64) {
	i, j := x.at(a), x.at(b)
	return x.n[j] - x.n[i], x.e4[j] - x.e4[i], x.e5[j] - x.e5[i]
}

// gapOptions tune gap detection.
type gapOptions struct {
	MinMinutes  int64   // the shortest run of empty minutes considered
	MinExpected float64 // requests that must have been expected, so that P(none) = exp(-expected) is negligible
	Window      int64   // minutes each side of a gap from which the local rate is taken
	Burst       int64   // minutes before a gap searched for an error burst
}

// gapWindow is gapOptions.Window as the traffic section sets it.
const gapWindow = 180

// bucketMinutes is the width of the buckets whose median gives the local rate.
const bucketMinutes = 10

// gap is a run of minutes without requests.
type gap struct {
	Start, End int64   // Unix minutes: the first empty minute, and the first with requests again
	Expected   float64 // requests expected over the gap
	LocalRate  float64 // requests per minute around the gap (median of 10-minute buckets)

	// The Burst minutes before Start, and the rest of the log as the baseline.
	Before         errorWindow
	Usual          errorWindow
	Burst5, Burst4 bool // 5xx (4xx) far more frequent before the gap than usually
}

// Minutes is the length of the gap.
func (g gap) Minutes() int64 { return g.End - g.Start }

// errorWindow counts requests and error responses over some minutes.
type errorWindow struct{ N, E4, E5 int64 }

func (w errorWindow) share5() float64 { return float64(w.E5) / float64(w.N) }
func (w errorWindow) share4() float64 { return float64(w.E4) / float64(w.N) }

// findGaps lists the runs of at least opt.MinMinutes empty minutes between
// the first and the last request over which at least opt.MinExpected
// requests were expected, so that under a Poisson model the chance of
// seeing none, exp(-expected), is below about 2e-9.
//
// The expected rate is the smaller of robust estimates: the median of the
// 10-minute request counts in the opt.Window minutes before the gap, the
// same after it (the local level on each side, which copes with logs that
// sample one minute an hour or come in bursts), and usual(start, end), the requests the same
// hours of the day usually receive (the median over days; +Inf when the
// log is too short to tell), which keeps a site that is quiet every night
// from raising an alarm every night.
//
// For each gap, the opt.Burst minutes before it are compared with the rest
// of the log: a burst is a share of 5xx (4xx) responses that a binomial
// test finds far above the usual share (p < 1e-4), with at least 3 of them
// and at least twice the usual share.
func findGaps(mc []minuteCount, usual func(start, end int64) float64, opt gapOptions) []gap {
	if len(mc) < 2 {
		return nil
	}
	x := indexMinutes(mc)
	var out []gap
	for i := 1; i < len(mc); i++ {
		start, end := mc[i-1].Minute+1, mc[i].Minute
		if end-start < opt.MinMinutes {
			continue
		}
		length := float64(end - start)
		// Cheap bound first: a median is at most twice the mean (with room
		// for buckets that cover a little less than the window).
		a, b := max(x.first, start-opt.Window), min(x.limit, end+opt.Window)
		around, _, _ := x.sum(a, b)
		if window := float64((start - a) + (b - end)); window <= 0 || 2.5*float64(around)/window*length < opt.MinExpected {
			continue
		}
		rate, ok := localRate(x, start, end, opt.Window)
		if !ok {
			continue
		}
		expected := rate * length
		if usual != nil {
			expected = math.Min(expected, usual(start, end))
		}
		if expected < opt.MinExpected {
			continue
		}
		out = append(out, gap{Start: start, End: end, Expected: expected, LocalRate: rate})
	}
	if len(out) == 0 {
		return nil
	}
	// Error bursts: the minutes before each gap against everything else.
	total := errorWindow{N: x.n[len(mc)], E4: x.e4[len(mc)], E5: x.e5[len(mc)]}
	usualErr := total
	for i := range out {
		n, e4, e5 := x.sum(out[i].Start-opt.Burst, out[i].Start)
		out[i].Before = errorWindow{n, e4, e5}
		usualErr.N -= n
		usualErr.E4 -= e4
		usualErr.E5 -= e5
	}
	if usualErr.N <= 0 {
		usualErr = total
	}
	for i := range out {
		g := &out[i]
		g.Usual = usualErr
		g.Burst5 = isBurst(g.Before.E5, g.Before.N, usualErr.E5, usualErr.N)
		g.Burst4 = isBurst(g.Before.E4, g.Before.N, usualErr.E4, usualErr.N)
	}
	return out
}

// localRate is the request rate per minute around a gap: the median count
// of the 10-minute buckets in the window minutes before start, and the same
// after end, whichever is lower, so that traffic must have been flowing on
// both sides (a log that simply starts or stops later is no gap). Buckets
// reaching beyond the log do not count; a side with fewer than three
// buckets gives no estimate.
func localRate(x *minuteIndex, start, end, window int64) (float64, bool) {
	var before, after []float64
	for k := int64(0); k+bucketMinutes <= window; k += bucketMinutes {
		if a := start - k - bucketMinutes; a >= x.first {
			n, _, _ := x.sum(a, a+bucketMinutes)
			before = append(before, float64(n))
		}
		if b := end + k + bucketMinutes; b <= x.limit {
			n, _, _ := x.sum(b-bucketMinutes, b)
			after = append(after, float64(n))
		}
	}
	if len(before) < 3 || len(after) < 3 {
		return 0, false
	}
	return math.Min(median(before), median(after)) / bucketMinutes, true
}

// isBurst tells whether k events out of n are far more than the usual rate
// of base out of baseN.
func isBurst(k, n, base, baseN int64) bool {
	if k < 3 || n == 0 || baseN == 0 {
		return false
	}
	p := math.Max(float64(base), 0.5) / float64(baseN)
	if float64(k)/float64(n) < 2*p {
		return false
	}
	return binomialTail(k, n, p) < 1e-4
}

// binomialTail is P(X ≥ k) for X ~ Binomial(n, p).
func binomialTail(k, n int64, p float64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	if p >= 1 {
		return 1
	}
	lgN, _ := math.Lgamma(float64(n + 1))
	lp, lq := math.Log(p), math.Log1p(-p)
	sum := 0.0
	for i := k; i <= n; i++ {
		a, _ := math.Lgamma(float64(i + 1))
		b, _ := math.Lgamma(float64(n - i + 1))
		term := math.Exp(lgN - a - b + float64(i)*lp + float64(n-i)*lq)
		sum += term
		if i > k && term < sum*1e-12 {
			break
		}
	}
	return math.Min(sum, 1)
}

// hourProfile is the usual number of requests in each local hour of the
// day: the median over the complete hours of the log, and the MAD.
type hourProfile struct {
	Median, MAD [24]float64
	Known       [24]bool // at least minProfileDays hours went into the median
}

// minProfileDays is the fewest days a median per hour of the day (or per
// day) is taken over.
const minProfileDays = 3

// profileHours computes the hour-of-day profile of hourly counts: hours[i]
// is the count of local hour firstHour+i (hours since the epoch, local wall
// clock). Only days with requests count: a day without any is a hole in
// the logs (or a day-long outage), not a usual day. The first and last
// hours (usually partial) and hours for which skip returns true (a local
// hour a daylight-saving change left out) do not count either.
func profileHours(hours []int, firstHour int64, skip func(h int64) bool) hourProfile {
	var by [24][]float64
	busy := busyDays(hours, firstHour)
	firstDay := floorDiv(firstHour, 24)
	for i := 1; i < len(hours)-1; i++ {
		h := firstHour + int64(i)
		if !busy[floorDiv(h, 24)-firstDay] || skip != nil && hours[i] == 0 && skip(h) {
			continue
		}
		hod := floorMod(h, 24)
		by[hod] = append(by[hod], float64(hours[i]))
	}
	var p hourProfile
	for hod, v := range by {
		if len(v) >= minProfileDays {
			p.Median[hod], p.MAD[hod] = medianMAD(v)
			p.Known[hod] = true
		}
	}
	return p
}

// busyDays tells, for each local day from the day of firstHour, whether
// any of its hours had requests.
func busyDays(hours []int, firstHour int64) []bool {
	firstDay := floorDiv(firstHour, 24)
	busy := make([]bool, floorDiv(firstHour+int64(len(hours))-1, 24)-firstDay+1)
	for i, n := range hours {
		if n > 0 {
			busy[floorDiv(firstHour+int64(i), 24)-firstDay] = true
		}
	}
	return busy
}

// quietRun is a run of consecutive hours or days far below their usual level.
type quietRun struct {
	First, Last int64   // hour or day numbers (local), inclusive
	Requests    int     // requests over the run
	Expected    float64 // the usual requests over the run (sum of medians)
}

// lowHours lists the runs of complete local hours far below the usual level
// for their hour of the day: fewer than half the median, by more than four
// robust standard deviations (1.4826 MAD, at least the Poisson √median),
// where the median is at least 20 requests. When the log holds other
// complete hours at the same hour of the same weekday, the hour must
// also be below half of their median: a site quiet every weekend is not
// quiet each weekend. Hours for which skip returns true are left out.
func lowHours(hours []int, firstHour int64, p hourProfile, skip func(h int64) bool) []quietRun {
	var out []quietRun
	for i := 1; i < len(hours)-1; i++ {
		h := firstHour + int64(i)
		hod := floorMod(h, 24)
		if !p.Known[hod] || !farBelow(float64(hours[i]), p.Median[hod], p.MAD[hod], 20) {
			continue
		}
		if skip != nil && hours[i] == 0 && skip(h) {
			continue
		}
		var same []float64
		for j := i % 168; j < len(hours); j += 168 {
			if j != i && j > 0 && j < len(hours)-1 {
				same = append(same, float64(hours[j]))
			}
		}
		if len(same) >= 1 && float64(hours[i]) >= median(same)/2 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Last == h-1 {
			out[n-1].Last = h
			out[n-1].Requests += hours[i]
			out[n-1].Expected += p.Median[hod]
			continue
		}
		out = append(out, quietRun{First: h, Last: h, Requests: hours[i], Expected: p.Median[hod]})
	}
	return out
}

// farBelow is the test of a quiet hour or day: below half the median, by
// more than four robust standard deviations, on a median of at least floor.
func farBelow(v, med, mad, floor float64) bool {
	if med < floor || v >= med/2 {
		return false
	}
	sigma := math.Max(1.4826*mad, math.Sqrt(med))
	return med-v > 4*sigma
}

// dayLevels is the outcome of lowDays.
type dayLevels struct {
	Median float64    // requests on the median complete day
	Days   int        // complete days
	Low    []quietRun // runs of days far below the median
	// DropAfter is the last day at the usual level before every later
	// complete day stayed below half of it; -1 when traffic did not drop off.
	DropAfter int64
	Drop      quietRun // the days since the drop-off
	DropBase  float64  // the median day before the drop-off
}

// lowDays finds the complete days far below the median complete day (the
// test of farBelow, with a median of at least 50 requests; when the log
// holds other days of the same weekday, the day must also be below half of
// their median, so that a site quiet every weekend is not flagged every
// weekend), and a drop-off: the earliest day at the usual level after which
// every complete day (at least two, with at least three before) stayed
// below half the median of the days before it, unless a week or more of
// those days had no requests at all, which says that logs are missing.
//
// days[i] is the count of local day firstDay+i; complete[i] tells whether
// the log covers that whole day.
func lowDays(days []int, firstDay int64, complete []bool) dayLevels {
	res := dayLevels{DropAfter: -1}
	var idx []int // complete days, in order
	var vals []float64
	for i, ok := range complete {
		if ok {
			idx = append(idx, i)
			vals = append(vals, float64(days[i]))
		}
	}
	res.Days = len(idx)
	if len(idx) < minProfileDays {
		return res
	}
	med, mad := medianMAD(vals)
	res.Median = med

	// Drop-off: the earliest split with every later day below half the
	// median before it, and below half the median of its weekday before it.
	// The medians of the prefixes come from one sorted copy that grows a
	// day at a time, and a split is only weighed where the day before it
	// is above every later day (which "every later day below half the
	// base, the day before not" needs): on a log of sixty years of days
	// (a stray record) a median per split, sorted afresh, took minutes.
	sufMax := make([]float64, len(vals)+1)
	sufMax[len(vals)] = math.Inf(-1)
	for j := len(vals) - 1; j >= 0; j-- {
		sufMax[j] = max(vals[j], sufMax[j+1])
	}
	sorted := slices.Clone(vals[:minProfileDays-1])
	slices.Sort(sorted)
	for k := minProfileDays; k <= len(idx)-2; k++ {
		v := vals[k-1]
		at, _ := slices.BinarySearch(sorted, v)
		sorted = slices.Insert(sorted, at, v)
		if v <= sufMax[k] {
			continue // a later day is as busy: no drop here
		}
		base := sortedMedian(sorted)
		if base < 50 || v < base/2 {
			continue // too sparse, or the drop began earlier (a hole in the logs)
		}
		dropped := true
		for j := k; j < len(idx) && dropped; j++ {
			dropped = vals[j] < base/2 && belowWeekday(firstDay, idx[:k], vals[:k], firstDay+int64(idx[j]), vals[j], 1)
		}
		if dropped && zeroRun(vals[k:]) >= 7 {
			break // a week or more with nothing at all: logs missing, not a drop-off
		}
		if dropped {
			res.DropAfter = firstDay + int64(idx[k-1])
			res.DropBase = base
			res.Drop = quietRun{First: firstDay + int64(idx[k]), Last: firstDay + int64(idx[len(idx)-1])}
			for j := k; j < len(idx); j++ {
				res.Drop.Requests += int(vals[j])
				res.Drop.Expected += base
			}
			break
		}
	}

	for j, i := range idx {
		d := firstDay + int64(i)
		if res.DropAfter >= 0 && d > res.DropAfter {
			break // the drop-off says it
		}
		if !farBelow(vals[j], med, mad, 50) || !belowWeekday(firstDay, idx, vals, d, vals[j], 1) {
			continue
		}
		if n := len(res.Low); n > 0 && res.Low[n-1].Last == d-1 {
			res.Low[n-1].Last = d
			res.Low[n-1].Requests += int(vals[j])
			res.Low[n-1].Expected += med
			continue
		}
		res.Low = append(res.Low, quietRun{First: d, Last: d, Requests: int(vals[j]), Expected: med})
	}
	return res
}

// zeroRun is the longest run of zeros in v.
func zeroRun(v []float64) int {
	best, run := 0, 0
	for _, x := range v {
		if x == 0 {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// belowWeekday tells whether v, the count of day d, is below half the median
// of the other days of the same weekday among idx/vals, when there are at
// least need of them; with fewer, it is true.
func belowWeekday(firstDay int64, idx []int, vals []float64, d int64, v float64, need int) bool {
	var same []float64
	for j, i := range idx {
		o := firstDay + int64(i)
		if o != d && floorMod(o-d, 7) == 0 {
			same = append(same, vals[j])
		}
	}
	if len(same) < need {
		return true
	}
	return v < median(same)/2
}

// dayWeekday is the weekday of a day number (days since 1970-01-01, a Thursday).
func dayWeekday(d int64) time.Weekday { return time.Weekday(floorMod(d+4, 7)) }

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// median returns the median of v (the mean of the middle two for an even
// count), as pandas' median; v is not modified.
// sortedMedian is the median of v, sorted.
func sortedMedian(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianMAD returns the median of v and the median absolute deviation from it.
func medianMAD(v []float64) (med, mad float64) {
	med = median(v)
	dev := make([]float64, len(v))
	for i, x := range v {
		dev[i] = math.Abs(x - med)
	}
	return med, median(dev)
}

// usualOver returns the requests the hour-of-day profile expects over the
// UTC minutes [start, end), with local hours read from clock; +Inf when an
// hour of the day involved has no profile.
func (p hourProfile) usualOver(clock *frame.Clock, start, end int64) float64 {
	sum := 0.0
	for m := start; m < end; {
		local := clock.Local(m * 60)
		hod := floorMod(floorDiv(local, 3600), 24)
		step := min(60-floorMod(local, 3600)/60, end-m)
		if !p.Known[hod] {
			return math.Inf(1)
		}
		sum += float64(step) / 60 * p.Median[hod]
		m += step
	}
	return sum
}

// skippedHour tells whether local hour h (hours since the epoch, local wall
// clock) does not exist in loc: the hour a daylight-saving change skips.
func skippedHour(loc *time.Location, h int64) bool {
	t := time.Unix(h*3600, 0).UTC()
	l := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 30, 0, 0, loc)
	return l.Hour() != t.Hour() || l.Day() != t.Day()
}

// collapse is traffic that fell to a small fraction of its rate and did not
// come back before the log ends.
type collapse struct {
	At            int64 // the local hour from which traffic stayed low
	First         int64 // the log's first local hour
	Before, After int   // requests before and from At
	HoursBefore   int
	HoursAfter    int
	RateBefore    float64 // requests an hour
	RateAfter     float64
	ExpectedAfter float64 // requests the hours after would have held at the rate before
}

// Thresholds of findCollapse.
const (
	collapseMinBefore   = 200  // requests before the collapse
	collapseMinHours    = 3    // hours before it
	collapseMinAfter    = 72   // hours after it: longer than a weekend, so that an office's quiet weekend or a night is not taken for it
	collapseMinExpected = 50   // requests the hours after would have held
	collapseMaxShare    = 0.10 // of those that came
	// collapseMinShort is the fewest hours after a collapse told when they
	// are fewer than collapseMinAfter: a whole day, so that a night is not
	// taken for it, with no hour of a Saturday or Sunday, so that a weekend
	// is not either.
	collapseMinShort = 24
)

// hasWeekend tells whether any of the local hours [from, from+n) falls on a
// Saturday or a Sunday.
func hasWeekend(from int64, n int) bool {
	for d := floorDiv(from, 24); d <= floorDiv(from+int64(n)-1, 24); d++ {
		if wd := dayWeekday(d); wd == time.Saturday || wd == time.Sunday {
			return true
		}
	}
	return false
}

// findStart is findCollapse backwards: a log that begins with a trickle
// and then traffic starts. The collapse it returns reads forwards: At is the
// hour traffic began, Before and After (and their hours and rates) are the
// trickle and the traffic since.
func findStart(hours []int, first int64) (collapse, bool) {
	rev := slices.Clone(hours)
	slices.Reverse(rev)
	c, ok := splitRates(rev)
	if !ok || c.HoursAfter < collapseMinAfter && hasWeekend(first, c.HoursAfter) {
		return collapse{}, false
	}
	return collapse{At: first + int64(c.HoursAfter), First: first,
		Before: c.After, After: c.Before, HoursBefore: c.HoursAfter, HoursAfter: c.HoursBefore,
		RateBefore: c.RateAfter, RateAfter: c.RateBefore}, true
}

// findCollapse looks, in hourly counts (hours[i] is local hour first+i,
// from the first record's hour to the last's), for the one change of rate
// that best explains them (the split with the highest Poisson likelihood
// of two rates), and reports it when the rate after is at most a tenth of
// the rate before for at least three days (longer than a weekend) to the
// end of the log, or for at least a day none of whose hours falls on a
// weekend (a collapse less than three days before the end), the hours after would have held at least 50 requests at
// the rate before, and the hour before the split was still near that rate
// (so that the split is the fall, not a point inside a slow decline). It
// finds what a notebook's analyst sees in a log that ends after its
// traffic stopped, however short the log: there is no usual day to
// compare with, only the rate before.
func findCollapse(hours []int, first int64) (collapse, bool) {
	c, ok := splitRates(hours)
	if !ok || c.HoursAfter < collapseMinAfter && hasWeekend(first+c.At, c.HoursAfter) {
		return collapse{}, false
	}
	c.At += first
	c.First = first
	return c, true
}

// splitRates is findCollapse on hours numbered from 0, without the weekend
// check (which needs the calendar).
func splitRates(hours []int) (collapse, bool) {
	n := len(hours)
	total := 0
	for _, h := range hours {
		total += h
	}
	xlogx := func(x, d float64) float64 {
		if x == 0 {
			return 0
		}
		return x * math.Log(x/d)
	}
	best, bestK, before := math.Inf(-1), -1, 0
	for k := 1; k < n; k++ {
		before += hours[k-1]
		after := total - before
		ll := xlogx(float64(before), float64(k)) + xlogx(float64(after), float64(n-k))
		if ll > best {
			best, bestK = ll, k
		}
	}
	if bestK < collapseMinHours || n-bestK < collapseMinShort {
		return collapse{}, false
	}
	c := collapse{At: int64(bestK), HoursBefore: bestK, HoursAfter: n - bestK}
	for i, h := range hours {
		if i < bestK {
			c.Before += h
		} else {
			c.After += h
		}
	}
	c.RateBefore = float64(c.Before) / float64(c.HoursBefore)
	c.RateAfter = float64(c.After) / float64(c.HoursAfter)
	c.ExpectedAfter = c.RateBefore * float64(c.HoursAfter)
	if c.Before < collapseMinBefore || c.ExpectedAfter < collapseMinExpected ||
		float64(c.After) > collapseMaxShare*c.ExpectedAfter || float64(hours[bestK-1]) < c.RateBefore/4 {
		return collapse{}, false
	}
	// No day after held a quarter of a day at the rate before: traffic
	// that came back for a day (another log, years later) did come back.
	for a := bestK; a < n; a += 24 {
		day := 0
		for _, h := range hours[a:min(a+24, n)] {
			day += h
		}
		if float64(day) >= 6*c.RateBefore {
			return collapse{}, false
		}
	}
	return c, true
}
