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
	return runPartial(ctx, a, in)
}

var _ Partial = (*uriStems)(nil)

// uriStemsState counts the requests per stem, and for the people's table
// (humanStems) the requests of browser-like agents per client and stem:
// whether a client is a person depends on whether it read /robots.txt,
// which another chunk may tell, so the counts stay per client until
// Finish leaves the readers out. Every field is a count, a set or a flag:
// they merge by adding, uniting and OR. Strings are held once each, in
// the state's dictionaries; the rest is codes.
type uriStemsState struct {
	Top   int // the top parameter
	Total int
	// StemDict holds the stems; Stems counts the requests per stem code.
	StemDict Dict
	Stems    []int
	// HasAgents: a chunk had a user agent column (the people's table needs
	// one); HasIPs: one had an IP column (robots.txt readers need one).
	HasAgents, HasIPs bool
	// AnyCrawler: a request came from a crawler or tool by name.
	AnyCrawler bool
	// Readers are the clients (IP, agent) with an agent that is not a
	// crawler by name that fetched /robots.txt.
	Readers map[Pair]bool
	// Human counts the requests of browser-like agents (not bot per
	// classifyChunk) per stem code, robots.txt readers' included; People
	// holds the same requests per client and stem (pack2(client, stem)),
	// so that Finish can take the readers' out, and ClientPeople the
	// same requests per client. People holds 16 bytes per distinct
	// (client, stem) up to peopleKeysMax of them; past it, the pairs of
	// the stems people asked for least are let go (evictPeople) and their
	// stems marked in Evicted: a reader's requests of such a stem can no
	// longer be taken out of it, which Finish states with the bound it
	// knows exactly (the readers' requests, from ClientPeople, that People
	// no longer holds).
	Human        []int
	Clients      Clients
	People       KeyCounts
	ClientPeople []int
	Evicted      []bool

	user []CrawlerRule // in.Crawlers, for Add
}

func (a *uriStems) NewState(in *Input) State {
	st := &uriStemsState{Top: a.top, Readers: map[Pair]bool{}, user: in.Crawlers}
	st.StemDict.Borrow(in)
	st.Clients.Borrow(in)
	return st
}

func (st *uriStemsState) Add(_ context.Context, f *frame.Frame) error {
	st.Total += f.Len()
	st.HasAgents = st.HasAgents || strCol(f, frame.UserAgent) != nil
	st.HasIPs = st.HasIPs || strCol(f, frame.IP) != nil
	if f.Len() == 0 {
		return nil
	}
	c := classifyChunk(f, st.user)
	counts := c.stems.Counts()
	need := make([]bool, len(counts))
	for code, n := range counts {
		need[code] = n > 0
	}
	stem := st.StemDict.Codes(c.stems.Dict, need)
	st.Stems = growTo(st.Stems, st.StemDict.Len())
	for code, n := range counts {
		if n > 0 {
			st.Stems[stem[code]] += n
		}
	}
	st.AnyCrawler = st.AnyCrawler || c.anyCrawler()
	c.addReaders(st.Readers)

	// The people's requests per client and stem, on the state's codes.
	person := func(i int) bool { return !c.bot[c.agents.At(i)] }
	kept := 0
	for i := range f.Len() {
		if person(i) {
			kept++
		}
	}
	if kept == 0 {
		return nil
	}
	clients := newChunkClients(&st.Clients, c.ips, c.agents, person)
	st.Human = growTo(st.Human, st.StemDict.Len())
	keys := make([]uint64, 0, kept)
	for i := range f.Len() {
		if !person(i) {
			continue
		}
		s, cl := stem[c.stems.At(i)], clients.Of(i)
		st.Human[s]++
		st.ClientPeople = growTo(st.ClientPeople, int(cl)+1)
		st.ClientPeople[cl]++
		keys = append(keys, pack2(cl, s))
	}
	st.People.AddKeys(keys)
	st.evictPeople()
	return nil
}

// peopleKeysMax is how many (client, stem) pairs a uri_stems state keeps
// (32 MB of them): a var for tests.
var peopleKeysMax = 1 << 21

// evictPeople keeps People within peopleKeysMax pairs: past it, the pairs
// of the stems people asked for least so far go, down to half of it, and
// their stems are marked in Evicted. The stems the people's table shows
// are the most requested, whose pairs stay: what goes bounds memory at a
// cost the table states, if a reader of /robots.txt asked for one of
// them.
func (st *uriStemsState) evictPeople() {
	if st.People.Len() <= peopleKeysMax {
		return
	}
	st.People.Compact()
	r := st.People.Runs[0]
	weights := make([]int, len(r.Keys))
	for i, k := range r.Keys {
		_, s := unpack2(k)
		weights[i] = st.Human[s]
	}
	slices.Sort(weights)
	keep := peopleKeysMax / 2
	theta := weights[len(weights)-keep-1] // pairs of stems with at most theta requests go
	st.Evicted = growBools(st.Evicted, st.StemDict.Len())
	out := KeyRun{Keys: make([]uint64, 0, keep), Counts: make([]int, 0, keep)}
	for i, k := range r.Keys {
		if _, s := unpack2(k); st.Human[s] <= theta {
			st.Evicted[s] = true
			continue
		}
		out.Keys, out.Counts = append(out.Keys, k), append(out.Counts, r.Counts[i])
	}
	st.People.Runs = []KeyRun{out}
}

func (st *uriStemsState) Merge(other State) error {
	o, err := mergeAs[*uriStemsState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	stem := st.StemDict.Remap(&o.StemDict)
	st.Stems = growTo(st.Stems, st.StemDict.Len())
	for c, n := range o.Stems {
		st.Stems[stem[c]] += n
	}
	st.Human = growTo(st.Human, st.StemDict.Len())
	for c, n := range o.Human {
		st.Human[stem[c]] += n
	}
	st.HasAgents = st.HasAgents || o.HasAgents
	st.HasIPs = st.HasIPs || o.HasIPs
	st.AnyCrawler = st.AnyCrawler || o.AnyCrawler
	mergeReaders(st.Readers, o.Readers)
	client := st.Clients.Remap(&o.Clients)
	for _, r := range o.People.Runs {
		keys := make([]uint64, len(r.Keys))
		for i, k := range r.Keys {
			c, s := unpack2(k)
			keys[i] = pack2(client[c], stem[s])
		}
		st.People.AddRun(KeyRun{Keys: keys, Counts: r.Counts})
	}
	st.ClientPeople = growTo(st.ClientPeople, st.Clients.Len())
	for c, n := range o.ClientPeople {
		st.ClientPeople[client[c]] += n
	}
	st.Evicted = growBools(st.Evicted, st.StemDict.Len())
	for c, e := range o.Evicted {
		st.Evicted[stem[c]] = st.Evicted[stem[c]] || e
	}
	st.evictPeople()
	return nil
}

func (st *uriStemsState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	s := &Section{}
	s.Prose("Which paths receive the requests? The share is the fraction of all requests; a request with no readable path counts as `-`.")

	// The rows the table, the plot and the sentences show, ranked without
	// sorting every stem; the others are counted.
	all := st.stemRows(st.Stems)
	// Stems asked for once, and the rank of /robots.txt, before
	// topKeyCounts reorders all.
	once, rank := 0, 1
	robots := 0
	if c, ok := st.StemDict.Lookup("/robots.txt"); ok {
		robots = st.Stems[c]
	}
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
	per := st.Human // read only, unless readers are taken out
	people := 0
	for _, n := range st.Human {
		people += n
	}
	unplaced, readers := 0, 0 // readers' requests People no longer holds, and the readers
	if len(st.Readers) > 0 {
		per = slices.Clone(per)
		if isReader, found := st.Clients.Marked(st.Readers); found {
			for c, r := range isReader {
				if r && c < len(st.ClientPeople) && st.ClientPeople[c] > 0 {
					people -= st.ClientPeople[c]
					unplaced += st.ClientPeople[c]
					readers++
				}
			}
			st.People.Each(func(k uint64, n int) {
				if c, stem := unpack2(k); isReader[c] {
					per[stem] -= n
					unplaced -= n
				}
			})
		}
	}
	if people == 0 {
		return
	}
	top := st.Top
	ranked := topKeyCounts(st.stemRows(per), top)
	n := min(top, len(ranked))
	ranked = ranked[:n]
	marked := 0 // stems shown whose pairs were let go (evictPeople)
	for _, r := range ranked {
		if c, ok := st.StemDict.Lookup(r.key); ok && int(c) < len(st.Evicted) && st.Evicted[c] {
			marked++
		}
	}
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
	if unplaced > 0 && marked > 0 {
		// Some readers' requests went with evicted pairs: the stems shown
		// that lost pairs may still count them.
		s.Conclude(fmt.Sprintf("The counts of %s of these stems may include up to %s of the %s that fetched %s, which the table leaves out elsewhere: past %s distinct (client, stem) pairs, the report stops keeping which client asked for the stems people asked for least.",
			Int(marked), Count(unplaced, "request"), Count(readers, "client"), Code("/robots.txt"), Int(peopleKeysMax)))
	}
}

// stemRows is the stems with a count in per (indexed by stem code),
// unsorted.
func (st *uriStemsState) stemRows(per []int) []keyCount {
	out := make([]keyCount, 0, len(per))
	for c, n := range per {
		if n > 0 {
			out = append(out, keyCount{key: st.StemDict.Strings[c], n: n})
		}
	}
	return out
}
