package analysis

import (
	"context"
	"fmt"
	"maps"

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
	return runPartial(ctx, a, in)
}

var _ Partial = (*uriStems)(nil)

// uriStemsState counts the requests per stem, and for the people's table
// (humanStems) the requests of browser-like agents per client and stem:
// whether a client is a person depends on whether it read /robots.txt,
// which another chunk may tell, so the counts stay per client until
// Finish leaves the readers out. Every field is a count, a set or a flag:
// they merge by adding, uniting and OR.
type uriStemsState struct {
	Top   int // the top parameter
	Total int
	Stems Tally
	// HasAgents: a chunk had a user agent column (the people's table needs
	// one); HasIPs: one had an IP column (robots.txt readers need one).
	HasAgents, HasIPs bool
	// AnyCrawler: a request came from a crawler or tool by name.
	AnyCrawler bool
	// Readers are the clients (IP, agent) with an agent that is not a
	// crawler by name that fetched /robots.txt.
	Readers map[Pair]bool
	// Human counts the requests of browser-like agents (not bot per
	// classifyChunk) per stem, robots.txt readers' included; Clients
	// holds, per chunk, the same requests per client and stem, so that
	// Finish can take the readers' out. Their size follows the distinct
	// (IP, agent, stem) of such requests, within a few times (the blocks
	// compact into one when they double, compactClients); were the
	// distinct keys themselves too many, an approximation and its error
	// bound would go here.
	Human   Tally
	Clients []ClientStems
	// Compacted is how many rows Clients held when last compacted into
	// one block (compactClients).
	Compacted int

	user []CrawlerRule // in.Crawlers, for Add
}

func (a *uriStems) NewState(in *Input) State {
	return &uriStemsState{Top: a.top, Stems: Tally{}, Readers: map[Pair]bool{}, Human: Tally{}, user: in.Crawlers}
}

func (st *uriStemsState) Add(_ context.Context, f *frame.Frame) error {
	st.Total += f.Len()
	tallyColumn(&st.Stems, f, frame.Stem)
	st.HasAgents = st.HasAgents || strCol(f, frame.UserAgent) != nil
	st.HasIPs = st.HasIPs || strCol(f, frame.IP) != nil
	if f.Len() == 0 {
		return nil
	}
	c := classifyChunk(f, st.user)
	st.AnyCrawler = st.AnyCrawler || c.anyCrawler()
	c.addReaders(st.Readers)
	// Per client and stem, on the chunk's codes first.
	rows := countTriples(c.ips, c.agents, c.stems, c.bot)
	if len(rows) == 0 {
		return nil
	}
	per := make([]int, len(c.stems.Dict))
	for _, r := range rows {
		per[r.Stem] += r.N
	}
	tallyCodes(&st.Human, c.stems.Dict, per)
	st.Clients = append(st.Clients, newClientStems(rows, c.ips.Dict, c.agents.Dict, c.stems.Dict))
	st.compactClients()
	return nil
}

// compactClients merges the blocks of Clients into one when they have
// grown to twice the rows of the last compaction (and at least 2^16 rows):
// their size then stays within a few times the distinct (IP, agent, stem),
// however many chunks name the same ones, at a cost per row that does not
// grow with their number.
func (st *uriStemsState) compactClients() {
	if len(st.Clients) < 2 {
		return
	}
	n := clientStemRows(st.Clients)
	if n < 2*max(st.Compacted, 1<<15) {
		return
	}
	st.Clients = []ClientStems{compactClientStems(st.Clients)}
	st.Compacted = len(st.Clients[0].Rows)
}

func (st *uriStemsState) Merge(other State) error {
	o, err := mergeAs[*uriStemsState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	st.Stems.Merge(o.Stems)
	st.HasAgents = st.HasAgents || o.HasAgents
	st.HasIPs = st.HasIPs || o.HasIPs
	st.AnyCrawler = st.AnyCrawler || o.AnyCrawler
	mergeReaders(st.Readers, o.Readers)
	st.Human.Merge(o.Human)
	st.Clients = append(st.Clients, o.Clients...)
	st.Compacted = max(st.Compacted, o.Compacted)
	st.compactClients()
	return nil
}

func (st *uriStemsState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	s := &Section{}
	s.Prose("Which paths receive the requests? The share is the fraction of all requests; a request with no readable path counts as `-`.")

	// The rows the table, the plot and the sentences show, ranked without
	// sorting every stem; the others are counted.
	all := make([]keyCount, 0, len(st.Stems))
	for k, n := range st.Stems {
		if n > 0 {
			all = append(all, keyCount{key: k, n: n})
		}
	}
	// Stems asked for once, and the rank of /robots.txt, before
	// topKeyCounts reorders all.
	once, rank := 0, 1
	robots := st.Stems["/robots.txt"]
	for _, r := range all {
		if r.n == 1 {
			once++
		}
		if robots > 0 && byCountThenKey(r.n, r.key, robots, "/robots.txt") < 0 {
			rank++
		}
	}
	keep := max(st.Top, 10)
	if in.MaxRows > 0 {
		keep = max(keep, in.MaxRows)
	} else {
		keep = len(all)
	}
	ranked := topKeyCounts(all, max(keep, 1))
	for i := range ranked {
		ranked[i].key = orDash(ranked[i].key)
	}
	tab := limitedCountsTable(in.MaxRows, "uri_stem_share", "Share of requests per URI stem", "uri_stem", ranked, "share", total)
	if len(all) > len(ranked) {
		tab.Skip(len(all) - len(ranked))
	}
	tab.Index = -1 // a row number, as the seed notebook showed it
	top := min(st.Top, len(all))
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
		Count(total, "request"), Int(len(all)), Code(lead.key), Count(lead.n, "request"), Pct(float64(lead.n)/float64(total))))
	if len(all) > 1 {
		k := min(10, len(all))
		sum := 0
		for _, r := range ranked[:k] {
			sum += r.n
		}
		s.Conclude(fmt.Sprintf("The top %d stems account for %s of all requests.", k, Pct(float64(sum)/float64(total))))
	}
	if once > 0 && len(all) > 1 {
		s.Conclude(fmt.Sprintf("%s of the %s stems %s requested only once.", Int(once), Int(len(all)), verb(once, "was", "were")))
	}
	if !st.HasIPs {
		clear(st.Readers) // robotsReaders finds none without IPs
	}
	if st.HasAgents && (st.AnyCrawler || len(st.Readers) > 0) {
		st.humanStems(s)
	}
	if robots > 0 {
		s.Conclude(fmt.Sprintf("%s was requested %s (rank %d), a sign of crawlers.", Code("/robots.txt"), Count(robots, "time"), rank))
	}
	return s, nil
}

// humanStems adds the table of the stems people asked for most (requests
// from browser-like agents, see partial_uri_visitors.go), and its sentence: on a log with
// crawlers, the pages people read are not the pages crawlers fetch.
func (st *uriStemsState) humanStems(s *Section) {
	per := map[string]int(st.Human) // read only, unless readers are taken out
	people := 0
	for _, n := range st.Human {
		people += n
	}
	if len(st.Readers) > 0 {
		per = maps.Clone(per)
		// The readers' requests, found by their IPs first.
		readerIPs := map[string]bool{}
		for p := range st.Readers {
			readerIPs[p.Key] = true
		}
		for _, b := range st.Clients {
			isReader := make([]bool, len(b.IPs))
			anyReader := false
			for c, ip := range b.IPs {
				if readerIPs[ip] {
					isReader[c], anyReader = true, true
				}
			}
			if !anyReader {
				continue
			}
			for _, r := range b.Rows {
				if isReader[r.IP] && st.Readers[Pair{b.IPs[r.IP], b.Agents[r.Agent]}] {
					per[b.Stems[r.Stem]] -= r.N
					people -= r.N
				}
			}
		}
	}
	if people == 0 {
		return
	}
	top := st.Top
	ranked := topKeyCounts(labelRows(per), top)
	n := min(top, len(ranked))
	ranked = ranked[:n]
	for i := range ranked {
		ranked[i].key = orDash(ranked[i].key)
	}
	s.Prose(fmt.Sprintf("Which stems do people ask for? The requests of agents that name a known browser, %s of the %s (not crawlers or tools by name, not clients that fetched `/robots.txt`, not requests without an agent or whose agent names no browser), the top %d.", Int(people), Count(st.Total, "request"), n))
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

// labelRows is the rows of m with a count, unsorted.
func labelRows(m map[string]int) []keyCount {
	out := make([]keyCount, 0, len(m))
	for k, n := range m {
		if n > 0 {
			out = append(out, keyCount{key: k, n: n})
		}
	}
	return out
}
