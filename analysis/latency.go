package analysis

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "latency",
		Title: "Response times",
		Doc:   "Percentiles (p50, p90, p99) of the time taken to serve requests, of the time to first byte and of the backend's time behind a proxy or load balancer, wherever the logs carry them.",
		Order: 850,
		Cost:  20, // ms per million rows
		Needs: frame.Cols(frame.TimeTaken),
		New:   func() Analysis { return latency{} },
	})
}

type latency struct{}

var _ Partial = latency{}

// quantiles returns the q-quantiles of the non-NaN values of xs the way
// pandas' Series.quantile does by default (linear interpolation between
// the two nearest ranks), with the count, mean and maximum. xs is not
// changed.
//
// It does not sort a copy of xs: a first pass counts the values per bucket
// of their order-preserving bit pattern (sign, exponent and the first four
// bits of the mantissa), which tells in which bucket each wanted rank
// falls; a second pass collects only those buckets' values, and a
// selection within them finds the ranks exactly. Durations spread over
// many buckets, so this holds a small fraction of the column.
func quantiles(xs []float64, qs ...float64) (out []float64, n int, mean, maxV float64) {
	const shift = 48
	hist := make([]int32, 1<<(64-shift))
	var sum float64
	maxV = math.Inf(-1)
	for _, x := range xs {
		if x != x { // NaN
			continue
		}
		hist[orderKey(x)>>shift]++
		sum += x
		maxV = max(maxV, x)
		n++
	}
	out = make([]float64, len(qs))
	if n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out, 0, math.NaN(), math.NaN()
	}
	// The ranks wanted: lo and lo+1 of each quantile.
	type want struct {
		rank   int
		bucket int
		value  float64
	}
	var wants []want
	for _, q := range qs {
		lo := int(math.Floor(q * float64(n-1)))
		wants = append(wants, want{rank: min(lo, n-1)}, want{rank: min(lo+1, n-1)})
	}
	// Which bucket holds each rank, and where that bucket starts.
	start := map[int]int{} // bucket → rank of its first value
	for i := range wants {
		r, below := wants[i].rank, 0
		for b, c := range hist {
			if r < below+int(c) {
				wants[i].bucket = b
				start[b] = below
				break
			}
			below += int(c)
		}
	}
	vals := map[int][]float64{}
	for b := range start {
		vals[b] = make([]float64, 0, hist[b])
	}
	for _, x := range xs {
		if x != x {
			continue
		}
		if v, ok := vals[int(orderKey(x)>>shift)]; ok {
			vals[int(orderKey(x)>>shift)] = append(v, x)
		}
	}
	for i := range wants {
		w := &wants[i]
		w.value = selectKth(vals[w.bucket], w.rank-start[w.bucket])
	}
	for i, q := range qs {
		pos := q * float64(n-1)
		a, b := wants[2*i].value, wants[2*i+1].value
		out[i] = a + (b-a)*(pos-math.Floor(pos))
	}
	return out, n, sum / float64(n), maxV
}

// orderKey maps a float64 to a uint64 in the same order: positive values
// get the sign bit set, negative ones are inverted.
func orderKey(x float64) uint64 {
	b := math.Float64bits(x)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// selectKth reorders v so that v[k] is the value a sort would put there,
// with no larger value before it and no smaller one after it, and returns
// it: quickselect, linear on average, where a sort of a million durations
// would cost ten times as much.
func selectKth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		// Median of three as the pivot.
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// secondsText formats seconds for a sentence: 0.0123 → "12.3 ms".
func secondsText(sec float64) string {
	switch {
	case math.IsNaN(sec):
		return "n/a"
	case math.Abs(sec) < 1:
		return Decimal(sec*1000, 1) + " ms"
	}
	return Decimal(sec, 2) + " s"
}

// latencyMetrics are the duration columns the section reads, in the order
// of its table.
var latencyMetrics = []struct {
	name string
	col  frame.NumCol
}{{"time_taken", frame.TimeTaken}, {"time_to_first_byte", frame.TTFB}, {"upstream_time", frame.UpstreamTime}}

func (l latency) Run(ctx context.Context, in *Input) (*Section, error) { return runPartial(ctx, l, in) }

// latencyState holds the exact distribution of each duration column, how
// many records hold each value, and the rows read: counts add without
// loss, and the percentiles, mean and maximum of the sorted distinct
// values with their counts are those of the column. Durations are logged
// in whole milliseconds (or microseconds), so the distinct values stay few
// (a few thousand for the slowest requests of a week): if a log ever wrote
// durations at a resolution where they explode, this is where a bounded
// sketch (a t-digest, with its rank error stated) would replace them.
type latencyState struct {
	Rows   int
	Values []ValueCounts // per latencyMetrics; NaN (no duration) left out

	scratch floatTable // Add's, per chunk and column
}

func (latency) NewState(*Input) State {
	st := &latencyState{Values: make([]ValueCounts, len(latencyMetrics))}
	for i := range st.Values {
		st.Values[i] = ValueCounts{}
	}
	return st
}

func (st *latencyState) Add(_ context.Context, f *frame.Frame) error {
	st.Rows += f.Len()
	for i, m := range latencyMetrics {
		if xs := f.Num(m.col); xs != nil {
			st.addDurations(st.Values[i], xs)
		}
	}
	return nil
}

// addDurations counts the values of xs but NaN into vc, first in the
// state's scratch table (an open-addressed table by the values' bits,
// several times faster per row than the map), then once per distinct
// value into vc. -0 counts as 0: the map would keep whichever zero came
// first.
func (st *latencyState) addDurations(vc ValueCounts, xs []float64) {
	st.scratch.reset()
	for _, x := range xs {
		switch {
		case x != x:
			continue
		case x == 0:
			x = 0
		}
		st.scratch.add(x)
	}
	st.scratch.flush(vc)
}

func (st *latencyState) Merge(other State) error {
	o, err := mergeAs[*latencyState](other)
	if err != nil {
		return err
	}
	st.Rows += o.Rows
	for i := range st.Values {
		if i < len(o.Values) {
			st.Values[i].Merge(o.Values[i])
		}
	}
	return nil
}

// quantilesOf is quantiles on the distribution of vc: the same
// interpolation between the same ranks, read from the sorted distinct
// values and their counts; the mean is the exact sum divided by the count,
// rounded once (quantiles rounds its sum at every addition, in the order of
// the rows, which a merge cannot follow).
func quantilesOf(vc ValueCounts, qs ...float64) (out []float64, n int, mean, maxV float64) {
	xs, ns := vc.Sorted()
	for _, c := range ns {
		n += c
	}
	out = make([]float64, len(qs))
	if n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out, 0, math.NaN(), math.NaN()
	}
	// at returns the value of rank r (from 0) in the sorted column.
	at := func(r int) float64 {
		for i, c := range ns {
			if r < c {
				return xs[i]
			}
			r -= c
		}
		return xs[len(xs)-1]
	}
	for i, q := range qs {
		pos := q * float64(n-1)
		lo := int(math.Floor(pos))
		a, b := at(min(lo, n-1)), at(min(lo+1, n-1))
		out[i] = a + (b-a)*(pos-math.Floor(pos))
	}
	var sum ExactSum
	for i, x := range xs {
		sum.AddN(x, ns[i])
	}
	return out, n, sum.Mean(n), xs[len(xs)-1]
}

func (st *latencyState) Finish(_ context.Context, in *Input) (*Section, error) {
	s := &Section{}
	t := NewTable("latency_percentiles", "Response time percentiles, seconds",
		Column{"metric", Text}, Column{"p50", Seconds}, Column{"p90", Seconds}, Column{"p99", Seconds},
		Column{"mean", Seconds}, Column{"max", Seconds}, Column{"requests", Integer})
	t.Index = 0
	type result struct {
		name           string
		p              []float64
		n              int
		mean, maxValue float64
	}
	var res []result
	for i, m := range latencyMetrics {
		p, n, mean, mx := quantilesOf(st.Values[i], 0.5, 0.9, 0.99)
		if n == 0 {
			continue
		}
		t.Add(m.name, p[0], p[1], p[2], mean, mx, n)
		res = append(res, result{m.name, p, n, mean, mx})
	}
	if len(res) == 0 {
		s.Skipped = "skipped: no record carries a duration (the time-taken column is empty)"
		return s, nil
	}
	s.Prose("How long did the server take? Percentiles of the time taken per request (and, where the logs have them, of the time to the first byte and of the time the backend behind a proxy or load balancer took), in seconds, interpolated between ranks as pandas' `quantile` does. Records without a duration are left out.")
	cols := make([]string, len(res))
	for i, r := range res {
		cols[i] = strconv.Quote(r.name)
	}
	s.Compute(fmt.Sprintf(`requests[[%s]].describe(percentiles=[.5, .9, .99])`, strings.Join(cols, ", ")), Output{Table: t})
	// A percentile is worth stating only over enough requests that it
	// is close to a rank: p90 from 20 requests, p99 from 100 (below that,
	// "99% took at most" would be an interpolation between the two
	// slowest, not true of 99% of them).
	tt := res[0]
	if tt.name == "time_taken" {
		msg := fmt.Sprintf("Half of the %s took %s or less", Count(tt.n, "timed request"), secondsText(tt.p[0]))
		switch {
		case tt.n >= 100:
			msg += fmt.Sprintf("; 90%% took at most %s and 99%% at most %s", secondsText(tt.p[1]), secondsText(tt.p[2]))
		case tt.n >= 20:
			msg += fmt.Sprintf("; 90%% took at most %s", secondsText(tt.p[1]))
		}
		msg += fmt.Sprintf(". The slowest took %s.", secondsText(tt.maxValue))
		if tt.n == 1 {
			msg = fmt.Sprintf("The one timed request took %s.", secondsText(tt.maxValue))
		}
		s.Conclude(msg)
		if tt.n < st.Rows {
			s.Conclude(fmt.Sprintf("%s carried no duration.", Count(st.Rows-tt.n, "request")))
		}
		if tt.n >= 100 && tt.p[0] > 0 && tt.p[2] > 10*tt.p[0] {
			s.Conclude(fmt.Sprintf("The tail is long: p99 is %s times the median.", Decimal(tt.p[2]/tt.p[0], 1)))
		}
		if tt.n >= 100 {
			s.Find("latency_p99", SevInfo, tt.p[2], fmt.Sprintf("99%% of requests were served in %s or less (median %s).", secondsText(tt.p[2]), secondsText(tt.p[0])))
		} else {
			s.Find("latency_p99", SevInfo, tt.p[2], fmt.Sprintf("Half of the %s were served in %s or less; the slowest took %s (too few for a p99).",
				Count(tt.n, "timed request"), secondsText(tt.p[0]), secondsText(tt.maxValue)))
		}
	}
	tail := func(r result) string {
		if r.n >= 100 {
			return fmt.Sprintf(" and %s at p99", secondsText(r.p[2]))
		}
		return fmt.Sprintf(" and %s at the most", secondsText(r.maxValue))
	}
	for _, r := range res {
		switch r.name {
		case "time_to_first_byte":
			s.Conclude(fmt.Sprintf("The first byte left after %s at the median%s.", secondsText(r.p[0]), tail(r)))
		case "upstream_time":
			s.Conclude(fmt.Sprintf("The backend took %s at the median%s (%s carried a backend time).",
				secondsText(r.p[0]), tail(r), Count(r.n, "request")))
		}
	}
	return s, nil
}
