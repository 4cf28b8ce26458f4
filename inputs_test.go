package logbook

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logbook/logbook/report"
)

// TestRunInputNotes (issue #15): an empty file named on the command line
// and a file named twice are notes that do not fail the run, and an input
// that names nothing fails it; all three are in the report's sources, its
// JSON and the overview's conclusions, not only in the problems.
func TestRunInputNotes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "access.log.1")
	empty := filepath.Join(dir, "access.log")
	os.WriteFile(good, []byte(threeLines), 0o644)
	os.WriteFile(empty, nil, 0o644)
	missing := filepath.Join(dir, "gone.log")

	cfg := Config{Inputs: []string{empty, good, dir}, Sections: []string{"overview"}}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Err(); err != nil {
		t.Errorf("an empty file and a file reached twice fail the run: %v", err)
	}
	var notes []string
	for _, p := range out.Problems {
		if p.Kind != InputNote || p.Fails {
			t.Errorf("problem %+v, want only notes", p)
		}
		notes = append(notes, p.Message)
	}
	// The folder holds both files again: each is a note that it was read
	// once; the empty file is a note that it is empty.
	if got := strings.Join(notes, "\n"); !strings.Contains(got, empty+": empty") ||
		!strings.Contains(got, "the same file as "+good+"; read once") || len(notes) != 3 {
		t.Errorf("notes %q", notes)
	}
	if out.Report.Records != 3 || out.Report.LogSources() != 1 {
		t.Errorf("%d records from %d sources, want 3 from 1 (the other is empty)", out.Report.Records, out.Report.LogSources())
	}
	var buf bytes.Buffer
	js, _ := report.LookupFormat("json")
	if _, err := js.Render(&buf, out.Report, report.Options{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Input struct {
			Sources []struct {
				Name, Note, Error string
				Unread            bool
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	byName := map[string][]string{}
	for _, s := range doc.Input.Sources {
		byName[s.Name] = append(byName[s.Name], s.Note)
		if s.Unread && s.Note == "" {
			t.Errorf("unread source %+v has no note", s)
		}
	}
	if n := byName[empty]; len(n) != 2 || n[0] != "empty" || !strings.Contains(n[1], "read once") {
		t.Errorf("JSON notes of %s: %q", empty, n)
	}
	if c := strings.Join(out.Report.Sections[0].Conclusions, " "); !strings.Contains(c, "The sources table notes why nothing was read from") {
		t.Errorf("conclusions %q", c)
	}

	// An input that names nothing fails the run and is in the report.
	cfg.Inputs = []string{good, missing}
	if out, err = Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if err := out.Err(); err == nil || !strings.Contains(err.Error(), "gone.log") {
		t.Errorf("Err() = %v, want the missing input", err)
	}
	last := out.Report.Sources[len(out.Report.Sources)-1]
	if last.Name != missing || !last.Unread || last.Err == "" {
		t.Errorf("missing input listed as %+v", last)
	}
	c := strings.Join(out.Report.Sections[0].Conclusions, " ")
	if !strings.Contains(c, "could not be found, listed or read, so nothing from it is in this report") {
		t.Errorf("conclusions %q", c)
	}

	// Nothing read from any input (only an empty file) still fails.
	cfg.Inputs = []string{empty}
	if out, err = Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if err := out.Err(); err == nil || !strings.Contains(err.Error(), "no records were read") {
		t.Errorf("only an empty file: Err() = %v, want no records read", err)
	}
}
