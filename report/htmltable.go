package report

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/logbook/logbook/analysis"
)

// The tables are most of the HTML page's bytes, and rendering their cells
// through html/template costs a reflective call per cell. renderTable
// writes the same markup directly, escaping every value as html/template
// escapes text and quoted attributes (TestRenderTableMatchesTemplate holds
// the two to the byte).

// renderTable returns the HTML of one table: its head and tail rows, the
// shape line, and the full rows behind a <details> when some were left out.
func renderTable(t *shownTable) template.HTML {
	var b strings.Builder
	b.Grow(256 + 96*(len(t.Head)+len(t.Tail)+len(t.Full))*max(1, len(t.Columns)))
	b.WriteString(`<table class="df" id="`)
	escapeHTML(&b, htmlTableID(t))
	b.WriteString("\">\n<caption>")
	escapeHTML(&b, t.Title)
	b.WriteString("</caption>\n")
	writeTableHead(&b, t)
	b.WriteString("<tbody>")
	writeRows(&b, t, t.Head)
	if t.Omitted > 0 {
		b.WriteString("\n<tr class=\"ellipsis\"><th>…</th>")
		for range t.Columns {
			b.WriteString("<td>…</td>")
		}
		b.WriteString("</tr>")
		writeRows(&b, t, t.Tail)
	}
	b.WriteString("\n</tbody>\n</table>\n<p class=\"shape\">")
	escapeHTML(&b, t.Shape())
	b.WriteString("</p>")
	if cut := t.Cut(); cut != "" {
		b.WriteString("\n<p class=\"shape cut\">")
		escapeHTML(&b, cut)
		b.WriteString("</p>")
	}
	if len(t.Full) > 0 {
		b.WriteString("\n<details class=\"full\"><summary>")
		escapeHTML(&b, htmlFullLabel(t))
		b.WriteString("</summary>\n<table class=\"df\">\n")
		writeTableHead(&b, t)
		b.WriteString("<tbody>")
		writeRows(&b, t, t.Full)
		b.WriteString("\n</tbody>\n</table>\n</details>")
	}
	return template.HTML(b.String())
}

// htmlTableID is the table element's id.
func htmlTableID(t *shownTable) string { return "table-" + t.ID }

// htmlFullLabel is the summary line of the full view.
func htmlFullLabel(t *shownTable) string {
	if len(t.Full) == t.NRows {
		if t.TotalRows > t.NRows {
			return fmt.Sprintf("Show the %s kept", analysis.Count(t.NRows, "row"))
		}
		return fmt.Sprintf("Show all %s", analysis.Count(t.NRows, "row"))
	}
	if t.TotalRows > t.NRows {
		return fmt.Sprintf("Show the first %s of the %s kept (all of them are in the JSON output)", analysis.Int(len(t.Full)), analysis.Int(t.NRows))
	}
	return fmt.Sprintf("Show the first %s of %s (every row is in the JSON output)", analysis.Int(len(t.Full)), analysis.Int(t.NRows))
}

// htmlClass is the class of a column's cells: num or text.
func htmlClass(c shownColumn) string {
	if c.Right {
		return "num"
	}
	return "text"
}

// htmlCellClass is the class of one value in column c: its column's, and
// long for text that may wrap anywhere.
func htmlCellClass(c shownColumn, text string) string {
	if !c.Right && len(text) > longText && utf8.RuneCountInString(text) > longText {
		return "text long"
	}
	return htmlClass(c)
}

// longText is the length from which a table value may wrap anywhere, not
// only at spaces; shorter values keep their words whole.
const longText = 32

func writeTableHead(b *strings.Builder, t *shownTable) {
	b.WriteString(`<thead><tr><th class="index">`)
	escapeHTML(b, t.Index.Name)
	b.WriteString("</th>")
	for _, c := range t.Columns {
		b.WriteString(`<th class="`)
		b.WriteString(htmlClass(c))
		b.WriteString(`">`)
		escapeHTML(b, c.Name)
		b.WriteString("</th>")
	}
	b.WriteString("</tr></thead>\n")
}

func writeRows(b *strings.Builder, t *shownTable, rows []shownRow) {
	indexText := t.HasIndex && !t.Index.Right
	for _, r := range rows {
		b.WriteString(`
<tr><th class="index`)
		if indexText {
			b.WriteString(" text")
		}
		b.WriteString(`">`)
		escapeHTML(b, r.Index)
		b.WriteString("</th>")
		for j, text := range r.Cells {
			b.WriteString(`<td class="`)
			b.WriteString(htmlCellClass(t.Columns[j], text))
			b.WriteString(`">`)
			escapeHTML(b, text)
			b.WriteString("</td>")
		}
		b.WriteString("</tr>")
	}
}

// htmlEscapes is html/template's replacement table for text and quoted
// attribute values. Every byte it replaces is ASCII, so a byte-wise scan
// finds the same characters a rune-wise one would, and leaves invalid
// UTF-8 as html/template does: untouched.
var htmlEscapes = [256]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

func escapeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if r := htmlEscapes[s[i]]; r != "" {
			b.WriteString(s[last:i])
			b.WriteString(r)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
}
