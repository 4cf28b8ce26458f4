package analysis

import (
	"strings"

	"github.com/logbook/logbook/frame"
)

// Helpers of the uri_stems and visitors partials: who is a person
// (humans.go) when the records come in chunks.
//
// Whether a request came from a person depends on its agent, which a
// chunk can tell alone (the agent's class is the same in every chunk), and
// on whether its client (IP and agent) fetched /robots.txt, which only all
// the records tell: a client may read /robots.txt in one chunk and pages
// in another. So a state keeps what it needs per client of a browser-like
// agent, and the set of clients that read /robots.txt (Readers); Finish
// leaves the readers out.

// chunkAgents is a chunk's agents classified once per code, as newHumans
// classifies a frame's: through agentClasses, whose memo on the column
// shares one classification among the sections that run on the same
// frame (classifying in Finish, from a state's strings, would classify
// every distinct agent once per section).
type chunkAgents struct {
	agents, ips, stems frame.CodeView
	info               []agentInfo
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
	c.bot, c.crawler = make([]bool, len(c.info)), make([]bool, len(c.info))
	for code, a := range c.info {
		if counts[code] == 0 {
			continue
		}
		switch {
		case a.crawler != "":
			c.bot[code], c.crawler[code] = true, true
		case a.browser == familyUnknown || a.browser == familyOther:
			c.bot[code] = true
		}
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
// robotsReaders finds them.
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
		p := Pair{c.ips.Dict[c.ips.At(i)], c.agents.Dict[ua]}
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

// ownCodes returns, for each code of dict marked in need, an owned copy
// of its string, and "" for the others: the copies are cut from one
// allocation, so that owning a chunk's million distinct strings costs one
// copy rather than a million (the allocation lives as long as one of them
// does: a state keeps what it needs of a chunk's strings, and no more than
// their bytes).
func ownCodes(dict []string, need []bool) []string {
	size := 0
	for c, ok := range need {
		if ok {
			size += len(dict[c])
		}
	}
	var b strings.Builder
	b.Grow(size)
	for c, ok := range need {
		if ok {
			b.WriteString(dict[c])
		}
	}
	all := b.String()
	out := make([]string, len(dict))
	at := 0
	for c, ok := range need {
		if ok {
			out[c] = all[at : at+len(dict[c])]
			at += len(dict[c])
		}
	}
	return out
}

// Triple is a client (IP and agent) and a third string: a stem.
type Triple struct{ IP, Agent, Stem string }
