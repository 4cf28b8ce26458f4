// Package report renders analysed sections as HTML, Markdown, Jupyter
// notebooks and JSON, and writes them atomically. Renderers only lay out
// what the analyses computed; they never compute statistics.
//
// Every string from a log is hostile. HTML goes through html/template and
// goldmark without raw HTML; Markdown table cells and notebook text are
// escaped for every Markdown reader that may show them (GitHub, Hugo's
// goldmark, Jekyll's kramdown, Jupyter), Markdown from analyses keeps log
// values in code spans and loses raw HTML, images and links that leave the
// report, and template openings that Jekyll and Hugo would execute are
// broken. The same report always gives the same bytes in every format.
package report
