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

var _ Analysis = cloudFront{}

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

// errorClasses counts the CloudFront records whose result type is Error by
// their status class: "4xx", "5xx", "000" or "other".
func errorClasses(f *frame.Frame, results frame.CodeView, cf []bool) map[string]int {
	status, ok := f.View(frame.Status)
	if !ok {
		return nil
	}
	out := map[string]int{}
	errCode := make([]bool, len(results.Dict))
	for c, v := range results.Dict {
		errCode[c] = cf[c] && v == "Error"
	}
	for i := range results.Len() {
		if !errCode[results.At(i)] {
			continue
		}
		class := "other"
		switch st := status.Dict[status.At(i)]; {
		case st == "000":
			class = "000"
		case len(st) == 3 && st[0] == '4':
			class = "4xx"
		case len(st) == 3 && st[0] == '5':
			class = "5xx"
		}
		out[class]++
	}
	return out
}

func (cloudFront) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	// These columns have small dictionaries: views read their codes
	// without widening them to four bytes a row.
	locs, _ := f.View(frame.EdgeLocation)
	results, _ := f.View(frame.EdgeResult)
	// Only CloudFront records have a result type: when other logs were read
	// with them, their rows are left out of this section.
	cf := make([]bool, len(results.Dict))
	for c, v := range results.Dict {
		cf[c] = v != ""
	}
	locCounts := make([]int, len(locs.Dict))
	rcounts := make([]int, len(results.Dict))
	total := 0
	for i := range results.Len() {
		if rc := results.At(i); cf[rc] {
			locCounts[locs.At(i)]++
			rcounts[rc]++
			total++
		}
	}
	s := &Section{}
	if total == 0 {
		s.Skipped = "skipped: no record has a CloudFront edge result type"
		return s, nil
	}
	s.Prose("Where did CloudFront serve the requests, and from its cache or from the origin? The edge location is the point of presence (its first three letters are the nearest airport's code); the result type says whether the edge had the object: `Hit` and `RefreshHit` count as cache hits.")

	ranked := codeCounts(locCounts, locs.Dict)
	lt := NewTable("edge_locations", "Requests per edge location",
		Column{"edge_location", Text}, Column{"airport", Text}, Column{"requests", Integer}, Column{"share", Share})
	lt.Index = 0
	for _, r := range ranked {
		lt.Add(r.key, orDash(airport(locs.Dict[r.code])), r.n, float64(r.n)/float64(total))
	}
	s.Compute(`requests.x_edge_location.value_counts(normalize=True)`, Output{Table: lt})

	rt := countsTable("edge_result_types", "Requests per edge result type", "edge_result_type", codeCounts(rcounts, results.Dict), "share", total)
	hitCode := make([]bool, len(results.Dict))
	hits, errorsN := 0, 0
	for c, v := range results.Dict {
		hitCode[c] = isCacheHit(v)
		if hitCode[c] {
			hits += rcounts[c]
		}
		if v == "Error" {
			errorsN += rcounts[c]
		}
	}
	s.Compute(`requests.x_edge_result_type.value_counts(normalize=True)`, Output{Table: rt})

	// Hit ratio per day.
	clock := frame.NewClock(in.Loc)
	type dayHits struct{ n, hits int }
	byDay := map[int64]*dayHits{}
	var cur *dayHits
	curDay := int64(-1 << 62)
	for i, t := range f.Time {
		rc := results.At(i)
		if !cf[rc] {
			continue
		}
		if d := clock.Day(t); d != curDay {
			curDay = d
			if cur = byDay[d]; cur == nil {
				cur = &dayHits{}
				byDay[d] = cur
			}
		}
		cur.n++
		if hitCode[rc] {
			cur.hits++
		}
	}
	days := make([]int64, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	slices.Sort(days)
	ht := NewTable("cache_hit_ratio", "Cache hit ratio per day",
		Column{"day", Date}, Column{"requests", Integer}, Column{"hits", Integer}, Column{"hit_ratio", Share})
	ht.Index = 0
	worst := days[0]
	for _, d := range days {
		a := byDay[d]
		ht.Add(frame.DayString(d), a.n, a.hits, float64(a.hits)/float64(a.n))
		if float64(a.hits)/float64(a.n) < float64(byDay[worst].hits)/float64(byDay[worst].n) {
			worst = d
		}
	}
	s.Compute(`requests.assign(hit=requests.x_edge_result_type.isin(["Hit", "RefreshHit"])).groupby(requests.time.dt.date).agg(requests=("hit", "size"), hits=("hit", "sum")).eval("hit_ratio = hits / requests")`,
		Output{Table: ht})

	// Protocols and TLS versions, when the logs have them.
	tls, hasTLS := f.View(frame.TLSVersion)
	schemeSentence := protocolsTable(s, f, total, func(i int) bool { return cf[results.At(i)] })

	// Conclusions.
	if read := f.Len(); total < read {
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
	if w := byDay[worst]; len(days) > 1 && float64(w.hits)/float64(w.n) < ratio-0.1 {
		hitMsg += fmt.Sprintf(" It was lowest on %s: %s.", frame.DayString(worst), Percent(float64(w.hits)/float64(w.n)))
	}
	s.Conclude(hitMsg)
	s.Find("cache_hit_ratio", SevInfo, ratio, fmt.Sprintf("CloudFront's cache hit ratio was %s.", Percent(ratio)))
	if errorsN > 0 {
		share := float64(errorsN) / float64(total)
		byClass := errorClasses(f, results, cf)
		msg := fmt.Sprintf("%s (%s) ended with the result type `Error`, which CloudFront gives any response with an error status", Count(errorsN, "request"), Percent(share))
		var parts []string
		for _, c := range []struct{ key, word, detail string }{
			{"4xx", "client error", " (4xx: missing objects, denied or bad requests)"},
			{"5xx", "server error", " (5xx, from the origin or CloudFront)"},
			{"000", "response", " with status `000` (the viewer closed the connection first)"},
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
		if total < f.Len() {
			schemeSentence = strings.Replace(schemeSentence, "Every request", "Every CloudFront request", 1)
		}
		s.Conclude(schemeSentence)
	}
	var meant []string
	for _, r := range codeCounts(rcounts, results.Dict) {
		if m := resultMeaning(r.key); m != "" {
			meant = append(meant, Code(r.key)+" "+m)
		}
	}
	if len(meant) > 0 {
		s.Conclude(fmt.Sprintf("What the %s here mean%s: %s.", verb(len(meant), "result type", "result types"), verb(len(meant), "s", ""), strings.Join(meant, "; ")))
	}
	if hasTLS {
		old, parts := 0, []string{}
		counts := make([]int, len(tls.Dict))
		for i := range tls.Len() {
			if cf[results.At(i)] {
				counts[tls.At(i)]++
			}
		}
		for c, v := range tls.Dict {
			if counts[c] > 0 && oldTLS(v) {
				old += counts[c]
				parts = append(parts, fmt.Sprintf("%s (%s)", Code(v), Int(counts[c])))
			}
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

// protocolsTable adds the protocols table (scheme, HTTP version, TLS
// version) of the records keep selects, when the logs have any of these
// columns, and returns a sentence on plain HTTP.
func protocolsTable(s *Section, f *frame.Frame, total int, keep func(int) bool) (sentence string) {
	type col struct {
		name string
		str  *frame.CodeView
	}
	var cols []col
	found := false
	for _, c := range []struct {
		name string
		id   frame.StrCol
	}{{"scheme", frame.Scheme}, {"protocol", frame.Protocol}, {"tls_version", frame.TLSVersion}} {
		v, ok := f.View(c.id)
		if !ok {
			cols = append(cols, col{c.name, nil})
			continue
		}
		cols = append(cols, col{c.name, &v})
		found = true
	}
	if !found {
		return ""
	}
	// Each column has a handful of values: count combinations in an array.
	size := 1
	for _, c := range cols {
		if c.str != nil {
			size *= len(c.str.Dict)
		}
	}
	if size > 1<<20 {
		return "" // far too many combinations to be protocols: leave it
	}
	counts := make([]int, size)
	for i := range f.Time {
		if !keep(i) {
			continue
		}
		k := 0
		for _, c := range cols {
			if c.str != nil {
				k = k*len(c.str.Dict) + int(c.str.At(i))
			}
		}
		counts[k]++
	}
	var tcols []Column
	for _, c := range cols {
		if c.str != nil {
			tcols = append(tcols, Column{c.name, Text})
		}
	}
	tcols = append(tcols, Column{"requests", Integer}, Column{"share", Share})
	type combo struct {
		vals []string
		n    int
	}
	var combos []combo
	for k, n := range counts {
		if n == 0 {
			continue
		}
		vals := make([]string, 0, 3)
		rest := k
		for j := len(cols) - 1; j >= 0; j-- {
			if c := cols[j].str; c != nil {
				vals = append(vals, orDash(c.Dict[rest%len(c.Dict)]))
				rest /= len(c.Dict)
			}
		}
		slices.Reverse(vals)
		combos = append(combos, combo{vals, n})
	}
	slices.SortFunc(combos, func(a, b combo) int {
		if c := byCount(a.n, b.n); c != 0 {
			return c
		}
		return slices.Compare(a.vals, b.vals)
	})
	t := NewTable("protocols", "Requests per scheme, HTTP version and TLS version", tcols...)
	plain, secure := 0, 0
	schemeIdx := -1
	if cols[0].str != nil {
		schemeIdx = 0
	}
	for _, c := range combos {
		row := make([]any, 0, len(c.vals)+2)
		for _, v := range c.vals {
			row = append(row, v)
		}
		row = append(row, c.n, float64(c.n)/float64(total))
		t.Add(row...)
		if schemeIdx == 0 {
			switch c.vals[0] {
			case "http", "ws":
				plain += c.n
			case "https", "wss":
				secure += c.n
			}
		}
	}
	s.Compute(`requests.groupby(["cs_protocol", "cs_protocol_version", "ssl_protocol"], dropna=False).size().sort_values(ascending=False)`, Output{Table: t})
	if schemeIdx == 0 {
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
