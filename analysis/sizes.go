package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "sizes",
		Title: "Response sizes per client",
		Doc:   "The mean response size per client IP, its z-score across IPs, and the IPs far from the rest.",
		Order: 600,
		Cost:  20, // ms per million rows
		Needs: frame.Cols(frame.IP, frame.Bytes),
		New:   func() Analysis { return &sizes{} },
	})
}

type sizes struct {
	z   float64 // |z-score| from which an IP is an outlier
	top int     // IPs in the plot
}

var (
	_ Configurable = (*sizes)(nil)
	_ Partial      = (*sizes)(nil)
)

func (a *sizes) Params(p *Params) {
	p.Float(&a.z, "z", 3, "the |z-score| from which an IP is listed as an outlier").AtLeast(0).AtMost(1000)
	p.Int(&a.top, "top", 20, "how many IPs the plot shows").AtLeast(1).AtMost(1000)
}

// ipSize is one IP's row of size_by_ip.
type ipSize struct {
	key   uint32 // the IP, for ipName: its index in the state's keys, or its code over a whole frame
	rank  uint32 // its place in the order shown, the same for IPs shown alike ("" and "-")
	n     int
	total float64
	mean  float64
	z     float64 // NaN when the z-score is undefined
}

// sizeByIP gives each IP's mean size its z-score across IPs with the
// sample standard deviation (n−1), as requests.groupby("ip").size.mean()
// and its z-scores. With one IP, or when every mean is equal, the z-score
// is undefined (NaN), as it is in pandas. Rows are sorted by IP as shown
// (an empty IP as "-", after an IP written "-").
//
// It calls fn with each IP's row, in the order of the IPs as shown. The
// rows are listed first, 24 bytes an IP (a million IPs' ipSize rows were
// 48 MB): the z-scores need the mean and deviation of all the means, so
// the IPs are read three times, and over a whole frame each read of them
// in the order shown is a read of their sums at random (sizesWhole, by
// code) when the log's clients came in no order: listed, they are read
// at random once. It returns the number of IPs and the mean and standard
// deviation of their means (meanStd, summed in the same order).
func (st *sizesState) sizeByIP(fn func(r ipSize)) (n int, mean, std float64) {
	type ipRow struct {
		key, rank uint32
		n         int
		total     float64
	}
	each, n := st.rows()
	list := make([]ipRow, 0, n)
	each(func(key, rank uint32, acc sizeAcc) { list = append(list, ipRow{key, rank, acc.N, acc.total()}) })
	mean, std = meanStd(n, func(yield func(float64)) {
		for _, r := range list {
			yield(r.total / float64(r.n))
		}
	})
	for _, x := range list {
		r := ipSize{key: x.key, rank: x.rank, n: x.n, total: x.total}
		r.mean = r.total / float64(r.n)
		r.z = (r.mean - mean) / std
		if std == 0 || math.IsNaN(std) {
			r.z = math.NaN()
		}
		fn(r)
	}
	return n, mean, std
}

// rows returns a walk of the state's IPs in the order shown, an empty IP
// as "-" (SortedKeys.DashOrder, viewDashRanks), each with its key, rank
// and requests and bytes, and the number of IPs.
func (st *sizesState) rows() (each func(fn func(key, rank uint32, acc sizeAcc)), n int) {
	if w := st.whole; w != nil {
		order, ranks := viewDashRanks(&w.ips)
		for _, k := range w.sums.sums { // every code, in the order of the codes
			if k.n > 0 {
				n++
			}
		}
		return func(fn func(key, rank uint32, acc sizeAcc)) {
			for _, c := range order {
				if acc := w.sums.at(c); acc.N > 0 {
					fn(c, ranks[c], acc)
				}
			}
		}, n
	}
	order := st.IPs.DashOrder()
	return func(fn func(key, rank uint32, acc sizeAcc)) {
		rank := uint32(0)
		for i, k := range order {
			if i > 0 && orDash(st.IPs.Keys[k]) != orDash(st.IPs.Keys[order[i-1]]) {
				rank++
			}
			fn(uint32(k), rank, st.IPs.Vals[k])
		}
	}, len(order)
}

// ipName is the IP of a row, as shown.
func (st *sizesState) ipName(r ipSize) string {
	if w := st.whole; w != nil {
		return orDash(w.ips.Dict.At(r.key))
	}
	return orDash(st.IPs.Keys[r.key])
}

// noIP returns a test of whether a row is of the requests without a
// client IP (missingIP), that decodes no IP of a packed column.
func (st *sizesState) noIP() func(r ipSize) bool {
	if w := st.whole; w != nil {
		empty, hasEmpty := w.ips.Dict.Empty()
		dash, hasDash := w.ips.Find("-")
		return func(r ipSize) bool { return hasEmpty && r.key == empty || hasDash && r.key == dash }
	}
	return func(r ipSize) bool { return missingIP(st.IPs.Keys[r.key]) }
}

// sizesState holds, per client IP (as written), its requests and the sum
// of their sizes, the IPs sorted (SortedKeys), so that a merge is a walk
// of two sorted lists and Finish needs no sort.
// Sizes are whole bytes (ingest reads them as integers), summed as
// integers of 128 bits: the sum is exact, so it is the same whatever the
// order of the rows or of the merges, and, under 2^53 bytes, the same
// float the frame's sum in row order gave.
type sizesState struct {
	Z   float64
	Top int
	IPs SortedKeys[sizeAcc]

	whole *sizesWhole // a run over one frame (addWhole), in place of IPs
}

// sizesWhole is the sums of a run over one frame, by the codes of its IP
// column: such a state is never merged, so its IPs need not be listed as
// strings (a copy of a million addresses, and 32 bytes of sums each), and
// only the rows shown are named (ipName).
type sizesWhole struct {
	ips  frame.CodeView
	sums codeSizes
}

// codeSizes is a chunk's requests and bytes per IP code: the bytes as
// sizeAcc holds them, the rare carries and odd sizes in maps.
type codeSizes struct {
	// Each code's requests and the low 64 bits of its bytes, side by
	// side: Finish reads them in the IPs' sorted order, which on a log
	// whose clients came in no order is at random, one cache miss a code
	// rather than two.
	sums []ipBytes
	hi   map[uint32]uint64    // carries past 64 bits
	odd  map[uint32][]float64 // sizes that are no whole bytes
}

// ipBytes is an IP code's requests and the low 64 bits of its bytes.
type ipBytes struct {
	n  int
	lo uint64
}

func (cs *codeSizes) at(code uint32) sizeAcc {
	acc := sizeAcc{N: cs.sums[code].n, Lo: cs.sums[code].lo}
	if cs.hi == nil && cs.odd == nil {
		return acc // the common case: no look-up in either map
	}
	acc.Hi = cs.hi[code]
	if xs := cs.odd[code]; len(xs) > 0 {
		acc.Odd = &oddSizes{Values: ValueCounts{}}
		acc.Odd.NaN = acc.Odd.Values.AddValues(xs)
	}
	return acc
}

// sizeAcc is one IP's requests and bytes: the bytes as a 128-bit integer
// (Hi·2^64 + Lo). A size that is no whole number of bytes in [0, 2^64)
// (ingest reads none, a frame built otherwise may hold one) goes to Odd,
// nil otherwise.
type sizeAcc struct {
	N      int
	Lo, Hi uint64
	Odd    *oddSizes
}

// oddSizes counts sizes that are no whole bytes exactly by value, NaN
// apart, so that even those sum in an order that depends on no chunk.
// Ingest writes none; should a source write many distinct fractional
// sizes, this is where a bound would go (a compensated float sum, its
// error stated) rather than a count per value.
type oddSizes struct {
	Values ValueCounts
	NaN    int
}

func (acc sizeAcc) total() float64 {
	t := float64(acc.Lo)
	if acc.Hi > 0 {
		t += float64(acc.Hi) * 0x1p64
	}
	if acc.Odd == nil {
		return t
	}
	if acc.Odd.NaN > 0 {
		return math.NaN()
	}
	xs, ns := acc.Odd.Values.Sorted()
	for i, x := range xs {
		t += x * float64(ns[i])
	}
	return t
}

// merge adds o, taking over its odd sizes when acc has none.
func (acc *sizeAcc) merge(o sizeAcc) {
	acc.N += o.N
	var carry uint64
	acc.Lo, carry = bits.Add64(acc.Lo, o.Lo, 0)
	acc.Hi += o.Hi + carry
	switch {
	case o.Odd == nil:
	case acc.Odd == nil:
		acc.Odd = o.Odd
	default:
		acc.Odd.Values.Merge(o.Odd.Values)
		acc.Odd.NaN += o.Odd.NaN
	}
}

func (a *sizes) NewState(*Input) State { return &sizesState{Z: a.z, Top: a.top} }

// Add sums the chunk per IP code first, then lists each IP once, in the
// column's sorted order (shared with other sections), and merges the
// list in. A chunk without sizes counts its rows as 0 bytes, as "-" is
// and as the frame of all sources holds them.
func (st *sizesState) Add(_ context.Context, f *frame.Frame) error {
	ips := strColOrEmpty(f, frame.IP)
	sums := sumSizes(&ips, f.Num(frame.Bytes))
	st.IPs.Push(sortedFromCodes(&ips, func(code uint32) (sizeAcc, bool) {
		acc := sums.at(code)
		return acc, acc.N > 0
	}), (*sizeAcc).merge)
	return nil
}

// addWhole keeps the sums of a run over one frame by code (sizesWhole).
func (st *sizesState) addWhole(_ context.Context, f *frame.Frame) error {
	ips := strColOrEmpty(f, frame.IP)
	st.whole = &sizesWhole{ips: ips, sums: sumSizes(&ips, f.Num(frame.Bytes))}
	return nil
}

// sumSizes counts the rows and sums the bytes per IP code; bytes nil
// counts 0 bytes a row.
func sumSizes(ips *frame.CodeView, bytes []float64) codeSizes {
	cs := codeSizes{sums: make([]ipBytes, ips.Dict.Len())}
	sums := cs.sums
	exact := false
	if bytes == nil {
		for i := range ips.Len() {
			sums[ips.At(i)].n++
		}
		exact = true
	} else {
		// The frame's own loop of float sums, which are exact when
		// every size is a whole number and their total is under 2^53:
		// sizes are not negative, so each partial sum, per IP or of
		// all, is at most the total, and sums of whole numbers under
		// 2^53 are exact in a float64.
		sum := make([]float64, ips.Dict.Len())
		total, whole := 0.0, true
		for i := range ips.Len() {
			c, x := ips.At(i), bytes[i]
			sums[c].n++
			sum[c] += x
			total += x
			if x < 0 || x != math.Trunc(x) {
				whole = false
			}
		}
		if exact = whole && total < 0x1p53; exact {
			for c, x := range sum {
				sums[c].lo = uint64(x)
			}
		}
	}
	if !exact {
		clear(sums)
		for i := range ips.Len() {
			code := ips.At(i)
			sums[code].n++
			x := bytes[i]
			if u := uint64(x); x >= 0 && x < 0x1p64 && float64(u) == x {
				sum := sums[code].lo + u
				if sum < u {
					if cs.hi == nil {
						cs.hi = map[uint32]uint64{}
					}
					cs.hi[code]++
				}
				sums[code].lo = sum
				continue
			}
			if cs.odd == nil {
				cs.odd = map[uint32][]float64{}
			}
			cs.odd[code] = append(cs.odd[code], x)
		}
	}
	return cs
}

// settle merges the chunks' pushed keys (SortedKeys.Settle).
func (st *sizesState) settle() { st.IPs.Settle((*sizeAcc).merge) }

func (st *sizesState) Merge(other State) error {
	o, err := mergeAs[*sizesState](other)
	if err != nil {
		return err
	}
	st.settle()
	o.settle()
	st.IPs.Merge(o.IPs, (*sizeAcc).merge)
	return nil
}

// meanStd is the mean of the per-IP means and their sample standard
// deviation (NaN for fewer than two IPs), computed in two passes.
// byTotal orders IPs by their bytes, then, for the larger, the first IP.
func byTotal(a, b ipSize) int {
	if c := cmp.Compare(a.total, b.total); c != 0 {
		return c
	}
	return cmp.Compare(b.rank, a.rank)
}

// byFar orders IPs by |z|, then, for the larger, the first IP.
func byFar(a, b ipSize) int {
	if c := cmp.Compare(math.Abs(a.z), math.Abs(b.z)); c != 0 {
		return c
	}
	return cmp.Compare(b.rank, a.rank)
}

func meanStd(n int, means func(yield func(float64))) (mean, std float64) {
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	means(func(m float64) { mean += m })
	mean /= float64(n)
	if n < 2 {
		return mean, math.NaN()
	}
	var ss float64
	means(func(m float64) {
		d := m - mean
		ss += d * d
	})
	return mean, math.Sqrt(ss / float64(n-1))
}

func (a *sizes) Run(ctx context.Context, in *Input) (*Section, error) { return runPartial(ctx, a, in) }

func (st *sizesState) Finish(_ context.Context, in *Input) (*Section, error) {
	st.settle()
	total := 0 // requests, summed with the rows (sizeByIP)
	s := &Section{}
	s.Prose("How much does each client download per request? The mean response size per IP, and how far it is from the other IPs' means in standard deviations (the z-score, with the sample standard deviation). A `-` size counts as 0 bytes. An IP with a large |z| over many requests is a heavy client (a scraper, a mirror); over one request it is a one-off large download.")

	tab := NewTable("size_by_ip", "Mean response size per client IP",
		Column{"ip", Text}, Column{"average_request_size", Bytes}, Column{"zscore_request_size", Float}, Column{"num_requests", Integer}).Limit(in.MaxRows)
	tab.Index = 0
	threshold := st.Z
	outliers := newTopRows(in.MaxRows, func(a, b ipSize) int {
		if c := cmp.Compare(math.Abs(b.z), math.Abs(a.z)); c != 0 {
			return c
		}
		return cmp.Compare(a.rank, b.rank)
	})
	top := max(1, st.Top)
	largest := newTopRows(top, func(a, b ipSize) int {
		if c := cmp.Compare(b.mean, a.mean); c != 0 {
			return c
		}
		return cmp.Compare(a.rank, b.rank)
	})
	// What the conclusions say of the IPs, gathered in the same pass: the
	// IP with the most bytes, the most requests of an IP and how many IPs
	// made that many, the IP furthest from the others, and the outliers
	// with one request and with more (counts and the first few).
	byZ := outliers.cmp
	var (
		heavy, far           ipSize
		sumAll               float64
		mostN, tied          int
		nSingle, nMulti      int
		firstOut, firstMulti = newTopRows(3, byZ), newTopRows(3, byZ)
		firstSingle          = newTopRows(1, byZ)
		seen                 bool
		noIP                 ipSize // the requests without a client IP (n 0: none)
		noIPOut              bool   // beyond the threshold
	)
	skipped := 0
	isNoIP := st.noIP()
	nIPs, mean, std := st.sizeByIP(func(r ipSize) {
		if tab.Full() {
			skipped++
		} else {
			tab.Add(st.ipName(r), r.mean, r.z, r.n)
		}
		if isNoIP(r) {
			// The requests without a client IP: a row of the tables (as
			// in pandas), but no IP the sentences count or name.
			noIP = r
			largest.offer(r)
			if !math.IsNaN(r.z) && math.Abs(r.z) >= threshold {
				outliers.offer(r)
				noIPOut = true
			}
			sumAll += r.total
			total += r.n
			return
		}
		if !math.IsNaN(r.z) && math.Abs(r.z) >= threshold {
			outliers.offer(r)
			firstOut.offer(r)
			if r.n == 1 {
				nSingle++
				firstSingle.offer(r)
			} else {
				nMulti++
				firstMulti.offer(r)
			}
		}
		largest.offer(r)
		sumAll += r.total
		total += r.n
		switch {
		case r.n > mostN:
			mostN, tied = r.n, 1
		case r.n == mostN:
			tied++
		}
		if !seen || byTotal(r, heavy) > 0 {
			heavy = r
		}
		if !seen || byFar(r, far) > 0 {
			far = r
		}
		seen = true
	})
	tab.Skip(skipped)
	s.Compute(`size_by_ip = requests.groupby("ip").agg(average_request_size=("bytes", "mean"), num_requests=("bytes", "size"))
m = size_by_ip.average_request_size
size_by_ip.insert(1, "zscore_request_size", (m - m.mean()) / m.std())
size_by_ip`, Output{Table: tab})

	if noIP.n > 0 {
		nIPs-- // the IPs the sentences count
	}
	out, nOut := outliers.sorted()
	nOutIPs := nOut // of them, the IPs
	if noIPOut {
		nOutIPs--
	}
	if len(out) > 0 {
		ot := NewTable("size_outliers", fmt.Sprintf("IPs with |z| ≥ %s", Decimal(threshold, 2)),
			Column{"ip", Text}, Column{"average_request_size", Bytes}, Column{"zscore_request_size", Float},
			Column{"num_requests", Integer}, Column{"total_bytes", Bytes}).Limit(in.MaxRows)
		ot.Index = 0
		for _, r := range out {
			ot.Add(st.ipName(r), r.mean, r.z, r.n, r.total)
		}
		ot.Skip(nOut - len(out))
		s.Compute(fmt.Sprintf(`size_by_ip[size_by_ip.zscore_request_size.abs() >= %s].sort_values("zscore_request_size", key=abs, ascending=False)`, Decimal(threshold, 2)),
			Output{Table: ot})
	}

	// The plot: the IPs with the largest mean sizes.
	byMean, _ := largest.sorted()
	top = max(1, min(st.Top, nIPs))
	plot := &Plot{ID: "size_by_ip_top", Title: fmt.Sprintf("Mean response size per IP (the %d largest), bytes", top), Kind: Bars, XLabel: "mean response size (bytes)"}
	vals := make([]float64, top)
	for i, r := range byMean[:min(top, len(byMean))] {
		plot.Labels = append(plot.Labels, st.ipName(r))
		vals[i] = r.mean
	}
	plot.Series = []Series{{Name: "mean size", Values: vals}}
	s.Compute(fmt.Sprintf(`size_by_ip.average_request_size.nlargest(%d).plot.barh()`, top), Output{Plot: plot})

	// Conclusions.
	switch {
	case noIP.n > 0 && nIPs == 0:
		s.Conclude(fmt.Sprintf("The server sent %s in %s, %s per request on average; none of them named its client IP.",
			Size(sumAll), Count(total, "request"), Size(sumAll/float64(total))))
	case noIP.n > 0:
		s.Conclude(fmt.Sprintf("The server sent %s in %s, %s per request on average, to %s (%s of the requests had none).",
			Size(sumAll), Count(total, "request"), Size(sumAll/float64(total)), Count(nIPs, "client IP"), Int(noIP.n)))
	default:
		s.Conclude(fmt.Sprintf("The server sent %s to %s in %s, %s per request on average.",
			Size(sumAll), Count(nIPs, "client IP"), Count(total, "request"), Size(sumAll/float64(total))))
	}
	if nIPs >= 2 && std == 0 {
		s.Conclude(fmt.Sprintf("Every IP's mean response size is the same, %s, so no IP stands out.", Size(mean)))
	} else if nIPs >= 2 && !math.IsNaN(std) {
		s.Conclude(fmt.Sprintf("Across IPs, the mean response size averages %s with a standard deviation of %s.", Size(mean), Size(std)))
	}
	// few is the request count under which a mean says little about a
	// client's habit.
	const few = 5
	if nIPs > 1 && heavy.total > 0 {
		msg := fmt.Sprintf("The most bytes went to %s: %s over %s (%s of all bytes).",
			Code(st.ipName(heavy)), Size(heavy.total), Count(heavy.n, "request"), Percent(heavy.total/sumAll))
		// A client below the z threshold that stands out by volume is
		// named for what makes it stand out.
		if !math.IsNaN(heavy.z) && math.Abs(heavy.z) < threshold && nIPs > 2 && heavy.n >= few {
			what := "it is heavy by how much it asked for, not by the size of each answer"
			if heavy.n == mostN && tied == 1 {
				what = "it is heavy because it made the most requests of any IP, not because each answer was large"
			}
			msg += fmt.Sprintf(" Its mean response size, %s (z = %s), is below the threshold: %s.", Size(heavy.mean), Decimal(heavy.z, 2), what)
		}
		s.Conclude(msg)
	}
	describe := func(r ipSize) string {
		what := fmt.Sprintf("over %s", Count(r.n, "request"))
		switch {
		case r.n == 1 && r.z > 0 && math.Abs(r.z) >= threshold:
			what = "in a single request, a one-off large download"
		case r.n == 1:
			what = "in a single request"
		case r.n < few:
			what = fmt.Sprintf("over only %s", Count(r.n, "request"))
		case r.n >= 100 && r.z > 0:
			what += ", a heavy client"
		}
		return fmt.Sprintf("%s (mean %s, z = %s, %s)", Code(st.ipName(r)), Size(r.mean), Decimal(r.z, 2), what)
	}
	switch {
	case nIPs < 2 || math.IsNaN(std) || std == 0:
		// No z-scores: nothing more to say.
	case nOutIPs == 0:
		msg := fmt.Sprintf("No IP's mean size is %s or more standard deviations from the others.", Decimal(threshold, 2))
		if nIPs > 2 && !(far.rank == heavy.rank && heavy.n >= few) {
			msg += fmt.Sprintf(" The furthest is %s.", describe(far))
			if far.n > 1 && far.n < few {
				msg += fmt.Sprintf(" A mean over fewer than %s says little about a client's habit.", Count(few, "request"))
			}
		}
		s.Conclude(msg)
	default:
		single, _ := firstSingle.sorted()
		multi, _ := firstMulti.sorted()
		first, _ := firstOut.sorted()
		fewShown := false
		msg := fmt.Sprintf("%s %s beyond |z| ≥ %s", Count(nOutIPs, "IP"), verb(nOutIPs, "is", "are"), Decimal(threshold, 2))
		switch {
		case nSingle > 3 && nMulti > 0:
			// Many one-off downloads: count them and name the clients
			// that came back.
			msg += fmt.Sprintf(". %s made a single request each (one-off large downloads, the largest %s: %s, z = %s); ", Int(nSingle), Code(st.ipName(single[0])), Size(single[0].mean), Decimal(single[0].z, 2))
			if nMulti == 1 {
				msg += "the one with more requests is"
			} else {
				msg += fmt.Sprintf("of the %s with more requests, the furthest are", Int(nMulti))
			}
			var parts []string
			for _, r := range multi[:min(3, len(multi))] {
				parts = append(parts, describe(r))
				fewShown = fewShown || r.n < few
			}
			msg += " " + strings.Join(parts, "; ")
			if nMulti > 3 {
				msg += fmt.Sprintf("; and %d more", nMulti-3)
			}
		default:
			var parts []string
			for _, r := range first {
				parts = append(parts, describe(r))
				fewShown = fewShown || (r.n > 1 && r.n < few)
			}
			msg += ": " + strings.Join(parts, "; ")
			if nOutIPs > 3 {
				msg += fmt.Sprintf("; and %d more", nOutIPs-3)
			}
		}
		msg += "."
		if fewShown {
			msg += fmt.Sprintf(" A mean over fewer than %s says little about a client's habit.", Count(few, "request"))
		}
		s.Conclude(msg)
		s.Find("size_outliers", SevNotice, nOutIPs, fmt.Sprintf("%s %s a mean response size %s or more standard deviations from the other IPs'; the largest |z| is %s (%s).",
			Count(nOutIPs, "IP"), verb(nOutIPs, "has", "have"), Decimal(threshold, 2), Decimal(math.Abs(first[0].z), 2), Code(st.ipName(first[0]))))
	}
	return s, nil
}
