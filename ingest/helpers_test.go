package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// samplesDir is the repository's committed sample logs.
const samplesDir = "../samples"

// rec is a record as a test sees it: a copy of frame.Row with strings.
type rec struct {
	Line     int
	Time     int64
	Offset   int32
	Str      [frame.NumStrCols]string
	Num      [frame.NumNumCols]float64
	Repaired bool
	Cols     frame.Set // the columns the parser declared for the record
}

// scan parses text in format name with the Scanner and returns the records,
// the malformed lines and the scanner.
func scan(t testing.TB, name, text string) ([]rec, []*SyntaxError, *Scanner) {
	t.Helper()
	f := LookupFormat(name)
	if f == nil {
		t.Fatalf("no format %q", name)
	}
	sc := NewScanner("test.log", strings.NewReader(text), f)
	var out []rec
	for sc.Scan() {
		r := sc.Row()
		x := rec{Line: sc.Line(), Time: r.Time, Offset: r.Offset, Num: r.Num, Repaired: sc.Repaired()}
		for i, b := range r.Str {
			x.Str[i] = string(b)
		}
		out = append(out, x)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scanner: %v", err)
	}
	return out, sc.SyntaxErrors(), sc
}

// utc parses an RFC 3339 time into Unix seconds.
func utc(t testing.TB, s string) int64 {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.Unix()
}

var nan = math.NaN()

// sameNum compares floats, with NaN equal to NaN.
func sameNum(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

// readAll reads sources with Read and fails on a per-source error unless
// allowErr.
func readAll(t testing.TB, srcs []Source, opt Options) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := Read(ctx, srcs, opt)
	if ctx.Err() != nil {
		t.Fatal("Read did not finish in a minute")
	}
	return res
}

// column returns the values of a string column of f, "" for a missing column.
func column(f *frame.Frame, c frame.StrCol) []string {
	out := make([]string, f.Len())
	if s := f.Str(c); s != nil {
		for i := range out {
			out[i] = s.Value(i)
		}
	}
	return out
}

// writeFile writes data to name under dir, creating directories.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// numberedCombined returns n combined lines whose stems are /p/0 ... /p/n-1,
// one second apart from 2024-03-04 00:00:00 +0000.
func numberedCombined(n int) []byte {
	var b bytes.Buffer
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	for i := range n {
		ts := start.Add(time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&b, "10.0.%d.%d - - [%s] \"GET /p/%d HTTP/1.1\" 200 %d \"-\" \"agent/%d\"\n",
			i/256%256, i%256, ts, i, 100+i%1000, i%7)
	}
	return b.Bytes()
}

// sampleHead reads the start of a sample, gunzipped when it is gzip; ok is
// false for a file Detect cannot be shown as is (zstd).
func sampleHead(t *testing.T, path string) ([]byte, bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		data, err = io.ReadAll(io.LimitReader(zr, 1<<20))
		if err != nil && err != io.ErrUnexpectedEOF {
			t.Fatal(err)
		}
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return nil, false
	}
	return data[:min(len(data), 1<<20)], true
}

// sampleFormats is what Detect says of the files under each folder of
// samples/; a folder not listed holds a format whose tests name it.
var sampleFormats = map[string]string{
	"apache":          "combined",
	"synthetic":       "combined",
	"hostile":         "combined",
	"cloudfront":      "cloudfront",
	"cloudfront-real": "cloudfront",
	"iis":             "w3c",
	"s3":              "s3",
	"alb":             "alb",
	"haproxy":         "haproxy",
	"iis-advanced":    "w3c",
	"ltsv":            "ltsv",
}
