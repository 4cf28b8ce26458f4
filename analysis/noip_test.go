package analysis

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// TestNoClientIP: requests whose client IP is missing (the empty value, a
// W3C log's c-ip "-") are a row of the per-IP tables but no IP in the
// sentences of status_codes, not_found and sizes: they are neither counted
// among the IPs nor named as the client that had the most.
func TestNoClientIP(t *testing.T) {
	var recs []rec
	for i := range 6 {
		recs = append(recs, rec{int64(i), "", "GET", "/gone", "404"}) // no IP, the most 404s
	}
	recs = append(recs, rec{10, "192.0.2.1", "GET", "/gone", "404"}, rec{11, "192.0.2.1", "GET", "/gone", "404"},
		rec{12, "192.0.2.1", "GET", "/", "200"}, rec{13, "192.0.2.2", "GET", "/", "200"})

	s := runStatus(t, handFrame(recs), time.UTC)
	wantConclusions(t, s, "1 of 2 IPs received more than one status code.",
		"2 responses other than 2xx went to one IP, `192.0.2.1`",
		"6 requests without a client IP got no 2xx response either.")

	nf := runNotFound(t, recs, nil)
	wantConclusions(t, nf, "from 1 client IP (and 6 requests without one).",
		"`192.0.2.1` received the most of them: 2 for one path")

	var sized []uaRec
	for _, r := range recs {
		sized = append(sized, uaRec{ip: r.ip, stem: r.stem, agent: "curl/8.0", size: 1000})
	}
	sz := runSizes(t, sized, nil)
	wantConclusions(t, sz, "to 2 client IPs (6 of the requests had none).")

	for _, sec := range []*Section{s, nf, sz} {
		for _, c := range sec.Conclusions {
			if strings.Contains(c, "`-`") {
				t.Errorf("%s names the missing IP as a client: %s", sec.ID, c)
			}
		}
	}
}

// TestNoClientIPOnly: when no missing-page response named its client, the
// sentence says so rather than counting zero IPs.
func TestNoClientIPOnly(t *testing.T) {
	recs := []rec{{0, "", "GET", "/gone", "404"}, {1, "", "GET", "/gone", "404"}, {2, "192.0.2.1", "GET", "/", "200"}}
	wantConclusions(t, runNotFound(t, recs, nil), "2 requests (66.67% of all requests) asked for one path that did not exist, none of them from a client that gave its IP.")
}

// TestNoClientIPSecurity: the probes without a client IP are a row of the
// probing clients' table, but no client of the sentences: not counted
// among the IPs, never called a scanner (their requests may be many
// clients'), not named among those who probed a path, and their POSTs to
// a login page are not one client's password guessing.
func TestNoClientIPSecurity(t *testing.T) {
	var recs []rec
	for i, p := range []string{"/wp-login.php", "/.env", "/.git/config", "/wp-login.php", "/wp-login.php"} {
		recs = append(recs, rec{int64(i), "", "GET", p, "404"}) // the busiest "client" by far
	}
	for i, p := range []string{"/wp-login.php", "/.env", "/phpmyadmin/"} {
		recs = append(recs, rec{int64(10 + i), "198.51.100.9", "GET", p, "404"})
	}
	recs = append(recs, rec{20, "192.0.2.5", "GET", "/", "200"}, rec{21, "192.0.2.5", "GET", "/about", "200"}, rec{22, "192.0.2.5", "GET", "/wp-login.php", "404"})
	for i := range 120 {
		recs = append(recs, rec{int64(100 + i), "", "POST", "/wp-login.php", "200"})
	}
	s := runSecurity(t, recs)
	wantConclusions(t, s, "from 2 client IPs (and 125 requests without one) probed known scanner targets",
		"1 of the 2 clients behaved like a scanner",
		"The scanner was `198.51.100.9` (3 requests for 3 paths",
		"`/wp-login.php` was probed 125 times by `192.0.2.5` (1), `198.51.100.9` (1) and 123 requests without a client IP.",
		"`/.env` was probed twice by `198.51.100.9` (1) and 1 request without a client IP.",
		"120 requests for such paths got a 2xx response, all without a client IP, so whether scanners sent them cannot be told: `/wp-login.php` (120).",
		"120 POST requests without a client IP went to `/wp-login.php`",
		"cannot be told whether one client sent them")
	noConclusion(t, s, "`-`", "look like password guessing")
	if f := findingByID(s, "brute_force"); f != nil {
		t.Errorf("brute_force finding %+v for POSTs without a client IP", f)
	}
	if f := findingByID(s, "probes"); f == nil || f.Value != 2 || !strings.Contains(f.Message, "125 requests without a client IP did too") {
		t.Errorf("probes finding = %+v, want 2 client IPs and the requests without one", f)
	}
	if f := findingByID(s, "scanners"); f == nil || f.Value != 1 {
		t.Errorf("scanners finding = %+v, want 1", f)
	}
	var ips *Table
	for _, tab := range s.Tables() {
		if tab.ID == "probe_ips" {
			ips = tab
		}
	}
	if ips == nil || !slices.Contains(tableColumn(ips, 0), any("-")) {
		t.Fatalf("probe_ips lacks the row of the requests without a client IP")
	}
}

// TestNoClientIPMethods: the writes without a client IP are said apart
// from the IPs that sent writes, never named as the client with the most.
func TestNoClientIPMethods(t *testing.T) {
	var recs []rec
	for i := range 5 {
		recs = append(recs, rec{int64(i), "", "POST", "/form", "200"})
	}
	recs = append(recs, rec{10, "192.0.2.1", "POST", "/form", "200"}, rec{11, "192.0.2.1", "POST", "/form", "200"},
		rec{12, "192.0.2.2", "POST", "/form", "200"}, rec{13, "192.0.2.2", "DELETE", "/x", "204"},
		rec{14, "", "PUT", "/y", "201"}, rec{15, "", "PUT", "/y", "201"}, rec{16, "192.0.2.3", "GET", "/", "200"})
	s := runMethods(t, recs)
	wantConclusions(t, s, "3 `POST` requests came from 2 IPs, the most (2) from `192.0.2.1`, and 5 more without a client IP; "+
		"all 2 `PUT` requests came without a client IP; the only `DELETE` request came from `192.0.2.2`.")
	noConclusion(t, s, "`-`")
}

// TestNoClientIPBrowserFamily: the requests without a client IP count in
// a browser family's share of requests but not among its client IPs, nor
// as the one client behind most of them; over one frame and merged from
// chunks alike.
func TestNoClientIPBrowserFamily(t *testing.T) {
	var rows []uaRow
	for i := range 8 {
		rows = append(rows, uaRow{at: int64(i), ip: "", stem: "/", agent: chrome})
	}
	rows = append(rows, uaRow{at: 10, ip: "192.0.2.1", stem: "/", agent: chrome}, uaRow{at: 11, ip: "192.0.2.2", stem: "/", agent: chrome},
		uaRow{at: 12, ip: "192.0.2.3", stem: "/", agent: firefox})
	want := "The most common browser family is `Chrome` with 90.91% of requests, from 2 client IPs (and 8 requests without one)."
	chunks := []*frame.Frame{uaChunk(uaAllCols, rows[:5]), uaChunk(uaAllCols, rows[5:])}
	whole := uaWhole(chunks)
	s, err := userAgents{}.Run(context.Background(), whole)
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, want)
	wantConclusions(t, uaMerged(t, whole, chunks, []int{1, 0}), want)

	only := []uaRow{{at: 0, ip: "", stem: "/", agent: chrome}, {at: 1, ip: "", stem: "/", agent: chrome}, {at: 2, ip: "192.0.2.3", stem: "/", agent: firefox}}
	s, err = userAgents{}.Run(context.Background(), uaWhole([]*frame.Frame{uaChunk(uaAllCols, only)}))
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "The most common browser family is `Chrome` with 66.67% of requests, none of them from a client that gave its IP.")
}

// TestNoClientIPMissingPath: the most requested missing path's clients are
// its IPs, the requests without one said apart.
func TestNoClientIPMissingPath(t *testing.T) {
	recs := []rec{{0, "", "GET", "/gone", "404"}, {1, "", "GET", "/gone", "404"}, {2, "192.0.2.1", "GET", "/gone", "404"},
		{3, "192.0.2.2", "GET", "/old", "404"}}
	wantConclusions(t, runNotFound(t, recs, nil), "The most requested missing path is `/gone`: 3 requests from 1 client IP and 2 without one.")
	recs = []rec{{0, "", "GET", "/gone", "404"}, {1, "", "GET", "/gone", "404"}, {3, "192.0.2.2", "GET", "/old", "404"}}
	wantConclusions(t, runNotFound(t, recs, nil), "The most requested missing path is `/gone`: 2 requests, none of them from a client that gave its IP.")
}

// TestNoClientIPCrawlers: the requests without a client IP count in a
// crawler's requests but not among its clients, in the crawlers and the AI
// crawlers tables; and their fetch of /robots.txt with a browser's agent
// makes no robots.txt reader (they are no one client's: an agent's
// requests without an IP may be many people's). Over one frame and
// merged from chunks alike.
func TestNoClientIPCrawlers(t *testing.T) {
	recs := []uaRow{
		{at: 0, ip: "", stem: "/", agent: gbot},
		{at: 1, ip: "-", stem: "/a", agent: gbot},
		{at: 2, ip: "192.0.2.9", stem: "/b", agent: gbot},
		{at: 3, ip: "", stem: "/", agent: gptbot},
		{at: 4, ip: "192.0.2.10", stem: "/", agent: gptbot},
		{at: 5, ip: "", stem: "/robots.txt", agent: firefox},
		{at: 6, ip: "", stem: "/", agent: firefox},
		{at: 7, ip: "192.0.2.1", stem: "/", agent: chrome},
	}
	chunks := []*frame.Frame{uaChunk(uaAllCols, recs[:4]), uaChunk(uaAllCols, recs[4:])}
	whole := uaWhole(chunks)
	run, err := userAgents{}.Run(context.Background(), whole)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*Section{"one frame": run, "merged": uaMerged(t, whole, chunks, []int{1, 0})} {
		// crawler, kind, requests, share, clients, user_agents, robots_txt_requests
		wantCrawlers := [][]any{
			{"Googlebot", KindSearch, 3, 3.0 / 8, 1, 1, 0},
			{"GPTBot", KindAI, 2, 2.0 / 8, 1, 1, 0},
		}
		if got := rows(tableByID(s, "crawlers")); !reflect.DeepEqual(got, wantCrawlers) {
			t.Errorf("%s: crawlers\n got %v\nwant %v", name, got, wantCrawlers)
		}
		if got := rows(tableByID(s, "ai_crawlers")); len(got) != 1 || got[0][0] != "GPTBot" || got[0][3] != 1 {
			t.Errorf("%s: ai_crawlers %v, want GPTBot with 1 client", name, got)
		}
		for _, c := range s.Conclusions {
			if strings.Contains(c, "browser-like agent fetched") {
				t.Errorf("%s: the requests without an IP made a robots.txt reader: %s", name, c)
			}
		}
	}
}

// TestNoClientIPNoReaderVisitors: in visitors, as in user_agents, the
// requests without an IP that fetched /robots.txt with a browser's agent
// make no robots.txt reader: that visitor stays among the human ones.
func TestNoClientIPNoReaderVisitors(t *testing.T) {
	f := visitFrame([]visitRec{
		{0, "", firefox, "/robots.txt", "", ""},
		{1, "", firefox, "/", "", ""},
		{2, "192.0.2.1", chrome, "/", "", ""},
		{3, "192.0.2.2", chrome, "/robots.txt", "", ""}, // a reader: not human
	}, false)
	s := runVisitors(t, f, time.UTC)
	// day, visitors, requests, requests_per_visitor, human_visitors
	if got := rows(tableByID(s, "visitors_by_day")); len(got) != 1 || got[0][1] != 3 || got[0][4] != 2 {
		t.Errorf("visitors_by_day = %v, want 3 visitors of whom 2 human (the one without an IP among them)", got)
	}
}
