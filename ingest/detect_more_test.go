package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// Detection that is not fooled by an unrepresentative start, and sources
// that change format part-way.

// walked reads text as a file found in a directory, so that a source
// taken for "not a log" is skipped, not failed.
func walked(t *testing.T, text []byte, chunk int) *SourceStats {
	t.Helper()
	res := readWalked(t, text, chunk)
	return res.Sources[0]
}

func readWalked(t *testing.T, text []byte, chunk int) *Result {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "access.log", text)
	srcs, errs := Expand([]string{dir}, nil)
	if len(errs) != 0 || len(srcs) != 1 || !srcs[0].Walked {
		t.Fatalf("Expand: %v %v", srcs, errs)
	}
	return readAll(t, srcs, Options{ChunkSize: chunk, Workers: 3})
}

// numberedCommon is numberedCombined without the referer and the agent,
// stems /p/from ... /p/from+n-1.
func numberedCommon(from, n int) []byte {
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "10.1.0.%d - bob [04/Mar/2024:00:00:00 +0000] \"GET /p/%d HTTP/1.1\" 200 %d\n", i%256, i, 100+i)
	}
	return b.Bytes()
}

// numberedCombinedFrom is numberedCombined with stems from /p/from on.
func numberedCombinedFrom(from, n int) []byte {
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "10.2.0.%d - - [04/Mar/2024:00:00:00 +0000] \"GET /p/%d HTTP/1.1\" 200 %d \"-\" \"agent/%d\"\n", i%256, i, 100+i, i%7)
	}
	return b.Bytes()
}

// TestNULRun: a file truncated while written (logrotate's copytruncate)
// starts with a run of NUL bytes; it was skipped as not a log, its records
// lost. The run is one malformed line, with its reason; the log after it is
// read, whatever the chunk size.
func TestNULRun(t *testing.T) {
	log := numberedCombined(100)
	for _, tc := range []struct {
		name      string
		run       string
		lines     int // lines the run spans
		exampleAt int
	}{
		{"1 MB of NUL then the log", strings.Repeat("\x00", 1<<20), 0, 1},
		{"NUL and line ends", strings.Repeat("\x00", 5000) + "\n" + strings.Repeat("\x00", 70000) + "\n", 2, 1},
		{"a few NUL", "\x00\x00\x00", 0, 1},
	} {
		for _, chunk := range []int{0, 64, 4096} {
			t.Run(fmt.Sprintf("%s/chunk %d", tc.name, chunk), func(t *testing.T) {
				res := readWalked(t, append([]byte(tc.run), log...), chunk)
				st := res.Sources[0]
				if st.Skipped != "" || st.Err != nil || st.Format != "combined" || st.Records != 100 || st.Malformed != 1 || st.Lines != 100+tc.lines {
					t.Fatalf("%+v", st)
				}
				e := st.Examples[0]
				if e.Line != tc.exampleAt || !strings.Contains(e.Reason, "run of") || !strings.Contains(e.Reason, "NUL bytes") {
					t.Errorf("example %+v", e)
				}
				checkNumbered(t, res.Frame, 0, 100)
			})
		}
	}
	// A file of nothing but NUL bytes is not a log.
	if st := walked(t, bytes.Repeat([]byte{0}, 100000), 0); st.Skipped == "" || st.Records != 0 {
		t.Errorf("all NUL: %+v", st)
	}
}

// TestLongFirstLine: a first line longer than the detection chunk left no
// whole line to detect from, and the file was skipped.
func TestLongFirstLine(t *testing.T) {
	long := `192.0.2.1 - - [04/Mar/2024:00:00:00 +0000] "GET /` + strings.Repeat("a", 3*detectBytes) + ` HTTP/1.1" 200 1 "-" "ua"` + "\n"
	for _, chunk := range []int{0, 64} {
		st := walked(t, append([]byte(long), numberedCombined(100)...), chunk)
		if st.Skipped != "" || st.Format != "combined" || st.Records != 101 || st.Malformed != 0 || st.Lines != 101 {
			t.Errorf("chunk %d: %+v", chunk, st)
		}
	}
}

// TestDetectAfterJunk: when the first lines are junk, detection looks
// further, by lines and by bytes, before giving up.
func TestDetectAfterJunk(t *testing.T) {
	for _, tc := range []struct {
		name string
		junk int
	}{
		{"60 junk lines", 60},
		{"more junk than the detection chunk", 600},
	} {
		junk := strings.Repeat("junk: nothing a log format reads, padded out to some length ......................................\n", tc.junk)
		text := append([]byte(junk), numberedCombined(400)...)
		if f, err := Detect(text); err != nil || f.Name != "combined" {
			t.Errorf("%s: Detect = %v, %v", tc.name, f, err)
		}
		for _, chunk := range []int{0, 64} {
			res := readWalked(t, text, chunk)
			st := res.Sources[0]
			if st.Skipped != "" || st.Format != "combined" || st.Records != 400 || st.Malformed != tc.junk || st.Lines != 400+tc.junk {
				t.Errorf("%s, chunk %d: %+v", tc.name, chunk, st)
				continue
			}
			checkNumbered(t, res.Frame, 0, 400)
		}
	}
	// Junk alone is still not a log.
	if _, err := Detect([]byte(strings.Repeat("junk\n", 2000))); err == nil {
		t.Error("junk detected as a log")
	}
}

// TestFormatChange: a server's LogFormat changed without rotating the log.
// Each part is read in its own format, from the line it begins on, and
// reported; the result does not depend on the chunk size.
func TestFormatChange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		text  []byte
		spans []FormatSpan
		ua    func(i int) bool // whether record i has a user agent
	}{
		{"common then combined", append(numberedCommon(0, 150), numberedCombinedFrom(150, 150)...),
			[]FormatSpan{{"common", 1}, {"combined", 151}}, func(i int) bool { return i >= 150 }},
		{"combined then common", append(numberedCombinedFrom(0, 150), numberedCommon(150, 150)...),
			[]FormatSpan{{"combined", 1}, {"common", 151}}, func(i int) bool { return i < 150 }},
		{"a short common start", append(numberedCommon(0, 30), numberedCombinedFrom(30, 270)...),
			[]FormatSpan{{"common", 1}, {"combined", 31}}, func(i int) bool { return i >= 30 }},
		{"three parts", append(append(numberedCommon(0, 100), numberedCombinedFrom(100, 100)...), numberedCommon(200, 100)...),
			[]FormatSpan{{"common", 1}, {"combined", 101}, {"common", 201}}, func(i int) bool { return i >= 100 && i < 200 }},
	} {
		for _, chunk := range []int{0, 64, 1000} {
			res := readAll(t, []Source{ReaderSource("mem", bytes.NewReader(tc.text))}, Options{ChunkSize: chunk, Workers: 3})
			st := res.Sources[0]
			if st.Records != 300 || st.Malformed != 0 || st.Format != tc.spans[0].Format || fmt.Sprint(st.Formats) != fmt.Sprint(tc.spans) {
				t.Errorf("%s, chunk %d: formats %v, want %v; %+v", tc.name, chunk, st.Formats, tc.spans, st)
				continue
			}
			checkNumbered(t, res.Frame, 0, 300)
			ua := column(res.Frame, frame.UserAgent)
			for i, a := range ua {
				if (a != "") != tc.ua(i) {
					t.Errorf("%s, chunk %d: record %d has user agent %q", tc.name, chunk, i, a)
					break
				}
			}
		}
	}
	// A forced format does not change.
	text := append(numberedCommon(0, 150), numberedCombinedFrom(150, 150)...)
	res := readAll(t, []Source{ReaderSource("mem", bytes.NewReader(text))}, Options{Format: LookupFormat("common")})
	if st := res.Sources[0]; fmt.Sprint(st.Formats) != "[{common 1}]" || st.Records != 300 {
		t.Errorf("forced: %+v", st)
	}
	// One format: one span.
	res = readAll(t, []Source{ReaderSource("mem", bytes.NewReader(numberedCombined(10)))}, Options{})
	if st := res.Sources[0]; fmt.Sprint(st.Formats) != "[{combined 1}]" {
		t.Errorf("one format: %v", st.Formats)
	}
}

// TestNoFlipOnJunk: junk lines, even ones another format's sniff takes, do
// not switch a source's format back and forth, whatever the chunk size.
func TestNoFlipOnJunk(t *testing.T) {
	var b bytes.Buffer
	lines := bytes.SplitAfter(numberedCombined(2000), []byte("\n"))
	junk, common := 0, 0
	for i, l := range lines[:2000] {
		switch {
		case i%13 == 3:
			b.WriteString("not a log line\n")
			junk++
		case i%17 == 5:
			b.Write(numberedCommon(9000+i, 1))
			common++
		case i%61 == 9:
			// A short run of common lines, still a minority of a window.
			for k := range 4 {
				b.Write(numberedCommon(8000+i*4+k, 1))
				common++
			}
		}
		b.Write(l)
	}
	for _, chunk := range []int{0, 64, 100, 4096} {
		st := readAll(t, []Source{ReaderSource("mem", bytes.NewReader(b.Bytes()))}, Options{ChunkSize: chunk, Workers: 3}).Sources[0]
		if fmt.Sprint(st.Formats) != "[{combined 1}]" || st.Malformed != junk || st.Records != 2000+common {
			t.Errorf("chunk %d: formats %v, %d malformed (want %d), %d records (want %d)", chunk, st.Formats, st.Malformed, junk, st.Records, 2000+common)
		}
	}
}
