package logbook

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/report"
)

// The select stage: the records the report covers, between the read and
// the analyses. A window (Since, Until, Last, Week) and filters (addresses,
// paths, status codes, hosts) are checked when the Config is validated and
// resolved once the read has told the zone and the newest record. Every
// filter works on a column's dictionary: each distinct address, path or
// host is matched once, and the rows only look up their code.

// selector is the window and the filters of a Config, parsed.
type selector struct {
	since, until when // zero: open
	last         time.Duration
	lastText     string
	week         string // "", "last" or YYYY-Www
	weekYear     int
	weekNum      int

	includeIP, excludeIP     []netip.Prefix
	includePath, excludePath []pattern
	status                   []string // 404 or 4xx
	hosts                    []pattern

	compare bool // --compare previous

	crawlers     string // "", "ignore" or "only"
	crawlerRules []analysis.CrawlerRule
}

// when is a bound as the user wrote it: an instant, a local time, or a
// date (a whole day), placed in the report's zone once it is known.
type when struct {
	text    string
	abs     time.Time // an RFC 3339 time: its own offset
	local   time.Time // a local wall time, in UTC's fields
	isDate  bool
	isLocal bool
}

func (w when) zero() bool { return w.text == "" }

func (w when) in(loc *time.Location) time.Time {
	if !w.isLocal {
		return w.abs
	}
	l := w.local
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, loc)
}

var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

func parseWhen(flag, s string) (when, error) {
	w := when{text: s}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		w.local, w.isDate, w.isLocal = t, true, true
		return w, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		w.abs = t
		return w, nil
	}
	for _, l := range localLayouts {
		if t, err := time.Parse(l, s); err == nil {
			w.local, w.isLocal = t, true
			return w, nil
		}
	}
	return when{}, usagef("%s %q: want a date (2024-03-04), a time in the report's zone (2024-03-04T10:00) or an RFC 3339 time (2024-03-04T10:00:00Z)", flag, s)
}

var spanRE = regexp.MustCompile(`^(\d+)([mhdw])$`)

// parseSpan reads 90m, 24h, 7d or 2w.
func parseSpan(s string) (time.Duration, error) {
	m := spanRE.FindStringSubmatch(s)
	if m == nil {
		return 0, usagef("--last %q: want a number and a unit: m (minutes), h (hours), d (days) or w (weeks), e.g. 7d", s)
	}
	n, err := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	const most = 100 * 366 * 24 * time.Hour
	if err != nil || n == 0 || time.Duration(n) > most/unit {
		return 0, usagef("--last %q: want a span from 1%s up to 100 years", s, m[2])
	}
	return time.Duration(n) * unit, nil
}

var weekRE = regexp.MustCompile(`^(\d{4})-?W(\d\d)$`)

// weekStart is the Monday 00:00 that starts ISO week w of year y in loc.
func weekStart(y, w int, loc *time.Location) time.Time {
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc) // always in week 1
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w-1))
}

// pattern matches a path or a host: a glob, where * matches any run of
// characters (slashes too), ? one character and [...] a class, against
// the whole value; or re:EXPR, a Go regular expression found anywhere in
// the value unless anchored.
type pattern struct {
	text string
	re   *regexp.Regexp
}

func parsePattern(flag, s string, fold bool) (pattern, error) {
	if s == "" {
		return pattern{}, usagef("%s: empty pattern", flag)
	}
	expr, isRE := strings.CutPrefix(s, "re:")
	if !isRE {
		var b strings.Builder
		b.WriteString("^")
		for i := 0; i < len(s); i++ {
			switch c := s[i]; c {
			case '*':
				b.WriteString(".*")
			case '?':
				b.WriteString(".")
			case '[':
				j := strings.IndexByte(s[i+1:], ']')
				if j < 0 {
					return pattern{}, usagef("%s %q: [ without its ]", flag, s)
				}
				class := s[i+1 : i+1+j]
				if neg, ok := strings.CutPrefix(class, "!"); ok {
					class = "^" + neg
				}
				b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
				i += j + 1
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		b.WriteString("$")
		expr = b.String()
	}
	if fold {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return pattern{}, usagef("%s %q: %v", flag, s, err)
	}
	return pattern{text: s, re: re}, nil
}

func parsePrefix(flag, s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		a = a.Unmap().WithZone("")
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, usagef("%s %q: want an address (192.0.2.7, 2001:db8::1) or a CIDR range (10.0.0.0/8, 2001:db8::/32)", flag, s)
}

var statusRE = regexp.MustCompile(`^(\d\d\d|[0-9][xX][xX])$`)

func (c *Config) selector() (*selector, error) {
	s := &selector{}
	var err error
	if c.Since != "" {
		if s.since, err = parseWhen("--since", c.Since); err != nil {
			return nil, err
		}
	}
	if c.Until != "" {
		if s.until, err = parseWhen("--until", c.Until); err != nil {
			return nil, err
		}
	}
	if c.Last != "" {
		if c.Since != "" {
			return nil, usagef("--last and --since both say where the window starts; give one")
		}
		if s.last, err = parseSpan(c.Last); err != nil {
			return nil, err
		}
		s.lastText = c.Last
	}
	if c.Week != "" {
		if c.Since != "" || c.Until != "" || c.Last != "" {
			return nil, usagef("--week is a whole window; leave out --since, --until and --last")
		}
		s.week = c.Week
		if c.Week != "last" {
			m := weekRE.FindStringSubmatch(c.Week)
			if m == nil {
				return nil, usagef("--week %q: want an ISO week such as 2024-W10, or last", c.Week)
			}
			s.weekYear, _ = strconv.Atoi(m[1])
			s.weekNum, _ = strconv.Atoi(m[2])
			if y, w := weekStart(s.weekYear, s.weekNum, time.UTC).ISOWeek(); s.weekNum == 0 || y != s.weekYear || w != s.weekNum {
				return nil, usagef("--week %q: %d has no week %d", c.Week, s.weekYear, s.weekNum)
			}
		}
	}
	for _, v := range c.IncludeIP {
		p, err := parsePrefix("--include-ip", v)
		if err != nil {
			return nil, err
		}
		s.includeIP = append(s.includeIP, p)
	}
	for _, v := range c.ExcludeIP {
		p, err := parsePrefix("--exclude-ip", v)
		if err != nil {
			return nil, err
		}
		s.excludeIP = append(s.excludeIP, p)
	}
	for _, v := range c.IncludePath {
		p, err := parsePattern("--include-path", v, false)
		if err != nil {
			return nil, err
		}
		s.includePath = append(s.includePath, p)
	}
	for _, v := range c.ExcludePath {
		p, err := parsePattern("--exclude-path", v, false)
		if err != nil {
			return nil, err
		}
		s.excludePath = append(s.excludePath, p)
	}
	for _, v := range c.Status {
		if !statusRE.MatchString(v) {
			return nil, usagef("--status %q: want a code (404) or a class (5xx)", v)
		}
		s.status = append(s.status, strings.ToLower(v))
	}
	for _, v := range c.Hosts {
		p, err := parsePattern("--host", v, true)
		if err != nil {
			return nil, err
		}
		s.hosts = append(s.hosts, p)
	}
	switch c.CrawlerFilter {
	case "", "ignore", "only":
		s.crawlers = c.CrawlerFilter
	default:
		return nil, usagef("crawler filter %q: want ignore or only", c.CrawlerFilter)
	}
	for _, r := range c.Crawlers {
		if rule, err := analysis.ParseCrawlerRule(r); err == nil {
			s.crawlerRules = append(s.crawlerRules, rule)
		}
	}
	switch c.Compare {
	case "":
	case "previous":
		if s.week == "" && s.last == 0 && (s.since.zero() || s.until.zero()) {
			return nil, usagef("--compare previous needs a window of known length: --week, --last, or both --since and --until")
		}
		s.compare = true
	default:
		return nil, usagef("--compare %q: want previous", c.Compare)
	}
	return s, nil
}

// window resolves the time bounds in loc: [from, until), either open
// (zero). newest is the newest record, anchor the pinned time (zero: the
// newest record) for --last and --week last.
func (s *selector) window(loc *time.Location, newest, anchor time.Time) (from, until time.Time, desc string) {
	if anchor.IsZero() {
		anchor = newest
	}
	const layout = "2006-01-02 15:04"
	switch {
	case s.week == "last":
		a := anchor.In(loc)
		day := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, loc)
		thisWeek := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		from, until = thisWeek.AddDate(0, 0, -7), thisWeek
		y, w := from.ISOWeek()
		return from, until, fmt.Sprintf("ISO week %d-W%02d, the last complete week before %s (%s to %s)",
			y, w, a.Format(layout), from.Format(layout), until.Format(layout))
	case s.week != "":
		from = weekStart(s.weekYear, s.weekNum, loc)
		until = from.AddDate(0, 0, 7)
		return from, until, fmt.Sprintf("ISO week %s (%s to %s)", s.week, from.Format(layout), until.Format(layout))
	}
	if !s.until.zero() {
		until = s.until.in(loc)
		if s.until.isDate {
			until = until.AddDate(0, 0, 1)
		}
	}
	if s.last > 0 {
		end := until
		if end.IsZero() {
			// The span ends just after the newest record, so that it
			// includes it.
			end = anchor.Add(time.Second)
		}
		from = end.Add(-s.last)
		return from, until, fmt.Sprintf("the last %s (%s to %s)", s.lastText, from.In(loc).Format(layout), end.In(loc).Format(layout))
	}
	if !s.since.zero() {
		from = s.since.in(loc)
	}
	switch {
	case !from.IsZero() && !until.IsZero():
		desc = fmt.Sprintf("%s to %s", from.In(loc).Format(layout), until.In(loc).Format(layout))
	case !from.IsZero():
		desc = "from " + from.In(loc).Format(layout)
	case !until.IsZero():
		desc = "before " + until.In(loc).Format(layout)
	}
	return from, until, desc
}

// knownBounds are the window's bounds as far as they are known before the
// read, for skipping S3 objects dated outside it: zero where the window is
// open or hangs on the newest record (--last, --week last). When the zone
// is not given (loc nil: the log's own offset, not known yet), a bound in
// local time is widened by 14 hours, the largest UTC offset, so that no
// object of the window is skipped.
func (s *selector) knownBounds(loc *time.Location) (since, until time.Time) {
	widen := time.Duration(0)
	if loc == nil {
		loc, widen = time.UTC, 14*time.Hour
	}
	switch {
	case s.week == "last" || s.last > 0 && s.until.zero():
		return time.Time{}, time.Time{}
	case s.week != "":
		from := weekStart(s.weekYear, s.weekNum, loc)
		since, until = from.Add(-widen), from.AddDate(0, 0, 7).Add(widen)
		if s.compare {
			since = since.AddDate(0, 0, -7)
		}
		return since, until
	}
	if !s.until.zero() {
		until = s.until.in(loc)
		if s.until.isDate {
			until = until.AddDate(0, 0, 1)
		}
		if s.until.isLocal {
			until = until.Add(widen)
		}
		if s.last > 0 {
			since = until.Add(-s.last - 2*widen)
		}
	}
	if !s.since.zero() {
		since = s.since.in(loc)
		if s.since.isLocal {
			since = since.Add(-widen)
		}
	}
	if s.compare && !since.IsZero() && !until.IsZero() {
		since = since.Add(-until.Sub(since)) // the previous period is read too
	}
	return since, until
}

func (s *selector) hasWindow() bool {
	return !s.since.zero() || !s.until.zero() || s.last > 0 || s.week != ""
}

func (s *selector) hasFilters() bool {
	return len(s.includeIP)+len(s.excludeIP)+len(s.includePath)+len(s.excludePath)+len(s.status)+len(s.hosts) > 0 || s.crawlers != ""
}

// filters says what the filters keep, one phrase each, for the report.
func (s *selector) filters() []string {
	var out []string
	join := func(ps []pattern) string {
		var t []string
		for _, p := range ps {
			t = append(t, p.text)
		}
		return strings.Join(t, ", ")
	}
	prefixes := func(ps []netip.Prefix) string {
		var t []string
		for _, p := range ps {
			if p.IsSingleIP() {
				t = append(t, p.Addr().String())
			} else {
				t = append(t, p.String())
			}
		}
		return strings.Join(t, ", ")
	}
	if len(s.includeIP) > 0 {
		out = append(out, "only client addresses in "+prefixes(s.includeIP))
	}
	if len(s.excludeIP) > 0 {
		out = append(out, "no client addresses in "+prefixes(s.excludeIP))
	}
	if len(s.includePath) > 0 {
		out = append(out, "only paths matching "+join(s.includePath))
	}
	if len(s.excludePath) > 0 {
		out = append(out, "no paths matching "+join(s.excludePath))
	}
	if len(s.status) > 0 {
		out = append(out, "only status "+strings.Join(s.status, ", "))
	}
	if len(s.hosts) > 0 {
		out = append(out, "only hosts "+join(s.hosts))
	}
	switch s.crawlers {
	case "ignore":
		out = append(out, "no crawlers or tools (by user agent)")
	case "only":
		out = append(out, "only crawlers and tools (by user agent)")
	}
	return out
}

// codeFilter is, per dictionary code of a column, whether a row with it is
// kept; nil keeps every row.
type codeFilter struct {
	col  frame.CodeView
	keep []bool
}

// columnFilter matches every distinct value of a column once.
func columnFilter(fr *frame.Frame, c frame.StrCol, match func(string) bool, absentEmpty bool) (codeFilter, bool) {
	v, ok := fr.View(c)
	if !ok && absentEmpty {
		v, ok = frame.ConstView("", fr.Len()), true
	}
	if !ok {
		return codeFilter{}, false
	}
	keep := make([]bool, v.Dict.Len())
	for i, s := range v.Dict.All() {
		keep[i] = match(s)
	}
	return codeFilter{col: v, keep: keep}, true
}

func clientAddr(s string) (netip.Addr, bool) {
	s = strings.TrimPrefix(strings.TrimSuffix(s, "]"), "[")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func anyPattern(ps []pattern, v string) bool {
	return slices.ContainsFunc(ps, func(p pattern) bool { return p.re.MatchString(v) })
}

func statusMatches(want []string, v string) bool {
	for _, w := range want {
		if w == v || (len(v) == 3 && w[1] == 'x' && w[0] == v[0]) {
			return true
		}
	}
	return false
}

// selection is what the select stage did, for the report and the problems.
type selection struct {
	report *report.Selection
	empty  string    // why no record is left, when none is
	prev   *previous // with --compare previous
}

// apply keeps the records of fr that the window and the filters let
// through. It returns fr itself when nothing is asked, and a new frame
// otherwise.
func (s *selector) apply(fr *frame.Frame, loc *time.Location, anchor time.Time) (*frame.Frame, *selection) {
	return s.applyTo(fr, loc, anchor, false)
}

// columnMatcher is a filter on the values of one column.
type columnMatcher struct {
	col   frame.StrCol
	match func(string) bool
}

// matchers are the filters, each on its column.
func (s *selector) matchers() []columnMatcher {
	var out []columnMatcher
	add := func(c frame.StrCol, match func(string) bool) { out = append(out, columnMatcher{c, match}) }
	if len(s.includeIP) > 0 || len(s.excludeIP) > 0 {
		add(frame.IP, func(v string) bool {
			a, ok := clientAddr(v)
			in := func(ps []netip.Prefix) bool {
				return ok && slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
			}
			return (len(s.includeIP) == 0 || in(s.includeIP)) && !in(s.excludeIP)
		})
	}
	if len(s.includePath) > 0 || len(s.excludePath) > 0 {
		add(frame.Stem, func(v string) bool {
			return (len(s.includePath) == 0 || anyPattern(s.includePath, v)) && !anyPattern(s.excludePath, v)
		})
	}
	if len(s.status) > 0 {
		add(frame.Status, func(v string) bool { return statusMatches(s.status, v) })
	}
	if len(s.hosts) > 0 {
		add(frame.Host, func(v string) bool { return anyPattern(s.hosts, v) })
	}
	if s.crawlers != "" {
		add(frame.UserAgent, func(v string) bool { return analysis.IsCrawler(v, s.crawlerRules) == (s.crawlers == "only") })
	}
	return out
}

// missingColumns names the columns the filters need that cols lacks.
func (s *selector) missingColumns(cols frame.Set) []string {
	var out []string
	for _, m := range s.matchers() {
		if !cols.Str[m.col] {
			out = append(out, m.col.String())
		}
	}
	return out
}

// applyTo is apply; with absentEmpty, a column fr lacks reads as the
// empty string in every row (fr is a chunk of a read whose other chunks
// may have it) rather than failing the filters on it.
func (s *selector) applyTo(fr *frame.Frame, loc *time.Location, anchor time.Time, absentEmpty bool) (*frame.Frame, *selection) {
	if !s.hasWindow() && !s.hasFilters() {
		return fr, nil
	}
	sel := &report.Selection{Read: fr.Len(), Filters: s.filters()}
	var lo, hi int64 = -1 << 63, 1<<63 - 1
	if s.hasWindow() {
		var newest time.Time
		if fr.Len() > 0 {
			newest = time.Unix(slices.Max(fr.Time), 0)
			sel.ReadFirst, sel.ReadLast = time.Unix(slices.Min(fr.Time), 0), newest
		}
		from, until, desc := s.window(loc, newest, anchor)
		sel.From, sel.Until, sel.Window = from, until, desc
		if !from.IsZero() {
			lo = from.Unix()
		}
		if !until.IsZero() {
			hi = until.Unix() - 1
		}
	}
	var filters []codeFilter
	var missing []string
	for _, m := range s.matchers() {
		if f, ok := columnFilter(fr, m.col, m.match, absentEmpty); ok {
			filters = append(filters, f)
		} else {
			missing = append(missing, m.col.String())
		}
	}
	rowsIn := func(lo, hi int64) ([]bool, int) {
		keep := make([]bool, fr.Len())
		kept := 0
		if len(missing) > 0 {
			return keep, 0
		}
	rows:
		for i, t := range fr.Time {
			if t < lo || t > hi {
				continue
			}
			for _, f := range filters {
				if !f.keep[f.col.At(i)] {
					continue rows
				}
			}
			keep[i] = true
			kept++
		}
		return keep, kept
	}
	keep, kept := rowsIn(lo, hi)
	out := &selection{report: sel}
	out.empty = emptySelection(missing, fr.Len(), kept, sel)
	sel.Selected = kept
	if s.compare {
		// The window of the same length just before: the previous ISO
		// week for a week (23 or 25 hours in a day that changes clocks),
		// else the same duration.
		from, until := sel.From, sel.Until
		if until.IsZero() {
			until = from.Add(s.last)
		}
		pFrom := from.Add(-until.Sub(from))
		if s.week != "" {
			pFrom = from.In(loc).AddDate(0, 0, -7)
		}
		pKeep, pKept := rowsIn(pFrom.Unix(), from.Unix()-1)
		out.prev = &previous{frame: fr.Subset(pKeep), length: until.Sub(from), from: pFrom, until: from}
		out.prev.desc = out.prev.describe(loc, pKept)
	}
	if kept == fr.Len() {
		return fr, out
	}
	return fr.Subset(keep), out
}

// previous is the period before the window, for --compare previous.
type previous struct {
	frame       *frame.Frame
	desc        string
	length      time.Duration
	from, until time.Time // its bounds, [from, until)
}

// describe says the period in words, with the records it holds.
func (p *previous) describe(loc *time.Location, records int) string {
	const layout = "2006-01-02 15:04"
	return fmt.Sprintf("%s to %s, with %s", p.from.In(loc).Format(layout), p.until.In(loc).Format(layout), analysis.Count(records, "record"))
}

// emptySelection says why no record is selected, or is "" when some are:
// the filters need columns no input has (missing), or none of the read
// records passes.
func emptySelection(missing []string, read, kept int, sel *report.Selection) string {
	switch {
	case len(missing) > 0:
		return fmt.Sprintf("no record was selected: the filters need the %s %s, which no input has",
			strings.Join(missing, " and "), map[bool]string{true: "column", false: "columns"}[len(missing) == 1])
	case kept == 0 && read > 0:
		return fmt.Sprintf("none of the %s read is in the selection (%s)", analysis.Count(read, "record"), sel.Describe())
	}
	return ""
}
