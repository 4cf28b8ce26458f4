package analysis

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// TestQuantilesLikePandas: pd.Series([1, 2, 3, 4, 10, None]).quantile(q)
// interpolates linearly between ranks and ignores the missing value:
// q=0.5 → 3; q=0.9 → 4 + 0.6·6 = 7.6; q=0.99 → 4 + 0.96·6 = 9.76.
func TestQuantilesLikePandas(t *testing.T) {
	xs := []float64{10, 2, nan, 4, 1, 3}
	q, n, mean, mx := quantiles(xs, 0.5, 0.9, 0.99, 0, 1)
	want := []float64{3, 7.6, 9.76, 1, 10}
	for i := range want {
		if math.Abs(q[i]-want[i]) > 1e-12 {
			t.Errorf("quantile %d = %v, want %v", i, q[i], want[i])
		}
	}
	if n != 5 || mean != 4 || mx != 10 {
		t.Errorf("n, mean, max = %d, %v, %v", n, mean, mx)
	}
	if xs[0] != 10 || !math.IsNaN(xs[2]) {
		t.Error("quantiles changed its input")
	}
	if q, _, _, _ := quantiles([]float64{7}, 0.5, 0.99); q[0] != 7 || q[1] != 7 {
		t.Errorf("one value: %v", q)
	}
}

func TestLatencySection(t *testing.T) {
	s, err := latency{}.Run(context.Background(), &Input{Frame: edgeFrame(edgeRecs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	got := rows(tableByID(s, "latency_percentiles"))
	if len(got) != 2 || got[0][0] != "time_taken" || got[1][0] != "time_to_first_byte" {
		t.Fatalf("latency_percentiles = %v", got)
	}
	// time_taken 0.001 0.002 0.003 0.004 0.010: p50 0.003, p90 0.004+0.6·0.006.
	if p50, p90, n := got[0][1].(float64), got[0][2].(float64), got[0][6]; math.Abs(p50-0.003) > 1e-15 || math.Abs(p90-0.0076) > 1e-15 || n != 5 {
		t.Errorf("time_taken row = %v", got[0])
	}
	text := strings.Join(s.Conclusions, "\n")
	// Five requests: no p90 or p99 claimed, the slowest named.
	for _, w := range []string{"Half of the 5 timed requests took 3 ms or less. The slowest took 10 ms.", "1 request carried no duration.",
		"The first byte left after 2 ms at the median and 8 ms at the most."} {
		if !strings.Contains(text, w) {
			t.Errorf("conclusions lack %q:\n%s", w, text)
		}
	}

	// No duration at all: skipped with a reason.
	s, err = latency{}.Run(context.Background(), &Input{Frame: edgeFrame(edgeRecs[5:]), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Skipped, "skipped: no record carries a duration") {
		t.Errorf("skipped = %q", s.Skipped)
	}
}

// TestSelectKthMatchesSort checks quickselect against a sort on values with
// many ties and on sorted and reversed input.
func TestSelectKthMatchesSort(t *testing.T) {
	inputs := [][]float64{{5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}, {1, 1, 1, 1}, {1, 2, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1}, {0.3}}
	var big []float64
	for i := range 1000 {
		big = append(big, float64((i*7919)%101)/10)
	}
	inputs = append(inputs, big)
	for _, in := range inputs {
		sorted := append([]float64(nil), in...)
		slices.Sort(sorted)
		for k := range in {
			v := append([]float64(nil), in...)
			if got := selectKth(v, k); got != sorted[k] {
				t.Fatalf("selectKth(%v, %d) = %v, want %v", in, k, got, sorted[k])
			}
			for i := range k {
				if v[i] > v[k] {
					t.Fatalf("a larger value before k: %v", v)
				}
			}
		}
	}
}

// TestQuantilesMatchSort compares the bucketed quantiles with a sort of the
// values for spread, tied, negative and single-bucket data.
func TestQuantilesMatchSort(t *testing.T) {
	rnd := func(seed uint64) func() float64 {
		x := seed
		return func() float64 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			return float64(x%1_000_000) / 1e6
		}
	}
	r := rnd(42)
	cases := map[string][]float64{}
	for name, gen := range map[string]func(i int) float64{
		"spread":   func(int) float64 { return r() * r() * 30 },
		"ties":     func(i int) float64 { return float64(i%7) / 1000 },
		"negative": func(int) float64 { return r() - 0.5 },
		"narrow":   func(int) float64 { return 1 + r()/1e9 },
		"zeros":    func(int) float64 { return 0 },
	} {
		xs := make([]float64, 5001)
		for i := range xs {
			xs[i] = gen(i)
		}
		xs[17] = nan
		cases[name] = xs
	}
	qs := []float64{0, 0.01, 0.5, 0.9, 0.99, 0.999, 1}
	for name, xs := range cases {
		got, n, _, _ := quantiles(xs, qs...)
		var v []float64
		for _, x := range xs {
			if !math.IsNaN(x) {
				v = append(v, x)
			}
		}
		slices.Sort(v)
		if n != len(v) {
			t.Fatalf("%s: n = %d, want %d", name, n, len(v))
		}
		for i, q := range qs {
			pos := q * float64(len(v)-1)
			lo := int(math.Floor(pos))
			want := v[lo]
			if lo+1 < len(v) {
				want += (v[lo+1] - v[lo]) * (pos - float64(lo))
			}
			if got[i] != want {
				t.Errorf("%s: quantile(%v) = %v, want %v", name, q, got[i], want)
			}
		}
	}
}

// TestLatencyUpstream: a load balancer's or proxy's backend time gets its
// own row and sentence, counted over the records that carry it.
func TestLatencyUpstream(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.TimeTaken, frame.UpstreamTime))
	var r frame.Row
	for i, v := range [][2]float64{{0.010, 0.008}, {0.020, 0.015}, {0.030, math.NaN()}, {0.040, 0.030}, {1.0, 0.9}} {
		r.Reset()
		r.Time = t0 + int64(i)
		r.Num[frame.TimeTaken], r.Num[frame.UpstreamTime] = v[0], v[1]
		b.Add(&r)
	}
	s, err := configured(t, "latency", nil).Run(context.Background(), &Input{Frame: b.Frame(), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	got := rows(tableByID(s, "latency_percentiles"))
	// upstream 0.008 0.015 0.030 0.9: p50 between 0.015 and 0.030.
	if len(got) != 2 || got[1][0] != "upstream_time" || math.Abs(got[1][1].(float64)-0.0225) > 1e-12 || got[1][6] != 4 {
		t.Fatalf("latency_percentiles = %v", got)
	}
	wantConclusions(t, s, "The backend took 22.5 ms at the median and 900 ms at the most (4 requests carried a backend time)")
	noConclusion(t, s, "p99", "90%")
	if f := findingByID(s, "latency_p99"); f == nil || !strings.Contains(f.Message, "too few for a p99") {
		t.Errorf("latency_p99 = %+v", f)
	}
	if !strings.Contains(s.Cells[1].Code, `"time_taken", "upstream_time"`) {
		t.Errorf("code cell %q does not name the columns shown", s.Cells[1].Code)
	}
}

// TestLatencyClaimsPercentiles: from 100 timed requests the sentence gives
// p90 and p99, each true of the data: 90 of the 100 took at most p90.
func TestLatencyClaimsPercentiles(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.TimeTaken))
	var r frame.Row
	for i := range 100 {
		r.Reset()
		r.Time = t0 + int64(i)
		r.Num[frame.TimeTaken] = float64(i+1) / 1000 // 1 ms to 100 ms
		b.Add(&r)
	}
	s, err := configured(t, "latency", nil).Run(context.Background(), &Input{Frame: b.Frame(), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "Half of the 100 timed requests took 50.5 ms or less; 90% took at most 90.1 ms and 99% at most 99 ms. The slowest took 100 ms.")
	if f := findingByID(s, "latency_p99"); f == nil || !strings.HasPrefix(f.Message, "99% of requests were served in 99 ms or less") {
		t.Errorf("latency_p99 = %+v", f)
	}
}
