package report

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
)

// cutReport is a report of one section with a per-key table cut to 30 of
// its 100 rows and a table of 40 rows that was not cut.
func cutReport() *Report {
	cut := analysis.NewTable("per_ip", "Requests per IP", analysis.Column{Name: "ip", Kind: analysis.Text},
		analysis.Column{Name: "requests", Kind: analysis.Integer}).Limit(30)
	whole := analysis.NewTable("per_day", "Requests per day", analysis.Column{Name: "day", Kind: analysis.Text},
		analysis.Column{Name: "requests", Kind: analysis.Integer})
	for i := range 100 {
		cut.Add("192.0.2."+strconv.Itoa(i), 100-i)
		if i < 40 {
			whole.Add("d"+strconv.Itoa(i), i)
		}
	}
	s := &analysis.Section{ID: "clients", Title: "Clients", Doc: "Who sent the requests."}
	s.Compute(`requests.ip.value_counts()`, analysis.Output{Table: cut})
	s.Compute(`requests.day.value_counts()`, analysis.Output{Table: whole})
	s.Conclude("100 clients sent the requests.")
	return &Report{Title: "t", Generated: pinned, Loc: time.UTC, Records: 5050, Sections: []*analysis.Section{s},
		First: pinned, Last: pinned}
}

// TestCutTables: a table cut to its cap has truncated and total_rows in
// the JSON, with the rows kept, and the HTML, Markdown and notebook say
// under it how many rows it had and how to keep them all; a table that
// was not cut has neither.
func TestCutTables(t *testing.T) {
	r := cutReport()
	const note = "Only the first 30 of 100 rows are kept (--max-rows 0 keeps them all)"
	for _, f := range Formats() {
		var b bytes.Buffer
		if _, err := f.Render(&b, r, Options{FrontMatter: "none"}); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out := b.String()
		if f.Name == "json" {
			var doc struct {
				Sections []struct {
					Tables []map[string]any `json:"tables"`
				} `json:"sections"`
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			tabs := doc.Sections[0].Tables
			cut, whole := tabs[0], tabs[1]
			if cut["truncated"] != true || cut["total_rows"] != 100.0 || len(cut["rows"].([]any)) != 30 {
				t.Errorf("json: cut table has truncated %v, total_rows %v, %d rows; want true, 100, 30",
					cut["truncated"], cut["total_rows"], len(cut["rows"].([]any)))
			}
			_, tr := whole["truncated"]
			_, tot := whole["total_rows"]
			if tr || tot || len(whole["rows"].([]any)) != 40 {
				t.Errorf("json: whole table has truncated %v, total_rows %v, %d rows", whole["truncated"], whole["total_rows"], len(whole["rows"].([]any)))
			}
			if strings.Contains(out, "--max-rows") {
				t.Errorf("json: the note belongs to the rendered outputs")
			}
			continue
		}
		// The notebook writes each table twice (HTML and plain text).
		want := 1
		if f.Name == "ipynb" {
			want = 2
		}
		if got := strings.Count(out, note); got != want {
			t.Errorf("%s: the note %q appears %d times, want %d", f.Name, note, got, want)
		}
		if strings.Contains(out, "of 40 rows are kept") {
			t.Errorf("%s: the table that was not cut says it was", f.Name)
		}
	}
}
