package analysis

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "visitors",
		Title: "Visitors, pages and referring sites",
		Doc:   "Unique visitors per day (IP, user agent and day, 4xx responses left out, as GoAccess counts them), those with a browser-like agent, pages versus static assets, and the external sites that send visitors.",
		Order: 800,
		Heavy: true,
		Cost:  85, // ms per million rows
		Needs: frame.Cols(frame.IP, frame.UserAgent),
		New:   func() Analysis { return &visitors{} },
	})
}

type visitors struct {
	top int // rows the referring-site table keeps
}

var _ Configurable = (*visitors)(nil)

func (a *visitors) Params(p *Params) {
	p.Int(&a.top, "top", 1000, "how many rows the referring-site table keeps").AtLeast(1).AtMost(1_000_000)
}

// Kinds of requested resource, by the stem's extension.
const (
	kindPage     = "page"
	kindStatic   = "static asset"
	kindDocument = "document or download"
	kindOther    = "other"
)

var extKinds = func() map[string]string {
	m := map[string]string{}
	for _, e := range strings.Fields(".html .htm .xhtml .php .asp .aspx .jsp .cgi .pl .shtml .cfm") {
		m[e] = kindPage
	}
	for _, e := range strings.Fields(".css .js .mjs .map .png .jpg .jpeg .gif .svg .ico .webp .avif .bmp .tif .tiff .woff .woff2 .ttf .eot .otf .mp4 .webm .ogg .mp3 .wav .m4a .mov .flv .swf .webmanifest") {
		m[e] = kindStatic
	}
	for _, e := range strings.Fields(".pdf .zip .gz .tgz .bz2 .xz .7z .rar .tar .iso .dmg .exe .msi .deb .rpm .apk .jar .doc .docx .xls .xlsx .ppt .pptx .odt .csv .epub") {
		m[e] = kindDocument
	}
	return m
}()

// resourceKind classifies a URI stem: a path ending in "/" or with no
// extension is a page, as is a server-side script; images, styles, scripts
// and fonts are static assets; archives and office files are documents or
// downloads; anything else (.xml, .txt, .json) is "other".
func resourceKind(stem string) string {
	if stem == "" {
		return kindOther
	}
	base := path.Base(stem)
	if strings.HasSuffix(stem, "/") || !strings.Contains(base, ".") {
		return kindPage
	}
	ext := strings.ToLower(base[strings.LastIndexByte(base, '.'):])
	if k, ok := extKinds[ext]; ok {
		return k
	}
	return kindOther
}

// normHost is a host as the referring sites count it: in lower case,
// without a trailing dot, a port or "www.".
func normHost(h string) string {
	// A host of small letters, digits, dots and hyphens (most) has no
	// capital to lower nor port to cut: one pass tells it.
	plain := true
	for i := 0; i < len(h) && plain; i++ {
		c := h[i]
		plain = refBytes[c]&refHost != 0 && (c < 'A' || c > 'Z')
	}
	if !plain {
		h = strings.ToLower(h)
	}
	h = strings.TrimSuffix(h, ".")
	if !plain {
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h, "]") && strings.Count(h, ":") == 1 {
			h = h[:i]
		}
	}
	return strings.TrimPrefix(h, "www.")
}

func (a *visitors) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, a, in)
}

var _ Partial = (*visitors)(nil)

// visitorsState holds the unique visitors per day (each with whether its
// agent is browser-like), the requests per day, the clients that read
// /robots.txt (who are not people, whichever chunk told it), and the
// counts of stems, referers and hosts the page and referer tables read.
// Sets unite, counts add and flags OR: the merge is exact.
type visitorsState struct {
	Top      int // the top parameter
	Total    int
	Requests Counter[int64] // per day
	// Visitors are the (day, client) of the requests not answered with a
	// 4xx status: per day (since the epoch), a bitset over the codes of
	// Clients, each client an (IP, agent); Bot says per agent code of
	// Clients whether it is not browser-like (bot per classifyChunk). A day
	// costs a bit per client, far less than a map entry per visitor, and
	// setting a bit costs less than a map's look-up.
	Visitors map[int64][]uint64
	Clients  Clients
	Bot      []bool
	Readers  map[Pair]bool // clients of a non-crawler agent that fetched /robots.txt
	// HasStems, HasRefs, HasHosts: a chunk had the column.
	HasStems, HasRefs, HasHosts bool
	Stems, Refs, Hosts          CodedTally

	user  []CrawlerRule // in.Crawlers, for Add
	clock *frame.Clock  // in.Loc's days, for Add
}

func (a *visitors) NewState(in *Input) State {
	st := &visitorsState{Top: a.top, Requests: Counter[int64]{}, Visitors: map[int64][]uint64{}, Readers: map[Pair]bool{},
		user: in.Crawlers, clock: frame.NewClock(in.Loc)}
	st.Clients.Borrow(in)
	st.Stems.Borrow(in)
	st.Refs.Borrow(in)
	st.Hosts.Borrow(in)
	return st
}

func (st *visitorsState) Add(_ context.Context, f *frame.Frame) error {
	st.Total += f.Len()
	if f.Len() == 0 {
		return nil
	}
	if strCol(f, frame.Stem) != nil {
		st.HasStems = true
	}
	if strCol(f, frame.Referer) != nil {
		st.HasRefs = true
	}
	if strCol(f, frame.Host) != nil {
		st.HasHosts = true
	}
	// A chunk without one of these columns counts its rows as the empty
	// string, as a frame with other sources that have it would.
	st.Stems.AddColumn(f, frame.Stem)
	st.Refs.AddColumn(f, frame.Referer)
	st.Hosts.AddColumn(f, frame.Host)
	c := classifyChunk(f, st.user)
	c.addReaders(st.Readers)

	// Unique (IP, agent) pairs per day, leaving out 4xx responses as
	// GoAccess does by default. Most clients keep one agent, so a per-IP
	// memory of the last client and day counted spares most rows a key.
	statuses := strCol(f, frame.Status)
	uncounted := clientErrors(statuses)
	counted := func(i int) bool { return uncounted == nil || !uncounted[statuses.At(i)] }
	clients := newChunkClients(&st.Clients, c.ips, c.agents, counted, true)
	st.Bot = growBools(st.Bot, st.Clients.Agents.Len())
	for code, ok := range clients.needUA {
		if ok {
			st.Bot[clients.uaCode[code]] = c.bot[code]
		}
	}
	// The day is remembered as the run of rows of one day it was counted
	// in (run, from 1), 4 bytes an IP rather than 8 (4 MB of a million
	// distinct clients): the same run is the same day, and a day met
	// again in a later run sets its bit again, which changes nothing.
	lastClient := make([]uint32, c.ips.Dict.Len())
	lastRun := make([]uint32, c.ips.Dict.Len())
	run := uint32(0)
	curDay, curN := int64(-1<<62), 0
	var cur []uint64 // the bitset of curDay
	for i, t := range f.Time {
		d := st.clock.Day(t)
		if d != curDay {
			if curN > 0 {
				st.Requests[curDay] += curN
				st.Visitors[curDay] = cur
			}
			curDay, curN, cur = d, 0, st.Visitors[d]
			run++
		}
		curN++
		if !counted(i) {
			continue
		}
		ip, cl := c.ips.At(i), clients.Of(i)
		if lastRun[ip] == run && lastClient[ip] == cl {
			continue
		}
		lastRun[ip], lastClient[ip] = run, cl
		cur = setBit(cur, cl, st.Clients.Len())
	}
	if curN > 0 {
		st.Requests[curDay] += curN
		st.Visitors[curDay] = cur
	}
	return nil
}

// setBit sets bit c of b, grown (to n bits, the codes there may be, when
// c is past it) when short.
func setBit(b []uint64, c uint32, n int) []uint64 {
	w := int(c / 64)
	if w >= len(b) {
		b = append(b, make([]uint64, max(w+1, (n+63)/64)-len(b))...)
	}
	b[w] |= 1 << (c % 64)
	return b
}

// eachBit calls fn with each bit set in b.
func eachBit(b []uint64, fn func(c uint32)) {
	for w, x := range b {
		for x != 0 {
			fn(uint32(w*64 + bits.TrailingZeros64(x)))
			x &= x - 1
		}
	}
}

func (st *visitorsState) Merge(other State) error {
	o, err := mergeAs[*visitorsState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	st.Requests.Merge(o.Requests)
	client := st.Clients.Remap(&o.Clients)
	ua := st.Clients.Agents.Remap(&o.Clients.Agents) // the codes Remap gave o's agents
	st.Bot = growBools(st.Bot, st.Clients.Agents.Len())
	for c, bot := range o.Bot {
		st.Bot[ua[c]] = st.Bot[ua[c]] || bot // o.Bot is false for an agent none of its clients has
	}
	for d, set := range o.Visitors {
		b := st.Visitors[d]
		eachBit(set, func(c uint32) { b = setBit(b, client[c], st.Clients.Len()) })
		st.Visitors[d] = b
	}
	mergeReaders(st.Readers, o.Readers)
	st.HasStems = st.HasStems || o.HasStems
	st.HasRefs = st.HasRefs || o.HasRefs
	st.HasHosts = st.HasHosts || o.HasHosts
	st.Stems.Merge(&o.Stems)
	st.Refs.Merge(&o.Refs)
	st.Hosts.Merge(&o.Hosts)
	return nil
}

func (st *visitorsState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	s := &Section{}
	s.Prose("How many visitors came, what did they ask for, and who sent them? `human_visitors` counts those whose agent names a known browser (not a crawler or tool, not a client that fetched `/robots.txt`). A unique visitor is a distinct IP, user agent and day, as GoAccess counts them by default: requests answered with a 4xx status are left out of the count, and a visitor who comes back on another day counts again.")

	type dayAcc struct{ requests, seen, people int }
	days := map[int64]*dayAcc{}
	for d, n := range st.Requests {
		days[d] = &dayAcc{requests: n}
	}
	if !st.HasStems {
		clear(st.Readers) // robotsReaders finds none without stems
	}
	reader, _ := st.Clients.Marked(st.Readers)
	for d, set := range st.Visitors {
		a := days[d]
		eachBit(set, func(c uint32) {
			a.seen++
			if !st.Bot[st.Clients.Agent[c]] && !reader[c] {
				a.people++
			}
		})
	}

	dayKeys := make([]int64, 0, len(days))
	for d := range days {
		dayKeys = append(dayKeys, d)
	}
	slices.Sort(dayKeys)
	vt := NewTable("visitors_by_day", "Unique visitors per day",
		Column{"day", Date}, Column{"visitors", Integer}, Column{"requests", Integer}, Column{"requests_per_visitor", Float}, Column{"human_visitors", Integer})
	vt.Index = 0
	sumVisitors, sumPeople := 0, 0
	busiest := dayKeys[0]
	for _, d := range dayKeys {
		a := days[d]
		vt.Add(frame.DayString(d), a.seen, a.requests, float64(a.requests)/float64(a.seen), a.people)
		sumVisitors += a.seen
		sumPeople += a.people
		if a.seen > days[busiest].seen {
			busiest = d
		}
	}
	s.Compute(`visitors_by_day = requests.assign(day=requests.time.dt.date).groupby("day").agg(visitors=("visitor", "nunique"), requests=("ip", "size")).eval("requests_per_visitor = requests / visitors")  # visitor = ip + user_agent, none for a 4xx response (as GoAccess); human_visitors: those with a browser-like agent
visitors_by_day`,
		Output{Table: vt})
	if len(dayKeys) > 1 {
		plot := &Plot{ID: "visitors_by_day", Title: "Unique visitors per day", Kind: Lines, YLabel: "visitors"}
		vals := make([]float64, len(dayKeys))
		for i, d := range dayKeys {
			plot.Labels = append(plot.Labels, frame.DayString(d))
			vals[i] = float64(days[d].seen)
		}
		plot.Series = []Series{{Name: "visitors", Values: vals}}
		s.Compute(`visitors_by_day.visitors.plot()`, Output{Plot: plot})
	}
	if sumVisitors == 0 {
		s.Conclude(fmt.Sprintf("Every one of the %s was answered with a 4xx status, so no unique visitor is counted (GoAccess leaves 4xx responses out).", Count(total, "request")))
	} else {
		per := Decimal(float64(total)/float64(sumVisitors), 1)
		if per == "1" {
			per += " request"
		} else {
			per += " requests"
		}
		s.Conclude(fmt.Sprintf("%s came over %s (each day's visitors summed, as GoAccess sums them), %s per visitor.",
			Count(sumVisitors, "unique visitor"), Count(len(dayKeys), "day"), per))
	}
	s.Find("unique_visitors", SevInfo, sumVisitors, fmt.Sprintf("%s over %s.", Count(sumVisitors, "unique visitor"), Count(len(dayKeys), "day")))
	if sumVisitors > 0 && sumPeople < sumVisitors {
		if sumPeople == 0 && sumVisitors == 1 {
			s.Conclude("The visitor's agent names no browser: a crawler, a tool, or a client whose agent names no browser or is missing.")
		} else if sumPeople == 0 {
			s.Conclude(fmt.Sprintf("None of them had an agent that names a browser: all %s were crawlers, tools, or clients whose agent names no browser or is missing.", Int(sumVisitors)))
		} else {
			s.Conclude(fmt.Sprintf("Of these, %s (%s) had an agent that names a browser, the people as far as agents tell; the other %s were crawlers, tools, or clients whose agent names no browser or is missing.",
				Int(sumPeople), Pct(float64(sumPeople)/float64(sumVisitors)), Int(sumVisitors-sumPeople)))
		}
		s.Find("human_visitors", SevInfo, sumPeople, fmt.Sprintf("%s with an agent that names a browser.", Count(sumPeople, "unique visitor")))
	}
	if len(dayKeys) > 1 && sumVisitors > 0 {
		b := days[busiest]
		s.Conclude(fmt.Sprintf("The busiest day was %s with %s and %s.", frame.DayString(busiest), Count(b.seen, "visitor"), Count(b.requests, "request")))
	}

	if st.HasStems {
		pageTypes(s, &st.Stems, total)
	}
	if st.HasRefs {
		st.referringSites(s, in)
	}
	return s, nil
}

// clientErrors marks, per status code, the 4xx responses that GoAccess
// leaves out of its unique visitors unless --4xx-to-unique-count is given:
// include_uniq in GoAccess's src/gstorage.c (v1.7 tests the status's first
// character, later versions status/100 == 4). A visitor is still counted on
// a day when another of its requests that day got another status. Every
// other line counts by default: crawlers (unless --ignore-crawlers) and
// static files (unless --ignore-statics) too. It returns nil without a
// status column.
func clientErrors(statuses *frame.CodeView) []bool {
	if statuses == nil {
		return nil
	}
	out := make([]bool, statuses.Dict.Len())
	for c, v := range statuses.Dict.All() {
		out[c] = len(v) == 3 && v[0] == '4' && v[1] >= '0' && v[1] <= '9' && v[2] >= '0' && v[2] <= '9'
	}
	return out
}

// pageTypes adds the page_types table and its sentence.
func pageTypes(s *Section, stems *CodedTally, total int) {
	// Summed by kind in an array, then named: a map's look-up per stem
	// was most of the table on a million distinct stems.
	all := [...]string{kindPage, kindStatic, kindDocument, kindOther}
	var perKind [len(all)]int
	counts := stems.Counts()
	stems.Dict.scan(len(counts), func(c int, stem string) {
		if counts[c] > 0 {
			kind := resourceKind(stem)
			perKind[slices.Index(all[:], kind)] += counts[c] // one of the four
		}
	})
	kinds := map[string]int{}
	for k, n := range perKind {
		if n > 0 {
			kinds[all[k]] = n
		}
	}
	t := countsTable("page_types", "Requests per kind of resource", "kind", labelCounts(kinds), "share", total)
	s.Prose("A stem that ends in `/` or has no extension, or names a server-side script (`.php`, `.asp`...), is a page; images, styles, scripts, fonts and media are static assets; archives and office files are documents or downloads; anything else (`.txt`, `.xml`, `.json`) is other.")
	s.Compute(`requests.uri_stem.map(resource_kind).value_counts(normalize=True)`, Output{Table: t})
	names := map[string]string{kindPage: "pages", kindStatic: "static assets", kindDocument: "documents or downloads", kindOther: "other resources"}
	var parts []string
	for _, k := range []string{kindPage, kindStatic, kindDocument, kindOther} {
		if n := kinds[k]; n == total {
			s.Conclude(fmt.Sprintf("Every request went to %s.", names[k]))
			return
		} else if n > 0 {
			verb := "for"
			if len(parts) == 0 {
				verb = "were for"
			}
			parts = append(parts, fmt.Sprintf("%s %s %s", Pct(float64(n)/float64(total)), verb, names[k]))
		}
	}
	s.Conclude(fmt.Sprintf("Of all requests, %s.", List(parts)))
}

// selfReferers finds, in logs that do not name the site's host, the
// referer hosts that are the site itself: a host is taken to be the site
// when at least half of its referrals come from pages this log served
// (paths other than "/", which every site has) and those are at least
// three distinct paths. A search engine's referrals, from "/" or from its
// own paths, do not qualify. The referers are parsed (parseReferers) and
// counted (counts, per code) by the caller; served counts the requests
// per stem, nil without a stem column.
//
// Only the paths of hosts that refer from three paths or more are looked
// up among the stems, in a set of those paths the stems are read against
// once: a log whose every referer names a host of its own looks up none,
// and no index of a million stems is built to look up a few.
func selfReferers(p *referers, counts []int, served *CodedTally) map[string]bool {
	if served == nil {
		return nil
	}
	// Per host, its referers with a path (at least its distinct paths),
	// counted up to 3: what makes it a candidate. The requests of the
	// candidates only are summed, in maps: arrays over every host were
	// 24 MB on a million hosts of one referer each.
	from := make([]uint8, p.hosts.len())
	for c, n := range counts {
		if h := p.host[c]; n > 0 && h >= 0 && p.hasPath[c] && from[h] < 3 {
			from[h]++
		}
	}
	all := map[int32]int{} // requests, per candidate host
	for c, n := range counts {
		if h := p.host[c]; n > 0 && h >= 0 && from[h] >= 3 {
			all[h] += n
		}
	}
	candidate := func(c int) (int32, string, bool) {
		h := p.host[c]
		if counts[c] == 0 || h < 0 || from[h] < 3 || !p.hasPath[c] {
			return 0, "", false
		}
		return h, p.path(c), true
	}
	wasServed := map[string]bool{} // the candidates' paths: whether a stem is one
	for c := range counts {
		if _, path, ok := candidate(c); ok {
			wasServed[path] = false
		}
	}
	if len(wasServed) == 0 {
		return map[string]bool{}
	}
	for c, n := range served.Counts() {
		if n > 0 {
			if _, ok := wasServed[served.Dict.peek(uint32(c))]; ok {
				wasServed[served.Dict.peek(uint32(c))] = true // the key the map holds stays
			}
		}
	}
	servedN := map[int32]int{}
	var paths map[int32]map[string]bool // per host with a served path
	for c, n := range counts {
		h, path, ok := candidate(c)
		if !ok || !wasServed[path] {
			continue
		}
		servedN[h] += n
		if paths == nil {
			paths = map[int32]map[string]bool{}
		}
		if paths[h] == nil {
			paths[h] = map[string]bool{}
		}
		paths[h][path] = true
	}
	out := map[string]bool{}
	for h, ps := range paths {
		if 2*servedN[h] >= all[h] && len(ps) >= 3 {
			out[p.hosts.at(h)] = true
		}
	}
	return out
}

// referers are a referer column's values parsed once: per code, the id
// in hosts of its host (lower-cased, without a port or a leading "www."),
// or -1 when it names none (or has no rows), and its path.
type referers struct {
	host    []int32
	hasPath []bool     // per code: its path is neither empty nor "/"
	hosts   hostNames  // each distinct host once
	dict    frame.Dict // the referers, for their paths (path)
}

// path is the path of referer code c, parsed again rather than kept for a
// million referers: selfReferers reads those of a few hosts.
func (p *referers) path(c int) string {
	_, path, _ := splitReferer(p.dict.At(uint32(c)))
	return path
}

// hostNames are distinct host names, by id from 0: the names new to a run
// of referers back to back in a string (runs), and per name its end in
// it, 4 bytes a name where a string's header was 16 (16 MB on a million
// hosts, at the run's peak).
type hostNames struct {
	runs  []string
	first []int32  // the id of each run's first name
	ends  []uint32 // per name, its end in its run's string
}

// len is how many names there are.
func (h *hostNames) len() int { return len(h.ends) }

// at returns name id.
func (h *hostNames) at(id int32) string {
	r := sort.Search(len(h.first), func(i int) bool { return h.first[i] > id }) - 1
	return h.runs[r][h.start(r, id):h.ends[id]]
}

// start is where name id, of run r, starts in the run's string.
func (h *hostNames) start(r int, id int32) uint32 {
	if id == h.first[r] {
		return 0
	}
	return h.ends[id-1]
}

// each calls fn with each name, in the order of their ids.
func (h *hostNames) each(fn func(id int32, name string)) {
	for r, run := range h.runs {
		last := int32(len(h.ends))
		if r+1 < len(h.first) {
			last = h.first[r+1]
		}
		for id := h.first[r]; id < last; id++ {
			fn(id, run[h.start(r, id):h.ends[id]])
		}
	}
}

// addRun adds names, new and distinct, as one run (or more, should their
// bytes pass what an end can say).
func (h *hostNames) addRun(names []string) {
	for len(names) > 0 {
		k, size := 0, 0
		for k < len(names) && (k == 0 || size+len(names[k]) <= math.MaxUint32) {
			size += len(names[k])
			k++
		}
		var b strings.Builder
		b.Grow(size)
		h.first = append(h.first, int32(len(h.ends)))
		for _, n := range names[:k] {
			b.WriteString(n)
			h.ends = append(h.ends, uint32(b.Len()))
		}
		h.runs = append(h.runs, b.String())
		names = names[k:]
	}
}

// parseReferers parses each referer with a count once.
func parseReferers(refs *frame.CodeView, counts []int) referers {
	p := referers{host: make([]int32, refs.Dict.Len()), hasPath: make([]bool, refs.Dict.Len()), dict: refs.Dict}
	distinct := 0
	for _, n := range counts {
		if n > 0 {
			distinct++
		}
	}
	// The hosts by value: an index of 8-byte slots over p.hosts, given
	// the hosts of a few thousand referers at a time.
	ids := frame.NewStringIndex(nil, distinct)
	// The referers are read a run of codes at a time (Scan: a packed
	// dictionary's blocks decoded into one buffer, each value lasting for
	// its call), their hosts copied back to back into buf, made one
	// string at the end of the run, and interned; the names new to the
	// run (fresh) are then copied into a run of p.hosts, and the run's
	// string goes.
	const run = 4096
	codes, ends, hosts, got := make([]int, 0, run), make([]int, 0, run), make([]string, 0, run), make([]uint32, run)
	var fresh []string
	at := func(c uint32) string {
		if old := uint32(p.hosts.len()); c >= old {
			return fresh[c-old]
		}
		return p.hosts.at(int32(c))
	}
	add := func(v string) uint32 {
		fresh = append(fresh, v)
		return uint32(p.hosts.len() + len(fresh) - 1)
	}
	var buf []byte
	empty, hasEmpty := refs.Dict.Empty()
	for lo := 0; lo < len(counts); lo += run {
		codes, ends, buf = codes[:0], ends[:0], buf[:0]
		refs.Dict.Scan(lo, min(lo+run, len(counts)), func(c int, v string) {
			p.host[c] = -1
			if counts[c] == 0 || hasEmpty && uint32(c) == empty {
				return
			}
			host, path, ok := splitReferer(v)
			if !ok {
				return
			}
			p.hasPath[c] = path != "" && path != "/"
			buf = append(buf, normHost(host)...)
			codes, ends = append(codes, c), append(ends, len(buf))
		})
		if len(codes) == 0 {
			continue
		}
		all, from := string(buf), 0
		hosts = hosts[:0]
		for _, e := range ends {
			hosts, from = append(hosts, all[from:e]), e
		}
		fresh = fresh[:0]
		ids.InternBy(at, add, hosts, got[:len(hosts)])
		p.hosts.addRun(fresh)
		for k, c := range codes {
			p.host[c] = int32(got[k])
		}
	}
	return p
}

// refBytes classes the bytes of a referer for splitReferer: refPlain,
// printable ASCII but for '%', '#' and '\\' (no escapes to decode);
// refHost, a plain host's letters, digits, dots and hyphens.
var refBytes = func() (t [256]uint8) {
	for b := 0; b < 256; b++ {
		if b > ' ' && b < 0x7f && b != '%' && b != '#' && b != '\\' {
			t[b] |= refPlain
		}
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '.' || b == '-' {
			t[b] |= refHost
		}
	}
	return t
}()

const (
	refPlain = 1 << iota
	refHost
)

// splitReferer returns a referer's host name (without a port) and path as
// url.Parse gives them (u.Hostname(), u.Path), and false when it names no
// host or does not parse. The common plain form, http(s)://host/path with a
// host of letters, digits, dots and hyphens and a path of printable ASCII
// with no escapes, is split by hand; anything else goes to url.Parse. On a
// log of a million distinct referers, url.Parse is most of the section's
// time.
func splitReferer(ref string) (host, path string, ok bool) {
	rest, plain := strings.CutPrefix(ref, "https://")
	if !plain {
		rest, plain = strings.CutPrefix(ref, "http://")
	}
	// One pass: the host's bytes (each plain too), then the rest's, the
	// path ending at the first '?'.
	end := 0
	for plain && end < len(rest) {
		b := rest[end]
		if b == '/' || b == '?' {
			break
		}
		plain = refBytes[b]&refHost != 0
		end++
	}
	query := len(rest)
	for i := end; plain && i < len(rest); i++ {
		b := rest[i]
		plain = refBytes[b]&refPlain != 0
		if b == '?' && query == len(rest) {
			query = i
		}
	}
	if plain && end > 0 {
		return rest[:end], rest[end:query], true
	}
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || u.Host == "" {
		return "", "", false
	}
	return u.Hostname(), u.Path, true
}

// siteHost reports whether host (lower case, without www.) is one of the
// site's hosts: equal to one, or under a "*.domain" one.
func siteHost(site []string, host string) bool {
	for _, s := range site {
		if d, ok := strings.CutPrefix(s, "*."); ok {
			if host == d || strings.HasSuffix(host, "."+d) {
				return true
			}
		} else if host == s {
			return true
		}
	}
	return false
}

// referringSites adds the referring_sites table: external referers by host.
func (st *visitorsState) referringSites(s *Section, in *Input) {
	top := st.Top
	dict, counts := st.Refs.Dict.Frame(), st.Refs.Counts()
	// The site's own host, when the logs say it: the most common Host
	// (then the first by name); otherwise the referer hosts whose links
	// point to this site's pages.
	own := ""
	if st.HasHosts {
		best, bestN := "", 0
		for c, n := range st.Hosts.Counts() {
			h := st.Hosts.Dict.At(uint32(c))
			if h != "" && n > 0 && (bestN == 0 || byCountThenKey(n, h, bestN, best) < 0) {
				best, bestN = h, n
			}
		}
		if bestN > 0 {
			own = normHost(best)
		}
	}
	parsed := parseReferers(&frame.CodeView{Dict: dict}, counts)
	var self map[string]bool
	if len(in.Site) > 0 {
		// The user named the site's hosts: no guessing.
		own, self = "", map[string]bool{}
		parsed.hosts.each(func(_ int32, h string) {
			if h != "" && siteHost(in.Site, h) {
				self[h] = true
			}
		})
	} else {
		var served *CodedTally
		if st.HasStems {
			served = &st.Stems
		}
		self = selfReferers(&parsed, counts, served)
		delete(self, own)
	}
	// The hosts left out: none (the empty host), or internal (the site's
	// own), a bit per host id each.
	words := (parsed.hosts.len() + 63) / 64
	none, inside := make([]uint64, words), make([]uint64, words)
	parsed.hosts.each(func(id int32, h string) {
		switch {
		case h == "":
			none[id/64] |= 1 << (id % 64)
		case own != "" && h == own || self[h]:
			inside[id/64] |= 1 << (id % 64)
		}
	})
	sites := make([]int, parsed.hosts.len()) // requests per host id
	referred, internal := 0, 0
	for c, n := range counts {
		id := parsed.host[c]
		if n == 0 || id < 0 || none[id/64]&(1<<(id%64)) != 0 {
			continue
		}
		if inside[id/64]&(1<<(id%64)) != 0 {
			internal += n
			continue
		}
		sites[id] += n
		referred += n
	}
	var selfNames []string
	for h := range self {
		selfNames = append(selfNames, h)
	}
	slices.Sort(selfNames)
	for i, h := range selfNames {
		selfNames[i] = Code(h)
	}
	var left []string // what is left out, for the prose
	if own != "" {
		left = append(left, fmt.Sprintf("the site itself (%s, its most common `Host`)", Code(own)))
	}
	if len(in.Site) > 0 {
		var named []string
		for _, h := range in.Site {
			named = append(named, Code(h))
		}
		left = append(left, fmt.Sprintf("the site's own hosts, as --site names them (%s)", List(named)))
		selfNames = nil
	}
	if len(selfNames) > 0 {
		also := "itself"
		if own != "" {
			also = "too"
		}
		left = append(left, fmt.Sprintf("%s, whose referrals mostly come from pages this log served, and so %s taken to be the site %s",
			List(selfNames), verb(len(selfNames), "is", "are"), also))
	}
	if referred == 0 {
		if internal > 0 {
			s.Conclude(fmt.Sprintf("Every referer came from %s; no external site sent visitors.", List(left)))
		}
		return
	}
	if len(left) > 0 {
		s.Prose(fmt.Sprintf("Referring sites are the hosts of the `Referer` headers, without `www.`. Left out (%s): %s.", Count(internal, "request"), strings.Join(left, "; ")))
	} else {
		s.Prose("Referring sites are the hosts of the `Referer` headers, without `www.`. These logs do not name the site's own host, and no referring host links mostly from pages this log served, so links within the site, if any, count as referrals.")
	}
	// The first top sites, kept as they are offered rather than listed
	// first (a million hosts were 24 MB of rows); distinct counts them all.
	first := keyCountTop(top)
	parsed.hosts.each(func(id int32, h string) {
		if n := sites[id]; n > 0 {
			first.offer(keyCount{key: h, n: n})
		}
	})
	ranked, distinct := first.sorted()
	for i := range ranked {
		ranked[i].key = strings.Clone(ranked[i].key) // not the run of hosts it was cut from
	}
	t := countsTable("referring_sites", "Requests per referring site", "host", ranked, "share_of_referred", referred)
	s.Compute(fmt.Sprintf(`requests.referer.map(referer_host).value_counts(normalize=True).head(%d)`, top), Output{Table: t})
	lead := ranked[0]
	if distinct == 1 {
		if referred == 1 {
			s.Conclude(fmt.Sprintf("1 request came with a referer, from %s.", Code(lead.key)))
		} else {
			s.Conclude(fmt.Sprintf("%s came with a referer, all from one site, %s.", Count(referred, "request"), Code(lead.key)))
		}
		return
	}
	if lead.n == 1 {
		s.Conclude(fmt.Sprintf("%s came with a referer from one of %s, each site sending one.", Count(referred, "request"), Count(distinct, "referring site")))
		return
	}
	s.Conclude(fmt.Sprintf("%s came with a referer from one of %s; the first, %s, sent %s (%s of them).",
		Count(referred, "request"), Count(distinct, "referring site"), Code(lead.key), Int(lead.n), Pct(float64(lead.n)/float64(referred))))
}
