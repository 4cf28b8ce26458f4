package analysis_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

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
			first := analysis.RunAll(context.Background(), in, infos)
			second := analysis.RunAll(context.Background(), in, infos)
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
	s := analysis.RunAll(context.Background(), in, []analysis.Info{info})[0]
	if s.Skipped == "" || s.Error != "" {
		t.Errorf("uri_stems on a frame without stems: skipped %q, error %q", s.Skipped, s.Error)
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
