package logbook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNotes(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "a.log")
	if err := os.WriteFile(log, []byte(threeLines), 0o644); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.md")
	write := func(s string) {
		if err := os.WriteFile(notes, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("# Week 10\n\n## status_codes\nThe 404s are the old `/a` links.\n\n```\n## not a heading\n```\n\n## traffic\nQuiet on purpose: *maintenance*.\n")
	out, err := Run(context.Background(), Config{Inputs: []string{log}, Notes: notes})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range out.Report.Sections {
		for _, c := range s.Cells {
			if strings.HasPrefix(c.Markdown, "**Analyst's note.**") {
				got[s.ID] += c.Markdown
			}
		}
	}
	if len(got) != 2 || !strings.Contains(got["status_codes"], "The 404s are the old `/a` links.") ||
		!strings.Contains(got["status_codes"], "## not a heading") || !strings.Contains(got["traffic"], "*maintenance*") {
		t.Errorf("notes placed: %q", got)
	}
	for conf, want := range map[string]string{
		"## trafic\nx\n":             "notes.md:1: ## trafic names no section of this report (sections: overview, traffic",
		"A stray line\n## traffic\n": "notes.md:1: text before the first ## SECTION heading",
	} {
		write(conf)
		err := (&Config{Inputs: []string{log}, Notes: notes}).Validate()
		if err == nil || !IsUsage(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", conf, err, want)
		}
	}
	write("## security\nx\n")
	if err := (&Config{Inputs: []string{log}, Notes: notes, Skip: []string{"security"}}).Validate(); err == nil || !strings.Contains(err.Error(), "names no section of this report") {
		t.Errorf("a note for a section left out: %v", err)
	}
}
