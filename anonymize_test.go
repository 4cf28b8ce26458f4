package logbook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTruncateClient(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.0",
		"::ffff:192.0.2.7":     "192.0.2.0",
		"[2001:db8:1:2::5]":    "2001:db8:1::",
		"2001:db8:abcd:12::1":  "2001:db8:abcd::",
		"fe80::1%eth0":         "fe80::",
		"piweba3y.prodigy.com": "*.prodigy.com",
		"localhost":            "(withheld)",
		"not an address!":      "(withheld)",
		"":                     "",
	} {
		if got := truncateClient(in); got != want {
			t.Errorf("truncateClient(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHashClient(t *testing.T) {
	a, err := newAnonymizer("hash", "s1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newAnonymizer("hash", "s2")
	if a("192.0.2.7") != a("::ffff:192.0.2.7") || a("192.0.2.7") == a("192.0.2.8") || a("192.0.2.7") == b("192.0.2.7") {
		t.Errorf("hash: %s %s %s %s", a("192.0.2.7"), a("::ffff:192.0.2.7"), a("192.0.2.8"), b("192.0.2.7"))
	}
	if !strings.HasPrefix(a("192.0.2.7"), "client-") || len(a("192.0.2.7")) != len("client-")+12 {
		t.Errorf("hash name %q", a("192.0.2.7"))
	}
	if _, err := newAnonymizer("hash", ""); err == nil || !IsUsage(err) || !strings.Contains(err.Error(), "LOGBOOK_ANONYMIZE_SALT") {
		t.Errorf("hash without a salt: %v", err)
	}
	if _, err := newAnonymizer("mask", ""); err == nil || !strings.Contains(err.Error(), "want truncate (the default) or hash") {
		t.Errorf("unknown mode: %v", err)
	}
}

func TestAnonymizeReferer(t *testing.T) {
	fn := anonymizeRefererHost(truncateClient)
	for in, want := range map[string]string{
		"http://192.0.2.7/a?b=1":          "http://192.0.2.0/a?b=1",
		"https://user:pw@192.0.2.7:8080/": "https://192.0.2.0:8080/",
		"http://[2001:db8:1:2::9]:80/x":   "http://[2001:db8:1::]:80/x",
		"https://www.example.com/":        "https://www.example.com/",
		"-":                               "-",
	} {
		if got := fn(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

// TestRunAnonymized: with --anonymize-ip, no full client address, no user
// name and no example line's text reaches any output format, while the
// filters still see the real addresses.
func TestRunAnonymized(t *testing.T) {
	clients := []string{"198.51.100.23", "2001:db8:77:1::42", "::ffff:203.0.113.99", "pc7.dialup.example.net"}
	var b strings.Builder
	for i := range 200 {
		c := clients[i%len(clients)]
		fmt.Fprintf(&b, "%s - alice%d [04/Mar/2024:%02d:%02d:00 +0000] \"GET /p%d HTTP/1.1\" %d %d \"http://198.51.100.23/from\" \"Mozilla/5.0\"\n",
			c, i%4, i/60, i%60, i%7, []int{200, 404, 500}[i%3], 100+i*37)
	}
	b.WriteString("198.51.100.23 this line is malformed and holds the address\n")
	b.WriteString("192.0.2.200 - - [04/Mar/2024:04:00:00 +0000] \"GET /excluded HTTP/1.1\" 200 1 \"-\" \"x\"\n")
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"truncate", "hash"} {
		t.Run(mode, func(t *testing.T) {
			outDir := filepath.Join(dir, mode)
			outs, err := ParseOutputs(outDir+"/", []string{"html", "md", "ipynb", "json"})
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Inputs: []string{log}, Outputs: outs, AnonymizeIP: mode, AnonymizeSalt: "pepper", ExcludeIP: []string{"192.0.2.200"}}
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if out.Report.Records != 200 {
				t.Errorf("records %d, want 200 (the filter sees the real address)", out.Report.Records)
			}
			if err := out.Write(nil, nil); err != nil {
				t.Fatal(err)
			}
			secrets := []string{"198.51.100.23", "2001:db8:77:1::42", "203.0.113.99", "pc7.dialup", "alice", "holds the address"}
			for _, p := range outs {
				data, err := os.ReadFile(p.Path)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range secrets {
					if strings.Contains(string(data), s) {
						t.Errorf("%s holds %q", filepath.Base(p.Path), s)
					}
				}
				if !strings.Contains(string(data), "anonymized") && !strings.Contains(string(data), "truncated") && !strings.Contains(string(data), "keyed hashes") {
					t.Errorf("%s does not say the addresses are anonymized", filepath.Base(p.Path))
				}
			}
			if mode == "truncate" {
				json, _ := os.ReadFile(filepath.Join(outDir, "report.json"))
				for _, s := range []string{"198.51.100.0", "2001:db8:77::", "*.example.net"} {
					if !strings.Contains(string(json), s) {
						t.Errorf("the JSON lacks the truncated client %s", s)
					}
				}
			}
		})
	}
}
