package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/logbook/logbook/frame"
)

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstded(t testing.TB, data []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(data, nil)
}

// checkNumbered checks that the stems of f are /p/0, /p/1, ... in order.
func checkNumbered(t testing.TB, f *frame.Frame, from, n int) {
	t.Helper()
	stems := column(f, frame.Stem)
	if len(stems) < from+n {
		t.Fatalf("%d rows, want at least %d", len(stems), from+n)
	}
	for i := range n {
		if want := "/p/" + strconv.Itoa(i); stems[from+i] != want {
			t.Fatalf("row %d = %q, want %q", from+i, stems[from+i], want)
		}
	}
}

// TestCompressionByContent checks that gzip and zstd are recognised by their
// bytes, whatever the file is called, and that plain text named .gz is read
// as text.
func TestCompressionByContent(t *testing.T) {
	dir := t.TempDir()
	data := numberedCombined(500)
	// Concatenated gzip members, as `cat a.gz b.gz` or some rotators write.
	twoMembers := append(gzipped(t, data[:bytes.IndexByte(data, '\n')+1]), gzipped(t, data[bytes.IndexByte(data, '\n')+1:])...)
	for _, tc := range []struct {
		name, comp string
		data       []byte
	}{
		{"access.log", "gzip", gzipped(t, data)},
		{"access.txt", "zstd", zstded(t, data)},
		{"access.log.gz", "", data},
		{"noext", "gzip", gzipped(t, data)},
		{"two-members.log", "gzip", twoMembers},
		{"access.log.zst", "zstd", zstded(t, data)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, tc.name, tc.data)
			res := readAll(t, []Source{FileSource(p, false)}, Options{})
			st := res.Sources[0]
			if st.Err != nil || st.Compression != tc.comp || st.Format != "combined" || st.Records != 500 || st.Lines != 500 {
				t.Fatalf("stats %+v, want %q compression and 500 records", st, tc.comp)
			}
			checkNumbered(t, res.Frame, 0, 500)
		})
	}
	t.Run("stdin gzip", func(t *testing.T) {
		srcs, errs := Expand([]string{"-"}, bytes.NewReader(gzipped(t, data)))
		if len(errs) != 0 || len(srcs) != 1 || srcs[0].Name != "stdin" {
			t.Fatalf("Expand(-) = %v, %v", srcs, errs)
		}
		res := readAll(t, srcs, Options{})
		if st := res.Sources[0]; st.Compression != "gzip" || st.Records != 500 {
			t.Fatalf("stats %+v", st)
		}
	})
}

// TestTruncatedGzip cuts a gzip file in the middle: the source's error names
// the file and says it is truncated, the records before the cut are kept in
// order, the cut line is not taken for a record, and the other sources are
// still read.
func TestTruncatedGzip(t *testing.T) {
	dir := t.TempDir()
	const n = 20000
	data := numberedCombined(n)
	gz := gzipped(t, data)
	cut := writeFile(t, dir, "b-cut.log.gz", gz[:len(gz)/2])
	writeFile(t, dir, "a-good.log", bytes.TrimSuffix(numberedCombined(1000), []byte("\n"))) // no final newline
	writeFile(t, dir, "c-good.log.gz", gzipped(t, numberedCombined(100)))
	for _, chunk := range []int{0, 4096} {
		t.Run(fmt.Sprintf("chunk %d", chunk), func(t *testing.T) {
			srcs, errs := Expand([]string{dir}, nil)
			if len(errs) != 0 || len(srcs) != 3 || srcs[1].Name != cut {
				t.Fatalf("Expand: %v %v", srcs, errs)
			}
			res := readAll(t, srcs, Options{ChunkSize: chunk})
			a, b, c := res.Sources[0], res.Sources[1], res.Sources[2]
			if b.Err == nil || !strings.Contains(b.Err.Error(), cut) || !strings.Contains(b.Err.Error(), "truncated gzip") {
				t.Errorf("error of the cut file = %v, want it named and truncated", b.Err)
			}
			if b.Compression != "gzip" || b.Records < 1000 || b.Records >= n {
				t.Errorf("cut file: %+v", b)
			}
			// The last line of a cut stream is whatever the decompressor
			// produced before the cut: it is counted, not taken for a
			// record.
			if b.Malformed != 1 || b.Lines != b.Records+1 || b.Examples[0].Line != b.Lines ||
				!strings.Contains(b.Examples[0].Reason, "cut short") {
				t.Errorf("cut file: %d lines, %d records, %d malformed %v", b.Lines, b.Records, b.Malformed, b.Examples)
			}
			if a.Malformed != 0 || a.Records != 1000 {
				t.Errorf("a file ending without a newline: %+v", a)
			}
			if a.Err != nil || c.Err != nil || c.Records != 100 || c.Compression != "gzip" {
				t.Errorf("other sources: %+v %+v", a, c)
			}
			if len(res.Failed()) != 1 || res.Failed()[0] != b {
				t.Errorf("Failed() = %v", res.Failed())
			}
			checkNumbered(t, res.Frame, 0, a.Records)
			checkNumbered(t, res.Frame, a.Records, b.Records)
			checkNumbered(t, res.Frame, a.Records+b.Records, 100)
		})
	}

	t.Run("garbage after the gzip magic", func(t *testing.T) {
		p := writeFile(t, t.TempDir(), "bad.gz", []byte{0x1f, 0x8b, 0, 0, 0})
		res := readAll(t, []Source{FileSource(p, false)}, Options{})
		if st := res.Sources[0]; st.Err == nil || !strings.Contains(st.Err.Error(), p) || st.Records != 0 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("truncated zstd", func(t *testing.T) {
		z := zstded(t, data)
		p := writeFile(t, t.TempDir(), "cut.zst", z[:len(z)*2/3])
		res := readAll(t, []Source{FileSource(p, false)}, Options{})
		st := res.Sources[0]
		if st.Err == nil || !strings.Contains(st.Err.Error(), p) || st.Compression != "zstd" {
			t.Errorf("stats %+v", st)
		}
		checkNumbered(t, res.Frame, 0, st.Records)
	})
}

// TestExpand covers the ways inputs are named: directories walked in sorted
// order (hidden entries skipped), globs, files, stdin and names that match
// nothing.
func TestExpand(t *testing.T) {
	dir := t.TempDir()
	line := numberedCombined(1)
	for _, name := range []string{
		"logs/b/2.log", "logs/a/10.log", "logs/a/9.log", "logs/a/9.log.gz", "logs/c.log",
		"logs/.hidden/x.log", "logs/a/.swp", "logs/README.txt",
		"flat/x-2024-03-02.log", "flat/x-2024-03-01.log", "flat/y.log", "flat/x-dir.log/inner.log",
	} {
		writeFile(t, dir, name, line)
	}
	writeFile(t, dir, "logs/README.txt", []byte("These are the logs.\n"))
	rel := func(srcs []Source) []string {
		var out []string
		for _, s := range srcs {
			r, err := filepath.Rel(dir, s.Name)
			if err != nil {
				r = s.Name
			}
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	j := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }

	for _, tc := range []struct {
		name   string
		args   []string
		want   []string
		walked bool
		errs   []string
	}{
		{"directory", []string{j("logs")}, []string{"logs/README.txt", "logs/a/10.log", "logs/a/9.log", "logs/a/9.log.gz", "logs/b/2.log", "logs/c.log"}, true, nil},
		{"glob", []string{j("flat/x-*.log")}, []string{"flat/x-2024-03-01.log", "flat/x-2024-03-02.log"}, false, []string{"matches the folder " + j("flat/x-dir.log") + ", which a pattern does not walk"}},
		{"glob and file keep argument order", []string{j("flat/y.log"), j("flat/x-2024-03-0?.log")}, []string{"flat/y.log", "flat/x-2024-03-01.log", "flat/x-2024-03-02.log"}, false, nil},
		{"glob across directories", []string{j("logs/*/*.log")}, []string{"logs/a/10.log", "logs/a/9.log", "logs/b/2.log"}, false, nil},
		{"file", []string{j("logs/c.log")}, []string{"logs/c.log"}, false, nil},
		{"missing file", []string{j("nope.log"), j("logs/c.log")}, []string{"logs/c.log"}, false, []string{"nope.log"}},
		{"glob matching nothing", []string{j("logs/*.zip")}, nil, false, []string{"no files match"}},
		{"bad pattern", []string{j("logs/[a.log")}, nil, false, []string{"[a.log: syntax error in pattern"}},
		{"hidden names need a dot in the pattern", []string{j("logs/.*/*.log")}, []string{"logs/.hidden/x.log"}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs, errs := Expand(tc.args, nil)
			if got := rel(srcs); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("sources = %q, want %q", got, tc.want)
			}
			for _, s := range srcs {
				if s.Walked != tc.walked {
					t.Errorf("%s: walked = %v, want %v", s.Name, s.Walked, tc.walked)
				}
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors %v, want %d", errs, len(tc.errs))
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), tc.errs[i]) {
					t.Errorf("error %q does not mention %q", e, tc.errs[i])
				}
			}
		})
	}

	t.Run("walked non-log is skipped, not an error", func(t *testing.T) {
		srcs, _ := Expand([]string{j("logs")}, nil)
		res := readAll(t, srcs, Options{})
		if res.Records() != 5 || len(res.Failed()) != 0 {
			t.Errorf("records %d, failed %v", res.Records(), res.Failed())
		}
		if st := res.Sources[0]; st.Skipped == "" || st.Err != nil || st.Records != 0 {
			t.Errorf("README.txt: %+v, want skipped", st)
		}
		// Named on the command line, the same file is an error.
		res = readAll(t, []Source{FileSource(j("logs/README.txt"), false)}, Options{})
		if st := res.Sources[0]; st.Err == nil || st.Skipped != "" || !strings.Contains(st.Err.Error(), "README.txt") {
			t.Errorf("README.txt named: %+v, want an error", st)
		}
	})
}

// TestManyTinyGzipFiles reads a folder of 2,000 small gzip files and checks
// that every record arrives in file order and no file stays open.
func TestManyTinyGzipFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	const files = 2000
	start := numberedCombined(files)
	lines := bytes.SplitAfter(start, []byte("\n"))
	for i := range files {
		text := "#Version: 1.0\n" + cfFields12 + "\n" +
			tsv("2024-03-04", fmt.Sprintf("%02d:%02d:%02d", i/3600, i/60%60, i%60), "FRA2", "182", "192.0.2.10", "GET",
				"d1.cloudfront.net", "/p/"+strconv.Itoa(i), "200", "-", "ua", "-") + "\n"
		name := fmt.Sprintf("E1ABCDEF2GHIJK.2024-03-04-%02d.%08x.gz", i/100, i)
		if i%2 == 1 { // mix in combined files: each source is detected on its own
			text = string(lines[i])
		}
		if err := os.WriteFile(filepath.Join(dir, name), gzipped(t, []byte(text)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srcs, errs := Expand([]string{dir}, nil)
	if len(errs) != 0 || len(srcs) != files {
		t.Fatalf("Expand: %d sources, %v", len(srcs), errs)
	}
	readAll(t, srcs[:1], Options{}) // let the runtime open what it keeps open
	before := openFiles(t)
	res := readAll(t, srcs, Options{})
	after := openFiles(t)
	if before >= 0 && after != before {
		t.Errorf("%d open files before Read, %d after", before, after)
	}
	if res.Records() != files || res.Malformed() != 0 || len(res.Failed()) != 0 {
		t.Fatalf("records %d malformed %d failed %v", res.Records(), res.Malformed(), res.Failed())
	}
	checkNumbered(t, res.Frame, 0, files)
	for i, st := range res.Sources {
		want := "cloudfront"
		if i%2 == 1 {
			want = "combined"
		}
		if st.Format != want || st.Compression != "gzip" {
			t.Fatalf("%s: %+v", st.Name, st)
		}
	}
}

// openFiles counts this process's open file descriptors, or -1 where
// /proc/self/fd does not exist.
func openFiles(t testing.TB) int {
	if runtime.GOOS != "linux" {
		return -1
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestChunkBoundaries reads the same log with chunk sizes that cut lines in
// every place: records, line numbers of malformed lines and repairs must not
// depend on where the chunks end.
func TestChunkBoundaries(t *testing.T) {
	data := numberedCombined(3000)
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines = lines[:len(lines)-1]
	var b bytes.Buffer
	var badLines, repairedLines []int
	k := 0
	for i, l := range lines {
		switch {
		case i%97 == 5:
			b.WriteString("not a log line\r\n")
			badLines = append(badLines, b.Len())
		case i%101 == 7:
			b.WriteString(`192.0.2.1 - - [04/Mar/2024:00:00:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "open agent` + "\n")
			repairedLines = append(repairedLines, b.Len())
		}
		b.Write(l)
		k++
	}
	text := b.Bytes()
	lineOf := func(off int) int { return bytes.Count(text[:off], []byte("\n")) }
	for _, chunk := range []int{0, 1, 7, 100, 1000, 4096, 65536} {
		res := readAll(t, []Source{ReaderSource("mem", bytes.NewReader(text))}, Options{ChunkSize: chunk, Workers: 3})
		st := res.Sources[0]
		if st.Records != 3000+len(repairedLines) || st.Malformed != len(badLines) || st.Repaired != len(repairedLines) ||
			st.Lines != lineOf(len(text)) {
			t.Fatalf("chunk %d: %+v", chunk, st)
		}
		for i, e := range st.Examples {
			if e.Line != lineOf(badLines[i]) || e.Source != "mem" || e.Text != "not a log line" {
				t.Errorf("chunk %d: example %d = %+v, want line %d", chunk, i, e, lineOf(badLines[i]))
			}
		}
		for i, e := range st.Repairs {
			if e.Line != lineOf(repairedLines[i]) {
				t.Errorf("chunk %d: repair %d on line %d, want %d", chunk, i, e.Line, lineOf(repairedLines[i]))
			}
		}
		if len(st.Examples) != maxExamples || len(st.Repairs) != maxExamples {
			t.Errorf("chunk %d: %d examples, %d repairs, want %d each", chunk, len(st.Examples), len(st.Repairs), maxExamples)
		}
	}
}

// TestOverlongLine checks that a line longer than the limit is one malformed
// line, and the lines around it are read.
func TestOverlongLine(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	data := numberedCombined(3)
	i := bytes.IndexByte(data, '\n') + 1
	long := append(append([]byte("203.0.113.1 - - [04/Mar/2024:00:00:00 +0000] \"GET /"), bytes.Repeat([]byte("a"), maxLine+3<<20)...), '\n')
	text := append(append(append([]byte{}, data[:i]...), long...), data[i:]...)
	res := readAll(t, []Source{ReaderSource("mem", bytes.NewReader(text))}, Options{ChunkSize: 1 << 20})
	st := res.Sources[0]
	if st.Records != 3 || st.Malformed != 1 || st.Lines != 4 || st.Examples[0].Line != 2 || !strings.Contains(st.Examples[0].Reason, "longer than") {
		t.Fatalf("%+v %v", st, st.Examples)
	}
	checkNumbered(t, res.Frame, 0, 1)
	if s := column(res.Frame, frame.Stem); s[1] != "/p/1" || s[2] != "/p/2" {
		t.Errorf("stems %q", s)
	}
}

// TestReadOrderAndColumns reads sources of different formats into one frame:
// rows keep source order, columns a source lacks are missing for its rows,
// and the frame's offset is the first record's.
func TestReadOrderAndColumns(t *testing.T) {
	combined := `192.0.2.1 - - [04/Mar/2024:01:00:00 +0100] "GET /c HTTP/1.1" 200 10 "-" "ua"` + "\n"
	common := `192.0.2.2 - bob [04/Mar/2024:01:00:00 -0400] "GET /d HTTP/1.1" 200 20` + "\n"
	cf := "#Version: 1.0\n#Fields: date time c-ip cs-uri-stem sc-status time-taken\n" + tsv("2024-03-04", "00:00:00", "192.0.2.3", "/e", "000", "0.5") + "\n"
	srcs := []Source{
		ReaderSource("one", strings.NewReader(combined)),
		ReaderSource("two", strings.NewReader(common)),
		ReaderSource("three", strings.NewReader(cf)),
		ReaderSource("empty", strings.NewReader("")),
	}
	res := readAll(t, srcs, Options{})
	f := res.Frame
	if got := strings.Join(column(f, frame.Stem), " "); got != "/c /d /e" {
		t.Errorf("stems %q", got)
	}
	if got := column(f, frame.UserAgent); got[0] != "ua" || got[1] != "" || got[2] != "" {
		t.Errorf("user agents %q", got)
	}
	if got := column(f, frame.User); got[1] != "bob" {
		t.Errorf("users %q", got)
	}
	if tt := f.Num(frame.TimeTaken); tt == nil || !sameNum(tt[0], nan) || tt[2] != 0.5 {
		t.Errorf("time taken %v", tt)
	}
	if b := f.Num(frame.Bytes); b[0] != 10 || b[1] != 20 || b[2] != 0 {
		t.Errorf("bytes %v", b)
	}
	if want := []int64{utc(t, "2024-03-04T00:00:00Z"), utc(t, "2024-03-04T05:00:00Z"), utc(t, "2024-03-04T00:00:00Z")}; fmt.Sprint(f.Time) != fmt.Sprint(want) {
		t.Errorf("times %v, want %v", f.Time, want)
	}
	if f.Offset != 3600 || f.Location().String() != "+0100" {
		t.Errorf("offset %d %s, want the first record's +0100", f.Offset, f.Location())
	}
	formats := []string{"combined", "common", "cloudfront"}
	for i, want := range formats {
		if res.Sources[i].Format != want || res.Sources[i].Records != 1 {
			t.Errorf("source %d: %+v", i, res.Sources[i])
		}
	}
	// An empty source named on the command line (a log just rotated) is
	// a note, not an error (issue #15).
	if st := res.Sources[3]; st.Err != nil || st.Note != "empty" || st.Records != 0 || st.Lines != 0 {
		t.Errorf("empty source named on the command line: %+v, want the note \"empty\"", st)
	}

	// A forced format reads what it can and counts the rest as malformed.
	srcs = []Source{
		ReaderSource("one", strings.NewReader(combined)),
		ReaderSource("two", strings.NewReader(common)),
		ReaderSource("three", strings.NewReader(cf)),
	}
	res = readAll(t, srcs[:2], Options{Format: LookupFormat("common")})
	if res.Records() != 2 || res.Sources[0].Format != "common" || res.Frame.Str(frame.UserAgent) != nil {
		t.Errorf("forced common: %d records, %+v", res.Records(), res.Sources[0])
	}
	res = readAll(t, srcs[2:3], Options{Format: LookupFormat("combined")})
	if st := res.Sources[0]; st.Records != 0 || st.Malformed != 3 || st.Lines != 3 {
		t.Errorf("CloudFront forced as combined: %+v", st)
	}
}

// TestProgress checks that the progress callback sees every byte as
// stored: the compressed size of a gzipped source, which TotalSize sums.
func TestProgress(t *testing.T) {
	data := numberedCombined(2000)
	gz := gzipped(t, data)
	path := filepath.Join(t.TempDir(), "a.log.gz")
	if err := os.WriteFile(path, gz, 0o644); err != nil {
		t.Fatal(err)
	}
	var n int64
	var mu = make(chan struct{}, 1)
	srcs := []Source{FileSource(path, false), ReaderSource("mem", bytes.NewReader(data))}
	res := readAll(t, srcs, Options{ChunkSize: 1000, Progress: func(k int64) {
		mu <- struct{}{}
		n += k
		<-mu
	}})
	if want := int64(len(gz) + len(data)); res.Records() != 4000 || n != want {
		t.Errorf("records %d, progress %d bytes, want %d", res.Records(), n, want)
	}
	if total, ok := TotalSize(srcs[:1]); !ok || total != int64(len(gz)) {
		t.Errorf("TotalSize = %d, %v; want %d", total, ok, len(gz))
	}
	if _, ok := TotalSize(srcs); ok {
		t.Error("TotalSize knows the size of a reader")
	}
}

// TestScannerReadsLikeRead checks that the Scanner and Read agree on a real
// sample.
func TestScannerReadsLikeRead(t *testing.T) {
	p := filepath.Join(samplesDir, "apache", "access.log")
	fh, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := NewScanner(p, fh, LookupFormat("combined"))
	res := readAll(t, []Source{FileSource(p, false)}, Options{})
	ips := column(res.Frame, frame.IP)
	i := 0
	for sc.Scan() {
		if sc.Row().Time != res.Frame.Time[i] || string(sc.Row().Str[frame.IP]) != ips[i] {
			t.Fatalf("record %d differs", i)
		}
		if sc.Repaired() != (sc.Line() == 8899) {
			t.Errorf("line %d: repaired = %v", sc.Line(), sc.Repaired())
		}
		i++
	}
	if sc.Err() != nil || i != 10000 || len(sc.SyntaxErrors()) != 0 {
		t.Errorf("scanned %d, err %v, syntax errors %v", i, sc.Err(), sc.SyntaxErrors())
	}
	_, _ = io.Discard.Write(nil)
}

// TestByteOrderMark: a UTF-8 byte-order mark before the first line (Windows
// tools write one) is not part of it, for Read and for the Scanner: it hid
// a CloudFront header and spoilt a first record's client.
func TestByteOrderMark(t *testing.T) {
	bom := "\xef\xbb\xbf"
	for _, tc := range []struct{ format, text, ip string }{
		{"cloudfront", bom + "#Version: 1.0\n" + cfFields12 + "\n2024-03-04\t10:00:00\tFRA56-C1\t512\t192.0.2.1\tGET\td1.cloudfront.net\t/\t200\t-\tcurl/8\t-\n", "192.0.2.1"},
		{"combined", bom + `192.0.2.7 - - [04/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"` + "\n", "192.0.2.7"},
	} {
		res := readAll(t, []Source{ReaderSource("bom.log", strings.NewReader(tc.text))}, Options{})
		st := res.Sources[0]
		if st.Format != tc.format || st.Records != 1 || st.Malformed != 0 || column(res.Frame, frame.IP)[0] != tc.ip {
			t.Errorf("%s with a BOM: format %q, %d records, %d malformed, ip %v", tc.format, st.Format, st.Records, st.Malformed, column(res.Frame, frame.IP))
		}
		sc := NewScanner("bom.log", strings.NewReader(tc.text), LookupFormat(tc.format))
		if !sc.Scan() || string(sc.Row().Str[frame.IP]) != tc.ip || len(sc.SyntaxErrors()) != 0 {
			t.Errorf("%s with a BOM through the Scanner: ip %q, errors %v", tc.format, sc.Row().Str[frame.IP], sc.SyntaxErrors())
		}
	}
}
