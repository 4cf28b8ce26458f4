package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/logbook/logbook/analysis"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// runCLI runs the command in-process and returns its stdout, stderr and error.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// TestGolden compares the JSON and HTML reports on samples/ with the files
// in testdata/. After a deliberate change: go test ./cmd/logbook -update.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	t.Chdir("../..")
	_, stderr, err := runCLI(t, "", "report", "--now", "2024-01-01T00:00:00Z", "--format", "html,json", "-o", dir+"/", "samples/")
	if err != nil {
		t.Fatalf("report on samples/: %v\n%s", err, stderr)
	}
	for _, name := range []string{"report.json", "report.html"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		// Gzipped: the JSON holds every row of every table and would be
		// several megabytes; review a change with zdiff.
		golden := filepath.Join("cmd", "logbook", "testdata", "samples."+name+".gz")
		if *update {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf) // no name, no time: the same bytes for the same report
			if _, err := zw.Write(got); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := readGzip(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/logbook -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s at byte %d; if the change is deliberate, run go test ./cmd/logbook -update and review the diff",
				name, golden, firstDiff(got, want))
		}
	}
}

func readGzip(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return io.ReadAll(zr)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestREADMESections keeps the README's section list equal to the registry.
func TestREADMESections(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- sections:", "<!-- /sections -->"
	s := string(readme)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", begin, end)
	}
	block := s[i:j]
	block = block[strings.Index(block, "\n")+1:]
	var want strings.Builder
	for _, info := range analysis.All() {
		fmt.Fprintf(&want, "- `%s`: %s\n", info.Name, info.Doc)
		for _, p := range info.Params() {
			doc := p.Doc
			if r := p.Range(); r != "" {
				doc += " (" + r + ")"
			}
			fmt.Fprintf(&want, "  - `--param %s.%s=%s` (%s, default %s): %s\n", info.Name, p.Name, strings.ToUpper(p.Type), p.Type, p.Default, doc)
		}
	}
	if block != want.String() {
		t.Errorf("README.md section list is out of date; it should read:\n%s", want.String())
	}
}

// TestParamErrors checks that a wrong parameter names the section's known
// parameters, and that a right one reaches the section.
func TestParamErrors(t *testing.T) {
	_, _, err := runCLI(t, combinedLines, "report", "--param", "sizes.zz=1", "-o", "-", "-")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "known: z (float, default 3), top (int, default 20)") {
		t.Errorf("unknown parameter: %v", err)
	}
	_, _, err = runCLI(t, combinedLines, "report", "--format", "cloudfront", "-")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "--log-format cloudfront") {
		t.Errorf("log format given to --format: %v", err)
	}
	out, _, err := runCLI(t, combinedLines, "report", "--sections", "uri_stems", "--param", "uri_stems.top=1", "--format", "html", "-o", "-", "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "value_counts(normalize=True).head(1).plot.barh()") {
		t.Errorf("uri_stems.top=1 did not reach the section")
	}
}

func TestSectionsCommand(t *testing.T) {
	out, _, err := runCLI(t, "", "sections", "-v")
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range analysis.All() {
		for _, p := range info.Params() {
			want := fmt.Sprintf("--param %s.%s=%s", info.Name, p.Name, strings.ToUpper(p.Type))
			if !strings.Contains(out, want) || !strings.Contains(out, p.Type+", default "+p.Default+": "+p.Doc) {
				t.Errorf("logbook sections -v lacks %s with its type, default and doc", want)
			}
		}
	}
	out, _, err = runCLI(t, "", "sections", "sizes")
	if err != nil || !strings.Contains(out, "--param sizes.z=FLOAT") || strings.Contains(out, "uri_stems") {
		t.Errorf("logbook sections sizes: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "", "sections")
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range analysis.All() {
		if !strings.Contains(out, info.Name) || !strings.Contains(out, info.Doc) {
			t.Errorf("logbook sections does not list %s with its doc", info.Name)
		}
	}
}

const combinedLines = `10.0.0.1 - - [04/Mar/2024:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"
10.0.0.2 - - [04/Mar/2024:10:00:05 +0100] "GET /robots.txt HTTP/1.1" 200 20 "-" "Googlebot/2.1"
10.0.0.1 - - [04/Mar/2024:23:30:00 +0100] "GET /a?x=1 HTTP/1.1" 404 0 "-" "Mozilla/5.0"
`

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func table(t *testing.T, rep map[string]any, section, id string) [][]any {
	t.Helper()
	for _, s := range rep["sections"].([]any) {
		s := s.(map[string]any)
		if s["id"] != section {
			continue
		}
		for _, tb := range s["tables"].([]any) {
			tb := tb.(map[string]any)
			if tb["id"] == id {
				var rows [][]any
				for _, r := range tb["rows"].([]any) {
					rows = append(rows, r.([]any))
				}
				return rows
			}
		}
	}
	t.Fatalf("no table %s/%s", section, id)
	return nil
}

func TestStdinAndTimeZone(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	if _, stderr, err := runCLI(t, combinedLines, "report", "-o", out, "-"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rep := readJSON(t, out)
	// In the log's own offset (+0100) all three requests fall on 2024-03-04.
	if got := table(t, rep, "traffic", "requests_by_day"); len(got) != 1 || got[0][0] != "2024-03-04" || got[0][1] != 3.0 {
		t.Errorf("requests_by_day in +0100 = %v", got)
	}
	if src := rep["input"].(map[string]any)["sources"].([]any)[0].(map[string]any); src["name"] != "stdin" || src["format"] != "combined" {
		t.Errorf("source = %v", src)
	}
	// In +0200 the 23:30 request moves to the next day.
	if _, stderr, err := runCLI(t, combinedLines, "report", "--tz", "+0200", "-o", out, "-"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	got := table(t, readJSON(t, out), "traffic", "requests_by_day")
	if len(got) != 2 || got[0][1] != 2.0 || got[1][0] != "2024-03-05" || got[1][1] != 1.0 {
		t.Errorf("requests_by_day in +0200 = %v", got)
	}
	if _, _, err := runCLI(t, combinedLines, "report", "--tz", "Europe/Berlin", "-o", out, "-"); err != nil {
		t.Errorf("--tz Europe/Berlin: %v", err)
	}
}

func TestSectionsAndSkip(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	if _, _, err := runCLI(t, combinedLines, "report", "--sections", "uri_stems,status_codes", "--skip", "status_codes", "-o", out, "-"); err != nil {
		t.Fatal(err)
	}
	secs := readJSON(t, out)["sections"].([]any)
	if len(secs) != 1 || secs[0].(map[string]any)["id"] != "uri_stems" {
		t.Errorf("sections = %v", secs)
	}
	_, _, err := runCLI(t, combinedLines, "report", "--sections", "nope", "-o", out, "-")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown section: err = %v", err)
	}
}

func TestOutputKinds(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("a.log", []byte(combinedLines), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "", "report", "a.log"); err != nil {
		t.Fatal(err)
	}
	if html, err := os.ReadFile("logbook-report.html"); err != nil || !bytes.HasPrefix(html, []byte("<!DOCTYPE html>")) {
		t.Errorf("default output: %v", err)
	}
	if _, _, err := runCLI(t, "", "report", "-o", "x.json", "a.log"); err != nil {
		t.Fatal(err)
	}
	readJSON(t, "x.json")
	_, _, err := runCLI(t, "", "report", "-o", "x.json", "--format", "html", "a.log")
	if exitCode(err) != 2 {
		t.Errorf("-o x.json --format html: err = %v, want a usage error", err)
	}
	_, _, err = runCLI(t, "", "report", "-o", "x.txt", "a.log")
	if exitCode(err) != 2 {
		t.Errorf("-o x.txt: err = %v, want a usage error", err)
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestMalformedAndStrict(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "bad.log")
	if err := os.WriteFile(log, []byte(combinedLines+"this is not a log line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	_, stderr, err := runCLI(t, "", "report", "-o", out, log)
	if err != nil {
		t.Fatalf("a malformed line without --strict: %v", err)
	}
	if !strings.Contains(stderr, "bad.log:4") {
		t.Errorf("stderr does not point at bad.log:4:\n%s", stderr)
	}
	src := readJSON(t, out)["input"].(map[string]any)["sources"].([]any)[0].(map[string]any)
	if src["malformed"] != 1.0 || src["records"] != 3.0 {
		t.Errorf("source = %v", src)
	}
	ex := src["malformed_examples"].([]any)[0].(map[string]any)
	if ex["line"] != 4.0 || ex["reason"] == "" {
		t.Errorf("example = %v", ex)
	}
	_, _, err = runCLI(t, "", "report", "--strict", "-o", out, log)
	if exitCode(err) != 1 {
		t.Errorf("--strict: err = %v, want exit 1", err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("--strict must still write the report: %v", err)
	}
}

func TestTruncatedAndMissingInputs(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for range 2000 {
		zw.Write([]byte(combinedLines))
	}
	zw.Close()
	gz := buf.Bytes()
	if err := os.WriteFile(filepath.Join(dir, "cut.log.gz"), gz[:len(gz)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.log"), []byte(combinedLines), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	_, stderr, err := runCLI(t, "", "report", "-o", out, dir, filepath.Join(dir, "missing.log"))
	if exitCode(err) != 1 {
		t.Fatalf("err = %v, want exit 1\n%s", err, stderr)
	}
	if !strings.Contains(err.Error(), "cut.log.gz") || !strings.Contains(stderr, "missing.log") {
		t.Errorf("error does not name the files: %v\n%s", err, stderr)
	}
	rep := readJSON(t, out)
	in := rep["input"].(map[string]any)
	var cut map[string]any
	for _, s := range in["sources"].([]any) {
		if s := s.(map[string]any); strings.HasSuffix(s["name"].(string), "cut.log.gz") {
			cut = s
		}
	}
	if cut == nil || cut["error"] == nil || cut["records"].(float64) < 100 {
		t.Errorf("truncated source = %v, want an error and the records before the cut", cut)
	}
	if in["records"].(float64) < cut["records"].(float64)+3 {
		t.Errorf("records = %v: the good file was not read alongside", in["records"])
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nope"},
		{"report"},
		{"report", "--tz", "Mars/Olympus", "x"},
		{"report", "--format", "pdf", "x"},
		{"report", "--now", "yesterday", "x"},
		{"report", "--format", "combined", "x"},
		{"report", "--log-format", "pdf", "x"},
		{"report", "--param", "sizes.zz=1", "x"},
		{"report", "--param", "sizes.top=many", "x"},
		{"report", "--param", "nope.top=1", "x"},
		{"report", "--param", "top=1", "x"},
		{"report", "--crawler", "MyBot", "x"},
		{"sections", "nope"},
	} {
		_, _, err := runCLI(t, "", args...)
		if exitCode(err) != 2 {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
}

// TestTimings checks that --timings reports the read with its record count,
// every section that ran, and each output written, and that without it
// stderr has none of that.
func TestTimings(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	_, stderr, err := runCLI(t, combinedLines, "report", "--timings", "--sections", "uri_stems,methods", "-o", out, "-")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// Both sections are partials: the records are read and accumulated
	// chunk by chunk (stream.go) rather than read into a frame.
	if !strings.Contains(stderr, "timing: read 3 records") && !strings.Contains(stderr, "timing: read and accumulated 3 records") {
		t.Errorf("stderr lacks the read of 3 records:\n%s", stderr)
	}
	for _, want := range []string{"timing: analyses (2 sections)", "section uri_stems", "section methods", "timing: wrote json"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "section status_codes") {
		t.Errorf("a section that did not run is timed:\n%s", stderr)
	}
	if runtime.GOOS == "linux" && !regexp.MustCompile(`timing: analyses .*, CPU [0-9.]+m?s \(system [0-9.]+m?s, [0-9]+ page faults\),`).MatchString(stderr) {
		t.Errorf("the analyses' line lacks their CPU time, system time and page faults:\n%s", stderr)
	}
	_, stderr, err = runCLI(t, combinedLines, "report", "-o", out, "-")
	if err != nil || strings.Contains(stderr, "timing:") {
		t.Errorf("without --timings: err %v, stderr %q", err, stderr)
	}
}

// TestMemProfile: --memprofile writes a profile pprof reads, whose
// allocations include the read's.
func TestMemProfile(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "mem.out")
	if _, stderr, err := runCLI(t, combinedLines, "report", "-q", "--memprofile", prof, "-o", filepath.Join(dir, "r.json"), "-"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// A profile is a gzipped protocol buffer whose string table names
	// its sample types and the functions of its stacks.
	f, err := os.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the profile is not gzipped: %v", err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"alloc_space", "inuse_space", "ingest.Read"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the profile does not name %s", want)
		}
	}
	_, _, err = runCLI(t, combinedLines, "report", "-q", "--memprofile", filepath.Join(dir, "no", "such", "mem.out"), "-o", filepath.Join(dir, "r.json"), "-")
	if err == nil {
		t.Error("a profile that cannot be created is no error")
	}
}

// TestNothingRead: a folder without an access log writes a report that
// says so and exits 1.
func TestNothingRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("shopping list\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	_, _, err := runCLI(t, "", "report", "-o", out, dir)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "no records were read") {
		t.Errorf("err = %v, want exit 1 saying no records were read", err)
	}
	if rep := readJSON(t, out); rep["input"].(map[string]any)["records"] != 0.0 {
		t.Errorf("records = %v", rep["input"].(map[string]any)["records"])
	}
}

// TestGoAccessFlags: a GoAccess log-format with its --date-format and
// --time-format reads the log as GoAccess would; the flags without a
// goaccess: format are a usage error.
func TestGoAccessFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	_, stderr, err := runCLI(t, combinedLines, "report", "--sections", "overview", "--log-format", `goaccess:%h %^[%d:%t %^] "%r" %s %b "%R" "%u"`,
		"--date-format", "%d/%b/%Y", "--time-format", "%H:%M:%S", "-o", out, "-")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	in := readJSON(t, out)["input"].(map[string]any)
	if in["records"] != 3.0 || in["sources"].([]any)[0].(map[string]any)["format"] != `goaccess:date=%d/%b/%Y;time=%H:%M:%S;format=%h %^[%d:%t %^] "%r" %s %b "%R" "%u"` {
		t.Errorf("input = %v", in)
	}
	for _, args := range [][]string{
		{"--date-format", "%d/%b/%Y", "-"},
		{"--log-format", "goaccess:date=%d;format=%h", "--time-format", "%T", "-"},
	} {
		_, _, err := runCLI(t, combinedLines, append([]string{"report", "-o", out}, args...)...)
		if exitCode(err) != 2 {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
}

// TestFlagLimits: numeric flags and parameters outside what a run can use
// are usage errors that say the range, before anything is read; the ends
// of the ranges are accepted.
func TestFlagLimits(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--workers", "1000000000"}, "workers: want 1 to 256, or 0 for one per core; got 1000000000"},
		{[]string{"--workers", "-1"}, "want 1 to 256"},
		{[]string{"--workers", "257"}, "want 1 to 256"},
		{[]string{"--param", "sizes.top=1000000000"}, "parameter sizes.top (int): want 1 to 1000, got 1000000000"},
		{[]string{"--param", "not_found.top=0"}, "want 1 to 1000000, got 0"},
		{[]string{"--param", "traffic.gap_minutes=100000000000"}, "want 1 to 527040"},
		{[]string{"--param", "traffic.gap_expected=1e300"}, "want 1 to 700"},
		{[]string{"--param", "traffic.burst_minutes=-5"}, "want 1 to 1440"},
	} {
		// The input does not exist: a usage error must come first.
		args := append(append([]string{"report", "-o", filepath.Join(t.TempDir(), "r.json")}, c.args...), "/nonexistent/log")
		_, stderr, err := runCLI(t, "", args...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: exit %d, err %v, want a usage error containing %q\n%s", c.args, exitCode(err), err, c.want, stderr)
		}
	}
	for _, ok := range [][]string{{"--workers", "256"}, {"--workers", "0"}, {"--param", "sizes.top=1000"}, {"--param", "traffic.gap_expected=700"}} {
		out := filepath.Join(t.TempDir(), "r.json")
		if _, stderr, err := runCLI(t, combinedLines, append(append([]string{"report", "-o", out}, ok...), "-")...); err != nil {
			t.Errorf("%q: %v\n%s", ok, err, stderr)
		}
	}
}
