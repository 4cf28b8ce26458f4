package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/logbook/logbook/analysis"
)

func init() {
	registerFormat(Format{Name: "json", Ext: ".json", Render: func(w io.Writer, r *Report, _ Options) ([]CompanionFile, error) {
		// Streamed: the JSON of a big log is tens of MB, all rows.
		return nil, writeIndentedJSON(w, jsonReportView(r))
	}})
}

// SchemaVersion is the version of the JSON output's contract
// (docs/json.md, docs/report.schema.json). It changes only when a change
// could break a reader: a field removed or renamed, a type changed.
const SchemaVersion = 1

// The JSON contract of docs/json.md. Field order here is the order in the
// file.
type jsonReport struct {
	Logbook       string        `json:"logbook"`
	SchemaVersion int           `json:"schema_version"`
	Generated     string        `json:"generated"`
	Input         jsonInput     `json:"input"`
	Findings      []jsonFinding `json:"key_findings"`
	Sections      []jsonSection `json:"sections"`
}

type jsonInput struct {
	Sources   []jsonSource   `json:"sources"`
	Records   int            `json:"records"`
	Malformed int            `json:"malformed"`
	First     string         `json:"first"`
	Last      string         `json:"last"`
	TimeZone  string         `json:"time_zone"`
	Selection *jsonSelection `json:"selection,omitempty"`
	// Anonymized is truncate or hash when client addresses were.
	Anonymized string `json:"anonymized,omitempty"`
}

// jsonSelection is the window and the filters the records were chosen by.
type jsonSelection struct {
	From     *string  `json:"from"`
	Until    *string  `json:"until"`
	Window   string   `json:"window,omitempty"`
	Filters  []string `json:"filters"`
	Read     int      `json:"records_read"`
	Selected int      `json:"records_selected"`
}

type jsonSource struct {
	Name        string        `json:"name"`
	Format      string        `json:"format"`
	Compression string        `json:"compression,omitempty"`
	Lines       int           `json:"lines"`
	Records     int           `json:"records"`
	Malformed   int           `json:"malformed"`
	Repaired    int           `json:"repaired"`
	Formats     []jsonSpan    `json:"formats,omitempty"`
	Examples    []jsonExample `json:"malformed_examples,omitempty"`
	Repairs     []jsonExample `json:"repaired_examples,omitempty"`
	Error       string        `json:"error,omitempty"`
	Skipped     string        `json:"skipped,omitempty"`
	Note        string        `json:"note,omitempty"`
	Unread      bool          `json:"unread,omitempty"`
}

// jsonSpan is a format a source was read in from a line on, listed when the
// source changed format part-way.
type jsonSpan struct {
	Format string `json:"format"`
	Line   int    `json:"line"`
}

type jsonExample struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Text   string `json:"text"`
}

type jsonSection struct {
	ID          string        `json:"id"`
	Title       string        `json:"title"`
	Doc         string        `json:"doc"`
	Skipped     string        `json:"skipped,omitempty"`
	Error       string        `json:"error,omitempty"`
	Tables      []jsonTable   `json:"tables"`
	Findings    []jsonFinding `json:"findings"`
	Conclusions []string      `json:"conclusions"`
}

type jsonTable struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Columns []string `json:"columns"`
	Kinds   []string `json:"kinds"` // analysis.Kind names, one per column
	// Truncated says the table was cut to the first of its rows (a
	// per-key table over the cap, --max-rows); TotalRows is then how many
	// it had. Both are left out when rows holds every row.
	Truncated bool     `json:"truncated,omitempty"`
	TotalRows int      `json:"total_rows,omitempty"`
	Rows      jsonRows `json:"rows"`
}

// jsonRows are a table's rows as the contract writes them: numbers as
// numbers, a time.Time as RFC 3339 with its offset, a Typed as its value by
// the same rules. MarshalJSON is the reference; jsonenc.go writes the same
// bytes in its own pass.
type jsonRows [][]any

func (r jsonRows) MarshalJSON() ([]byte, error) {
	out := make([][]any, len(r))
	for i, row := range r {
		if row == nil {
			continue
		}
		out[i] = make([]any, len(row))
		for j, c := range row {
			out[i][j] = jsonCell(c)
		}
	}
	return json.Marshal(out)
}

// jsonCell is a table value as encoding/json should write it.
func jsonCell(v any) any {
	switch v := v.(type) {
	case time.Time:
		return v.Format(time.RFC3339)
	case analysis.Typed:
		return jsonCell(v.V)
	}
	return v
}

type jsonFinding struct {
	Section  string `json:"section,omitempty"`
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Value    any    `json:"value"`
	Message  string `json:"message"`
}

func spans(in []analysis.FormatSpan) []jsonSpan {
	var out []jsonSpan
	for _, sp := range in {
		out = append(out, jsonSpan{Format: sp.Format, Line: sp.Line})
	}
	return out
}

func examples(in []analysis.Example) []jsonExample {
	var out []jsonExample
	for _, e := range in {
		out = append(out, jsonExample{Line: e.Line, Reason: e.Reason, Text: e.Text})
	}
	return out
}

func timeString(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// JSON renders the machine contract: every table with all its rows.
func JSON(r *Report) ([]byte, error) {
	// What json.NewEncoder(w).SetIndent("", " ").Encode writes, in one
	// pass rather than marshalling and then re-indenting (jsonenc.go).
	return appendIndentedJSON(nil, jsonReportView(r))
}

// jsonReportView is the report as the JSON contract lays it out.
func jsonReportView(r *Report) jsonReport {
	out := jsonReport{
		Logbook:       Version,
		SchemaVersion: SchemaVersion,
		Generated:     r.Generated.Format(time.RFC3339),
		Input: jsonInput{
			Sources:   []jsonSource{},
			Records:   r.Records,
			Malformed: r.Malformed(),
			First:     timeString(r.First, r.Loc),
			Last:      timeString(r.Last, r.Loc),
			TimeZone:  r.Loc.String(),
		},
		Findings: []jsonFinding{},
		Sections: []jsonSection{},
	}
	out.Input.Anonymized = r.Anonymized
	if sel := r.Selection; sel != nil {
		bound := func(t time.Time) *string {
			if t.IsZero() {
				return nil
			}
			v := t.In(r.Loc).Format(time.RFC3339)
			return &v
		}
		out.Input.Selection = &jsonSelection{From: bound(sel.From), Until: bound(sel.Until), Window: sel.Window,
			Filters: append([]string{}, sel.Filters...), Read: sel.Read, Selected: sel.Selected}
	}
	for _, s := range r.Sources {
		out.Input.Sources = append(out.Input.Sources, jsonSource{
			Name: s.Name, Format: s.Format, Compression: s.Compression,
			Lines: s.Lines, Records: s.Records, Malformed: s.Malformed, Repaired: s.Repaired,
			Formats:  spans(s.Formats),
			Examples: examples(s.Examples), Repairs: examples(s.Repairs),
			Error: s.Err, Skipped: s.Skipped, Note: s.Note, Unread: s.Unread,
		})
	}
	for _, kf := range r.KeyFindings() {
		out.Findings = append(out.Findings, jsonFinding{Section: kf.Section.ID, ID: kf.ID,
			Severity: string(kf.Severity), Value: kf.Value, Message: kf.Message})
	}
	for _, s := range r.Sections {
		js := jsonSection{ID: s.ID, Title: s.Title, Doc: s.Doc, Skipped: s.Skipped, Error: s.Error,
			Tables: []jsonTable{}, Findings: []jsonFinding{}, Conclusions: []string{}}
		for _, t := range s.Tables() {
			jt := jsonTable{ID: t.ID, Title: t.Title, Rows: t.Rows}
			if t.Truncated() {
				jt.Truncated, jt.TotalRows = true, t.TotalRows
			}
			for _, c := range t.Columns {
				jt.Columns = append(jt.Columns, c.Name)
				jt.Kinds = append(jt.Kinds, c.Kind.String())
			}
			if jt.Rows == nil {
				jt.Rows = jsonRows{}
			}
			js.Tables = append(js.Tables, jt)
		}
		for _, f := range s.Findings {
			js.Findings = append(js.Findings, jsonFinding{ID: f.ID, Severity: string(f.Severity), Value: f.Value, Message: f.Message})
		}
		js.Conclusions = append(js.Conclusions, s.Conclusions...)
		out.Sections = append(out.Sections, js)
	}
	return out
}
