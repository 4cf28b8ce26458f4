package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigFile: logbook init writes a starter that runs; a config file's
// options apply, relative to its folder; flags override it; errors name
// the key and its line.
func TestConfigFile(t *testing.T) {
	sample, err := filepath.Abs("../../samples/apache/access.log")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("site/logs", 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("site/logs/access.log", data, 0o644); err != nil {
		t.Fatal(err)
	}

	// The starter, as written, runs on a folder laid out as it expects.
	if _, stderr, err := runCLI(t, "", "init", "site/logbook.toml"); err != nil {
		t.Fatalf("init: %v %s", err, stderr)
	}
	if _, _, err := runCLI(t, "", "init", "site/logbook.toml"); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("init over an existing file: %v", err)
	}
	if _, stderr, err := runCLI(t, "", "report", "--config", "site/logbook.toml"); err != nil {
		t.Fatalf("the starter config: %v\n%s", err, stderr)
	}
	var rep struct {
		Input struct {
			Records   int `json:"records"`
			Selection struct {
				Window string `json:"window"`
			} `json:"selection"`
		} `json:"input"`
	}
	raw, err := os.ReadFile("site/reports/report.json")
	if err != nil {
		t.Fatalf("the starter's output: %v", err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Input.Selection.Window, "the last complete week") || rep.Input.Records == 0 || rep.Input.Records == 10000 {
		t.Errorf("starter report: %+v", rep.Input)
	}

	// A file found in the working directory; flags override it.
	conf := `title = "From the file"
inputs = ["site/logs/"]
[filters]
status = ["404"]
[output]
path = "out/r.json"
[params.sizes]
top = 3
`
	if err := os.WriteFile("logbook.toml", []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCLI(t, "", "report")
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	if !strings.Contains(stderr, "reading the options in logbook.toml") {
		t.Errorf("stderr does not say the file was read: %s", stderr)
	}
	out, _ := os.ReadFile("out/r.json")
	if !strings.Contains(string(out), `"only status 404"`) {
		t.Errorf("the file's filter is not in the report")
	}
	if _, _, err := runCLI(t, "", "report", "--status", "5xx", "--title", "From the flag"); err != nil {
		t.Fatal(err)
	}
	out, _ = os.ReadFile("out/r.json")
	if !strings.Contains(string(out), `"only status 5xx"`) || strings.Contains(string(out), `"only status 404"`) {
		t.Errorf("--status did not override the file")
	}
	if _, _, err := runCLI(t, "", "report", "--no-config", "-o", "out/n.json", "site/logs/access.log"); err != nil {
		t.Fatal(err)
	}
	out, _ = os.ReadFile("out/n.json")
	if strings.Contains(string(out), `"selection"`) {
		t.Errorf("--no-config read the file")
	}

	for _, tc := range []struct{ conf, want string }{
		{"title = \"x\"\n\n[filters]\nexclude_ips = [\"10.0.0.0/8\"]\n", "bad.toml:4: unknown key filters.exclude_ips (known: filters.crawlers, filters.exclude_ip"},
		{"[window]\nweek = 10\n", "line 2"},
		{"workers = \"four\"\n", "line 1"},
		{"[params.sizes]\nz = [1]\n", "bad.toml:2: params.sizes.z: want a number"},
		{"[window]\nweek = \"10\"\n", `--week "10": want an ISO week`},
	} {
		if err := os.WriteFile("bad.toml", []byte(tc.conf), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := runCLI(t, "", "report", "--config", "bad.toml", "site/logs/")
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: exit %d, %v; want %q", tc.conf, exitCode(err), err, tc.want)
		}
	}
}
