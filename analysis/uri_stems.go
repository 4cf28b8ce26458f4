package analysis

import (
	"context"
	"fmt"
	"slices"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "uri_stems",
		Title: "Where traffic goes",
		Doc:   "The share of all requests per URI stem (the path without its query string), and, when bots are present, the stems browser-like agents asked for.",
		Order: 300,
		Cost:  45, // ms per million rows
		Needs: frame.Cols(frame.Stem),
		New:   func() Analysis { return &uriStems{} },
	})
}

type uriStems struct {
	top int // stems in the plot
}

var _ Configurable = (*uriStems)(nil)

func (a *uriStems) Params(p *Params) {
	p.Int(&a.top, "top", 20, "how many stems the plot shows").AtLeast(1).AtMost(1000)
}

func (a *uriStems) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	stems := strCol(f, frame.Stem)
	total := f.Len()
	s := &Section{}
	s.Prose("Which paths receive the requests? The share is the fraction of all requests; a request with no readable path counts as `-`.")

	ranked := viewCodeCounts(stems, stems.Counts())
	tab := limitedCountsTable(in.MaxRows, "uri_stem_share", "Share of requests per URI stem", "uri_stem", ranked, "share", total)
	tab.Index = -1 // a row number, as the seed notebook showed it
	top := min(a.top, len(ranked))
	plot := &Plot{ID: "uri_stem_share_top", Title: fmt.Sprintf("Share of traffic per URI stem (top %d)", top),
		Kind: Bars, XLabel: "share of requests", Percent: true}
	vals := make([]float64, top)
	for i, r := range ranked[:top] {
		plot.Labels = append(plot.Labels, r.key)
		vals[i] = float64(r.n) / float64(total)
	}
	plot.Series = []Series{{Name: "share", Values: vals}}
	s.Compute(`requests.uri_stem.value_counts(normalize=True)`, Output{Table: tab})
	s.Compute(fmt.Sprintf(`requests.uri_stem.value_counts(normalize=True).head(%d).plot.barh()`, top), Output{Plot: plot})

	lead := ranked[0]
	s.Conclude(fmt.Sprintf("%s went to %s distinct URI stems. The most requested, %s, received %s (%s).",
		Count(total, "request"), Int(len(ranked)), Code(lead.key), Count(lead.n, "request"), Pct(float64(lead.n)/float64(total))))
	if len(ranked) > 1 {
		k := min(10, len(ranked))
		sum := 0
		for _, r := range ranked[:k] {
			sum += r.n
		}
		s.Conclude(fmt.Sprintf("The top %d stems account for %s of all requests.", k, Pct(float64(sum)/float64(total))))
	}
	once := 0
	for _, r := range ranked {
		if r.n == 1 {
			once++
		}
	}
	if once > 0 && len(ranked) > 1 {
		s.Conclude(fmt.Sprintf("%s of the %s stems %s requested only once.", Int(once), Int(len(ranked)), verb(once, "was", "were")))
	}
	if h := newHumans(f, in.Crawlers); h != nil && h.anyBots {
		humanStems(s, stems, h, a.top)
	}
	if code, ok := stems.Lookup("/robots.txt"); ok {
		n := stems.Counts()[code]
		rank := 0
		for i, r := range ranked {
			if r.code == code {
				rank = i + 1
			}
		}
		s.Conclude(fmt.Sprintf("%s was requested %s (rank %d), a sign of crawlers.", Code("/robots.txt"), Count(n, "time"), rank))
	}
	return s, nil
}

// humanStems adds the table of the stems people asked for most (requests
// from browser-like agents, see humans), and its sentence: on a log with
// crawlers, the pages people read are not the pages crawlers fetch.
func humanStems(s *Section, stems *frame.CodeView, h *humans, top int) {
	per := make([]int, len(stems.Dict))
	people := 0
	for i := range stems.Len() {
		if h.human(i) {
			per[stems.At(i)]++
			people++
		}
	}
	if people == 0 {
		return
	}
	ranked := codeCounts(topCounts(per, top), stems.Dict)
	n := min(top, len(ranked))
	ranked = ranked[:n]
	s.Prose(fmt.Sprintf("Which stems do people ask for? The requests of agents that name a known browser, %s of the %s (not crawlers or tools by name, not clients that fetched `/robots.txt`, not requests without an agent or whose agent names no browser), the top %d.", Int(people), Count(stems.Len(), "request"), n))
	tab := countsTable("human_uri_stems", fmt.Sprintf("Requests per URI stem from browser-like agents (top %d)", n), "uri_stem", ranked[:n], "share", people)
	tab.Index = -1
	s.Compute(fmt.Sprintf(`requests[~is_bot].uri_stem.value_counts(normalize=True).head(%d)`, n), Output{Table: tab})
	lead := ranked[0]
	msg := fmt.Sprintf("Agents that name a browser sent %s; the stem they asked for most is %s (%s of them)", Count(people, "request"), Code(lead.key), Pct(float64(lead.n)/float64(people)))
	if resourceKind(lead.key) != kindPage {
		for _, r := range ranked[1:] {
			if resourceKind(r.key) == kindPage {
				msg += fmt.Sprintf(", and the page they read most is %s (%s)", Code(r.key), Count(r.n, "request"))
				break
			}
		}
	}
	s.Conclude(msg + ".")
}

// topCounts zeroes, in place, the counts below the top-th largest, so
// that sorting what is left (ties at the threshold included) costs little
// on a log of many distinct stems; codeCounts then ranks the rest.
func topCounts(per []int, top int) []int {
	var vals []int
	for _, n := range per {
		if n > 0 {
			vals = append(vals, n)
		}
	}
	if len(vals) <= top {
		return per
	}
	slices.Sort(vals)
	cut := vals[len(vals)-top]
	for i, n := range per {
		if n < cut {
			per[i] = 0
		}
	}
	return per
}
