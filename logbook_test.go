package logbook

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/report"
)

const threeLines = `10.0.0.1 - - [04/Mar/2024:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"
10.0.0.2 - - [04/Mar/2024:10:00:05 +0100] "GET /robots.txt HTTP/1.1" 200 20 "-" "Googlebot/2.1"
10.0.0.1 - - [04/Mar/2024:23:30:00 +0100] "GET /a?x=1 HTTP/1.1" 404 0 "-" "Mozilla/5.0"
`

// TestValidate holds each kind of usage error to a message that names the
// culprit and what would be accepted.
func TestValidate(t *testing.T) {
	ok := Config{Inputs: []string{"x.log"}}
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string // part of the error; "" for none
	}{
		{"defaults", func(c *Config) {}, ""},
		{"everything set", func(c *Config) {
			c.LogFormat, c.Sections, c.TimeZone, c.FrontMatter = "combined", []string{"sizes"}, "Europe/Berlin", "hugo"
			c.Params = map[string]string{"sizes.z": "2.5", "sizes.top": "5"}
			c.Outputs = []Output{{Path: "r.md", Format: "md"}, {Path: "-", Format: "json"}}
		}, ""},
		{"no input", func(c *Config) { c.Inputs = nil }, "no input given"},
		{"unknown section", func(c *Config) { c.Sections = []string{"nope"} }, "unknown section nope (known: overview, traffic"},
		{"unknown skip", func(c *Config) { c.Skip = []string{"nope"} }, "unknown section nope"},
		{"unknown parameter", func(c *Config) { c.Params = map[string]string{"sizes.zz": "1"} }, "unknown parameter sizes.zz (known: z (float, default 3), top (int, default 20))"},
		{"parameter of an unknown section", func(c *Config) { c.Params = map[string]string{"nope.top": "1"} }, "unknown section nope"},
		{"parameter of a skipped section", func(c *Config) {
			c.Skip = []string{"sizes"}
			c.Params = map[string]string{"sizes.z": "1"}
		}, "section not run: sizes"},
		{"parameter not an int", func(c *Config) { c.Params = map[string]string{"uri_stems.top": "ten"} }, `parameter uri_stems.top (int): want an integer, got "ten"`},
		{"parameter out of range", func(c *Config) { c.Params = map[string]string{"traffic.gap_minutes": "0"} }, "want 1 to 527040, got 0"},
		{"parameter without a section", func(c *Config) { c.Params = map[string]string{"top": "1"} }, "want SECTION.NAME=VALUE"},
		{"log format", func(c *Config) { c.LogFormat = "apache" }, `unknown log format "apache" (known: combined`},
		{"zone", func(c *Config) { c.TimeZone = "Mars/Olympus" }, `unknown zone "Mars/Olympus"`},
		{"offset", func(c *Config) { c.TimeZone = "+1900" }, "offset +1900 out of range"},
		{"front matter", func(c *Config) { c.FrontMatter = "gatsby" }, `want jekyll, hugo or none, got "gatsby"`},
		{"output format", func(c *Config) { c.Outputs = []Output{{Path: "r.pdf", Format: "pdf"}} }, `unknown output format "pdf"`},
		{"markdown to stdout", func(c *Config) { c.Outputs = []Output{{Path: "-", Format: "md"}} }, "md writes plot files"},
		{"two outputs to stdout", func(c *Config) {
			c.Outputs = []Output{{Path: "-", Format: "json"}, {Path: "-", Format: "html"}}
		}, "standard output takes one output format"},
		{"workers", func(c *Config) { c.Workers = -1 }, "workers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want == "":
			case err == nil || !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Validate: %v, want an error containing %q", err, tc.want)
			case !IsUsage(err):
				t.Fatalf("Validate: %v is not a usage error", err)
			}
		})
	}
}

func TestParseOutputs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		out     string
		formats []string
		want    []Output
		err     string
	}{
		{"", nil, []Output{{"logbook-report.html", "html"}}, ""},
		{"", []string{"json", "md"}, []Output{{"logbook-report.json", "json"}, {"logbook-report.md", "md"}}, ""},
		{"week.md", nil, []Output{{"week.md", "md"}}, ""},
		{"week.txt", []string{"json"}, []Output{{"week.txt", "json"}}, ""},
		{"-", nil, []Output{{"-", "json"}}, ""},
		{"-", []string{"html"}, []Output{{"-", "html"}}, ""},
		{dir, []string{"html", "json", "html"}, []Output{{filepath.Join(dir, "report.html"), "html"}, {filepath.Join(dir, "report.json"), "json"}}, ""},
		{"out/", []string{"ipynb"}, []Output{{filepath.Join("out", "report.ipynb"), "ipynb"}}, ""},
		{"out", []string{"html", "json"}, []Output{{filepath.Join("out", "report.html"), "html"}, {filepath.Join("out", "report.json"), "json"}}, ""},
		{"", []string{"combined"}, nil, `"combined" is a log format; give it with --log-format combined`},
		{"", []string{"pdf"}, nil, `unknown output format "pdf"`},
		{"x.json", []string{"html"}, nil, "the extension says json but --format says html"},
		{"x.txt", nil, nil, "cannot tell the output format"},
		{"x.json", []string{"html", "json"}, nil, "several output formats need a directory"},
		{"-", []string{"html", "json"}, nil, "standard output takes one output format"},
	} {
		got, err := ParseOutputs(tc.out, tc.formats)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !IsUsage(err) {
				t.Errorf("ParseOutputs(%q, %q) error %v, want a usage error containing %q", tc.out, tc.formats, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseOutputs(%q, %q) = %v, %v; want %v", tc.out, tc.formats, got, err, tc.want)
		}
	}
}

// TestRunProblems reads a good file, a file with a malformed line and a
// name that matches nothing: the report has what could be read, and the
// problems say what went wrong, failing the run as Strict says.
func TestRunProblems(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.log")
	bad := filepath.Join(dir, "bad.log")
	os.WriteFile(good, []byte(threeLines), 0o644)
	os.WriteFile(bad, []byte(threeLines+"not a log line\n"), 0o644)
	for _, strict := range []bool{false, true} {
		cfg := Config{Inputs: []string{good, bad, filepath.Join(dir, "missing.log")}, Strict: strict, Sections: []string{"overview"}}
		out, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if out.Report.Records != 6 || out.Report.LogSources() != 2 || len(out.Report.Sources) != 3 {
			t.Errorf("strict=%v: %d records from %d sources (%d listed), want 6 from 2 (3 listed)", strict,
				out.Report.Records, out.Report.LogSources(), len(out.Report.Sources))
		} else if m := out.Report.Sources[2]; m.Name != filepath.Join(dir, "missing.log") || !m.Unread || !strings.Contains(m.Err, "no such file") {
			// The input that names nothing is in the report, not only on stderr.
			t.Errorf("strict=%v: missing input listed as %+v", strict, m)
		}
		var kinds []ProblemKind
		var fails []bool
		for _, p := range out.Problems {
			kinds, fails = append(kinds, p.Kind), append(fails, p.Fails)
		}
		if !reflect.DeepEqual(kinds, []ProblemKind{InputMissing, MalformedLines}) || !reflect.DeepEqual(fails, []bool{true, strict}) {
			t.Errorf("strict=%v: problems %+v", strict, out.Problems)
		}
		if msg := out.Problems[1].Message; !strings.Contains(msg, "1 malformed line skipped (first: "+bad+":4:") {
			t.Errorf("malformed problem %q does not point at %s:4", msg, bad)
		}
		if err := out.Err(); err == nil || !strings.Contains(err.Error(), "missing.log") || strings.Contains(err.Error(), "malformed") == !strict {
			t.Errorf("strict=%v: Err() = %v", strict, err)
		}
	}
	// Nothing to read is an error, not an empty report.
	_, err := Run(context.Background(), Config{Inputs: []string{filepath.Join(dir, "none*.log")}})
	if err == nil || !strings.Contains(err.Error(), "nothing to read") || !strings.Contains(err.Error(), "no files match") {
		t.Errorf("Run on nothing: %v", err)
	}
}

// TestRunLeavesGCAsFound checks that the heap goals Run sets while it works
// are put back, and that a cancelled context stops it with its error.
func TestRunLeavesGCAsFound(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: Run leaves the collector alone")
	}
	old := debug.SetGCPercent(77)
	defer debug.SetGCPercent(old)
	cfg := Config{Inputs: []string{"-"}, Stdin: strings.NewReader(threeLines)}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("GC percent after Run = %d, want 77", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg.Stdin = strings.NewReader(threeLines)
	if _, err := Run(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context: %v", err)
	}
}

// TestOutcomeWrite writes two formats into a folder that does not exist
// yet, and one to a writer.
func TestOutcomeWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	outs, err := ParseOutputs(dir+"/", []string{"html", "json"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Inputs: []string{"-"}, Stdin: strings.NewReader(threeLines), Outputs: outs}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var wrote []string
	if err := out.Write(nil, func(o Output) { wrote = append(wrote, o.Path) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "report.html"), filepath.Join(dir, "report.json")}; !reflect.DeepEqual(wrote, want) {
		t.Errorf("wrote %v, want %v", wrote, want)
	}
	for _, p := range wrote {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	var buf strings.Builder
	cfg.Outputs, cfg.Stdin = []Output{{Path: "-", Format: "ipynb"}}, strings.NewReader(threeLines)
	if out, err = Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if err := out.Write(&buf, nil); err != nil || !strings.Contains(buf.String(), `"nbformat": 4`) {
		t.Errorf("notebook to a writer: %v, %.80q", err, buf.String())
	}
}

// TestRunNothingRead: a folder with no access log in it gives a report
// that says so, and a run that fails.
func TestRunNothingRead(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# notes\nnot a log\n"), 0o644)
	out, err := Run(context.Background(), Config{Inputs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Problems) != 1 || out.Problems[0].Kind != NothingRead || !out.Problems[0].Fails ||
		!strings.Contains(out.Problems[0].Message, "not recognised as access logs: "+filepath.Join(dir, "README.md")) {
		t.Errorf("problems: %+v", out.Problems)
	}
	if out.Err() == nil {
		t.Error("a run that read nothing does not fail")
	}
}

// TestRunSkippedFields: the fields of a format string that logbook does
// not read are named in a note that does not fail the run.
func TestRunSkippedFields(t *testing.T) {
	cfg := Config{Inputs: []string{"-"}, Sections: []string{"overview"},
		LogFormat: `nginx:$remote_addr $pipe [$time_local] "$request" $status $body_bytes_sent $connection`,
		Stdin:     strings.NewReader("192.0.2.1 . [04/Mar/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 17\n")}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.Report.Records != 1 || len(out.Problems) != 1 || out.Problems[0].Kind != FieldsSkipped || out.Problems[0].Fails ||
		out.Problems[0].Message != "2 fields of the format string are matched by position and not read: $pipe, $connection" {
		t.Errorf("records %d, problems %+v", out.Report.Records, out.Problems)
	}
}

// TestRunFormatChange: a source that changes format part-way is read in
// each format, and the report lists the formats with their first lines.
func TestRunFormatChange(t *testing.T) {
	var b strings.Builder
	for range 100 {
		b.WriteString(`192.0.2.1 - - [04/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5` + "\n")
	}
	for range 100 {
		b.WriteString(`192.0.2.2 - - [04/Mar/2024:11:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8"` + "\n")
	}
	out, err := Run(context.Background(), Config{Inputs: []string{"-"}, Stdin: strings.NewReader(b.String()), Sections: []string{"overview"}})
	if err != nil {
		t.Fatal(err)
	}
	src := out.Report.Sources[0]
	if want := []analysis.FormatSpan{{Format: "common", Line: 1}, {Format: "combined", Line: 101}}; !reflect.DeepEqual(src.Formats, want) || src.Malformed != 0 {
		t.Errorf("formats %v (malformed %d), want %v", src.Formats, src.Malformed, want)
	}
	if c := out.Report.Sections[0].Conclusions; !strings.Contains(strings.Join(c, " "), "`stdin` changed format part-way: it begins as `common` and changes to `combined` at line 101") {
		t.Errorf("conclusions: %q", c)
	}
}

// readSpy is a standard input that notes whether it was read.
type readSpy struct {
	r    io.Reader
	read bool
}

func (s *readSpy) Read(p []byte) (int, error) { s.read = true; return s.r.Read(p) }

// TestOutputsCheckedFirst: an output that cannot be written fails the run
// before the input is read.
func TestOutputsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	isDir := filepath.Join(dir, "taken.html")
	file := filepath.Join(dir, "file")
	plotsFile := filepath.Join(dir, "r_files")
	for _, p := range []string{isDir} {
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{file, plotsFile} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		out   Output
		usage bool
		want  string
	}{
		{Output{Path: isDir, Format: "html"}, true, "exists and is not a regular file"},
		{Output{Path: filepath.Join(file, "r.html"), Format: "html"}, true, "is not a folder"},
		{Output{Path: filepath.Join(file, "deeper", "r.html"), Format: "html"}, true, "is not a folder"},
		{Output{Path: filepath.Join(dir, "r.md"), Format: "md"}, true, "which is a file"},
	}
	if os.Geteuid() != 0 { // root writes in a read-only folder
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			out   Output
			usage bool
			want  string
		}{Output{Path: filepath.Join(ro, "new", "r.html"), Format: "html"}, false, "cannot write in " + ro})
	}
	for _, c := range cases {
		spy := &readSpy{r: strings.NewReader(threeLines)}
		_, err := Run(context.Background(), Config{Inputs: []string{"-"}, Stdin: spy, Outputs: []Output{c.out}})
		if err == nil || !strings.Contains(err.Error(), c.want) || IsUsage(err) != c.usage {
			t.Errorf("%s: err %v (usage %v), want one containing %q (usage %v)", c.out.Path, err, IsUsage(err), c.want, c.usage)
		}
		if spy.read {
			t.Errorf("%s: the input was read before the output was refused", c.out.Path)
		}
	}
	// A folder to make, under one that exists, is fine.
	spy := &readSpy{r: strings.NewReader(threeLines)}
	if _, err := Run(context.Background(), Config{Inputs: []string{"-"}, Stdin: spy, Outputs: []Output{{Path: filepath.Join(dir, "a", "b", "r.json"), Format: "json"}}}); err != nil || !spy.read {
		t.Errorf("output in folders to make: %v (read %v)", err, spy.read)
	}
}

// TestWriteContextCancelled: a cancellation while the outputs are written
// leaves every previous report (and the Markdown plots) as it was, and no
// temporary file; a Write that is not cancelled replaces them all.
func TestWriteContextCancelled(t *testing.T) {
	dir := t.TempDir()
	outs, err := ParseOutputs(dir+"/", []string{"html", "md", "json"})
	if err != nil {
		t.Fatal(err)
	}
	run := func(title string) *Outcome {
		// The generation time, in every format, tells the runs apart.
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if title == "second" {
			now = now.Add(time.Hour)
		}
		out, err := Run(context.Background(), Config{Inputs: []string{"-"}, Stdin: strings.NewReader(threeLines), Outputs: outs, Title: title, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if err := run("first").Write(nil, nil); err != nil {
		t.Fatal(err)
	}
	before := tree(t, dir)
	for _, after := range []string{"html", "md", "json"} {
		ctx, cancel := context.WithCancel(context.Background())
		err := run("second").WriteContext(ctx, nil, func(o Output) {
			if o.Format == after {
				cancel()
			}
		}, func(o Output) { t.Errorf("%s put in place after the cancellation", o.Path) })
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %s: err %v", after, err)
		}
		if got := tree(t, dir); !reflect.DeepEqual(got, before) {
			t.Errorf("cancelled after %s: the folder changed:\n%v\nwant\n%v", after, keysOf(got), keysOf(before))
		}
	}
	// Into a folder to make: a cancelled write does not leave it.
	newDir := filepath.Join(dir, "new", "deeper")
	newOuts, err := ParseOutputs(newDir+"/", []string{"md", "json"})
	if err != nil {
		t.Fatal(err)
	}
	o := run("second")
	o.plan.outputs = nil
	for _, out := range newOuts {
		f, _ := report.LookupFormat(out.Format)
		o.plan.outputs = append(o.plan.outputs, resolvedOutput{Output: out, format: f})
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := o.WriteContext(ctx, nil, func(Output) { cancel() }, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled into a new folder: err %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Errorf("a cancelled write left the folder it made")
	}

	if err := run("second").Write(nil, nil); err != nil {
		t.Fatal(err)
	}
	got := tree(t, dir)
	for _, name := range []string{"report.html", "report.md", "report.json"} {
		if got[name] == before[name] {
			t.Errorf("%s was not replaced", name)
		}
	}
}

// tree maps each file under dir to its content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
