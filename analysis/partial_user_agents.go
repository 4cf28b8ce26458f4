package analysis

import (
	"cmp"
	"context"
	"iter"
	"math"
	"slices"

	"github.com/logbook/logbook/frame"
)

// The state of user_agents, the section as a partial.
//
// What a chunk tells alone is counted per chunk: the requests per agent
// (each distinct agent classified once, through agentClasses), the
// requests, /robots.txt fetches and bytes per client (IP and agent), the
// first /robots.txt and first other request of each AI crawler, and each
// feed's latest announced subscribers. What only every record tells, which
// clients with a browser-like agent read /robots.txt (a client may read it
// in one chunk and pages in another), is found at Finish from the
// clients' counts: their requests and bytes then move to the crawlers.

// userAgentsState is what user_agents keeps of the records. Its strings
// are interned in Dicts (agents, IPs, and the few strings of feeds), its
// keys are their codes. Every field merges exactly: counts and sums add
// (bytes are whole numbers, whose float64 sums are exact below 2^53),
// first times take the minimum, a feed's latest count is the one of the
// greatest time (ties: the largest count), flags OR.
type userAgentsState struct {
	Total int // records
	// HasIPs, HasStems: a chunk had an IP, a stem column (the tables'
	// columns, and robots.txt readers, need them).
	HasIPs, HasStems bool
	// Agents are the distinct agents; AgentN their requests and
	// AgentClass their class (an index in Classes), by code.
	Agents     Dict
	AgentN     []int
	AgentClass []uint32
	// Classes are the distinct classes of the agents: a class is a pure
	// function of the agent and the user's crawler rules, the same in
	// every chunk.
	Classes []UAClass
	// IPs are the clients' IPs; Clients holds per client (its IP and
	// agent codes) its requests, /robots.txt fetches and bytes.
	IPs     Dict
	Clients UAClients
	// AI holds, per class of an AI crawler, the time of its first
	// /robots.txt fetch and of its first other request.
	AI map[uint32]UAFirsts
	// FeedStrings interns the readers, stems and feed ids of Feeds: per
	// feed, its latest announced subscribers.
	FeedStrings Dict
	Feeds       map[UAFeedKey]UAFeed

	user       []CrawlerRule      // in.Crawlers, for Add
	classIndex map[UAClass]uint32 // Classes' index, rebuilt on use
}

// UAClass is agentInfo as a state holds it: a crawler's name and kind
// ("" for a browser-like agent), and the browser and OS families.
type UAClass struct{ Crawler, Kind, Browser, OS string }

// UAClient is one client's requests, /robots.txt fetches and bytes sent.
type UAClient struct {
	N, Robots int
	Bytes     float64
}

// UAClients are the clients of a state, a slot each: its IP and agent
// codes (in the state's IPs and Agents) and its counts, in arrays rather
// than a map of a million clients.
type UAClients struct {
	IP, Agent []uint32
	N         []int
	Bytes     []float64
	// Robots are the /robots.txt fetches of the few clients that made
	// any, by slot: a slice of them was 8 MB of zeros on a million
	// distinct clients.
	Robots map[uint32]int

	index map[uint64]uint32 // pack2(IP, Agent) → slot, built on use
}

// Len is how many clients there are.
func (cl *UAClients) Len() int { return len(cl.IP) }

// slot returns the slot of the client (ip, ua), made when new.
func (cl *UAClients) slot(ip, ua uint32) uint32 {
	if cl.index == nil {
		cl.index = make(map[uint64]uint32, len(cl.IP))
		for i := range cl.IP {
			cl.index[pack2(cl.IP[i], cl.Agent[i])] = uint32(i)
		}
	}
	k := pack2(ip, ua)
	if i, ok := cl.index[k]; ok {
		return i
	}
	i := cl.push(ip, ua)
	cl.index[k] = i
	return i
}

// push appends the client (ip, ua), with no requests yet, and returns its
// slot; the caller knows it is new.
func (cl *UAClients) push(ip, ua uint32) uint32 {
	cl.IP, cl.Agent = append(cl.IP, ip), append(cl.Agent, ua)
	cl.N, cl.Bytes = append(cl.N, 0), append(cl.Bytes, 0)
	return uint32(len(cl.IP) - 1)
}

// reserve makes room for n more clients.
func (cl *UAClients) reserve(n int) {
	cl.IP, cl.Agent = slices.Grow(cl.IP, n), slices.Grow(cl.Agent, n)
	cl.N, cl.Bytes = slices.Grow(cl.N, n), slices.Grow(cl.Bytes, n)
}

// add adds c's counts to slot i.
func (cl *UAClients) add(i uint32, c UAClient) {
	cl.N[i] += c.N
	if c.Robots != 0 {
		if cl.Robots == nil {
			cl.Robots = map[uint32]int{}
		}
		cl.Robots[i] += c.Robots
	}
	cl.Bytes[i] += c.Bytes
}

// All yields each client, as pack2(IP, agent), and its counts.
func (cl *UAClients) All() iter.Seq2[uint64, UAClient] {
	return func(yield func(uint64, UAClient) bool) {
		for i := range cl.IP {
			if !yield(pack2(cl.IP[i], cl.Agent[i]), UAClient{cl.N[i], cl.Robots[uint32(i)], cl.Bytes[i]}) {
				return
			}
		}
	}
}

// UAFirsts is the time of an AI crawler's first /robots.txt fetch and of
// its first other request, in Unix seconds; math.MaxInt64 for none.
type UAFirsts struct{ Robots, Other int64 }

// UAFeedKey is a feed: its reader, the stem fetched and the feed id the
// agent names, as FeedStrings codes.
type UAFeedKey struct{ Reader, Stem, Feed uint32 }

// UAFeed is a feed's latest announced subscribers and the time of the
// request that announced them.
type UAFeed struct {
	Time        int64
	Subscribers int
}

// later reports whether f is later than g: a greater time, or at the same
// second the larger count (a rule on the values, not on the order records
// came in).
func (f UAFeed) later(g UAFeed) bool {
	return f.Time > g.Time || f.Time == g.Time && f.Subscribers > g.Subscribers
}

func newUserAgentsState(user []CrawlerRule) *userAgentsState {
	return &userAgentsState{AI: map[uint32]UAFirsts{}, Feeds: map[UAFeedKey]UAFeed{}, user: user}
}

// maps makes the maps a state read back without them lacks.
func (st *userAgentsState) maps() {
	if st.AI == nil {
		st.AI = map[uint32]UAFirsts{}
	}
	if st.Feeds == nil {
		st.Feeds = map[UAFeedKey]UAFeed{}
	}
}

// classCode returns the index of a class in Classes, added (its strings
// owned) when new.
func (st *userAgentsState) classCode(c UAClass) uint32 {
	if st.classIndex == nil {
		st.classIndex = make(map[UAClass]uint32, len(st.Classes))
		for i, x := range st.Classes {
			st.classIndex[x] = uint32(i)
		}
	}
	if i, ok := st.classIndex[c]; ok {
		return i
	}
	c = UAClass{own(c.Crawler), own(c.Kind), own(c.Browser), own(c.OS)}
	i := uint32(len(st.Classes))
	st.Classes = append(st.Classes, c)
	st.classIndex[c] = i
	return i
}

// class is the class of the agent of code ua.
func (st *userAgentsState) class(ua uint32) UAClass { return st.Classes[st.AgentClass[ua]] }

// addAgents adds requests per agent: counts (n per agent), classes and
// strings by codes of a chunk's or another state's dictionary, whose
// state codes are codes; it grows AgentN and AgentClass to the agents.
// class is the state's code of agent c's class (classCode), which the
// caller works out once per class of its own rather than once per agent:
// hashing a class's four strings a million times was more than half of
// the section on a million distinct agents (277 ms to 114).
//
// With own, counts are the caller's, written by no one after: a state
// with no agent yet whose codes are the counts' own (a run over one
// frame) takes them as its AgentN rather than a copy, 8 MB of a million
// distinct agents.
func (st *userAgentsState) addAgents(codes []uint32, counts []int, own bool, class func(c int) uint32) {
	old := len(st.AgentN)
	if own && old == 0 && len(counts) == st.Agents.Len() && identity(codes) {
		st.AgentN = counts[:len(counts):len(counts)]
		st.AgentClass = make([]uint32, len(counts))
		for c, n := range counts {
			if n > 0 {
				st.AgentClass[c] = class(c)
			}
		}
		return
	}
	if n := st.Agents.Len(); n > old {
		st.AgentN = append(st.AgentN, make([]int, n-old)...)
		st.AgentClass = append(st.AgentClass, make([]uint32, n-old)...)
	}
	for c, n := range counts {
		if n == 0 {
			continue
		}
		s := codes[c]
		if int(s) >= old {
			st.AgentClass[s] = class(c)
		}
		st.AgentN[s] += n
	}
}

func (st *userAgentsState) Add(_ context.Context, f *frame.Frame) error {
	st.maps()
	n := f.Len()
	st.Total += n
	st.HasIPs = st.HasIPs || strCol(f, frame.IP) != nil
	st.HasStems = st.HasStems || strCol(f, frame.Stem) != nil
	if n == 0 {
		return nil
	}
	// A chunk without an agent, IP or stem column reads it as empty
	// strings, as its rows would hold in a frame with other sources that
	// have it; one without bytes adds none (they would be missing).
	agents, ips, stems := strColOrEmpty(f, frame.UserAgent), strColOrEmpty(f, frame.IP), strColOrEmpty(f, frame.Stem)
	counts := agents.Counts()
	info := agentClasses(&agents, counts, st.user) // shared: read only
	need := make([]bool, len(counts))
	for c, k := range counts {
		need[c] = k > 0
	}
	uaCodes := st.Agents.CodesOf(&agents, need)
	classes := make([]uint32, len(info.classes)) // per class of info, its code here plus 1
	st.addAgents(uaCodes, counts, true, func(c int) uint32 {
		k := info.ids[c]
		if classes[k] == 0 {
			a := info.classes[k]
			classes[k] = st.classCode(UAClass{a.crawler, a.kind, a.browser, a.os}) + 1
		}
		return classes[k] - 1
	})

	sizes := f.Num(frame.Bytes)
	if len(sizes) != n {
		sizes = nil
	}
	robots, hasRobots := stems.Lookup("/robots.txt")
	// What else a row of an agent needs: AI crawlers their first times,
	// feed readers that announce subscribers their latest time.
	const (
		isAI = 1 << iota
		isFeed
	)
	kinds := make([]uint8, len(counts))
	anyKind := false
	for c, k := range info.ids {
		if counts[c] == 0 {
			continue
		}
		switch a := info.classes[k]; {
		case a.kind == KindAI:
			kinds[c], anyKind = isAI, true
		case a.kind == KindFeed:
			if _, _, ok := feedSubscribers(agents.Dict.Peek(uint32(c))); ok {
				kinds[c], anyKind = isFeed, true
			}
		}
	}
	var firsts map[uint32]UAFirsts // per AI agent code
	type feedRow struct{ ua, stem uint32 }
	var feeds map[feedRow]int64 // latest time per agent and stem
	if anyKind {
		firsts, feeds = map[uint32]UAFirsts{}, map[feedRow]int64{}
	}
	// Per client (the chunk's distinct IP and agent pairs, frame.RowPairs),
	// in one pass over the rows.
	pairs := frame.RowPairs(ips, agents)
	np := len(pairs.A)
	pn, pBytes := frame.MakeWritten[int](np), frame.MakeWritten[float64](np) // per pair
	var pRobots map[uint32]int                                               // per pair that fetched /robots.txt
	for i := range n {
		ua := agents.At(i)
		pk := pairs.Row[i]
		pn[pk]++
		isRobots := hasRobots && stems.At(i) == robots
		if isRobots {
			if pRobots == nil {
				pRobots = map[uint32]int{}
			}
			pRobots[pk]++
		}
		if sizes != nil {
			if b := sizes[i]; !math.IsNaN(b) {
				pBytes[pk] += b
			}
		}
		if !anyKind || kinds[ua] == 0 {
			continue
		}
		t := f.Time[i]
		if kinds[ua] == isAI {
			old, ok := firsts[ua]
			if !ok {
				old = UAFirsts{math.MaxInt64, math.MaxInt64}
			}
			if isRobots {
				old.Robots = min(old.Robots, t)
			} else {
				old.Other = min(old.Other, t)
			}
			firsts[ua] = old
			continue
		}
		k := feedRow{ua, stems.At(i)}
		if last, ok := feeds[k]; !ok || t > last {
			feeds[k] = t
		}
	}
	for ua, fs := range firsts {
		st.addFirsts(st.AgentClass[uaCodes[ua]], fs)
	}

	needIP := make([]bool, ips.Dict.Len())
	for _, ip := range pairs.A {
		needIP[ip] = true
	}
	ipCodes := st.IPs.CodesOf(&ips, needIP)
	// A state with no client yet takes the chunk's as they are: distinct
	// pairs of distinct codes; when the state's codes are the chunk's (a
	// run over one frame), the pairs themselves, shared and capped as a
	// fresh Clients takes them, and the counts as they were summed.
	fresh := st.Clients.Len() == 0 && st.Clients.index == nil
	if fresh && identity(ipCodes) && identity(uaCodes) {
		cl := &st.Clients
		cl.IP, cl.Agent = pairs.A[:np:np], pairs.B[:np:np]
		cl.N, cl.Robots, cl.Bytes = pn, pRobots, pBytes
	} else {
		if fresh {
			st.Clients.reserve(np)
		}
		for k := range np {
			ip, ua := ipCodes[pairs.A[k]], uaCodes[pairs.B[k]]
			c := UAClient{pn[k], pRobots[uint32(k)], pBytes[k]}
			if fresh {
				st.Clients.add(st.Clients.push(ip, ua), c)
				continue
			}
			st.Clients.add(st.Clients.slot(ip, ua), c)
		}
	}

	for k, t := range feeds {
		subs, feed, _ := feedSubscribers(agents.Dict.At(k.ua))
		key := UAFeedKey{st.FeedStrings.Code(info.at(int(k.ua)).crawler), st.FeedStrings.Code(stems.Dict.At(k.stem)), st.FeedStrings.Code(feed)}
		st.addFeed(key, UAFeed{t, subs})
	}
	return nil
}

func (st *userAgentsState) addFirsts(class uint32, f UAFirsts) {
	old, ok := st.AI[class]
	if ok {
		f = UAFirsts{min(old.Robots, f.Robots), min(old.Other, f.Other)}
	}
	st.AI[class] = f
}

func (st *userAgentsState) addFeed(k UAFeedKey, f UAFeed) {
	if old, ok := st.Feeds[k]; !ok || f.later(old) {
		st.Feeds[k] = f
	}
}

func (st *userAgentsState) Merge(other State) error {
	o, err := mergeAs[*userAgentsState](other)
	if err != nil {
		return err
	}
	st.maps()
	st.Total += o.Total
	st.HasIPs = st.HasIPs || o.HasIPs
	st.HasStems = st.HasStems || o.HasStems
	classes := make([]uint32, len(o.Classes))
	for i, c := range o.Classes {
		classes[i] = st.classCode(c)
	}
	uaCodes := st.Agents.Remap(&o.Agents)
	st.addAgents(uaCodes, o.AgentN, false, func(c int) uint32 { return classes[o.AgentClass[c]] })
	ipCodes := st.IPs.Remap(&o.IPs)
	for k, c := range o.Clients.All() {
		st.Clients.add(st.Clients.slot(ipCodes[k>>32], uaCodes[uint32(k)]), c)
	}
	for c, f := range o.AI {
		st.addFirsts(classes[c], f)
	}
	fs := st.FeedStrings.Remap(&o.FeedStrings)
	for k, f := range o.Feeds {
		st.addFeed(UAFeedKey{fs[k.Reader], fs[k.Stem], fs[k.Feed]}, f)
	}
	return nil
}

// uaReaders are the clients with a browser-like agent (not a crawler by
// name) that fetched /robots.txt: none without IPs or stems. A client is
// an IP and an agent: the requests without an IP are no one client's (an
// agent's requests without one may be many people's), so that they are
// never a reader's, as addReaders finds the readers of uri_stems and
// visitors.
type uaReaders struct {
	on       bool              // readers can exist: the log has IPs and stems
	noIP     func(uint32) bool // the codes of a missing IP (missingIPCodes)
	clients  int               // how many
	requests int               // their requests
	moved    map[uint32]int    // their requests per agent code
}

// is reports whether the client k is a robots.txt reader.
func (r *uaReaders) is(st *userAgentsState, k uint64, c UAClient) bool {
	return r.on && c.Robots > 0 && !r.noIP(uint32(k>>32)) && st.class(uint32(k)).Crawler == ""
}

func (st *userAgentsState) robotsReaders() *uaReaders {
	r := &uaReaders{on: st.HasIPs && st.HasStems, noIP: missingIPCodes(&st.IPs), moved: map[uint32]int{}}
	if !r.on {
		return r
	}
	for k, c := range st.Clients.All() {
		if r.is(st, k, c) {
			r.clients++
			r.requests += c.N
			r.moved[uint32(k)] += c.N
		}
	}
	return r
}

// crawlerCounts counts requests, distinct IPs, distinct agents and
// robots.txt fetches per crawler name (robots.txt readers as one), most
// requests first, then by name; and the crawlers' requests in all. A name
// that agents give with several kinds (a user's rule and a generic bot)
// shows the first kind in byte order.
func (st *userAgentsState) crawlerCounts(rd *uaReaders) (rows []crawlerCount, total int) {
	index := map[string]int{}
	for c, n := range st.AgentN {
		cl := st.class(uint32(c))
		if n == 0 || cl.Crawler == "" {
			continue
		}
		k, ok := index[cl.Crawler]
		if !ok {
			k = len(rows)
			index[cl.Crawler] = k
			rows = append(rows, crawlerCount{name: cl.Crawler, kind: cl.Kind})
		}
		r := &rows[k]
		r.requests += n
		r.agents++
		if cl.Kind < r.kind {
			r.kind = cl.Kind
		}
	}
	readerRow := -1
	if rd.clients > 0 {
		readerRow = len(rows)
		rows = append(rows, crawlerCount{name: robotsReader, kind: kindRobotsReader, requests: rd.requests, agents: len(rd.moved)})
	}
	if len(rows) == 0 {
		return nil, 0
	}
	// Distinct IPs per row: the (row, IP) of each client, sorted; the
	// requests without an IP are no client.
	var keys []uint64
	noIP := missingIPCodes(&st.IPs)
	for k, c := range st.Clients.All() {
		cl := st.class(uint32(k))
		row := -1
		switch {
		case cl.Crawler != "":
			row = index[cl.Crawler]
		case rd.is(st, k, c):
			row = readerRow
		default:
			continue
		}
		rows[row].robots += c.Robots
		if !noIP(uint32(k >> 32)) {
			keys = append(keys, uint64(row)<<32|k>>32)
		}
	}
	for _, k := range sortedDistinct(keys) {
		rows[k>>32].clients++
	}
	for _, r := range rows {
		total += r.requests
	}
	slices.SortFunc(rows, func(a, b crawlerCount) int { return byCountThenKey(a.requests, a.name, b.requests, b.name) })
	return rows, total
}

// sortedDistinct sorts keys and returns them each once.
func sortedDistinct(keys []uint64) []uint64 {
	slices.Sort(keys)
	return slices.Compact(keys)
}

// botBytesShare is the share of the bytes sent that went to crawlers and
// tools (robots.txt readers included); ok is false without bytes.
func (st *userAgentsState) botBytesShare(rd *uaReaders) (float64, bool) {
	var all, bots float64
	for k, c := range st.Clients.All() {
		all += c.Bytes
		if st.class(uint32(k)).Crawler != "" || rd.is(st, k, c) {
			bots += c.Bytes
		}
	}
	if all == 0 {
		return 0, false
	}
	return bots / all, true
}

// aiCrawlers counts the requests of each AI crawler, most first, with
// whether it fetched /robots.txt before its first other request.
func (st *userAgentsState) aiCrawlers() []aiCrawler {
	index := map[string]int{}
	var rows []aiCrawler
	const never = math.MaxInt64
	var firsts []UAFirsts
	for c, n := range st.AgentN {
		cl := st.class(uint32(c))
		if n == 0 || cl.Kind != KindAI {
			continue
		}
		k, ok := index[cl.Crawler]
		if !ok {
			k = len(rows)
			index[cl.Crawler] = k
			rows = append(rows, aiCrawler{name: cl.Crawler})
			firsts = append(firsts, UAFirsts{never, never})
		}
		rows[k].requests += n
	}
	if len(rows) == 0 {
		return nil
	}
	for c, f := range st.AI {
		k := index[st.Classes[c].Crawler]
		firsts[k] = UAFirsts{min(firsts[k].Robots, f.Robots), min(firsts[k].Other, f.Other)}
	}
	var keys []uint64
	noIP := missingIPCodes(&st.IPs)
	for k := range st.Clients.All() {
		if cl := st.class(uint32(k)); cl.Kind == KindAI && !noIP(uint32(k>>32)) {
			keys = append(keys, uint64(index[cl.Crawler])<<32|k>>32)
		}
	}
	for _, k := range sortedDistinct(keys) {
		rows[k>>32].clients++
	}
	for k := range rows {
		r := &rows[k]
		f := firsts[k]
		r.first = min(f.Robots, f.Other)
		switch {
		case f.Robots == never:
			r.robots = "never"
		case f.Robots <= f.Other:
			r.robots = "yes"
		default:
			r.robots = "no"
		}
	}
	slices.SortFunc(rows, func(a, b aiCrawler) int { return byCountThenKey(a.requests, a.name, b.requests, b.name) })
	return rows
}

// feedReaders is each feed's latest announced subscribers, most first.
func (st *userAgentsState) feedReaders() []feedCount {
	out := make([]feedCount, 0, len(st.Feeds))
	str := &st.FeedStrings
	for k, f := range st.Feeds {
		out = append(out, feedCount{reader: str.At(k.Reader), stem: orDash(str.At(k.Stem)), feed: str.At(k.Feed), subscribers: f.Subscribers, last: f.Time})
	}
	slices.SortFunc(out, func(a, b feedCount) int {
		if c := byCountThenKey(a.subscribers, a.reader, b.subscribers, b.reader); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.stem, b.stem), cmp.Compare(a.feed, b.feed), cmp.Compare(a.last, b.last))
	})
	return out
}

// familyStats counts, per browser family, the requests and the client IPs
// behind them (robots.txt readers' requests, moved to the crawlers, left
// out), most requests first.
func (st *userAgentsState) familyStats(rd *uaReaders) []familyStat {
	index := map[string]int{}
	var names []string
	fam := make([]int32, len(st.Classes)) // class → family index, -1 for none
	for c, cl := range st.Classes {
		fam[c] = -1
		if cl.Crawler != "" || cl.Browser == "" || cl.Browser == familyUnknown || cl.Browser == familyOther {
			continue
		}
		k, ok := index[cl.Browser]
		if !ok {
			k = len(names)
			index[cl.Browser] = k
			names = append(names, cl.Browser)
		}
		fam[c] = int32(k)
	}
	type ipN struct {
		ip uint32
		n  int
	}
	famOf := func(k uint64, c UAClient) int32 {
		if f := fam[st.AgentClass[uint32(k)]]; f >= 0 && !rd.is(st, k, c) {
			return f
		}
		return -1
	}
	if slices.IsSorted(st.Clients.IP) {
		return st.familyStatsByIP(names, famOf)
	}
	// The clients of each family, each list made at its size (counted
	// first): a million clients appended one at a time grow their lists
	// through twice their size.
	sizes := make([]int, len(names))
	for k, c := range st.Clients.All() {
		if f := famOf(k, c); f >= 0 {
			sizes[f]++
		}
	}
	per := make([][]ipN, len(names))
	for f, n := range sizes {
		per[f] = make([]ipN, 0, n)
	}
	for k, c := range st.Clients.All() {
		if f := famOf(k, c); f >= 0 {
			per[f] = append(per[f], ipN{uint32(k >> 32), c.N})
		}
	}
	var out []familyStat
	isNoIP := missingIPCodes(&st.IPs)
	sum := make([]int, st.IPs.Len()) // requests per IP of one family
	for k, list := range per {
		if len(list) == 0 {
			continue
		}
		for _, p := range list {
			sum[p.ip] += p.n
		}
		s := familyStat{family: names[k]}
		for _, p := range list {
			n := sum[p.ip]
			if n == 0 {
				continue // counted already
			}
			sum[p.ip] = 0
			s.requests += n
			if isNoIP(p.ip) {
				s.noIP += n // no client
				continue
			}
			s.clients++
			if ip := st.IPs.At(p.ip); n > s.topN || n == s.topN && ip < s.topIP {
				s.topN, s.topIP = n, ip
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b familyStat) int { return byCountThenKey(a.requests, a.family, b.requests, b.family) })
	return out
}

// familyStatsByIP is familyStats for clients in the order of their IPs (a
// state of one frame's, whose clients are its RowPairs): the clients of
// one IP are together, so that each family's requests per IP are summed
// an IP at a time, rather than in lists of every family's clients and a
// sum per IP (24 MB for a million clients).
func (st *userAgentsState) familyStatsByIP(names []string, famOf func(k uint64, c UAClient) int32) []familyStat {
	stats := make([]familyStat, len(names))
	for f, name := range names {
		stats[f].family = name
	}
	sum := make([]int, len(names)) // requests of the current IP per family
	seen := make([]bool, len(names))
	isNoIP := missingIPCodes(&st.IPs)
	var touched []int32 // the families of the current IP
	flush := func(ip uint32) {
		for _, f := range touched {
			n, s := sum[f], &stats[f]
			sum[f], seen[f] = 0, false
			if n == 0 {
				continue
			}
			s.requests += n
			if isNoIP(ip) {
				s.noIP += n // no client
				continue
			}
			s.clients++
			// Ties are not broken by the IPs' strings, as familyStats
			// breaks them: the top client is named only when it sent
			// most of its family's requests (familySentence), which a
			// tied one cannot, and reading every IP to compare it was a
			// tenth of the section on a million distinct clients.
			if n > s.topN {
				s.topN, s.topIP = n, st.IPs.At(ip)
			}
		}
		touched = touched[:0]
	}
	cur := uint32(0)
	for k, c := range st.Clients.All() {
		ip, _ := unpack2(k)
		if ip != cur {
			flush(cur)
			cur = ip
		}
		if f := famOf(k, c); f >= 0 {
			if !seen[f] {
				seen[f] = true
				touched = append(touched, f)
			}
			sum[f] += c.N
		}
	}
	flush(cur)
	var out []familyStat
	for _, s := range stats {
		if s.requests > 0 {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b familyStat) int { return byCountThenKey(a.requests, a.family, b.requests, b.family) })
	return out
}
