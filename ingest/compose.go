package ingest

import (
	"bytes"
	"sync"

	"github.com/logbook/logbook/frame"
)

// Logs as `docker compose logs` prints them: each line of a container's
// output after the service's container name, padded to the longest, and a
// bar ("nginx-1  | 172.18.0.1 - - [15/May/2026:18:03:49 +0000] ..."; "web_1"
// from Compose v1), the name and bar in colour when asked (--ansi always),
// and with --timestamps the time Docker received the line (RFC 3339 with
// nanoseconds) after the bar. Lines of several services are interleaved:
// those of the format detected are records, the others (an application's
// own messages) malformed lines, counted with their line numbers.
//
// Detection tries each format on the lines without their prefix when a
// line has one (composePrefix); a format that takes more of them that way
// than any takes as written is read through composed, which cuts the
// prefix from each line before its sniff and parser see it. Formats with
// layout directives (W3C, CloudFront) are not: their headers carry over
// from chunk to chunk as written.

// composePrefix is the length of the `docker compose logs` prefix at the
// start of line, or 0 if it has none.
func composePrefix(line []byte) int {
	i := skipSGR(line, 0)
	name := i
	for i < len(line) && i-name < 128 && composeNameByte(line[i]) {
		i++
	}
	if i == name || i == len(line) || line[i] != ' ' && line[i] != '|' && line[i] != 0x1b {
		return 0
	}
	for j := -1; j != i; { // the padding, and colour codes around it
		j = i
		for i < len(line) && line[i] == ' ' {
			i++
		}
		i = skipSGR(line, i)
	}
	if i == len(line) || line[i] != '|' {
		return 0
	}
	i++
	i = skipSGR(line, i)
	if i < len(line) && line[i] == ' ' {
		i++
	}
	return i + dockerTimestamp(line[i:])
}

// composeNameByte reports whether c may be part of a container's name as
// Compose writes it (project, service and number, joined by - or _).
func composeNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// skipSGR skips the terminal colour codes (ESC [ ... m) at line[i:].
func skipSGR(line []byte, i int) int {
	for i+1 < len(line) && line[i] == 0x1b && line[i+1] == '[' {
		j := i + 2
		for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == ';') {
			j++
		}
		if j == len(line) || line[j] != 'm' {
			return i
		}
		i = j + 1
	}
	return i
}

// dockerTimestamp is the length of the time --timestamps puts before a
// line ("2024-03-04T12:00:00.123456789Z "), or 0.
func dockerTimestamp(b []byte) int {
	if len(b) < 21 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return 0
	}
	for _, k := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if b[k] < '0' || b[k] > '9' {
			return 0
		}
	}
	for i := 19; i < len(b) && i < 48; i++ {
		switch c := b[i]; {
		case c == ' ':
			return i + 1
		case c >= '0' && c <= '9', c == '.', c == 'Z', c == '+', c == '-', c == ':':
		default:
			return 0
		}
	}
	return 0
}

// stripCompose is line without its prefix, if it has one.
func stripCompose(line []byte) []byte { return line[composePrefix(line):] }

var composedFormats sync.Map // *Format → its composed *Format

// composed returns f for lines with the `docker compose logs` prefix: the
// same format and parser, each line cut of its prefix first. It is made
// once per format, so that a source's format compares equal chunk to
// chunk. A format that is already read behind the prefix is returned as
// it is: a line has one prefix, and a name saying it twice is wrong.
func composed(f *Format) *Format {
	if f.behind != nil {
		return f
	}
	if c, ok := composedFormats.Load(f); ok {
		return c.(*Format)
	}
	c := &Format{
		Name:      f.Name + " (docker compose logs)",
		Doc:       f.Doc + ", each line after a `docker compose logs` prefix",
		sniff:     func(line []byte) bool { return f.sniff(stripCompose(line)) },
		newParser: func(header []byte) parser { return &composeParser{f: f, p: f.newParser(header)} },
		Zoneless:  f.Zoneless,
		behind:    f,
	}
	got, _ := composedFormats.LoadOrStore(f, c)
	return got.(*Format)
}

// composeParser parses a line of f after its `docker compose logs` prefix.
type composeParser struct {
	f *Format
	p parser
}

func (c *composeParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	return c.p.parse(stripCompose(line), r)
}

func (c *composeParser) columns() frame.Set { return c.p.columns() }

func (c *composeParser) repairReason() string { return repairOf(c.p) }

// reset readies the parser for a chunk after header: the inner parser
// reset when it can be, made again when not.
func (c *composeParser) reset(header []byte) {
	if rp, ok := c.p.(reusableParser); ok {
		rp.reset(header)
		return
	}
	c.p = c.f.newParser(header)
}

// composedIfPrefixed is the format to read a source with when f was named
// by the user (--log-format): f itself, or composed(f) when more of the
// whole lines of data, the source's first, are f's after a `docker compose
// logs` prefix than as written. Without it, naming the format of a
// `docker compose logs` capture would make every line malformed.
func composedIfPrefixed(f *Format, data []byte) *Format {
	if f.headerPrefix != nil || f.sniff == nil || f.behind != nil {
		return f
	}
	plain, prefixed := 0, 0
	for n := 0; len(data) > 0 && n < sniffMaxLines; {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		n++
		if f.sniff(line) {
			plain++
		} else if p := composePrefix(line); p > 0 && f.sniff(line[p:]) {
			prefixed++
		}
	}
	if prefixed > plain {
		return composed(f)
	}
	return f
}
