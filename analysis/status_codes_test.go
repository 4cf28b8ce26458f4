package analysis

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

var t0 = time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC).Unix()

// statusRecs: IP .1 gets 200, 200, 404; .2 a single 200; .3 a tie of two
// 301 and two 200; .4 a single 500; .5 a 304 and a 200; .6 a 302; the
// IPv6 client a CloudFront 000.
var statusRecs = []rec{
	{0, "192.0.2.1", "GET", "/", "200"},
	{10, "192.0.2.1", "GET", "/", "200"},
	{20, "192.0.2.1", "GET", "/x", "404"},
	{30, "192.0.2.2", "GET", "/", "200"},
	{40, "192.0.2.3", "GET", "/old", "301"},
	{3650, "192.0.2.3", "GET", "/old", "301"},
	{3660, "192.0.2.3", "GET", "/", "200"},
	{3670, "192.0.2.3", "GET", "/", "200"},
	{3680, "192.0.2.4", "POST", "/api", "500"},
	{7290, "192.0.2.5", "GET", "/", "304"},
	{7300, "192.0.2.5", "GET", "/", "200"},
	{7310, "192.0.2.6", "GET", "/new", "302"},
	{7320, "2001:db8::7", "GET", "/", "000"},
}

func runStatus(t testing.TB, f *frame.Frame, loc *time.Location) *Section {
	t.Helper()
	s, err := configured(t, "status_codes", nil).Run(context.Background(), &Input{Frame: f, Loc: loc})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStatusTables checks every table against what pandas computes with the
// notebook's code, worked out by hand.
func TestStatusTables(t *testing.T) {
	plus2 := time.FixedZone("+0200", 2*3600)
	s := runStatus(t, handFrame(statusRecs), plus2)

	// requests.status.value_counts(): by count, ties by value.
	wantCounts := [][]any{{"200", 6}, {"301", 2}, {"000", 1}, {"302", 1}, {"304", 1}, {"404", 1}, {"500", 1}}
	// requests.groupby("ip").status.value_counts(normalize=True), sorted by
	// ip, then probability descending, then status.
	wantGiven := [][]any{
		{"192.0.2.1", "200", 2.0 / 3}, {"192.0.2.1", "404", 1.0 / 3},
		{"192.0.2.2", "200", 1.0},
		{"192.0.2.3", "200", 0.5}, {"192.0.2.3", "301", 0.5},
		{"192.0.2.4", "500", 1.0},
		{"192.0.2.5", "200", 0.5}, {"192.0.2.5", "304", 0.5},
		{"192.0.2.6", "302", 1.0},
		{"2001:db8::7", "000", 1.0},
	}
	// IPs with more than one status, by requests.
	wantMixed := [][]any{
		{"192.0.2.3", 4, 2, "200: 2, 301: 2"},
		{"192.0.2.1", 3, 2, "200: 2, 404: 1"},
		{"192.0.2.5", 2, 2, "200: 1, 304: 1"},
	}
	// Non-2xx per IP and status, by requests, then IP; with the share of the
	// IP's requests.
	wantNon2xx := [][]any{
		{"192.0.2.3", "301", 2, 0.5},
		{"192.0.2.1", "404", 1, 1.0 / 3},
		{"192.0.2.4", "500", 1, 1.0},
		{"192.0.2.5", "304", 1, 0.5},
		{"192.0.2.6", "302", 1, 1.0},
		{"2001:db8::7", "000", 1, 1.0},
	}
	// Redirects (not 304), times in +0200.
	wantRedirects := [][]any{
		{"301", "/old", "192.0.2.3", 2, time.Date(2024, 3, 4, 12, 0, 40, 0, plus2), time.Date(2024, 3, 4, 13, 0, 50, 0, plus2)},
		{"302", "/new", "192.0.2.6", 1, time.Date(2024, 3, 4, 14, 1, 50, 0, plus2), time.Date(2024, 3, 4, 14, 1, 50, 0, plus2)},
	}
	for id, want := range map[string][][]any{
		"status_counts": wantCounts, "status_given_ip": wantGiven, "mixed_status_ips": wantMixed,
		"non_2xx_by_ip": wantNon2xx, "redirects": wantRedirects,
	} {
		if got := rows(tableByID(s, id)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", id, got, want)
		}
	}
	cols := func(id string) []string {
		var out []string
		for _, c := range tableByID(s, id).Columns {
			out = append(out, c.Name)
		}
		return out
	}
	for id, want := range map[string][]string{
		"status_counts":    {"status_code", "requests"},
		"status_given_ip":  {"ip", "status_code", "proba_status_given_ip"},
		"mixed_status_ips": {"ip", "requests", "distinct_statuses", "statuses"},
		"non_2xx_by_ip":    {"ip", "status_code", "requests", "share_of_ip_requests"},
		"redirects":        {"status_code", "path", "ip", "requests", "first_seen", "last_seen"},
	} {
		if got := cols(id); !reflect.DeepEqual(got, want) {
			t.Errorf("%s columns = %v, want %v", id, got, want)
		}
	}

	// 3xx, 4xx and 5xx per hour in +0200: 12:00, 13:00 and 14:00.
	var plot *Plot
	for _, c := range s.Cells {
		for _, o := range c.Outputs {
			if o.Plot != nil && o.Plot.ID == "status_classes_per_hour" {
				plot = o.Plot
			}
		}
	}
	if plot == nil {
		t.Fatal("no status_classes_per_hour plot")
	}
	wantSeries := []Series{{"3xx", []float64{1, 1, 2}}, {"4xx", []float64{1, 0, 0}}, {"5xx", []float64{0, 1, 0}}}
	if !reflect.DeepEqual(plot.Series, wantSeries) || !reflect.DeepEqual(plot.Labels, []string{"2024-03-04 12:00", "2024-03-04 13:00", "2024-03-04 14:00"}) {
		t.Errorf("plot: %v %v", plot.Labels, plot.Series)
	}

	wantConclusions(t, s,
		"The most common status was `200`, returned for 46.15% of 13 requests.",
		"By class: 2xx 6 (46.15%), 3xx 4 (30.77%), 4xx 1 (7.69%), 5xx 1 (7.69%) and other 1 (7.69%).",
		"3 of 7 IPs received more than one status code.",
		"7 requests from 6 IPs got no 2xx response (1 of them no response at all: `000`); `192.0.2.3` had the most: 2 of its 4 requests, all `301`. 3 IPs never received a 2xx response.",
		"3 requests were redirected (3xx other than 304), in 2 combinations of status, path and IP; the most redirected path was `/old` (twice, all for one IP).",
	)
	if fd := findingByID(s, "server_errors"); fd == nil || fd.Value != 1 || fd.Severity != SevWarning {
		t.Errorf("server_errors = %+v", fd)
	}
}

// TestStatusSingleStatus: when every IP got one status, the section says so
// and lists no mixed IP, no non-2xx and no redirect.
func TestStatusSingleStatus(t *testing.T) {
	s := runStatus(t, handFrame([]rec{
		{0, "192.0.2.1", "GET", "/", "200"},
		{1, "192.0.2.1", "GET", "/a", "200"},
		{2, "192.0.2.2", "GET", "/", "200"},
	}), time.UTC)
	if n := len(rows(tableByID(s, "mixed_status_ips"))) + len(rows(tableByID(s, "non_2xx_by_ip"))) + len(rows(tableByID(s, "redirects"))); n != 0 {
		t.Errorf("%d rows in mixed, non-2xx and redirects tables", n)
	}
	text := strings.Join(s.Conclusions, "\n")
	if !strings.Contains(text, "Every IP received a single status code for all of its requests.") {
		t.Errorf("conclusions:\n%s", text)
	}
	for _, absent := range []string{"redirect", "other than 2xx", "peaked"} {
		if strings.Contains(text, absent) {
			t.Errorf("conclusions speak of %q:\n%s", absent, text)
		}
	}
}

// TestStatusClaimsTiedLead: when no status is more common than the others,
// the sentence names the statuses tied for first rather than calling the
// first by code the most common; a status of 0 (Caddy: no response, the
// client left first) is explained.
func TestStatusClaimsTiedLead(t *testing.T) {
	s := runStatus(t, handFrame([]rec{
		{0, "192.0.2.1", "GET", "/", "200"},
		{1, "192.0.2.2", "GET", "/slow", "0"},
		{2, "192.0.2.1", "GET", "/a", "404"},
		{3, "192.0.2.3", "GET", "/b", "200"},
		{4, "192.0.2.3", "GET", "/b", "404"},
	}), time.UTC)
	wantConclusions(t, s,
		"No status was more common than `200` and `404`, with 2 requests each (40% of 5 requests). By class: 2xx 2 (40%), 4xx 2 (40%) and other 1 (20%).",
		"`0` (no response was sent: the client went away first, as Caddy logs it; nginx writes 499)",
	)
	noConclusion(t, s, "The most common status")

	var recs []rec
	for i, st := range []string{"200", "201", "204", "301", "302", "304"} {
		recs = append(recs, rec{int64(i), "192.0.2.1", "GET", "/", st})
	}
	s = runStatus(t, handFrame(recs), time.UTC)
	wantConclusions(t, s, "No status was more common than `200`, `201`, `204`, `301` and 2 more, with 1 request each (16.67% of 6 requests).")
}

// TestStatusRedirectsTop keeps the most frequent redirects and says how
// many there were.
func TestStatusRedirectsTop(t *testing.T) {
	f := handFrame(statusRecs)
	s, err := configured(t, "status_codes", map[string]string{"redirects_top": "1"}).Run(context.Background(), &Input{Frame: f, Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	tab := tableByID(s, "redirects")
	if len(tab.Rows) != 1 || tab.Rows[0][1] != "/old" || !strings.Contains(tab.Title, "the 1 most frequent of 2") {
		t.Errorf("redirects %q: %v", tab.Title, tab.Rows)
	}
}

var (
	benchOnce  sync.Once
	benchFrame *frame.Frame
)

func BenchmarkStatusCodes(b *testing.B) { benchSection(b, "status_codes") }

// TestStatusClaimsMeanings: the codes a reader may not know are explained
// once, in a few words; a client whose every non-2xx answer was one code
// gets "all", not "mostly"; a single client is "the one IP".
func TestStatusClaimsMeanings(t *testing.T) {
	s := runStatus(t, handFrame([]rec{
		{0, "192.0.2.1", "GET", "/", "200"},
		{1, "192.0.2.1", "GET", "/video.mp4", "206"},
		{2, "192.0.2.1", "GET", "/", "304"},
		{3, "192.0.2.2", "GET", "/slow", "499"},
		{4, "192.0.2.2", "GET", "/slow", "499"},
		{5, "192.0.2.3", "GET", "/.env", "444"},
		{6, "192.0.2.4", "GET", "/api", "429"},
		{7, "192.0.2.4", "GET", "/api", "503"},
		{8, "192.0.2.4", "GET", "/api", "200"},
	}), time.UTC)
	wantConclusions(t, s,
		"`192.0.2.2` received the most: all 2 of its requests were `499`.",
		"What the less common codes here mean: `206` (partial content: a byte range, as video players and resumed downloads ask); `304` (not modified: the client's cached copy is still good, a revalidation, fine); `429` (too many requests: the client was rate-limited); `444` (nginx closed the connection without answering); `499` (nginx: the client closed the connection before the answer); `503` (service unavailable: overloaded, or down for maintenance).",
	)
	text := strings.Join(s.Conclusions, "\n")
	if strings.Count(text, "nginx: the client closed") != 1 || strings.Contains(text, "`200` (OK)") {
		t.Errorf("each code is explained once, 200 not at all:\n%s", text)
	}

	// All of one status: "all", no percentage, no classes.
	s = runStatus(t, handFrame([]rec{{0, "192.0.2.1", "GET", "/cgi-bin/imagemap/countdown", "302"}, {1, "192.0.2.1", "GET", "/cgi-bin/imagemap/countdown", "302"}}), time.UTC)
	wantConclusions(t, s,
		"Both requests got status `302`.",
		"The only client IP received a single status code for all of its requests. 2 responses other than 2xx went to one IP, `192.0.2.1`: all 2 of its requests were `302`.",
		"2 requests from one IP were redirected (3xx other than 304), all for `/cgi-bin/imagemap/countdown` with the same status.",
	)
	noConclusion(t, s, "mostly", "100.00%", "1 of 1", "By class", "less common", "1 combination")
}

// TestStatusClaimsRedirectQuery: a redirect whose query is the odd part
// (a slash after the page number) is visible in the redirects table and
// named in the sentence.
func TestStatusClaimsRedirectQuery(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Status, frame.Query))
	var r frame.Row
	add := func(at int64, ip, stem, query, status string) {
		r.Reset()
		r.Time = t0 + at
		r.Str[frame.IP], r.Str[frame.Method], r.Str[frame.Stem] = []byte(ip), []byte("GET"), []byte(stem)
		r.Str[frame.Query], r.Str[frame.Status] = []byte(query), []byte(status)
		b.Add(&r)
	}
	for i := range 12 {
		add(int64(i), "192.0.2.9", "/api/v1/sales", "page=79/", "301")
	}
	add(20, "192.0.2.9", "/api/v1/sales", "page=79", "200")
	add(21, "192.0.2.8", "/old", "", "301")
	s := runStatus(t, b.Frame(), time.UTC)
	got := rows(tableByID(s, "redirects"))
	want := [][]any{
		{"301", "/api/v1/sales", "192.0.2.9", 12, utcMinute("2024-03-04 10:00"), time.Unix(t0+11, 0).UTC(), "page=79/"},
		{"301", "/old", "192.0.2.8", 1, time.Unix(t0+21, 0).UTC(), time.Unix(t0+21, 0).UTC(), ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("redirects:\n got %v\nwant %v", got, want)
	}
	wantConclusions(t, s, "13 requests were redirected (3xx other than 304), in 2 combinations of status, path, query and IP; the most redirected path was `/api/v1/sales` (12 times, all for one IP). 12 of the redirected requests carried a query string; the most redirected with its query was `/api/v1/sales?page=79/`, 12 times.")
}

// TestStatusRedirectQueryShownPath: the most redirected path with its
// query counts the paths shown alike ("" and "-", both shown "-") as one,
// in a run over the frame as in a state given it as a chunk.
func TestStatusRedirectQueryShownPath(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Status, frame.Query))
	var r frame.Row
	add := func(at int64, ip, stem, query string) {
		r.Reset()
		r.Time = t0 + at
		r.Str[frame.IP], r.Str[frame.Method], r.Str[frame.Stem] = []byte(ip), []byte("GET"), []byte(stem)
		r.Str[frame.Query], r.Str[frame.Status] = []byte(query), []byte("302")
		b.Add(&r)
	}
	for i := range 3 {
		add(int64(i), "192.0.2.1", "/z", "q=1")
	}
	add(10, "192.0.2.2", "", "q=1")
	add(11, "192.0.2.2", "", "q=1")
	add(12, "192.0.2.3", "-", "q=1")
	add(13, "192.0.2.3", "-", "q=1")
	f := b.Frame()
	// Counted apart, /z?q=1 (3 times) would lead.
	top := "All the redirected requests carried a query string; the most redirected with its query was `-?q=1`, 4 times."
	for _, whole := range []bool{true, false} {
		var s *Section
		if whole {
			s = runStatus(t, f, time.UTC)
		} else {
			in := &Input{Frame: f, Loc: time.UTC}
			st := configured(t, "status_codes", nil).(Partial).NewState(in)
			if err := st.Add(context.Background(), f); err != nil {
				t.Fatal(err)
			}
			var err error
			if s, err = st.Finish(context.Background(), &Input{Loc: time.UTC}); err != nil {
				t.Fatal(err)
			}
		}
		text := strings.Join(s.Conclusions, " ")
		if !strings.Contains(text, top) {
			t.Errorf("whole frame %v: %q", whole, text)
		}
	}
}

// TestStatusClaimsOneEach: when no IP got more than one non-2xx response,
// none is said to have received the most.
func TestStatusClaimsOneEach(t *testing.T) {
	s := runStatus(t, handFrame([]rec{{0, "192.0.2.1", "GET", "/", "500"}, {1, "192.0.2.2", "GET", "/x", "404"}, {2, "192.0.2.3", "GET", "/", "200"}}), time.UTC)
	wantConclusions(t, s, "2 responses other than 2xx went to 2 IPs, one each.")
	noConclusion(t, s, "received the most")
}

// TestStatusPlotLongSpan: on records spread over sixty years the plot of
// status classes is drawn per month, at most maxPlotPoints points, and
// still counts every response.
func TestStatusPlotLongSpan(t *testing.T) {
	var recs []rec
	for i := range 60 {
		at := time.Date(1971+i, 3, 4, 10, 0, 0, 0, time.UTC).Unix() - t0
		st := []string{"301", "404", "503"}[i%3]
		recs = append(recs, rec{at, "192.0.2.1", "GET", "/", st}, rec{at + 60, "192.0.2.2", "GET", "/", st})
	}
	s, err := configured(t, "status_codes", nil).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	p := plotByID(s, "status_classes_per_month")
	if p == nil {
		t.Fatal("no monthly plot of status classes")
	}
	sum := 0.0
	for _, sr := range p.Series {
		for _, v := range sr.Values {
			sum += v
		}
	}
	if len(p.Labels) > maxPlotPoints || sum != 120 || p.Labels[0] != "1971-03" {
		t.Errorf("%d points from %s, %v responses", len(p.Labels), p.Labels[0], sum)
	}
	wantConclusions(t, s, "4xx responses peaked in 1972-03 with 2")
	noConclusion(t, s, "hour beginning")
}

// TestClassPeaksStandOut: the hour errors peaked in is told only when it
// holds at least twice the class's mean per hour; errors spread evenly
// over a week have no peak worth naming.
func TestClassPeaksStandOut(t *testing.T) {
	even := classPeaks{unit: "hour", buckets: 168, peak: [2]string{"2024-03-10 14:00", "2024-03-10 13:00"},
		peakN: [2]int{668, 661}, total: [2]int{100049, 100169}}
	if got := even.sentence(); got != "" {
		t.Errorf("errors spread evenly: %q, want no sentence", got)
	}
	burst := even
	burst.peakN, burst.total = [2]int{300, 661}, [2]int{1000, 100169}
	burst.peakShare = [2]float64{0.3, 661.0 / 100169}
	want := "4xx responses peaked in the hour beginning 2024-03-10 14:00 with 300 (30% of all 4xx)."
	if got := burst.sentence(); got != want {
		t.Errorf("a 4xx burst:\n got %q\nwant %q", got, want)
	}
}

// TestStatusClass: a three-character status from 1 to 5 is its class,
// anything else "other".
func TestStatusClass(t *testing.T) {
	for code, want := range map[string]string{"100": "1xx", "200": "2xx", "204": "2xx", "301": "3xx", "404": "4xx", "599": "5xx",
		"600": "other", "099": "other", "20": "other", "2000": "other", "": "other", "-": "other", "2x0": "2xx"} {
		if got := statusClass(code); got != want {
			t.Errorf("statusClass(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestStatusUnanswered: requests no response was sent for (CloudFront's
// 000, Caddy's 0) are not called responses other than 2xx.
func TestStatusUnanswered(t *testing.T) {
	s := runStatus(t, handFrame([]rec{
		{0, "192.0.2.1", "GET", "/", "000"},
		{1, "192.0.2.1", "GET", "/a", "000"},
		{2, "192.0.2.1", "GET", "/b", "404"},
		{3, "192.0.2.2", "GET", "/", "0"},
		{4, "192.0.2.2", "GET", "/", "200"},
		{5, "192.0.2.3", "GET", "/", "200"},
	}), time.UTC)
	wantConclusions(t, s, "4 requests from 2 IPs got no 2xx response (3 of them no response at all: `0` and `000`); `192.0.2.1` had the most: all 3 of its requests, mostly `000` (2). 1 IP never received a 2xx response.")
	noConclusion(t, s, "other than 2xx")

	s = runStatus(t, handFrame([]rec{{0, "192.0.2.1", "GET", "/", "000"}, {1, "192.0.2.2", "GET", "/", "200"}}), time.UTC)
	wantConclusions(t, s, "1 request from one IP, `192.0.2.1`, got no 2xx response (no response was sent: `000`): its one request was `000`. 1 IP never received a 2xx response.")

	s = runStatus(t, handFrame([]rec{{0, "192.0.2.1", "GET", "/", "000"}, {1, "192.0.2.2", "GET", "/", "000"}, {2, "192.0.2.3", "GET", "/", "200"}}), time.UTC)
	wantConclusions(t, s, "2 requests from 2 IPs, one each, got no 2xx response (no response was sent for any of them: `000`). 2 IPs never received a 2xx response.")
}

// TestTopPathClients: how the most redirected path's redirects are said,
// by how many IPs they were for.
func TestTopPathClients(t *testing.T) {
	for _, c := range []struct {
		n, ips int
		want   string
	}{
		{2, 1, "twice, all for one IP"},
		{21, 21, "21 times, once for each of 21 IPs"},
		{2, 2, "twice, once for each of 2 IPs"},
		{21, 5, "21 times, for 5 IPs"},
	} {
		if got := (redirectStats{topPathN: c.n, topPathIPs: c.ips}).topPathClients(); got != c.want {
			t.Errorf("%d requests for %d IPs: %q, want %q", c.n, c.ips, got, c.want)
		}
	}
}
