package analysis

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/logbook/logbook/frame"
)

// Input is what every analysis reads.
type Input struct {
	Frame   *frame.Frame
	Loc     *time.Location // where days and hours are counted
	Sources []Source       // the inputs the frame was read from
	// MaxRows is the most rows a per-key table (one row per IP, path,
	// agent...) keeps, the first in its order; 0 keeps every row. Tables
	// built with Table.Limit(in.MaxRows) state the rows they had.
	MaxRows int
	// Crawlers are the user's crawler rules (--crawler), tried before
	// the built-in list (crawlers.go).
	Crawlers []CrawlerRule
	// Site names the site's own hosts (--site), lower case without
	// "www."; "*.example.com" stands for every host under example.com.
	// Referers from them are links within the site. Empty: inferred.
	Site []string
}

// DefaultMaxRows is the cap on per-key tables a run uses unless told
// otherwise (Config.MaxRows, --max-rows).
const DefaultMaxRows = 1000

// Source is one input as the overview reports it.
type Source struct {
	Name        string
	Format      string
	Compression string
	Lines       int
	Records     int
	Malformed   int
	Repaired    int
	// Formats lists the formats the source was read in, with the line
	// each began on, when it changed format part-way (nil otherwise).
	Formats  []FormatSpan
	Examples []Example // the first malformed lines
	Repairs  []Example // the first repaired lines
	Err      string    // why reading stopped early, if it did
	Skipped  string    // why the source was not read, if it was not
	Notes    []string  // what the reader assumed (times without a zone), in a sentence each
	// Note is said of the source without it being a problem: it is
	// empty, or it was reached before and read once.
	Note string
	// Unread is an input nothing was read from because it names nothing
	// or could not be listed (Err says why), or because of its Note.
	Unread bool
}

// FormatSpan is a format a source was read in from line Line on.
type FormatSpan struct {
	Format string
	Line   int
}

// Example is one line that was malformed or repaired.
type Example struct {
	Line   int
	Reason string
	Text   string
}

// Section is the result of one analysis: a titled run of notebook cells.
type Section struct {
	ID    string
	Title string
	Doc   string

	Cells       []Cell
	Conclusions []string // Markdown sentences written from the numbers
	Findings    []Finding

	Skipped string // why the section did not run; empty when it did
	Error   string // why the section failed; empty when it did not
	Trace   string `json:"-"`

	Elapsed time.Duration `json:"-"`
}

// Cell is one notebook cell: prose (Markdown), or a computation (Code) with
// its outputs.
type Cell struct {
	Markdown string
	Code     string
	Outputs  []Output
}

// Output is what a computation shows: a table or a plot.
type Output struct {
	Table *Table
	Plot  *Plot
}

// Prose appends a Markdown cell.
func (s *Section) Prose(md string) { s.Cells = append(s.Cells, Cell{Markdown: md}) }

// Compute appends a code cell with its outputs.
func (s *Section) Compute(code string, outs ...Output) {
	s.Cells = append(s.Cells, Cell{Code: code, Outputs: outs})
}

// Conclude appends a conclusion sentence or paragraph (Markdown).
func (s *Section) Conclude(md string) { s.Conclusions = append(s.Conclusions, md) }

// Find appends a finding.
func (s *Section) Find(id string, sev Severity, value any, message string) {
	s.Findings = append(s.Findings, Finding{ID: id, Severity: sev, Value: value, Message: message})
}

// Tables lists the section's tables in cell order.
func (s *Section) Tables() []*Table {
	var out []*Table
	for _, c := range s.Cells {
		for _, o := range c.Outputs {
			if o.Table != nil {
				out = append(out, o.Table)
			}
		}
	}
	return out
}

// Severity ranks findings.
type Severity string

const (
	SevInfo    Severity = "info"
	SevNotice  Severity = "notice"
	SevWarning Severity = "warning"
)

// Finding is one notable, structured fact.
type Finding struct {
	ID       string
	Severity Severity
	Value    any // a number, or a string when the fact is a name
	Message  string
}

// Kind tells renderers how to show a column's values. Its name (String) is
// the kind as the JSON output states it.
type Kind int

const (
	Text     Kind = iota // a string from the log or a label
	Integer              // an integer count
	Float                // a real number
	Share                // a fraction 0..1, shown as a decimal like pandas
	Bytes                // a size in bytes
	Seconds              // a measured duration (a latency), a float of seconds
	Duration             // a span of time, a number of seconds, shown for people ("6 days 23 hours")
	Time                 // an instant, a time.Time in the report's zone
	Date                 // a day, a YYYY-MM-DD string in the report's zone
	Mixed                // each value a Typed that carries its own kind (key/value tables)
)

var kindNames = [...]string{Text: "text", Integer: "integer", Float: "float", Share: "share", Bytes: "bytes",
	Seconds: "seconds", Duration: "duration", Time: "time", Date: "date", Mixed: "mixed"}

// String returns the kind's name in the JSON contract: "text", "integer",
// "float", "share", "bytes", "seconds", "duration", "time", "date" or
// "mixed".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Typed is a value of a Mixed column: V (string, int, float64, time.Time
// or nil) shown and encoded by Kind.
type Typed struct {
	Kind Kind
	V    any
}

// Column is a table column.
type Column struct {
	Name string
	Kind Kind
}

// Table is a computed table: it holds data, and renderers format it by
// the columns' kinds. Rows hold string, int or float64 values, time.Time in
// Time columns and Typed in Mixed columns; nil stands for a missing number
// (pandas' NaN).
type Table struct {
	ID      string
	Title   string
	Columns []Column
	Rows    [][]any
	// Index names the column shown as the index, like a DataFrame's; -1
	// (the default from NewTable) shows a 0-based row number instead.
	Index int
	// TotalRows is the number of rows the table had before it was cut to
	// its limit (see Limit), when it was; 0 when Rows holds them all.
	TotalRows int

	limit int   // the most rows Add keeps; 0: no limit
	block []any // where Add puts the next rows' values
}

// Limit makes the table keep at most n rows, the first added (n ≤ 0 keeps
// them all): Add counts the rows past the limit in TotalRows rather than
// keeping them. Per-key tables, whose rows grow with the distinct values of
// the log, take Input.MaxRows here.
func (t *Table) Limit(n int) *Table {
	t.limit = max(n, 0)
	return t
}

// Full reports whether the table has reached its limit, so that Add would
// only count the next row: a caller may skip building it, and Skip it.
func (t *Table) Full() bool { return t.limit > 0 && len(t.Rows) >= t.limit }

// Skip counts n rows that were left out at the limit, without building
// them; it must be called only when the table is Full.
func (t *Table) Skip(n int) {
	if n <= 0 {
		return
	}
	if !t.Full() {
		panic("analysis: table " + t.ID + ": rows skipped before the table is full")
	}
	if t.TotalRows == 0 {
		t.TotalRows = len(t.Rows)
	}
	t.TotalRows += n
}

// Truncated reports whether the table was cut to its limit.
func (t *Table) Truncated() bool { return t.TotalRows > len(t.Rows) }

// NewTable returns an empty table with the given columns.
func NewTable(id, title string, cols ...Column) *Table {
	return &Table{ID: id, Title: title, Columns: cols, Index: -1}
}

// Add appends a row. NaN and infinite numbers become nil (null in JSON),
// in Typed values too. A Time column must get a time.Time and a Mixed column
// a Typed (not holding another Typed): anything else is a programming error,
// and Add panics.
// Past the table's limit (Limit), the row is only counted.
// The values are copied into blocks shared by many rows, so that a table of
// a hundred thousand rows is a few allocations for its rows rather than one
// per row.
func (t *Table) Add(vals ...any) {
	if len(vals) != len(t.Columns) {
		panic("analysis: table " + t.ID + ": row width does not match columns")
	}
	if t.Full() {
		t.Skip(1)
		return
	}
	if cap(t.block)-len(t.block) < len(vals) {
		rows := min(max(16, len(t.Rows)), 4096)
		t.block = make([]any, 0, rows*len(vals))
	}
	start := len(t.block)
	for i, v := range vals {
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				v = nil
			}
		case Typed:
			if f, ok := x.V.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
				v = Typed{Kind: x.Kind, V: nil}
			}
		}
		switch t.Columns[i].Kind {
		case Time:
			if _, ok := v.(time.Time); !ok {
				t.badValue(i, v)
			}
		case Mixed:
			if x, ok := v.(Typed); !ok || x.Kind == Mixed {
				t.badValue(i, v)
			}
		}
		t.block = append(t.block, v)
	}
	t.Rows = append(t.Rows, t.block[start:len(t.block):len(t.block)])
}

func (t *Table) badValue(col int, v any) {
	c := t.Columns[col]
	panic(fmt.Sprintf("analysis: table %s: column %s (%s) got %T", t.ID, c.Name, c.Kind, v))
}

// PlotKind is the shape of a plot.
type PlotKind int

const (
	Bars    PlotKind = iota // one bar per label; horizontal when labels are long
	Lines                   // one line per series over the labels
	Heatmap                 // Grid[row][col] shaded, rows labelled YLabels
)

// Plot is the data of a plot and how to label it; the report draws it.
type Plot struct {
	ID     string
	Title  string
	Kind   PlotKind
	XLabel string
	YLabel string
	Labels []string // x positions (bars: one per bar)
	Series []Series
	// Heatmap only.
	YLabels []string
	Grid    [][]float64
	// Percent shows values (fractions) as percentages.
	Percent bool
}

// Series is one named run of values, one per label.
type Series struct {
	Name   string
	Values []float64
}

// localTime is Unix seconds as an instant in loc (UTC when loc is nil), the
// value of a Time column.
func localTime(sec int64, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Unix(sec, 0).In(loc)
}

// strCol returns a string column's codes as the frame keeps them, one, two
// or four bytes a row, or nil when the frame lacks the column. Analyses read
// columns through it rather than Frame.Str, which would widen the codes to
// four bytes a row for the rest of the run.
func strCol(f *frame.Frame, c frame.StrCol) *frame.CodeView {
	v, ok := f.View(c)
	if !ok {
		return nil
	}
	return &v
}
