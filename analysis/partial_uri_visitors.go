package analysis

import (
	"strings"

	"github.com/logbook/logbook/frame"
)

// Helpers of the uri_stems and visitors partials: who is a person when the
// records come in chunks. A request came from a person as far as its user
// agent tells when the agent names a known browser family (not empty, not
// a crawler or tool of crawlers.go or the user's rules, not an app or
// library the family tables count as "(other)"), from a client (IP and
// agent) that did not fetch /robots.txt. A browser-like agent can still be
// a script: this is what the agents say, no more.
//
// Whether a request came from a person depends on its agent, which a
// chunk can tell alone (the agent's class is the same in every chunk), and
// on whether its client (IP and agent) fetched /robots.txt, which only all
// the records tell: a client may read /robots.txt in one chunk and pages
// in another. So a state keeps what it needs per client of a browser-like
// agent, and the set of clients that read /robots.txt (Readers); Finish
// leaves the readers out.

// chunkAgents is a chunk's agents classified once per code, through
// agentClasses, whose memo on the column
// shares one classification among the sections that run on the same
// frame (classifying in Finish, from a state's strings, would classify
// every distinct agent once per section).
type chunkAgents struct {
	agents, ips, stems frame.CodeView
	info               *agentTable
	// bot per agent code: a crawler or tool, no agent, or no known
	// browser; crawler: a crawler or tool by name.
	bot, crawler []bool
}

// classifyChunk classifies the agents of f with the user's rules. A chunk
// without an agent, IP or stem column reads it as empty strings, as its
// rows would hold in a frame with other sources that have it.
func classifyChunk(f *frame.Frame, user []CrawlerRule) *chunkAgents {
	c := &chunkAgents{agents: strColOrEmpty(f, frame.UserAgent), ips: strColOrEmpty(f, frame.IP), stems: strColOrEmpty(f, frame.Stem)}
	counts := c.agents.Counts()
	c.info = agentClasses(&c.agents, counts, user) // shared: read only
	// Whether each class is a bot or a crawler, then each code's.
	bot, crawler := make([]bool, len(c.info.classes)), make([]bool, len(c.info.classes))
	for k, a := range c.info.classes {
		switch {
		case k == 0: // the class of codes no row has
		case a.crawler != "":
			bot[k], crawler[k] = true, true
		case a.browser == familyUnknown || a.browser == familyOther:
			bot[k] = true
		}
	}
	c.bot, c.crawler = make([]bool, len(c.info.ids)), make([]bool, len(c.info.ids))
	for code, k := range c.info.ids {
		c.bot[code], c.crawler[code] = bot[k], crawler[k]
	}
	return c
}

// anyCrawler reports whether a request of the chunk came from a crawler
// or tool by name.
func (c *chunkAgents) anyCrawler() bool {
	for _, b := range c.crawler {
		if b {
			return true
		}
	}
	return false
}

// addReaders adds to readers the clients (IP, agent) of the chunk that
// fetched /robots.txt with an agent that is not a crawler by name, as
// robotsReaders finds them: never the requests without an IP, which are
// no one client's.
func (c *chunkAgents) addReaders(readers map[Pair]bool) {
	robots, ok := c.stems.Lookup("/robots.txt")
	if !ok {
		return
	}
	for i := range c.stems.Len() {
		if c.stems.At(i) != robots {
			continue
		}
		ua := c.agents.At(i)
		if c.crawler[ua] {
			continue
		}
		p := Pair{c.ips.Dict.At(c.ips.At(i)), c.agents.Dict.At(ua)}
		if missingIP(p.Key) {
			continue
		}
		if !readers[p] {
			readers[Pair{own(p.Key), own(p.Value)}] = true
		}
	}
}

// mergeReaders adds o's readers to r.
func mergeReaders(r, o map[Pair]bool) {
	for p := range o {
		r[p] = true
	}
}

// ownCodes returns, in the order of their codes, an owned copy of the
// string of each code of dict marked in need: the copies are cut from one
// allocation, so that owning a chunk's million distinct strings costs one
// copy rather than a million (the allocation lives as long as one of them
// does: a state keeps what it needs of a chunk's strings, and no more than
// their bytes). What it allocates besides follows the strings needed, not
// the dictionary: 100,000 needed of a million distinct were 24 MB of
// slots for the others.
func ownCodes(dict frame.Dict, need []bool) []string {
	// Each string is read once, in order (a large dictionary's are
	// packed), and cut from the copy once it is whole.
	size, n := 0, 0
	for c, ok := range need {
		if ok {
			n++
			if !dict.Packed() {
				size += len(dict.Peek(uint32(c)))
			}
		}
	}
	var b strings.Builder
	b.Grow(size)
	end := make([]int, 0, n) // where each needed string ends in the copy
	dict.Scan(0, min(len(need), dict.Len()), func(c int, v string) {
		if need[c] {
			b.WriteString(v) // a copy: v lasts for the call
			end = append(end, b.Len())
		}
	})
	all := b.String()
	out := make([]string, len(end))
	at := 0
	for i, e := range end {
		out[i] = all[at:e]
		at = e
	}
	return out
}

// CodedTally counts rows per string, as a Tally does, with each string
// a code of Dict and its count in N, indexed by code: a million distinct
// paths or referers are a slice of strings and one of counts rather than
// a map, and in a run over one frame (Borrow) the strings are the
// frame's, with no index of them built (Dict.Codes on an empty Dict).
type CodedTally struct {
	Dict Dict
	N    []int
}

// Borrow is Dict.Borrow for the tally's strings.
func (t *CodedTally) Borrow(in *Input) { t.Dict.Borrow(in) }

// AddColumn adds each row of a string column of f, counted per string; a
// chunk without the column counts its rows as the empty string, as
// Tally.AddColumn does.
func (t *CodedTally) AddColumn(f *frame.Frame, c frame.StrCol) {
	v := strCol(f, c)
	if v == nil {
		if f.Len() > 0 {
			code := t.Dict.Code("")
			t.N = growTo(t.N, t.Dict.Len())
			t.N[code] += f.Len()
		}
		return
	}
	counts := v.Counts()
	need := make([]bool, len(counts))
	for code, n := range counts {
		need[code] = n > 0
	}
	codes := t.Dict.CodesOf(v, need)
	if len(t.N) == 0 && len(counts) == t.Dict.Len() && identity(codes) {
		t.N = counts // the first chunk, coded as the column (a whole frame's): its counts are the tally's
		return
	}
	t.N = growTo(t.N, t.Dict.Len())
	for code, n := range counts {
		if n > 0 {
			t.N[codes[code]] += n
		}
	}
}

// Merge adds the counts of o.
func (t *CodedTally) Merge(o *CodedTally) {
	code := t.Dict.Remap(&o.Dict)
	t.N = addRemapped(t.N, o.N, code, t.Dict.Len())
}

// Counts is the count per code of Dict.Strings.
func (t *CodedTally) Counts() []int { return growTo(t.N, t.Dict.Len()) }
