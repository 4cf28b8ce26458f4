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
		Heavy: true,
		Cost:  95, // ms per million rows
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
	// classifyChunk) per stem code, robots.txt readers' included, and
	// ClientPeople the same requests per client (an IP and agent of
	// Clients). The readers' are taken out at Finish: ReaderHuman counts
	// per stem the requests of clients known to be readers (as they come,
	// once known; and, when one becomes known, its earlier ones, moved
	// from People), and People the requests per (client, stem),
	// pack2(client, stem), of the clients not known to be readers yet.
	// People holds a map entry (about 20 bytes, no pointer) per pair, up
	// to peopleKeysMax of them; past it, the pairs of the clients with the
	// fewest requests are let go (evictPeople: a reader of robots.txt is
	// a crawler, whose requests are many), Dropped counts per client the
	// requests let go and Evicted marks their stems: should such a client
	// turn out to be a reader, Finish states the bound it knows exactly
	// (the readers' dropped requests).
	Human, ReaderHuman    []int
	Clients               Clients
	People                Counter[uint64]
	ClientPeople, Dropped []int
	Evicted               []bool

	reader []bool        // per client, whether it is a reader (rebuilt after gob)
	whole  bool          // the state takes one whole frame and is never merged (addWhole)
	user   []CrawlerRule // in.Crawlers, for Add
}

func (a *uriStems) NewState(in *Input) State {
	st := &uriStemsState{Top: a.top, Readers: map[Pair]bool{}, People: Counter[uint64]{}, user: in.Crawlers}
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
	stem := st.StemDict.CodesOf(&c.stems, need)
	if len(st.Stems) == 0 && len(counts) == st.StemDict.Len() && identity(stem) {
		st.Stems = counts // coded as the column (a whole frame's): its counts are the state's
	} else {
		st.Stems = growTo(st.Stems, st.StemDict.Len())
		for code, n := range counts {
			if n > 0 {
				st.Stems[stem[code]] += n
			}
		}
	}
	st.AnyCrawler = st.AnyCrawler || c.anyCrawler()
	known := len(st.Readers)
	c.addReaders(st.Readers)

	// The people's requests per stem, and per client and stem, on the
	// state's codes. A whole frame with no reader of /robots.txt (all
	// known by now) needs none per client: the readers' are what Finish
	// takes out of the stems' (a million clients and stems: 16 MB).
	person := func(i int) bool { return !c.bot[c.agents.At(i)] }
	st.Human = growTo(st.Human, st.StemDict.Len())
	if st.whole && len(st.Readers) == 0 {
		for i := range f.Len() {
			if person(i) {
				st.Human[stem[c.stems.At(i)]]++
			}
		}
		return nil
	}
	clients := newChunkClients(&st.Clients, c.ips, c.agents, person, false)
	if len(st.Readers) > known || st.reader == nil {
		st.markReaders() // and fold the pairs of the readers new to the state
	}
	st.ReaderHuman = growTo(st.ReaderHuman, st.StemDict.Len())
	st.ClientPeople = growTo(st.ClientPeople, st.Clients.Len())
	for i := range f.Len() {
		if !person(i) {
			continue
		}
		s, cl := stem[c.stems.At(i)], clients.Of(i)
		st.Human[s]++
		st.ClientPeople[cl]++
		if st.isReader(cl) {
			st.ReaderHuman[s]++
			continue
		}
		if st.whole {
			continue // every reader is known: no pair is needed
		}
		st.People[pack2(cl, s)]++
		if len(st.People) > peopleKeysMax {
			st.evictPeople()
		}
	}
	return nil
}

// markReaders marks the clients that are readers (Readers), and moves
// the pairs People holds of readers into ReaderHuman.
func (st *uriStemsState) markReaders() {
	st.reader, _ = st.Clients.Marked(st.Readers)
	st.ReaderHuman = growTo(st.ReaderHuman, st.StemDict.Len())
	for k, n := range st.People {
		if c, s := unpack2(k); st.reader[c] {
			st.ReaderHuman[s] += n
			delete(st.People, k)
		}
	}
}

// isReader says whether client c is a reader; a client made since the
// last markReaders is looked up by its strings.
func (st *uriStemsState) isReader(c uint32) bool {
	for int(c) >= len(st.reader) {
		n := uint32(len(st.reader))
		ip, ua := st.Clients.IPs.At(st.Clients.IP[n]), st.Clients.Agents.At(st.Clients.Agent[n])
		st.reader = append(st.reader, st.Readers[Pair{ip, ua}])
	}
	return st.reader[c]
}

// addWhole adds the whole frame of a run over one frame: the readers of
// /robots.txt are all known before its rows are counted, so no pair of
// client and stem is kept.
func (st *uriStemsState) addWhole(ctx context.Context, f *frame.Frame) error {
	st.whole = true
	return st.Add(ctx, f)
}

// peopleKeysMax is how many (client, stem) pairs a uri_stems state keeps
// (about 40 MB of them): a var for tests.
var peopleKeysMax = 1 << 21

// evictPeople keeps People within peopleKeysMax pairs: past it, the pairs
// of the clients with the fewest requests so far go, down to half of it,
// counted per client in Dropped, their stems marked in Evicted. A reader
// of /robots.txt with a browser's agent is a crawler in disguise, whose
// requests are many: what goes bounds memory at a cost that is nil unless
// a client of few requests reads /robots.txt later, which the table then
// states.
func (st *uriStemsState) evictPeople() {
	if len(st.People) <= peopleKeysMax {
		return
	}
	weights := make([]int, 0, len(st.People))
	for k := range st.People {
		c, _ := unpack2(k)
		weights = append(weights, st.ClientPeople[c])
	}
	slices.Sort(weights)
	theta := weights[len(weights)-peopleKeysMax/2-1] // pairs of clients with at most theta requests go
	st.Evicted = growBools(st.Evicted, st.StemDict.Len())
	st.Dropped = growTo(st.Dropped, st.Clients.Len())
	for k, n := range st.People {
		if c, s := unpack2(k); st.ClientPeople[c] <= theta {
			st.Evicted[s] = true
			st.Dropped[c] += n
			delete(st.People, k)
		}
	}
}

func (st *uriStemsState) Merge(other State) error {
	o, err := mergeAs[*uriStemsState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	stem := st.StemDict.Remap(&o.StemDict)
	st.Stems = addRemapped(st.Stems, o.Stems, stem, st.StemDict.Len())
	st.Human = addRemapped(st.Human, o.Human, stem, st.StemDict.Len())
	st.ReaderHuman = addRemapped(st.ReaderHuman, o.ReaderHuman, stem, st.StemDict.Len())
	st.HasAgents = st.HasAgents || o.HasAgents
	st.HasIPs = st.HasIPs || o.HasIPs
	st.AnyCrawler = st.AnyCrawler || o.AnyCrawler
	mergeReaders(st.Readers, o.Readers)
	client := st.Clients.Remap(&o.Clients)
	st.ClientPeople = addRemapped(st.ClientPeople, o.ClientPeople, client, st.Clients.Len())
	st.Dropped = addRemapped(st.Dropped, o.Dropped, client, st.Clients.Len())
	st.Evicted = growBools(st.Evicted, st.StemDict.Len())
	for c, e := range o.Evicted {
		st.Evicted[stem[c]] = st.Evicted[stem[c]] || e
	}
	st.markReaders() // o's readers may be st's clients, and st's o's
	for k, n := range o.People {
		c, s := unpack2(k)
		if c, s = client[c], stem[s]; st.isReader(c) {
			st.ReaderHuman[s] += n
			continue
		}
		st.People[pack2(c, s)] += n
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
	// Stems asked for once, and how many were asked for more often than
	// /robots.txt and as often: no stem's string is read.
	distinct, once := 0, 0
	above, tied := 0, 0 // stems requested more often than /robots.txt, and as often
	robots := 0
	if c, ok := st.StemDict.Lookup("/robots.txt"); ok {
		robots = st.Stems[c]
	}
	for _, n := range st.Stems {
		if n == 0 {
			continue
		}
		distinct++
		if n == 1 {
			once++
		}
		switch {
		case robots == 0:
		case n > robots:
			above++
		case n == robots:
			tied++ // and /robots.txt itself, taken off below
		}
	}
	keep := max(st.Top, 10)
	if in.MaxRows > 0 {
		keep = max(keep, in.MaxRows)
	} else {
		keep = distinct
	}
	ranked := topCodeCounts(&st.StemDict, st.Stems, max(keep, 1))
	for i := range ranked {
		ranked[i].key = orDash(ranked[i].key)
	}
	tab := limitedCountsTable(in.MaxRows, "uri_stem_share", "Share of requests per URI stem", "uri_stem", ranked, "share", total)
	if distinct > len(ranked) {
		tab.Skip(distinct - len(ranked))
	}
	tab.Index = -1 // a row number, as the seed notebook showed it
	top := min(st.Top, distinct)
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
	if distinct == 1 {
		if total == 1 {
			s.Conclude(fmt.Sprintf("The one request went to %s.", Code(lead.key)))
		} else {
			s.Conclude(fmt.Sprintf("All %s went to one URI stem, %s.", Count(total, "request"), Code(lead.key)))
		}
	} else if lead.n == 1 {
		// No stem was asked for twice: there is no most requested one,
		// and no top to speak of.
		s.Conclude(fmt.Sprintf("%s went to %s distinct URI stems, each requested once.", Count(total, "request"), Int(distinct)))
	} else {
		s.Conclude(fmt.Sprintf("%s went to %s distinct URI stems. The most requested, %s, received %s (%s).",
			Count(total, "request"), Int(distinct), Code(lead.key), Count(lead.n, "request"), Pct(float64(lead.n)/float64(total))))
	}
	if distinct > 10 && lead.n > 1 {
		// With ten stems or fewer, the top ten are all of them: 100%
		// says nothing.
		k := 10
		sum := 0
		for _, r := range ranked[:k] {
			sum += r.n
		}
		s.Conclude(fmt.Sprintf("The top %d stems account for %s of all requests.", k, Pct(float64(sum)/float64(total))))
	}
	if once > 0 && distinct > 1 && once < distinct {
		s.Conclude(fmt.Sprintf("%s of the %s stems %s requested only once.", Int(once), Int(distinct), verb(once, "was", "were")))
	}
	if !st.HasIPs {
		clear(st.Readers) // robotsReaders finds none without IPs
	}
	if st.HasAgents && (st.AnyCrawler || len(st.Readers) > 0) {
		st.humanStems(s)
	}
	if robots > 0 {
		// The rank counts from 1, as a reader does; the table's index
		// counts from 0, as pandas' does.
		// A place among stems of the same count is only the table's
		// order by name: then the ties are said instead.
		tied--
		which := "the most requested stem"
		switch {
		case tied > 0 && above > 0:
			which = fmt.Sprintf("%s %s requested as often, and %s more often", Count(tied, "other stem"), verb(tied, "was", "were"), Int(above))
		case tied > 0:
			which = fmt.Sprintf("%s %s requested as often, none more often", Count(tied, "other stem"), verb(tied, "was", "were"))
		case above > 0:
			which = "the " + Ordinal(above+1) + " most requested stem"
		}
		s.Conclude(fmt.Sprintf("%s was requested %s (%s), a sign of crawlers.", Code("/robots.txt"), timesWords(robots), which))
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
	unplaced, readers := 0, 0 // readers' requests dropped (evictPeople), and the readers
	if len(st.Readers) > 0 {
		per = slices.Clone(per)
		st.markReaders()
		for c, r := range st.reader {
			if r && c < len(st.ClientPeople) && st.ClientPeople[c] > 0 {
				people -= st.ClientPeople[c]
				readers++
				if c < len(st.Dropped) {
					unplaced += st.Dropped[c]
				}
			}
		}
		for s, n := range st.ReaderHuman {
			per[s] -= n
		}
	}
	if people == 0 {
		return
	}
	top := st.Top
	ranked := topCodeCounts(&st.StemDict, per, top)
	n := min(top, len(ranked))
	ranked = ranked[:n]
	// The stems shown whose pairs were let go (evictPeople), by the codes
	// in StemDict that topCodeCounts gives: no look-up of their strings.
	marked := 0
	for _, r := range ranked {
		if int(r.code) < len(st.Evicted) && st.Evicted[r.code] {
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
