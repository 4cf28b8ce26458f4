package analysis

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

func runSizes(t testing.TB, recs []uaRec, params map[string]string) *Section {
	t.Helper()
	s, err := configured(t, "sizes", params).Run(context.Background(), &Input{Frame: uaFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sizeRecs: .1 two requests of 100 and 300 bytes, .2 one of 1000, .3 three
// "-" sizes (0 bytes each), .4 one of 500.
var sizeRecs = []uaRec{
	{"192.0.2.1", "/", "", 100},
	{"192.0.2.2", "/", "", 1000},
	{"192.0.2.3", "/", "", 0},
	{"192.0.2.1", "/", "", 300},
	{"192.0.2.3", "/", "", 0},
	{"192.0.2.4", "/", "", 500},
	{"192.0.2.3", "/", "", 0},
}

// TestSizeByIP checks size_by_ip against the notebook's pandas by hand: the
// means are 200, 1000, 0 and 500; their mean is 425 and their sample
// variance (−225² + 575² + −425² + 75²)/3 = 567500/3.
func TestSizeByIP(t *testing.T) {
	s := runSizes(t, sizeRecs, nil)
	tab := tableByID(s, "size_by_ip")
	var cols []string
	for _, c := range tab.Columns {
		cols = append(cols, c.Name)
	}
	if fmt.Sprint(cols) != "[ip average_request_size zscore_request_size num_requests]" {
		t.Fatalf("columns = %v", cols)
	}
	std := math.Sqrt(567500.0 / 3)
	want := [][]any{
		{"192.0.2.1", 200.0, -225 / std, 2},
		{"192.0.2.2", 1000.0, 575 / std, 1},
		{"192.0.2.3", 0.0, -425 / std, 3},
		{"192.0.2.4", 500.0, 75 / std, 1},
	}
	if len(tab.Rows) != len(want) {
		t.Fatalf("rows = %v", tab.Rows)
	}
	for i, w := range want {
		g := tab.Rows[i]
		if g[0] != w[0] || g[1] != w[1] || g[3] != w[3] || math.Abs(g[2].(float64)-w[2].(float64)) > 1e-12 {
			t.Errorf("row %d = %v, want %v", i, g, w)
		}
	}
	if tableByID(s, "size_outliers") != nil {
		t.Error("outliers at |z| ≥ 3 where the largest |z| is 1.32")
	}
	if !strings.Contains(strings.Join(s.Conclusions, " "), "No IP's mean size is 3 or more standard deviations from the others.") {
		t.Errorf("conclusions = %q", s.Conclusions)
	}
	// With the threshold at 1, only .2 (z = 1.32) is beyond it.
	s = runSizes(t, sizeRecs, map[string]string{"z": "1"})
	out := rows(tableByID(s, "size_outliers"))
	if len(out) != 1 || out[0][0] != "192.0.2.2" || out[0][3] != 1 || out[0][4] != 1000.0 {
		t.Errorf("size_outliers at 1 = %v", out)
	}
	if f := findingByID(s, "size_outliers"); f == nil || f.Value != 1 || f.Severity != SevNotice {
		t.Errorf("finding = %+v", f)
	}
}

// TestSizeUndefinedZ: one IP, or IPs with equal means, have no z-score
// (pandas gives NaN; the table holds nil), and nothing is called an outlier.
func TestSizeUndefinedZ(t *testing.T) {
	for name, recs := range map[string][]uaRec{
		"one IP":      {{"192.0.2.1", "/", "", 10}, {"192.0.2.1", "/", "", 30}},
		"equal means": {{"192.0.2.1", "/", "", 10}, {"192.0.2.2", "/", "", 10}, {"192.0.2.3", "/", "", 5}, {"192.0.2.3", "/", "", 15}},
	} {
		s := runSizes(t, recs, nil)
		for _, r := range tableByID(s, "size_by_ip").Rows {
			if r[2] != nil {
				t.Errorf("%s: z-score %v, want nil", name, r[2])
			}
		}
		if tableByID(s, "size_outliers") != nil || findingByID(s, "size_outliers") != nil {
			t.Errorf("%s: outliers without a z-score", name)
		}
		for _, c := range s.Conclusions {
			if strings.Contains(c, "standard deviation") {
				t.Errorf("%s: %q speaks of a deviation that is undefined or 0", name, c)
			}
		}
	}
}

// TestSizeOutlierKinds: twenty IPs averaging 1,000 bytes, one that made a
// single 10 MB request and one that made 150 requests of 3 MB: the
// sentence tells the one-off download from the heavy client.
func TestSizeOutlierKinds(t *testing.T) {
	var recs []uaRec
	for i := range 40 {
		recs = append(recs, uaRec{fmt.Sprintf("198.51.100.%d", i), "/", "", 1000})
	}
	recs = append(recs, uaRec{"203.0.113.9", "/big.iso", "", 10_000_000})
	for range 150 {
		recs = append(recs, uaRec{"203.0.113.7", "/api", "", 3_000_000})
	}
	s := runSizes(t, recs, nil)
	out := rows(tableByID(s, "size_outliers"))
	if len(out) != 1 || out[0][0] != "203.0.113.9" {
		t.Fatalf("size_outliers = %v", out)
	}
	text := strings.Join(s.Conclusions, " ")
	if !strings.Contains(text, "`203.0.113.9` (mean 9.5 MiB, z = ") || !strings.Contains(text, "in a single request, a one-off large download") {
		t.Errorf("conclusions = %s", text)
	}
	// The heavy client got the most bytes: 150 × 3,000,000 = 450,000,000.
	if !strings.Contains(text, "The most bytes went to `203.0.113.7`: 429.2 MiB over 150 requests") {
		t.Errorf("conclusions = %s", text)
	}
	// It is below the z threshold, and named for what makes it stand out.
	wantConclusions(t, s, "Its mean response size, 2.9 MiB (z = ", "), is below the threshold: it is heavy because it made the most requests of any IP, not because each answer was large.")
	// With the threshold lowered, the heavy client is listed and named so.
	s = runSizes(t, recs, map[string]string{"z": "1"})
	if text := strings.Join(s.Conclusions, " "); !strings.Contains(text, "2 IPs are beyond |z| ≥ 1") || !strings.Contains(text, "over 150 requests, a heavy client") {
		t.Errorf("conclusions at 1 = %s", text)
	}
}

// TestSizeClaimsFewRequests: forty ordinary IPs, five one-off downloads
// and a client with a large mean over only two requests. The one-off
// downloads are counted, not listed one by one; the two-request client is
// named with the caveat that two requests are too few.
func TestSizeClaimsFewRequests(t *testing.T) {
	var recs []uaRec
	for i := range 200 {
		ip := fmt.Sprintf("198.51.%d.%d", i/100, i%100)
		recs = append(recs, uaRec{ip, "/", "", 1000}, uaRec{ip, "/a", "", 1200})
	}
	for i := range 5 {
		recs = append(recs, uaRec{fmt.Sprintf("203.0.113.%d", i+1), "/big.iso", "", float64(5_000_000 + 1000*i)})
	}
	recs = append(recs, uaRec{"192.0.2.77", "/export", "", 4_000_000}, uaRec{"192.0.2.77", "/export", "", 4_000_000})
	s := runSizes(t, recs, nil)
	wantConclusions(t, s,
		"6 IPs are beyond |z| ≥ 3. 5 made a single request each (one-off large downloads, the largest `203.0.113.5`: 4.8 MiB, z = ",
		"the one with more requests is `192.0.2.77` (mean 3.8 MiB, z = ",
		", over only 2 requests). A mean over fewer than 5 requests says little about a client's habit.",
	)
	// 2 requests, as many as most IPs made: not "the most requests".
	noConclusion(t, s, "`203.0.113.1`", "`203.0.113.2`", "most requests of any IP")

	// Below the threshold, the furthest IP is still named.
	s = runSizes(t, append(slices.Clone(recs[:6]), recs[400]), nil)
	wantConclusions(t, s, "No IP's mean size is 3 or more standard deviations from the others. The furthest is `203.0.113.1` (mean 4.8 MiB, z = 1.5, in a single request).")
}

// TestSizesStateExact: the per-IP byte sums of the mergeable state are
// exact, so that neither the order of rows nor that of merges changes
// them: 2^53 + 1 + 1 as floats in that order is 2^53, exactly 2^53 + 2;
// two sizes of 2^63 sum past 64 bits; sizes that are no whole bytes sum
// the same in any order; a chunk without sizes counts its rows as 0 bytes.
func TestSizesStateExact(t *testing.T) {
	ctx := context.Background()
	withBytes := func(recs []uaRec) *frame.Frame { return uaFrame(recs) }
	noBytes := func(ips ...string) *frame.Frame {
		var b frame.Builder
		b.Begin(frame.Cols(frame.IP))
		var r frame.Row
		for _, ip := range ips {
			r.Reset()
			r.Str[frame.IP] = []byte(ip)
			b.Add(&r)
		}
		return b.Frame()
	}
	chunks := []*frame.Frame{
		withBytes([]uaRec{{"x", "/", "", 0x1p53}, {"y", "/", "", 0.1}, {"w", "/", "", 0x1p63}}),
		withBytes([]uaRec{{"x", "/", "", 1}, {"y", "/", "", 0.2}, {"w", "/", "", 0x1p63}}),
		withBytes([]uaRec{{"x", "/", "", 1}, {"y", "/", "", 0.3}, {"y", "/", "", 1e16}}),
		noBytes("x", "y"),
	}
	a := configured(t, "sizes", nil).(Partial)
	var yTotal float64
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}} {
		st := a.NewState(&Input{Loc: time.UTC}).(*sizesState)
		for _, c := range order {
			part := a.NewState(&Input{Loc: time.UTC})
			if err := part.Add(ctx, chunks[c]); err != nil {
				t.Fatal(err)
			}
			if err := st.Merge(part); err != nil {
				t.Fatal(err)
			}
		}
		at := func(ip string) sizeAcc {
			acc, ok := st.IPs.Get(ip)
			if !ok {
				t.Fatalf("order %v: no %s in %v", order, ip, st.IPs.Keys)
			}
			return acc
		}
		if x := at("x"); x.N != 4 || x.total() != 0x1p53+2 {
			t.Errorf("order %v: x = %d requests, %v bytes, want 4 and 2^53+2", order, x.N, x.total())
		}
		if w := at("w"); w.N != 2 || w.total() != 0x1p64 {
			t.Errorf("order %v: w = %d requests, %v bytes, want 2 and 2^64", order, w.N, w.total())
		}
		y := at("y")
		if y.N != 5 {
			t.Errorf("order %v: y = %d requests, want 5", order, y.N)
		}
		if yTotal == 0 {
			yTotal = y.total()
		} else if y.total() != yTotal {
			t.Errorf("order %v: y = %v bytes, another order gave %v", order, y.total(), yTotal)
		}
	}
	if math.Abs(yTotal-(1e16+0.6)) > 2 {
		t.Errorf("y = %v bytes, want about 1e16", yTotal)
	}
}

// TestSortedKeysPush: keys pushed chunk by chunk (some repeated across
// chunks, chunks of every size) and settled are the keys merged chunk by
// chunk, with the same sums, and the pushed runs are kept few.
func TestSortedKeysPush(t *testing.T) {
	var pushed, merged SortedKeys[int]
	most := 0
	for k := range 40 {
		size := 1 + (k*37)%23*(1+k%3)*50
		set := map[string]int{}
		for i := range size {
			set[fmt.Sprintf("key%06d", (i*7+k*131)%5000)] += 1 + k
		}
		var chunk SortedKeys[int]
		for _, key := range slices.Sorted(maps.Keys(set)) {
			chunk.Keys, chunk.Vals = append(chunk.Keys, key), append(chunk.Vals, set[key])
		}
		copyOf := SortedKeys[int]{Keys: slices.Clone(chunk.Keys), Vals: slices.Clone(chunk.Vals)}
		merged.Merge(copyOf, addCount)
		pushed.Push(chunk, addCount)
		most = max(most, len(pushed.runs))
	}
	if most > 12 {
		t.Errorf("%d runs pending at once for 40 chunks", most)
	}
	pushed.Settle(addCount)
	if !slices.Equal(pushed.Keys, merged.Keys) || !slices.Equal(pushed.Vals, merged.Vals) {
		t.Fatalf("settled: %d keys, want %d (or other sums)", len(pushed.Keys), len(merged.Keys))
	}
	if len(pushed.runs) != 0 {
		t.Errorf("%d runs left after Settle", len(pushed.runs))
	}
}

// TestSizesWholeAsMerged: a run over one frame, which keeps its sums by IP
// code and names only the rows shown (sizesWhole), gives the section that
// the frame's chunks added and merged give, down to the order of ties:
// IPs of equal means, totals and |z| (ranked by IP as shown, "" with "-"),
// and sums past 2^64 and sizes that are no whole bytes.
func TestSizesWholeAsMerged(t *testing.T) {
	ctx := context.Background()
	var ties []uaRec
	for i := range 40 {
		ties = append(ties, uaRec{fmt.Sprintf("198.51.100.%d", i), "/", "", 100})
	}
	// Outliers that tie: one request of a megabyte each, and two IPs of
	// two requests each with the same total.
	for _, ip := range []string{"203.0.113.9", "203.0.113.10", "-", "", "203.0.113.2"} {
		ties = append(ties, uaRec{ip, "/", "", 1 << 20})
	}
	for _, ip := range []string{"192.0.2.20", "192.0.2.3"} {
		ties = append(ties, uaRec{ip, "/", "", 1 << 19}, uaRec{ip, "/", "", 1 << 19})
	}
	odd := []uaRec{{"192.0.2.64", "/", "", 0x1p63}, {"192.0.2.64", "/", "", 0x1p63}, {"192.0.2.1", "/", "", 0x1p63},
		{"192.0.2.7", "/", "", 0.5}, {"192.0.2.7", "/", "", 2.25}, {"192.0.2.8", "/", "", 7}}
	// The sums by code themselves: a carry past 2^64 within the frame.
	wst := configured(t, "sizes", nil).(Partial).NewState(&Input{Loc: time.UTC}).(*sizesState)
	if err := wst.addWhole(ctx, uaFrame(odd)); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	each, n := wst.rows()
	each(func(key, _ uint32, acc sizeAcc) { got[wst.ipName(ipSize{key: key})] = acc.total() })
	if want := map[string]float64{"192.0.2.64": 0x1p64, "192.0.2.1": 0x1p63, "192.0.2.7": 2.75, "192.0.2.8": 7}; n != 4 || !maps.Equal(got, want) {
		t.Errorf("whole sums = %v (%d IPs), want %v", got, n, want)
	}
	for name, recs := range map[string][]uaRec{"ties": ties, "odd sizes": odd} {
		f := uaFrame(recs)
		for _, params := range []map[string]string{nil, {"z": "0.1", "top": "3"}} {
			a := configured(t, "sizes", params).(Partial)
			in := &Input{Frame: f, Loc: time.UTC, MaxRows: 6}
			whole, err := a.Run(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			st := a.NewState(in)
			for _, keep := range [][2]int{{0, f.Len() / 3}, {f.Len() / 3, f.Len()}} {
				sub := make([]bool, f.Len())
				for i := keep[0]; i < keep[1]; i++ {
					sub[i] = true
				}
				part := a.NewState(in)
				if err := part.Add(ctx, f.Subset(sub)); err != nil {
					t.Fatal(err)
				}
				if err := st.Merge(part); err != nil {
					t.Fatal(err)
				}
			}
			merged, err := st.Finish(ctx, &Input{Loc: time.UTC, MaxRows: 6})
			if err != nil {
				t.Fatal(err)
			}
			w, m := mustJSON(t, whole), mustJSON(t, merged)
			if w != m {
				t.Errorf("%s, params %v: the whole frame's section differs from the merged chunks':\n%s\n%s", name, params, w, m)
			}
			if name == "ties" && params != nil && (!strings.Contains(w, "203.0.113.10") || !strings.Contains(w, "192.0.2.20")) {
				t.Errorf("params %v: the tied outliers are not shown: %s", params, w)
			}
		}
	}
}
