package report

import (
	"strings"
	"unicode"
)

// Markdown has several readers: GitHub (cmark-gfm), Hugo (goldmark), Jekyll
// (kramdown), Jupyter (marked). The escapes here use only what all of them
// understand: a backslash before the punctuation kramdown allows it before,
// and character references for the rest.

// mdText escapes plain text (a value from a log, a title, a column name) so
// that every Markdown reader shows it as it is: nothing in it becomes
// emphasis, a link, an autolink, raw HTML, a table cell border, math or a
// template tag, and typographers (kramdown, Hugo) leave its quotes and
// dashes alone. Text that starts a line needs mdLine.
func mdText(s string) string { return escapeMarkdown(s, false) }

// nbText is mdText for notebook Markdown cells. Jupyter's readers (marked,
// and mistune in nbconvert) have no typographer, and mistune honours a
// backslash only before a few characters, so this escapes less and uses
// character references for the rest.
func nbText(s string) string { return escapeMarkdown(s, true) }

func escapeMarkdown(s string, nb bool) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	tildes := strings.Count(s, "~") > 1
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '#', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '$': // math
			if nb {
				b.WriteString("&#36;")
			} else {
				b.WriteString(`\$`)
			}
		case '"', '\'': // typographers curl quotes
			if !nb {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '-': // -- and --- would become dashes
			if !nb && (strings.HasPrefix(s[i+1:], "-") || i > 0 && s[i-1] == '-') {
				b.WriteString(`\-`)
			} else {
				b.WriteRune(r)
			}
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@': // e-mail autolinks
			b.WriteString("&#64;")
		case '~':
			if tildes { // a pair could strike text through
				b.WriteString(`\~`)
			} else {
				b.WriteRune(r)
			}
		case ':': // scheme://… autolinks
			switch {
			case !strings.HasPrefix(s[i+1:], "//"):
				b.WriteRune(r)
			case nb:
				b.WriteString("&#58;")
			default:
				b.WriteString(`\:`)
			}
		case '.': // www.… autolinks, and ... that would become an ellipsis
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") && (i == 3 || !isWordByte(s[i-4])) ||
				!nb && (strings.HasPrefix(s[i+1:], ".") || i > 0 && s[i-1] == '.') {
				b.WriteString(`\.`)
			} else {
				b.WriteRune(r)
			}
		case '\n', '\r', '\t', '\v', '\f':
			b.WriteByte(' ')
		default:
			if unicode.IsControl(r) {
				b.WriteRune(unicode.ReplacementChar)
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdLine is mdText for text that starts a line (a paragraph, a quote): it
// also escapes what would open a list or a setext underline there.
func mdLine(s string) string { return lineStart(mdText(s)) }

// nbLine is nbText for text that starts a line.
func nbLine(s string) string { return lineStart(nbText(s)) }

func lineStart(out string) string {
	if out == "" {
		return out
	}
	if c := out[0]; c == '-' || c == '+' || c == '=' {
		return `\` + out
	}
	if n := leadingDigits(out); n > 0 && n < len(out) && (out[n] == '.' || out[n] == ')') {
		return out[:n] + `\` + out[n:]
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// safeMarkdown hardens Markdown written by an analysis. Analyses quote log
// values as code spans (analysis.Code), which every reader shows verbatim;
// this guards against a value that reached the prose unquoted. Outside code
// spans it turns '<' into a character reference, so that no reader (Jupyter
// and kramdown pass raw HTML through) meets a tag or an autolink; breaks the
// bare URLs and e-mail addresses GFM would link; leaves images, and links
// to anything but a place in the report (#id), as text; and escapes
// template openings.
func safeMarkdown(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			// A backslash escape stays one: \< is already a plain '<'.
			b.WriteString(src[i : i+2])
			i += 2
		case c == '`':
			end := codeSpanEnd(src, i)
			b.WriteString(src[i:end])
			i = end
		case c == '<':
			b.WriteString("&lt;")
			i++
		case c == '{' && i+1 < len(src) && (src[i+1] == '{' || src[i+1] == '%'):
			b.WriteString(`\{`)
			i++
		case c == ']' && strings.HasPrefix(src[i+1:], "(") && !strings.HasPrefix(src[i+2:], "#"):
			// Only links within the report survive; any other target
			// could have come from a log.
			b.WriteString(`]\(`)
			i += 2
		case c == '!' && strings.HasPrefix(src[i+1:], "["):
			// No images: they would be fetched from wherever they point.
			b.WriteString(`!\[`)
			i += 2
		case c == '@': // e-mail autolinks
			b.WriteString("&#64;")
			i++
		case c == ':' && strings.HasPrefix(src[i+1:], "//"):
			b.WriteString(`\:`)
			i++
		case (c == 'w' || c == 'W') && len(src) >= i+4 && strings.EqualFold(src[i:i+4], "www.") && (i == 0 || !isWordByte(src[i-1])):
			b.WriteString(src[i:i+3] + `\.`)
			i += 4
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// closingRun returns the index just past the first run of exactly n
// backticks at or after from, or -1.
func closingRun(s string, from, n int) int {
	for i := from; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i == n {
			return j
		}
		i = j
	}
	return -1
}

// neutralizeTemplates breaks the openings that static site generators
// execute even inside code: Liquid's {% (Jekyll; {{ is harmless inside
// the {% raw %} block the Jekyll output is wrapped in) and Hugo's
// shortcodes {{< and {{%. A zero-width space after the brace keeps the
// text looking the same.
func neutralizeTemplates(s string) string {
	if !strings.Contains(s, "{%") && !strings.Contains(s, "{{<") {
		return s
	}
	s = strings.ReplaceAll(s, "{%", "{\u200b%")
	return strings.ReplaceAll(s, "{{<", "{{\u200b<")
}

// codeFence returns a backtick fence longer than any run of backticks in
// code, at least three long.
func codeFence(code string) string {
	longest, run := 0, 0
	for i := 0; i < len(code); i++ {
		if code[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// slug is the anchor GitHub, Hugo and kramdown give a heading: lower case,
// letters, digits and hyphens kept, spaces turned into hyphens.
func slug(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// kramdownSafe hardens Markdown written by logbook (already through
// safeMarkdown) for kramdown, Jekyll's reader, which reads more of plain
// text as syntax than GFM does: outside code spans, a '|' anywhere on a
// line makes a table (prose on |z| became one), "{:" opens an attribute
// list or an extension, "$$" math, and a ':' starting a line a definition.
// Each gets a backslash, which GFM and goldmark also honour; text already
// escaped stays as it is.
func kramdownSafe(src string) string {
	var b strings.Builder
	b.Grow(len(src) + 8)
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			b.WriteString(src[i : i+2])
			i += 2
		case c == '`':
			end := codeSpanEnd(src, i)
			b.WriteString(src[i:end])
			i = end
		case c == '|',
			c == '{' && strings.HasPrefix(src[i+1:], ":"),
			c == '$' && (strings.HasPrefix(src[i+1:], "$") || i > 0 && src[i-1] == '$'),
			c == ':' && (i == 0 || src[i-1] == '\n'):
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// codeSpanEnd is where the code span that opens at src[i] (a run of
// backticks) ends, past its closing run; or, when no run of the same
// length closes it, the end of the opening run, whose backticks are text.
func codeSpanEnd(src string, i int) int {
	n := 1
	for i+n < len(src) && src[i+n] == '`' {
		n++
	}
	if end := closingRun(src, i+n, n); end >= 0 {
		return end
	}
	return i + n
}
