package analysis

import "github.com/logbook/logbook/frame"

// humans tells, row by row, whether a request came from a person as far
// as its user agent tells: an agent that names a known browser family (not
// empty, not a crawler or tool of crawlers.go or the user's rules, not an
// app or library the family tables count as "(other)"), from a client (IP
// and agent) that did not fetch /robots.txt. Each distinct agent is
// classified once, by its dictionary code. A browser-like agent can still
// be a script: this is what the agents say, no more.
type humans struct {
	agents, ips *frame.CodeView
	bot         []bool // per agent code: a crawler, a tool, no agent, or no known browser
	readers     map[uint64]bool
	readerUA    bitset
	// anyBots is whether a request came from a named crawler or tool or
	// a robots.txt reader.
	anyBots bool
}

// newHumans classifies the frame's agents with the user's crawler rules;
// it returns nil when the frame has no user agent column.
func newHumans(f *frame.Frame, user []CrawlerRule) *humans {
	agents := strCol(f, frame.UserAgent)
	if agents == nil {
		return nil
	}
	h := &humans{agents: agents, ips: strCol(f, frame.IP)}
	counts := agents.Counts()
	h.bot = make([]bool, len(agents.Dict))
	info := agentClasses(agents, counts, user) // shared: read only
	for c, a := range info {
		if counts[c] == 0 {
			continue
		}
		switch {
		case a.crawler != "":
			h.bot[c] = true
			h.anyBots = true
		case a.browser == familyUnknown || a.browser == familyOther:
			h.bot[c] = true // names no browser: not a person as far as it tells
		}
	}
	h.readers = robotsReaders(f, agents, info)
	h.readerUA = readerAgents(h.readers, len(agents.Dict))
	h.anyBots = h.anyBots || len(h.readers) > 0
	return h
}

// human reports whether row i came from a browser-like agent.
func (h *humans) human(i int) bool {
	ua := h.agents.At(i)
	if h.bot[ua] {
		return false
	}
	if h.readers != nil && h.readerUA.has(ua) && h.readers[pairKey(h.ips.At(i), ua)] {
		return false
	}
	return true
}
