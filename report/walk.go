package report

import "github.com/logbook/logbook/analysis"

// The walk is the one reading of a report's sections and cells that every
// renderer lays out: it lists, in order, what each section shows, and
// numbers the code cells across the report, In [1], In [2] ... , so that
// the renderers agree on the numbers and on what a skipped or failed
// section leaves out.

// itemKind says what an item of the walk is.
type itemKind uint8

const (
	itemSection     itemKind = iota // a section starts: its title, doc, and why it was skipped or failed
	itemProse                       // a prose cell: Text is its Markdown
	itemCode                        // a code cell: Text is its code, N its number
	itemTable                       // a table output of code cell N
	itemPlot                        // a plot output of code cell N
	itemConclusions                 // the section's conclusions, when it has some
	itemSectionEnd                  // the section ends
)

// An item is one step of the walk.
type item struct {
	Kind    itemKind
	Section *analysis.Section // the section the item belongs to

	Cell int    // prose, code, table and plot: the cell's index in the section
	Out  int    // table and plot: the output's index in the cell
	N    int    // code, table and plot: the code cell's number
	Text string // prose: the Markdown; code: the code

	Table *analysis.Table
	Plot  *analysis.Plot
}

// walkReport lists the items of r's sections in order, numbering the code
// cells from before+1: a renderer that shows cells of its own first (the
// notebook's loading cell) passes how many. A skipped or failed section is
// its start and its end only. Every section's items run from its
// itemSection to its itemSectionEnd, so that a renderer can lay sections
// out side by side.
func walkReport(r *Report, before int) []item {
	size := 0
	for _, s := range r.Sections {
		size += 3 + len(s.Cells)
		for _, c := range s.Cells {
			size += len(c.Outputs)
		}
	}
	items := make([]item, 0, size)
	n := before
	for _, s := range r.Sections {
		items = append(items, item{Kind: itemSection, Section: s})
		if s.Skipped != "" || s.Error != "" {
			items = append(items, item{Kind: itemSectionEnd, Section: s})
			continue
		}
		for k, c := range s.Cells {
			if c.Code == "" {
				items = append(items, item{Kind: itemProse, Section: s, Cell: k, Text: c.Markdown})
				continue
			}
			n++
			items = append(items, item{Kind: itemCode, Section: s, Cell: k, N: n, Text: c.Code})
			for o, out := range c.Outputs {
				if out.Table != nil {
					items = append(items, item{Kind: itemTable, Section: s, Cell: k, Out: o, N: n, Table: out.Table})
				}
				if out.Plot != nil {
					items = append(items, item{Kind: itemPlot, Section: s, Cell: k, Out: o, N: n, Plot: out.Plot})
				}
			}
		}
		if len(s.Conclusions) > 0 {
			items = append(items, item{Kind: itemConclusions, Section: s})
		}
		items = append(items, item{Kind: itemSectionEnd, Section: s})
	}
	return items
}

// sectionSpans splits the items of a walk into one run per section, from
// its itemSection to its itemSectionEnd.
func sectionSpans(items []item) [][]item {
	var spans [][]item
	start := 0
	for i, it := range items {
		switch it.Kind {
		case itemSection:
			start = i
		case itemSectionEnd:
			spans = append(spans, items[start:i+1])
		}
	}
	return spans
}
