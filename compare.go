package logbook

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/logbook/logbook/analysis"
)

// Comparing with the previous period (--compare previous): the sections
// run a second time on the window of the same length just before the
// chosen one, read from the same inputs, and a comparison section is made
// from the two runs' outputs (their metrics and their tables), not from
// the frames, so that it does not depend on how a section computed them.

// comparable is a table the comparison reads: a text key in its first
// column and a "requests" count.
func comparableTable(t *analysis.Table) (count int, ok bool) {
	if len(t.Columns) < 2 || t.Columns[0].Kind != analysis.Text {
		return 0, false
	}
	for i, c := range t.Columns {
		if c.Name == "requests" && c.Kind == analysis.Integer {
			return i, true
		}
	}
	return 0, false
}

// keyCounts is a comparable table as key → requests, with its smallest
// count: a key a table leaves out had at most that many.
type keyCounts struct {
	n     map[string]int
	order []string
	min   int
}

func countsOf(t *analysis.Table, col int) keyCounts {
	k := keyCounts{n: map[string]int{}, min: math.MaxInt}
	for _, row := range t.Rows {
		key, _ := row[0].(string)
		v, ok := row[col].(int)
		if !ok {
			continue
		}
		if _, seen := k.n[key]; !seen {
			k.order = append(k.order, key)
		}
		k.n[key] += v
		k.min = min(k.min, v)
	}
	if len(k.order) == 0 {
		k.min = 0
	}
	return k
}

// provablyAbsent reports whether a key missing from the table had no
// request at all: the table lists keys down to a single request, or is
// empty.
func (k keyCounts) provablyAbsent() bool { return k.min <= 1 }

func tablesByID(sections []*analysis.Section) map[string]*analysis.Table {
	out := map[string]*analysis.Table{}
	for _, s := range sections {
		for _, t := range s.Tables() {
			out[s.ID+"."+t.ID] = t
		}
	}
	return out
}

// change is one key's move between the periods.
type change struct {
	table, key    string
	prev, cur     int
	prevKnown     bool // prev is a count, not "fewer than the table's least"
	diff          int
	prevLeast     int
	isNew, isGone bool
}

// changes lists every key of a comparable table in either period.
func changes(id string, prev, cur keyCounts) []change {
	var out []change
	seen := map[string]bool{}
	for _, key := range cur.order {
		seen[key] = true
		c := change{table: id, key: key, cur: cur.n[key]}
		if p, ok := prev.n[key]; ok {
			c.prev, c.prevKnown = p, true
		} else if prev.provablyAbsent() {
			c.prevKnown, c.isNew = true, true
		} else {
			c.prevLeast = prev.min
		}
		c.diff = c.cur - c.prev
		out = append(out, c)
	}
	for _, key := range prev.order {
		if seen[key] {
			continue
		}
		c := change{table: id, key: key, prev: prev.n[key], prevKnown: true}
		if cur.provablyAbsent() {
			c.isGone = true
			c.diff = -c.prev
		} else {
			continue // below the current table's least: its count is unknown
		}
		out = append(out, c)
	}
	return out
}

// periodWord names the comparison for sentences: "week over week" for a
// week, "on the previous 3 days" otherwise.
func periodWord(d time.Duration) string {
	switch {
	case d == 7*24*time.Hour:
		return "week over week"
	case d == 24*time.Hour:
		return "day over day"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("on the previous %d days", d/(24*time.Hour))
	}
	return "on the previous " + analysis.Span(d)
}

// relChange is (cur-prev)/prev, NaN when prev is 0.
func relChange(prev, cur float64) float64 {
	if prev == 0 {
		return math.NaN()
	}
	return (cur - prev) / prev
}

func moved(prev, cur float64) string {
	r := relChange(prev, cur)
	switch {
	case math.IsNaN(r):
		return "went from none"
	case r > 0:
		return "rose " + pctWord(r)
	case r < 0:
		return "fell " + pctWord(-r)
	}
	return "stayed"
}

func pctWord(r float64) string {
	switch {
	case r >= 10:
		return analysis.Decimal(r+1, 0) + "-fold"
	case r < 0.1:
		return analysis.Decimal(r*100, 1) + "%"
	}
	return analysis.Decimal(r*100, 0) + "%"
}

// comparisonSection writes what changed between the previous period and
// this one.
//
// partly, when not empty, says that the records read do not reach back to
// the previous period's start (previousCoverage): the first conclusion, so
// that no rise below is read as like for like.
func comparisonSection(prevDesc, partly string, length time.Duration, prevM, curM *Metrics, prevS, curS []*analysis.Section) *analysis.Section {
	s := &analysis.Section{ID: "comparison", Title: "Compared with the previous period",
		Doc: "What changed since the period of the same length just before this one: requests, clients, error rates, and the paths, clients, crawlers and scanners that rose, fell, came or went."}
	s.Prose(fmt.Sprintf("The previous period is %s. Both periods are read from the same inputs; the tables below compare the sections' own outputs.", prevDesc))
	if partly != "" {
		s.Conclude(partly)
	}
	per := periodWord(length)

	mt := analysis.NewTable("period_metrics", "This period against the previous one",
		analysis.Column{Name: "metric", Kind: analysis.Text}, analysis.Column{Name: "previous", Kind: analysis.Mixed},
		analysis.Column{Name: "current", Kind: analysis.Mixed}, analysis.Column{Name: "relative_change", Kind: analysis.Float})
	type metric struct {
		name      string
		kind      analysis.Kind
		prev, cur float64
	}
	ms := []metric{
		{"requests", analysis.Integer, float64(prevM.Requests), float64(curM.Requests)},
		{"unique_clients", analysis.Integer, float64(prevM.UniqueClients), float64(curM.UniqueClients)},
		{"error_rate", analysis.Share, prevM.ErrorRate, curM.ErrorRate},
		{"client_error_rate", analysis.Share, prevM.ClientErrorRate, curM.ClientErrorRate},
		{"not_found_rate", analysis.Share, prevM.NotFoundRate, curM.NotFoundRate},
		{"bytes", analysis.Bytes, prevM.Bytes, curM.Bytes},
	}
	typed := func(k analysis.Kind, v float64) analysis.Typed {
		if k == analysis.Integer {
			return analysis.Typed{Kind: k, V: int(v)}
		}
		return analysis.Typed{Kind: k, V: v}
	}
	for _, m := range ms {
		mt.Add(m.name, typed(m.kind, m.prev), typed(m.kind, m.cur), relChange(m.prev, m.cur))
	}
	s.Compute("metrics(previous) vs metrics(current)", analysis.Output{Table: mt})

	// Requests, in words.
	if prevM.Requests == 0 {
		s.Conclude("The previous period has no records, so there is nothing to compare with.")
		return s
	}
	r := relChange(float64(prevM.Requests), float64(curM.Requests))
	s.Conclude(fmt.Sprintf("Requests %s %s (%s → %s); unique clients %s (%s → %s).", moved(float64(prevM.Requests), float64(curM.Requests)), per,
		analysis.Int(prevM.Requests), analysis.Int(curM.Requests),
		moved(float64(prevM.UniqueClients), float64(curM.UniqueClients)), analysis.Int(prevM.UniqueClients), analysis.Int(curM.UniqueClients)))
	if math.Abs(r) >= 0.3 && max(prevM.Requests, curM.Requests) >= 100 {
		s.Find("requests_changed", analysis.SevNotice, r, fmt.Sprintf("Requests %s %s (%s → %s).", moved(float64(prevM.Requests), float64(curM.Requests)), per,
			analysis.Int(prevM.Requests), analysis.Int(curM.Requests)))
	}
	// Error rates, when they moved by a margin that counts.
	rate := func(name, what string, prev, cur float64) {
		pn, cn := prev*float64(prevM.Requests), cur*float64(curM.Requests)
		if max(pn, cn) < 10 || math.Abs(cur-prev) < 0.001 {
			return
		}
		if rc := relChange(prev, cur); !math.IsNaN(rc) && math.Abs(rc) < 0.25 {
			return
		}
		msg := fmt.Sprintf("The share of %s went from %s to %s (%s → %s requests).", what, analysis.Pct(prev), analysis.Pct(cur),
			analysis.Int(int(math.Round(pn))), analysis.Int(int(math.Round(cn))))
		s.Conclude(msg)
		if cur > prev && name == "error_rate" {
			s.Find("error_rate_rose", analysis.SevWarning, cur, msg)
		}
	}
	rate("error_rate", "server errors (5xx)", prevM.ErrorRate, curM.ErrorRate)
	rate("client_error_rate", "client errors (4xx)", prevM.ClientErrorRate, curM.ClientErrorRate)

	// Keys that rose and fell most, table by table.
	prevT, curT := tablesByID(prevS), tablesByID(curS)
	ran := map[string]bool{} // sections that ran in the previous period
	for _, ps := range prevS {
		ran[ps.ID] = ps.Skipped == "" && ps.Error == ""
	}
	var ids []string
	for id, t := range curT {
		if _, ok := comparableTable(t); !ok {
			continue
		}
		if _, ok := prevT[id]; !ok {
			// A section that ran and made no such table had no such
			// rows (no crawler came): an empty table of the same
			// columns.
			sec, _, _ := strings.Cut(id, ".")
			if !ran[sec] {
				continue
			}
			prevT[id] = &analysis.Table{ID: t.ID, Columns: t.Columns}
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ct := analysis.NewTable("changes", "What rose and fell most, by table (up to three of each, by at least 5 requests)",
		analysis.Column{Name: "table", Kind: analysis.Text}, analysis.Column{Name: "key", Kind: analysis.Text},
		analysis.Column{Name: "previous", Kind: analysis.Integer}, analysis.Column{Name: "current", Kind: analysis.Integer},
		analysis.Column{Name: "change", Kind: analysis.Integer}, analysis.Column{Name: "note", Kind: analysis.Text})
	nt := analysis.NewTable("new_keys", "Crawlers, scanning clients, status codes and methods seen now and not in the previous period",
		analysis.Column{Name: "table", Kind: analysis.Text}, analysis.Column{Name: "key", Kind: analysis.Text},
		analysis.Column{Name: "requests", Kind: analysis.Integer})
	byTable := map[string][]change{}
	for _, id := range ids {
		pc, _ := comparableTable(prevT[id])
		cc, _ := comparableTable(curT[id])
		all := changes(id, countsOf(prevT[id], pc), countsOf(curT[id], cc))
		byTable[id] = all
		var known []change
		for _, c := range all {
			if c.prevKnown && abs(c.diff) >= 5 {
				known = append(known, c)
			}
		}
		slices.SortStableFunc(known, func(a, b change) int { return b.diff - a.diff })
		var picked []change
		for i := 0; i < len(known) && i < 3 && known[i].diff > 0; i++ {
			picked = append(picked, known[i])
		}
		for i := len(known) - 1; i >= 0 && i >= len(known)-3 && known[i].diff < 0; i-- {
			picked = append(picked, known[i])
		}
		for _, c := range picked {
			note := ""
			switch {
			case c.isNew:
				note = "new"
			case c.isGone:
				note = "gone"
			}
			ct.Add(id, c.key, c.prev, c.cur, c.diff, note)
		}
		if newsTables[id] != "" {
			for _, c := range all {
				if c.isNew {
					nt.Add(id, c.key, c.cur)
				}
			}
		}
	}
	s.Compute("compare(previous[table], current[table]) for each table keyed by a text column with a requests count", analysis.Output{Table: ct})
	if len(nt.Rows) > 0 {
		s.Compute("keys of the current table absent from the previous one, which lists keys down to one request", analysis.Output{Table: nt})
	}

	// The 404s, with the path that moved most.
	if pn, cn := prevM.NotFoundRate*float64(prevM.Requests), curM.NotFoundRate*float64(curM.Requests); max(pn, cn) >= 20 {
		if rc := relChange(pn, cn); math.IsNaN(rc) || math.Abs(rc) >= 0.25 {
			msg := fmt.Sprintf("404 responses %s %s (%s → %s)", moved(pn, cn), per, analysis.Int(int(math.Round(pn))), analysis.Int(int(math.Round(cn))))
			if pn == 0 {
				msg = fmt.Sprintf("404 responses went from none to %s %s", analysis.Int(int(math.Round(cn))), per)
			}
			if top := topMove(byTable["not_found.not_found_paths"], cn > pn); top != nil {
				msg += fmt.Sprintf(", most of all on %s (%+d)", analysis.Code(top.key), top.diff)
			}
			s.Conclude(msg + ".")
		}
	}
	// What is new, in words.
	for _, id := range []string{"user_agents.crawlers", "security.probe_ips"} {
		var news []change
		for _, c := range byTable[id] {
			if c.isNew {
				news = append(news, c)
			}
		}
		if len(news) == 0 {
			continue
		}
		slices.SortStableFunc(news, func(a, b change) int { return b.cur - a.cur })
		var names []string
		for i, c := range news {
			if i == 5 {
				names = append(names, fmt.Sprintf("and %d more", len(news)-5))
				break
			}
			names = append(names, fmt.Sprintf("%s (%s)", analysis.Code(c.key), analysis.Count(c.cur, "request")))
		}
		what := newsTables[id]
		msg := fmt.Sprintf("%s came that did not in the previous period: %s.", analysis.Count(len(news), what), strings.Join(names, ", "))
		s.Conclude(msg)
		if id == "security.probe_ips" {
			s.Find("new_scanners", analysis.SevNotice, len(news), msg)
		}
	}
	return s
}

// newsTables are the tables whose new keys the comparison lists, with the
// word for one key.
var newsTables = map[string]string{
	"user_agents.crawlers":       "crawler",
	"security.probe_ips":         "probing client",
	"status_codes.status_counts": "status code",
	"methods.method_counts":      "method",
}

// topMove is the change that rose most (up) or fell most.
func topMove(cs []change, up bool) *change {
	var best *change
	for i := range cs {
		c := &cs[i]
		if !c.prevKnown || (up && c.diff <= 0) || (!up && c.diff >= 0) {
			continue
		}
		if best == nil || abs(c.diff) > abs(best.diff) {
			best = c
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// previousCoverage says, in a sentence, that the records read begin well
// after the start of the previous period [from, until) (by more than an
// hour a day of it), so that the period is only partly covered; "" when
// they do not, or when nothing was read.
func previousCoverage(from, until time.Time, firstRead time.Time, loc *time.Location) string {
	if firstRead.IsZero() || from.IsZero() || !firstRead.After(from.Add(until.Sub(from)/24)) {
		return ""
	}
	if !firstRead.Before(until) {
		return fmt.Sprintf("The logs read begin at %s, after the previous period ends: it holds no record, so every count below is new, not a rise.",
			firstRead.In(loc).Format("2006-01-02 15:04"))
	}
	return fmt.Sprintf("The logs read begin at %s, %s into the previous period: it is only partly covered, so its counts are low and the changes below are not like for like.",
		firstRead.In(loc).Format("2006-01-02 15:04"), analysis.Span(firstRead.Sub(from)))
}
