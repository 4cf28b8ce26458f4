package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "cloudfront",
		Title: "CloudFront edges and cache",
		Doc:   "For CloudFront logs: requests per edge location, edge result types and the cache hit ratio per day, and the protocols and TLS versions clients used.",
		Order: 900,
		Cost:  50, // ms per million rows
		Needs: frame.Cols(frame.EdgeLocation, frame.EdgeResult),
		New:   func() Analysis { return cloudFront{} },
	})
}

type cloudFront struct{}

var _ Partial = cloudFront{}

// isCacheHit: x-edge-result-type Hit (served from the edge cache) and
// RefreshHit (in the cache but stale, revalidated with the origin) count as
// hits; Miss, Error, Redirect, LimitExceeded, CapacityExceeded and the
// rest do not.
func isCacheHit(result string) bool { return result == "Hit" || result == "RefreshHit" }

// airport is the IATA code that starts a CloudFront edge location such as
// FRA56-P1, or "" when it does not start with three letters.
func airport(loc string) string {
	if len(loc) < 3 {
		return ""
	}
	for _, c := range []byte(loc[:3]) {
		if c < 'A' || c > 'Z' {
			return ""
		}
	}
	return loc[:3]
}

// oldTLS reports whether a TLS version is older than TLS 1.2.
func oldTLS(v string) bool {
	switch v {
	case "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1":
		return true
	}
	return false
}

func (c cloudFront) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, c, in)
}

// cfProtoCols are the columns of the protocols table, in its order.
var cfProtoCols = [3]frame.StrCol{frame.Scheme, frame.Protocol, frame.TLSVersion}

// maxProtoCombos is the most combinations of scheme, HTTP version and TLS
// version (the product of their distinct values) the protocols table is
// made for: far more cannot be protocols.
const maxProtoCombos = 1 << 20

// cfEdge is an edge location and a result type.
type cfEdge struct{ Location, Result string }

// cfDay is a day's CloudFront requests and cache hits.
type cfDay struct{ N, Hits int }

// cfCombo is a scheme, HTTP version and TLS version, as written.
type cfCombo struct{ Scheme, Protocol, TLS string }

// cloudFrontState counts the CloudFront records (those with a result
// type) per edge location and result type, per day with their cache hits,
// per status class of the errors, per protocol combination, and the ones
// with a TLS version older than 1.2; and, over every record, the rows, the
// protocol columns some chunk had and their distinct values, which decide
// whether the protocols table is made. Every field is a count or a set of
// strings: merges add and unite them.
type cloudFrontState struct {
	Rows      int
	Edges     Counter[cfEdge]
	Days      map[int64]cfDay
	Errors    Counter[string] // "4xx", "5xx", "000", "other"
	HasStatus bool
	OldTLS    Counter[string]
	// Has says which of cfProtoCols some chunk had; Values holds each
	// one's distinct values over every row (a chunk without the column
	// holds ""), as the frame's dictionary would, until their product
	// passes maxProtoCombos (TooMany, and Values and Combos are dropped).
	Has     [3]bool
	Values  []StrSet
	TooMany bool
	Combos  Counter[cfCombo]

	clock *frame.Clock // in.Loc's, for the days; set by NewState
}

func (cloudFront) NewState(in *Input) State {
	return &cloudFrontState{Edges: Counter[cfEdge]{}, Days: map[int64]cfDay{}, Errors: Counter[string]{},
		OldTLS: Counter[string]{}, Values: []StrSet{{}, {}, {}}, Combos: Counter[cfCombo]{}, clock: frame.NewClock(in.Loc)}
}

// combos is the product of the distinct values of the protocol columns
// some chunk had.
func (st *cloudFrontState) combos() int {
	size := 1
	for j, has := range st.Has {
		if has {
			size *= len(st.Values[j])
		}
	}
	return size
}

func (st *cloudFrontState) tooMany() {
	st.TooMany, st.Values, st.Combos = true, nil, nil
}

func (st *cloudFrontState) Add(_ context.Context, f *frame.Frame) error {
	n := f.Len()
	st.Rows += n
	var proto [3]frame.CodeView
	for j, c := range cfProtoCols {
		v, ok := f.View(c)
		if !ok {
			v = frame.ConstView("", n)
		}
		st.Has[j] = st.Has[j] || ok
		proto[j] = v
		if !st.TooMany {
			st.Values[j].AddView(v, v.Counts())
		}
	}
	if !st.TooMany && st.combos() > maxProtoCombos {
		st.tooMany()
	}
	results, ok := f.View(frame.EdgeResult)
	if !ok {
		return nil // no CloudFront record in this chunk
	}
	locs := strColOrEmpty(f, frame.EdgeLocation)
	// Only CloudFront records have a result type: when other logs were read
	// with them, their rows are left out of this section.
	cf, hit, isErr := make([]bool, results.Dict.Len()), make([]bool, results.Dict.Len()), make([]bool, results.Dict.Len())
	anyErr := false
	for c, v := range results.Dict.All() {
		cf[c], hit[c], isErr[c] = v != "", isCacheHit(v), v == "Error"
		anyErr = anyErr || isErr[c]
	}
	for _, p := range frame.PairCounts(locs, results, nil) {
		if cf[p.B] {
			st.Edges[cfEdge{own(locs.Dict.At(p.A)), own(results.Dict.At(p.B))}] += p.N
		}
	}
	status, hasStatus := f.View(frame.Status)
	if !hasStatus {
		status = frame.ConstView("", n)
	}
	st.HasStatus = st.HasStatus || hasStatus
	var errStatus []int // error rows per status code
	if anyErr {
		errStatus = make([]int, status.Dict.Len())
	}
	tls, hasTLS := f.View(frame.TLSVersion)
	var tlsCounts []int
	if hasTLS {
		tlsCounts = make([]int, tls.Dict.Len())
	}
	var cells []int // CloudFront rows per combination of protocol codes
	if !st.TooMany {
		cells = make([]int, proto[0].Dict.Len()*proto[1].Dict.Len()*proto[2].Dict.Len())
	}
	n1, n2 := proto[1].Dict.Len(), proto[2].Dict.Len()
	days := map[int64]*cfDay{}
	var cur *cfDay
	curDay := int64(-1 << 62)
	for i, t := range f.Time {
		rc := results.At(i)
		if !cf[rc] {
			continue
		}
		if d := st.clock.Day(t); d != curDay || cur == nil {
			curDay = d
			if cur = days[d]; cur == nil {
				cur = &cfDay{}
				days[d] = cur
			}
		}
		cur.N++
		if hit[rc] {
			cur.Hits++
		}
		if isErr[rc] {
			errStatus[status.At(i)]++
		}
		if hasTLS {
			tlsCounts[tls.At(i)]++
		}
		if cells != nil {
			cells[(int(proto[0].At(i))*n1+int(proto[1].At(i)))*n2+int(proto[2].At(i))]++
		}
	}
	for d, a := range days {
		old := st.Days[d]
		st.Days[d] = cfDay{old.N + a.N, old.Hits + a.Hits}
	}
	for c, k := range errStatus {
		if k > 0 {
			st.Errors[cfErrorClass(status.Dict.At(uint32(c)))] += k
		}
	}
	for c, k := range tlsCounts {
		if k > 0 && oldTLS(tls.Dict.At(uint32(c))) {
			st.OldTLS[own(tls.Dict.At(uint32(c)))] += k
		}
	}
	for k, c := range cells {
		if c > 0 {
			a, b, z := k/(n1*n2), k/n2%n1, k%n2
			st.Combos[cfCombo{own(proto[0].Dict.At(uint32(a))), own(proto[1].Dict.At(uint32(b))), own(proto[2].Dict.At(uint32(z)))}] += c
		}
	}
	return nil
}

// cfErrorClass is the class of an error's status CloudFront's conclusion
// names: "4xx", "5xx", "000" (the viewer went away) or "other".
func cfErrorClass(st string) string {
	switch {
	case st == "000":
		return "000"
	case len(st) == 3 && st[0] == '4':
		return "4xx"
	case len(st) == 3 && st[0] == '5':
		return "5xx"
	}
	return "other"
}

func (st *cloudFrontState) Merge(other State) error {
	o, err := mergeAs[*cloudFrontState](other)
	if err != nil {
		return err
	}
	st.Rows += o.Rows
	st.Edges.Merge(o.Edges)
	for d, a := range o.Days {
		old := st.Days[d]
		st.Days[d] = cfDay{old.N + a.N, old.Hits + a.Hits}
	}
	st.Errors.Merge(o.Errors)
	st.HasStatus = st.HasStatus || o.HasStatus
	st.OldTLS.Merge(o.OldTLS)
	for j := range st.Has {
		st.Has[j] = st.Has[j] || o.Has[j]
	}
	if st.TooMany || o.TooMany {
		st.tooMany()
		return nil
	}
	for j := range st.Values {
		st.Values[j].Merge(o.Values[j])
	}
	st.Combos.Merge(o.Combos)
	if st.combos() > maxProtoCombos {
		st.tooMany()
	}
	return nil
}

func (st *cloudFrontState) Finish(_ context.Context, in *Input) (*Section, error) {
	locTally, resTally := Tally{}, Tally{}
	total := 0
	for e, n := range st.Edges {
		locTally[e.Location] += n
		resTally[e.Result] += n
		total += n
	}
	s := &Section{}
	if total == 0 {
		s.Skipped = "skipped: no record has a CloudFront edge result type"
		return s, nil
	}
	s.Prose("Where did CloudFront serve the requests, and from its cache or from the origin? The edge location is the point of presence (its first three letters are the nearest airport's code); the result type says whether the edge had the object: `Hit` and `RefreshHit` count as cache hits.")

	ranked, locDict := locTally.Ranked()
	lt := NewTable("edge_locations", "Requests per edge location",
		Column{"edge_location", Text}, Column{"airport", Text}, Column{"requests", Integer}, Column{"share", Share})
	lt.Index = 0
	for _, r := range ranked {
		lt.Add(r.key, orDash(airport(locDict[r.code])), r.n, float64(r.n)/float64(total))
	}
	s.Compute(`requests.x_edge_location.value_counts(normalize=True)`, Output{Table: lt})

	rranked, _ := resTally.Ranked()
	rt := countsTable("edge_result_types", "Requests per edge result type", "edge_result_type", rranked, "share", total)
	hits, errorsN := 0, 0
	for v, n := range resTally {
		if isCacheHit(v) {
			hits += n
		}
		if v == "Error" {
			errorsN += n
		}
	}
	s.Compute(`requests.x_edge_result_type.value_counts(normalize=True)`, Output{Table: rt})

	// Hit ratio per day.
	days := make([]int64, 0, len(st.Days))
	for d := range st.Days {
		days = append(days, d)
	}
	slices.Sort(days)
	ht := NewTable("cache_hit_ratio", "Cache hit ratio per day",
		Column{"day", Date}, Column{"requests", Integer}, Column{"hits", Integer}, Column{"hit_ratio", Share})
	ht.Index = 0
	worst := days[0]
	for _, d := range days {
		a := st.Days[d]
		ht.Add(frame.DayString(d), a.N, a.Hits, float64(a.Hits)/float64(a.N))
		if float64(a.Hits)/float64(a.N) < float64(st.Days[worst].Hits)/float64(st.Days[worst].N) {
			worst = d
		}
	}
	s.Compute(`requests.assign(hit=requests.x_edge_result_type.isin(["Hit", "RefreshHit"])).groupby(requests.time.dt.date).agg(requests=("hit", "size"), hits=("hit", "sum")).eval("hit_ratio = hits / requests")`,
		Output{Table: ht})

	// Protocols and TLS versions, when the logs have them.
	schemeSentence := ""
	if (st.Has[0] || st.Has[1] || st.Has[2]) && !st.TooMany {
		combos := make([]protoCombo, 0, len(st.Combos))
		for c, n := range st.Combos {
			combos = append(combos, protoCombo{[]string{c.Scheme, c.Protocol, c.TLS}, n})
		}
		schemeSentence = protocolsTableOf(s, st.Has, combos, total)
	}

	// Conclusions.
	if read := st.Rows; total < read {
		s.Conclude(fmt.Sprintf("This section counts only the %s of %s read that came from CloudFront logs (the others have no edge fields).",
			Int(total), Count(read, "request")))
	}
	lead := ranked[0]
	msg := fmt.Sprintf("CloudFront served %s from %s; %s carried the most, %s (%s).", Count(total, "request"),
		Count(len(ranked), "edge location"), Code(lead.key), Count(lead.n, "request"), Percent(float64(lead.n)/float64(total)))
	if len(ranked) == 1 {
		msg = fmt.Sprintf("CloudFront served %s, all from one edge location, %s.", Count(total, "request"), Code(lead.key))
	}
	s.Conclude(msg)
	ratio := float64(hits) / float64(total)
	hitMsg := fmt.Sprintf("The cache hit ratio was %s (%s of %s were `Hit` or `RefreshHit`).", Percent(ratio), Int(hits), Count(total, "request"))
	if w := st.Days[worst]; len(days) > 1 && float64(w.Hits)/float64(w.N) < ratio-0.1 {
		hitMsg += fmt.Sprintf(" It was lowest on %s: %s.", frame.DayString(worst), Percent(float64(w.Hits)/float64(w.N)))
	}
	s.Conclude(hitMsg)
	s.Find("cache_hit_ratio", SevInfo, ratio, fmt.Sprintf("CloudFront's cache hit ratio was %s.", Percent(ratio)))
	if errorsN > 0 {
		share := float64(errorsN) / float64(total)
		var byClass Counter[string] // nil: the logs have no status column
		if st.HasStatus {
			byClass = st.Errors
		}
		msg := fmt.Sprintf("%s (%s) ended with the result type `Error`, which CloudFront gives any response with an error status", Count(errorsN, "request"), Percent(share))
		var parts []string
		for _, c := range []struct{ key, word, detail string }{
			{"4xx", "client error", " (4xx: missing objects, denied or bad requests)"},
			{"5xx", "server error", " (5xx, from the origin or CloudFront)"},
			{"000", "request", " with status `000` (the viewer closed the connection first)"},
			{"other", "response", " with another status"},
		} {
			if n := byClass[c.key]; n > 0 {
				parts = append(parts, Count(n, c.word)+c.detail)
			}
		}
		if len(parts) > 0 {
			msg += ": " + List(parts)
		}
		s.Conclude(msg + ".")
		// A 404 is the site's business, not a failure of the CDN: only
		// server errors make a notice.
		if n5 := byClass["5xx"]; float64(n5)/float64(total) > 0.01 {
			s.Find("edge_server_errors", SevNotice, n5, fmt.Sprintf("%s of CloudFront requests (%s) ended in a server error (5xx).", Percent(float64(n5)/float64(total)), Int(n5)))
		}
	}
	if schemeSentence != "" {
		if total < st.Rows {
			schemeSentence = strings.Replace(schemeSentence, "Every request", "Every CloudFront request", 1)
		}
		s.Conclude(schemeSentence)
	}
	var meant []string
	for _, r := range rranked {
		if m := resultMeaning(r.key); m != "" {
			meant = append(meant, Code(r.key)+" "+m)
		}
	}
	if len(meant) > 0 {
		s.Conclude(fmt.Sprintf("What the %s here mean%s: %s.", verb(len(meant), "result type", "result types"), verb(len(meant), "s", ""), strings.Join(meant, "; ")))
	}
	if st.Has[2] {
		old, parts := 0, []string{}
		for v, n := range st.OldTLS {
			old += n
			parts = append(parts, fmt.Sprintf("%s (%s)", Code(v), Int(n)))
		}
		if old > 0 {
			slices.Sort(parts)
			msg := fmt.Sprintf("%s used a TLS version older than 1.2: %s.", Count(old, "request"), strings.Join(parts, ", "))
			s.Conclude(msg)
			s.Find("old_tls", SevNotice, old, msg)
		}
	}
	return s, nil
}

// protoCombo is a scheme, HTTP version and TLS version as written, and
// the requests that had them.
type protoCombo struct {
	vals []string
	n    int
}

// protocolsTableOf adds the protocols table of the combinations counted,
// with a column for each of scheme, HTTP version and TLS version the logs
// have (has), most requests first, and returns a sentence on plain HTTP.
func protocolsTableOf(s *Section, has [3]bool, combos []protoCombo, total int) (sentence string) {
	var tcols []Column
	for j, name := range []string{"scheme", "protocol", "tls_version"} {
		if has[j] {
			tcols = append(tcols, Column{name, Text})
		}
	}
	tcols = append(tcols, Column{"requests", Integer}, Column{"share", Share})
	type row struct {
		shown, raw []string
		n          int
	}
	rows := make([]row, 0, len(combos))
	for _, c := range combos {
		r := row{raw: c.vals, n: c.n}
		for j, v := range c.vals {
			if has[j] {
				r.shown = append(r.shown, orDash(v))
			}
		}
		rows = append(rows, r)
	}
	// The values as shown break ties of counts; as written, ties of
	// those ("" and "-" both show "-").
	slices.SortFunc(rows, func(a, b row) int {
		if c := byCount(a.n, b.n); c != 0 {
			return c
		}
		if c := slices.Compare(a.shown, b.shown); c != 0 {
			return c
		}
		return slices.Compare(a.raw, b.raw)
	})
	t := NewTable("protocols", "Requests per scheme, HTTP version and TLS version", tcols...)
	plain, secure := 0, 0
	for _, r := range rows {
		vals := make([]any, 0, len(r.shown)+2)
		for _, v := range r.shown {
			vals = append(vals, v)
		}
		vals = append(vals, r.n, float64(r.n)/float64(total))
		t.Add(vals...)
		if has[0] {
			switch r.shown[0] {
			case "http", "ws":
				plain += r.n
			case "https", "wss":
				secure += r.n
			}
		}
	}
	s.Compute(`requests.groupby(["cs_protocol", "cs_protocol_version", "ssl_protocol"], dropna=False).size().sort_values(ascending=False)`, Output{Table: t})
	if has[0] {
		switch {
		case plain > 0:
			sentence = fmt.Sprintf("%s (%s) came over plain HTTP rather than HTTPS.", Count(plain, "request"), Percent(float64(plain)/float64(total)))
		case secure == total:
			sentence = "Every request came over HTTPS."
		}
	}
	return sentence
}

// resultMeaning is what a CloudFront x-edge-result-type says, in a few
// words, or "" for a type it does not know. Source: Amazon CloudFront
// Developer Guide, "Standard logging reference", x-edge-result-type and
// x-edge-detailed-result-type.
func resultMeaning(t string) string {
	switch t {
	case "Hit":
		return "(served from the edge's cache)"
	case "RefreshHit":
		return "(in the edge's cache but expired; CloudFront checked it with the origin, which said it was still good)"
	case "Miss":
		return "(not in the edge's cache: fetched from the origin)"
	case "OriginShieldHit":
		return "(served from the Origin Shield cache)"
	case "Redirect":
		return "(CloudFront redirected the viewer itself, from HTTP to HTTPS)"
	case "Error":
		return "(the response had an error status, or the viewer went away first)"
	case "LimitExceeded":
		return "(refused: a CloudFront quota was exceeded)"
	case "CapacityExceeded":
		return "(a 503: the edge lacked the capacity to serve it)"
	case "FunctionGeneratedResponse":
		return "(a CloudFront Function wrote the response)"
	case "LambdaGeneratedResponse":
		return "(a Lambda@Edge function wrote the response)"
	case "LambdaExecutionError":
		return "(a Lambda@Edge function failed)"
	case "LambdaValidationError":
		return "(a Lambda@Edge function returned an invalid response)"
	case "LambdaLimitExceeded":
		return "(a Lambda@Edge function hit a limit)"
	}
	return ""
}
