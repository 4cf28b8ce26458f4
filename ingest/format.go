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
	// Zoneless says the format's times carry no zone (HAProxy's accept
	// date): they are read as if in UTC, and the caller shifts them to
	// the zone the server's clock was in when it knows it.
	Zoneless bool
	// behind is, for a format read after a `docker compose logs` prefix
	// (composed), the format behind the prefix; nil otherwise.
	behind *Format
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

// sniffLines is how many non-blank lines detection looks at first; when
// no format takes a majority of them, it looks on, sniffLines at a time, up
// to sniffMaxLines.
const (
	sniffLines    = 50
	sniffMaxLines = 1000
)

// Detect picks the format that accepts the most of the first lines of data.
// Ties go to the format registered first. It returns an error naming what was
// seen when no format accepts any line.
func Detect(data []byte) (*Format, error) {
	f, _, err := detect(data)
	return f, err
}

// detect is Detect that also says whether the choice is sure: a format took
// a majority of at least sniffLines lines, or sniffMaxLines lines were seen.
// A choice that is not sure may change with more data.
func detect(data []byte) (best *Format, sure bool, err error) {
	// counts[i] is the lines formats[i] takes as written; prefixed[i],
	// those it takes after a `docker compose logs` prefix (compose.go).
	counts := make([]int, len(formats))
	prefixed := make([]int, len(formats))
	var first [][]byte // the first lines, for the error
	n, bestN := 0, 0
	pick := func() {
		best, bestN = nil, 0
		for i, c := range counts {
			if c > bestN {
				best, bestN = formats[i], c
			}
		}
		for i, c := range prefixed {
			if c > bestN {
				best, bestN = composed(formats[i]), c
			}
		}
	}
	for len(data) > 0 && n < sniffMaxLines {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(first) < 3 {
			first = append(first, line)
		}
		n++
		for i, f := range formats {
			if f.sniff(line) {
				counts[i]++
			}
		}
		if p := composePrefix(line); p > 0 {
			for i, f := range formats {
				if f.headerPrefix == nil && f.sniff(line[p:]) {
					prefixed[i]++
				}
			}
		}
		if n%sniffLines == 0 {
			if pick(); bestN*2 > n {
				return best, true, nil
			}
		}
	}
	if n == 0 {
		return nil, false, fmt.Errorf("no lines to detect the format from")
	}
	pick()
	sure = n >= sniffMaxLines
	if best == nil {
		return nil, sure, fmt.Errorf("not a recognised access log: %s (formats tried: %s)",
			describeUnknown(first), strings.Join(FormatNames(), ", "))
	}
	return best, sure, nil
}

// switchWindow is how many non-blank lines a change of format is judged on.
const switchWindow = 20

// formatChange looks in data, whole lines of a source read as cur, for the
// first line where the source changes format: a line cur's sniff refuses
// and another format's takes, such that of the switchWindow non-blank lines
// from it the other format takes more than two thirds and more than twice
// as many as cur. It returns that line's offset and the format, or -1 and
// nil. When the window of a candidate line runs past the end of data and
// more may follow (!final), it returns the line's offset and more: the
// caller decides once it holds more lines.
func formatChange(data []byte, cur *Format, final bool) (off int, to *Format, more bool) {
	var cands []*Format
	for pos := 0; pos < len(data); {
		line, next := lineAt(data, pos)
		if len(bytes.TrimSpace(line)) == 0 || cur.sniff(line) {
			pos = next
			continue
		}
		cands = cands[:0]
		for _, f := range formats {
			if f != cur && f.sniff(line) {
				cands = append(cands, f)
			}
		}
		if len(cands) == 0 {
			pos = next
			continue
		}
		counts := make([]int, len(cands))
		w, nCur := 0, 0
		for p := pos; p < len(data) && w < switchWindow; {
			l, nx := lineAt(data, p)
			p = nx
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			w++
			if cur.sniff(l) {
				nCur++
			}
			for i, f := range cands {
				if f.sniff(l) {
					counts[i]++
				}
			}
		}
		if w < switchWindow && !final {
			return pos, nil, true
		}
		var best *Format
		bestN := 0
		for i, c := range counts {
			if c > bestN {
				best, bestN = cands[i], c
			}
		}
		if bestN*3 > 2*w && bestN > 2*nCur {
			return pos, best, false
		}
		pos = next
	}
	return -1, nil, false
}

// lineAt returns the line of data at pos, without its line end, and the
// offset of the next line.
func lineAt(data []byte, pos int) (line []byte, next int) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return bytes.TrimRight(data[pos:], "\r"), len(data)
	}
	return bytes.TrimRight(data[pos:pos+i], "\r"), pos + i + 1
}
