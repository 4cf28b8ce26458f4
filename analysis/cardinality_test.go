package analysis

import (
	"context"
	"math/rand/v2"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
)

// High cardinality: a log in which every client IP, path, user agent and
// referer is distinct. Per-key tables keep Input.MaxRows rows and state how
// many they had; the statistics and sentences are those of every row.

// uniqueFrame returns n rows of a week from 2024-03-04 in which every IP,
// stem, agent and referer is distinct, as bench/uniquelog writes them:
// statuses and sizes from a fixed seed, a write in ten.
func uniqueFrame(n int) *frame.Frame { return uniqueFrameShuffled(n, false) }

// uniqueFrameShuffled is uniqueFrame, its rows' values in a random order
// when shuffle is set, as in a log whose clients came in no order: the
// values' codes no longer follow their sorted order (`shuf` on
// bench/uniquelog's lines).
func uniqueFrameShuffled(n int, shuffle bool) *frame.Frame {
	rng := rand.New(rand.NewPCG(1, 2))
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	if shuffle {
		rand.New(rand.NewPCG(5, 6)).Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	}
	statuses := []string{"200", "200", "200", "200", "200", "200", "304", "301", "404", "500"}
	methods := []string{"GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST", "HEAD", "GET"}
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Protocol, frame.Status, frame.Bytes,
		frame.Referer, frame.UserAgent))
	var r frame.Row
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC).Unix()
	week := int64(7 * 86400)
	var ip, stem, ref, ua []byte
	for row := range n {
		i := perm[row]
		r.Reset()
		r.Time = start + week*int64(row)/int64(n)
		a := uint32(0x01000000 + i)
		ip = strconv.AppendUint(ip[:0], uint64(a>>24), 10)
		for _, sh := range []uint32{16, 8, 0} {
			ip = strconv.AppendUint(append(ip, '.'), uint64(a>>sh&255), 10)
		}
		stem = strconv.AppendInt(append(stem[:0], "/item/"...), int64(i), 36)
		ref = append(strconv.AppendInt(append(ref[:0], "https://ref"...), int64(i), 36), ".example.org/from"...)
		ua = append(strconv.AppendInt(append(ua[:0], "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0."...), int64(i), 10), ".0 Safari/537.36"...)
		r.Str[frame.IP], r.Str[frame.Stem], r.Str[frame.Referer], r.Str[frame.UserAgent] = ip, stem, ref, ua
		r.Str[frame.Method] = []byte(methods[rng.IntN(len(methods))])
		r.Str[frame.Protocol] = []byte("HTTP/1.1")
		st := statuses[rng.IntN(len(statuses))]
		r.Str[frame.Status] = []byte(st)
		if st != "304" {
			r.Num[frame.Bytes] = float64(200 + rng.IntN(50000))
		}
		b.Add(&r)
	}
	return b.Frame()
}

// TestTableLimit: past its limit a table counts rows rather than keeping
// them, and says it was cut; without a limit it keeps every row.
func TestTableLimit(t *testing.T) {
	tab := NewTable("t", "t", Column{"k", Text}, Column{"n", Integer}).Limit(3)
	for i := range 5 {
		tab.Add(strconv.Itoa(i), i)
	}
	if len(tab.Rows) != 3 || tab.TotalRows != 5 || !tab.Truncated() || !tab.Full() {
		t.Errorf("limit 3, 5 rows added: %d rows kept, total %d, truncated %v", len(tab.Rows), tab.TotalRows, tab.Truncated())
	}
	if want := [][]any{{"0", 0}, {"1", 1}, {"2", 2}}; !reflect.DeepEqual(tab.Rows, want) {
		t.Errorf("rows kept: %v, want the first three %v", tab.Rows, want)
	}
	tab.Skip(10)
	if tab.TotalRows != 15 {
		t.Errorf("after Skip(10): total %d, want 15", tab.TotalRows)
	}
	all := NewTable("t", "t", Column{"k", Text}).Limit(0)
	for i := range 5 {
		all.Add(strconv.Itoa(i))
	}
	if len(all.Rows) != 5 || all.Truncated() || all.TotalRows != 0 || all.Full() {
		t.Errorf("limit 0: %d rows, total %d, truncated %v; want all 5, not truncated", len(all.Rows), all.TotalRows, all.Truncated())
	}
	exact := NewTable("t", "t", Column{"k", Text}).Limit(5)
	for i := range 5 {
		exact.Add(strconv.Itoa(i))
	}
	if exact.Truncated() {
		t.Errorf("a table of exactly its limit is not cut: total %d", exact.TotalRows)
	}
}

// perKeyTables are the tables capped by Input.MaxRows, with the rows each
// has on uniqueFrame(n) (a function of n and of the uncapped run).
var perKeyTables = []string{"uri_stem_share", "status_given_ip", "mixed_status_ips", "non_2xx_by_ip",
	"request_methods_ip", "write_methods_by_ip", "user_agents", "crawlers", "size_by_ip", "size_outliers"}

// TestMaxRowsCapsPerKeyTables runs every section on 3,000 rows of
// distinct IPs, paths, agents and referers, with every row kept and with
// MaxRows 100: each per-key table keeps the first 100 rows of the full
// one and states the full count, and every other table, finding and
// conclusion is the same (the cap cuts what is shown, not what is computed).
func TestMaxRowsCapsPerKeyTables(t *testing.T) {
	const n, limit = 3000, 100
	f := uniqueFrame(n)
	jobs := Defaults(All())
	full := RunAll(context.Background(), &Input{Frame: f, Loc: time.UTC}, jobs)
	capped := RunAll(context.Background(), &Input{Frame: f, Loc: time.UTC, MaxRows: limit}, jobs)
	perKey := map[string]bool{}
	for _, id := range perKeyTables {
		perKey[id] = true
	}
	seen := map[string]bool{}
	for i, fs := range full {
		cs := capped[i]
		if fs.Error != "" || cs.Error != "" {
			t.Fatalf("%s: %s %s", fs.ID, fs.Error, cs.Error)
		}
		if !reflect.DeepEqual(fs.Conclusions, cs.Conclusions) || !reflect.DeepEqual(fs.Findings, cs.Findings) {
			t.Errorf("%s: the cap changed the conclusions or findings:\n full %q\n  cap %q", fs.ID, fs.Conclusions, cs.Conclusions)
		}
		ft, ct := fs.Tables(), cs.Tables()
		if len(ft) != len(ct) {
			t.Fatalf("%s: %d tables with every row, %d with the cap", fs.ID, len(ft), len(ct))
		}
		for j, a := range ft {
			b := ct[j]
			if a.Truncated() {
				t.Errorf("%s: table %s is cut with no cap", fs.ID, a.ID)
			}
			if !perKey[a.ID] || len(a.Rows) <= limit {
				if !reflect.DeepEqual(a.Rows, b.Rows) || b.Truncated() {
					t.Errorf("%s: table %s (%d rows) changed under the cap", fs.ID, a.ID, len(a.Rows))
				}
				continue
			}
			seen[a.ID] = true
			if len(b.Rows) != limit || b.TotalRows != len(a.Rows) || !b.Truncated() {
				t.Errorf("%s: table %s: %d rows kept of %d stated, want %d of %d", fs.ID, a.ID, len(b.Rows), b.TotalRows, limit, len(a.Rows))
				continue
			}
			if !reflect.DeepEqual(b.Rows, a.Rows[:limit]) {
				t.Errorf("%s: table %s kept rows other than the first %d", fs.ID, a.ID, limit)
			}
		}
	}
	// The log makes these tables longer than the cap; a test that cut
	// none would show nothing.
	for _, id := range []string{"uri_stem_share", "status_given_ip", "request_methods_ip", "write_methods_by_ip", "user_agents", "size_by_ip", "non_2xx_by_ip"} {
		if !seen[id] {
			t.Errorf("table %s was not over the cap of %d on %d distinct clients", id, limit, n)
		}
	}
}

var (
	uniqueOnce    sync.Once
	uniqueBench   *frame.Frame
	shuffledOnce  sync.Once
	shuffledBench *frame.Frame
)

// BenchmarkRunAllUnique is BenchmarkRunAll on a million rows in which every
// IP, path, agent and referer is distinct, with the default cap on per-key
// tables (compare the two for the cost of cardinality).
func BenchmarkRunAllUnique(b *testing.B) {
	uniqueOnce.Do(func() { uniqueBench = uniqueFrame(benchRows) })
	benchRunAll(b, uniqueBench)
}

// BenchmarkRunAllUniqueShuffled is BenchmarkRunAllUnique with the rows'
// values in a random order (uniqueFrameShuffled): a section that walks a
// column in its sorted order reads its per-code arrays at random.
func BenchmarkRunAllUniqueShuffled(b *testing.B) {
	shuffledOnce.Do(func() { shuffledBench = uniqueFrameShuffled(benchRows, true) })
	benchRunAll(b, shuffledBench)
}

func benchRunAll(b *testing.B, f *frame.Frame) {
	in := &Input{Frame: f, Loc: time.UTC, MaxRows: DefaultMaxRows}
	jobs := Defaults(All())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, s := range RunAll(context.Background(), in, jobs) {
			if s.Error != "" {
				b.Fatalf("%s: %s", s.ID, s.Error)
			}
		}
	}
	b.ReportMetric(float64(f.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestSharedOrder: the ranks and counts made from a column's shared sorted
// order (CodeView.Order) are those made by comparing its strings, with an
// empty value shown and sorted as "-" among values around it.
func TestSharedOrder(t *testing.T) {
	all := []string{"b", "", "-", "+x", "--", ".", "a", "-", "", "Z", "b", "b", "~", ",", "a"}
	without := func(drop string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == drop })
	}
	for name, vals := range map[string][]string{"all": all, "no dash": without("-"), "no empty": without(""), "only empty": {"", ""}, "empty and dash": {"-", ""}} {
		var recs []rec
		for i, v := range vals {
			recs = append(recs, rec{int64(i), v, "GET", v, "200"})
		}
		f := handFrame(recs)
		v := strCol(f, frame.IP)
		_, want := dashRanks(dictValues(v.Dict))
		order, got := viewDashRanks(v)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ranks from the shared order %v, by comparing strings %v (dict %q)", name, got, want, dictValues(v.Dict))
		}
		for i := 1; i < len(order); i++ {
			if got[order[i]] < got[order[i-1]] {
				t.Errorf("%s: order %v is not by rank %v", name, order, got)
			}
		}
		if a, b := viewCodeCounts(v, v.Counts()), codeCounts(v.Counts(), dictValues(v.Dict)); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: viewCodeCounts %v\n    codeCounts %v", name, a, b)
		}
		if &v.Order()[0] != &strCol(f, frame.IP).Order()[0] {
			t.Errorf("%s: the order is made again for a second view of the column", name)
		}
		if order2, got2 := viewDashRanks(strCol(f, frame.IP)); &order2[0] != &order[0] || &got2[0] != &got[0] {
			t.Errorf("%s: the ranks are made again for a second view of the column", name)
		}
		// The top rows by count then key, ties broken by the column's
		// order (a borrowed dictionary) or by the strings (an owned one).
		counts := v.Counts()
		var rows []keyCount
		for c, n := range counts {
			if n > 0 {
				rows = append(rows, keyCount{key: v.Dict.At(uint32(c)), n: n, code: uint32(c)})
			}
		}
		var borrowed, owned Dict
		borrowed.Borrow(&Input{Frame: f})
		borrowed.CodesOf(v, nil)
		owned.CodesOf(v, nil)
		if borrowed.view == nil {
			t.Fatalf("%s: the borrowed dictionary has no view", name)
		}
		for k := 1; k <= len(rows)+1; k++ {
			want := topKeyCounts(slices.Clone(rows), k)
			for dname, d := range map[string]*Dict{"borrowed": &borrowed, "owned": &owned} {
				if got := topCodeCounts(d, counts, k); !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %s, top %d: %v, want %v", name, dname, k, got, want)
				}
			}
		}
	}
}

// TestTopKeyCounts: the bounded heap gives the first k rows of the full
// sort, for k below, at and above the number of rows, with ties in counts.
func TestTopKeyCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := map[string]int{}
	for i := range 500 {
		m["h"+strconv.Itoa(i*7919%1000)] = 1 + rng.IntN(20)
	}
	want := labelCounts(m)
	for _, k := range []int{1, 2, 19, 20, 125, 499, 500, 501} {
		rows := labelCounts(m)
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		got := topKeyCounts(rows, k)
		if !reflect.DeepEqual(got, want[:min(k, len(want))]) {
			t.Errorf("k=%d: got %v\nwant %v", k, got, want[:min(k, len(want))])
		}
	}
}

// TestSplitReferer: the hand split of plain referers gives what url.Parse
// gives, for the referers of the committed samples and for odd ones.
func TestSplitReferer(t *testing.T) {
	refs := []string{"", "-", "http://a", "https://a/", "http://a?x=1", "https://a/b?c#d", "http://a/b#c", "http://A.Example.COM/P",
		"http://a:8080/x", "http://[::1]:80/x", "http://u:p@a/x", "http://a/%41b", "http://a/%zz", "http://a/ b", " http://a/b",
		"http://a/b\x01", "HTTPS://a/b", "https://a.b-c/d;e/../f", "http://a/é", "https://a/\"<x>{}", "http://a\\b", "http:///x",
		"http://-/x", "android-app://com.example", "www.example.com/x", "https://a./", "http://a/b?c?d", "http://a?x/y", "http://a/b?%zz", "http://a/b?x y"}
	sources, errs := ingest.Expand([]string{"../samples"}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	f := ingest.Read(context.Background(), sources, ingest.Options{}).Frame
	if v := strCol(f, frame.Referer); v != nil {
		refs = append(refs, dictValues(v.Dict)...)
	}
	for _, r := range refs {
		host, path, ok := splitReferer(r)
		u, err := url.Parse(strings.TrimSpace(r))
		want := err == nil && u.Host != ""
		if ok != want || ok && (host != u.Hostname() || path != u.Path) {
			t.Errorf("splitReferer(%q) = %q, %q, %v; url.Parse gives %v, %v", r, host, path, ok, u, err)
		}
	}
}

// TestEachOnceSentences: on a log where every stem, agent, referer and
// redirect is distinct, the sections say that each came once rather than
// name a "most requested" or "first" one of a single request.
func TestEachOnceSentences(t *testing.T) {
	f := uniqueFrame(2000)
	in := &Input{Frame: f, Loc: time.UTC, MaxRows: DefaultMaxRows}
	for _, c := range []struct {
		section string
		want    string
		not     []string
	}{
		{"uri_stems", "2,000 requests went to 2,000 distinct URI stems, each requested once.", []string{"most requested", "top 10"}},
		{"user_agents", "2,000 requests came with 2,000 distinct user agents, each agent in one request.", []string{"The first two"}},
		{"visitors", "came with a referer from one of 2,000 referring sites, each site sending one.", []string{"the first,"}},
		{"status_codes", "redirected (3xx other than 304), each for a different path.", []string{"most redirected"}},
	} {
		s, err := configured(t, c.section, nil).Run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		wantConclusions(t, s, c.want)
		noConclusion(t, s, c.not...)
	}
}

// TestRedirectSentenceEachOnce: redirects each for its own path and query
// name no most redirected path or query; one redirected twice does.
func TestRedirectSentenceEachOnce(t *testing.T) {
	once := redirectStats{requests: 5, groups: 5, topPath: "/a", topPathN: 1, topPathIPs: 1, withQuery: 5, topQuery: "/a?x=1", topQueryN: 1, hasQuery: true}
	want := "5 requests were redirected (3xx other than 304), each for a different path. All of them carried a query string."
	if got := once.sentence(); got != want {
		t.Errorf("each once:\n got %q\nwant %q", got, want)
	}
	twice := once
	twice.topPathN, twice.topQueryN, twice.groups = 2, 2, 4
	if got := twice.sentence(); !strings.Contains(got, "the most redirected path was `/a` (twice, all for one IP)") || !strings.Contains(got, "the most redirected with its query was `/a?x=1`, twice") {
		t.Errorf("one redirected twice: %q", got)
	}
}

// BenchmarkProbeMatch: probeMatch on a million distinct stems (the
// security section classifies each distinct stem once).
func BenchmarkProbeMatch(b *testing.B) {
	uniqueOnce.Do(func() { uniqueBench = uniqueFrame(benchRows) })
	stems := dictValues(strCol(uniqueBench, frame.Stem).Dict)
	b.ResetTimer()
	for b.Loop() {
		for _, s := range stems {
			probeMatch(s)
		}
	}
	b.ReportMetric(float64(len(stems))*float64(b.N)/b.Elapsed().Seconds(), "stems/s")
}

// TestNormHost holds normHost to its rules as written once, step by step
// (lower case, no trailing dot, no port, no "www."), on hosts made of
// pieces that each step changes.
func TestNormHost(t *testing.T) {
	ref := func(h string) string {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h, "]") && strings.Count(h, ":") == 1 {
			h = h[:i]
		}
		return strings.TrimPrefix(h, "www.")
	}
	pieces := []string{"www.", "WWW.", "a", "Z", "0", "-", ".", ":", ":80", "[", "]", "[::1]", "\u0130", "\u212a", "é", "_"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		h := b.String()
		if got, want := normHost(h), ref(h); got != want {
			t.Fatalf("normHost(%q) = %q, want %q", h, got, want)
		}
	}
}
