package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// termSafe escapes, for a terminal, text that logbook did not write: file
// names, problem messages quoting log lines, errors naming either. A
// control character (C0, DEL, C1: ESC starts the sequences that clear the
// screen or retitle the window, a newline would forge a line of output),
// a bidirectional override (which reorders what is shown, CVE-2021-42574)
// and a byte that is not UTF-8 are written as Go escapes (\x1b, \n,
// \u202e, \xff); a backslash is doubled so that an escape cannot be
// forged either. Every other character is kept, non-ASCII letters too.
//
// It is the one escaping function for stderr: every print of outside text
// there goes through it.
func termSafe(s string) string {
	if isTermSafe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isTermSafe(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\\' || r == utf8.RuneError || unsafeRune(r) {
			return false
		}
	}
	return true
}

// unsafeRune reports the non-ASCII runes a terminal acts on rather than
// shows: the C1 controls (U+0080–U+009F; U+009B is CSI on some terminals)
// and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069), with the line and paragraph separators.
func unsafeRune(r rune) bool {
	return r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
		r == 0x2028 || r == 0x2029
}
