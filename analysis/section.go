package analysis

import (
	"math"
	"time"

	"github.com/logbook/logbook/frame"
)

// Input is what every analysis reads.
type Input struct {
	Frame   *frame.Frame
	Loc     *time.Location // where days and hours are counted
	Sources []Source       // the inputs the frame was read from
}

// Source is one input as the overview reports it.
type Source struct {
	Name        string
	Format      string
	Compression string
	Lines       int
	Records     int
	Malformed   int
	Repaired    int
	Examples    []Example // the first malformed lines
	Repairs     []Example // the first repaired lines
	Err         string    // why reading stopped early, if it did
	Skipped     string    // why the source was not read, if it was not
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

// Kind tells renderers how to show a column's values.
type Kind int

const (
	Text     Kind = iota // a string from the log or a label
	Integer              // an integer count
	Number               // a real number
	Fraction             // a fraction 0..1, shown as a decimal like pandas
	Bytes                // a size in bytes
	Seconds              // a duration in seconds
)

// Column is a table column.
type Column struct {
	Name string
	Kind Kind
}

// Table is a computed table. Rows hold string, int or float64 values; nil
// stands for a missing number (pandas' NaN).
type Table struct {
	ID      string
	Title   string
	Columns []Column
	Rows    [][]any
	// Index names the column shown as the index, like a DataFrame's; -1
	// (the default from NewTable) shows a 0-based row number instead.
	Index int

	block []any // where Add puts the next rows' values
}

// NewTable returns an empty table with the given columns.
func NewTable(id, title string, cols ...Column) *Table {
	return &Table{ID: id, Title: title, Columns: cols, Index: -1}
}

// Add appends a row. NaN and infinite numbers become nil (null in JSON).
// The values are copied into blocks shared by many rows, so that a table of
// a hundred thousand rows is a few allocations for its rows rather than one
// per row.
func (t *Table) Add(vals ...any) {
	if len(vals) != len(t.Columns) {
		panic("analysis: table " + t.ID + ": row width does not match columns")
	}
	if cap(t.block)-len(t.block) < len(vals) {
		rows := min(max(16, len(t.Rows)), 4096)
		t.block = make([]any, 0, rows*len(vals))
	}
	start := len(t.block)
	for _, v := range vals {
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			v = nil
		}
		t.block = append(t.block, v)
	}
	t.Rows = append(t.Rows, t.block[start:len(t.block):len(t.block)])
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
