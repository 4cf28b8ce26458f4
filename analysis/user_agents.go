package analysis

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "user_agents",
		Title: "User agents and crawlers",
		Doc:   "Which clients sent the requests: every distinct user agent, browser and OS families, crawlers by name and kind (including clients that read /robots.txt), AI crawlers and whether they read /robots.txt first, and the subscribers feed readers announce.",
		Order: 500,
		Heavy: true,
		Cost:  42, // ms per million rows
		Needs: frame.Cols(frame.UserAgent),
		New:   func() Analysis { return userAgents{} },
	})
}

type userAgents struct{}

var _ Partial = userAgents{}

// notBotWords are names of devices and products that contain a generic
// bot word without being one: CUBOT phones ("CUBOT ONE Build/JOP40D").
var notBotWords = []string{"cubot"}

// genericBotTokens mark an agent as automated when no rule names it.
var genericBotTokens = []string{"bot", "crawler", "spider", "scraper", "http-client", "monitor"}

// robotsReader is the crawler name of a client whose agent looks like a
// browser but which fetched /robots.txt.
const robotsReader = "(robots.txt reader with a browser-like agent)"

// kindRobotsReader is the kind of the robotsReader row.
const kindRobotsReader = "browser-like agent"

// Labels of the family tables for agents that are not a browser.
const (
	familyCrawler = "(crawler or tool)"
	familyUnknown = "(unknown)"
)

// crawlerName names an agent's crawler and its kind, or returns "" for a
// browser-like agent: the user's rules first, then the list of
// crawlers.go, then any agent with a generic bot word or that
// mssola/useragent takes for a bot, named by its product. An empty agent
// is not a crawler: it is simply unknown.
func crawlerName(agent string, user []CrawlerRule) (name, kind string) {
	f := builtinScanner().facts(agent)
	name, kind, _ = newAgentClassifier(user).crawler(agent, &f)
	return name, kind
}

// leadProduct is the name an agent starts with, before its version or
// comment: "Tiny Tiny RSS" in "Tiny Tiny RSS/1.11 (http://tt-rss.org/)",
// cut to 40 runes; an agent that starts with "Mozilla/" is named by its
// first product with a bot word, or its first field.
func leadProduct(agent string) string {
	a := strings.TrimSpace(agent)
	if !strings.HasPrefix(a, "Mozilla/") {
		if i := strings.IndexAny(a, "/(;"); i > 0 {
			if n := strings.TrimSpace(a[:i]); n != "" {
				return Clean(n, 40)
			}
		}
	}
	return firstProduct(agent)
}

// firstProduct is the agent's name as a crawler table shows an unlisted
// bot: the product that names itself, e.g. "ExampleBot" in
// "Mozilla/5.0 (compatible; ExampleBot/2.0; +http://…)", without its
// version; the host of the URL when the bot word is in one
// ("changedetection.com" for "…; http://www.changedetection.com/bot.html");
// the product after "compatible;"; else the first field. Cut to 40 runes.
func firstProduct(agent string) string {
	low := lowerASCII(agent) // indexes agent
	for _, t := range genericBotTokens {
		i := strings.Index(low, t)
		if i < 0 {
			continue
		}
		start := strings.LastIndexAny(agent[:i], " (;,+") + 1
		end := i + len(t)
		if j := strings.IndexAny(agent[end:], " ();,"); j >= 0 {
			end += j
		} else {
			end = len(agent)
		}
		p := agent[start:end]
		if strings.Contains(p, "://") || strings.HasPrefix(strings.ToLower(p), "www.") {
			if h, _, ok := splitReferer(p); ok && h != "" {
				return Clean(normHost(h), 40)
			}
			if u, err := url.Parse("http://" + p); err == nil && u.Hostname() != "" {
				return Clean(normHost(u.Hostname()), 40)
			}
		}
		if v := strings.IndexByte(p, '/'); v > 0 {
			p = p[:v]
		}
		if p != "" {
			return Clean(p, 40)
		}
	}
	if i := strings.Index(low, "compatible;"); i >= 0 {
		rest := agent[i+len("compatible;"):]
		if e := strings.IndexAny(rest, ";)"); e >= 0 {
			rest = rest[:e]
		}
		rest = strings.TrimSpace(rest)
		if v := strings.IndexByte(rest, '/'); v > 0 {
			rest = rest[:v]
		}
		if rest != "" {
			return Clean(rest, 40)
		}
	}
	f := strings.Fields(agent)
	if len(f) == 0 {
		return "?"
	}
	return Clean(f[0], 40)
}

// agentInfo is what the section knows about one distinct user agent.
type agentInfo struct {
	crawler string // "" for a browser-like agent
	kind    string // the crawler's kind (Kind...)
	browser string // browser family, or a family label
	os      string // OS family, or a family label
}

func classifyAgent(agent string, user []CrawlerRule) agentInfo {
	return newAgentClassifier(user).classify(agent)
}

// productFamilies are browsers that mssola/useragent takes for Safari or
// Chrome, whose agents name them with their own product token (their
// agents add it to WebKit's or Chrome's tokens). The first token found
// wins.
var productFamilies = []struct{ token, family string }{
	{"Maxthon/", "Maxthon"}, {"Chromium/", "Chromium"}, {"SeaMonkey/", "SeaMonkey"},
	{"Konqueror/", "Konqueror"}, {"PaleMoon/", "Pale Moon"}, {"QQBrowser/", "QQ Browser"},
	{"Silk/", "Amazon Silk"}, {"Epiphany/", "Epiphany"},
}

// correctFamily fixes the family mssola/useragent gives where the agent
// says otherwise: a browser's own product token wins, and an agent with a
// Chrome/ token is never Safari (Safari's agents do not carry one).
func correctFamily(agent, family string) string {
	if family != "Safari" && family != "Chrome" && family != familyOther {
		return family
	}
	for _, p := range productFamilies {
		if strings.Contains(agent, p.token) {
			return p.family
		}
	}
	if family == "Safari" && strings.Contains(agent, "Chrome/") {
		return "Chrome"
	}
	return family
}

// browserFamilies are the browser names of mssola/useragent the family
// table shows; any other name (an app, a feed reader, a fragment of a
// mangled agent) is counted as "(other)".
var browserFamilies = map[string]string{
	"Chrome": "Chrome", "Chromium": "Chromium", "Firefox": "Firefox", "Safari": "Safari",
	"MobileSafari": "Safari", "Edge": "Edge", "Opera": "Opera", "Opera Mini": "Opera",
	"Internet Explorer": "Internet Explorer", "Android": "Android browser",
	"Vivaldi": "Vivaldi", "YaBrowser": "Yandex Browser", "Samsung Internet": "Samsung Internet",
	"SamsungBrowser": "Samsung Internet", "UCBrowser": "UC Browser", "Brave": "Brave",
	"Midori": "Midori", "Mobile App": "Mobile app (web view)", "Google App": "Mobile app (web view)",
	"Maxthon": "Maxthon", "SeaMonkey": "SeaMonkey", "Konqueror": "Konqueror",
}

const familyOther = "(other)"

func browserFamily(name string) string {
	if name == "" || name == "-" {
		return familyUnknown
	}
	if f, ok := browserFamilies[name]; ok {
		return f
	}
	return familyOther
}

// osFamily folds mssola/useragent's OS names into families.
func osFamily(name string) string {
	switch {
	case name == "":
		return familyUnknown
	case strings.HasPrefix(name, "Windows Phone"):
		return "Windows Phone"
	case strings.HasPrefix(name, "Windows"):
		return "Windows"
	case strings.HasPrefix(name, "Mac OS"):
		return "macOS"
	case name == "iPhone OS" || strings.HasPrefix(name, "iPad") || strings.HasPrefix(name, "iOS"):
		return "iOS"
	case strings.HasPrefix(name, "Android"):
		return "Android"
	case strings.HasPrefix(name, "CrOS") || strings.HasPrefix(name, "Chrome OS"):
		return "Chrome OS"
	case strings.HasPrefix(name, "Linux") || name == "Ubuntu" || name == "Fedora" || name == "Debian" || name == "Mint":
		return "Linux"
	case strings.HasSuffix(name, "BSD"):
		return "BSD"
	}
	return familyOther
}

func (a userAgents) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, a, in)
}

func (userAgents) NewState(in *Input) State {
	st := newUserAgentsState(in.Crawlers)
	st.Agents.Borrow(in)
	st.IPs.Borrow(in)
	st.FeedStrings.Borrow(in)
	return st
}

func (st *userAgentsState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	s := &Section{}
	s.Prose("Who sends the requests? Every distinct `User-Agent` with its count, the browser and operating system families behind them, and the crawlers and tools by name and kind. A client (IP and agent) that fetched `/robots.txt` counts as a crawler even when its agent looks like a browser.")

	rows, missing := 0, 0 // the agents with requests, the empty one among them; the requests without one
	empty, hasEmpty := st.Agents.Lookup("")
	for c, n := range st.AgentN {
		if n > 0 {
			rows++
			if hasEmpty && uint32(c) == empty {
				missing = n
			}
		}
	}
	distinct := rows
	if missing > 0 {
		distinct--
	}
	if distinct == 0 {
		s.Conclude(fmt.Sprintf("The log has no user agents: none of the %s carried one, so there are no browsers, systems or crawlers to tell apart.", Count(total, "request")))
		s.Find("distinct_user_agents", SevInfo, 0, "The log has no user agents.")
		return s, nil
	}
	// The rows the table and the sentences show, ranked without sorting
	// every agent (a log may hold a million); the others are counted.
	keep := rows
	if in.MaxRows > 0 {
		keep = min(keep, max(in.MaxRows, 2))
	}
	ranked := topCodeCounts(&st.Agents, st.AgentN, keep)
	// The sentences name the agents sent; the requests without one are
	// a sentence of their own.
	var named []keyCount
	for _, r := range ranked {
		if r.key != "" {
			named = append(named, r)
		}
	}
	for i := range ranked {
		ranked[i].key = orDash(ranked[i].key)
	}
	tab := limitedCountsTable(in.MaxRows, "user_agents", "Requests per user agent", "user_agent", ranked, "", total)
	if rows > len(ranked) {
		tab.Skip(rows - len(ranked))
	}
	s.Compute(`requests.user_agent.value_counts()`, Output{Table: tab})

	// Clients that fetched /robots.txt with a browser-like agent count as
	// crawlers for all their requests.
	rd := st.robotsReaders()

	// The requests per class, then per family: a few classes, where a
	// map of family names took a million look-ups.
	perClass := make([]int, len(st.Classes))
	for c, n := range st.AgentN {
		perClass[st.AgentClass[c]] += n
	}
	browsers, oses := map[string]int{}, map[string]int{}
	for k, n := range perClass {
		if n > 0 {
			browsers[st.Classes[k].Browser] += n
			oses[st.Classes[k].OS] += n
		}
	}
	crawlers, crawlerTotal := st.crawlerCounts(rd)
	// Requests of robots.txt readers move from their browser family to
	// the crawler label.
	for ua, n := range rd.moved {
		cl := st.class(ua)
		for _, m := range []struct {
			counts map[string]int
			label  string
		}{{browsers, cl.Browser}, {oses, cl.OS}} {
			m.counts[m.label] -= n
			m.counts[familyCrawler] += n
			if m.counts[m.label] == 0 {
				delete(m.counts, m.label)
			}
		}
	}
	browserCounts := labelCounts(browsers)
	bt := countsTable("browser_families", "Requests per browser family", "browser", browserCounts, "share", total)
	ot := countsTable("os_families", "Requests per operating system family", "os", labelCounts(oses), "share", total)
	s.Prose(fmt.Sprintf("Browser and OS families come from parsing each distinct agent; %s stands for agents named as crawlers or tools below, %s for agents that name no browser or OS, %s for names outside the common families.", Code(familyCrawler), Code(familyUnknown), Code(familyOther)))
	s.Compute(`requests.user_agent.map(browser_family).value_counts(normalize=True)`, Output{Table: bt})
	s.Compute(`requests.user_agent.map(os_family).value_counts(normalize=True)`, Output{Table: ot})
	if len(crawlers) > 0 {
		s.Compute(`requests[is_crawler].groupby("crawler").agg(kind=("kind", "first"), requests=("ip", "size"), clients=("ip", "nunique"), robots_txt=("uri_stem", lambda s: (s == "/robots.txt").sum()))`,
			Output{Table: crawlerTable(crawlers, total, st.HasIPs, st.HasStems, in.MaxRows)})
	}
	ai := st.aiCrawlers()
	if len(ai) > 0 {
		s.Prose("AI crawlers are the agents their vendors publish for training models, answering assistants' questions or searching for them (GPTBot, ClaudeBot, PerplexityBot, CCBot...). Whether each fetched `/robots.txt` before its first other request tells whether it asked first.")
		s.Compute(`requests[is_ai_crawler].groupby("crawler").agg(requests=("ip", "size"), first=("time", "min"))  # robots_txt_first: whether /robots.txt came before every other request`,
			Output{Table: aiTable(ai, total, st.HasIPs, st.HasStems, in.Loc)})
	}
	feeds := st.feedReaders()
	if len(feeds) > 0 {
		s.Prose("Feed readers poll a feed for their users, and many say in their agent how many subscribers they fetch it for (`; 42 subscribers;`). The table keeps each reader's latest count per feed (the path it fetched and the feed id its agent names).")
		s.Compute(`requests[is_feed_reader].sort_values("time").groupby(["feed_reader", "uri_stem", "feed"]).subscribers.last()`,
			Output{Table: feedTable(feeds, in.Loc)})
	}

	// Conclusions.
	lead := named[0]
	switch {
	case distinct == 1 && missing == 0 && total == 1:
		s.Conclude(fmt.Sprintf("The one request came with the user agent %s.", Code(lead.key)))
	case distinct == 1 && missing == 0:
		s.Conclude(fmt.Sprintf("All %s came with one user agent, %s.", Count(total, "request"), Code(lead.key)))
	case distinct == 1:
		s.Conclude(fmt.Sprintf("The %s that carried a user agent all came with one, %s.", Count(total-missing, "request"), Code(lead.key)))
	case lead.n == 1:
		s.Conclude(fmt.Sprintf("%s came with %s, each agent in one request.", Count(total-missing, "request"), Count(distinct, "distinct user agent")))
	case len(named) < 2:
		s.Conclude(fmt.Sprintf("%s came with %s; the most common, %s, in %s.", Count(total-missing, "request"), Count(distinct, "distinct user agent"), Code(lead.key), Count(lead.n, "request")))
	case distinct == 2:
		s.Conclude(fmt.Sprintf("%s came with two user agents: %s (%s) and %s (%s).", Count(total-missing, "request"),
			Code(named[0].key), Int(named[0].n), Code(named[1].key), Int(named[1].n)))
	default:
		// The requests without an agent have a sentence of their own
		// (below): those counted here are the ones that carried one.
		two := named[0].n + named[1].n
		s.Conclude(fmt.Sprintf("%s came with %s. The two most common make up %s of all requests: %s (%s) and %s (%s).",
			Count(total-missing, "request"), Count(distinct, "distinct user agent"), Pct(float64(two)/float64(total)),
			Code(named[0].key), Int(named[0].n), Code(named[1].key), Int(named[1].n)))
	}
	if missing > 0 {
		s.Find("distinct_user_agents", SevInfo, distinct, fmt.Sprintf("%s sent the %s that carried one.", Count(distinct, "distinct user agent"), Count(total-missing, "request")))
	} else {
		s.Find("distinct_user_agents", SevInfo, distinct, fmt.Sprintf("%s sent the %s.", Count(distinct, "distinct user agent"), Count(total, "request")))
	}
	var stats []familyStat
	if st.HasIPs {
		stats = st.familyStats(rd)
	}
	if msg := familySentence(stats, browserCounts, total); msg != "" {
		s.Conclude(msg)
	}
	if crawlerTotal > 0 {
		var top []string
		for _, c := range crawlers[:min(3, len(crawlers))] {
			top = append(top, fmt.Sprintf("%s (%s)", Code(c.name), Int(c.requests)))
		}
		bytesPart := ""
		if share, ok := st.botBytesShare(rd); ok {
			bytesPart = fmt.Sprintf(" They received %s of the bytes the server sent.", Pct(share))
		}
		if len(top) == 1 {
			s.Conclude(fmt.Sprintf("Crawlers and tools sent %s (%s), all as %s.%s",
				Count(crawlerTotal, "request"), Pct(float64(crawlerTotal)/float64(total)), Code(crawlers[0].name), bytesPart))
		} else {
			which := "; the busiest were " // some names are left out
			if len(top) == len(crawlers) {
				which = ": "
			}
			s.Conclude(fmt.Sprintf("Crawlers and tools sent %s (%s) under %s%s%s.%s",
				Count(crawlerTotal, "request"), Pct(float64(crawlerTotal)/float64(total)), Count(len(crawlers), "name"), which, List(top), bytesPart))
		}
		sev := SevInfo
		if float64(crawlerTotal) > 0.5*float64(total) {
			sev = SevNotice
		}
		s.Find("crawler_requests", sev, crawlerTotal, fmt.Sprintf("Crawlers and tools sent %s of requests (%s).", Pct(float64(crawlerTotal)/float64(total)), Count(crawlerTotal, "request")))
	}
	if len(ai) > 0 {
		aiSentences(s, ai, total, crawlerTotal, st.HasStems)
	}
	if len(feeds) > 0 {
		feedSentence(s, feeds)
	}
	if rd.clients > 0 {
		their := "their " + Count(rd.requests, "request") + " are"
		switch {
		case rd.clients == 1 && rd.requests == 1:
			their = "that request is" // its only request was the fetch
		case rd.clients == 1:
			their = "its " + Count(rd.requests, "request") + " are"
		}
		s.Conclude(fmt.Sprintf("%s with a browser-like agent fetched %s; %s counted as crawler traffic.",
			Count(rd.clients, "client"), Code("/robots.txt"), their))
		s.Find("robots_txt_browser_like", SevNotice, rd.clients, fmt.Sprintf("%s with a browser-like user agent fetched /robots.txt, which browsers do not do.", Count(rd.clients, "client")))
	}
	if hasEmpty && int(empty) < len(st.AgentN) && st.AgentN[empty] > 0 {
		n := st.AgentN[empty]
		s.Conclude(fmt.Sprintf("%s (%s) carried no user agent.", Count(n, "request"), Pct(float64(n)/float64(total))))
	}
	return s, nil
}

// familyStat is how many client IPs a browser family's requests came from,
// and the busiest of them.
type familyStat struct {
	family   string
	requests int
	clients  int // the IPs (not the requests without one)
	noIP     int // of requests, without a client IP
	topIP    string
	topN     int
}

// familyLead names the most common browser family and its share of the
// total requests, or says that every request named it.
func familyLead(family string, n, total int) string {
	if n == total {
		return fmt.Sprintf("Every request named the %s browser family", Code(family))
	}
	return fmt.Sprintf("The most common browser family is %s with %s of requests", Code(family), Pct(float64(n)/float64(total)))
}

// familySentence names the most common browser family and the client IPs
// behind it (stats: familyStats, nil without IPs). When one client sent
// most of its requests (a script with a browser's agent, a brute-force
// attempt), it says so, and names the family the most clients used when
// that is another.
func familySentence(stats []familyStat, browserCounts []keyCount, total int) string {
	if stats == nil {
		for _, b := range browserCounts {
			if b.key != familyCrawler && b.key != familyUnknown && b.key != familyOther {
				return familyLead(b.key, b.n, total) + "."
			}
		}
		return ""
	}
	if len(stats) == 0 {
		return ""
	}
	top := stats[0]
	from := "from " + Count(top.clients, "client IP")
	switch {
	case top.clients == 0:
		from = "none of them from a client that gave its IP"
	case top.noIP > 0:
		from += fmt.Sprintf(" (and %s without one)", Count(top.noIP, "request"))
	}
	msg := familyLead(top.family, top.requests, total) + ", " + from
	if top.clients == 0 || 2*top.topN <= top.requests {
		return msg + "."
	}
	// One client's requests are not a browser's popularity.
	if top.clients == 1 {
		msg += fmt.Sprintf(", %s, so it tells of one client rather than of many people", Code(top.topIP))
	} else {
		msg += fmt.Sprintf("; %s of them came from one, %s, which looks like one client rather than many people", Pct(float64(top.topN)/float64(top.requests)), Code(top.topIP))
	}
	byClients := stats[0]
	for _, st := range stats[1:] {
		if st.clients > byClients.clients || st.clients == byClients.clients && st.family < byClients.family {
			byClients = st
		}
	}
	if byClients.family != top.family && byClients.clients > top.clients {
		msg += fmt.Sprintf(". Counted by clients, %s leads, used from %s", Code(byClients.family), Count(byClients.clients, "client IP"))
	}
	return msg + "."
}

// crawlerCount is one row of the crawlers table: a crawler name, its
// requests, its distinct IPs and agents, and its robots.txt fetches.
type crawlerCount struct {
	name, kind                string
	requests, clients, agents int
	robots                    int
}

// crawlerTable is the table of the crawler rows, with a column of clients
// when the log has IPs and one of robots.txt fetches when it has stems.
func crawlerTable(rows []crawlerCount, records int, hasIPs, hasStems bool, limit int) *Table {
	cols := []Column{{"crawler", Text}, {"kind", Text}, {"requests", Integer}, {"share", Share}}
	if hasIPs {
		cols = append(cols, Column{"clients", Integer})
	}
	cols = append(cols, Column{"user_agents", Integer})
	if hasStems {
		cols = append(cols, Column{"robots_txt_requests", Integer})
	}
	t := NewTable("crawlers", "Crawlers and automated clients by name", cols...).Limit(limit)
	t.Index = 0
	n := float64(records)
	for _, c := range rows {
		row := []any{c.name, c.kind, c.requests, float64(c.requests) / n}
		if hasIPs {
			row = append(row, c.clients)
		}
		row = append(row, c.agents)
		if hasStems {
			row = append(row, c.robots)
		}
		t.Add(row...)
	}
	return t
}

// aiCrawler is one row of the AI crawlers table.
type aiCrawler struct {
	name              string
	requests, clients int
	first             int64 // the first request's time, Unix seconds
	// robots is "yes" when the crawler fetched /robots.txt before (or
	// at the second of) its first other request, "no" when only after,
	// "never" when it did not.
	robots string
}

// aiTable is the table of AI crawlers: a clients column with IPs, and the
// robots.txt column with stems.
func aiTable(rows []aiCrawler, total int, hasIPs, hasStems bool, loc *time.Location) *Table {
	cols := []Column{{"crawler", Text}, {"requests", Integer}, {"share", Share}}
	if hasIPs {
		cols = append(cols, Column{"clients", Integer})
	}
	cols = append(cols, Column{"first_request", Time})
	if hasStems {
		cols = append(cols, Column{"robots_txt_first", Text})
	}
	t := NewTable("ai_crawlers", "AI crawlers", cols...)
	t.Index = 0
	for _, r := range rows {
		row := []any{r.name, r.requests, float64(r.requests) / float64(total)}
		if hasIPs {
			row = append(row, r.clients)
		}
		row = append(row, localTime(r.first, loc))
		if hasStems {
			row = append(row, r.robots)
		}
		t.Add(row...)
	}
	return t
}

// aiSentences says which AI crawlers came and whether they read
// robots.txt first, and, when they are a notable share of the traffic (a
// twentieth of all requests, or a quarter of the crawlers', and at least
// 20 requests), says that first.
func aiSentences(s *Section, rows []aiCrawler, total, crawlerTotal int, hasStems bool) {
	n := 0
	for _, r := range rows {
		n += r.requests
	}
	share := float64(n) / float64(total)
	notable := n >= 20 && (share >= 0.05 || 4*n >= crawlerTotal)
	var parts []string
	for _, r := range rows[:min(5, len(rows))] {
		parts = append(parts, fmt.Sprintf("%s (%s)", Code(r.name), Int(r.requests)))
	}
	more := ""
	if len(rows) > 5 {
		more = fmt.Sprintf(" and %s more", Int(len(rows)-5))
		parts[len(parts)-1] = parts[len(parts)-1] + ","
		parts = []string{strings.Join(parts, ", ")}
	}
	names := List(parts) + more
	// One crawler is named with its requests once, not as a list of one.
	one := fmt.Sprintf("%s, with %s (%s of all requests)", Code(rows[0].name), Count(n, "request"), Pct(share))
	switch {
	case notable && len(rows) == 1:
		s.Conclude("One AI crawler is a notable share of the traffic: " + one + ".")
	case notable:
		s.Conclude(fmt.Sprintf("AI crawlers are a notable share of the traffic: %s (%s of all requests) from %s, %s.",
			Count(n, "request"), Pct(share), Count(len(rows), "AI crawler"), names))
	case len(rows) == 1:
		s.Conclude("One AI crawler came: " + one + ".")
	default:
		s.Conclude(fmt.Sprintf("%s came, with %s (%s of all requests): %s.",
			Count(len(rows), "AI crawler"), Count(n, "request"), Pct(share), names))
	}
	sev := SevInfo
	if notable {
		sev = SevNotice
	}
	s.Find("ai_crawler_requests", sev, n, fmt.Sprintf("AI crawlers sent %s of requests (%s).", Pct(share), Count(n, "request")))
	if !hasStems {
		return
	}
	by := map[string][]string{}
	for _, r := range rows {
		by[r.robots] = append(by[r.robots], Code(r.name))
	}
	var says []string
	for _, c := range []struct{ key, words string }{
		{"yes", "fetched `/robots.txt` before anything else"},
		{"no", "fetched `/robots.txt` only after other pages"},
		{"never", "never fetched `/robots.txt`"},
	} {
		if l := by[c.key]; len(l) > 0 {
			if len(l) == len(rows) && len(rows) > 1 {
				says = append(says, "all "+c.words)
				continue
			}
			if len(l) > 6 {
				l = append(l[:6:6], fmt.Sprintf("%s more", Int(len(l)-6)))
			}
			says = append(says, List(l)+" "+c.words)
		}
	}
	s.Conclude(upperFirst(strings.Join(says, "; ")) + ".")
}

// upperFirst capitalizes a sentence that starts with a plain word.
func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// feedCount is one feed reader's latest announced subscribers for a feed.
type feedCount struct {
	reader, stem, feed string
	subscribers        int
	last               int64 // the time of the request that announced it
}

func feedTable(rows []feedCount, loc *time.Location) *Table {
	t := NewTable("feed_readers", "Subscribers feed readers announce, latest per feed",
		Column{"feed_reader", Text}, Column{"uri_stem", Text}, Column{"feed", Text}, Column{"subscribers", Integer}, Column{"announced", Time})
	for _, r := range rows {
		t.Add(r.reader, r.stem, orDash(r.feed), r.subscribers, localTime(r.last, loc))
	}
	return t
}

// feedSentence sums the latest subscriber counts per reader.
func feedSentence(s *Section, rows []feedCount) {
	per := map[string]int{}
	sum := 0
	for _, r := range rows {
		per[r.reader] += r.subscribers
		sum += r.subscribers
	}
	ranked := labelCounts(per)
	var parts []string
	for _, r := range ranked[:min(5, len(ranked))] {
		parts = append(parts, fmt.Sprintf("%s %s", Code(r.key), Int(r.n)))
	}
	feeds := ""
	if len(rows) > 1 {
		feeds = fmt.Sprintf(" over %s", Count(len(rows), "feed"))
	}
	s.Conclude(fmt.Sprintf("Feed readers announce %s%s in their latest requests: %s.", Count(sum, "subscriber"), feeds, List(parts)))
	s.Find("feed_subscribers", SevInfo, sum, fmt.Sprintf("Feed readers announce %s.", Count(sum, "subscriber")))
}
