package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func runNotFound(t testing.TB, recs []rec, params map[string]string) *Section {
	t.Helper()
	s, err := configured(t, "not_found", params).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// missingRecs: .1 asks for /old twice (404) and /gone once (410) among 4
// requests; .2 asks for /old once of 1; .3 for /.env and /wp-login.php once
// each of 2; .4 only gets 200s; a 404 for /favicon.ico from .5.
var missingRecs = []rec{
	{0, "192.0.2.1", "GET", "/old", "404"},
	{1, "192.0.2.1", "GET", "/old", "404"},
	{2, "192.0.2.1", "GET", "/gone", "410"},
	{3, "192.0.2.1", "GET", "/", "200"},
	{4, "192.0.2.2", "GET", "/old", "404"},
	{5, "192.0.2.3", "GET", "/.env", "404"},
	{6, "192.0.2.3", "GET", "/wp-login.php", "404"},
	{7, "192.0.2.4", "GET", "/", "200"},
	{8, "192.0.2.4", "GET", "/x", "301"},
	{9, "192.0.2.5", "GET", "/favicon.ico", "404"},
}

func TestNotFoundTables(t *testing.T) {
	s := runNotFound(t, missingRecs, nil)
	// 7 missing responses; ties (1 request each) by path.
	wantPaths := [][]any{
		{"/old", 3, 2, 3.0 / 7},
		{"/.env", 1, 1, 1.0 / 7},
		{"/favicon.ico", 1, 1, 1.0 / 7},
		{"/gone", 1, 1, 1.0 / 7},
		{"/wp-login.php", 1, 1, 1.0 / 7},
	}
	if got := rows(tableByID(s, "not_found_paths")); !reflect.DeepEqual(got, wantPaths) {
		t.Errorf("not_found_paths:\n got %v\nwant %v", got, wantPaths)
	}
	wantClients := [][]any{
		{"192.0.2.1", 3, 2, 3.0 / 4},
		{"192.0.2.3", 2, 2, 1.0},
		{"192.0.2.2", 1, 1, 1.0},
		{"192.0.2.5", 1, 1, 1.0},
	}
	if got := rows(tableByID(s, "not_found_clients")); !reflect.DeepEqual(got, wantClients) {
		t.Errorf("not_found_clients:\n got %v\nwant %v", got, wantClients)
	}
	wantConclusions(t, s,
		"7 requests (70% of all requests) asked for 5 distinct paths that did not exist, from 4 client IPs.",
		"The most requested missing path is `/old`: 3 requests from 2 clients.",
		"`192.0.2.1` received the most of them: 3 for 2 distinct paths, 75% of its requests.",
	)
	if text := strings.Join(s.Conclusions, "\n"); strings.Contains(text, "parameter") {
		t.Errorf("a cut is mentioned where no table was cut:\n%s", text)
	}
	if f := findingByID(s, "not_found_requests"); f == nil || f.Severity != SevNotice || f.Value != 7 {
		t.Errorf("finding = %+v, want a notice of 7 (over 10%% of requests)", f)
	}

	// With top=2 the tables are cut and the conclusions say so.
	s = runNotFound(t, missingRecs, map[string]string{"top": "2"})
	if n := len(tableByID(s, "not_found_paths").Rows); n != 2 {
		t.Errorf("top=2 kept %d paths", n)
	}
	if text := strings.Join(s.Conclusions, "\n"); !strings.Contains(text, "The tables keep the first 2 rows (parameter `not_found.top`): 5 paths and 4 clients in all.") {
		t.Errorf("conclusions at top=2:\n%s", text)
	}
}

func TestNotFoundNone(t *testing.T) {
	s := runNotFound(t, []rec{{0, "192.0.2.1", "GET", "/", "200"}, {1, "192.0.2.2", "GET", "/x", "500"}}, nil)
	if len(s.Tables()) != 0 || len(s.Findings) != 0 {
		t.Errorf("tables or findings without a 404: %v %v", s.Tables(), s.Findings)
	}
	if want := []string{"None of the 2 requests got a 404 or 410 response."}; !reflect.DeepEqual(s.Conclusions, want) {
		t.Errorf("conclusions = %q", s.Conclusions)
	}
}

// TestNotFoundHostile: a missing path with markup and backticks stays in a
// code span.
func TestNotFoundHostile(t *testing.T) {
	s := runNotFound(t, []rec{{0, "192.0.2.1", "GET", "/`<img src=x onerror=alert(1)>`", "404"}}, nil)
	text := strings.Join(s.Conclusions, "\n")
	if !strings.Contains(text, "`` /`<img src=x onerror=alert(1)>` ``") {
		t.Errorf("the path is not fenced:\n%s", text)
	}
	if f := findingByID(s, "not_found_requests"); f == nil || !strings.Contains(f.Message, "`` /`<img") {
		t.Errorf("finding message = %+v", f)
	}
}

// TestNotFoundClaimsOne: one missing path, asked for by one client for all
// of its requests: no "1 distinct paths", no "100.00%".
func TestNotFoundClaimsOne(t *testing.T) {
	s := runNotFound(t, []rec{
		{0, "192.0.2.1", "GET", "/", "200"},
		{1, "192.0.2.2", "GET", "/files/logstash.jar", "404"},
		{2, "192.0.2.2", "GET", "/files/logstash.jar", "404"},
	}, nil)
	wantConclusions(t, s,
		"2 requests (66.67% of all requests) asked for one path that did not exist, from 1 client IP.",
		"The missing path was `/files/logstash.jar`, asked for twice.",
		"They all went to `192.0.2.2`, which made no other request.",
	)
	noConclusion(t, s, "100", "1 distinct", "most requested")
	s = runNotFound(t, []rec{{0, "192.0.2.1", "GET", "/a", "404"}, {1, "192.0.2.2", "GET", "/b", "404"}, {2, "192.0.2.2", "GET", "/c", "200"}}, nil)
	wantConclusions(t, s, "Each missing path was asked for once.", "No client received more than one of them.")
	// One client only: "they all went to", not "received the most".
	s = runNotFound(t, []rec{{0, "192.0.2.1", "GET", "/a", "404"}, {1, "192.0.2.1", "GET", "/b", "404"}, {2, "192.0.2.1", "GET", "/", "200"}}, nil)
	wantConclusions(t, s, "They all went to `192.0.2.1`: 2 of its 3 requests (66.67%), for 2 distinct paths.")
	noConclusion(t, s, "all 1", "received the most")
}
