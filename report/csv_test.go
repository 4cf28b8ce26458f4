package report

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
)

// TestCSV: one file per table, listed in the index, with a header, the
// JSON's typed values, and formulas defused; a second run removes the
// files of tables it no longer has.
func TestCSV(t *testing.T) {
	s := &analysis.Section{ID: "sec", Title: "S"}
	tb := analysis.NewTable("t1", "Table one", analysis.Column{Name: "key", Kind: analysis.Text}, analysis.Column{Name: "n", Kind: analysis.Integer},
		analysis.Column{Name: "share", Kind: analysis.Share}, analysis.Column{Name: "size", Kind: analysis.Bytes},
		analysis.Column{Name: "at", Kind: analysis.Time}, analysis.Column{Name: "v", Kind: analysis.Mixed})
	at := time.Date(2024, 3, 4, 5, 6, 7, 0, time.FixedZone("+0100", 3600))
	tb.Add("=HYPERLINK(\"http://evil\")", 3, 0.25, 1536.0, at, analysis.Typed{Kind: analysis.Bytes, V: 2048.0})
	tb.Add("+1+2", -4, nil, 0.0, at, analysis.Typed{Kind: analysis.Text, V: "@SUM(A1)"})
	tb.Add("-", 0, 1.0, 1e12, at, analysis.Typed{Kind: analysis.Integer, V: 7})
	tb.Add("-2+3", 1, 0.5, 1.0, at, analysis.Typed{Kind: analysis.Text, V: "plain, with \"quotes\"\nand a newline"})
	s.Compute("x", analysis.Output{Table: tb})
	s.Compute("y", analysis.Output{Table: analysis.NewTable("t2", "Empty", analysis.Column{Name: "a", Kind: analysis.Text})})
	r := &Report{Title: "t", Loc: time.UTC, Sections: []*analysis.Section{s}}
	f, ok := LookupFormat("csv")
	if !ok {
		t.Fatal("no csv format")
	}
	dir := t.TempDir()
	main := filepath.Join(dir, "r.csv")
	if err := WriteFile(main, f, r, Options{}); err != nil {
		t.Fatal(err)
	}
	read := func(p string) [][]string {
		t.Helper()
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		recs, err := csv.NewReader(fh).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return recs
	}
	index := read(main)
	if len(index) != 3 || strings.Join(index[1], "|") != "sec|t1|Table one|r_files/table-sec.t1.csv|4|6|4|" || index[2][1] != "t2" {
		t.Fatalf("index %q", index)
	}
	rows := read(filepath.Join(dir, "r_files", "table-sec.t1.csv"))
	want := [][]string{
		{"key", "n", "share", "size", "at", "v"},
		{"'=HYPERLINK(\"http://evil\")", "3", "0.25", "1536", "2024-03-04T05:06:07+01:00", "2048"},
		{"'+1+2", "-4", "", "0", "2024-03-04T05:06:07+01:00", "'@SUM(A1)"},
		{"-", "0", "1", "1000000000000", "2024-03-04T05:06:07+01:00", "7"},
		{"'-2+3", "1", "0.5", "1", "2024-03-04T05:06:07+01:00", "plain, with \"quotes\"\nand a newline"},
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i, rows[i], want[i])
		}
	}
	if empty := read(filepath.Join(dir, "r_files", "table-sec.t2.csv")); len(empty) != 1 {
		t.Errorf("empty table: %q", empty)
	}
	// A run without t2 removes its file.
	s.Cells = s.Cells[:1]
	if err := WriteFile(main, f, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "r_files", "table-sec.t2.csv")); !os.IsNotExist(err) {
		t.Errorf("a stale table file is left: %v", err)
	}
}
