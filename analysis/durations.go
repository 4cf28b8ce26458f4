package analysis

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "latency",
		Title: "Response times",
		Doc:   "Percentiles (p50, p90, p99) of the time taken to serve requests, and of the time to first byte, wherever the logs carry them.",
		Order: 850,
		Needs: frame.Cols(frame.TimeTaken),
		New:   func() Analysis { return latency{} },
	})
}

type latency struct{}

var _ Analysis = latency{}

// quantiles returns the q-quantiles of the non-NaN values of xs the way
// pandas' Series.quantile does by default (linear interpolation between
// the two nearest ranks), with the count, mean and maximum. xs is not
// changed.
func quantiles(xs []float64, qs ...float64) (out []float64, n int, mean, maxV float64) {
	v := make([]float64, 0, len(xs))
	var sum float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
			sum += x
		}
	}
	n = len(v)
	out = make([]float64, len(qs))
	if n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out, 0, math.NaN(), math.NaN()
	}
	maxV = slices.Max(v)
	for i, q := range qs {
		pos := q * float64(n-1)
		lo := int(math.Floor(pos))
		if lo >= n-1 {
			out[i] = maxV
			continue
		}
		// v[lo] is the lo-th smallest once selected, and everything
		// after it is at least as large: the next rank is their minimum.
		a := selectKth(v, lo)
		b := slices.Min(v[lo+1:])
		out[i] = a + (b-a)*(pos-float64(lo))
	}
	return out, n, sum / float64(n), maxV
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
		return Float(sec*1000, 1) + " ms"
	}
	return Float(sec, 2) + " s"
}

func (latency) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	s := &Section{}
	metrics := []struct {
		name string
		col  frame.NumCol
	}{{"time_taken", frame.TimeTaken}, {"time_to_first_byte", frame.TTFB}}
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
	for _, m := range metrics {
		xs := f.Num(m.col)
		if xs == nil {
			continue
		}
		p, n, mean, mx := quantiles(xs, 0.5, 0.9, 0.99)
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
	s.Prose("How long did the server take? Percentiles of the time taken per request (and, where the logs have it, of the time to the first byte), in seconds, interpolated between ranks as pandas' `quantile` does. Records without a duration are left out.")
	s.Compute(`requests[["time_taken", "time_to_first_byte"]].describe(percentiles=[.5, .9, .99])`, Output{Table: t})
	tt := res[0]
	if tt.name == "time_taken" {
		s.Conclude(fmt.Sprintf("Half of the %s took %s or less; 90%% took at most %s and 99%% at most %s. The slowest took %s.",
			Count(tt.n, "timed request"), secondsText(tt.p[0]), secondsText(tt.p[1]), secondsText(tt.p[2]), secondsText(tt.maxValue)))
		if tt.n < f.Len() {
			s.Conclude(fmt.Sprintf("%s carried no duration.", Count(f.Len()-tt.n, "request")))
		}
		if tt.p[0] > 0 && tt.p[2] > 10*tt.p[0] {
			s.Conclude(fmt.Sprintf("The tail is long: p99 is %s times the median.", Float(tt.p[2]/tt.p[0], 1)))
		}
		s.Find("latency_p99", SevInfo, tt.p[2], fmt.Sprintf("99%% of requests were served in %s or less (median %s).", secondsText(tt.p[2]), secondsText(tt.p[0])))
	}
	for _, r := range res {
		if r.name == "time_to_first_byte" {
			s.Conclude(fmt.Sprintf("The first byte left after %s at the median and %s at p99.", secondsText(r.p[0]), secondsText(r.p[2])))
		}
	}
	return s, nil
}
