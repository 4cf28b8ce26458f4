package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

func runSecurity(t testing.TB, recs []rec) *Section {
	t.Helper()
	s, err := configured(t, "security", nil).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProbeFamilies(t *testing.T) {
	for stem, want := range map[string]string{
		"/wp-login.php":         "WordPress",
		"/blog/WP-LOGIN.PHP":    "WordPress",
		"/xmlrpc.php":           "WordPress",
		"/wp-admin/":            "WordPress",
		"/.env":                 "environment and config files",
		"/.env.production":      "environment and config files",
		"/app/.env":             "environment and config files",
		"/.aws/credentials":     "environment and config files",
		"/.git/config":          "version control",
		"/.git":                 "version control",
		"/phpmyadmin/index.php": "phpMyAdmin and database panels",
		"/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php": "PHPUnit remote code execution",
		"/cgi-bin/luci":               "CGI",
		"/actuator/health":            "Spring Boot actuator",
		"/server-status":              "server status pages",
		"/static/../../etc/passwd":    "path traversal",
		"/files/..%2f..%2fetc/shadow": "path traversal",
		"/db.sql":                     "backups and dumps",
		"/shell.php":                  "web shells",
		"/":                           "",
		"/.github/workflows":          "",
		"/wp-administrator":           "",
		"/blog/post-about-.env-files": "",
		"/backups-of-my-cat.html":     "",
		"/robots.txt":                 "",
	} {
		got := ""
		if k := probeFamilyOf(stem); k >= 0 {
			got = probeFamilies[k].name
		}
		if got != want {
			t.Errorf("probeFamilyOf(%q) = %q, want %q", stem, got, want)
		}
	}
}

// TestSecurityTables: .9 probes /.env (404) twice and /wp-login.php (200)
// once; .8 probes /.git/config once (403); .7 only reads the home page.
func TestSecurityTables(t *testing.T) {
	s := runSecurity(t, []rec{
		{0, "203.0.113.9", "GET", "/.env", "404"},
		{60, "203.0.113.9", "GET", "/.env", "404"},
		{120, "203.0.113.9", "POST", "/wp-login.php", "200"},
		{180, "203.0.113.8", "GET", "/.git/config", "403"},
		{240, "203.0.113.7", "GET", "/", "200"},
	})
	wantFam := [][]any{
		{"environment and config files", 2, 1, 1, 0},
		{"WordPress", 1, 1, 1, 1},
		{"version control", 1, 1, 1, 0},
	}
	if got := rows(tableByID(s, "probe_families")); !reflect.DeepEqual(got, wantFam) {
		t.Errorf("probe_families:\n got %v\nwant %v", got, wantFam)
	}
	wantIPs := [][]any{
		{"203.0.113.9", 3, "WordPress, environment and config files", 2, utcMinute("2024-03-04 10:00"), utcMinute("2024-03-04 10:02"), "404×2, 200×1", 0, "yes"},
		{"203.0.113.8", 1, "version control", 1, utcMinute("2024-03-04 10:03"), utcMinute("2024-03-04 10:03"), "403×1", 0, "yes"},
	}
	if got := rows(tableByID(s, "probe_ips")); !reflect.DeepEqual(got, wantIPs) {
		t.Errorf("probe_ips:\n got %v\nwant %v", got, wantIPs)
	}
	wantPaths := [][]any{
		{"/.env", "environment and config files", 2, 1, 0},
		{"/.git/config", "version control", 1, 1, 0},
		{"/wp-login.php", "WordPress", 1, 1, 1},
	}
	if got := rows(tableByID(s, "probe_paths")); !reflect.DeepEqual(got, wantPaths) {
		t.Errorf("probe_paths:\n got %v\nwant %v", got, wantPaths)
	}
	wantConclusions(t, s,
		// Every family listed: no "most often" before three families of four probes.
		"4 requests (80% of all requests) from 2 client IPs probed known scanner targets: environment and config files (2), WordPress (1) and version control (1).",
		"Both clients behaved like scanners",
		"The scanners were `203.0.113.9` (3 requests for 2 paths, 2 families; 66.67% refused with 4xx; no other request)",
		"`203.0.113.9` got 2 responses with status `404` and 1 with `200`.",
		"1 probe from scanners got a 2xx response: `/wp-login.php` (1). Check that these paths expose nothing.",
		"`/.env` was probed twice by `203.0.113.9`.",
		"`/wp-login.php` was probed once by `203.0.113.9`.",
	)
	if f := findingByID(s, "probe_answered_2xx"); f == nil || f.Severity != SevWarning || f.Value != 1 {
		t.Errorf("probe_answered_2xx = %+v, want a warning of 1", f)
	}
	// With a scanner found, the scanners finding is the notice and the
	// count of every probing client is info: one key finding, not two.
	if f := findingByID(s, "probes"); f == nil || f.Severity != SevInfo || f.Value != 2 {
		t.Errorf("probes = %+v", f)
	}
	if f := findingByID(s, "scanners"); f == nil || f.Severity != SevNotice {
		t.Errorf("scanners = %+v", f)
	}
}

func TestSecurityNone(t *testing.T) {
	s := runSecurity(t, []rec{{0, "192.0.2.1", "GET", "/", "200"}, {1, "192.0.2.1", "GET", "/about", "200"}})
	if len(s.Tables()) != 0 || len(s.Findings) != 0 || len(s.Conclusions) != 1 || !strings.HasPrefix(s.Conclusions[0], "No request matched a known scanner target") {
		t.Errorf("no probes: tables %v findings %v conclusions %q", s.Tables(), s.Findings, s.Conclusions)
	}
	// Probes that all failed: no warning, and a sentence saying so.
	s = runSecurity(t, []rec{{0, "192.0.2.1", "GET", "/.env", "404"}})
	if findingByID(s, "probe_answered_2xx") != nil || !strings.Contains(strings.Join(s.Conclusions, " "), "None of the probes got a 2xx response.") {
		t.Errorf("failed probes: %q %v", s.Conclusions, s.Findings)
	}
}

func TestSecurityHostile(t *testing.T) {
	s := runSecurity(t, []rec{{0, "<b>x</b>", "GET", "/.env`<script>`", "200"}})
	for _, c := range s.Conclusions {
		if strings.Contains(c, "<script>") && !strings.Contains(c, "``/.env`<script>```") && !strings.Contains(c, "`` /.env`<script>` ``") {
			t.Errorf("unfenced: %q", c)
		}
		if strings.Contains(c, "<b>") && !strings.Contains(c, "`<b>x</b>`") {
			t.Errorf("unfenced IP: %q", c)
		}
	}
}

// noConclusion fails t for each part that a conclusion of s contains.
func noConclusion(t testing.TB, s *Section, parts ...string) {
	t.Helper()
	text := strings.Join(s.Conclusions, "\n")
	for _, bad := range parts {
		if strings.Contains(text, bad) {
			t.Errorf("conclusions hold %q:\n%s", bad, text)
		}
	}
}

func tableColumn(t *Table, col int) []any {
	var out []any
	for _, r := range rows(t) {
		out = append(out, r[col])
	}
	return out
}

// TestSecurityClaimsSiteCGI: a 1995 site's own image map, asked for by 30
// visitors who read other pages and answered 302, is the site's, not a
// probe; the scanner that asks for five unrelated targets and gets 404s is
// one.
func TestSecurityClaimsSiteCGI(t *testing.T) {
	var recs []rec
	for i := range 30 {
		ip := fmt.Sprintf("192.0.2.%d", i+1)
		at := int64(i * 100)
		recs = append(recs,
			rec{at, ip, "GET", "/", "200"},
			rec{at + 1, ip, "GET", "/shuttle/missions/sts-69/mission-sts-69.html", "200"},
			rec{at + 2, ip, "GET", "/cgi-bin/imagemap/countdown", "302"},
			rec{at + 3, ip, "GET", "/cgi-bin/imagemap/countdown", "302"},
		)
	}
	for i, p := range []string{"/cgi-bin/luci", "/.env", "/wp-login.php", "/phpmyadmin/", "/cgi-bin/test-cgi"} {
		recs = append(recs, rec{int64(5000 + i), "203.0.113.50", "GET", p, "404"})
	}
	// A visitor who got the image map answered 200 once more, and two who
	// read a page that a backup pattern matches.
	recs = append(recs, rec{6000, "192.0.2.1", "GET", "/cgi-bin/imagemap/countdown", "200"},
		rec{6001, "192.0.2.2", "GET", "/backup/tapes-1994.html", "200"}, rec{6002, "192.0.2.3", "GET", "/backup/tapes-1994.html", "200"})
	s := runSecurity(t, recs)
	if f := findingByID(s, "probe_answered_2xx"); f != nil {
		t.Errorf("the site's own image map raised %+v", f)
	}
	if got, want := tableColumn(tableByID(s, "own_paths"), 0), []any{"/cgi-bin/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("own_paths patterns = %v, want %v", got, want)
	}
	probed := tableColumn(tableByID(s, "probe_paths"), 0)
	if slices.Contains(probed, any("/cgi-bin/imagemap/countdown")) || !slices.Contains(probed, any("/cgi-bin/luci")) || len(probed) != 6 {
		t.Errorf("probe_paths = %v, want the scanner's five paths and the backup page, not the image map", probed)
	}
	if f := findingByID(s, "scanners"); f == nil || f.Value != 1 {
		t.Errorf("scanners = %+v, want 1", f)
	}
	if f := findingByID(s, "probes"); f == nil || f.Value != 3 {
		t.Errorf("probes = %+v, want the scanner and the two readers of the backup page", f)
	}
	wantConclusions(t, s,
		"2 requests for such paths got a 2xx response, all to clients that do not behave like scanners, so it is probably a page of the site, too few visited to tell for sure: `/backup/tapes-1994.html` (2).",
		"2 clients asked for such paths without behaving like scanners",
		"This pattern looks like the site's own",
		"`/cgi-bin/` (61 requests for 1 path from 30 ordinary clients, 100% answered)",
		"7 requests (5.47% of all requests) from 3 client IPs probed known scanner targets, most often ",
		"1 of the 3 clients behaved like a scanner",
		"The scanner was `203.0.113.50` (5 requests for 5 paths, 4 families; 100% refused with 4xx; no other request).",
	)
	noConclusion(t, s, "imagemap", "brute", "Check that", "`/backup/tapes-1994.html` was probed")
	wantConclusions(t, s, "`/.env` was probed once by `203.0.113.50`.")
}

// TestSecurityClaimsWordPress: a WordPress site's own admin, assets and
// login, used by eight logged-in users who read the blog too, are the
// site's; one client's 300 POSTs to wp-login.php are a brute force, and a
// client that asks for .env, .git and phpMyAdmin is a scanner.
func TestSecurityClaimsWordPress(t *testing.T) {
	var recs []rec
	for i := range 8 {
		ip := fmt.Sprintf("198.51.100.%d", i+1)
		at := int64(i * 300)
		recs = append(recs,
			rec{at, ip, "GET", "/", "200"},
			rec{at + 1, ip, "GET", "/2024/03/hello-world/", "200"},
			rec{at + 2, ip, "GET", "/wp-includes/js/jquery/jquery.min.js", "200"},
			rec{at + 3, ip, "GET", "/wp-content/plugins/akismet/_inc/akismet.js", "200"},
			rec{at + 4, ip, "GET", "/wp-login.php", "200"},
			rec{at + 5, ip, "POST", "/wp-login.php", "302"},
			rec{at + 6, ip, "GET", "/wp-admin/", "200"},
			rec{at + 7, ip, "GET", "/wp-admin/post.php", "200"},
			rec{at + 8, ip, "POST", "/wp-admin/admin-ajax.php", "200"},
		)
	}
	for i := range 300 {
		recs = append(recs, rec{int64(4000 + 2*i), "203.0.113.66", "POST", "/wp-login.php", "200"})
	}
	for i, p := range []string{"/.env", "/.git/config", "/phpmyadmin/index.php"} {
		recs = append(recs, rec{int64(5000 + i), "203.0.113.77", "GET", p, "404"})
	}
	s := runSecurity(t, recs)
	if f := findingByID(s, "probe_answered_2xx"); f != nil {
		t.Errorf("the site's own WordPress pages raised %+v", f)
	}
	if f := findingByID(s, "brute_force"); f == nil || f.Severity != SevWarning || f.Value != 1 {
		t.Errorf("brute_force = %+v, want a warning of 1 client", f)
	}
	if f := findingByID(s, "probes"); f == nil || f.Value != 1 {
		t.Errorf("probes = %+v, want the one scanner", f)
	}
	if got := tableColumn(tableByID(s, "probe_ips"), 0); !reflect.DeepEqual(got, []any{"203.0.113.77"}) {
		t.Errorf("probe_ips = %v, want only the scanner", got)
	}
	own := tableColumn(tableByID(s, "own_paths"), 0)
	for _, p := range []string{"/wp-login.php", "/wp-admin", "/wp-includes", "/wp-content/plugins"} {
		if !slices.Contains(own, any(p)) {
			t.Errorf("own_paths %v lack %s", own, p)
		}
	}
	wantConclusions(t, s,
		"These patterns look like the site's own",
		"`/wp-login.php` (16 requests for 1 path from 8 ordinary clients, 100% answered)",
		"The scanner was `203.0.113.77` (3 requests for 3 paths, 3 families; 100% refused with 4xx; no other request).",
		"None of the probes got a 2xx response.",
		"`203.0.113.66` sent 300 POST requests to `/wp-login.php` in 9 minutes and got 300 responses with status `200`: that many login attempts from one client look like password guessing (a brute-force attack).",
	)
	// One probing client, already named: its paths are not named again
	// one by one.
	noConclusion(t, s, "`/wp-admin/post.php` was probed", "`/wp-login.php` was probed", "2xx response:", "was probed once")

	// Fewer POSTs than the threshold are no brute force.
	s = runSecurity(t, recs[:8*9+99])
	if f := findingByID(s, "brute_force"); f != nil {
		t.Errorf("99 POSTs made %+v", f)
	}
}

// TestSecurityStateChunks: the WordPress site of TestSecurityClaimsWordPress
// dealt into three chunks, and a fourth chunk from a log without methods
// (a format that lacks the column) where the scanner also read the home
// page and the guesser's client asked for the login page. Merged in
// another order and finished without the frame, the states give the
// section Run gives on the frame of all four: the 300 POSTs are one brute
// force across chunks, and the scanner's request in the chunk without
// methods counts as one of its other requests.
func TestSecurityStateChunks(t *testing.T) {
	var recs []rec
	for i := range 8 {
		ip := fmt.Sprintf("198.51.100.%d", i+1)
		at := int64(i * 300)
		recs = append(recs,
			rec{at, ip, "GET", "/", "200"},
			rec{at + 1, ip, "GET", "/wp-includes/js/jquery/jquery.min.js", "200"},
			rec{at + 2, ip, "GET", "/wp-login.php", "200"},
			rec{at + 3, ip, "POST", "/wp-login.php", "302"},
			rec{at + 4, ip, "GET", "/wp-admin/", "200"},
		)
	}
	for i := range 300 {
		recs = append(recs, rec{int64(4000 + 2*i), "203.0.113.66", "POST", "/wp-login.php", "200"})
	}
	for i, p := range []string{"/.env", "/.git/config", "/phpmyadmin/index.php"} {
		recs = append(recs, rec{int64(5000 + i), "203.0.113.77", "GET", p, "404"})
	}
	dealt := make([][]rec, 3)
	for i, r := range recs {
		dealt[i%3] = append(dealt[i%3], r)
	}
	chunks := []*frame.Frame{handFrame(dealt[0]), handFrame(dealt[1]), handFrame(dealt[2])}
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Stem, frame.Status))
	var r frame.Row
	for i, x := range []rec{{6000, "203.0.113.77", "", "/", "200"}, {6001, "203.0.113.66", "", "/wp-login.php", "200"}} {
		r.Reset()
		r.Time = t0 + x.at + int64(i)
		r.Str[frame.IP], r.Str[frame.Stem], r.Str[frame.Status] = []byte(x.ip), []byte(x.stem), []byte(x.status)
		b.Add(&r)
	}
	chunks = append(chunks, b.Frame())
	var whole frame.Frame
	for _, c := range chunks {
		whole.Append(c)
	}
	a := configured(t, "security", nil).(Partial)
	ctx := context.Background()
	want, err := a.Run(ctx, &Input{Frame: &whole, Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	in := &Input{Loc: time.UTC}
	st := a.NewState(in)
	for _, c := range []int{3, 1, 0, 2} {
		part := a.NewState(in)
		if err := part.Add(ctx, chunks[c]); err != nil {
			t.Fatal(err)
		}
		if err := st.Merge(part); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Finish(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if string(wj) != string(gj) {
		t.Errorf("merged states differ from Run:\n got %s\nwant %s", gj, wj)
	}
	if bt := rows(tableByID(got, "brute_force")); len(bt) != 1 || bt[0][0] != "203.0.113.66" || bt[0][2] != 300 {
		t.Errorf("brute_force = %v, want 203.0.113.66's 300 POSTs", bt)
	}
	if it := rows(tableByID(got, "probe_ips")); len(it) != 1 || it[0][0] != "203.0.113.77" || it[0][7] != 1 {
		t.Errorf("probe_ips = %v, want 203.0.113.77 with 1 other request", it)
	}
}

// TestIsLoginPath: the look at a stem's last byte that spares most stems
// the suffix checks answers as the checks of the lower-cased stem do, for
// login paths in any case, with a trailing slash, under a prefix, and for
// stems that end otherwise, in bytes past ASCII too.
func TestIsLoginPath(t *testing.T) {
	ref := func(stem string) bool {
		low := strings.ToLower(strings.TrimSuffix(stem, "/"))
		for _, p := range loginPaths {
			if strings.HasSuffix(low, p) {
				return true
			}
		}
		return false
	}
	stems := []string{"", "/", "//", "/login", "/LOGIN/", "/Login", "/xlogin", "/loginx", "/blog/wp-login.php",
		"/WP-LOGIN.PHP", "/wp-login.php/", "/xmlrpc.php", "/administrator", "/Administrator/index.php",
		"/users/sign_in", "/signin", "/admin/login.php", "/page", "/index.html", "/é", "/loginé", "/K",
		"/logiN", "/LOGİN", "/admin/LOGIN.PHP"}
	for _, p := range loginPaths {
		stems = append(stems, p, strings.ToUpper(p), "/x"+p, p+"/", p+"x")
	}
	want := 0
	for _, s := range stems {
		if got, w := isLoginPath(s), ref(s); got != w {
			t.Errorf("isLoginPath(%q) = %v, want %v", s, got, w)
		} else if w {
			want++
		}
	}
	if want < len(loginPaths) {
		t.Fatalf("only %d of the stems are login paths", want)
	}
}

// probeMatchRef is probeMatch as the patterns' rules say it, pattern by
// pattern in the list's order: the first that matches the stem
// lower-cased.
func probeMatchRef(stem string) (family, pattern int) {
	if stem == "" {
		return -1, -1
	}
	low := strings.ToLower(stem)
	id := 0
	for k, f := range probeFamilies {
		for _, p := range f.patterns {
			p = strings.ToLower(p)
			ok := false
			switch {
			case strings.HasPrefix(p, "^/"):
				ok = segmentMatch(low, p[1:])
			case strings.HasPrefix(p, "/"):
				for i := range len(low) {
					if segmentMatch(low[i:], p) {
						ok = true
						break
					}
				}
			case strings.HasPrefix(p, "*"):
				ok = strings.HasSuffix(low, p[1:])
			default:
				ok = strings.Contains(low, p)
			}
			if ok {
				return k, id
			}
			id++
		}
	}
	return -1, -1
}

// TestProbeMatchReference holds probeMatch to probeMatchRef on stems made
// of the patterns' own pieces, capitals, non-ASCII letters that lower-case
// to ASCII (the Kelvin sign) and random bytes.
func TestProbeMatchReference(t *testing.T) {
	var pieces []string
	for _, f := range probeFamilies {
		for _, p := range f.patterns {
			p = strings.TrimLeft(p, "^*")
			pieces = append(pieces, p, strings.ToUpper(p), p[:len(p)/2], p[len(p)/2:])
		}
	}
	pieces = append(pieces, "/", "/a", ".", "..", "%", "%2E", "\u212a", "\u0130", "-", "_", "?", "x", "\xff", "/item/7/page")
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		stem := b.String()
		k, p := probeMatch(stem)
		wk, wp := probeMatchRef(stem)
		if k != wk || p != wp {
			t.Fatalf("probeMatch(%q) = %d, %d; want %d, %d", stem, k, p, wk, wp)
		}
	}
}

// TestStatusSummaryWordsNoResponse: status 000 is no response at all, and
// is said so, never counted as responses with a status.
func TestStatusSummaryWordsNoResponse(t *testing.T) {
	for _, c := range []struct {
		m    map[string]int
		want string
	}{
		{map[string]int{"404": 12, "200": 1}, "12 responses with status `404` and 1 with `200`"},
		{map[string]int{"000": 2}, "no response to 2 requests (status `000`)"},
		{map[string]int{"404": 12, "000": 1}, "12 responses with status `404` and no response to 1 request (status `000`)"},
		{map[string]int{"404": 9, "403": 8, "401": 7, "400": 6, "500": 5, "000": 20},
			"9 responses with status `404`, 8 with `403`, 7 with `401`, 6 with `400`, no response to 20 requests (status `000`) and others"},
		{map[string]int{"404": 9, "403": 8, "401": 7, "400": 6, "500": 5, "000": 1},
			"9 responses with status `404`, 8 with `403`, 7 with `401`, 6 with `400`, no response to 1 request (status `000`) and others"},
		{map[string]int{"0": 3, "200": 1}, "1 response with status `200` and no response to 3 requests (status `0`)"},
	} {
		if got := statusSummaryWords(c.m); got != c.want {
			t.Errorf("statusSummaryWords(%v) = %q, want %q", c.m, got, c.want)
		}
	}
}
