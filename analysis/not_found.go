package analysis

import (
	"context"
	"fmt"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "not_found",
		Title: "Missing pages",
		Doc:   "The most requested paths that do not exist (404 and 410 responses), and the clients that ask for them.",
		Order: 350,
		Cost:  55, // ms per million rows
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
// adding.
type notFoundState struct {
	Top     int // the tables' rows
	Total   int
	Missing PairTally // (stem, ip) of the 404 and 410 responses
	IPs     Tally     // all requests per IP
}

func (a *notFound) NewState(*Input) State {
	return &notFoundState{Top: a.top, Missing: PairTally{}, IPs: Tally{}}
}

func (st *notFoundState) Add(_ context.Context, f *frame.Frame) error {
	st.Total += f.Len()
	st.IPs.AddColumn(f, frame.IP)
	stems, status, ips := strColOrEmpty(f, frame.Stem), strColOrEmpty(f, frame.Status), strColOrEmpty(f, frame.IP)
	missing := make([]bool, len(status.Dict))
	for c, v := range status.Dict {
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
	// A new pair's strings are owned once per chunk for each stem and IP,
	// shared by the pairs that hold them.
	ownStem, ownIP := make([]string, len(stems.Dict)), make([]string, len(ips.Dict))
	owned := func(cache []string, dict []string, c uint32) string {
		if cache[c] == "" {
			cache[c] = own(dict[c])
		}
		return cache[c]
	}
	pairs := frame.PairCounts(stems, ips, rows)
	if len(st.Missing) == 0 {
		st.Missing = make(PairTally, len(pairs)) // made at its size rather than grown
	}
	for _, p := range pairs {
		k := Pair{stems.Dict[p.A], ips.Dict[p.B]}
		if old, ok := st.Missing[k]; ok {
			st.Missing[k] = old + p.N
			continue
		}
		st.Missing[Pair{owned(ownStem, stems.Dict, p.A), owned(ownIP, ips.Dict, p.B)}] = p.N
	}
	return nil
}

func (st *notFoundState) Merge(other State) error {
	o, err := mergeAs[*notFoundState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	st.Missing.Merge(o.Missing)
	st.IPs.Merge(o.IPs)
	return nil
}

func (st *notFoundState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	s := &Section{}
	s.Prose("Which paths do clients ask for that do not exist? Responses `404 Not Found` and `410 Gone`, by path and by client: broken links and moved pages show up as paths many clients ask for; scanners as clients that ask for many paths.")

	missTotal := 0
	for _, n := range st.Missing {
		missTotal += n
	}
	if missTotal == 0 {
		s.Conclude(fmt.Sprintf("None of the %s got a 404 or 410 response.", Count(total, "request")))
		return s, nil
	}
	// At most a key per pair: made at that size rather than grown.
	byStem := make(map[string]*missingCount, len(st.Missing))
	byIP := make(map[string]*missingCount, min(len(st.Missing), len(st.IPs)))
	for k, n := range st.Missing {
		sc, ic := byStem[k.Key], byIP[k.Value]
		if sc == nil {
			sc = &missingCount{key: orDash(k.Key), raw: k.Key}
			byStem[k.Key] = sc
		}
		if ic == nil {
			ic = &missingCount{key: orDash(k.Value), raw: k.Value}
			byIP[k.Value] = ic
		}
		sc.n += n
		sc.other++
		ic.n += n
		ic.other++
	}
	top := st.Top
	// The first top rows of each table, in its order, without sorting them
	// all (topN); the order is total, the keys as written breaking ties.
	collect := func(m map[string]*missingCount) []missingCount {
		out := make([]missingCount, 0, len(m))
		for _, v := range m {
			out = append(out, *v)
		}
		return topN(out, top, compareMissing)
	}
	paths, clients := collect(byStem), collect(byIP)
	nPaths, nClients := len(byStem), len(byIP)
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
		ct.Add(r.key, r.n, r.other, float64(r.n)/float64(st.IPs[r.raw]))
	}
	s.Compute(fmt.Sprintf(`missing.groupby("ip").agg(requests=("uri_stem", "size"), distinct_paths=("uri_stem", "nunique")).join(requests.ip.value_counts().rename("all")).eval("share_of_ip_requests = requests / all").sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: ct})

	// Conclusions.
	share := float64(missTotal) / float64(total)
	pathWords := Count(nPaths, "distinct path")
	if nPaths == 1 {
		pathWords = "one path"
	}
	s.Conclude(fmt.Sprintf("%s (%s of all requests) asked for %s that did not exist, from %s.",
		Count(missTotal, "request"), Percent(share), pathWords, Count(nClients, "client IP")))
	p := paths[0]
	switch {
	case nPaths == 1:
		s.Conclude(fmt.Sprintf("The missing path was %s, asked for %s.", Code(p.key), timesWords(p.n)))
	case p.n == 1:
		s.Conclude("Each missing path was asked for once.")
	default:
		s.Conclude(fmt.Sprintf("The most requested missing path is %s: %s from %s.", Code(p.key), Count(p.n, "request"), Count(p.other, "client")))
	}
	if clients[0].n == 1 && nClients > 1 {
		s.Conclude("No client received more than one of them.")
	}
	if clients[0].n > 1 {
		c := clients[0]
		for_ := Count(c.other, "distinct path")
		if c.other == 1 {
			for_ = "one path"
		}
		if all := st.IPs[c.raw]; nClients == 1 && c.n == all {
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
