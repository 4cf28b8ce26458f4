package ingest

import (
	"bufio"
	"bytes"
	"io"

	"github.com/logbook/logbook/frame"
)

// Scanner reads records one at a time, like bufio.Scanner: call Scan until it
// returns false, read each record with Row, and check Err at the end.
// Malformed lines do not stop it; each one is returned by SyntaxErrors.
// Read is the fast path for whole inputs; Scanner is for tools and tests.
type Scanner struct {
	name   string
	sc     *bufio.Scanner
	p      parser
	row    frame.Row
	line   int
	kind   lineKind
	errs   []*SyntaxError
	format *Format
	// A leading run of NUL bytes is one malformed line, as Read counts it.
	started bool // past the start of the input and any NUL run there
	nuls    int
	eol     byte // the input's line end, as firstLineEnd says; 0 until known
}

// NewScanner returns a scanner reading r in format f.
func NewScanner(name string, r io.Reader, f *Format) *Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	s := &Scanner{name: name, sc: sc, p: f.newParser(nil), format: f}
	sc.Split(s.scanLines)
	return s
}

// Scan advances to the next record. It returns false at the end of the input
// or on a read error.
func (s *Scanner) Scan() bool {
	for s.sc.Scan() {
		s.line++
		line := s.sc.Bytes()
		if s.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM) // as Read does
			s.started = len(line) == 0 || line[0] != 0
		}
		if !s.started {
			k := 0
			for k < len(line) && (line[k] == 0 || line[k] == '\r') {
				if line[k] == 0 {
					s.nuls++
				}
				k++
			}
			if line = line[k:]; len(line) == 0 {
				continue // all of this line is in the run
			}
			s.endNULRun()
		}
		kind, err := s.p.parse(line, &s.row)
		if err != nil {
			s.errs = append(s.errs, &SyntaxError{Source: s.name, Line: s.line, Reason: err.Error(), Text: clip(line)})
			continue
		}
		if kind == kindRecord || kind == kindRepaired {
			s.kind = kind
			return true
		}
	}
	s.endNULRun()
	return false
}

// endNULRun reports the leading NUL run, if there was one, once.
func (s *Scanner) endNULRun() {
	if !s.started && s.nuls > 0 {
		reason, text := nulRun(s.nuls)
		s.errs = append(s.errs, &SyntaxError{Source: s.name, Line: 1, Reason: reason, Text: clip([]byte(text))})
	}
	s.started = true
}

// Row is the current record; its byte slices are valid until the next Scan.
func (s *Scanner) Row() *frame.Row { return &s.row }

// Repaired reports whether the current record was read from a repaired line.
func (s *Scanner) Repaired() bool { return s.kind == kindRepaired }

// RepairReason says why the current record's line was repaired, or "".
func (s *Scanner) RepairReason() string {
	if s.kind != kindRepaired {
		return ""
	}
	return repairOf(s.p)
}

// Line is the line number of the current record.
func (s *Scanner) Line() int { return s.line }

// Columns is the set of columns the current record fills.
func (s *Scanner) Columns() frame.Set { return s.p.columns() }

// SyntaxErrors lists the malformed lines seen so far.
func (s *Scanner) SyntaxErrors() []*SyntaxError { return s.errs }

// Err is the first read error, if any.
func (s *Scanner) Err() error { return s.sc.Err() }

// scanLines splits as bufio.ScanLines does, and also at a CR alone when
// the input's first line ends so (old Mac OS), as Read does.
func (s *Scanner) scanLines(data []byte, atEOF bool) (int, []byte, error) {
	if s.eol == 0 {
		s.eol = firstLineEnd(data, atEOF)
	}
	if s.eol != '\r' {
		if s.eol == 0 && !atEOF {
			return 0, nil, nil // the first line end decides: read on
		}
		return bufio.ScanLines(data, atEOF)
	}
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i >= 0 && data[i] == '\n':
		return i + 1, data[:i], nil
	case i >= 0 && i+1 < len(data):
		if data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		return i + 1, data[:i], nil
	case i >= 0 && atEOF:
		return i + 1, data[:i], nil
	case atEOF && len(data) > 0:
		return len(data), data, nil
	}
	return 0, nil, nil // more data, or the end
}
