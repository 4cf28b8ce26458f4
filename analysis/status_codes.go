package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "status_codes",
		Title: "Status codes",
		Doc:   "Which status codes were returned, overall, per client IP and over time, and which requests were redirected.",
		Order: 400,
		Heavy: true,
		Cost:  120, // ms per million rows
		Needs: frame.Cols(frame.Status, frame.IP),
		New:   func() Analysis { return &statusCodes{} },
	})
}

type statusCodes struct {
	redirectsTop int // rows the redirects table keeps
}

var _ Configurable = (*statusCodes)(nil)

func (a *statusCodes) Params(p *Params) {
	p.Int(&a.redirectsTop, "redirects_top", 1000, "how many (status, path, query, IP) rows the redirects table keeps, most frequent first").AtLeast(1).AtMost(1_000_000)
}

func statusClass(code string) string {
	if len(code) == 3 && code[0] >= '1' && code[0] <= '5' {
		return statusClassNames[code[0]-'1'] // a constant: a class made by concatenation was an allocation per row group
	}
	return "other"
}

var statusClassNames = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

func (a *statusCodes) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, a, in)
}

var _ Partial = (*statusCodes)(nil)

// statusCodesState holds what the section's tables count, each merging by
// sums, minima and maxima: the requests per (IP, status), from which the
// status counts are summed; the records per second, for the time bulk,
// and the 3xx, 4xx and 5xx responses per second, for their plot; and the
// redirects per (status, path, query, IP).
type statusCodesState struct {
	Top   int // redirects_top
	Total int
	Pairs ValueTally // the statuses per IP
	// Times counts every record per second, and the 3xx, 4xx and 5xx
	// responses.
	Times ClassSeconds
	// HasStem and HasQuery tell whether any chunk had the column: the
	// redirects table needs paths, and groups by query only when some log
	// had query strings.
	HasStem, HasQuery bool
	// Paths holds the redirects' paths and queries; their statuses and
	// IPs are codes of Pairs' values and keys.
	Paths     Dict
	Redirects redirectRuns

	// whole is the frame of a run over one frame (addWhole), whose times
	// and statuses statusOverTime reads in place of Times, and whose stem
	// and query codes the redirects keep in place of Paths' (a tenth of a
	// million distinct paths redirected cost 80 ms to copy into Paths).
	whole *frame.Frame
}

// redirectRun is a redirects group's codes, its requests and when they
// came (40 bytes).
type redirectRun struct {
	Status, Path, Query, IP uint32
	N                       int
	First, Last             int64
}

func (r *redirectRun) sameKey(o *redirectRun) bool {
	return r.Status == o.Status && r.Path == o.Path && r.Query == o.Query && r.IP == o.IP
}

func compareRedirectRuns(a, b redirectRun) int {
	return cmp.Or(cmp.Compare(a.Status, b.Status), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Query, b.Query), cmp.Compare(a.IP, b.IP))
}

// redirectRuns is the redirects groups, sorted by codes with each group
// once, a chunk's (or a merged state's) groups merged in as they come
// (mergeSortedTail).
type redirectRuns struct {
	Runs []redirectRun

	sorted int // the sorted prefix: unset after gob, when all is sorted again (and found so)
}

func (rs *redirectRuns) compact() {
	rs.Runs = mergeSortedTail(rs.Runs, rs.sorted, compareRedirectRuns, func(into *redirectRun, x redirectRun) {
		into.N += x.N
		into.First, into.Last = min(into.First, x.First), max(into.Last, x.Last)
	})
	rs.sorted = len(rs.Runs)
}

func (a *statusCodes) NewState(in *Input) State {
	st := &statusCodesState{Top: a.redirectsTop, Pairs: NewValueTally()}
	st.Pairs.Borrow(in)
	st.Paths.Borrow(in)
	return st
}

func (st *statusCodesState) Add(_ context.Context, f *frame.Frame) error {
	st.Total += f.Len()
	ipCodes, statusCodes := st.Pairs.AddColumns(f, frame.IP, frame.Status)
	status := strColOrEmpty(f, frame.Status)
	if st.whole == nil {
		st.Times.Add(f.Time, &status, [3]bool{true, true, true})
	}
	st.addRedirects(f, status, statusCodes, ipCodes)
	return nil
}

// addWhole adds the whole frame of a run over one frame, which outlives
// the state: statusOverTime reads its times rather than Times.
func (st *statusCodesState) addWhole(ctx context.Context, f *frame.Frame) error {
	st.whole = f
	return st.Add(ctx, f)
}

// addRedirects counts the chunk's redirects (3xx other than 304 Not
// Modified) per status, path, query and IP codes of the chunk, then adds
// each group once with the state's codes (statusCodes and ipCodes map the
// chunk's status and IP codes to Pairs').
func (st *statusCodesState) addRedirects(f *frame.Frame, status frame.CodeView, statusCodes, ipCodes []uint32) {
	_, hasStem := f.View(frame.Stem)
	_, hasQuery := f.View(frame.Query)
	st.HasStem = st.HasStem || hasStem
	st.HasQuery = st.HasQuery || hasQuery
	stems, ips, queries := strColOrEmpty(f, frame.Stem), strColOrEmpty(f, frame.IP), strColOrEmpty(f, frame.Query)
	isRedirect := make([]bool, status.Dict.Len())
	for c, v := range status.Dict.All() {
		isRedirect[c] = statusClass(v) == "3xx" && v != "304"
	}
	nHits := 0
	for i := range status.Len() {
		if isRedirect[status.At(i)] {
			nHits++
		}
	}
	hits := make([]redirectRun, 0, nHits) // at their number: appended, they grew through twice it
	for i := range status.Len() {
		if c := status.At(i); isRedirect[c] {
			hits = append(hits, redirectRun{Status: c, Path: stems.At(i), Query: queries.At(i), IP: ips.At(i), N: 1, First: f.Time[i], Last: f.Time[i]})
		}
	}
	if len(hits) == 0 {
		return
	}
	slices.SortFunc(hits, compareRedirectRuns)
	w := 0
	for i := range hits {
		if w > 0 && hits[w-1].sameKey(&hits[i]) {
			g := &hits[w-1]
			g.N++
			g.First, g.Last = min(g.First, hits[i].First), max(g.Last, hits[i].Last)
			continue
		}
		hits[w] = hits[i]
		w++
	}
	hits = hits[:w]
	var paths, qs []uint32 // nil for a whole frame: its own codes are kept (redirectPaths)
	if st.whole != f {
		needPath, needQuery := make([]bool, stems.Dict.Len()), make([]bool, queries.Dict.Len())
		for _, h := range hits {
			needPath[h.Path], needQuery[h.Query] = true, true
		}
		paths, qs = st.Paths.CodesOf(&stems, needPath), st.Paths.CodesOf(&queries, needQuery)
	}
	st.Redirects.Runs = slices.Grow(st.Redirects.Runs, len(hits))
	for _, h := range hits {
		h.Status, h.IP = statusCodes[h.Status], ipCodes[h.IP]
		if paths != nil {
			h.Path, h.Query = paths[h.Path], qs[h.Query]
		}
		st.Redirects.Runs = append(st.Redirects.Runs, h)
	}
	st.Redirects.compact()
}

// redirectPaths returns the strings of the redirects' path and query
// codes: Paths', or the whole frame's stems and queries (addRedirects).
func (st *statusCodesState) redirectPaths(paths, queries []uint32) (pathStrs, queryStrs []string) {
	if st.whole == nil {
		return st.Paths.values(paths), st.Paths.values(queries)
	}
	stems, qs := strColOrEmpty(st.whole, frame.Stem), strColOrEmpty(st.whole, frame.Query)
	return stems.Dict.Values(paths), qs.Dict.Values(queries)
}

func (st *statusCodesState) Merge(other State) error {
	o, err := mergeAs[*statusCodesState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	ips, statuses := st.Pairs.merge(&o.Pairs)
	st.Times.Merge(&o.Times)
	st.HasStem = st.HasStem || o.HasStem
	st.HasQuery = st.HasQuery || o.HasQuery
	paths := st.Paths.Remap(&o.Paths)
	st.Redirects.Runs = slices.Grow(st.Redirects.Runs, len(o.Redirects.Runs))
	for _, r := range o.Redirects.Runs {
		r.Status, r.Path, r.Query, r.IP = statuses[r.Status], paths[r.Path], paths[r.Query], ips[r.IP]
		st.Redirects.Runs = append(st.Redirects.Runs, r)
	}
	st.Redirects.compact()
	return nil
}

func (st *statusCodesState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	s := &Section{}
	s.Prose("Which status codes did the server return, and did some clients get a different answer than others?")

	ranked, _ := st.Pairs.Totals().Ranked()
	counts := countsTable("status_counts", "Requests per status code", "status_code", ranked, "", total)
	classes := map[string]int{}
	for _, r := range ranked {
		classes[statusClass(r.key)] += r.n
	}
	s.Compute(`requests.status.value_counts()`, Output{Table: counts})

	// The conditional rows, a client at a time: the first of them in the
	// clients' order for the table of them, then all of them, in any
	// order, for the two tables of clients ranked.
	given := NewTable("status_given_ip", "Status code given the client IP",
		Column{"ip", Text}, Column{"status_code", Text}, Column{"proba_status_given_ip", Share}).Limit(in.MaxRows)
	groups := st.Pairs.CondGroups()
	groups.addFirstRows(given)
	rows, mixed, clients := 0, newMixedStatus(in.MaxRows), 0
	non2xx := newNon2xx(in.MaxRows)
	// The requests without a client IP (shown "-") are a row of the
	// tables, as in pandas, but no IP in the sentences: "2 IPs, one
	// each" was one IP and a request that named none.
	mixedNoIP := false
	isNoIP := missingIPCodes(&st.Pairs.Keys)
	groups.EachByCode(func(g []CondRow) {
		noIP := isNoIP(g[0].key)
		if !noIP {
			clients++
		}
		rows += len(g)
		mixed.add(g)
		mixedNoIP = mixedNoIP || noIP && len(g) > 1
		non2xx.add(g, noIP)
	})
	skipped := rows - len(given.Rows)
	given.Skip(skipped)
	s.Compute(`requests.groupby("ip").status.value_counts(normalize=True)`, Output{Table: given})

	mixed.table(s, st.Pairs.KeyOf)
	worst := non2xx.table(s, st.Pairs.KeyOf)
	peaks := statusOverTime(s, st, in)
	redir := redirectsTable(s, st, in)

	// Conclusions.
	lead := ranked[0]
	var parts []string
	for _, c := range []string{"2xx", "3xx", "4xx", "5xx", "other"} {
		if n := classes[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s (%s)", c, Int(n), Percent(float64(n)/float64(total))))
		}
	}
	// The statuses as common as the first (ranked by count, then code).
	tied := 1
	for tied < len(ranked) && ranked[tied].n == lead.n {
		tied++
	}
	most := fmt.Sprintf("The most common status was %s, returned for %s of %s", Code(lead.key), Percent(float64(lead.n)/float64(total)), Count(total, "request"))
	if tied > 1 {
		var codes []string
		for _, r := range ranked[:min(tied, 4)] {
			codes = append(codes, Code(r.key))
		}
		if tied > 4 {
			codes = append(codes, fmt.Sprintf("%s more", Int(tied-4)))
		}
		most = fmt.Sprintf("No status was more common than %s, with %s each (%s of %s)", List(codes), Count(lead.n, "request"),
			Percent(float64(lead.n)/float64(total)), Count(total, "request"))
	}
	switch {
	case lead.n == total:
		s.Conclude(fmt.Sprintf("%s got status %s.", allOf(total, "request"), Code(lead.key)))
	case len(parts) == 1:
		s.Conclude(fmt.Sprintf("%s; all were %s.", most, statusClass(lead.key)))
	default:
		s.Conclude(fmt.Sprintf("%s. By class: %s.", most, List(parts)))
	}
	if n := classes["5xx"]; n > 0 {
		share := float64(n) / float64(total)
		sev := SevNotice
		if share >= 0.01 {
			sev = SevWarning
		}
		s.Find("server_errors", sev, n, fmt.Sprintf("%s (%s) ended in a server error (5xx).", Count(n, "request"), Percent(share)))
	}
	nMixed := mixed.top.seen
	if mixedNoIP {
		nMixed--
	}
	var msg string
	switch {
	case clients == 0:
		// No request named its client: nothing to say per IP.
	case nMixed == 0 && clients == 1:
		msg = "The only client IP received a single status code for all of its requests."
	case nMixed == 0:
		msg = "Every IP received a single status code for all of its requests."
	case clients == 1:
		msg = "The only client IP received more than one status code."
	default:
		msg = fmt.Sprintf("%s of %s received more than one status code.", Int(nMixed), Count(clients, "IP"))
	}
	if w := worst.sentence(); w != "" && clients > 0 {
		msg += " " + w
	}
	if msg != "" {
		s.Conclude(msg)
	}
	if p := peaks.sentence(); p != "" {
		s.Conclude(p)
	}
	if r := redir.sentence(); r != "" {
		s.Conclude(r)
	}
	// The codes a reader may not know, in code order; 200, 301, 302, 403,
	// 404 and 500 need no gloss.
	var meant []string
	present := make([]string, 0, len(ranked))
	for _, r := range ranked {
		present = append(present, r.key)
	}
	slices.Sort(present)
	for _, c := range present {
		switch c {
		case "200", "301", "302", "403", "404", "500":
			continue
		}
		if m := statusMeaning(c); m != "" {
			meant = append(meant, Code(c)+" "+m)
		}
	}
	if len(meant) > 0 {
		s.Conclude(fmt.Sprintf("What the less common %s here mean%s: %s.", verb(len(meant), "code", "codes"), verb(len(meant), "s", ""), strings.Join(meant, "; ")))
	}
	return s, nil
}

// statusMeaning is what a status code says, in a few words, or "" for a
// code it does not know. Sources: RFC 9110 section 15 for the standard
// codes; nginx's documentation (ngx_http_request.h) for 444, 494 and 499;
// Amazon CloudFront's "Standard logging reference" for 000; Caddy's
// reverse proxy for 0 (caddyserver/caddy#7396).
func statusMeaning(code string) string {
	switch code {
	case "000":
		return "(CloudFront: no response was sent; the viewer went away first)"
	case "0":
		return "(no response was sent: the client went away first, as Caddy logs it; nginx writes 499)"
	case "100":
		return "(continue: the client may send the request body)"
	case "101":
		return "(switching protocols, as a WebSocket does)"
	case "200":
		return "(OK)"
	case "201":
		return "(created)"
	case "204":
		return "(no content: success with an empty answer)"
	case "206":
		return "(partial content: a byte range, as video players and resumed downloads ask)"
	case "301":
		return "(moved permanently: a redirect)"
	case "302":
		return "(found: a temporary redirect)"
	case "303":
		return "(see other: a redirect after a form)"
	case "304":
		return "(not modified: the client's cached copy is still good, a revalidation, fine)"
	case "307":
		return "(temporary redirect, keeping the method)"
	case "308":
		return "(permanent redirect, keeping the method)"
	case "400":
		return "(bad request: the server could not parse it)"
	case "401":
		return "(unauthorized: credentials missing or wrong)"
	case "403":
		return "(forbidden: refused)"
	case "404":
		return "(not found)"
	case "405":
		return "(method not allowed for this path)"
	case "406":
		return "(not acceptable: no variant the client accepts)"
	case "408":
		return "(request timeout: the client was too slow to send it)"
	case "410":
		return "(gone: removed for good)"
	case "411":
		return "(length required)"
	case "412":
		return "(precondition failed)"
	case "413":
		return "(content too large)"
	case "414":
		return "(URI too long)"
	case "415":
		return "(unsupported media type)"
	case "416":
		return "(range not satisfiable: a byte range past the end of the file)"
	case "418":
		return "(I'm a teapot: a joke code, often sent to bots)"
	case "421":
		return "(misdirected request)"
	case "422":
		return "(unprocessable content)"
	case "429":
		return "(too many requests: the client was rate-limited)"
	case "444":
		return "(nginx closed the connection without answering)"
	case "494":
		return "(nginx: request header too large)"
	case "499":
		return "(nginx: the client closed the connection before the answer)"
	case "500":
		return "(internal server error)"
	case "501":
		return "(not implemented)"
	case "502":
		return "(bad gateway: the proxy got no valid answer from the backend)"
	case "503":
		return "(service unavailable: overloaded, or down for maintenance)"
	case "504":
		return "(gateway timeout: the backend did not answer in time)"
	}
	return ""
}

// allOf is "Both requests" or "All 25 requests" (for n ≥ 2) and "The one
// request" for 1.
func allOf(n int, word string) string {
	switch n {
	case 1:
		return "The one " + word
	case 2:
		return "Both " + Plural(2, word)
	}
	return "All " + Count(n, word)
}

// The status_codes section beyond the two contract tables: clients with
// more than one status, the non-2xx answers per client, the error classes
// over time and the redirects.

// mixedStatus is the table of IPs whose requests did not all get one
// status, at most limit rows of them (Table.Limit), made from the
// conditional rows one client at a time.
type mixedStatus struct{ top *topRows[mixedIP] }

type mixedIP struct {
	requests int
	rows     []CondRow // the client's, most frequent status first
}

func newMixedStatus(limit int) *mixedStatus {
	return &mixedStatus{newTopRows(limit, func(a, b mixedIP) int {
		return byCountThenKey(a.requests, a.rows[0].keyRank, b.requests, b.rows[0].keyRank)
	})}
}

// add takes a client's rows, which it copies if it keeps them.
func (m *mixedStatus) add(rows []CondRow) {
	if len(rows) < 2 {
		return
	}
	n := 0
	for _, r := range rows {
		n += r.N
	}
	x := mixedIP{n, rows}
	if m.top.wants(x) {
		x.rows = slices.Clone(rows)
	}
	m.top.offer(x)
}

func (m *mixedStatus) table(s *Section, keyOf func(CondRow) string) {
	list, n := m.top.sorted()
	tab := NewTable("mixed_status_ips", "IPs whose requests did not all get the same status",
		Column{"ip", Text}, Column{"requests", Integer}, Column{"distinct_statuses", Integer}, Column{"statuses", Text}).Limit(m.top.limit)
	var buf []byte
	for _, m := range list {
		buf = buf[:0]
		for i, r := range m.rows { // "200: 12, 404: 3", most frequent first, as Conditional sorts them
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = append(buf, r.Value...)
			buf = append(buf, ": "...)
			buf = strconv.AppendInt(buf, int64(r.N), 10)
		}
		tab.Add(keyOf(m.rows[0]), m.requests, len(m.rows), string(buf))
	}
	tab.Skip(n - len(list))
	s.Compute(`requests.groupby("ip").status.agg(requests="size", distinct_statuses="nunique").query("distinct_statuses > 1").sort_values("requests", ascending=False)`,
		Output{Table: tab})
}

// worstClient is the IP with the most non-2xx responses.
type worstClient struct {
	row       CondRow // a row of the IP (CondGroups), named ip at the end
	ip        string
	n, total  int // non-2xx responses, all its requests
	top       string
	topN      int
	clients   int // IPs with at least one non-2xx response
	non2xx    int // non-2xx responses in all
	hasNon2xx bool
	allNon2xx int // IPs that never got a 2xx

	// Of non2xx, the requests no response was sent for (000, 0: the
	// client went away first), and those codes, in code order.
	unanswered      int
	unansweredCodes []string

	// noIP is the requests without a client IP that got no 2xx, counted
	// apart from all the above.
	noIP int
}

// missingIP reports whether a client IP as shown is none: the empty
// value, or "-" as a log writes one it does not have.
func missingIP(ip string) bool { return ip == "-" || ip == "" }

// missingIPCodes returns a test of whether a code of d is no client IP
// (missingIP): the codes of "" and "-" looked up once, so that a reader
// of every key's rows decodes no string to tell (a name read per key of a
// packed column was a block decoded per IP: 5 s on a million IPs).
func missingIPCodes(d *Dict) func(code uint32) bool {
	empty, hasEmpty := d.Lookup("")
	dash, hasDash := d.Lookup("-")
	return func(c uint32) bool { return hasEmpty && c == empty || hasDash && c == dash }
}

// noResponse reports whether a status code says that no response was
// sent (statusMeaning): CloudFront's 000, Caddy's 0.
func noResponse(code string) bool { return code == "000" || code == "0" }

// non2xx is the table of non-2xx responses grouped by IP and status, most
// first, at most limit rows of them (Table.Limit), and the IP with the
// most, made from the conditional rows one client at a time.
type non2xx struct {
	top *topRows[CondRow]
	w   worstClient
}

func newNon2xx(limit int) *non2xx { return &non2xx{top: newTopRows(limit, byCountRow)} }

// add takes a client's rows.
func (x *non2xx) add(g []CondRow, noIP bool) {
	w := &x.w
	n, total, top := 0, 0, -1
	for i, r := range g {
		total += r.N
		if statusClass(r.Value) != "2xx" {
			x.top.offer(r)
			n += r.N
			if noIP {
				w.noIP += r.N
				continue
			}
			if noResponse(r.Value) {
				w.unanswered += r.N
				if !slices.Contains(w.unansweredCodes, r.Value) {
					w.unansweredCodes = append(w.unansweredCodes, r.Value)
					slices.Sort(w.unansweredCodes)
				}
			}
			if top < 0 {
				top = i // rows are sorted by count within the IP
			}
		}
	}
	if n == 0 || noIP {
		return
	}
	w.clients++
	w.non2xx += n
	if n == total {
		w.allNon2xx++
	}
	if n > w.n || n == w.n && g[0].keyRank < w.row.keyRank {
		w.row, w.n, w.total, w.top, w.topN = g[0], n, total, g[top].Value, g[top].N
	}
}

func (x *non2xx) table(s *Section, keyOf func(CondRow) string) worstClient {
	x.w.hasNon2xx = x.w.n > 0
	if x.w.hasNon2xx {
		x.w.ip = keyOf(x.w.row)
	}
	rows, n := x.top.sorted()
	tab := NewTable("non_2xx_by_ip", "Responses other than 2xx, per IP and status",
		Column{"ip", Text}, Column{"status_code", Text}, Column{"requests", Integer}, Column{"share_of_ip_requests", Share}).Limit(x.top.limit)
	for _, r := range rows {
		tab.Add(keyOf(r), r.Value, r.N, r.Proba)
	}
	tab.Skip(n - len(rows))
	s.Compute(`requests[~requests.status.str.startswith("2")].groupby(["ip", "status"]).size().sort_values(ascending=False)`, Output{Table: tab})
	return x.w
}

func (w worstClient) sentence() string {
	noIP := ""
	if w.noIP > 0 {
		noIP = fmt.Sprintf(" %s without a client IP got no 2xx response either.", Count(w.noIP, "request"))
		if !w.hasNon2xx {
			noIP = fmt.Sprintf("%s without a client IP got no 2xx response.", Count(w.noIP, "request"))
		}
	}
	if !w.hasNon2xx {
		return strings.TrimSpace(noIP)
	}
	return w.ipSentence() + noIP
}

// ipSentence is sentence for the clients with an IP.
func (w worstClient) ipSentence() string {
	which := fmt.Sprintf("mostly %s (%s)", Code(w.top), Int(w.topN))
	if w.topN == w.n {
		which = "all " + Code(w.top)
	}
	of := fmt.Sprintf("%s of its %s", Int(w.n), Count(w.total, "request"))
	if w.n == w.total {
		of = fmt.Sprintf("all %s of its requests", Int(w.n))
		if w.n == 1 {
			of = "its one request"
		}
	}
	got := of + ", " + which
	if w.n == w.total && w.topN == w.n {
		got = fmt.Sprintf("%s %s %s", of, verb(w.n, "was", "were"), Code(w.top))
	}
	if w.unanswered > 0 {
		return w.unansweredSentence(got)
	}
	msg := fmt.Sprintf("%s other than 2xx went to %s; %s received the most: %s.",
		Count(w.non2xx, "response"), Count(w.clients, "IP"), Code(w.ip), got)
	if w.n == 1 && w.clients > 1 {
		msg = fmt.Sprintf("%s other than 2xx went to %s, one each.", Count(w.non2xx, "response"), Count(w.clients, "IP"))
	}
	if w.clients == 1 {
		msg = fmt.Sprintf("%s other than 2xx went to one IP, %s: %s.", Count(w.non2xx, "response"), Code(w.ip), got)
	}
	if w.allNon2xx > 0 {
		msg += fmt.Sprintf(" %s never received a 2xx response.", Count(w.allNon2xx, "IP"))
	}
	return msg
}

// unansweredSentence is sentence when some of the requests not answered
// with a 2xx got no response at all (000, 0): those are not responses
// other than 2xx, and the sentence counts requests instead.
func (w worstClient) unansweredSentence(got string) string {
	var codes []string
	for _, c := range w.unansweredCodes {
		codes = append(codes, Code(c))
	}
	none := fmt.Sprintf("%s of them no response at all: %s", Int(w.unanswered), List(codes))
	if w.unanswered == w.non2xx {
		none = fmt.Sprintf("no response was sent for any of them: %s", List(codes))
		if w.non2xx == 1 {
			none = fmt.Sprintf("no response was sent: %s", List(codes))
		}
	}
	var msg string
	switch {
	case w.clients == 1:
		msg = fmt.Sprintf("%s from one IP, %s, got no 2xx response (%s): %s.", Count(w.non2xx, "request"), Code(w.ip), none, got)
	case w.n == 1:
		msg = fmt.Sprintf("%s from %s, one each, got no 2xx response (%s).", Count(w.non2xx, "request"), Count(w.clients, "IP"), none)
	default:
		msg = fmt.Sprintf("%s from %s got no 2xx response (%s); %s had the most: %s.",
			Count(w.non2xx, "request"), Count(w.clients, "IP"), none, Code(w.ip), got)
	}
	if w.allNon2xx > 0 {
		msg += fmt.Sprintf(" %s never received a 2xx response.", Count(w.allNon2xx, "IP"))
	}
	return msg
}

// classPeaks records when 4xx and 5xx responses peaked.
type classPeaks struct {
	unit      string // hour or day
	peak      [2]string
	peakN     [2]int
	total     [2]int
	buckets   int
	peakShare [2]float64 // the peak bucket's share of that class
}

// statusOverTime adds a line plot of 3xx, 4xx and 5xx responses per local
// hour, or per day over spans too long for hours.
func statusOverTime(s *Section, st *statusCodesState, in *Input) classPeaks {
	clock := frame.NewClock(in.Loc)
	var bulk timeBulk // stray dates far off would stretch the plot over centuries
	if st.whole != nil {
		bulk = findBulk(st.whole.Time)
	} else {
		bulk = findBulkCounts(st.Times.All.Runs())
	}
	lo, hi := bulk.Lo, bulk.Hi
	first, n := clock.Hour(lo), clock.Hour(hi)-clock.Hour(lo)+1
	unit := "hour"
	label := func(i int) string { return frame.HourString(first + int64(i)) }
	bucket := func(t int64) int64 { return clock.Hour(t) - first }
	code := `pd.crosstab(requests.time.dt.floor("h"), requests.status.str[0] + "xx").reindex(columns=["3xx", "4xx", "5xx"], fill_value=0).plot()`
	if n > maxPlotPoints {
		// Per day, or per week or month when the days are too many to
		// draw (a log of years, or the bulk of one with stray dates).
		firstDay, lastDay := clock.Day(lo), clock.Day(hi)
		var rowOf func(int64) int64
		var rowLabel func(int64) string
		unit, rowOf, rowLabel = dayRows(firstDay, lastDay, maxPlotPoints)
		r0 := rowOf(firstDay)
		n = rowOf(lastDay) - r0 + 1
		label = func(i int) string { return rowLabel(r0 + int64(i)) }
		bucket = func(t int64) int64 { return rowOf(clock.Day(t)) - r0 }
		freq := map[string]string{"day": "D", "week": "W-MON", "month": "MS"}[unit]
		code = strings.Replace(code, `floor("h")`, `to_period("`+freq+`").dt.start_time`, 1)
	}
	var counts [3][]float64
	for k := range counts {
		counts[k] = make([]float64, n)
	}
	if f := st.whole; f != nil {
		status := strColOrEmpty(f, frame.Status)
		class := statusClassCodes(status.Dict)
		for i, t := range f.Time {
			if k := class[status.At(i)]; k >= 0 && bulk.In(t) {
				counts[k][bucket(t)]++
			}
		}
	} else {
		for k := range counts {
			for t, n := range st.Times.Classes[k].All() {
				if bulk.In(t) {
					counts[k][bucket(t)] += float64(n)
				}
			}
		}
	}
	p := &Plot{ID: "status_classes_per_" + unit, Title: "3xx, 4xx and 5xx responses per " + unit, Kind: Lines,
		XLabel: unit + " (" + in.Loc.String() + ")", YLabel: "responses"}
	for i := range n {
		p.Labels = append(p.Labels, label(int(i)))
	}
	for k, name := range []string{"3xx", "4xx", "5xx"} {
		p.Series = append(p.Series, Series{Name: name, Values: counts[k]})
	}
	s.Compute(code, Output{Plot: p})

	pk := classPeaks{unit: unit, buckets: int(n)}
	for k := 1; k <= 2; k++ {
		best := 0
		for i, v := range counts[k] {
			pk.total[k-1] += int(v)
			if v > counts[k][best] {
				best = i
			}
		}
		pk.peak[k-1], pk.peakN[k-1] = label(best), int(counts[k][best])
		if pk.total[k-1] > 0 {
			pk.peakShare[k-1] = float64(pk.peakN[k-1]) / float64(pk.total[k-1])
		}
	}
	return pk
}

func (pk classPeaks) sentence() string {
	if pk.buckets < 2 {
		return ""
	}
	var parts []string
	for k, name := range []string{"4xx", "5xx"} {
		// A peak is told when it stands out: at least twice the class's
		// mean per hour (or day...). Spread evenly, the busiest hour of
		// many is noise, not a moment worth a look.
		if pk.total[k] == 0 || pk.peakN[k] < 2 || pk.peakN[k]*pk.buckets < 2*pk.total[k] {
			continue
		}
		when := "in the hour beginning " + pk.peak[k]
		switch pk.unit {
		case "day":
			when = "on " + pk.peak[k]
		case "week":
			when = "in the " + pk.peak[k] // "week of 2024-03-04"
		case "month":
			when = "in " + pk.peak[k]
		}
		parts = append(parts, fmt.Sprintf("%s responses peaked %s with %s (%s of all %s)",
			name, when, Int(pk.peakN[k]), Percent(pk.peakShare[k]), name))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.ToUpper(parts[0][:1]) + strings.Join(parts, "; ")[1:] + "."
}

// redirectStats summarises the redirects table.
type redirectStats struct {
	requests, groups, kept int
	topPath                string
	topPathN, topPathIPs   int
	withQuery              int    // redirected requests that carried a query string
	topQuery               string // the most redirected path?query
	topQueryN              int
	hasQuery               bool // the groups are by query too
}

// redirectsTable adds the redirects (3xx other than 304 Not Modified) per
// status, path and IP, with when each was first and last seen, most
// frequent first.
func redirectsTable(s *Section, ps *statusCodesState, in *Input) redirectStats {
	var st redirectStats
	if !ps.HasStem {
		return st
	}
	top := ps.Top
	ps.Redirects.compact()
	// The groups' strings, each column's read in one pass (a tenth of a
	// million redirects, read one by one, decoded a packed column's block
	// for most).
	runs := ps.Redirects.Runs
	codes := make([][]uint32, 4)
	for k := range codes {
		codes[k] = make([]uint32, len(runs))
	}
	for i, r := range runs {
		codes[0][i], codes[1][i], codes[2][i], codes[3][i] = r.Status, r.Path, r.Query, r.IP
	}
	statuses, ips := ps.Pairs.Values.values(codes[0]), ps.Pairs.Keys.values(codes[3])
	paths, queries := ps.redirectPaths(codes[1], codes[2])
	// A group is its run's index, i: runs[i] its counts, statuses[i],
	// paths[i], queries[i] and ips[i] its strings as written, shown with
	// "-" for an empty status, path or IP (a struct of the strings as
	// written and as shown was 150 bytes a group, 15 MB on a million
	// distinct clients).
	groups := make([]int32, len(runs))
	for i, r := range runs {
		groups[i] = int32(i)
		st.requests += r.N
	}
	st.groups = len(groups)
	cmpGroups := func(a, b int32) int {
		if c := byCountThenKey(runs[a].N, orDash(statuses[a]), runs[b].N, orDash(statuses[b])); c != 0 {
			return c
		}
		if c := strings.Compare(orDash(paths[a]), orDash(paths[b])); c != 0 {
			return c
		}
		if c := strings.Compare(queries[a], queries[b]); c != 0 {
			return c
		}
		if c := strings.Compare(orDash(ips[a]), orDash(ips[b])); c != 0 {
			return c
		}
		// Strings shown alike ("" and "-" both as "-"): as written.
		if c := strings.Compare(statuses[a], statuses[b]); c != 0 {
			return c
		}
		if c := strings.Compare(paths[a], paths[b]); c != 0 {
			return c
		}
		return strings.Compare(ips[a], ips[b])
	}
	// The most redirected path, over all statuses and IPs, and how many
	// distinct IPs it was redirected for. The requests are summed per
	// path code (a path as written) in a sorted list of the groups' codes
	// rather than in a map of their strings (a tenth of a million
	// distinct paths redirected: 30 ms).
	perPath := make([]codeSum, len(groups))
	for i, r := range runs {
		perPath[i] = codeSum{uint64(r.Path), r.N, i}
	}
	topPath := ""
	for _, p := range sumCodes(perPath) {
		shown := orDash(paths[p.group])
		if p.n > st.topPathN || p.n == st.topPathN && (shown < st.topPath || shown == st.topPath && paths[p.group] < topPath) {
			st.topPath, st.topPathN, topPath = shown, p.n, paths[p.group]
		}
	}
	seen := map[string]bool{} // the IPs of one path: few entries
	for i := range runs {
		if ip := orDash(ips[i]); paths[i] == topPath && !seen[ip] {
			seen[ip] = true
			st.topPathIPs++
		}
	}
	// The redirected requests that carried a query, and the most frequent
	// path with its query: where a query is what is odd
	// (/api/v1/sales?page=79/), it shows here.
	// They are summed per path as shown ("" as "-", as one) and query
	// code, and only the most frequent's string is made.
	dash, empty := -1, -1 // the path codes of "-" and "" among the groups'
	for i, path := range paths {
		switch path {
		case "-":
			dash = int(runs[i].Path)
		case "":
			empty = int(runs[i].Path)
		}
	}
	perQuery := perPath[:0]
	for i, r := range runs {
		if queries[i] != "" {
			st.withQuery += r.N
			path := int(r.Path)
			if path == empty && dash >= 0 {
				path = dash
			}
			perQuery = append(perQuery, codeSum{uint64(path)<<32 | uint64(r.Query), r.N, i})
		}
	}
	topQuery := -1 // the group of the most frequent path and query
	for _, q := range sumCodes(perQuery) {
		if q.n > st.topQueryN || q.n == st.topQueryN && compareJoined(orDash(paths[q.group]), queries[q.group], orDash(paths[topQuery]), queries[topQuery], "?") < 0 {
			topQuery, st.topQueryN = q.group, q.n
		}
	}
	if topQuery >= 0 {
		st.topQuery = orDash(paths[topQuery]) + "?" + queries[topQuery]
	}

	st.topPath = strings.Clone(st.topPath)
	st.kept = min(top, len(groups))
	title := "Redirects (3xx other than 304) per status, path and IP"
	if st.kept < len(groups) {
		title += fmt.Sprintf(" (the %s most frequent of %s)", Int(st.kept), Int(len(groups)))
	}
	cols := []Column{{"status_code", Text}, {"path", Text}, {"ip", Text}, {"requests", Integer}, {"first_seen", Time}, {"last_seen", Time}}
	by := `["status", "uri_stem", "ip"]`
	if ps.HasQuery {
		st.hasQuery = true
		cols = append(cols, Column{"query", Text}) // at the end: tables gain columns only there (docs/json.md)
		by = `["status", "uri_stem", "query", "ip"]`
	}
	tab := NewTable("redirects", title, cols...)
	var kept []int32
	if st.kept > 0 {
		kept = topN(groups, st.kept, cmpGroups) // the first rows in order, without sorting them all
	}
	for _, i := range kept {
		// Copies: the groups' strings are cut from one allocation per
		// column, which a row kept would keep whole.
		status, path, ip, query := strings.Clone(orDash(statuses[i])), strings.Clone(orDash(paths[i])), strings.Clone(orDash(ips[i])), strings.Clone(queries[i])
		r := runs[i]
		if ps.HasQuery {
			tab.Add(status, path, ip, r.N, localTime(r.First, in.Loc), localTime(r.Last, in.Loc), query)
		} else {
			tab.Add(status, path, ip, r.N, localTime(r.First, in.Loc), localTime(r.Last, in.Loc))
		}
	}
	s.Compute(fmt.Sprintf(`requests[requests.status.str.startswith("3") & (requests.status != "304")].groupby(%s, dropna=False).time.agg(["size", "min", "max"]).nlargest(%d, "size")`, by, top),
		Output{Table: tab})
	return st
}

func (st redirectStats) sentence() string {
	if st.requests == 0 {
		return ""
	}
	switch {
	case st.withQuery > 0 && st.requests == 1:
		return fmt.Sprintf("1 request was redirected (3xx other than 304), for %s.", Code(st.topQuery))
	case st.withQuery > 0:
		// "Of them" would follow the most redirected path's own count.
		some := Int(st.withQuery) + " of the redirected requests"
		if st.withQuery == st.requests {
			some = "All of them"
			if st.groups > 1 && st.topPathN > 1 {
				some = "All the redirected requests"
			}
		}
		if st.topQueryN == 1 {
			return st.redirected() + " " + fmt.Sprintf("%s carried a query string.", some)
		}
		return st.redirected() + " " + fmt.Sprintf("%s carried a query string; the most redirected with its query was %s, %s.",
			some, Code(st.topQuery), timesWords(st.topQueryN))
	}
	return st.redirected()
}

func (st redirectStats) redirected() string {
	if st.requests == 1 {
		return fmt.Sprintf("1 request was redirected (3xx other than 304), for %s.", Code(st.topPath))
	}
	if st.groups == 1 {
		return fmt.Sprintf("%s from one IP were redirected (3xx other than 304), all for %s with the same status.", Count(st.requests, "request"), Code(st.topPath))
	}
	key := "status, path and IP"
	if st.hasQuery {
		key = "status, path, query and IP"
	}
	if st.topPathN == 1 {
		// No path was redirected twice: none is the most redirected.
		return fmt.Sprintf("%s %s redirected (3xx other than 304), each for a different path.",
			Count(st.requests, "request"), verb(st.requests, "was", "were"))
	}
	return fmt.Sprintf("%s %s redirected (3xx other than 304), in %s of %s; the most redirected path was %s (%s).",
		Count(st.requests, "request"), verb(st.requests, "was", "were"), Count(st.groups, "combination"), key,
		Code(st.topPath), st.topPathClients())
}

// topPathClients says how often the most redirected path was redirected,
// and for how many IPs: "21 times, once for each of 21 IPs".
func (st redirectStats) topPathClients() string {
	times := timesWords(st.topPathN)
	switch st.topPathIPs {
	case 1:
		return times + ", all for one IP"
	case st.topPathN:
		return fmt.Sprintf("%s, once for each of %s", times, Count(st.topPathIPs, "IP"))
	}
	return fmt.Sprintf("%s, for %s", times, Count(st.topPathIPs, "IP"))
}
