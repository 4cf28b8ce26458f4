package analysis

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/mssola/useragent"

	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
)

// The definition the scan's lists replace: the first group with a token s
// contains, each group's tokens tried with strings.Contains, in order.
func firstGroupByContains(s string, groups [][]string) int {
	for g, tokens := range groups {
		for _, t := range tokens {
			if strings.Contains(s, t) {
				return g
			}
		}
	}
	return -1
}

func matcherGroups() map[string][][]string {
	return map[string][][]string{
		"crawlers": groupTokens(crawlerList, func(c Crawler) []string { return c.Tokens }),
		"browsers": groupTokens(browserTokens, func(b browserToken) []string { return b.tokens }),
		"os":       groupTokens(osTokens, func(r osToken) []string { return r.tokens }),
	}
}

// testAgents are the real agents of testdata/agents.tsv and agents made
// from them with tokens of every list spliced in at random places, in
// random case, several at a time, and cut short.
func testAgents(t *testing.T) []string {
	var all []string
	for _, c := range readAgentCases(t) {
		all = append(all, c.agent)
	}
	var tokens []string
	for _, groups := range matcherGroups() {
		for _, g := range groups {
			tokens = append(tokens, g...)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	base := len(all)
	for range 20000 {
		a := []byte(all[rng.IntN(base)])
		for range 1 + rng.IntN(3) {
			tok := []byte(tokens[rng.IntN(len(tokens))])
			switch rng.IntN(4) {
			case 0:
				tok = []byte(strings.ToUpper(string(tok)))
			case 1:
				tok = tok[:rng.IntN(len(tok)+1)] // a prefix of a token only
			}
			at := rng.IntN(len(a) + 1)
			a = append(a[:at:at], append(tok, a[at:]...)...)
		}
		if rng.IntN(5) == 0 {
			a = a[:rng.IntN(len(a)+1)]
		}
		all = append(all, string(a))
	}
	return append(all, "", "b", "bot", "İstanbul GPTBOT", "\xff\xfeclaudebot")
}

// scanReference is agentFacts as trying each token in turn finds them:
// strings.Contains on the agent lower-cased for the crawlers and the words
// that ignore case, on the agent as written for the others.
func scanReference(agent string, crawlers, browsers, oses [][]string, words []scanWord) (crawler, browser, os int, found uint64) {
	low := strings.ToLower(agent)
	crawler, browser, os = firstGroupByContains(low, crawlers), firstGroupByContains(agent, browsers), firstGroupByContains(agent, oses)
	for i, w := range words {
		if w.fold && strings.Contains(low, w.text) || !w.fold && strings.Contains(agent, w.text) {
			found |= 1 << i
		}
	}
	return
}

// TestAgentScanner: one scan finds what the lists tried token by token
// find, on the built-in lists (the crawlers and the generic words ignoring
// case) and on lists with tokens shorter than three bytes, empty, or
// overlapping one another.
func TestAgentScanner(t *testing.T) {
	groups := matcherGroups()
	ws := agentWords().words
	agents := testAgents(t)
	found := map[string]int{}
	entry := func(i int) int {
		if i == noEntry {
			return -1
		}
		return i
	}
	for _, a := range agents {
		for _, s := range []string{a, strings.ToLower(a), strings.ToUpper(a)} {
			f := builtinScanner().facts(s)
			c, b, o, w := scanReference(s, groups["crawlers"], groups["browsers"], groups["os"], ws)
			if entry(f.crawler) != c || entry(f.browser) != b || entry(f.os) != o || f.words != w {
				t.Fatalf("facts(%q) = %d, %d, %d, %b; want %d, %d, %d, %b", s, entry(f.crawler), entry(f.browser), entry(f.os), f.words, c, b, o, w)
			}
			if ascii := f.ascii; ascii == strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) {
				t.Fatalf("facts(%q).ascii = %v", s, ascii)
			}
			for name, hit := range map[string]bool{"crawlers": c >= 0, "browsers": b >= 0, "os": o >= 0, "words": w != 0} {
				if hit {
					found[name]++
				}
			}
		}
	}
	for _, name := range []string{"crawlers", "browsers", "os", "words"} {
		if found[name] < 1000 {
			t.Errorf("%s: only %d of the test agents matched; the test does not exercise the scanner", name, found[name])
		}
	}
	// Tokens shorter than three bytes, empty, and overlapping.
	// A token with a byte that is not UTF-8 is found in the agent as
	// written, but not once strings.ToLower has made that byte U+FFFD.
	tiny := [][]string{{"zzzz"}, {"\xffab"}, {"a"}, {""}, {"abc", "bcdef"}, {"bcde"}, {"ab"}}
	tinyWords := []scanWord{{"\xffab", true}, {"bc", true}, {"Bc", false}, {"xy", false}, {"abcd", true}, {"", false}}
	m := newAgentScanner(tiny, tiny, tiny, tinyWords)
	for _, s := range []string{"", "a", "b", "A", "abc", "ABC", "xzzzzy", "zzzab", "bcdef", "xBcde", "q", "XY", "xy", "aBcD", "éBcD", "İxy", "\xffZZZZ", "\xffAB", "x\xffab"} {
		f := m.facts(s)
		c, b, o, w := scanReference(s, tiny, tiny, tiny, tinyWords)
		if entry(f.crawler) != c || entry(f.browser) != b || entry(f.os) != o || f.words != w {
			t.Errorf("tiny facts(%q) = %d, %d, %d, %b; want %d, %d, %d, %b", s, entry(f.crawler), entry(f.browser), entry(f.os), f.words, c, b, o, w)
		}
	}
}

// TestAgentClassesShared: the memo holds what classifying each agent
// does, with the user's rules tried first, and every caller with the same
// rules gets the same table.
func TestAgentClassesShared(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.UserAgent))
	agents := testAgents(t)
	var r frame.Row
	for _, a := range agents[:3000] {
		r.Reset()
		r.Str[frame.UserAgent] = []byte(a)
		b.Add(&r)
	}
	f := b.Frame()
	view := strCol(f, frame.UserAgent)
	counts := view.Counts()
	user := []CrawlerRule{{Name: "Mine", Token: "Chrome/"}}
	for _, rules := range [][]CrawlerRule{nil, user} {
		got := agentClasses(view, counts, rules)
		want := classifyCodes(dictValues(view.Dict), counts, rules)
		if len(got.ids) != len(want) {
			t.Fatalf("%d classes, want %d", len(got.ids), len(want))
		}
		for c := range want {
			if got.at(c) != want[c] {
				t.Fatalf("rules %v: agent %q: %+v, want %+v", rules, view.Dict.At(uint32(c)), got.at(c), want[c])
			}
		}
		again := agentClasses(strCol(f, frame.UserAgent), counts, rules)
		if again != got {
			t.Errorf("rules %v: a second call classified the agents again", rules)
		}
	}
	a, b2 := agentClasses(view, counts, nil), agentClasses(view, counts, user)
	same := true
	for c := range a.ids {
		same = same && a.at(c) == b2.at(c)
	}
	if same {
		t.Error("the user's rule changed nothing: the memo ignores the rules")
	}
}

// TestMssolaMayBeBot: an agent mssolaMayBeBot clears is never one
// mssola/useragent takes for a bot, on the real agents, the generated ones
// and agents made to reach each of its bot rules; and the filter clears
// most browser agents (else it saves nothing).
func TestMssolaMayBeBot(t *testing.T) {
	agents := testAgents(t)
	for _, w := range mssolaBotWords {
		agents = append(agents, "Some"+strings.ToUpper(w[:1])+w[1:]+"/1.0", "x"+w, w+" (compatible)")
	}
	agents = append(agents,
		"Mozilla/5.0 (compatible; Foo/1.0; +http://example.com/foo.html)",
		"Foo/1.0 (https://example.org)",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; http://a.b) Gecko/20100101 Firefox/120.0",
		"ſearch/1.0", "SPYDER", "Mozilla/5.0 (compatible; Wormly/1.0)",
		"facebookexternalhit/1.1 Facebot Twitterbot/1.0",
		"curl/8.4.0", "Wget/1.21", "python-requests/2.31", "Java/17", "okhttp/4.9.2")
	cleared, browsers, bots := 0, 0, 0
	for _, a := range agents {
		low := strings.ToLower(a)
		f := builtinScanner().facts(a)
		may := f.mssolaMayBeBot()
		bot := useragent.New(a).Bot()
		if bot {
			bots++
		}
		if !may && bot {
			t.Errorf("%q: cleared, but mssola takes it for a bot", a)
		}
		if strings.HasPrefix(a, "Mozilla/5.0 (") && !strings.Contains(low, "bot") {
			browsers++
			if !may {
				cleared++
			}
		}
	}
	if bots < 100 {
		t.Errorf("only %d agents mssola takes for bots: the test does not reach its rules", bots)
	}
	if browsers == 0 || cleared < browsers/2 {
		t.Errorf("cleared %d of %d browser-like agents", cleared, browsers)
	}
}

// distinctAgents makes n distinct user agents of the shapes a log holds,
// each with its own version numbers: browsers (Chrome, Firefox, Safari,
// Edge, Opera, Samsung Internet, in-app browsers and web views, old IE) on
// every platform, listed crawlers and tools, unlisted bots, apps and
// feed readers with a URL, agents in odd case, garbage (bytes past ASCII
// among them), and the empty and "-" agents.
func distinctAgents(n int) []string {
	rng := rand.New(rand.NewPCG(3, 5))
	num := func(hi int) string { return strconv.Itoa(rng.IntN(hi)) }
	platforms := []string{
		"Windows NT 10.0; Win64; x64", "Windows NT 6.1; WOW64", "Macintosh; Intel Mac OS X 10_15_7",
		"X11; Linux x86_64", "X11; Ubuntu; Linux x86_64", "X11; CrOS x86_64 14541.0.0", "X11; FreeBSD amd64",
	}
	mobiles := []string{"SM-G991B", "Pixel 7", "M2012K11AG", "CPH2211", "moto g(60)", "SM-A515F"}
	crawlers := []string{
		"Mozilla/5.0 (compatible; Googlebot/2.%d; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; bingbot/2.%d; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.%d; +https://openai.com/gptbot)",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.%d; +claudebot@anthropic.com)",
		"Mozilla/5.0 (compatible; AhrefsBot/7.%d; +http://ahrefs.com/robot/)",
		"Mozilla/5.0 (compatible; YandexBot/3.%d; +http://yandex.com/bots)",
		"facebookexternalhit/1.%d (+http://www.facebook.com/externalhit_uatext.php)",
		"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.%d.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/7.%d.0", "Wget/1.%d (linux-gnu)", "python-requests/2.%d.0", "Go-http-client/1.%d", "okhttp/4.%d.2",
		"Feedly/1.0 (+http://www.feedly.com/fetcher.html; %d subscribers; )",
		"kube-probe/1.%d", "ELB-HealthChecker/2.%d", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/1%d.0.0.0 Safari/537.36",
	}
	others := []string{
		"Mozilla/5.0 (compatible; Acme%dBot/1.0; +http://acme.example.com/bot)", // unlisted bots
		"ExampleCrawler/%d.0", "site-monitor/%d", "Mozilla/5.0 (compatible; SiteSearch/%d.1)",
		"Zeta/%d (+https://zeta.example.org/about)", // a URL, no bot word: mssola decides
		"MyApp/%d CFNetwork/1410.0.3 Darwin/22.6.0", "Dalvik/2.1.0 (Linux; U; Android 11; M2012K11AG Build/RKQ1.%d)",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram %d.0.0.21.117",
		"Mozilla/5.0 (PlayStation; PlayStation 5/%d.00) AppleWebKit/605.1.15 (KHTML, like Gecko)",
		"Roku/DVP-%d.10 (519.10E04111A)", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.%d; Pro)",
	}
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add("")
	add("-")
	for len(out) < n {
		p := platforms[rng.IntN(len(platforms))]
		m := mobiles[rng.IntN(len(mobiles))]
		chrome := num(40) + "0." + num(10) + "." + num(6000) + "." + num(200)
		var a string
		switch k := rng.IntN(100); {
		case k < 30:
			a = "Mozilla/5.0 (" + p + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36"
		case k < 40:
			a = "Mozilla/5.0 (Linux; Android 1" + num(5) + "; " + m + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Mobile Safari/537.36"
		case k < 43:
			a = "Mozilla/5.0 (Linux; Android 1" + num(5) + "; " + m + " Build/TP1A." + num(999999) + "; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/" + chrome + " Mobile Safari/537.36"
		case k < 53:
			v := num(40) + "0." + num(10)
			a = "Mozilla/5.0 (" + p + "; rv:" + v + ") Gecko/20100101 Firefox/" + v
		case k < 63:
			a = "Mozilla/5.0 (iPhone; CPU iPhone OS 1" + num(8) + "_" + num(7) + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/1" + num(8) + "." + num(6) + " Mobile/15E" + num(999) + " Safari/604.1"
		case k < 66:
			a = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_" + num(8) + ") AppleWebKit/605.1.15 (KHTML, like Gecko) Version/1" + num(8) + "." + num(6) + " Safari/605.1.15"
		case k < 70:
			a = "Mozilla/5.0 (" + p + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36 Edg/" + chrome
		case k < 72:
			a = "Mozilla/5.0 (" + p + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36 OPR/" + num(110) + ".0.0.0"
		case k < 74:
			a = "Mozilla/5.0 (Linux; Android 1" + num(5) + "; " + m + ") AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/2" + num(6) + ".0 Chrome/" + chrome + " Mobile Safari/537.36"
		case k < 76:
			a = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_" + num(6) + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/21E236 [FBAN/FBIOS;FBAV/4" + num(90) + ".0.0." + num(99) + ";FBBV/" + num(999999) + "]"
		case k < 77:
			a = "Mozilla/4.0 (compatible; MSIE " + num(4) + "6.0; Windows NT 5.1; Trident/4.0; .NET CLR 2.0." + num(99999) + ")"
		case k < 87:
			a = strings.Replace(crawlers[rng.IntN(len(crawlers))], "%d", num(100000), 1)
		case k < 95:
			a = strings.Replace(others[rng.IntN(len(others))], "%d", num(100000), 1)
		case k < 97:
			b := []byte("Mozilla/5.0 (" + p + ") Chrome/" + chrome)
			for i := range b {
				if rng.IntN(3) == 0 {
					b[i] ^= 0x20 // odd case (and odd punctuation)
				}
			}
			a = string(b)
		default:
			b := make([]byte, 1+rng.IntN(60))
			for i := range b {
				if rng.IntN(8) == 0 {
					b[i] = byte(0x80 + rng.IntN(128))
				} else {
					b[i] = byte(' ' + rng.IntN(95))
				}
			}
			a = string(b)
		}
		add(a)
	}
	return out
}

var (
	distinctOnce   sync.Once
	distinctBench  []string
	distinctCounts []int
)

// BenchmarkClassifyDistinct classifies a million distinct agents of
// realistic shapes (distinctAgents) on one goroutine, as classifyParallel's
// workers do, and reports the cost per agent.
func BenchmarkClassifyDistinct(b *testing.B) {
	distinctOnce.Do(func() {
		distinctBench = distinctAgents(1_000_000)
		distinctCounts = make([]int, len(distinctBench))
		for i := range distinctCounts {
			distinctCounts[i] = 1
		}
	})
	b.ReportAllocs()
	for b.Loop() {
		classifyCodes(distinctBench, distinctCounts, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(distinctBench)), "ns/agent")
}

// TestHostileAgentIndexes: an agent whose runes strings.ToLower resizes
// ("Ⱥ" grows to three bytes, a byte that is not UTF-8 too) is named from
// its own bytes, not cut at an index into its lower-cased copy (which ran
// past the agent's end, and failed three sections).
func TestHostileAgentIndexes(t *testing.T) {
	for agent, want := range map[string]string{
		"ȺȺȺȺbot":                "ȺȺȺȺbot",
		"\xff\xff\xff\xffSpider": `\xff\xff\xff\xffSpider`, // Clean spells the bytes out
		"ȺȺȺȺ x-Crawler/1.0":     "x-Crawler",
	} {
		if got := classifyAgent(agent, nil); got.crawler != want || got.kind != KindOther {
			t.Errorf("classifyAgent(%q) = %q, %q; want crawler %q", agent, got.crawler, got.kind, want)
		}
	}
	n, feed, ok := feedSubscribers("ȺȺȺȺȺȺȺȺȺȺ Feedly/1.0 (+http://feedly.com; 12 subscribers; feed-id=9)")
	if !ok || n != 12 || feed != "9" {
		t.Errorf("feedSubscribers = %d, %q, %v; want 12, \"9\", true", n, feed, ok)
	}
}

// sampleAgents are the distinct agents of the committed samples.
func sampleAgents(t *testing.T) []string {
	t.Helper()
	sources, errs := ingest.Expand([]string{"../samples"}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	f := ingest.Read(context.Background(), sources, ingest.Options{}).Frame
	v := strCol(f, frame.UserAgent)
	if v == nil || v.Dict.Len() < 50 {
		t.Fatal("the samples hold too few agents")
	}
	return dictValues(v.Dict)
}

// classifyCorpus is what the classification is held to its reference on:
// the agents of the samples and of testdata/agents.tsv, testAgents'
// spliced ones, distinct generated agents, and variants of the real ones:
// in upper, lower and mixed case, with a crawler, browser or OS token or a
// word the rules look for put at the start, in the middle or at the end,
// cut short, and with bytes past ASCII (ones strings.ToLower resizes or
// folds to ASCII, and bytes that are not UTF-8).
func classifyCorpus(t *testing.T) []string {
	real := sampleAgents(t)
	for _, c := range readAgentCases(t) {
		real = append(real, c.agent)
	}
	all := append(append([]string{}, real...), testAgents(t)...)
	all = append(all, distinctAgents(50000)...)
	var words []string
	for _, groups := range matcherGroups() {
		for _, g := range groups {
			words = append(words, g...)
		}
	}
	words = append(words, genericBotTokens...)
	words = append(words, mssolaBotWords...)
	words = append(words, notBotWords...)
	words = append(words, "http", "https://x.example/", "brave/", " brave ", " Brave", "Chrome/", "; wv)", "Android", "AppleWebKit/",
		"Version/", "Safari/", "Macintosh", "iPhone", "iPad", "compatible;", "Mozilla/", " subscribers", "feed-id=")
	odd := []string{"İ", "\u212a", "ſ", "Ⱥ", "ẞ", "é", "\xff", "\xc3", "\x00", "\t"}
	rng := rand.New(rand.NewPCG(13, 17))
	for range 60000 {
		a := real[rng.IntN(len(real))]
		w := words[rng.IntN(len(words))]
		switch rng.IntN(4) {
		case 0:
			w = strings.ToUpper(w)
		case 1:
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		switch rng.IntN(3) {
		case 0:
			a = w + a
		case 1:
			at := rng.IntN(len(a) + 1)
			a = a[:at] + w + a[at:]
		default:
			a += w
		}
		switch rng.IntN(6) {
		case 0:
			a = strings.ToUpper(a)
		case 1:
			a = strings.ToLower(a)
		case 2:
			b := []byte(a)
			for i := range b {
				if rng.IntN(2) == 0 && (b[i]|0x20 >= 'a' && b[i]|0x20 <= 'z') {
					b[i] ^= 0x20
				}
			}
			a = string(b)
		case 3:
			for range 1 + rng.IntN(3) {
				at := rng.IntN(len(a) + 1)
				a = a[:at] + odd[rng.IntN(len(odd))] + a[at:]
			}
		}
		if rng.IntN(4) == 0 {
			a = a[:rng.IntN(len(a)+1)]
		}
		all = append(all, a)
	}
	return append(all, "", " ", "-", "bot", "BOT", "cubot", "CUBOT bot", "xcubotbot", "cucubotbot", " brave", "brave", "http", "HTTP",
		"İstanbul GPTBOT", "\xff\xfeclaudebot", "\u212aube-probe/1.0", "ſpider", "ȺȺȺȺbot")
}

// TestClassifySameAsReference: every field of every agent of the corpus
// is what the classification before the one-pass scan gave
// (agentclass_ref_test.go), with no rules and with user rules (ASCII, in
// capitals, and past ASCII), one agent at a time, through classifyParallel,
// and by crawlerName (IsCrawler's).
func TestClassifySameAsReference(t *testing.T) {
	agents := classifyCorpus(t)
	counts := make([]int, len(agents))
	for i := range counts {
		counts[i] = 1
	}
	crawlers, browsers, parsed := 0, map[string]bool{}, 0
	for _, rules := range [][]CrawlerRule{nil, {{Name: "Mine", Token: "Chrome/"}, {Name: "Caps", Token: "SAFARI"}, {Name: "Kelvin", Token: "\u212aube"}}} {
		got := classifyParallel(frame.DictOf(agents...), counts, rules)
		for i, a := range agents {
			want := refClassifyAgent(a, rules)
			if got.at(i) != want {
				t.Fatalf("rules %v: agent %q: %+v, want %+v", rules, a, got.at(i), want)
			}
			if one := classifyAgent(a, rules); one != want {
				t.Fatalf("rules %v: classifyAgent(%q) = %+v, want %+v", rules, a, one, want)
			}
			name, kind := crawlerName(a, rules)
			if wantName, wantKind, _ := refCrawlerName(a, strings.ToLower(a), rules); name != wantName || kind != wantKind {
				t.Fatalf("rules %v: crawlerName(%q) = %q, %q; want %q, %q", rules, a, name, kind, wantName, wantKind)
			}
			if rules == nil {
				if want.crawler != "" {
					crawlers++
				}
				browsers[want.browser] = true
			}
		}
	}
	for _, a := range agents {
		if refMssolaMayBeBot(a, strings.ToLower(a)) {
			parsed++
		}
	}
	t.Logf("%d agents: %d crawlers, %d browser families, %d for mssola", len(agents), crawlers, len(browsers), parsed)
	// The corpus reaches every way of deciding.
	if crawlers < len(agents)/10 || crawlers > len(agents)*9/10 || len(browsers) < 20 || parsed < 1000 {
		t.Errorf("%d agents: %d crawlers, %d browser families, %d for mssola: the corpus is too narrow", len(agents), crawlers, len(browsers), parsed)
	}
}

// FuzzClassifyAgent: any agent is classified as the reference classifies
// it, with and without a user rule.
func FuzzClassifyAgent(f *testing.F) {
	for _, a := range []string{"", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"curl/8.4.0", "Mozilla/5.0 (compatible; FooBot/1.0; +http://foo.example)", "CUBOT x", "\u212aube-probe", "ȺȺbot", "Brave"} {
		f.Add(a, "")
		f.Add(a, "KUBE")
	}
	f.Fuzz(func(t *testing.T, agent, token string) {
		var rules []CrawlerRule
		if token != "" {
			rules = []CrawlerRule{{Name: "Mine", Token: token}}
		}
		if got, want := classifyAgent(agent, rules), refClassifyAgent(agent, rules); got != want {
			t.Fatalf("classifyAgent(%q) = %+v, want %+v", agent, got, want)
		}
		if got := classifyParallel(frame.DictOf(agent), []int{1}, rules).at(0); got != refClassifyAgent(agent, rules) {
			t.Fatalf("classifyParallel(%q) = %+v", agent, got)
		}
	})
}

// classifyCodes classifies each distinct agent of a dictionary once (those
// with a count), with the user's crawler rules, one agent after another:
// what agentClasses must give, in a table, on every core.
func classifyCodes(dict []string, counts []int, user []CrawlerRule) []agentInfo {
	info := make([]agentInfo, len(dict))
	cl := newAgentClassifier(user)
	for c, v := range dict {
		if counts[c] > 0 {
			info[c] = cl.classify(v)
		}
	}
	return info
}
