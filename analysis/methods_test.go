package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func runMethods(t testing.TB, recs []rec) *Section {
	t.Helper()
	s, err := methods{}.Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMethodTables: .1 sends GET, GET, POST; .2 a single GET; .3 a tie of
// POST and PUT; .4 a request line without a method; .5 a WebDAV PROPFIND.
func TestMethodTables(t *testing.T) {
	s := runMethods(t, []rec{
		{0, "198.51.100.1", "GET", "/", "200"},
		{1, "198.51.100.1", "POST", "/form", "200"},
		{2, "198.51.100.1", "GET", "/", "200"},
		{3, "198.51.100.2", "GET", "/", "200"},
		{4, "198.51.100.3", "PUT", "/api", "201"},
		{5, "198.51.100.3", "POST", "/api", "201"},
		{6, "198.51.100.4", "", "", "408"},
		{7, "198.51.100.5", "PROPFIND", "/", "405"},
	})
	// requests.method.value_counts(): ties by value, a missing method as "-".
	wantCounts := [][]any{{"GET", 3, 3.0 / 8}, {"POST", 2, 2.0 / 8}, {"-", 1, 1.0 / 8}, {"PROPFIND", 1, 1.0 / 8}, {"PUT", 1, 1.0 / 8}}
	// requests.groupby("ip").method.value_counts(normalize=True).
	wantGiven := [][]any{
		{"198.51.100.1", "GET", 2.0 / 3}, {"198.51.100.1", "POST", 1.0 / 3},
		{"198.51.100.2", "GET", 1.0},
		{"198.51.100.3", "POST", 0.5}, {"198.51.100.3", "PUT", 0.5},
		{"198.51.100.4", "-", 1.0},
		{"198.51.100.5", "PROPFIND", 1.0},
	}
	wantWrites := [][]any{
		{"198.51.100.1", "POST", 1, 1.0 / 3},
		{"198.51.100.3", "POST", 1, 0.5},
		{"198.51.100.3", "PUT", 1, 0.5},
	}
	for id, want := range map[string][][]any{"method_counts": wantCounts, "request_methods_ip": wantGiven, "write_methods_by_ip": wantWrites} {
		if got := rows(tableByID(s, id)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", id, got, want)
		}
	}
	var cols []string
	for _, c := range tableByID(s, "request_methods_ip").Columns {
		cols = append(cols, c.Name)
	}
	if !reflect.DeepEqual(cols, []string{"ip", "request_method", "proba_method_given_ip"}) {
		t.Errorf("request_methods_ip columns = %v", cols)
	}

	want := []string{
		"`GET` made up 37.50% of 8 requests, followed by `POST` (25%), `-` (12.50%), `PROPFIND` (12.50%) and 1 more method.",
		"2 `POST` requests came from 2 IPs, one each; the only `PUT` request came from `198.51.100.3`.",
		"2 requests used no standard HTTP method: `-` (1) and `PROPFIND` (1); `-` stands for a request line without a method.",
	}
	if !reflect.DeepEqual(s.Conclusions, want) {
		t.Errorf("conclusions:\n got %q\nwant %q", s.Conclusions, want)
	}
	if fd := findingByID(s, "write_requests"); fd == nil || fd.Value != 3 || fd.Severity != SevInfo {
		t.Errorf("write_requests = %+v", fd)
	}
	if fd := findingByID(s, "unusual_methods"); fd == nil || fd.Value != 2 || fd.Severity != SevNotice {
		t.Errorf("unusual_methods = %+v", fd)
	}
}

// TestMethodsAllGET: one method only says so, and says nothing of writes.
func TestMethodsAllGET(t *testing.T) {
	s := runMethods(t, []rec{
		{0, "198.51.100.1", "GET", "/", "200"},
		{1, "198.51.100.2", "GET", "/", "200"},
		{2, "198.51.100.1", "GET", "/", "200"},
	})
	if want := []string{"All 3 requests were `GET`."}; !reflect.DeepEqual(s.Conclusions, want) {
		t.Errorf("conclusions = %q, want %q", s.Conclusions, want)
	}
	if len(s.Findings) != 0 || tableByID(s, "write_methods_by_ip") != nil {
		t.Errorf("findings %v / writes table on an all-GET log", s.Findings)
	}
	if got := rows(tableByID(s, "request_methods_ip")); !reflect.DeepEqual(got, [][]any{{"198.51.100.1", "GET", 1.0}, {"198.51.100.2", "GET", 1.0}}) {
		t.Errorf("request_methods_ip = %v", got)
	}
}

// TestMethodsWriters: the IP that sent most writes of a method is named,
// and an IP sending all of one method is said to.
func TestMethodsWriters(t *testing.T) {
	s := runMethods(t, []rec{
		{0, "198.51.100.1", "POST", "/", "200"},
		{1, "198.51.100.1", "POST", "/", "200"},
		{2, "198.51.100.2", "POST", "/", "200"},
		{3, "198.51.100.3", "DELETE", "/x", "204"},
		{4, "198.51.100.3", "DELETE", "/y", "204"},
		{5, "198.51.100.3", "GET", "/", "200"},
	})
	wantConclusions(t, s,
		"3 `POST` requests came from 2 IPs, the most (2) from `198.51.100.1`; all 2 `DELETE` requests came from `198.51.100.3`.",
	)
	if text := strings.Join(s.Conclusions, "\n"); strings.Contains(text, "standard") {
		t.Errorf("unusual methods on a log without any:\n%s", text)
	}
}

func BenchmarkMethods(b *testing.B) { benchSection(b, "methods") }

// TestMethodClaimsOne: one request, or two, of one method: no "All 1
// requests".
func TestMethodClaimsOne(t *testing.T) {
	for recs, want := range map[int]string{1: "The one request was `GET`.", 2: "Both requests were `GET`.", 3: "All 3 requests were `GET`."} {
		var rs []rec
		for i := range recs {
			rs = append(rs, rec{int64(i), "192.0.2.1", "GET", "/", "200"})
		}
		s, err := configured(t, "methods", nil).Run(context.Background(), &Input{Frame: handFrame(rs), Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		wantConclusions(t, s, want)
	}
}
