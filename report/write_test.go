package report

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFileCompanions checks that WriteFile puts companion files
// beside the report, refuses one outside its directory, and that a format
// without companions leaves another format's plots alone.
func TestWriteFileCompanions(t *testing.T) {
	dir := t.TempDir()
	r := hostileReport(t)
	md := filepath.Join(dir, "report.md")
	if err := WriteFile(md, markdownFormat(t), r, Options{}); err != nil {
		t.Fatal(err)
	}
	plots, _ := filepath.Glob(filepath.Join(dir, "report_files", "plot-*.svg"))
	if len(plots) == 0 {
		t.Fatal("no plots beside report.md")
	}
	html, _ := LookupFormat("html")
	if err := WriteFile(filepath.Join(dir, "report.html"), html, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if again, _ := filepath.Glob(filepath.Join(dir, "report_files", "plot-*.svg")); len(again) != len(plots) {
		t.Errorf("writing the HTML left %d of %d Markdown plots", len(again), len(plots))
	}

	escape := Format{Name: "escape", Ext: ".x", Render: func(w io.Writer, _ *Report, _ Options) ([]CompanionFile, error) {
		_, err := io.WriteString(w, "x")
		return []CompanionFile{{Name: "../outside.svg", Data: []byte("<svg/>")}}, err
	}}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(sub, "r.x"), escape, r, Options{}); err == nil {
		t.Error("a companion file outside the report's directory was accepted")
	}
	for _, p := range []string{filepath.Join(dir, "outside.svg"), filepath.Join(sub, "r.x")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	if left := listFiles(t, sub); len(left) > 0 {
		t.Errorf("files left after a failed write: %v", left)
	}
}
