package report

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/logbook/logbook/ingest"
)

// TestByteIdenticalReruns reads the samples twice, once with one worker and
// whole-file chunks and once with two workers and tiny chunks, renders every
// format from each run with the clock pinned, and compares every file
// written, plots included, byte for byte.
func TestByteIdenticalReruns(t *testing.T) {
	inputs := []string{"../samples"}
	if _, err := os.Stat(inputs[0]); err != nil {
		t.Fatal(err)
	}
	runs := []ingest.Options{{Workers: 1}, {Workers: 2, ChunkSize: 4096}}
	var dirs []string
	for _, opt := range runs {
		dir := t.TempDir()
		r := readReport(t, opt, inputs...)
		r.Sections = append(r.Sections, hostileSection()...)
		writeAll(t, r, dir)
		dirs = append(dirs, dir)
	}
	a, b := listFiles(t, dirs[0]), listFiles(t, dirs[1])
	if len(a) != len(b) {
		t.Fatalf("the runs wrote different files:\n%v\n%v", a, b)
	}
	for _, name := range a {
		x, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(dirs[1], name))
		if err != nil {
			t.Fatalf("the second run did not write %s", name)
		}
		if !bytes.Equal(x, y) {
			i := 0
			for i < min(len(x), len(y)) && x[i] == y[i] {
				i++
			}
			t.Errorf("%s differs between runs at byte %d:\n%q\n%q", name, i, x[max(0, i-40):min(len(x), i+40)], y[max(0, i-40):min(len(y), i+40)])
		}
	}
	// Every format was written, and the Markdown plots beside the pages.
	for _, want := range []string{"report.html", "report.json", "report.ipynb", "report-none.md", "report-jekyll.md", "report-hugo.md", "report-none_files"} {
		if _, err := os.Stat(filepath.Join(dirs[0], want)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	var notebooks []string
	for _, name := range a {
		if filepath.Ext(name) == ".ipynb" {
			notebooks = append(notebooks, filepath.Join(dirs[0], name))
		}
	}
	validateNotebooks(t, notebooks...)
}

// listFiles lists the files under dir, relative to it, in lexical order;
// temporary files left by an atomic write would show up here too.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMarkdownRewrite checks that writing a Markdown report again over an
// old one leaves no stale plot and no temporary file behind.
func TestMarkdownRewrite(t *testing.T) {
	dir := t.TempDir()
	r := hostileReport(t)
	path := filepath.Join(dir, "weekly report.md")
	if err := WriteFile(path, markdownFormat(t), r, Options{}); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "weekly report_files", "plot-gone.svg")
	if err := os.WriteFile(stale, []byte("<svg/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "weekly report_files", "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, markdownFormat(t), r, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("a stale plot file was left")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file that is not a plot was removed: %v", err)
	}
	for _, f := range listFiles(t, dir) {
		if filepath.Base(f)[0] == '.' {
			t.Errorf("temporary file left: %s", f)
		}
	}
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(md, []byte("](weekly%20report_files/plot-")) {
		t.Errorf("plot links are not relative and escaped")
	}
}
