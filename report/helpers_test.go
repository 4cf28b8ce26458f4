package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/ingest"
)

// pinned is the generation time of every report the tests write.
var pinned = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// readReport builds a report from log files the way the CLI does: read
// with ingest, run every registered analysis, pin the clock.
func readReport(t testing.TB, opt ingest.Options, inputs ...string) *Report {
	t.Helper()
	ctx := context.Background()
	sources, errs := ingest.Expand(inputs, strings.NewReader(""))
	if len(errs) > 0 {
		t.Fatalf("expanding %v: %v", inputs, errs)
	}
	res := ingest.Read(ctx, sources, opt)
	fr := res.Frame
	in := &analysis.Input{Frame: fr, Loc: fr.Location()}
	for _, s := range res.Sources {
		src := analysis.Source{Name: s.Name, Format: s.Format, Compression: s.Compression, Lines: s.Lines,
			Records: s.Records, Malformed: s.Malformed, Repaired: s.Repaired, Skipped: s.Skipped}
		if s.Err != nil {
			src.Err = s.Err.Error()
		}
		for _, e := range s.Examples {
			src.Examples = append(src.Examples, analysis.Example{Line: e.Line, Reason: e.Reason, Text: e.Text})
		}
		for _, e := range s.Repairs {
			src.Repairs = append(src.Repairs, analysis.Example{Line: e.Line, Reason: e.Reason, Text: e.Text})
		}
		in.Sources = append(in.Sources, src)
	}
	r := &Report{
		Title:     "Access log report: " + strings.Join(inputs, ", "),
		Generated: pinned,
		Loc:       in.Loc,
		Sources:   in.Sources,
		Records:   fr.Len(),
		Sections:  analysis.RunAll(ctx, in, analysis.Defaults(analysis.All())),
	}
	if fr.Len() > 0 {
		r.First = time.Unix(slices.Min(fr.Time), 0)
		r.Last = time.Unix(slices.Max(fr.Time), 0)
	}
	return r
}

// writeAll writes r in every format into dir, Markdown once per kind of
// front matter, and returns the paths of the main files.
func writeAll(t testing.TB, r *Report, dir string) []string {
	t.Helper()
	var paths []string
	for _, f := range Formats() {
		fronts := []string{""}
		if f.Name == "md" {
			fronts = []string{"none", "jekyll", "hugo"}
		}
		for _, fm := range fronts {
			name := "report" + f.Ext
			if fm != "" {
				name = "report-" + fm + f.Ext
			}
			p := filepath.Join(dir, name)
			if err := WriteFile(p, f, r, Options{FrontMatter: fm}); err != nil {
				t.Fatalf("writing %s: %v", name, err)
			}
			paths = append(paths, p)
		}
	}
	return paths
}

// markdownFormat is the Markdown output format.
func markdownFormat(t testing.TB) Format {
	t.Helper()
	f, ok := LookupFormat("md")
	if !ok {
		t.Fatal("no Markdown format")
	}
	return f
}

// requireTools reports whether a test must fail, rather than skip, when a
// program it drives (Chromium, python3 with nbformat) is missing; CI sets
// LOGBOOK_REQUIRE_TOOLS=1.
func requireTools() bool { return os.Getenv("LOGBOOK_REQUIRE_TOOLS") == "1" }

func missingTool(t testing.TB, format string, args ...any) {
	t.Helper()
	if requireTools() {
		t.Fatalf(format+" (LOGBOOK_REQUIRE_TOOLS=1)", args...)
	}
	t.Skipf(format+"; skipping (set LOGBOOK_REQUIRE_TOOLS=1 to fail instead)", args...)
}

// artifactDir is where tests leave files for people to look at: the
// directory in LOGBOOK_ARTIFACTS, or testdata/artifacts (ignored by git).
func artifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("LOGBOOK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

var (
	pythonOnce sync.Once
	pythonPath string
	pythonWhy  string
)

// nbPython finds a python3 that can import nbformat: the one on PATH, or
// Debian's (python3-nbformat installs for /usr/bin/python3, which may not be
// the first python3 on PATH).
func nbPython() (string, string) {
	pythonOnce.Do(func() {
		var cands []string
		if p, err := exec.LookPath("python3"); err == nil {
			cands = append(cands, p)
		}
		if _, err := os.Stat("/usr/bin/python3"); err == nil {
			cands = append(cands, "/usr/bin/python3")
		}
		if len(cands) == 0 {
			pythonWhy = "python3 is not installed"
			return
		}
		for _, p := range cands {
			if exec.Command(p, "-c", "import nbformat").Run() == nil {
				pythonPath = p
				return
			}
		}
		pythonWhy = "no python3 can import nbformat (tried " + strings.Join(cands, ", ") + "; apt-get install python3-nbformat)"
	})
	return pythonPath, pythonWhy
}
