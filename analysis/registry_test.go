package analysis_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
)

// sampleInputs reads every sample (each top-level entry of samples/) into an
// Input, as the command does.
func sampleInputs(t *testing.T) map[string]*analysis.Input {
	t.Helper()
	entries, err := os.ReadDir("../samples")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*analysis.Input{}
	for _, e := range entries {
		path := filepath.Join("../samples", e.Name())
		sources, errs := ingest.Expand([]string{path}, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		res := ingest.Read(context.Background(), sources, ingest.Options{})
		if res.Frame.Len() == 0 {
			continue // README.md and scripts
		}
		in := &analysis.Input{Frame: res.Frame, Loc: res.Frame.Location()}
		for _, s := range res.Sources {
			in.Sources = append(in.Sources, analysis.Source{Name: s.Name, Format: s.Format, Lines: s.Lines, Records: s.Records, Malformed: s.Malformed})
		}
		out[e.Name()] = in
	}
	if len(out) == 0 {
		t.Fatal("no samples read")
	}
	return out
}

// TestRegistryWalk runs every registered analysis on every sample: each has
// a title and a doc, runs without error, produces well-formed cells and
// gives the same section twice.
func TestRegistryWalk(t *testing.T) {
	infos := analysis.All()
	if len(infos) < 4 {
		t.Fatalf("only %d analyses registered", len(infos))
	}
	for _, info := range infos {
		if info.Title == "" || info.Doc == "" {
			t.Errorf("%s: missing title or doc", info.Name)
		}
	}
	for name, in := range sampleInputs(t) {
		t.Run(name, func(t *testing.T) {
			first := analysis.RunAll(context.Background(), in, analysis.Defaults(infos))
			second := analysis.RunAll(context.Background(), in, analysis.Defaults(infos))
			tableIDs := map[string]bool{}
			for i, s := range first {
				if s.ID != infos[i].Name || s.Title != infos[i].Title {
					t.Errorf("section %d is %q, want %q", i, s.ID, infos[i].Name)
				}
				if s.Error != "" {
					t.Errorf("%s failed: %s\n%s", s.ID, s.Error, s.Trace)
					continue
				}
				if s.Skipped != "" {
					continue
				}
				if len(s.Cells) == 0 || len(s.Conclusions) == 0 {
					t.Errorf("%s: %d cells and %d conclusions", s.ID, len(s.Cells), len(s.Conclusions))
				}
				for _, tb := range s.Tables() {
					if tableIDs[tb.ID] {
						t.Errorf("%s: table id %s used twice in the report", s.ID, tb.ID)
					}
					tableIDs[tb.ID] = true
					for _, row := range tb.Rows {
						if len(row) != len(tb.Columns) {
							t.Fatalf("%s/%s: row %v does not match columns", s.ID, tb.ID, row)
						}
					}
				}
				for _, f := range s.Findings {
					switch f.Severity {
					case analysis.SevInfo, analysis.SevNotice, analysis.SevWarning:
					default:
						t.Errorf("%s: finding %s has severity %q", s.ID, f.ID, f.Severity)
					}
				}
				a, b := *s, *second[i]
				a.Elapsed, b.Elapsed = 0, 0
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s: two runs on the same input differ", s.ID)
				}
			}
		})
	}
}

func TestRegisterPanics(t *testing.T) {
	factory := func() analysis.Analysis { return nil }
	for name, info := range map[string]analysis.Info{
		"empty name":  {New: factory},
		"nil factory": {Name: "x-nil"},
		"duplicate":   {Name: "overview", New: factory},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%+v) did not panic", info)
				}
			}()
			analysis.Register(info)
		})
	}
}

func TestMissingColumnsSkip(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP))
	var r frame.Row
	r.Reset()
	r.Time = 1700000000
	r.Str[frame.IP] = []byte("10.0.0.1")
	b.Add(&r)
	in := &analysis.Input{Frame: b.Frame(), Loc: b.Frame().Location()}
	info, _ := analysis.Lookup("uri_stems")
	s := analysis.RunAll(context.Background(), in, analysis.Defaults([]analysis.Info{info}))[0]
	if s.Skipped == "" || s.Error != "" {
		t.Errorf("uri_stems on a frame without stems: skipped %q, error %q", s.Skipped, s.Error)
	}
}

// TestDeclaredEmptyColumnsSkip: a JSON source declares time_taken and
// user_agent but writes neither; the sections that need them are skipped as
// for a log without the columns, and those whose columns hold data run.
func TestDeclaredEmptyColumnsSkip(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Stem, frame.UserAgent, frame.TimeTaken))
	var r frame.Row
	for i := range 3 {
		r.Reset()
		r.Time = 1700000000 + int64(i)
		r.Str[frame.IP], r.Str[frame.Stem] = []byte("10.0.0.1"), []byte("/a")
		b.Add(&r)
	}
	in := &analysis.Input{Frame: b.Frame(), Loc: time.UTC}
	var infos []analysis.Info
	for _, n := range []string{"latency", "user_agents", "uri_stems"} {
		info, _ := analysis.Lookup(n)
		infos = append(infos, info)
	}
	for _, s := range analysis.RunAll(context.Background(), in, analysis.Defaults(infos)) {
		switch s.ID {
		case "latency", "user_agents":
			if !strings.HasPrefix(s.Skipped, "skipped: no record of these logs has a value in the ") || s.Error != "" {
				t.Errorf("%s on declared but empty columns: skipped %q, error %q", s.ID, s.Skipped, s.Error)
			}
		case "uri_stems":
			if s.Skipped != "" || s.Error != "" {
				t.Errorf("uri_stems: skipped %q, error %q", s.Skipped, s.Error)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	got, err := analysis.Select([]string{"status_codes", "overview"}, nil)
	if err != nil || len(got) != 2 || got[0].Name != "overview" {
		t.Errorf("Select = %v, %v; want overview then status_codes", got, err)
	}
	if _, err := analysis.Select(nil, []string{"no_such"}); err == nil {
		t.Error("Select with an unknown name did not fail")
	}
}

// TestSectionFiles holds the layout: each registered section lives in
// analysis/<id>.go, where it registers itself, with its tests in
// <id>_test.go.
func TestSectionFiles(t *testing.T) {
	for _, info := range analysis.All() {
		src, err := os.ReadFile(info.Name + ".go")
		if err != nil {
			t.Errorf("section %s: %v", info.Name, err)
			continue
		}
		if !regexp.MustCompile(`Name:\s+"` + regexp.QuoteMeta(info.Name) + `"`).Match(src) {
			t.Errorf("section %s: %s.go does not register it", info.Name, info.Name)
		}
		if _, err := os.Stat(info.Name + "_test.go"); err != nil {
			t.Errorf("section %s has no tests in %s_test.go", info.Name, info.Name)
		}
	}
}

// TestParams checks every declared parameter (a name, a type, a default
// that parses, a doc) and that Configure refuses what it must.
func TestParams(t *testing.T) {
	declared := 0
	for _, info := range analysis.All() {
		for _, p := range info.Params() {
			declared++
			if p.Name == "" || p.Doc == "" || (p.Type != "int" && p.Type != "float") {
				t.Errorf("%s.%s: incomplete declaration %+v", info.Name, p.Name, p)
			}
			if _, err := info.Configure(map[string]string{p.Name: p.Default}); err != nil {
				t.Errorf("%s.%s: its own default %q is refused: %v", info.Name, p.Name, p.Default, err)
			}
			// Both ends bounded: an absurd value is a usage error that
			// says the range, not a run that exhausts memory or time.
			if !strings.Contains(p.Range(), " to ") {
				t.Errorf("%s.%s: range %q, want both a least and a largest value", info.Name, p.Name, p.Range())
			}
		}
	}
	if declared < 5 {
		t.Fatalf("only %d parameters declared", declared)
	}
	sizes, _ := analysis.Lookup("sizes")
	overview, _ := analysis.Lookup("overview")
	for _, tc := range []struct {
		info   analysis.Info
		values map[string]string
		want   string // part of the error; "" for none
	}{
		{sizes, map[string]string{"z": "2.5", "top": "5"}, ""},
		{sizes, map[string]string{"zz": "2"}, "unknown parameter sizes.zz (known: z (float, default 3), top (int, default 20))"},
		{sizes, map[string]string{"top": "2.5"}, "parameter sizes.top (int): want an integer, got \"2.5\""},
		{sizes, map[string]string{"top": "0"}, "parameter sizes.top (int): want 1 to 1000, got 0"},
		{sizes, map[string]string{"top": "1001"}, "want 1 to 1000, got 1001"},
		{sizes, map[string]string{"top": "99999999999999999999999"}, "want 1 to 1000, got 99999999999999999999999"},
		{sizes, map[string]string{"z": "1e300"}, "want 0 to 1000, got 1e300"},
		{sizes, map[string]string{"z": "-1"}, "want 0 to 1000"},
		{sizes, map[string]string{"top": "1000", "z": "1000"}, ""},
		{sizes, map[string]string{"z": "NaN"}, "want a number"},
		{sizes, map[string]string{"z": "three"}, "want a number"},
		{overview, map[string]string{"top": "1"}, "section overview has no parameters"},
	} {
		_, err := tc.info.Configure(tc.values)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %v: %v", tc.info.Name, tc.values, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %v: error %v, want one containing %q", tc.info.Name, tc.values, err, tc.want)
		}
	}
	if _, err := analysis.Jobs(analysis.All(), map[string]string{"nosuch.top": "1"}); err == nil || !strings.Contains(err.Error(), "unknown section nosuch") {
		t.Errorf("Jobs with an unknown section: %v", err)
	}
	only, _ := analysis.Select([]string{"overview"}, nil)
	if _, err := analysis.Jobs(only, map[string]string{"sizes.z": "1"}); err == nil || !strings.Contains(err.Error(), "section not run") {
		t.Errorf("Jobs with a parameter for a section left out: %v", err)
	}
}
