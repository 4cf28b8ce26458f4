package ingest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

// lineKind says what a line turned out to be.
type lineKind int

const (
	kindRecord   lineKind = iota // a record was parsed into the row
	kindSkip                     // a blank line or a comment
	kindHeader                   // a directive that changed the layout (CloudFront #Fields:)
	kindRepaired                 // a record was parsed after repairing the line
)

// parser parses one line at a time into a row. Implementations keep scratch
// buffers, so one parser serves one goroutine. The package doc (doc.go)
// says, step by step, what a new format implements.
type parser interface {
	// parse parses line (without its newline) into r. It returns the
	// reason a line is malformed as an error.
	parse(line []byte, r *frame.Row) (lineKind, error)
	// columns is the set of columns records currently fill.
	columns() frame.Set
}

// A repairingParser says why it repaired the last line it returned
// kindRepaired for; a parser without it gets repairDefault.
type repairingParser interface {
	parser
	repairReason() string
}

// repairDefault is the reason shown for a repaired line whose parser
// gives none.
const repairDefault = "the line was repaired; what could be read was kept"

// repairOf is the reason p gives for the line it just repaired.
func repairOf(p parser) string {
	if rp, ok := p.(repairingParser); ok {
		if s := rp.repairReason(); s != "" {
			return s
		}
	}
	return repairDefault
}

// A reusableParser keeps state worth carrying from chunk to chunk (decoded
// values, the last date); reset readies it for a chunk whose lines follow
// header, as newParser(header) would.
type reusableParser interface {
	parser
	reset(header []byte)
}

// Format is a log format: how to recognise it and how to parse it.
type Format struct {
	Name string // stable name used by --format and in the report
	Doc  string // one line for the README and --help

	// sniff reports whether a line looks like this format. Detection picks
	// the format that accepts the most of a source's first lines.
	sniff func(line []byte) bool
	// newParser returns a parser; header is the last layout directive seen
	// before the chunk it will parse (nil if none).
	newParser func(header []byte) parser
	// headerPrefix marks directive lines that carry over to later chunks.
	headerPrefix []byte
}

var formats []*Format

func registerFormat(f *Format) {
	if f.Name == "" || f.sniff == nil || f.newParser == nil {
		panic("ingest: incomplete format")
	}
	if LookupFormat(f.Name) != nil {
		panic("ingest: format registered twice: " + f.Name)
	}
	formats = append(formats, f)
}

// Formats lists the formats in detection order.
func Formats() []*Format { return slices.Clone(formats) }

// LookupFormat returns the format with the given name, or nil. A name
// prefixed by a dialect (nginx:, apache:, goaccess:) is a format string,
// compiled anew on each call (logformat.go); nil if it does not compile.
func LookupFormat(name string) *Format {
	f, _ := ParseFormat(name)
	return f
}

// ParseFormat is LookupFormat with the reason a name is refused: an
// unknown name, or a format string that does not compile, pointing at the
// offending token.
func ParseFormat(spec string) (*Format, error) {
	for _, f := range formats {
		if f.Name == spec {
			return f, nil
		}
	}
	return parseFormatString(spec)
}

// FormatNames lists the names of all formats.
func FormatNames() []string {
	var n []string
	for _, f := range formats {
		n = append(n, f.Name)
	}
	return n
}

// sniffLines is how many non-blank lines detection looks at.
const sniffLines = 50

// Detect picks the format that accepts the most of the first lines of data.
// Ties go to the format registered first. It returns an error naming what was
// seen when no format accepts any line.
func Detect(data []byte) (*Format, error) {
	var lines [][]byte
	for len(data) > 0 && len(lines) < sniffLines {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) > 0 {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("no lines to detect the format from")
	}
	var best *Format
	bestN := 0
	for _, f := range formats {
		n := 0
		for _, l := range lines {
			if f.sniff(l) {
				n++
			}
		}
		if n > bestN {
			best, bestN = f, n
		}
	}
	if best == nil {
		first := string(lines[0])
		if len(first) > 80 {
			first = first[:80] + "..."
		}
		return nil, fmt.Errorf("not a recognised access log (formats tried: %s; first line %q)",
			strings.Join(FormatNames(), ", "), first)
	}
	return best, nil
}
