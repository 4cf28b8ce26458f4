package analysis

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mssola/useragent"

	"github.com/logbook/logbook/frame"
)

// Each distinct user agent is classified (crawler, kind, browser and OS
// family) once per run, and the result is shared by every section that
// needs it (user_agents, and the people filter of uri_stems and visitors):
// on a log where every agent is distinct, classifying a million agents
// three times over was most of the run.

// tokenMatcher finds, in one pass over a string, the first of several
// groups of tokens (in priority order) one of whose tokens the string
// contains: the same answer as trying each group's tokens with
// strings.Contains in turn, without a pass per token. Each position is
// filtered by a bit for the four bytes there (hashed), set for the first
// four bytes of every token; only then are the tokens starting with that
// byte compared, best group first. Tokens shorter than four bytes (none in
// the built-in lists) are tried with strings.Contains.
type tokenMatcher struct {
	quads   [1 << 16 / 64]uint64 // bit quadBit(q): some token starts with the four bytes q
	byFirst [256][]matchToken    // tokens of four bytes or more by first byte, by group
	short   []matchToken         // tokens of fewer than four bytes
}

type matchToken struct {
	text  string
	group int
}

// quadBit hashes four bytes (the first in the low byte) to a bit.
func quadBit(q uint32) uint32 { return (q * 0x9e3779b1) >> 16 }

func newTokenMatcher(groups [][]string) *tokenMatcher {
	m := &tokenMatcher{}
	for g, tokens := range groups {
		for _, t := range tokens {
			mt := matchToken{t, g}
			if len(t) < 4 {
				m.short = append(m.short, mt)
				continue
			}
			b := quadBit(uint32(t[0]) | uint32(t[1])<<8 | uint32(t[2])<<16 | uint32(t[3])<<24)
			m.quads[b>>6] |= 1 << (b & 63)
			m.byFirst[t[0]] = append(m.byFirst[t[0]], mt)
		}
	}
	for i := range m.byFirst {
		slices.SortStableFunc(m.byFirst[i], func(a, b matchToken) int { return a.group - b.group })
	}
	return m
}

// match returns the index of the first group with a token s contains, or -1.
func (m *tokenMatcher) match(s string) int {
	const none = int(^uint(0) >> 1)
	best := none
	for _, t := range m.short {
		if t.group < best && strings.Contains(s, t.text) {
			best = t.group
		}
	}
	if len(s) >= 4 {
		// q holds the four bytes at i, the first in the low byte.
		q := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
		for i := 0; best > 0; i++ {
			if b := quadBit(q); m.quads[b>>6]&(1<<(b&63)) != 0 {
				for _, t := range m.byFirst[s[i]] {
					if t.group >= best {
						break
					}
					if strings.HasPrefix(s[i:], t.text) {
						best = t.group
						break
					}
				}
			}
			if i+4 >= len(s) {
				break
			}
			q = q>>8 | uint32(s[i+4])<<24
		}
	}
	if best == none {
		return -1
	}
	return best
}

// groupTokens lists the tokens of each entry of a token list.
func groupTokens[T any](list []T, tokens func(T) []string) [][]string {
	g := make([][]string, len(list))
	for i, e := range list {
		g[i] = tokens(e)
	}
	return g
}

var (
	crawlerMatcher = sync.OnceValue(func() *tokenMatcher {
		return newTokenMatcher(groupTokens(crawlerList, func(c Crawler) []string { return c.Tokens }))
	})
	browserMatcher = sync.OnceValue(func() *tokenMatcher {
		return newTokenMatcher(groupTokens(browserTokens, func(b browserToken) []string { return b.tokens }))
	})
	osMatcher = sync.OnceValue(func() *tokenMatcher {
		g := make([][]string, len(osTokens))
		for i, r := range osTokens {
			g[i] = r.tokens
		}
		return newTokenMatcher(g)
	})
)

// agentClassKey names the memo of agentClasses for one set of user rules.
type agentClassKey struct{ rules string }

// agentClasses is classifyCodes for the frame's agent column, computed
// once per column and set of user rules, on every core, and shared: the
// caller must not modify it. counts are the column's counts per code.
func agentClasses(agents *frame.CodeView, counts []int, user []CrawlerRule) []agentInfo {
	var key strings.Builder // the rules, each string quoted: one key per list of rules
	for _, r := range user {
		key.WriteString(strconv.Quote(r.Name))
		key.WriteString(strconv.Quote(r.Token))
	}
	dict := agents.Dict
	return agents.Memo(agentClassKey{key.String()}, func() any {
		return classifyParallel(dict, counts, user)
	}).([]agentInfo)
}

// classifyParallel is classifyCodes on every core.
func classifyParallel(dict []string, counts []int, user []CrawlerRule) []agentInfo {
	const chunk = 1024
	workers := min(runtime.GOMAXPROCS(0), (len(dict)+chunk-1)/chunk)
	if workers <= 1 {
		return classifyCodes(dict, counts, user)
	}
	info := make([]agentInfo, len(dict))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var scratch useragent.UserAgent
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(dict) {
					return
				}
				for c := lo; c < min(lo+chunk, len(dict)); c++ {
					if counts[c] > 0 {
						info[c] = classifyAgentInto(dict[c], user, &scratch)
					}
				}
			}
		})
	}
	wg.Wait()
	return info
}

// mssolaBotWords are the words of mssola/useragent v1.0.0's bot pattern
// (bot.go, botRegex: "(?i)(bot|crawler|sp(i|y)der|search|worm|fetch|nutch)").
var mssolaBotWords = []string{"bot", "crawler", "spider", "spyder", "search", "worm", "fetch", "nutch"}

// mssolaMayBeBot is false for an agent mssola/useragent v1.0.0 cannot take
// for a bot, so that crawlerName need not parse it (a parse per distinct
// agent was a third of classifying a million of them). By that version's
// source (bot.go), Bot is true only when a comment holds a site
// ("http[s]?://..." matched case-sensitively: the agent contains "http"),
// when an agent of one product has a name matching its bot pattern (the
// agent contains one of mssolaBotWords, ignoring case), or for iMessage's
// preview agent, which contains "facebookexternalhit", a crawler of the
// list matched before. Agents with a byte past ASCII are always parsed:
// the pattern folds case by Unicode rules ("ſ" matches "s"), which low,
// from strings.ToLower, does not. low is the agent in lower case.
// TestMssolaMayBeBot holds it on agents.tsv and generated agents.
func mssolaMayBeBot(agent, low string) bool {
	for i := 0; i < len(agent); i++ {
		if agent[i] >= 0x80 {
			return true
		}
	}
	if strings.Contains(agent, "http") {
		return true
	}
	for _, w := range mssolaBotWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// lowerASCII is s with the ASCII capitals made small and every other byte
// as it was, so that an index into it is an index into s: strings.ToLower
// changes the length of some runes ("Ⱥ" grows, "İ" shrinks, a byte that is
// not UTF-8 becomes three), and an index found in its result cut agents
// past their end.
func lowerASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
