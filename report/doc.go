// Package report renders analysed sections as HTML, Markdown, Jupyter
// notebooks and JSON, and writes them atomically. Renderers only lay out
// what the analyses computed; they never compute statistics.
//
// Each format renders to an io.Writer (Format.Render) and returns the
// files that go beside the report, such as Markdown's plots; WriteFile
// writes a format and those files to disk. HTML, Markdown and the notebook
// lay out one walk of the report (walk.go: section, prose, code cell n,
// table, plot, conclusions, in order, with the cells numbered once), and
// show every table as one shownTable (shown.go: head and tail cut like
// pandas, values formatted by FormatValue), each only escaping it for its
// output.
//
// Every string from a log is hostile. HTML goes through html/template and
// goldmark without raw HTML; Markdown table cells and notebook text are
// escaped for every Markdown reader that may show them (GitHub, Hugo's
// goldmark, Jekyll's kramdown, Jupyter), Markdown from analyses keeps log
// values in code spans and loses raw HTML, images and links that leave the
// report, and template openings that Jekyll and Hugo would execute are
// broken. The same report always gives the same bytes in every format.
package report
