package logbook

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makePartial runs cfg with one output, a partial file at path.
func makePartial(t *testing.T, cfg Config, path string) {
	t.Helper()
	cfg.Outputs = []Output{{Path: path, Format: "partial"}}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(nil, nil); err != nil {
		t.Fatal(err)
	}
}

// TestPartialFiles: a report merged from partial files, one per sample
// folder, is the report of the folders read at once, byte for byte; so is
// one merged from a partial of partials, and from partials mixed with raw
// inputs. An input a partial covers is not read again.
func TestPartialFiles(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// In order of name: a partial of partials lists its sources so.
	dirs := []string{"samples/alb/", "samples/apache/", "samples/cloudfront/", "samples/synthetic/"}
	dir := t.TempDir()
	base := Config{Sections: sections, Now: now, TimeZone: "UTC"}
	var parts []string
	for i, d := range dirs {
		cfg := base
		cfg.Inputs = []string{d}
		p := filepath.Join(dir, string(rune('a'+i))+".lbp")
		makePartial(t, cfg, p)
		parts = append(parts, p)
	}
	raw := base
	raw.Inputs = dirs
	want, wantProblems, _ := runJSON(t, raw, false)

	merged := base
	merged.Inputs = parts
	got, _, _ := runJSON(t, merged, false)
	if got != want {
		t.Errorf("merged from partials differs from the raw inputs:\n%s", firstDifference(want, got))
	}

	// A partial of two partials and a raw input, then the rest.
	week := base
	week.Inputs = []string{parts[0], parts[1], dirs[2]}
	wp := filepath.Join(dir, "week.lbp")
	makePartial(t, week, wp)
	mixed := base
	mixed.Inputs = []string{wp, dirs[3]}
	got, _, _ = runJSON(t, mixed, false)
	// The title counts the inputs given: two here, four above.
	if got = strings.Replace(got, "Access log report: 2 inputs", "Access log report: 4 inputs", 1); got != want {
		t.Errorf("merged from a partial of partials and a raw input differs:\n%s", firstDifference(want, got))
	}

	// The inputs a partial covers are not read again.
	again := base
	again.Inputs = append(append([]string{}, parts...), dirs...)
	got, problems, _ := runJSON(t, again, false)
	covered := 0
	for _, p := range problems {
		if strings.Contains(p.Message, "covered by the partial") {
			covered++
		}
	}
	files := 0
	for _, d := range dirs {
		m, _ := filepath.Glob(d + "*")
		files += len(m)
	}
	if covered != files {
		t.Errorf("%d inputs noted as covered, want %d: %v", covered, files, problems)
	}
	if !strings.Contains(got, `"records": `+recordsOf(t, want)) {
		t.Errorf("with the raw inputs again, the records are not the partials' alone")
	}
	_ = wantProblems
}

func recordsOf(t *testing.T, js string) string {
	t.Helper()
	i := strings.Index(js, `"records": `)
	if i < 0 {
		t.Fatal("no records in the JSON")
	}
	rest := js[i+len(`"records": `):]
	return rest[:strings.IndexAny(rest, ",\n}")]
}

// TestPartialErrors: partials made with different settings do not merge
// (an error that names the setting), nor does a run with other settings
// merge them; a partial of another format version is refused with both
// versions; a file that is not a partial is a problem of the report, the
// other inputs still read.
func TestPartialErrors(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	dir := t.TempDir()
	base := Config{Sections: sections, Inputs: []string{"samples/apache/"}, TimeZone: "UTC"}
	plain := filepath.Join(dir, "plain.lbp")
	makePartial(t, base, plain)
	only404 := base
	only404.Status = []string{"404"}
	filtered := filepath.Join(dir, "404.lbp")
	makePartial(t, only404, filtered)

	run := func(cfg Config) (*Outcome, error) {
		cfg.Outputs = []Output{{Path: filepath.Join(dir, "r.json"), Format: "json"}}
		return Run(context.Background(), cfg)
	}
	cfg := base
	cfg.Inputs = []string{plain, filtered}
	if _, err := run(cfg); err == nil || !strings.Contains(err.Error(), "filters") {
		t.Errorf("partials of different filters merged: %v", err)
	}
	cfg.Inputs = []string{plain}
	cfg.TimeZone = "Europe/Paris"
	if _, err := run(cfg); err == nil || !strings.Contains(err.Error(), "Europe/Paris") {
		t.Errorf("a partial counted in UTC merged into a run in Europe/Paris: %v", err)
	}

	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "old.lbp")
	os.WriteFile(old, append([]byte("logbook partial v0\n"), data[len(partialMagic):]...), 0o644)
	// The version before this one, whose states had another layout.
	prevVersion := fmt.Sprintf("logbook partial v%d\n", PartialVersion-1)
	older := filepath.Join(dir, "older.lbp")
	os.WriteFile(older, append([]byte(prevVersion), data[len(partialMagic):]...), 0o644)
	junk := filepath.Join(dir, "junk.lbp")
	os.WriteFile(junk, []byte("GET / HTTP/1.1\n"), 0o644)
	cfg = base
	cfg.Inputs = []string{plain, old, older, junk}
	out, err := run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, p := range out.Problems {
		msgs = append(msgs, p.Message)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, fmt.Sprintf("old.lbp: a partial of format v0; this logbook reads format v%d", PartialVersion)) || !strings.Contains(all, "junk.lbp: not a logbook partial file") ||
		!strings.Contains(all, fmt.Sprintf("older.lbp: a partial of format v%d; this logbook reads format v%d", PartialVersion-1, PartialVersion)) {
		t.Errorf("problems:\n%s", all)
	}
	if out.Err() == nil || out.Report.Records == 0 {
		t.Errorf("err %v, %d records: want a failed run with the good partial's records", out.Err(), out.Report.Records)
	}
}

// TestPartialsInAWindow: partials made without a window, one per day,
// merge into a run with a week and the previous week to compare with:
// each goes to the period that holds all its records, one of neither is
// left out with a note, and the sections are those of the same run on the
// raw log. A partial whose records straddle the window's bound is an
// error.
func TestPartialsInAWindow(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	log := selectLog(t) // 14 days from Friday 2024-03-01, one record an hour
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	days := map[string][]string{}
	for _, line := range strings.SplitAfter(strings.TrimSpace(string(data))+"\n", "\n") {
		if i := strings.Index(line, "["); i >= 0 {
			days[line[i+1:i+12]] = append(days[line[i+1:i+12]], line)
		}
	}
	base := Config{Sections: sections, TimeZone: "UTC", Now: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)}
	var parts []string
	for day, lines := range days {
		f := filepath.Join(dir, strings.ReplaceAll(day, "/", "-")+".log")
		os.WriteFile(f, []byte(strings.Join(lines, "")), 0o644)
		cfg := base
		cfg.Inputs = []string{f}
		p := strings.TrimSuffix(f, ".log") + ".lbp"
		makePartial(t, cfg, p)
		parts = append(parts, p)
	}
	sectionsOf := func(out *Outcome) string {
		var b strings.Builder
		for _, s := range out.Report.Sections {
			if s.ID != "overview" { // which lists the inputs, the files or the log
				b.WriteString(sectionJSONOf(t, s))
			}
		}
		return b.String()
	}
	week := base
	week.Week, week.Compare = "2024-W10", "previous"
	raw := week
	raw.Inputs = []string{log}
	want, err := Run(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	merged := week
	merged.Inputs = parts
	got, err := Run(context.Background(), merged)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := sectionsOf(got), sectionsOf(want); g != w {
		t.Errorf("the week from day partials differs from the week of the raw log:\n%s", firstDifference(w, g))
	}
	if got.Report.Sections[0].ID != "comparison" && got.Report.Sections[1].ID != "comparison" {
		t.Errorf("no comparison section")
	}
	left := 0
	for _, p := range got.Problems {
		if strings.Contains(p.Message, "no record of it is in the window; left out") {
			left++
		}
	}
	if left != 4 { // 2024-03-11 to 14: after the week
		t.Errorf("%d partials left out, want the 4 days after the week: %v", left, got.Problems)
	}

	// A partial of two days across the week's start.
	across := base
	across.Inputs = []string{filepath.Join(dir, "03-Mar-2024.log"), filepath.Join(dir, "04-Mar-2024.log")}
	two := filepath.Join(dir, "two.lbp")
	makePartial(t, across, two)
	bad := base
	bad.Week, bad.Inputs = "2024-W10", []string{two}
	if _, err := Run(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "both sides of the window") {
		t.Errorf("a partial across the window's start merged: %v", err)
	}
}

func sectionJSONOf(t *testing.T, s any) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
