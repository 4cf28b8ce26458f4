package ingest

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// FuzzLTSV holds the LTSV parser's line scanner and parallel reader to
// each other (fuzzLines), detected (spec 0) or through the ltsv: mappings
// of testdata/ltsv.txt.
func FuzzLTSV(f *testing.F) {
	all := allCases(f)
	specs := []string{"ltsv"}
	for name := range all {
		if strings.HasPrefix(name, "ltsv:") {
			specs = append(specs, name)
		}
	}
	slices.Sort(specs[1:])
	for i, name := range specs {
		for _, c := range all[name] {
			f.Add(uint8(i), uint8(0), []byte(c.text()))
		}
	}
	f.Fuzz(func(t *testing.T, spec, chunk uint8, data []byte) {
		fuzzLines(t, specs[int(spec)%len(specs)], chunk, data)
	})
}

// TestLTSVParseDoesNotAllocate: once a source's labels are cached, a line
// costs no allocation, as in every format (doc.go).
func TestLTSVParseDoesNotAllocate(t *testing.T) {
	lines := [][]byte{
		[]byte("time:[06/Mar/2024:09:15:02 +0900]\thost:203.0.113.7\tforwardedfor:198.51.100.2, 10.0.0.1\treq:POST /api/items?page=2 HTTP/2.0\tstatus:201\tsize:48\treferer:-\tua:curl/8.5.0\treqtime:0.125\tvhost:shop.example.jp:443\tapptime:0.100, 0.020"),
		[]byte("time:[06/Mar/2024:09:15:03 +0900]\thost:203.0.113.8\tforwardedfor:-\treq:GET / HTTP/1.1\tstatus:200\tsize:1048\treferer:https://www.example.jp/\tua:Mozilla/5.0\treqtime:0.004\tvhost:shop.example.jp\tapptime:-"),
	}
	p := newLTSVParser()
	var row frame.Row
	for _, l := range lines {
		if k, err := p.parse(l, &row); err != nil || k != kindRecord {
			t.Fatalf("%s: %v", l, err)
		}
	}
	n := 0
	if a := testing.AllocsPerRun(200, func() {
		p.parse(lines[n%len(lines)], &row)
		n++
	}); a != 0 {
		t.Errorf("%v allocations per line", a)
	}
}

// TestLTSVSampleIsTheApacheSample: samples/ltsv/access.log is the first
// 500 lines of samples/apache/access.log written with ltsv.org's labels
// (samples/README.md): detected as LTSV, each of its records holds what
// the combined line it was written from holds, column by column.
func TestLTSVSampleIsTheApacheSample(t *testing.T) {
	ltsv, err := os.ReadFile(filepath.Join(samplesDir, "ltsv", "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	apache, err := os.ReadFile(filepath.Join(samplesDir, "apache", "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Detect(ltsv)
	if err != nil || f.Name != "ltsv" {
		t.Fatalf("samples/ltsv/access.log detected as %v (%v), want ltsv", f, err)
	}
	rows := func(name string, data []byte, f *Format, n int) []frame.Row {
		sc := NewScanner(name, bytes.NewReader(data), f)
		var out []frame.Row
		for len(out) < n && sc.Scan() {
			r := *sc.Row()
			for i, b := range r.Str {
				r.Str[i] = bytes.Clone(b)
			}
			out = append(out, r)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if len(sc.SyntaxErrors()) > 0 {
			t.Fatalf("%s: %v", name, sc.SyntaxErrors()[0])
		}
		return out
	}
	got := rows("ltsv", ltsv, f, 1<<30)
	want := rows("apache", apache, LookupFormat("combined"), len(got))
	if len(got) != 500 || len(want) != len(got) {
		t.Fatalf("%d LTSV records, %d combined ones; want 500 each", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Time != w.Time || g.Offset != w.Offset {
			t.Fatalf("record %d: time %d%+d, want %d%+d", i+1, g.Time, g.Offset, w.Time, w.Offset)
		}
		for c := range frame.NumStrCols {
			if !bytes.Equal(g.Str[c], w.Str[c]) {
				t.Fatalf("record %d: %s %q, want %q", i+1, c, g.Str[c], w.Str[c])
			}
		}
		for c := range frame.NumNumCols {
			gn, wn := g.Num[c], w.Num[c]
			if gn != wn && !(math.IsNaN(gn) && math.IsNaN(wn)) {
				t.Fatalf("record %d: %s %v, want %v", i+1, c, gn, wn)
			}
		}
	}
}
