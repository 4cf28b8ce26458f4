package analysis

import (
	"context"
	"fmt"
	"slices"

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

// missingCount is one row of a not-found table: a key (stem or IP code),
// its missing responses and how many distinct other keys it had.
type missingCount struct {
	key      string
	n, other int
}

func sortMissing(rows []missingCount) {
	slices.SortFunc(rows, func(a, b missingCount) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
}

func (a *notFound) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	stems, status, ips := strCol(f, frame.Stem), strCol(f, frame.Status), strCol(f, frame.IP)
	total := f.Len()
	s := &Section{}
	s.Prose("Which paths do clients ask for that do not exist? Responses `404 Not Found` and `410 Gone`, by path and by client: broken links and moved pages show up as paths many clients ask for; scanners as clients that ask for many paths.")

	missing := make([]bool, len(status.Dict))
	for c, v := range status.Dict {
		missing[c] = v == "404" || v == "410"
	}
	// One pass: the (stem, IP) pairs of missing responses, counted.
	pairs := map[uint64]int{}
	missTotal := 0
	for i := range status.Len() {
		if missing[status.At(i)] {
			pairs[uint64(stems.At(i))<<32|uint64(ips.At(i))]++
			missTotal++
		}
	}
	if missTotal == 0 {
		s.Conclude(fmt.Sprintf("None of the %s got a 404 or 410 response.", Count(total, "request")))
		return s, nil
	}
	byStem := map[uint32]*missingCount{}
	byIP := map[uint32]*missingCount{}
	for k, n := range pairs {
		sc, ic := uint32(k>>32), uint32(k)
		if byStem[sc] == nil {
			byStem[sc] = &missingCount{key: orDash(stems.Dict[sc])}
		}
		if byIP[ic] == nil {
			byIP[ic] = &missingCount{key: orDash(ips.Dict[ic])}
		}
		byStem[sc].n += n
		byStem[sc].other++
		byIP[ic].n += n
		byIP[ic].other++
	}
	collect := func(m map[uint32]*missingCount) []missingCount {
		out := make([]missingCount, 0, len(m))
		for _, v := range m {
			out = append(out, *v)
		}
		sortMissing(out)
		return out
	}
	paths, clients := collect(byStem), collect(byIP)
	ipTotals := ips.Counts()
	ipTotal := make(map[string]int, len(byIP))
	for c, v := range byIP {
		ipTotal[v.key] = ipTotals[c]
	}

	top := a.top
	pt := NewTable("not_found_paths", "Most requested missing paths",
		Column{"uri_stem", Text}, Column{"requests", Integer}, Column{"clients", Integer}, Column{"share", Share})
	pt.Index = 0
	for _, r := range paths[:min(top, len(paths))] {
		pt.Add(r.key, r.n, r.other, float64(r.n)/float64(missTotal))
	}
	s.Compute(fmt.Sprintf(`missing = requests[requests.status.isin(["404", "410"])]
missing.groupby("uri_stem").agg(requests=("ip", "size"), clients=("ip", "nunique")).assign(share=lambda t: t.requests / len(missing)).sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: pt})
	ct := NewTable("not_found_clients", "Clients with the most missing-page responses",
		Column{"ip", Text}, Column{"requests", Integer}, Column{"distinct_paths", Integer}, Column{"share_of_ip_requests", Share})
	ct.Index = 0
	for _, r := range clients[:min(top, len(clients))] {
		ct.Add(r.key, r.n, r.other, float64(r.n)/float64(ipTotal[r.key]))
	}
	s.Compute(fmt.Sprintf(`missing.groupby("ip").agg(requests=("uri_stem", "size"), distinct_paths=("uri_stem", "nunique")).join(requests.ip.value_counts().rename("all")).eval("share_of_ip_requests = requests / all").sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: ct})

	// Conclusions.
	share := float64(missTotal) / float64(total)
	pathWords := Count(len(paths), "distinct path")
	if len(paths) == 1 {
		pathWords = "one path"
	}
	s.Conclude(fmt.Sprintf("%s (%s of all requests) asked for %s that did not exist, from %s.",
		Count(missTotal, "request"), Percent(share), pathWords, Count(len(clients), "client IP")))
	p := paths[0]
	switch {
	case len(paths) == 1:
		s.Conclude(fmt.Sprintf("The missing path was %s, asked for %s.", Code(p.key), timesWords(p.n)))
	case p.n == 1:
		s.Conclude("Each missing path was asked for once.")
	default:
		s.Conclude(fmt.Sprintf("The most requested missing path is %s: %s from %s.", Code(p.key), Count(p.n, "request"), Count(p.other, "client")))
	}
	if clients[0].n == 1 && len(clients) > 1 {
		s.Conclude("No client received more than one of them.")
	}
	if clients[0].n > 1 {
		c := clients[0]
		for_ := Count(c.other, "distinct path")
		if c.other == 1 {
			for_ = "one path"
		}
		if all := ipTotal[c.key]; len(clients) == 1 && c.n == all {
			s.Conclude(fmt.Sprintf("They all went to %s, which made no other request.", Code(c.key)))
		} else if len(clients) == 1 {
			s.Conclude(fmt.Sprintf("They all went to %s: %s of its %s (%s), for %s.", Code(c.key), Int(c.n), Count(all, "request"), Percent(float64(c.n)/float64(all)), for_))
		} else if c.n == all {
			s.Conclude(fmt.Sprintf("%s received the most of them: all %s of its requests, for %s.", Code(c.key), Int(c.n), for_))
		} else {
			s.Conclude(fmt.Sprintf("%s received the most of them: %s for %s, %s of its requests.",
				Code(c.key), Int(c.n), for_, Percent(float64(c.n)/float64(all))))
		}
	}
	if len(paths) > top || len(clients) > top {
		s.Conclude(fmt.Sprintf("The tables keep the first %s rows (parameter `not_found.top`): %s paths and %s clients in all.",
			Int(top), Int(len(paths)), Int(len(clients))))
	}
	sev := SevInfo
	if share > 0.10 {
		sev = SevNotice
	}
	s.Find("not_found_requests", sev, missTotal, fmt.Sprintf("%s of requests (%s) asked for a path that did not exist; the most asked for is %s.",
		Percent(share), Int(missTotal), Code(p.key)))
	return s, nil
}
