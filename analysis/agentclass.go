package analysis

import (
	"bytes"
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

// agentScanner finds, in one pass over an agent, what classifying it
// needs (agentFacts): the first entry of crawlerList with a token the agent
// contains ignoring case, the first rule of browserTokens and of osTokens
// with a token it contains as written, and which of the words the other
// rules test it contains (agentWords). That is the answer of trying each
// token with strings.Contains (on the agent lower-cased by strings.ToLower
// for the tokens that ignore case), without a pass per token, and without
// lower-casing the agent. Each position is filtered by a bit for the three
// bytes ending there, lower-cased and hashed, set for the first three
// bytes of every token; only the tokens whose bucket that hash names are
// then compared. Tokens shorter than three bytes (none in the built-in
// lists) are tried one by one.
type agentScanner struct {
	bits   [1 << 16 / 64]uint64    // bit triHash(t): some token starts with the three bytes t
	start  [scanBuckets + 1]uint16 // tokens[start[b]:start[b+1]] are bucket b's
	tokens []scanToken             // by bucket
	short  []scanToken             // tokens of fewer than three bytes
	folded uint64                  // the bits of the words that ignore case
}

// scanBuckets is the number of buckets of tokens, by the high bits of
// their hash.
const scanBuckets = 1 << 12

type scanToken struct {
	text  string
	tri   uint32 // its first three bytes lower-cased, the first in the high byte
	next  byte   // its fourth byte lower-cased, when it has one
	fold  bool   // matched in the agent lower-cased (text in lower case), else as written
	fact  uint8  // which fact it sets: factCrawler, factBrowser, factOS or factWord
	index uint16 // the entry of its list, or the bit of its word
}

const (
	factCrawler = iota
	factBrowser
	factOS
	factWord
)

// noEntry is agentFacts' entry for a list none of whose tokens is found.
const noEntry = int(^uint(0) >> 1)

// agentFacts is what one scan found in an agent.
type agentFacts struct {
	crawler, browser, os int    // the first entry of each list found, or noEntry
	words                uint64 // bit w: the agent contains word w (agentWords)
	ascii                bool   // every byte of the agent is ASCII
	low                  string // strings.ToLower(agent) when not ascii
}

func (f *agentFacts) has(w uint64) bool { return f.words&w != 0 }

// lowHasSuffix is strings.HasSuffix(strings.ToLower(agent), suffix), for
// a suffix in lower case.
func (f *agentFacts) lowHasSuffix(agent, suffix string) bool {
	if !f.ascii {
		return strings.HasSuffix(f.low, suffix)
	}
	return len(agent) >= len(suffix) && hasPrefixFold(agent[len(agent)-len(suffix):], suffix)
}

// scanWord is a word a scan looks for: text, ignoring case (text in lower
// case, found in the agent lower-cased), or as written.
type scanWord struct {
	text string
	fold bool
}

// The words the rules of tokenBrowser and of mssolaMayBeBot test, by bit
// of agentFacts.words; the generic bot words and the words that hide one
// (genericBotTokens, mssolaBotWords, notBotWords) follow them, at the bits
// agentWords gives.
const (
	wordChrome = 1 << iota
	wordWebView
	wordAndroid
	wordWebKit
	wordVersion
	wordSafari
	wordMacintosh
	wordIPhone
	wordIPad
	wordHTTP
	wordBraveSlash
	wordBraveSpace
	fixedWords = iota
)

var fixedScanWords = [fixedWords]scanWord{
	{"Chrome/", false}, {"; wv)", false}, {"Android", false}, {"AppleWebKit/", false}, {"Version/", false},
	{"Safari/", false}, {"Macintosh", false}, {"iPhone", false}, {"iPad", false}, {"http", false},
	{"brave/", true}, {" brave ", true},
}

// agentWordSet is the words a scan looks for, and the bits of the lists'.
type agentWordSet struct {
	words                    []scanWord
	generic, mssola, notBots uint64 // the bits of genericBotTokens, mssolaBotWords, notBotWords
}

// agentWords are the words the built-in scanner looks for.
var agentWords = sync.OnceValue(func() *agentWordSet {
	ws := &agentWordSet{words: slices.Clone(fixedScanWords[:])}
	bit := func(w string) uint64 {
		i := slices.Index(ws.words, scanWord{w, true})
		if i < 0 {
			i = len(ws.words)
			ws.words = append(ws.words, scanWord{w, true})
		}
		return 1 << i
	}
	for _, w := range genericBotTokens {
		ws.generic |= bit(w)
	}
	for _, w := range mssolaBotWords {
		ws.mssola |= bit(w)
	}
	for _, w := range notBotWords {
		ws.notBots |= bit(w)
	}
	if len(ws.words) > 64 {
		panic("agentclass: more than 64 words to scan for")
	}
	return ws
})

// lowerByte maps each byte to itself, ASCII capitals to small letters.
var lowerByte = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// triHash hashes three bytes (the first in the high byte) to 16 bits.
func triHash(q uint32) uint32 { return (q * 0x9e3779b1) >> 16 }

// hasPrefixFold is strings.HasPrefix(lowerASCII(s), prefix).
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for k := 0; k < len(prefix); k++ {
		if lowerByte[s[k]] != prefix[k] {
			return false
		}
	}
	return true
}

// containsFold is strings.Contains(lowerASCII(s), sub).
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// newAgentScanner makes a scanner for the crawler, browser and OS lists'
// tokens (by entry; crawlers' ignore case) and words.
func newAgentScanner(crawlers, browsers, oses [][]string, words []scanWord) *agentScanner {
	m := &agentScanner{}
	var all []scanToken
	add := func(text string, fold bool, fact uint8, index int) {
		t := scanToken{text: text, fold: fold, fact: fact, index: uint16(index)}
		if len(text) < 3 {
			m.short = append(m.short, t)
			return
		}
		t.tri = uint32(lowerByte[text[0]])<<16 | uint32(lowerByte[text[1]])<<8 | uint32(lowerByte[text[2]])
		if len(text) > 3 {
			t.next = lowerByte[text[3]]
		}
		all = append(all, t)
	}
	for fact, groups := range [][][]string{factCrawler: crawlers, factBrowser: browsers, factOS: oses} {
		for i, tokens := range groups {
			for _, t := range tokens {
				add(t, fact == factCrawler, uint8(fact), i)
			}
		}
	}
	for i, w := range words {
		add(w.text, w.fold, factWord, i)
		if w.fold {
			m.folded |= 1 << i
		}
	}
	bucket := func(t scanToken) int { return int(triHash(t.tri) >> 4) }
	slices.SortStableFunc(all, func(a, b scanToken) int { return bucket(a) - bucket(b) })
	for _, t := range all {
		h := triHash(t.tri)
		m.bits[h>>6] |= 1 << (h & 63)
		m.start[bucket(t)+1]++
	}
	for b := range scanBuckets {
		m.start[b+1] += m.start[b]
	}
	m.tokens = all
	return m
}

// builtinScanner scans for the built-in lists and agentWords.
var builtinScanner = sync.OnceValue(func() *agentScanner {
	return newAgentScanner(
		groupTokens(crawlerList, func(c Crawler) []string { return c.Tokens }),
		groupTokens(browserTokens, func(b browserToken) []string { return b.tokens }),
		groupTokens(osTokens, func(r osToken) []string { return r.tokens }),
		agentWords().words)
})

// facts scans an agent. An agent with a byte past ASCII is scanned twice:
// lower-cased by strings.ToLower for the tokens that ignore case (which
// folds more than ASCII: "İ" to "i", the Kelvin sign to "k"), and as
// written for the others.
func (m *agentScanner) facts(agent string) agentFacts {
	f := agentFacts{crawler: noEntry, browser: noEntry, os: noEntry, ascii: true}
	if m.scan(agent, true, true, &f) {
		return f
	}
	f.ascii = false
	f.crawler = noEntry
	f.words &^= m.folded
	f.low = strings.ToLower(agent)
	m.scan(f.low, true, false, &f)
	return f
}

// scan records in f the tokens s contains: those that ignore case when
// fold, those matched as written when exact. It reports whether s is
// ASCII.
func (m *agentScanner) scan(s string, fold, exact bool, f *agentFacts) (ascii bool) {
	var high byte
	if len(s) >= 2 {
		q := uint32(lowerByte[s[0]])<<8 | uint32(lowerByte[s[1]])
		high = s[0] | s[1]
		for j := 2; j < len(s); j++ {
			c := s[j]
			high |= c
			q = q<<8 | uint32(lowerByte[c]) // the three bytes ending at j in its low bytes
			if h := triHash(q & 0xffffff); m.bits[h>>6&uint32(len(m.bits)-1)]&(1<<(h&63)) != 0 {
				m.check(s, j-2, q&0xffffff, h, fold, exact, f)
			}
		}
	} else if len(s) == 1 {
		high = s[0]
	}
	for _, t := range m.short {
		if t.fold && fold && containsFold(s, t.text) || !t.fold && exact && strings.Contains(s, t.text) {
			f.record(&t)
		}
	}
	return high < 0x80
}

// check compares the tokens whose first three bytes hash to h with s at i.
func (m *agentScanner) check(s string, i int, q, h uint32, fold, exact bool, f *agentFacts) {
	b := h >> 4 & (scanBuckets - 1)
	for k := m.start[b]; k < m.start[b+1]; k++ {
		t := &m.tokens[k]
		if t.tri != q || len(s)-i < len(t.text) || len(t.text) > 3 && lowerByte[s[i+3]] != t.next {
			continue
		}
		if t.fold {
			if !fold || !hasPrefixFold(s[i:], t.text) {
				continue
			}
		} else if !exact || s[i:i+len(t.text)] != t.text {
			continue
		}
		f.record(t)
	}
}

func (f *agentFacts) record(t *scanToken) {
	switch t.fact {
	case factCrawler:
		f.crawler = min(f.crawler, int(t.index))
	case factBrowser:
		f.browser = min(f.browser, int(t.index))
	case factOS:
		f.os = min(f.os, int(t.index))
	default:
		f.words |= 1 << t.index
	}
}

// groupTokens lists the tokens of each entry of a token list.
func groupTokens[T any](list []T, tokens func(T) []string) [][]string {
	g := make([][]string, len(list))
	for i, e := range list {
		g[i] = tokens(e)
	}
	return g
}

// agentClassifier classifies agents with one set of user rules, on one
// goroutine: it keeps the buffers it reuses from agent to agent.
type agentClassifier struct {
	user    []CrawlerRule
	userLow [][]byte            // each rule's token, lower-cased
	low     []byte              // an ASCII agent lower-cased, for the rules
	ua      useragent.UserAgent // the agent mssola/useragent parsed, when it had to
}

func newAgentClassifier(user []CrawlerRule) *agentClassifier {
	c := &agentClassifier{user: user}
	for _, r := range user {
		c.userLow = append(c.userLow, []byte(strings.ToLower(r.Token)))
	}
	return c
}

// userRule is the first of the user's rules whose token the agent
// contains, ignoring case, or -1.
func (c *agentClassifier) userRule(agent string, f *agentFacts) int {
	if len(c.user) == 0 {
		return -1
	}
	low := c.low[:0]
	if f.ascii {
		for i := 0; i < len(agent); i++ {
			low = append(low, lowerByte[agent[i]])
		}
		c.low = low
	} else {
		low = append(low, f.low...)
		c.low = low
	}
	for i, t := range c.userLow {
		if bytes.Contains(low, t) {
			return i
		}
	}
	return -1
}

// crawler names an agent's crawler and its kind, or returns "" for a
// browser-like agent: the user's rules first, then the list of
// crawlers.go, then any agent with a generic bot word or that
// mssola/useragent takes for a bot, named by its product. An empty agent
// is not a crawler: it is simply unknown. parsed reports whether c.ua
// holds the agent, parsed.
func (c *agentClassifier) crawler(agent string, f *agentFacts) (name, kind string, parsed bool) {
	if agent == "" {
		return "", "", false
	}
	if i := c.userRule(agent, f); i >= 0 {
		return c.user[i].Name, KindUser, false
	}
	if f.crawler != noEntry {
		return crawlerList[f.crawler].Name, crawlerList[f.crawler].Kind, false
	}
	ws := agentWords()
	if f.has(ws.notBots) {
		// A word that hides a bot word (CUBOT phones) is taken out first.
		generic := f.low
		if f.ascii {
			generic = lowerASCII(agent)
		}
		for _, w := range notBotWords {
			generic = strings.ReplaceAll(generic, w, "")
		}
		for _, t := range genericBotTokens {
			if strings.Contains(generic, t) {
				return firstProduct(agent), KindOther, false
			}
		}
	} else if f.has(ws.generic) {
		return firstProduct(agent), KindOther, false
	}
	if !f.mssolaMayBeBot() {
		return "", "", false
	}
	c.ua.Parse(agent)
	if c.ua.Bot() {
		return leadProduct(agent), KindOther, true
	}
	return "", "", true
}

// classify is what the section knows about the agent.
func (c *agentClassifier) classify(agent string) agentInfo {
	if agent == "" {
		return agentInfo{browser: familyUnknown, os: familyUnknown}
	}
	f := builtinScanner().facts(agent)
	name, kind, parsed := c.crawler(agent, &f)
	if name != "" {
		return agentInfo{crawler: name, kind: kind, browser: familyCrawler, os: familyCrawler}
	}
	browser, os := tokenBrowser(agent, &f), tokenOS(&f)
	if browser == "" || os == "" {
		if !parsed {
			c.ua.Parse(agent)
		}
		if browser == "" {
			name, _ := c.ua.Browser()
			browser = correctFamily(agent, browserFamily(name))
		}
		if os == "" {
			os = osFamily(c.ua.OSInfo().Name)
		}
	}
	return agentInfo{browser: browser, os: os}
}

// agentClassKey names the memo of agentClasses for one set of user rules.
type agentClassKey struct{ rules string }

// agentTable is the classes of a dictionary's agents: agent code c is of
// class classes[ids[c]]. A class is held once however many agents share
// it: a few hundred combinations of crawler, browser and OS family cover
// a million distinct agents, whose four strings each were 64 bytes and
// four pointers an agent for the collector to mark at every cycle.
// classes[0] is the zero class, of the codes no row has.
type agentTable struct {
	ids     []uint32
	classes []agentInfo
}

// at is the class of agent code c.
func (t *agentTable) at(c int) agentInfo { return t.classes[t.ids[c]] }

// agentClasses classifies each agent of the frame's agent column with a
// count, with the user's crawler rules: once per column and set of rules,
// on every core, and shared (the caller must not modify it). counts are
// the column's counts per code.
func agentClasses(agents *frame.CodeView, counts []int, user []CrawlerRule) *agentTable {
	var key strings.Builder // the rules, each string quoted: one key per list of rules
	for _, r := range user {
		key.WriteString(strconv.Quote(r.Name))
		key.WriteString(strconv.Quote(r.Token))
	}
	dict := agents.Dict
	return agents.Memo(agentClassKey{key.String()}, func() any {
		return classifyParallel(dict, counts, user)
	}).(*agentTable)
}

// classifyParallel classifies the agents with a count on every core,
// into a table. Each goroutine numbers the classes it meets, and the
// numbers are made the table's at the end.
func classifyParallel(dict frame.Dict, counts []int, user []CrawlerRule) *agentTable {
	const chunk = 1024
	const workerBits = 8 // a goroutine's number, in an id's low bits
	workers := max(1, min(runtime.GOMAXPROCS(0), (dict.Len()+chunk-1)/chunk, 1<<workerBits))
	ids := make([]uint32, dict.Len())
	local := make([][]agentInfo, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			c := newAgentClassifier(user)
			seen := map[agentInfo]uint32{{}: 0}
			classes := []agentInfo{{}}
			var last agentInfo
			lastID := uint32(0)
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= dict.Len() {
					break
				}
				// The agents are read with Scan, whose strings last for
				// the call: a class kept, which may hold a part of its
				// agent (a browser's name as mssola parsed it), is a copy.
				dict.Scan(lo, min(lo+chunk, dict.Len()), func(i int, agent string) {
					if counts[i] == 0 {
						return
					}
					a := c.classify(agent)
					if a != last {
						id, ok := seen[a]
						if !ok {
							a = agentInfo{strings.Clone(a.crawler), strings.Clone(a.kind), strings.Clone(a.browser), strings.Clone(a.os)}
							id = uint32(len(classes))
							seen[a] = id
							classes = append(classes, a)
						} else {
							a = classes[id]
						}
						last, lastID = a, id
					}
					ids[i] = lastID<<workerBits | uint32(w)
				})
			}
			local[w] = classes
		})
	}
	wg.Wait()
	t := &agentTable{ids: ids, classes: []agentInfo{{}}}
	global := map[agentInfo]uint32{{}: 0}
	remap := make([][]uint32, workers)
	for w, classes := range local {
		remap[w] = make([]uint32, len(classes))
		for l, a := range classes {
			g, ok := global[a]
			if !ok {
				g = uint32(len(t.classes))
				global[a] = g
				t.classes = append(t.classes, a)
			}
			remap[w][l] = g
		}
	}
	for i, id := range ids {
		ids[i] = remap[id&(1<<workerBits-1)][id>>workerBits]
	}
	return t
}

// mssolaBotWords are the words of mssola/useragent v1.0.0's bot pattern
// (bot.go, botRegex: "(?i)(bot|crawler|sp(i|y)der|search|worm|fetch|nutch)").
var mssolaBotWords = []string{"bot", "crawler", "spider", "spyder", "search", "worm", "fetch", "nutch"}

// mssolaMayBeBot is false for an agent mssola/useragent v1.0.0 cannot take
// for a bot, so that it need not be parsed (a parse per distinct agent was
// a third of classifying a million of them). By that version's source
// (bot.go), Bot is true only when a comment holds a site
// ("http[s]?://..." matched case-sensitively: the agent contains "http"),
// when an agent of one product has a name matching its bot pattern (the
// agent contains one of mssolaBotWords, ignoring case), or for iMessage's
// preview agent, which contains "facebookexternalhit", a crawler of the
// list matched before. Agents with a byte past ASCII are always parsed:
// the pattern folds case by Unicode rules ("ſ" matches "s"), which
// strings.ToLower does not. TestMssolaMayBeBot holds it on agents.tsv and
// generated agents.
func (f *agentFacts) mssolaMayBeBot() bool {
	return !f.ascii || f.has(wordHTTP|agentWords().mssola)
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
