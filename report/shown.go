package report

import (
	"fmt"
	"strconv"

	"github.com/logbook/logbook/analysis"
)

// A shownTable is a table as every renderer shows it: the index column
// (the table's own, or row numbers), the other columns with their
// alignment, and the rows cut like pandas to a head, an ellipsis and a tail
// when the table is long, each value already formatted by FormatValue.
// Renderers lay it out and escape it for their output; they never format
// or cut a table themselves.
type shownTable struct {
	ID, Title string

	// Index heads the index column: the table's index column, or, when
	// the table has none (HasIndex false), an unnamed right-aligned
	// column of row numbers.
	Index    shownColumn
	HasIndex bool
	Columns  []shownColumn // the columns but the index, in order

	Head, Tail []shownRow // Tail is empty unless rows were omitted
	Omitted    int        // the rows between Head and Tail

	// NRows and NCols are the table's shape: all its rows, and all its
	// columns with the index.
	NRows, NCols int
	// TotalRows is the rows the table had before it was cut to its cap
	// (analysis.Table.Limit), when it was; 0 when NRows are all its rows.
	TotalRows int

	// Full is the full view behind HTML's "show all": the first
	// maxFullRows rows, when rows were omitted and showTable was asked
	// for it.
	Full []shownRow
}

// A shownColumn is a column's name and alignment.
type shownColumn struct {
	Name  string
	Right bool // right-aligned: numbers are
}

// A shownRow is one row: its index (the index column's value, or the row
// number) and its other values, in column order.
type shownRow struct {
	Index string
	Cells []string
}

// showTable cuts and formats t for display. A table of more than
// longTable rows shows its first headRows and last tailRows; with full, the
// first maxFullRows rows are kept in Full as well.
func showTable(t *analysis.Table, full bool) *shownTable {
	st := &shownTable{ID: t.ID, Title: t.Title, Index: shownColumn{Right: true},
		NRows: len(t.Rows), NCols: len(t.Columns)}
	if t.Truncated() {
		st.TotalRows = t.TotalRows
	}
	if t.Index >= 0 {
		c := t.Columns[t.Index]
		st.Index, st.HasIndex = shownColumn{Name: c.Name, Right: numeric(c.Kind)}, true
	}
	for i, c := range t.Columns {
		if i != t.Index {
			st.Columns = append(st.Columns, shownColumn{Name: c.Name, Right: numeric(c.Kind)})
		}
	}
	rows := func(from, to int) []shownRow {
		out := make([]shownRow, 0, to-from)
		for i := from; i < to; i++ {
			out = append(out, st.row(t, i))
		}
		return out
	}
	n := len(t.Rows)
	if n <= longTable {
		st.Head = rows(0, n)
		return st
	}
	st.Omitted = n - headRows - tailRows
	if !full {
		st.Head, st.Tail = rows(0, headRows), rows(n-tailRows, n)
		return st
	}
	// The head, and the tail when it is in the full view, are rows of it.
	st.Full = rows(0, min(n, maxFullRows))
	st.Head = st.Full[:headRows]
	if len(st.Full) == n {
		st.Tail = st.Full[n-tailRows:]
	} else {
		st.Tail = rows(n-tailRows, n)
	}
	return st
}

func (st *shownTable) row(t *analysis.Table, i int) shownRow {
	r := shownRow{Index: strconv.Itoa(i), Cells: make([]string, 0, len(st.Columns))}
	for j, v := range t.Rows[i] {
		text := FormatValue(v, t.Columns[j].Kind)
		if j == t.Index {
			r.Index = text
			continue
		}
		r.Cells = append(r.Cells, text)
	}
	return r
}

// Shape is the table's size in words: "1,234 rows × 3 columns".
func (st *shownTable) Shape() string {
	return fmt.Sprintf("%s × %s", analysis.Count(st.NRows, "row"), analysis.Count(st.NCols, "column"))
}

// Cut says, when the table was cut to its cap, how many of its rows were
// kept and how to keep them all: "Only the first 1,000 of 998,311 rows are
// kept (--max-rows 0 keeps them all)." It is "" for a table that was not
// cut.
func (st *shownTable) Cut() string {
	if st.TotalRows <= st.NRows {
		return ""
	}
	return fmt.Sprintf("Only the first %s of %s are kept (--max-rows 0 keeps them all).",
		analysis.Int(st.NRows), analysis.Count(st.TotalRows, "row"))
}
