package logbook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGateErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{FailOn: []string{"error_rat > 0.05"}}, `unknown quantity "error_rat" (known: requests, malformed`},
		{Config{FailOn: []string{"error_rate => 0.05"}}, "want QUANTITY OP NUMBER"},
		{Config{FailOn: []string{"error_rate > high"}}, "want QUANTITY OP NUMBER"},
		{Config{FailOn: []string{"severity >= fatal"}}, `unknown severity "fatal"`},
		{Config{FailOn: []string{"finding:nope.x"}}, "unknown section nope"},
		{Config{FailOn: []string{"finding:security.probes"}, Skip: []string{"security"}}, "section security is left out of this run"},
	} {
		tc.cfg.Inputs = []string{"x.log"}
		if err := tc.cfg.Validate(); err == nil || !IsUsage(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want a usage error with %q", tc.cfg.FailOn, err, tc.want)
		}
	}
}

// TestGates runs rules of each kind on a log of known numbers: 1,000
// requests, 60 of them 5xx and 100 404s, from 10 clients, with a scanner.
func TestGates(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		status, path := 200, fmt.Sprintf("/page%d", i%20)
		switch {
		case i%50 < 3:
			status = 503
		case i%10 == 5:
			status, path = 404, []string{"/wp-login.php", "/.env", "/phpmyadmin/", "/.git/config", "/admin.php"}[i%5]
		}
		fmt.Fprintf(&b, "10.0.0.%d - - [04/Mar/2024:%02d:%02d:00 +0000] \"GET %s HTTP/1.1\" %d 1000 \"-\" \"Mozilla/5.0\"\n",
			i%10, i/60%24, i%60, path, status)
	}
	b.WriteString("garbage\n")
	log := filepath.Join(t.TempDir(), "a.log")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rules := []string{
		"error_rate > 0.05", "error_rate > 6%", "error_rate >= 6%", "requests == 1000", "requests < 1000",
		"not_found_rate > 0.09", "client_error_rate != 0.1", "unique_clients <= 10", "bytes > 1e6", "malformed >= 1",
		"malformed_rate > 0.001", "severity >= info", "severity > warning", "finding:status_codes.server_errors", "finding:no_such_finding",
	}
	want := []bool{true, false, true, true, false, true, false, true, false, true, false, true, false, true, false}
	out, err := Run(context.Background(), Config{Inputs: []string{log}, FailOn: rules})
	if err != nil {
		t.Fatal(err)
	}
	if m := out.Metrics; m.Requests != 1000 || m.ErrorRate != 0.06 || m.NotFoundRate != 0.1 || m.UniqueClients != 10 || m.Bytes != 1e6 || m.Malformed != 1 {
		t.Errorf("metrics %+v", *m)
	}
	for i, g := range out.Gates {
		if g.Rule != rules[i] || g.Fired != want[i] || g.Value == "" {
			t.Errorf("%s: fired %v (%s), want %v", g.Rule, g.Fired, g.Value, want[i])
		}
	}
	if n := len(out.Fired()); n != 8 {
		t.Errorf("%d fired, want 8", n)
	}
	if g := out.Gates[13]; !strings.Contains(g.Value, "finding status_codes.server_errors") {
		t.Errorf("finding value %q", g.Value)
	}
}
