package analysis

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

type visitRec struct {
	at                             int64 // seconds after t0 (2024-03-04 10:00 UTC)
	ip, agent, stem, referer, host string
}

func visitFrame(recs []visitRec, withHost bool) *frame.Frame {
	var b frame.Builder
	cols := frame.Cols(frame.IP, frame.UserAgent, frame.Stem, frame.Referer)
	if withHost {
		cols.Union(frame.Cols(frame.Host))
	}
	b.Begin(cols)
	var r frame.Row
	for _, x := range recs {
		r.Reset()
		r.Time = t0 + x.at
		r.Str[frame.IP], r.Str[frame.UserAgent] = []byte(x.ip), []byte(x.agent)
		r.Str[frame.Stem], r.Str[frame.Referer] = []byte(x.stem), []byte(x.referer)
		if withHost {
			r.Str[frame.Host] = []byte(x.host)
		}
		b.Add(&r)
	}
	return b.Frame()
}

func runVisitors(t testing.TB, f *frame.Frame, loc *time.Location) *Section {
	t.Helper()
	s, err := configured(t, "visitors", nil).Run(context.Background(), &Input{Frame: f, Loc: loc})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// visitRecs: in UTC+10 (Australia/Brisbane, no DST), 10:00 UTC is 20:00
// local, so +4 h (14:00 UTC) is already the next local day.
var visitRecs = []visitRec{
	// Local day 2024-03-04.
	{0, "192.0.2.1", "A", "/", "https://www.google.com/search?q=x", "example.org"},
	{10, "192.0.2.1", "A", "/style.css", "https://example.org/", "example.org"},
	{20, "192.0.2.1", "B", "/about", "", "example.org"}, // same IP, other agent: a second visitor
	{30, "192.0.2.2", "A", "/doc.pdf", "http://news.ycombinator.com:80/item", "example.org"},
	{40, "192.0.2.1", "A", "/logo.PNG", "", "example.org"}, // back to A: the same visitor as the first
	// Local day 2024-03-05.
	{4 * 3600, "192.0.2.1", "A", "/feed.xml", "https://google.com/", "example.org"},
	{4*3600 + 1, "192.0.2.3", "C", "/blog/", "android-app://com.google.android.gm/", "example.org"},
}

func TestVisitorsTables(t *testing.T) {
	brisbane, err := time.LoadLocation("Australia/Brisbane")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	s := runVisitors(t, visitFrame(visitRecs, true), brisbane)
	wantDays := [][]any{
		{"2024-03-04", 3, 5, 5.0 / 3, 0}, // agents "A", "B", "C" name no browser
		{"2024-03-05", 2, 2, 1.0, 0},
	}
	if got := rows(tableByID(s, "visitors_by_day")); !reflect.DeepEqual(got, wantDays) {
		t.Errorf("visitors_by_day:\n got %v\nwant %v", got, wantDays)
	}
	// /, /about, /blog/ are pages; /style.css and /logo.PNG static; the
	// PDF a document; /feed.xml other.
	wantKinds := [][]any{
		{kindPage, 3, 3.0 / 7}, {kindStatic, 2, 2.0 / 7}, {kindDocument, 1, 1.0 / 7}, {kindOther, 1, 1.0 / 7},
	}
	if got := rows(tableByID(s, "page_types")); !reflect.DeepEqual(got, wantKinds) {
		t.Errorf("page_types:\n got %v\nwant %v", got, wantKinds)
	}
	// The site's own referer is left out; www. and the port are dropped.
	wantSites := [][]any{
		{"google.com", 2, 2.0 / 4}, {"com.google.android.gm", 1, 1.0 / 4}, {"news.ycombinator.com", 1, 1.0 / 4},
	}
	if got := rows(tableByID(s, "referring_sites")); !reflect.DeepEqual(got, wantSites) {
		t.Errorf("referring_sites:\n got %v\nwant %v", got, wantSites)
	}
	wantConclusions(t, s,
		"5 unique visitors came over 2 days",
		"The busiest day was 2024-03-04 with 3 visitors and 5 requests.",
		"Of all requests, 42.86% were for pages, 28.57% for static assets, 14.29% for documents or downloads and 14.29% for other resources.",
		"4 requests came with a referer from one of 3 referring sites; the first, `google.com`, sent 2 (50.00% of them).",
	)
	if f := findingByID(s, "unique_visitors"); f == nil || f.Value != 5 {
		t.Errorf("unique_visitors = %+v", f)
	}

	// In UTC all seven requests fall on one day: 3 visitors (.1 A, .1 B,
	// .2 A) plus .3 C = 4; without a Host column, example.org is a
	// referring site too, and the prose says why.
	s = runVisitors(t, visitFrame(visitRecs, false), time.UTC)
	if got := rows(tableByID(s, "visitors_by_day")); !reflect.DeepEqual(got, [][]any{{"2024-03-04", 4, 7, 7.0 / 4, 0}}) {
		t.Errorf("visitors_by_day in UTC = %v", got)
	}
	if got := rows(tableByID(s, "referring_sites")); len(got) != 4 {
		t.Errorf("referring_sites without a host = %v", got)
	}
	if strings.Contains(strings.Join(s.Conclusions, " "), "busiest day") {
		t.Error("a busiest day among one day")
	}
}

func TestResourceKind(t *testing.T) {
	for stem, want := range map[string]string{
		"/": kindPage, "/a/b": kindPage, "/x.php": kindPage, "/index.HTML": kindPage, "/v1.2/": kindPage,
		"/a.js": kindStatic, "/f/font.woff2": kindStatic, "/x.tar.gz": kindDocument,
		"/robots.txt": kindOther, "/sitemap.xml": kindOther, "": kindOther,
	} {
		if got := resourceKind(stem); got != want {
			t.Errorf("resourceKind(%q) = %q, want %q", stem, got, want)
		}
	}
}

func TestVisitorsHostileReferer(t *testing.T) {
	// url.Parse accepts a host made of sub-delimiters and percent-escapes.
	evil := "http://*x*_y'\"z.example/"
	s := runVisitors(t, visitFrame([]visitRec{{0, "192.0.2.1", "A", "/", evil, ""}}, false), time.UTC)
	sites := rows(tableByID(s, "referring_sites"))
	if len(sites) != 1 {
		t.Fatalf("referring_sites = %v", sites)
	}
	host := sites[0][0].(string)
	if want := "1 request came with a referer, from " + Code(host) + "."; !slices.Contains(s.Conclusions, want) {
		t.Errorf("conclusions lack %q: %q", want, s.Conclusions)
	}
}

// TestVisitorsOneReferringSite: referers from a single site are said to
// be that, not "one of 1 referring site; the first...".
func TestVisitorsOneReferringSite(t *testing.T) {
	recs := []visitRec{
		{0, "192.0.2.1", "A", "/", "https://www.google.com/search?q=x", "example.org"},
		{10, "192.0.2.2", "A", "/about", "https://google.com/", "example.org"},
		{20, "192.0.2.2", "A", "/x", "", "example.org"},
	}
	s := runVisitors(t, visitFrame(recs, true), time.UTC)
	wantConclusions(t, s, "2 requests came with a referer, all from one site, `google.com`.")
	for _, c := range s.Conclusions {
		if strings.Contains(c, "one of 1") || strings.Contains(c, "the first") {
			t.Errorf("conclusion %q", c)
		}
	}
}

// referrals are requests of one client, one a second, each for a stem
// with a referer.
type referrals []visitRec

func (r *referrals) add(stem, ref string, n int) {
	for range n {
		*r = append(*r, visitRec{int64(len(*r)), "192.0.2.1", "Mozilla/5.0", stem, ref, ""})
	}
}

// TestSelfReferersWithoutHost: a log with no Host column still leaves the
// site's own links out of the referring sites, when a referer host's links
// come mostly from pages this log served (three or more of them); a search
// engine linking from "/" and its own paths stays a referring site.
func TestSelfReferersWithoutHost(t *testing.T) {
	var recs referrals
	add := recs.add
	add("/a", "", 1)
	add("/b", "https://www.blog.example/a", 3)
	add("/c", "https://blog.example/b", 2)
	add("/a", "http://blog.example/c?x=1", 1)
	add("/a", "https://blog.example/", 1)
	add("/b", "https://www.google.com/", 4)
	add("/c", "https://www.google.com/search", 2)
	add("/b", "https://news.example/a", 1) // one served path only: not the site
	s := runVisitors(t, visitFrame(recs, false), time.UTC)
	want := [][]any{{"google.com", 6, 6.0 / 7}, {"news.example", 1, 1.0 / 7}}
	if got := rows(tableByID(s, "referring_sites")); !reflect.DeepEqual(got, want) {
		t.Errorf("referring_sites\n got %v\nwant %v", got, want)
	}
	var prose []string
	for _, c := range s.Cells {
		prose = append(prose, c.Markdown)
	}
	if p := strings.Join(prose, "\n"); !strings.Contains(p, "Left out (7 requests): `blog.example`, whose referrals mostly come from pages this log served, and so is taken to be the site itself.") {
		t.Errorf("prose does not say which host is taken to be the site:\n%s", p)
	}
}

// TestSelfReferersCountEveryReferral: a host is taken to be the site only
// when the served pages send at least half of all its referrals, those
// from its root and other paths this log never served included: three
// served pages that refer once each are not enough against ten referrals
// from its "/".
func TestSelfReferersCountEveryReferral(t *testing.T) {
	var recs referrals
	add := recs.add
	add("/a", "https://mirror.example/b", 1)
	add("/b", "https://mirror.example/c", 1)
	add("/c", "https://mirror.example/a", 1)
	add("/a", "https://mirror.example/", 10)
	s := runVisitors(t, visitFrame(recs, false), time.UTC)
	want := [][]any{{"mirror.example", 13, 1.0}}
	if got := rows(tableByID(s, "referring_sites")); !reflect.DeepEqual(got, want) {
		t.Errorf("referring_sites\n got %v\nwant %v", got, want)
	}
}

// TestVisitorsLeaveOut4xx: GoAccess's default leaves 4xx responses out of
// unique visitors; a client whose every request that day was a 4xx is not
// a visitor, one with a 404 and a 200 is.
func TestVisitorsLeaveOut4xx(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.UserAgent, frame.Status))
	var r frame.Row
	for _, x := range []struct {
		at                int64
		ip, agent, status string
	}{
		{0, "192.0.2.1", "A", "200"},
		{1, "192.0.2.2", "A", "404"}, // only 4xx: not counted
		{2, "192.0.2.2", "A", "403"},
		{3, "192.0.2.3", "A", "404"}, // a 404, then a 304: counted once
		{4, "192.0.2.3", "A", "304"},
		{5, "192.0.2.4", "B", "500"}, // 5xx counts
		{6, "192.0.2.4", "C", "401"}, // another agent, only 4xx
	} {
		r.Reset()
		r.Time = t0 + x.at
		r.Str[frame.IP], r.Str[frame.UserAgent], r.Str[frame.Status] = []byte(x.ip), []byte(x.agent), []byte(x.status)
		b.Add(&r)
	}
	s := runVisitors(t, b.Frame(), time.UTC)
	want := [][]any{{"2024-03-04", 3, 7, 7.0 / 3, 0}}
	if got := rows(tableByID(s, "visitors_by_day")); !reflect.DeepEqual(got, want) {
		t.Errorf("visitors_by_day = %v, want %v", got, want)
	}
	wantConclusions(t, s, "3 unique visitors came over 1 day")
}

// TestVisitorsAll4xx: when every response is a 4xx, no visitor is counted,
// and the sentence says why rather than dividing by zero.
func TestVisitorsAll4xx(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.UserAgent, frame.Status))
	var r frame.Row
	for i := range 3 {
		r.Reset()
		r.Time = t0 + int64(i)*86400
		r.Str[frame.IP], r.Str[frame.UserAgent], r.Str[frame.Status] = []byte("192.0.2.9"), []byte("A"), []byte("404")
		b.Add(&r)
	}
	s := runVisitors(t, b.Frame(), time.UTC)
	wantConclusions(t, s, "Every one of the 3 requests was answered with a 4xx status, so no unique visitor is counted")
	for _, c := range s.Conclusions {
		if strings.Contains(c, "Inf") || strings.Contains(c, "NaN") || strings.Contains(c, "busiest") {
			t.Errorf("a sentence from no visitors: %q", c)
		}
	}
}

// TestVisitorsHumans: visitors whose agent is a crawler or tool, or who
// fetched robots.txt with a browser's agent, or have no agent, are not
// human visitors; each (IP, agent, day) counts once either way.
func TestVisitorsHumans(t *testing.T) {
	const (
		chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
		gbot   = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	)
	recs := []visitRec{
		{0, "192.0.2.1", chrome, "/", "", ""},
		{1, "192.0.2.1", chrome, "/a", "", ""},
		{2, "192.0.2.2", chrome, "/", "", ""},
		{3, "192.0.2.3", chrome, "/robots.txt", "", ""}, // a reader: not a person
		{4, "192.0.2.3", chrome, "/", "", ""},
		{5, "66.249.66.1", gbot, "/", "", ""},
		{6, "66.249.66.2", gbot, "/", "", ""},
		{7, "192.0.2.4", "curl/8.4.0", "/", "", ""},
		{8, "192.0.2.5", "", "/", "", ""},
		{86400, "192.0.2.1", chrome, "/", "", ""}, // the next day: counts again
	}
	s := runVisitors(t, visitFrame(recs, false), time.UTC)
	want := [][]any{{"2024-03-04", 7, 9, 9.0 / 7, 2}, {"2024-03-05", 1, 1, 1.0, 1}}
	if got := rows(tableByID(s, "visitors_by_day")); !reflect.DeepEqual(got, want) {
		t.Errorf("visitors_by_day = %v, want %v", got, want)
	}
	wantConclusions(t, s, "Of these, 3 (37.50%) had an agent that names a browser, the people as far as agents tell; the other 5 were crawlers, tools, or clients whose agent names no browser or is missing.")
	if f := findingByID(s, "human_visitors"); f == nil || f.Value != 3 {
		t.Errorf("human_visitors = %+v", f)
	}
}

// TestVisitorsDaysInterleaved: rows out of time order, a client's days
// coming and going, count the client once a day, and each day's visitors
// as they were.
func TestVisitorsDaysInterleaved(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.UserAgent, frame.Status))
	var r frame.Row
	for _, x := range []struct {
		day   int64
		ip, a string
	}{
		{0, "192.0.2.1", "A"}, {1, "192.0.2.1", "A"}, {0, "192.0.2.1", "A"}, {1, "192.0.2.1", "A"},
		{0, "192.0.2.2", "A"}, {1, "192.0.2.1", "B"}, {0, "192.0.2.1", "A"}, {1, "192.0.2.2", "A"},
		{1, "192.0.2.2", "A"}, {0, "192.0.2.1", "B"},
	} {
		r.Reset()
		r.Time = t0 + x.day*86400
		r.Str[frame.IP], r.Str[frame.UserAgent], r.Str[frame.Status] = []byte(x.ip), []byte(x.a), []byte("200")
		b.Add(&r)
	}
	s := runVisitors(t, b.Frame(), time.UTC)
	want := [][]any{{"2024-03-04", 3, 5, 5.0 / 3, 0}, {"2024-03-05", 3, 5, 5.0 / 3, 0}}
	if got := rows(tableByID(s, "visitors_by_day")); !reflect.DeepEqual(got, want) {
		t.Errorf("visitors_by_day = %v, want %v", got, want)
	}
}

// TestParseReferers: over referers read in several runs, whose hosts
// repeat within and across runs (with a port, "www.", capitals), parse
// gives each referer with rows the host splitReferer and normHost name,
// one id per distinct host, the ids in the order the hosts were first met,
// and none to a referer without rows or without a host.
func TestParseReferers(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.Referer))
	var r frame.Row
	const n = 30000
	for i := range n {
		r.Reset()
		switch i % 7 {
		case 0:
			r.Str[frame.Referer] = fmt.Appendf(nil, "https://www.Site%d.example:8443/p/%d", i%5000, i)
		case 1:
			r.Str[frame.Referer] = []byte("-")
		case 2:
			r.Str[frame.Referer] = fmt.Appendf(nil, "android-app://%d", i)
		default:
			r.Str[frame.Referer] = fmt.Appendf(nil, "http://site%d.example/%d", i%9000, i%4)
		}
		b.Add(&r)
	}
	f := b.Frame()
	v, _ := f.View(frame.Referer)
	counts := v.Counts()
	counts[v.At(3)] = 0 // a referer with no rows is not parsed
	p := parseReferers(&v, counts)
	first := map[string]int32{}
	var order []string
	for c := range v.Dict.Len() {
		ref := v.Dict.At(uint32(c))
		host, path, ok := splitReferer(ref)
		want := int32(-1)
		if counts[c] > 0 && ref != "" && ok {
			h := normHost(host)
			id, seen := first[h]
			if !seen {
				id = int32(len(order))
				first[h] = id
				order = append(order, h)
			}
			want = id
			if p.hasPath[c] != (path != "" && path != "/") {
				t.Errorf("referer %q: hasPath %v", ref, p.hasPath[c])
			}
		}
		if p.host[c] != want {
			t.Fatalf("referer %q (code %d): host id %d, want %d", ref, c, p.host[c], want)
		}
		if want >= 0 && p.hosts.at(want) != order[want] {
			t.Fatalf("host %d: %q, want %q", want, p.hosts.at(want), order[want])
		}
	}
	if p.hosts.len() != len(order) || len(order) < 9000 {
		t.Fatalf("%d hosts, want %d (more than 9,000)", p.hosts.len(), len(order))
	}
	var each []string
	p.hosts.each(func(id int32, h string) {
		if int(id) != len(each) {
			t.Fatalf("each: id %d after %d names", id, len(each))
		}
		each = append(each, h)
	})
	if !slices.Equal(each, order) {
		t.Error("each does not give the hosts in the order of their ids")
	}
}
