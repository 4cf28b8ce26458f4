package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
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
		{"203.0.113.9", 3, "WordPress, environment and config files", 2, utcMinute("2024-03-04 10:00"), utcMinute("2024-03-04 10:02"), "404×2, 200×1"},
		{"203.0.113.8", 1, "version control", 1, utcMinute("2024-03-04 10:03"), utcMinute("2024-03-04 10:03"), "403×1"},
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
		"4 requests (80.00% of all requests) from 2 client IPs probed known scanner targets",
		"`203.0.113.9` (3 requests for 2 paths, WordPress and environment and config files)",
		"`203.0.113.9` got 2 responses with status `404` and 1 with `200`.",
		"1 probe for scanner targets got a 2xx response: `/wp-login.php` (1).",
		"`/.env` was probed 2 times by `203.0.113.9` (2).",
		"`/wp-login.php` was probed 1 time by `203.0.113.9` (1).",
	)
	if f := findingByID(s, "probe_answered_2xx"); f == nil || f.Severity != SevWarning || f.Value != 1 {
		t.Errorf("probe_answered_2xx = %+v, want a warning of 1", f)
	}
	if f := findingByID(s, "probes"); f == nil || f.Severity != SevNotice || f.Value != 2 {
		t.Errorf("probes = %+v", f)
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
