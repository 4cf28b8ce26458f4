package analysis

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestURIStems computes the contract table uri_stem_share by hand: shares
// of all requests, by count then stem, an empty stem shown as "-", and the
// plot cut to the top parameter.
func TestURIStems(t *testing.T) {
	recs := []rec{
		{0, "192.0.2.1", "GET", "/b", "200"},
		{1, "192.0.2.1", "GET", "/a", "200"},
		{2, "192.0.2.2", "GET", "/b", "200"},
		{3, "192.0.2.3", "GET", "/robots.txt", "200"},
		{4, "192.0.2.3", "GET", "", "400"},
		{5, "192.0.2.2", "GET", "/b", "304"},
		{6, "192.0.2.4", "GET", "/a", "200"},
		{7, "192.0.2.4", "GET", "/c", "200"},
	}
	s, err := configured(t, "uri_stems", map[string]string{"top": "2"}).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{"/b", 3, 3.0 / 8},
		{"/a", 2, 2.0 / 8},
		{"-", 1, 1.0 / 8},
		{"/c", 1, 1.0 / 8},
		{"/robots.txt", 1, 1.0 / 8},
	}
	if got := rows(tableByID(s, "uri_stem_share")); !reflect.DeepEqual(got, want) {
		t.Errorf("uri_stem_share rows\n got %v\nwant %v", got, want)
	}
	var plot *Plot
	for _, c := range s.Cells {
		for _, o := range c.Outputs {
			if o.Plot != nil {
				plot = o.Plot
			}
		}
	}
	if plot == nil || !reflect.DeepEqual(plot.Labels, []string{"/b", "/a"}) {
		t.Errorf("plot with top=2: %+v", plot)
	}
	wantConclusions(t, s,
		"8 requests went to 5 distinct URI stems. The most requested, `/b`, received 3 requests (37.50%).",
		"3 of the 5 stems were requested only once.",
		// Its place among the stems requested once would be the table's
		// order by name: the ties are said instead.
		"`/robots.txt` was requested once (2 other stems were requested as often, and 2 more often), a sign of crawlers.",
	)
	// Five stems: the top ten are all of them, and their 100% says nothing.
	noConclusion(t, s, "top 10", "top 5", "account for")
}

// TestURIStemsTopTen: past ten stems, the top ten's share of the requests.
func TestURIStemsTopTen(t *testing.T) {
	var recs []rec
	for i := range 14 {
		recs = append(recs, rec{int64(i), "192.0.2.1", "GET", fmt.Sprintf("/item/%d", i%11), "200"})
	}
	s, err := configured(t, "uri_stems", nil).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	// /item/0, /item/1 and /item/2 twice, /item/3 to /item/10 once: the
	// top ten are 13 of the 14 requests.
	wantConclusions(t, s, "The top 10 stems account for 92.86% of all requests.")
}

func runStems(t *testing.T, recs []uaRec) *Section {
	t.Helper()
	s, err := configured(t, "uri_stems", nil).Run(context.Background(), &Input{Frame: uaFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHumanURIStems: Googlebot's sitemap fetches, a browser-like client
// that fetched robots.txt, curl and an empty agent are left out of the
// people's table; its share is of the people's requests.
func TestHumanURIStems(t *testing.T) {
	var recs []uaRec
	for range 6 {
		recs = append(recs, uaRec{"10.0.0.9", "/sitemap.xml", gbot, 0})
	}
	recs = append(recs,
		uaRec{"10.0.0.8", "/robots.txt", firefox, 0}, uaRec{"10.0.0.8", "/admin", firefox, 0},
		uaRec{"10.0.0.7", "/api", "curl/8.4.0", 0}, uaRec{"10.0.0.6", "/api", "", 0},
		uaRec{"192.0.2.1", "/favicon.ico", chrome, 0}, uaRec{"192.0.2.2", "/favicon.ico", chrome, 0},
		uaRec{"192.0.2.3", "/favicon.ico", firefox, 0}, uaRec{"192.0.2.1", "/post", chrome, 0},
		uaRec{"192.0.2.2", "/post", chrome, 0}, uaRec{"192.0.2.3", "/about", firefox, 0},
	)
	s := runStems(t, recs)
	want := [][]any{{"/favicon.ico", 3, 0.5}, {"/post", 2, 2.0 / 6}, {"/about", 1, 1.0 / 6}}
	if got := rows(tableByID(s, "human_uri_stems")); !reflect.DeepEqual(got, want) {
		t.Errorf("human_uri_stems\n got %v\nwant %v", got, want)
	}
	wantConclusions(t, s, "Agents that name a browser sent 6 requests; the stem they asked for most is `/favicon.ico` (50.00% of them), and the page they read most is `/post` (2 requests).")
	found := false
	for _, c := range s.Cells {
		if strings.Contains(c.Markdown, "The requests of agents that name a known browser, 6 of the 16 requests") {
			found = true
		}
	}
	if !found {
		t.Error("no prose with the 6 of 16 requests from people (6 Googlebot, 2 robots.txt reader, 1 curl, 1 without an agent left out)")
	}
}

// TestHumanURIStemsNoBots: without bots the people's table would repeat
// the first, so it is not there.
func TestHumanURIStemsNoBots(t *testing.T) {
	s := runStems(t, []uaRec{{"192.0.2.1", "/", chrome, 0}, {"192.0.2.2", "/a", firefox, 0}})
	if tableByID(s, "human_uri_stems") != nil {
		t.Error("a people's table on a log without bots")
	}
	s = runStems(t, []uaRec{{"10.0.0.9", "/", gbot, 0}})
	if tableByID(s, "human_uri_stems") != nil {
		t.Error("a people's table on a log without people")
	}
}

// TestURIStemsEachOnce: when no stem was asked for twice (every path
// distinct), the section says so, and names no most requested stem, no
// top ten and no count of stems asked for once.
func TestURIStemsEachOnce(t *testing.T) {
	var recs []rec
	for i := range 12 {
		recs = append(recs, rec{int64(i), fmt.Sprintf("192.0.2.%d", i), "GET", fmt.Sprintf("/item/%d", i), "200"})
	}
	s, err := configured(t, "uri_stems", nil).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "12 requests went to 12 distinct URI stems, each requested once.")
	noConclusion(t, s, "most requested", "top 10", "only once")
}

// TestURIStemsRobotsPlace: /robots.txt's place among the stems, said as
// an ordinal only when no other stem has its count.
func TestURIStemsRobotsPlace(t *testing.T) {
	run := func(counts map[string]int) *Section {
		t.Helper()
		var recs []rec
		for _, stem := range slices.Sorted(maps.Keys(counts)) {
			for range counts[stem] {
				recs = append(recs, rec{int64(len(recs)), "192.0.2.1", "GET", stem, "200"})
			}
		}
		s, err := configured(t, "uri_stems", nil).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		counts map[string]int
		want   string
	}{
		{map[string]int{"/a": 5, "/b": 4, "/robots.txt": 3, "/c": 1}, "`/robots.txt` was requested 3 times (the 3rd most requested stem)"},
		{map[string]int{"/robots.txt": 5, "/b": 4}, "`/robots.txt` was requested 5 times (the most requested stem)"},
		{map[string]int{"/robots.txt": 2, "/b": 2, "/a": 1}, "`/robots.txt` was requested twice (1 other stem was requested as often, none more often)"},
		{map[string]int{"/a": 9, "/robots.txt": 2, "/b": 2, "/c": 2}, "`/robots.txt` was requested twice (2 other stems were requested as often, and 1 more often)"},
	} {
		wantConclusions(t, run(c.counts), c.want)
	}
}
