package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "not_found",
		Title: "Missing pages",
		Doc:   "The most requested paths that do not exist (404 and 410 responses), and the clients that ask for them.",
		Order: 350,
		Cost:  20, // ms per million rows
		Needs: frame.Cols(frame.Stem, frame.Status, frame.IP),
		New:   func() Analysis { return &notFound{} },
	})
}

type notFound struct {
	top int // rows the path and client tables keep
}

var _ Configurable = (*notFound)(nil)

func (a *notFound) Params(p *Params) {
	p.Int(&a.top, "top", 1000, "how many rows the path and client tables keep").AtLeast(1).AtMost(1_000_000)
}

// missingCount is one row of a not-found table: a key (stem or IP) as
// shown, its missing responses and how many distinct other keys it had.
type missingCount struct {
	key      string
	n, other int
	raw      string // the key as written: "" and "-" are both shown "-"
	code     uint32 // the key's code in its state's dictionary
}

// compareMissing orders the rows of a not-found table: by count, the
// largest first, then by key as shown, then as written.
func compareMissing(a, b missingCount) int {
	if c := byCountThenKey(a.n, a.key, b.n, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.raw, b.raw)
}

func (a *notFound) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, a, in)
}

var _ Partial = (*notFound)(nil)

// notFoundState counts the missing responses (404 and 410) per (stem, IP),
// from which both tables are summed, and every request per IP, for the
// share of each client's requests that missed: counts, which merge by
// adding. Strings are codes of the state's dictionaries: IPs, whose
// requests are counted by code, and Stems.
type notFoundState struct {
	Top      int // the tables' rows
	Total    int
	IPs      Dict
	Requests []int // all requests per IP code
	Stems    Dict
	Missing  CodePairs // (stem, IP) codes of the 404 and 410 responses
}

func (a *notFound) NewState(in *Input) State {
	st := &notFoundState{Top: a.top}
	st.IPs.Borrow(in)
	st.Stems.Borrow(in)
	return st
}

func (st *notFoundState) Add(_ context.Context, f *frame.Frame) error {
	st.Total += f.Len()
	stems, status, ips := strColOrEmpty(f, frame.Stem), strColOrEmpty(f, frame.Status), strColOrEmpty(f, frame.IP)
	counts := ips.Counts()
	need := make([]bool, len(counts))
	for c, n := range counts {
		need[c] = n > 0
	}
	ipCodes := st.IPs.CodesOf(&ips, need)
	if grow := st.IPs.Len() - len(st.Requests); grow > 0 {
		st.Requests = append(st.Requests, make([]int, grow)...)
	}
	for c, n := range counts {
		if n > 0 {
			st.Requests[ipCodes[c]] += n
		}
	}
	missing := make([]bool, status.Dict.Len())
	for c, v := range status.Dict.All() {
		missing[c] = v == "404" || v == "410"
	}
	var rows []int
	for i := range status.Len() {
		if missing[status.At(i)] {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	pairs := frame.PairCounts(stems, ips, rows)
	needStem := make([]bool, stems.Dict.Len())
	for _, p := range pairs {
		needStem[p.A] = true
	}
	stemCodes := st.Stems.CodesOf(&stems, needStem)
	st.Missing.Grow(len(pairs))
	for _, p := range pairs {
		st.Missing.Add(stemCodes[p.A], ipCodes[p.B], p.N)
	}
	st.Missing.Compact()
	return nil
}

func (st *notFoundState) Merge(other State) error {
	o, err := mergeAs[*notFoundState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	ipCodes := st.IPs.Remap(&o.IPs)
	if grow := st.IPs.Len() - len(st.Requests); grow > 0 {
		st.Requests = append(st.Requests, make([]int, grow)...)
	}
	for c, n := range o.Requests {
		st.Requests[ipCodes[c]] += n
	}
	st.Missing.Merge(&o.Missing, st.Stems.Remap(&o.Stems), ipCodes)
	return nil
}

// missingPerCode is one code's missing responses and the pairs it is in.
type missingPerCode struct {
	code     uint32
	n, other int
}

// perCodeCounts sums the pairs per code of one side (key), in the order
// of the codes: made from the pairs rather than in an array over every
// code, which for the clients was 16 MB on a million of them, a tenth of
// them with a 404.
func perCodeCounts(pairs []CodePair, key func(CodePair) uint32) []missingPerCode {
	out := make([]missingPerCode, len(pairs))
	for i, p := range pairs {
		out[i] = missingPerCode{key(p), p.N, 1}
	}
	if !slices.IsSortedFunc(out, func(a, b missingPerCode) int { return cmp.Compare(a.code, b.code) }) {
		slices.SortFunc(out, func(a, b missingPerCode) int { return cmp.Compare(a.code, b.code) })
	}
	k := 0
	for _, c := range out {
		if k > 0 && out[k-1].code == c.code {
			out[k-1].n += c.n
			out[k-1].other += c.other
			continue
		}
		out[k] = c
		k++
	}
	return slices.Clip(out[:k])
}

func (st *notFoundState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	s := &Section{}
	s.Prose("Which paths do clients ask for that do not exist? Responses `404 Not Found` and `410 Gone`, by path and by client: broken links and moved pages show up as paths many clients ask for; scanners as clients that ask for many paths.")

	pairs := st.Missing.Sorted()
	missTotal := 0
	for _, p := range pairs {
		missTotal += p.N
	}
	if missTotal == 0 {
		if total == 1 {
			s.Conclude("The one request did not get a 404 or 410 response.")
		} else {
			s.Conclude(fmt.Sprintf("None of the %s got a 404 or 410 response.", Count(total, "request")))
		}
		return s, nil
	}
	// Per stem and per IP code: the missing responses and the distinct
	// other keys (a pair per stem and IP).
	byStem, byIP := perCodeCounts(pairs, CodePair.A), perCodeCounts(pairs, CodePair.B)
	top := st.Top
	// The first top rows of each table, in its order, without listing
	// them all (topRows); the order is total, the keys as written
	// breaking ties.
	noIP := 0 // the missing responses without a client IP (byIP's empty key)
	collect := func(m []missingPerCode, dict *Dict) ([]missingCount, int) {
		first := newTopRows(top, compareMissing)
		// The keys read together, each block of a packed column decoded
		// once (a block decoded and cached per key was 16 MB of a tenth
		// of a million stems missing).
		codes := make([]uint32, len(m))
		for i, v := range m {
			codes[i] = v.code
		}
		raws := dict.values(codes)
		for i, v := range m {
			raw := raws[i] // copied if kept: raws share one allocation
			r := missingCount{key: orDash(raw), n: v.n, other: v.other, raw: raw, code: v.code}
			if dict == &st.IPs && missingIP(raw) {
				noIP = v.n
			}
			if first.wants(r) {
				r.raw = strings.Clone(raw)
				r.key = orDash(r.raw)
			}
			first.offer(r)
		}
		return first.sorted()
	}
	paths, nPaths := collect(byStem, &st.Stems)
	clients, nClients := collect(byIP, &st.IPs)
	// The sentences count and name IPs: the requests without one are a
	// row of the table only.
	ipClients := slices.DeleteFunc(slices.Clone(clients), func(r missingCount) bool { return missingIP(r.raw) })
	nIPs := nClients
	if noIP > 0 {
		nIPs--
	}
	pt := NewTable("not_found_paths", "Most requested missing paths",
		Column{"uri_stem", Text}, Column{"requests", Integer}, Column{"clients", Integer}, Column{"share", Share})
	pt.Index = 0
	for _, r := range paths {
		pt.Add(r.key, r.n, r.other, float64(r.n)/float64(missTotal))
	}
	s.Compute(fmt.Sprintf(`missing = requests[requests.status.isin(["404", "410"])]
missing.groupby("uri_stem").agg(requests=("ip", "size"), clients=("ip", "nunique")).assign(share=lambda t: t.requests / len(missing)).sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: pt})
	ct := NewTable("not_found_clients", "Clients with the most missing-page responses",
		Column{"ip", Text}, Column{"requests", Integer}, Column{"distinct_paths", Integer}, Column{"share_of_ip_requests", Share})
	ct.Index = 0
	for _, r := range clients {
		ct.Add(r.key, r.n, r.other, float64(r.n)/float64(st.Requests[r.code]))
	}
	s.Compute(fmt.Sprintf(`missing.groupby("ip").agg(requests=("uri_stem", "size"), distinct_paths=("uri_stem", "nunique")).join(requests.ip.value_counts().rename("all")).eval("share_of_ip_requests = requests / all").sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: ct})

	// Conclusions.
	share := float64(missTotal) / float64(total)
	pathWords := Count(nPaths, "distinct path")
	if nPaths == 1 {
		pathWords = "one path"
	}
	from := "from " + Count(nIPs, "client IP")
	switch {
	case noIP > 0 && nIPs == 0:
		from = "none of them from a client that gave its IP"
	case noIP > 0:
		from += fmt.Sprintf(" (and %s without one)", Count(noIP, "request"))
	}
	s.Conclude(fmt.Sprintf("%s (%s of all requests) asked for %s that did not exist, %s.",
		Count(missTotal, "request"), Percent(share), pathWords, from))
	p := paths[0]
	switch {
	case nPaths == 1:
		s.Conclude(fmt.Sprintf("The missing path was %s, asked for %s.", Code(p.key), timesWords(p.n)))
	case p.n == 1:
		s.Conclude("Each missing path was asked for once.")
	default:
		// Its clients, the requests without a client IP said apart.
		isNoIP, pathNoIP := missingIPCodes(&st.IPs), 0
		for _, pr := range pairs {
			if pr.A() == p.code && isNoIP(pr.B()) {
				pathNoIP += pr.N
			}
		}
		from := " from " + Count(p.other, "client")
		switch {
		case pathNoIP > 0 && p.other == 1:
			from = ", none of them from a client that gave its IP"
		case pathNoIP > 0:
			from = fmt.Sprintf(" from %s and %s without one", Count(p.other-1, "client IP"), Int(pathNoIP))
		}
		s.Conclude(fmt.Sprintf("The most requested missing path is %s: %s%s.", Code(p.key), Count(p.n, "request"), from))
	}
	switch {
	case len(ipClients) == 0:
	case ipClients[0].n == 1 && nIPs > 1 && noIP == 0:
		s.Conclude("No client received more than one of them.")
	case ipClients[0].n == 1 && nIPs > 1:
		s.Conclude("No client IP received more than one of them.")
	case ipClients[0].n > 1:
		c, nClients := ipClients[0], nIPs
		if noIP > 0 {
			nClients++ // not all of them went to c
		}
		for_ := Count(c.other, "distinct path")
		if c.other == 1 {
			for_ = "one path"
		}
		if all := st.Requests[c.code]; nClients == 1 && c.n == all {
			s.Conclude(fmt.Sprintf("They all went to %s, which made no other request.", Code(c.key)))
		} else if nClients == 1 {
			s.Conclude(fmt.Sprintf("They all went to %s: %s of its %s (%s), for %s.", Code(c.key), Int(c.n), Count(all, "request"), Percent(float64(c.n)/float64(all)), for_))
		} else if c.n == all {
			s.Conclude(fmt.Sprintf("%s received the most of them: all %s of its requests, for %s.", Code(c.key), Int(c.n), for_))
		} else {
			s.Conclude(fmt.Sprintf("%s received the most of them: %s for %s, %s of its requests.",
				Code(c.key), Int(c.n), for_, Percent(float64(c.n)/float64(all))))
		}
	}
	if nPaths > top || nClients > top {
		s.Conclude(fmt.Sprintf("The tables keep the first %s rows (parameter `not_found.top`): %s paths and %s clients in all.",
			Int(top), Int(nPaths), Int(nClients)))
	}
	sev := SevInfo
	if share > 0.10 {
		sev = SevNotice
	}
	s.Find("not_found_requests", sev, missTotal, fmt.Sprintf("%s of requests (%s) asked for a path that did not exist; the most asked for is %s.",
		Percent(share), Int(missTotal), Code(p.key)))
	return s, nil
}
