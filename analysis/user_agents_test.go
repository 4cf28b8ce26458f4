package analysis

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// uaRec is one hand-written record for the user agent and size sections.
type uaRec struct {
	ip, stem, agent string
	size            float64
}

func uaFrame(recs []uaRec) *frame.Frame {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Stem, frame.UserAgent, frame.Bytes))
	var r frame.Row
	for i, x := range recs {
		r.Reset()
		r.Time = t0 + int64(i)
		r.Str[frame.IP], r.Str[frame.Stem], r.Str[frame.UserAgent] = []byte(x.ip), []byte(x.stem), []byte(x.agent)
		r.Num[frame.Bytes] = x.size
		b.Add(&r)
	}
	return b.Frame()
}

const (
	chrome  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	firefox = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
	gptbot  = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)"
	uptime  = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"
	gbot    = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

func runUA(t testing.TB, recs []uaRec) *Section {
	t.Helper()
	s, err := userAgents{}.Run(context.Background(), &Input{Frame: uaFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestUserAgentTables: four Chrome requests from two IPs, two Firefox of
// which one fetched /robots.txt (so that client is a crawler), GPTBot twice
// from two IPs, UptimeRobot and Googlebot (which fetched robots.txt) once
// each, curl once, and one request with no agent: 12 requests.
func TestUserAgentTables(t *testing.T) {
	s := runUA(t, []uaRec{
		{"10.0.0.1", "/", chrome, 0},
		{"10.0.0.1", "/a", chrome, 0},
		{"10.0.0.2", "/", chrome, 0},
		{"10.0.0.2", "/b", chrome, 0},
		{"10.0.0.3", "/robots.txt", firefox, 0},
		{"10.0.0.3", "/", firefox, 0},
		{"10.0.0.4", "/", gptbot, 0},
		{"10.0.0.5", "/x", gptbot, 0},
		{"10.0.0.6", "/", uptime, 0},
		{"10.0.0.7", "/robots.txt", gbot, 0},
		{"10.0.0.8", "/", "curl/8.4.0", 0},
		{"10.0.0.9", "/", "", 0},
	})
	// requests.user_agent.value_counts(): ties by value, the missing agent as "-".
	wantAgents := [][]any{
		{chrome, 4}, {firefox, 2}, {gptbot, 2}, {"-", 1},
		{uptime, 1}, {gbot, 1}, {"curl/8.4.0", 1},
	}
	// Ties sort by key: byte order puts "-" before "Mozilla" and "curl".
	if got := rows(tableByID(s, "user_agents")); !reflect.DeepEqual(got, sortTies(wantAgents)) {
		t.Errorf("user_agents:\n got %v\nwant %v", got, sortTies(wantAgents))
	}
	wantCrawlers := [][]any{
		// crawler, kind, requests, share, clients, user_agents, robots_txt_requests
		// a tie of two: "(" sorts before "G"
		{robotsReader, kindRobotsReader, 2, 2.0 / 12, 1, 1, 1},
		{"GPTBot", KindAI, 2, 2.0 / 12, 2, 1, 0},
		{"Googlebot", KindSearch, 1, 1.0 / 12, 1, 1, 1},
		{"UptimeRobot", KindMonitor, 1, 1.0 / 12, 1, 1, 0},
		{"curl", KindTool, 1, 1.0 / 12, 1, 1, 0},
	}
	if got := rows(tableByID(s, "crawlers")); !reflect.DeepEqual(got, wantCrawlers) {
		t.Errorf("crawlers:\n got %v\nwant %v", got, wantCrawlers)
	}
	// The robots.txt reader's Firefox requests count as crawler traffic.
	wantBrowsers := [][]any{
		{familyCrawler, 7, 7.0 / 12}, {"Chrome", 4, 4.0 / 12}, {familyUnknown, 1, 1.0 / 12},
	}
	if got := rows(tableByID(s, "browser_families")); !reflect.DeepEqual(got, wantBrowsers) {
		t.Errorf("browser_families:\n got %v\nwant %v", got, wantBrowsers)
	}
	wantOS := [][]any{
		{familyCrawler, 7, 7.0 / 12}, {"Windows", 4, 4.0 / 12}, {familyUnknown, 1, 1.0 / 12},
	}
	if got := rows(tableByID(s, "os_families")); !reflect.DeepEqual(got, wantOS) {
		t.Errorf("os_families:\n got %v\nwant %v", got, wantOS)
	}
	wantConclusions(t, s,
		"11 requests came with 6 distinct user agents. The two most common make up 50.00% of all requests",
		"Crawlers and tools sent 7 requests (58.33%) under 5 names; the busiest were ",
		"1 client with a browser-like agent fetched `/robots.txt`; its 2 requests are counted",
		"1 request (8.33%) carried no user agent.",
		"The most common browser family is `Chrome` with 33.33% of requests, from 2 client IPs.",
	)
	if f := findingByID(s, "distinct_user_agents"); f == nil || f.Value != 6 {
		t.Errorf("distinct_user_agents finding = %+v, want value 6", f)
	}
	if f := findingByID(s, "crawler_requests"); f == nil || f.Severity != SevNotice {
		t.Errorf("crawler_requests finding = %+v, want a notice (over half the requests)", f)
	}
	if f := findingByID(s, "robots_txt_browser_like"); f == nil || f.Value != 1 {
		t.Errorf("robots_txt_browser_like finding = %+v, want value 1", f)
	}
}

// sortTies orders rows of equal count by their key, as the section does.
func sortTies(r [][]any) [][]any {
	out := make([][]any, len(r))
	copy(out, r)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0; j-- {
			a, b := out[j-1], out[j]
			if a[1].(int) < b[1].(int) || (a[1].(int) == b[1].(int) && a[0].(string) > b[0].(string)) {
				out[j-1], out[j] = b, a
			}
		}
	}
	return out
}

// TestUserAgentSingle: one agent only; no crawler table, and the sentence
// for a single agent.
func TestUserAgentSingle(t *testing.T) {
	s := runUA(t, []uaRec{{"10.0.0.1", "/", chrome, 0}, {"10.0.0.2", "/", chrome, 0}})
	if tableByID(s, "crawlers") != nil {
		t.Error("a crawlers table without crawlers")
	}
	if got := s.Conclusions[0]; !strings.HasPrefix(got, "All 2 requests came with one user agent") {
		t.Errorf("conclusion = %q", got)
	}
	for _, c := range s.Conclusions {
		if strings.Contains(c, "rawler") || strings.Contains(c, "no user agent") {
			t.Errorf("a sentence about something absent: %q", c)
		}
	}
}

func TestCrawlerNames(t *testing.T) {
	for agent, want := range map[string][2]string{
		gptbot:                                {"GPTBot", KindAI},
		uptime:                                {"UptimeRobot", KindMonitor},
		gbot:                                  {"Googlebot", KindSearch},
		"python-requests/2.31.0":              {"python-requests", KindTool},
		"Go-http-client/1.1":                  {"Go-http-client", KindTool},
		"curl/8.4.0":                          {"curl", KindTool},
		"Wget/1.21.3":                         {"Wget", KindTool},
		"cargo 1.74.0 (ecb9851af 2023-10-18)": {"cargo", KindTool},
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)":                                                                                                 {"facebookexternalhit", KindSocial},
		"Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)":                                                                                                         {"ClaudeBot", KindAI},
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Claude-User/1.0; +Claude-User@anthropic.com)":                                                               {"Claude-User", KindAI},
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ChatGPT-User/1.0; +https://openai.com/bot":                                                                  {"ChatGPT-User", KindAI},
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot":                                                          {"OAI-SearchBot", KindAI},
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)":                                                   {"PerplexityBot", KindAI},
		"CCBot/2.0 (https://commoncrawl.org/faq/)":                                                                                                                                  {"CCBot", KindAI},
		"Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)":                      {"Bytespider", KindAI},
		"meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)":                                                                                 {"meta-externalagent", KindAI},
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)": {"Applebot", KindSearch},
		"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)":                                                                                                        {"AhrefsBot", KindSEO},
		"Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; like FeedFetcher-Google)":                                                                                 {"Feedly", KindFeed},
		"Tiny Tiny RSS/1.11 (http://tt-rss.org/)":                                                                                                                                   {"Tiny Tiny RSS", KindFeed},
		"Mozilla/5.0 (compatible; ExampleBot/2.0; +http://example.com/bot)":                                                                                                         {"ExampleBot", KindOther},
		"Mozilla/5.0 (compatible; archive.org_bot +http://www.archive.org/details/archive.org_bot)":                                                                                 {"archive.org_bot", KindArchive},
		chrome:  {"", ""},
		firefox: {"", ""},
		"":      {"", ""},
	} {
		if name, kind := crawlerName(agent, nil); name != want[0] || kind != want[1] {
			t.Errorf("crawlerName(%q) = %q, %q; want %q, %q", agent, name, kind, want[0], want[1])
		}
	}
}

// TestCrawlerUserRules: the user's rules come before the list, match
// case-insensitively, and a bad rule is an error that says the form.
func TestCrawlerUserRules(t *testing.T) {
	r, err := ParseCrawlerRule(" MyBot = MYBOT ")
	if err != nil || r != (CrawlerRule{"MyBot", "MYBOT"}) {
		t.Fatalf("ParseCrawlerRule = %+v, %v", r, err)
	}
	rules := []CrawlerRule{r, {"Our monitor", "curl/7.1"}}
	for agent, want := range map[string]string{
		"Mozilla/5.0 (compatible; mybot/1.0)": "MyBot",
		"curl/7.1.0":                          "Our monitor",
		"curl/8.0":                            "curl",
	} {
		if got, _ := crawlerName(agent, rules); got != want {
			t.Errorf("crawlerName(%q) with rules = %q, want %q", agent, got, want)
		}
	}
	if _, kind := crawlerName("x mybot", rules); kind != KindUser {
		t.Errorf("kind of a user rule = %q", kind)
	}
	// A browser-like agent the user names is a crawler too.
	if got, _ := crawlerName(chrome+" MyBot", rules); got != "MyBot" {
		t.Errorf("a browser-like agent with the user's token = %q", got)
	}
	for _, bad := range []string{"MyBot", "=mybot", "MyBot=", ""} {
		if _, err := ParseCrawlerRule(bad); err == nil || !strings.Contains(err.Error(), "NAME=TOKEN") {
			t.Errorf("ParseCrawlerRule(%q) = %v, want an error naming NAME=TOKEN", bad, err)
		}
	}
	s, err := userAgents{}.Run(context.Background(), &Input{Frame: uaFrame([]uaRec{
		{"10.0.0.1", "/", "Mozilla/5.0 (compatible; mybot/1.0)", 0},
		{"10.0.0.2", "/", chrome, 0},
	}), Loc: time.UTC, Crawlers: rules})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"MyBot", KindUser, 1, 0.5, 1, 1, 0}}
	if got := rows(tableByID(s, "crawlers")); !reflect.DeepEqual(got, want) {
		t.Errorf("crawlers with a user rule = %v, want %v", got, want)
	}
}

// TestUserAgentHostile: an agent with backticks, markup and a newline
// reaches the prose only inside a code span.
func TestUserAgentHostile(t *testing.T) {
	evil := "x`<script>alert(1)</script>\n# heading"
	s := runUA(t, []uaRec{{"10.0.0.1", "/", evil, 0}, {"10.0.0.1", "/", evil, 0}, {"10.0.0.2", "/", chrome, 0}})
	for _, c := range s.Conclusions {
		if strings.Contains(c, "\n") {
			t.Errorf("a raw newline in %q", c)
		}
		if i := strings.Index(c, "<script>"); i >= 0 && !strings.Contains(c, "``x`<script>") {
			t.Errorf("markup outside a code span in %q", c)
		}
	}
}

func TestFamilies(t *testing.T) {
	for agent, want := range map[string]agentInfo{
		chrome:  {browser: "Chrome", os: "Windows"},
		firefox: {browser: "Firefox", os: "Linux"},
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1": {browser: "Safari", os: "iOS"},
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15":                   {browser: "Safari", os: "macOS"},
		"UniversalFeedParser/5.0.1 +http://feedparser.org/": {browser: familyOther, os: familyUnknown},
		"": {browser: familyUnknown, os: familyUnknown},
	} {
		if got := classifyAgent(agent, nil); got != want {
			t.Errorf("classifyAgent(%q) = %+v, want %+v", agent, got, want)
		}
	}
}

// TestBrowserFamilyCorrections: browsers built on WebKit or Chrome that
// mssola/useragent takes for Safari are named by their own token, and an
// agent with a Chrome/ token is not Safari.
func TestBrowserFamilyCorrections(t *testing.T) {
	for agent, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Maxthon/4.4.3.4000 Chrome/30.0.1599.101 Safari/537.36":                    "Maxthon",
		"Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US) AppleWebKit/533.1 (KHTML, like Gecko) Maxthon/3.0.8.2 Safari/533.1":                                  "Maxthon",
		"Mozilla/5.0 (X11; U; Linux i686; en-US) AppleWebKit/534.30 (KHTML, like Gecko) Ubuntu/10.10 Chromium/12.0.742.112 Chrome/12.0.742.112 Safari/534.30": "Chromium",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.107 Safari/537.36":                                           "Chrome",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15":                               "Safari",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0":                       "Edge",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0":                                                                              "Firefox",
	} {
		if got := classifyAgent(agent, nil).browser; got != want {
			t.Errorf("%s: family %q, want %q", agent, got, want)
		}
	}
}

// TestBrowserFamilyOneClient: a family whose requests mostly come from one
// client (a bot brute-forcing a login with a browser's agent) is said to
// look like one client, not a browser's popularity.
func TestBrowserFamilyOneClient(t *testing.T) {
	const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
	var recs []uaRec
	for range 20 {
		recs = append(recs, uaRec{"198.51.100.9", "/wp-login.php", chrome, 0})
	}
	recs = append(recs, uaRec{"192.0.2.1", "/", chrome, 0}, uaRec{"192.0.2.2", "/", chrome, 0})
	s, err := configured(t, "user_agents", nil).Run(context.Background(), &Input{Frame: uaFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "Every request named the `Chrome` browser family, from 3 client IPs; 90.91% of them came from one, `198.51.100.9`, which looks like one client rather than many people.")
}

// TestUnlistedBotNames: a bot the list does not know is named as a person
// would name it, by its product without version, the host of the URL its
// bot word sits in, or the product after "compatible;" (agents from
// samples/apache/access.log).
func TestUnlistedBotNames(t *testing.T) {
	for agent, want := range map[string]string{
		"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1;  http://www.changedetection.com/bot.html )": "changedetection.com",
		"Mozilla/5.0 (compatible; SiteExplorer/1.0b; +http://siteexplorer.info/)":                            "SiteExplorer",
		"Mozilla/5.0 (compatible; EasouSpider; +http://www.easou.com/search/spider.html)":                    "EasouSpider",
		"magpie-crawler/1.1 (U; Linux amd64; en-GB; +http://www.brandwatch.net)":                             "magpie-crawler",
		"Chef Client/10.18.2 (ruby-1.9.3-p327; ohai-6.16.0; x86_64-linux; +http://opscode.com)":              "Chef Client",
		"psbot/0.1 (+http://www.picsearch.com/bot.html)":                                                     "psbot",
	} {
		name, kind := crawlerName(agent, nil)
		if name != want || kind != KindOther {
			t.Errorf("crawlerName(%q) = %q, %q; want %q, %q", agent, name, kind, want, KindOther)
		}
		if strings.Contains(name, "/") || strings.Contains(name, "(") {
			t.Errorf("%q: a name with a version or parenthesis: %q", agent, name)
		}
	}
}

const (
	claudebot = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)"
	ccbot     = "CCBot/2.0 (https://commoncrawl.org/faq/)"
)

// TestAICrawlers: GPTBot reads robots.txt first, ClaudeBot only after a
// page, CCBot never; they make up a notable share (30 of 40 requests).
func TestAICrawlers(t *testing.T) {
	var recs []uaRec
	recs = append(recs, uaRec{"10.1.0.1", "/robots.txt", gptbot, 0})
	for range 14 {
		recs = append(recs, uaRec{"10.1.0.1", "/post", gptbot, 0})
	}
	recs = append(recs, uaRec{"10.2.0.1", "/post", claudebot, 0}, uaRec{"10.2.0.2", "/robots.txt", claudebot, 0})
	for range 8 {
		recs = append(recs, uaRec{"10.2.0.1", "/a", claudebot, 0})
	}
	for range 5 {
		recs = append(recs, uaRec{"10.3.0.1", "/b", ccbot, 0})
	}
	for i := range 10 {
		recs = append(recs, uaRec{fmt.Sprintf("192.0.2.%d", i), "/", chrome, 0})
	}
	s := runUA(t, recs)
	first := func(i int) time.Time { return time.Unix(t0+int64(i), 0).UTC() }
	want := [][]any{
		// crawler, requests, share, clients, first_request, robots_txt_first
		{"GPTBot", 15, 15.0 / 40, 1, first(0), "yes"},
		{"ClaudeBot", 10, 10.0 / 40, 2, first(15), "no"},
		{"CCBot", 5, 5.0 / 40, 1, first(25), "never"},
	}
	if got := rows(tableByID(s, "ai_crawlers")); !reflect.DeepEqual(got, want) {
		t.Errorf("ai_crawlers:\n got %v\nwant %v", got, want)
	}
	wantConclusions(t, s,
		"AI crawlers are a notable share of the traffic: 30 requests (75.00% of all requests) from 3 AI crawlers, `GPTBot` (15), `ClaudeBot` (10) and `CCBot` (5).",
		"`GPTBot` fetched `/robots.txt` before anything else; `ClaudeBot` fetched `/robots.txt` only after other pages; `CCBot` never fetched `/robots.txt`.",
	)
	if f := findingByID(s, "ai_crawler_requests"); f == nil || f.Value != 30 || f.Severity != SevNotice {
		t.Errorf("ai_crawler_requests finding = %+v, want a notice of 30", f)
	}
}

// TestAICrawlersFew: two GPTBot requests among many people's are listed,
// not called notable; without AI crawlers there is no table or sentence.
func TestAICrawlersFew(t *testing.T) {
	var recs []uaRec
	for i := range 100 {
		recs = append(recs, uaRec{fmt.Sprintf("192.0.2.%d", i), "/", chrome, 0})
	}
	s := runUA(t, recs)
	if tableByID(s, "ai_crawlers") != nil || findingByID(s, "ai_crawler_requests") != nil {
		t.Error("an AI crawlers table or finding without AI crawlers")
	}
	recs = append(recs, uaRec{"10.1.0.1", "/a", gptbot, 0}, uaRec{"10.1.0.1", "/b", gptbot, 0})
	s = runUA(t, recs)
	wantConclusions(t, s, "One AI crawler came: `GPTBot`, with 2 requests (1.96% of all requests).", "`GPTBot` never fetched `/robots.txt`.")
	for _, c := range s.Conclusions {
		if strings.Contains(c, "notable") {
			t.Errorf("two requests called notable: %q", c)
		}
	}
}

// TestAICrawlerNotableAlone: one AI crawler with a notable share is named
// once, with its requests.
func TestAICrawlerNotableAlone(t *testing.T) {
	var recs []uaRec
	for range 25 {
		recs = append(recs, uaRec{"10.1.0.1", "/post", gptbot, 0})
	}
	for i := range 25 {
		recs = append(recs, uaRec{fmt.Sprintf("192.0.2.%d", i), "/", chrome, 0})
	}
	s := runUA(t, recs)
	wantConclusions(t, s, "One AI crawler is a notable share of the traffic: `GPTBot`, with 25 requests (50.00% of all requests).")
	if f := findingByID(s, "ai_crawler_requests"); f == nil || f.Value != 25 || f.Severity != SevNotice {
		t.Errorf("ai_crawler_requests finding = %+v, want a notice of 25", f)
	}
}

// TestFeedReaders: the latest subscriber count per reader and feed, not
// the largest or a sum over requests.
func TestFeedReaders(t *testing.T) {
	s := runUA(t, []uaRec{
		{"10.0.0.1", "/feed.xml", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 40 subscribers; like FeedFetcher-Google)", 0},
		{"10.0.0.1", "/feed.xml", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; like FeedFetcher-Google)", 0},
		{"10.0.0.2", "/feed.xml", "Mozilla/5.0 (compatible; theoldreader.com; 3 subscribers; feed-id=abc123)", 0},
		{"10.0.0.3", "/atom.xml", "Feedbin feed-id:1373711 - 9 subscribers", 0},
		{"10.0.0.3", "/atom.xml", "Feedbin feed-id:1373711 - 7 subscribers", 0},
		{"10.0.0.4", "/feed.xml", "Tiny Tiny RSS/21.04 (http://tt-rss.org/)", 0},
		{"10.0.0.5", "/", chrome, 0},
	})
	tab := tableByID(s, "feed_readers")
	if tab == nil {
		t.Fatal("no feed_readers table")
	}
	var got [][]any
	for _, r := range tab.Rows {
		got = append(got, r[:4])
	}
	want := [][]any{
		{"Feedly", "/feed.xml", "-", 42},
		{"Feedbin", "/atom.xml", "1373711", 7},
		{"The Old Reader", "/feed.xml", "abc123", 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("feed_readers:\n got %v\nwant %v", got, want)
	}
	wantConclusions(t, s, "Feed readers announce 52 subscribers over 3 feeds in their latest requests: `Feedly` 42, `Feedbin` 7 and `The Old Reader` 3.")
}

func TestFeedSubscribers(t *testing.T) {
	for agent, want := range map[string]struct {
		n    int
		feed string
		ok   bool
	}{
		"Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; 22 subscribers; feed-id=8321906634162087507)": {22, "8321906634162087507", true},
		"NewsBlur Feed Fetcher - 12 subscribers - https://www.newsblur.com/site/6865232/example (Mozilla/5.0)":       {12, "https://www.newsblur.com/site/6865232/example", true},
		"Mozilla/5.0 (compatible; inoreader.com; 1 subscriber)":                                                      {1, "", true},
		"Feedbin - 1 subscribers":                 {1, "", true},
		"Tiny Tiny RSS/1.11 (http://tt-rss.org/)": {0, "", false},
		"x subscribers":                           {0, "", false},
	} {
		n, feed, ok := feedSubscribers(agent)
		if n != want.n || feed != want.feed || ok != want.ok {
			t.Errorf("feedSubscribers(%q) = %d, %q, %v; want %+v", agent, n, feed, ok, want)
		}
	}
}

// TestUserAgentsNone: a log whose agents are all empty says it has none,
// rather than counting 0 distinct agents or naming the empty one.
func TestUserAgentsNone(t *testing.T) {
	s := runUA(t, []uaRec{{"10.0.0.1", "/", "", 0}, {"10.0.0.2", "/", "", 0}})
	wantConclusions(t, s, "The log has no user agents: none of the 2 requests carried one")
	for _, c := range s.Conclusions {
		if strings.Contains(c, "0 distinct") || strings.Contains(c, "(empty)") {
			t.Errorf("a sentence about an absent agent: %q", c)
		}
	}
}

// TestBrowserFamilyBruteForce: hundreds of POST /wp-login.php from one IP
// with Firefox's agent make Firefox the top family by requests; the
// sentence says it is one client, and that Chrome leads by clients.
func TestBrowserFamilyBruteForce(t *testing.T) {
	var recs []uaRec
	for range 300 {
		recs = append(recs, uaRec{"203.0.113.66", "/wp-login.php", firefox, 0})
	}
	for i := range 12 {
		recs = append(recs, uaRec{fmt.Sprintf("192.0.2.%d", i), "/", chrome, 0}, uaRec{fmt.Sprintf("192.0.2.%d", i), "/a", chrome, 0})
	}
	s := runUA(t, recs)
	wantConclusions(t, s, "The most common browser family is `Firefox` with 92.59% of requests, from 1 client IP, `203.0.113.66`, so it tells of one client rather than of many people. Counted by clients, `Chrome` leads, used from 12 client IPs.")
}

// TestBotBytesShare: the crawlers' share of the bytes sent is said when
// the log has sizes.
func TestBotBytesShare(t *testing.T) {
	s := runUA(t, []uaRec{
		{"10.0.0.1", "/", gbot, 300},
		{"10.0.0.2", "/", "curl/8.4.0", 100},
		{"10.0.0.3", "/", chrome, 600},
	})
	wantConclusions(t, s, "Crawlers and tools sent 2 requests (66.67%) under 2 names: `Googlebot` (1) and `curl` (1). They received 40.00% of the bytes the server sent.")
}

// TestHostileBotName: an unlisted bot's name comes from its agent, so it
// reaches the prose only as a code span, on one line.
func TestHostileBotName(t *testing.T) {
	evil := "Evil`Bot<script>alert(1)</script>\n/1.0"
	name, _ := crawlerName(evil, nil)
	if name == "" {
		t.Fatal("the hostile bot is not taken for a bot")
	}
	var recs []uaRec
	for range 3 {
		recs = append(recs, uaRec{"10.0.0.1", "/", evil, 0})
	}
	recs = append(recs, uaRec{"10.0.0.2", "/", chrome, 0})
	s := runUA(t, recs)
	found := false
	for _, c := range s.Conclusions {
		if strings.Contains(c, "\n") {
			t.Errorf("a raw newline in %q", c)
		}
		if strings.Contains(c, "<script>") && !strings.Contains(c, Code(name)) && !strings.Contains(c, Code(evil)) {
			t.Errorf("markup outside a code span in %q", c)
		}
		if strings.HasPrefix(c, "Crawlers and tools") && strings.Contains(c, Code(name)) {
			found = true
		}
	}
	if !found {
		t.Errorf("the bot is not named in the conclusions: %q", s.Conclusions)
	}
}

// TestCrawlerList checks the data of crawlers.go: each entry has a name,
// a known kind and lower-case tokens (agents are matched lower-cased), no
// name appears twice, and no token of an entry is shadowed by an earlier
// entry's token (the earlier would always win).
func TestCrawlerList(t *testing.T) {
	kinds := map[string]bool{KindSearch: true, KindAI: true, KindSEO: true, KindSocial: true, KindMonitor: true,
		KindFeed: true, KindArchive: true, KindScanner: true, KindTool: true}
	names := map[string]bool{}
	var earlier []string
	for _, c := range crawlerList {
		if c.Name == "" || !kinds[c.Kind] || len(c.Tokens) == 0 {
			t.Errorf("entry %+v: want a name, a kind of the list and tokens", c)
		}
		if names[c.Name] {
			t.Errorf("%s listed twice", c.Name)
		}
		names[c.Name] = true
		for _, tok := range c.Tokens {
			if tok != strings.ToLower(tok) || tok == "" {
				t.Errorf("%s: token %q is not lower case", c.Name, tok)
			}
			for _, e := range earlier {
				if strings.Contains(tok, e) {
					t.Errorf("%s: token %q contains the earlier token %q, so it never matches", c.Name, tok, e)
				}
			}
		}
		earlier = append(earlier, c.Tokens...)
	}
	for _, want := range []string{"GPTBot", "ChatGPT-User", "OAI-SearchBot", "ClaudeBot", "Claude-User", "Claude-SearchBot",
		"anthropic-ai", "CCBot", "PerplexityBot", "Perplexity-User", "Bytespider", "Amazonbot", "Google-Extended",
		"Applebot-Extended", "meta-externalagent", "meta-externalfetcher", "cohere-ai", "Diffbot", "YouBot"} {
		found := false
		for _, c := range crawlerList {
			if c.Name == want && c.Kind == KindAI {
				found = true
			}
		}
		if !found {
			t.Errorf("%s is not listed as an AI crawler", want)
		}
	}
}

// TestUserAgentsMissingFirst: the requests without an agent, however
// many, are not one of the agents the first sentence names or counts.
func TestUserAgentsMissingFirst(t *testing.T) {
	nikto := "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)"
	var recs []uaRec
	for range 4 {
		recs = append(recs, uaRec{"192.0.2.1", "/", "", 10})
	}
	recs = append(recs, uaRec{"192.0.2.2", "/a", nikto, 10}, uaRec{"192.0.2.2", "/b", nikto, 10})
	s := runUA(t, recs)
	wantConclusions(t, s,
		"The 2 requests that carried a user agent all came with one, `"+nikto+"`.",
		"4 requests (66.67%) carried no user agent.")

	recs = append(recs, uaRec{"192.0.2.3", "/", chrome, 10})
	s = runUA(t, recs)
	wantConclusions(t, s, "3 requests came with two user agents: `"+nikto+"` (2) and `"+chrome+"` (1).")
	for _, c := range s.Conclusions {
		if strings.Contains(c, "`-`") {
			t.Errorf("a missing agent named as one: %q", c)
		}
	}
}
