package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/logbook/logbook/frame"
)

// The parser cases live in testdata/<format>.txt; testdata/README.md
// describes the format. TestParserCases runs every case through the Scanner
// and through Read, and holds both to the case's expectation and to each
// other.

// parserCase is one case of a testdata/*.txt file.
type parserCase struct {
	file   string // testdata/clf.txt
	pos    int    // line of the "===" line in file
	name   string
	format string
	input  []string // the lines, unquoted, without their newlines
	want   []outcome
}

// text is the case's input as a source holds it: each line ends with a newline.
func (c *parserCase) text() string {
	var b strings.Builder
	for _, l := range c.input {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// outcome is what one line that is not blank, a comment or a header gives:
// a record (possibly repaired) or a malformed line.
type outcome struct {
	pos       int  // line of the "--- want" line in the file
	empty     bool // the block has no key yet
	line      int  // the input line, 1-based
	malformed string
	repaired  string // part of the repair's reason; "" when not repaired
	isRepair  bool
	str       [frame.NumStrCols]string
	num       [frame.NumNumCols]float64
	time      int64
	hasTime   bool
	offset    int32
}

// caseFiles lists testdata/*.txt.
func caseFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.txt: %v", err)
	}
	return files
}

// loadCases reads the cases of one file; a file that breaks the format fails
// the test.
func loadCases(t testing.TB, file string) []*parserCase {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := parseCases(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// allCases returns the cases of every file, by format name.
func allCases(t testing.TB) map[string][]*parserCase {
	t.Helper()
	out := map[string][]*parserCase{}
	for _, f := range caseFiles(t) {
		for _, c := range loadCases(t, f) {
			out[c.format] = append(out[c.format], c)
		}
	}
	return out
}

var (
	strByName = map[string]frame.StrCol{}
	numByName = map[string]frame.NumCol{}
)

func init() {
	for c := frame.StrCol(0); c < frame.NumStrCols; c++ {
		strByName[c.String()] = c
	}
	for c := frame.NumCol(0); c < frame.NumNumCols; c++ {
		numByName[c.String()] = c
	}
}

// missingNum is the value of a numeric column a record does not fill.
func missingNum(c frame.NumCol) float64 {
	var r frame.Row
	r.Reset()
	return r.Num[c]
}

// parseCases parses a case file; see testdata/README.md.
func parseCases(file string, data []byte) ([]*parserCase, error) {
	def := strings.TrimSuffix(filepath.Base(file), ".txt")
	var cases []*parserCase
	var c *parserCase
	var o *outcome
	seen := map[string]bool{}
	section := "" // "", "head", "input", "want"
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%s:%d: %s", file, n, fmt.Sprintf(format, a...))
	}
	finish := func() error {
		if c == nil {
			return nil
		}
		if len(c.input) == 0 || len(c.want) == 0 {
			return fmt.Errorf("%s:%d: case %q needs --- input and --- want", file, c.pos, c.name)
		}
		if len(c.want) == 1 && c.want[0].empty {
			c.want = nil // an empty block: nothing expected
		}
		for i, w := range c.want {
			if w.empty {
				return fmt.Errorf("%s:%d: case %q: an empty --- want block must be the only one", file, w.pos, c.name)
			}
			if w.line == 0 {
				if i != len(c.want)-1 {
					return fmt.Errorf("%s:%d: case %q: only the last outcome may leave out its line", file, w.pos, c.name)
				}
				c.want[i].line = len(c.input)
			}
			if w.malformed == "" && !w.hasTime {
				return fmt.Errorf("%s:%d: case %q: a record needs its time", file, w.pos, c.name)
			}
			if i > 0 && c.want[i].line <= c.want[i-1].line {
				return fmt.Errorf("%s:%d: case %q: outcomes out of line order", file, w.pos, c.name)
			}
		}
		if LookupFormat(c.format) == nil {
			return fmt.Errorf("%s:%d: case %q: no format %q", file, c.pos, c.name, c.format)
		}
		cases = append(cases, c)
		return nil
	}
	for sc.Scan() {
		n++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "==="):
			if err := finish(); err != nil {
				return nil, err
			}
			name := strings.TrimSpace(strings.TrimPrefix(l, "==="))
			if name == "" || seen[name] {
				return nil, fail("case name %q empty or used twice", name)
			}
			seen[name] = true
			c, o, section = &parserCase{file: file, pos: n, name: name, format: def}, nil, "head"
			continue
		case section == "":
			continue // the file's own documentation
		case l == "--- input":
			if section != "head" {
				return nil, fail("--- input must follow the case's name")
			}
			section = "input"
			continue
		case l == "--- want":
			if section == "head" {
				return nil, fail("--- want before --- input")
			}
			section = "want"
			c.want = append(c.want, outcome{pos: n, empty: true})
			o = &c.want[len(c.want)-1]
			for i := range o.num {
				o.num[i] = missingNum(frame.NumCol(i))
			}
			continue
		case strings.HasPrefix(l, "---"):
			return nil, fail("unknown section %q (--- input, --- want)", l)
		}
		if section == "input" {
			line, err := inputLine(l)
			if err != nil {
				return nil, fail("%v", err)
			}
			c.input = append(c.input, line)
			continue
		}
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		key, val, ok := strings.Cut(l, ": ")
		if !ok {
			if key, ok = strings.CutSuffix(l, ":"); !ok {
				return nil, fail("want key: value, got %q", l)
			}
		}
		if strings.HasPrefix(val, `"`) {
			v, err := strconv.Unquote(val)
			if err != nil {
				return nil, fail("bad quoted value %s: %v", val, err)
			}
			val = v
		}
		if section == "head" {
			if key != "format" {
				return nil, fail("unknown case attribute %q (format)", key)
			}
			c.format = val
			continue
		}
		o.empty = false
		if err := o.set(key, val); err != nil {
			return nil, fail("%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := finish(); err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", file)
	}
	return cases, nil
}

// inputLine reads one line of an input section: verbatim, or Go-quoted when
// it starts with a double quote. A verbatim line must be printable text with
// no space at either end, so that what the file shows is what the parser
// reads.
func inputLine(l string) (string, error) {
	if strings.HasPrefix(l, `"`) {
		s, err := strconv.Unquote(l)
		if err != nil {
			return "", fmt.Errorf("bad quoted line: %v", err)
		}
		if strings.ContainsRune(s, '\n') {
			return "", fmt.Errorf("a quoted line holds a newline: write one line per line")
		}
		return s, nil
	}
	if !utf8.ValidString(l) || strings.TrimSpace(l) != l {
		return "", fmt.Errorf("line %q must be quoted (invalid UTF-8 or space at an end)", l)
	}
	for _, r := range l {
		if !strconv.IsPrint(r) {
			return "", fmt.Errorf("line %q must be quoted (it holds %U)", l, r)
		}
	}
	return l, nil
}

// set records one "key: value" line of a --- want section.
func (o *outcome) set(key, val string) error {
	if c, ok := strByName[key]; ok {
		o.str[c] = val
		return nil
	}
	if c, ok := numByName[key]; ok {
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		o.num[c] = x
		return nil
	}
	switch key {
	case "line":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return fmt.Errorf("line %q is not a line number", val)
		}
		o.line = n
	case "time":
		tm, err := time.Parse(time.RFC3339, val)
		if err != nil || !strings.HasSuffix(val, "Z") {
			return fmt.Errorf("time %q is not RFC 3339 in UTC (…Z)", val)
		}
		o.time, o.hasTime = tm.Unix(), true
	case "offset":
		tm, err := time.Parse("-07:00", val)
		if err != nil {
			return fmt.Errorf("offset %q is not ±hh:mm", val)
		}
		_, off := tm.Zone()
		o.offset = int32(off)
	case "malformed":
		if val == "" {
			return fmt.Errorf("malformed needs part of the reason")
		}
		o.malformed = val
	case "repaired":
		if val == "" {
			return fmt.Errorf("repaired needs part of the reason")
		}
		o.repaired, o.isRepair = val, true
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return nil
}

// pathResult is what one way of reading an input gave.
type pathResult struct {
	name string // "Scanner", "Read chunk 0" ...
	recs []rec
	// perRecord says that recs carry their line, offset and repaired flag
	// (the Scanner); Read's frame keeps one offset and no line numbers,
	// and its repaired lines are in repairs.
	perRecord bool
	offset    int32          // Read: the frame's offset, the first record's
	bad       []*SyntaxError // malformed lines (Read keeps the first maxExamples)
	malformed int
	repaired  int
	repairs   []*SyntaxError // Read: the first maxExamples repaired lines
	lines     int
}

const caseSource = "case.log"

// scanPath reads text in format f with the Scanner. Each record keeps the
// columns the parser declared for it in Cols.
func scanPath(f *Format, text string) pathResult {
	sc := NewScanner(caseSource, strings.NewReader(text), f)
	res := pathResult{name: "Scanner", perRecord: true}
	for sc.Scan() {
		r := sc.Row()
		x := rec{Line: sc.Line(), Time: r.Time, Offset: r.Offset, Num: r.Num, Repaired: sc.Repaired(), Cols: sc.Columns()}
		for i, b := range r.Str {
			x.Str[i] = string(b)
		}
		if x.Repaired {
			res.repaired++
			res.repairs = append(res.repairs, &SyntaxError{Source: caseSource, Line: sc.Line(), Reason: sc.RepairReason()})
		}
		res.recs = append(res.recs, x)
	}
	res.bad = sc.SyntaxErrors()
	res.malformed = len(res.bad)
	res.lines = sc.line
	return res
}

// readPath reads text in format f with Read, in chunks of chunk bytes (0:
// the default).
func readPath(t testing.TB, f *Format, text string, chunk int) pathResult {
	t.Helper()
	res := readAll(t, []Source{ReaderSource(caseSource, strings.NewReader(text))}, Options{Format: f, ChunkSize: chunk, Workers: 2})
	st := res.Sources[0]
	if st.Err != nil || st.Format != f.Name {
		t.Fatalf("Read chunk %d: %+v", chunk, st)
	}
	out := pathResult{name: fmt.Sprintf("Read chunk %d", chunk), offset: res.Frame.Offset,
		bad: st.Examples, malformed: st.Malformed, repaired: st.Repaired, repairs: st.Repairs, lines: st.Lines}
	fr := res.Frame
	if fr.Len() != st.Records {
		t.Fatalf("Read chunk %d: %d rows, %d records", chunk, fr.Len(), st.Records)
	}
	for i := range fr.Len() {
		x := rec{Time: fr.Time[i]}
		for c := frame.StrCol(0); c < frame.NumStrCols; c++ {
			if s := fr.Str(c); s != nil {
				x.Str[c] = s.Value(i)
			}
		}
		for c := frame.NumCol(0); c < frame.NumNumCols; c++ {
			x.Num[c] = missingNum(c)
			if v := fr.Num(c); v != nil {
				x.Num[c] = v[i]
			}
		}
		out.recs = append(out.recs, x)
	}
	return out
}

// clipped is the Text a SyntaxError holds for line.
func clipped(line string) string {
	line = strings.TrimRight(line, "\r\n")
	if len(line) > maxExampleText {
		return line[:maxExampleText] + "…"
	}
	return line
}

// checkWant holds one path's result to a case's expectation.
func checkWant(t testing.TB, c *parserCase, g pathResult) {
	t.Helper()
	var recs, bad []outcome
	for _, w := range c.want {
		if w.malformed != "" {
			bad = append(bad, w)
		} else {
			recs = append(recs, w)
		}
	}
	repaired := 0
	for _, w := range recs {
		if w.isRepair {
			repaired++
		}
	}
	if len(g.recs) != len(recs) || g.malformed != len(bad) || g.repaired != repaired {
		t.Fatalf("%s: %d records (%d repaired), %d malformed %v; want %d (%d repaired), %d",
			g.name, len(g.recs), g.repaired, g.malformed, g.bad, len(recs), repaired, len(bad))
	}
	if g.lines != len(c.input) {
		t.Errorf("%s: %d lines, want %d", g.name, g.lines, len(c.input))
	}
	for i, w := range recs {
		r := g.recs[i]
		where := fmt.Sprintf("%s: record %d (%s:%d)", g.name, i+1, c.file, w.pos)
		for col := frame.StrCol(0); col < frame.NumStrCols; col++ {
			if r.Str[col] != w.str[col] {
				t.Errorf("%s: %s = %q, want %q", where, col, r.Str[col], w.str[col])
			}
		}
		for col := frame.NumCol(0); col < frame.NumNumCols; col++ {
			if !sameNum(r.Num[col], w.num[col]) {
				t.Errorf("%s: %s = %v, want %v", where, col, r.Num[col], w.num[col])
			}
		}
		if r.Time != w.time {
			t.Errorf("%s: time = %s, want %s", where, time.Unix(r.Time, 0).UTC().Format(time.RFC3339), time.Unix(w.time, 0).UTC().Format(time.RFC3339))
		}
		switch {
		case g.perRecord:
			if r.Line != w.line || r.Offset != w.offset || r.Repaired != w.isRepair {
				t.Errorf("%s: line %d offset %d repaired %v, want %d %d %v", where, r.Line, r.Offset, r.Repaired, w.line, w.offset, w.isRepair)
			}
		case i == 0:
			if g.offset != w.offset {
				t.Errorf("%s: frame offset %d, want %d", where, g.offset, w.offset)
			}
		}
	}
	for i, w := range bad {
		if i >= len(g.bad) {
			break // Read keeps maxExamples
		}
		e := g.bad[i]
		if e.Line != w.line || e.Source != caseSource || !strings.Contains(e.Reason, w.malformed) {
			t.Errorf("%s: malformed %+v, want %s line %d, reason containing %q (%s:%d)", g.name, e, caseSource, w.line, w.malformed, c.file, w.pos)
		}
		if want := clipped(c.input[w.line-1]); e.Text != want {
			t.Errorf("%s: malformed line %d text %q, want %q", g.name, e.Line, e.Text, want)
		}
		if want := fmt.Sprintf("%s:%d: %s", caseSource, e.Line, e.Reason); e.Error() != want {
			t.Errorf("%s: Error() = %q, want %q", g.name, e.Error(), want)
		}
	}
	if len(g.bad) != min(len(bad), maxExamples) {
		t.Errorf("%s: %d malformed examples, want %d", g.name, len(g.bad), min(len(bad), maxExamples))
	}
	{
		// Read keeps the first maxExamples repairs; the Scanner says each.
		var want []outcome
		for _, w := range recs {
			if w.isRepair && (g.perRecord || len(want) < maxExamples) {
				want = append(want, w)
			}
		}
		if len(g.repairs) != len(want) {
			t.Fatalf("%s: repairs %v, want %d", g.name, g.repairs, len(want))
		}
		for i, w := range want {
			if e := g.repairs[i]; e.Line != w.line || e.Source != caseSource || !strings.Contains(e.Reason, w.repaired) {
				t.Errorf("%s: repair %+v, want line %d, reason containing %q", g.name, e, w.line, w.repaired)
			}
		}
	}
}

// agree holds a Read result b to the Scanner's result a on the same input:
// the same records with the same values (the Scanner's restricted to the
// columns its parser declared, as a frame keeps them), the same malformed
// lines and the same repaired ones.
func agree(t testing.TB, a, b pathResult) {
	t.Helper()
	if len(a.recs) != len(b.recs) || a.malformed != b.malformed || a.repaired != b.repaired || a.lines != b.lines {
		t.Fatalf("%s: %d records, %d malformed, %d repaired, %d lines; %s: %d, %d, %d, %d",
			a.name, len(a.recs), a.malformed, a.repaired, a.lines, b.name, len(b.recs), b.malformed, b.repaired, b.lines)
	}
	var repairs []int
	for i, x := range a.recs {
		y := b.recs[i]
		for c := frame.StrCol(0); c < frame.NumStrCols; c++ {
			v := x.Str[c]
			if !x.Cols.Str[c] {
				v = ""
			}
			if v != y.Str[c] {
				t.Errorf("record %d (line %d): %s %s = %q, %s %q", i+1, x.Line, a.name, c, v, b.name, y.Str[c])
			}
		}
		for c := frame.NumCol(0); c < frame.NumNumCols; c++ {
			v := x.Num[c]
			if !x.Cols.Num[c] {
				v = missingNum(c)
			}
			if !sameNum(v, y.Num[c]) {
				t.Errorf("record %d (line %d): %s %s = %v, %s %v", i+1, x.Line, a.name, c, v, b.name, y.Num[c])
			}
		}
		if x.Time != y.Time {
			t.Errorf("record %d (line %d): %s time %d, %s %d", i+1, x.Line, a.name, x.Time, b.name, y.Time)
		}
		if x.Repaired && len(repairs) < maxExamples {
			repairs = append(repairs, x.Line)
		}
	}
	if len(a.recs) > 0 && a.recs[0].Offset != b.offset {
		t.Errorf("%s: first offset %d, %s frame offset %d", a.name, a.recs[0].Offset, b.name, b.offset)
	}
	if len(b.bad) != min(len(a.bad), maxExamples) {
		t.Fatalf("%s: %d malformed examples, %s %d", a.name, len(a.bad), b.name, len(b.bad))
	}
	for i, e := range b.bad {
		if x := a.bad[i]; x.Line != e.Line || x.Reason != e.Reason || x.Text != e.Text || x.Source != e.Source {
			t.Errorf("malformed %d: %s %+v, %s %+v", i+1, a.name, x, b.name, e)
		}
	}
	if len(b.repairs) != len(repairs) {
		t.Fatalf("%s repaired lines %v, %s repairs %v", a.name, repairs, b.name, b.repairs)
	}
	for i, e := range b.repairs {
		if e.Line != repairs[i] {
			t.Errorf("repair %d: %s line %d, %s line %d", i+1, a.name, repairs[i], b.name, e.Line)
		}
	}
}

// caseChunks are the chunk sizes Read runs each case with: the default, and
// one line per chunk (the reader carries CloudFront's #Fields: across).
var caseChunks = []int{0, 1}

// TestParserCases runs every case of testdata/*.txt through the Scanner and
// Read.
func TestParserCases(t *testing.T) {
	for _, file := range caseFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			for _, c := range loadCases(t, file) {
				t.Run(c.name, func(t *testing.T) {
					f := LookupFormat(c.format)
					text := c.text()
					s := scanPath(f, text)
					checkWant(t, c, s)
					for _, chunk := range caseChunks {
						r := readPath(t, f, text, chunk)
						checkWant(t, c, r)
						agree(t, s, r)
					}
				})
			}
		})
	}
}

// TestParserCasesCoverFormats checks that every registered format has cases.
func TestParserCasesCoverFormats(t *testing.T) {
	cases := allCases(t)
	for _, f := range Formats() {
		if len(cases[f.Name]) == 0 {
			t.Errorf("format %s has no case in testdata/*.txt", f.Name)
		}
	}
}

// TestCaseFileErrors checks that the case format refuses what would make a
// case say less than it seems to.
func TestCaseFileErrors(t *testing.T) {
	const rec = "--- want\ntime: 2024-03-04T12:00:00Z\n"
	for _, tc := range []struct{ name, text, err string }{
		{"verbatim tab", "=== a\n--- input\na\tb\n" + rec, "must be quoted"},
		{"verbatim trailing space", "=== a\n--- input\nab \n" + rec, "must be quoted"},
		{"verbatim invalid UTF-8", "=== a\n--- input\na\xffb\n" + rec, "must be quoted"},
		{"unknown key", "=== a\nformat: common\n--- input\nx\n--- want\nagent: x\n", "unknown key"},
		{"unknown format", "=== a\nformat: nope\n--- input\nx\n" + rec, "no format"},
		{"record without time", "=== a\nformat: common\n--- input\nx\n--- want\nip: 1\n", "needs its time"},
		{"no want", "=== a\nformat: common\n--- input\nx\n", "needs --- input and --- want"},
		{"name twice", "=== a\nformat: common\n--- input\nx\n" + rec + "=== a\n", "used twice"},
		{"time not UTC", "=== a\nformat: common\n--- input\nx\n--- want\ntime: 2024-03-04T12:00:00+01:00\n", "in UTC"},
		{"two outcomes, first without line", "=== a\nformat: common\n--- input\nx\ny\n--- want\nmalformed: x\n--- want\nmalformed: y\n", "only the last"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseCases("testdata/x.txt", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want one containing %q", err, tc.err)
			}
		})
	}
}
