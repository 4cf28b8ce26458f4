package analysis

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestVisitorsSite: hosts named by --site are links within the site, not
// referring sites, and the prose says they were named; without it, a host
// the evidence does not mark as the site's own stays a referring site.
func TestVisitorsSite(t *testing.T) {
	var recs []visitRec
	for i := range 40 {
		ref := "https://www.example.com/"
		if i%4 == 0 {
			ref = "https://www.google.com/search?q=x"
		}
		if i%4 == 1 {
			ref = "https://blog.example.com/post"
		}
		recs = append(recs, visitRec{at: int64(i * 60), ip: "192.0.2." + string(rune('a'+i%5)), agent: "Mozilla/5.0 Firefox/120.0", stem: "/", referer: ref})
	}
	f := visitFrame(recs, false)
	run := func(site []string) *Section {
		t.Helper()
		s, err := configured(t, "visitors", nil).Run(context.Background(), &Input{Frame: f, Loc: time.UTC, Site: site})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	hosts := func(s *Section) string {
		var out []string
		for _, r := range rows(tableByID(s, "referring_sites")) {
			out = append(out, r[0].(string))
		}
		return strings.Join(out, ",")
	}
	if got := hosts(run(nil)); !strings.Contains(got, "example.com") {
		t.Errorf("without --site, the referring sites are %q", got)
	}
	s := run([]string{"*.example.com"})
	if got := hosts(s); got != "google.com" {
		t.Errorf("with --site *.example.com, the referring sites are %q, want google.com only", got)
	}
	var prose string
	for _, c := range s.Cells {
		prose += c.Markdown
	}
	if !strings.Contains(prose, "the site's own hosts, as --site names them (`*.example.com`)") {
		t.Errorf("prose %q", prose)
	}
	if siteHost([]string{"example.com"}, "blog.example.com") || !siteHost([]string{"*.example.com"}, "example.com") {
		t.Error("siteHost")
	}
}

// TestVisitorsClaimsNoBrowsers: a log of tools only says that none of its
// visitors named a browser (not "0 (0.00%)"), and a log of one kind of
// resource says it once (not "100.00% other resources").
func TestVisitorsClaimsNoBrowsers(t *testing.T) {
	recs := []visitRec{
		{0, "192.0.2.1", "cargo 1.74.0 (ecb9851af 2023-10-18)", "/crates/a/a-1.0.crate", "", ""},
		{60, "192.0.2.2", "cargo 1.71.0 (cfd3bbd8f 2023-06-08)", "/crates/b/b-2.0.crate", "", ""},
	}
	s := runVisitors(t, visitFrame(recs, false), time.UTC)
	wantConclusions(t, s, "None of them had an agent that names a browser: all 2 were crawlers, tools,",
		"Every request went to other resources.")
	noConclusion(t, s, "0.00%", "100.00%")
}
