// Package report renders analysed sections as HTML, Markdown, Jupyter
// notebooks and JSON, and writes them atomically. Renderers only lay out
// what the analyses computed; they never compute statistics.
package report
