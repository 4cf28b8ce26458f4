package analysis

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mssola/useragent"

	"github.com/logbook/logbook/frame"
)

// The definitions the token matchers replace: each group's tokens tried
// with strings.Contains, in order.
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
		"os": func() [][]string {
			g := make([][]string, len(osTokens))
			for i, r := range osTokens {
				g[i] = r.tokens
			}
			return g
		}(),
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

// TestTokenMatcher: the one-pass matchers answer as the lists tried token
// by token do, on the crawler list (matched on the lower-cased agent, as
// crawlerMatch does) and the browser and OS token lists.
func TestTokenMatcher(t *testing.T) {
	agents := testAgents(t)
	matched := map[string]int{}
	for name, groups := range matcherGroups() {
		m := newTokenMatcher(groups)
		for _, a := range agents {
			for _, s := range []string{a, strings.ToLower(a)} {
				got, want := m.match(s), firstGroupByContains(s, groups)
				if got != want {
					t.Fatalf("%s: match(%q) = %d, want %d", name, s, got, want)
				}
				if got >= 0 {
					matched[name]++
				}
			}
		}
	}
	for name := range matcherGroups() {
		if matched[name] < 1000 {
			t.Errorf("%s: only %d of the test agents matched; the test does not exercise the matcher", name, matched[name])
		}
	}
	// Tokens shorter than four bytes, and groups whose tokens overlap.
	groups := [][]string{{"zzzz"}, {"a"}, {""}, {"abc", "bcdef"}, {"bcde"}}
	m := newTokenMatcher(groups)
	for _, s := range []string{"", "a", "b", "abc", "xzzzzy", "zzzab", "bcdef", "xbcde", "q"} {
		if got, want := m.match(s), firstGroupByContains(s, groups); got != want {
			t.Errorf("match(%q) = %d, want %d", s, got, want)
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
		want := classifyCodes(view.Dict, counts, rules)
		if len(got) != len(want) {
			t.Fatalf("%d classes, want %d", len(got), len(want))
		}
		for c := range want {
			if got[c] != want[c] {
				t.Fatalf("rules %v: agent %q: %+v, want %+v", rules, view.Dict[c], got[c], want[c])
			}
		}
		again := agentClasses(strCol(f, frame.UserAgent), counts, rules)
		if &again[0] != &got[0] {
			t.Errorf("rules %v: a second call classified the agents again", rules)
		}
	}
	a, b2 := agentClasses(view, counts, nil), agentClasses(view, counts, user)
	same := true
	for c := range a {
		same = same && a[c] == b2[c]
	}
	if same {
		t.Error("the user's rule changed nothing: the memo ignores the rules")
	}
}

func BenchmarkCrawlerMatch(b *testing.B) {
	var agents []string
	for i := range 1000 {
		agents = append(agents, strings.ToLower("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0."+string(rune('0'+i%10))+".0 Safari/537.36"))
	}
	groups := matcherGroups()["crawlers"]
	b.Run("matcher", func(b *testing.B) {
		m := crawlerMatcher()
		for i := 0; b.Loop(); i++ {
			m.match(agents[i%len(agents)])
		}
	})
	b.Run("contains", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			firstGroupByContains(agents[i%len(agents)], groups)
		}
	})
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
		may := mssolaMayBeBot(a, low)
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
