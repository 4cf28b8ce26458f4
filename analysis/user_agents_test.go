package analysis

import (
	"context"
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
		// crawler, requests, share, clients, user_agents, robots_txt_requests
		// a tie of two: "(" sorts before "G"
		{robotsReader, 2, 2.0 / 12, 1, 1, 1},
		{"GPTBot", 2, 2.0 / 12, 2, 1, 0},
		{"Googlebot", 1, 1.0 / 12, 1, 1, 1},
		{"UptimeRobot", 1, 1.0 / 12, 1, 1, 0},
		{"curl", 1, 1.0 / 12, 1, 1, 0},
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
		"12 requests came with 6 distinct user agents. The first two make up 50.00% of requests",
		"Crawlers and tools sent 7 requests (58.33%) under 5 names",
		"1 client with a browser-like agent fetched `/robots.txt`; their 2 requests",
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
	for agent, want := range map[string]string{
		gptbot:                   "GPTBot",
		uptime:                   "UptimeRobot",
		gbot:                     "Googlebot",
		"python-requests/2.31.0": "python-requests",
		"Go-http-client/1.1":     "Go-http-client",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)": "facebookexternalhit",
		"Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)":         "ClaudeBot",
		"Mozilla/5.0 (compatible; ExampleBot/2.0; +http://example.com/bot)":         "other bot (ExampleBot/2.0)",
		chrome:  "",
		firefox: "",
		"":      "",
	} {
		if got := crawlerName(agent); got != want {
			t.Errorf("crawlerName(%q) = %q, want %q", agent, got, want)
		}
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
		if got := classifyAgent(agent); got != want {
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
		if got := classifyAgent(agent).browser; got != want {
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
	wantConclusions(t, s, "The most common browser family is `Chrome` with 100.00% of requests, from 3 client IPs; 90.91% of them came from one, `198.51.100.9`, which looks like one client rather than many people.")
}
