package logbook

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
)

// partialSections are the sections that accumulate chunk by chunk.
func partialSections() []string {
	var out []string
	for _, j := range analysis.Defaults(analysis.All()) {
		if _, ok := j.Analysis.(analysis.Partial); ok {
			out = append(out, j.Info.Name)
		}
	}
	return out
}

// runJSON runs cfg, in one frame or chunk by chunk, and returns its JSON
// report, its problems, and whether it went chunk by chunk.
func runJSON(t *testing.T, cfg Config, frame bool) (string, []Problem, bool) {
	t.Helper()
	return runJSONBytes(t, cfg, frame, -1)
}

// runJSONBytes is runJSON with frameBytes set to fb.
func runJSONBytes(t *testing.T, cfg Config, frame bool, fb int64) (string, []Problem, bool) {
	t.Helper()
	forceFrame, chunkRows, frameBytes = frame, 1000, fb
	defer func() { forceFrame, chunkRows, frameBytes = false, 0, 512<<20 }()
	chunked := false
	cfg.Phase = func(name string) { chunked = chunked || strings.HasPrefix(name, "read and accumulated") }
	var buf bytes.Buffer
	cfg.Outputs = []Output{{Path: "-", Format: "json"}}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(&buf, nil); err != nil {
		t.Fatal(err)
	}
	return buf.String(), out.Problems, chunked
}

// TestChunksAsFrame: a run whose sections all accumulate chunk by chunk
// (chunks of 1,000 records here, so that every sample is many chunks)
// writes the same report as the same run on one frame, byte for byte, with
// the same problems: on every sample, with windows, filters (one on a
// column some formats lack), anonymized addresses and a zone for zone-less
// times.
func TestChunksAsFrame(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		edit func(c *Config)
	}{
		{"samples", func(c *Config) {}},
		{"status and crawlers", func(c *Config) { c.Status, c.CrawlerFilter = []string{"2xx", "404"}, "ignore" }},
		{"paths and addresses", func(c *Config) {
			c.ExcludePath, c.ExcludeIP = []string{"*.css", "re:^/wp-"}, []string{"10.0.0.0/8", "2001:db8::/32"}
		}},
		{"hosts, a column most formats lack", func(c *Config) { c.Hosts = []string{"*.cloudfront.net", "*example*"} }},
		{"window", func(c *Config) { c.Since, c.Until = "2015-05-17", "2024-03-06" }},
		{"last, from now", func(c *Config) { c.Last, c.Now = "3000d", now }},
		{"anonymized", func(c *Config) { c.AnonymizeIP = "truncate" }},
		{"zone-less times in a zone", func(c *Config) { c.Inputs, c.LogTimeZone = []string{"samples/haproxy/"}, "Europe/Paris" }},
		{"nothing selected", func(c *Config) { c.Since, c.Until = "1990-01-01", "1990-01-02" }},
		{"compared with the previous week", func(c *Config) { c.Week, c.Compare = "2024-W10", "previous" }},
		{"compared, anonymized", func(c *Config) {
			c.Since, c.Until, c.Compare, c.AnonymizeIP = "2024-03-07", "2024-03-10", "previous", "truncate"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Inputs: []string{"samples/"}, Sections: sections, Now: now}
			tc.edit(&cfg)
			want, wantProblems, chunked := runJSON(t, cfg, true)
			if chunked {
				t.Fatal("forced to one frame, the run went chunk by chunk")
			}
			got, gotProblems, chunked := runJSON(t, cfg, false)
			if !chunked {
				t.Fatalf("the run read one frame: %s", func() string { p, _ := cfg.compile(); return p.frameNeeded(&cfg) }())
			}
			if got != want {
				t.Errorf("chunk by chunk differs from one frame:\n%s", firstDifference(want, got))
			}
			if len(gotProblems) != len(wantProblems) {
				t.Fatalf("problems %v, want %v", gotProblems, wantProblems)
			}
			for i := range gotProblems {
				if gotProblems[i] != wantProblems[i] {
					t.Errorf("problem %d: %+v, want %+v", i, gotProblems[i], wantProblems[i])
				}
			}
		})
	}
}

// TestStdinFrameFirst: standard input, whose size is not known, is read
// as one frame up to frameCheckBytes, and past them for as long as nearly
// every key is new; a log that repeats its keys goes on chunk by chunk
// there (the frame read so far the first chunk). Either way the report is
// the one of a run chunk by chunk from the start, with the same problems.
func TestStdinFrameFirst(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	var usual []byte
	for _, f := range []string{"samples/apache/access.log", "samples/synthetic/combined-outage.log"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		usual = append(usual, b...)
	}
	// 20,000 lines, each with an address, a path, an agent and a
	// referer of its own.
	var unique []byte
	for i := range 20000 {
		unique = fmt.Appendf(unique, "10.%d.%d.%d - - [04/Mar/2024:%02d:%02d:%02d +0000] \"GET /item/%d HTTP/1.1\" 200 %d \"https://r%d.example.org/\" \"agent/%d\"\n",
			i>>16, i>>8&255, i&255, i/3600%24, i/60%60, i%60, i, 100+i%5000, i, i)
	}
	defer func(n int64) { frameCheckBytes = n }(frameCheckBytes)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		data       []byte
		check      int64
		edit       func(c *Config)
		wantChunks bool
	}{
		{"within the check", usual, 64 << 20, func(c *Config) {}, false},
		{"past the check", usual, 1 << 20, func(c *Config) {}, true},
		{"past the check, compared with the previous week", usual, 1 << 20, func(c *Config) { c.Week, c.Compare = "2024-W10", "previous" }, true},
		{"past the check, every key new", unique, 1 << 20, func(c *Config) {}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(fb int64) (string, []Problem, bool) {
				cfg := Config{Inputs: []string{"-"}, Stdin: bytes.NewReader(tc.data), Sections: sections, Now: now}
				tc.edit(&cfg)
				return runJSONBytes(t, cfg, false, fb)
			}
			want, wantProblems, chunked := run(-1)
			if !chunked {
				t.Fatal("frameBytes -1: the run read one frame")
			}
			frameCheckBytes = tc.check
			got, gotProblems, chunked := run(512 << 20)
			if chunked != tc.wantChunks {
				t.Errorf("%d bytes, frameCheckBytes %d: chunked %v, want %v", len(tc.data), tc.check, chunked, tc.wantChunks)
			}
			if got != want {
				t.Errorf("differs from chunk by chunk:\n%s", firstDifference(want, got))
			}
			if !slices.Equal(gotProblems, wantProblems) {
				t.Errorf("problems %v, want %v", gotProblems, wantProblems)
			}
		})
	}
}

// TestFrameNeeded: a run accumulates chunk by chunk unless a section or an
// option needs every record at once.
func TestFrameNeeded(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	for _, tc := range []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) {}, ""},
		{func(c *Config) { c.Last = "7d" }, "newest record"},
		{func(c *Config) { c.Last, c.Now = "7d", time.Now() }, ""},
		{func(c *Config) { c.Week, c.Compare = "2024-W10", "previous" }, ""},
		{func(c *Config) { c.Week, c.Compare = "last", "previous" }, "newest record"},
	} {
		cfg := Config{Inputs: []string{"x.log"}, Sections: sections}
		tc.edit(&cfg)
		p, err := cfg.compile()
		if err != nil {
			t.Fatal(err)
		}
		if got := p.frameNeeded(&cfg); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%+v: frameNeeded %q, want %q", cfg, got, tc.want)
		}
	}
	if len(sections) < len(analysis.All()) {
		cfg := Config{Inputs: []string{"x.log"}}
		p, _ := cfg.compile()
		if got := p.frameNeeded(&cfg); !strings.Contains(got, "runs on the whole frame") {
			t.Errorf("all sections: frameNeeded %q", got)
		}
	}
}

// firstDifference shows where two texts first differ.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-300)
	return "want …" + a[lo:min(len(a), i+300)] + "…\n got …" + b[lo:min(len(b), i+300)] + "…"
}

// TestChunkedBySize: a run whose sections could all accumulate chunk by
// chunk reads one frame for a small input, one frame first (then as
// keepFrame says) for one past frameBytes (a compressed file counted at
// its text's likely size) or of unknown size, and chunk by chunk from the
// start with partial files.
func TestChunkedBySize(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	dir := t.TempDir()
	small := dir + "/small.log"
	gz := dir + "/small.log.gz"
	for _, f := range []string{small, gz} {
		if err := os.WriteFile(f, bytes.Repeat([]byte("x"), 1000), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{Inputs: []string{small}, Sections: sections}
	p, err := cfg.compile()
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int64) { frameBytes = n }(frameBytes)
	for _, tc := range []struct {
		name     string
		sources  []ingest.Source
		limit    int64
		partials bool
		want     readMode
	}{
		{"small", []ingest.Source{ingest.FileSource(small, false)}, 5000, false, readFrame},
		{"past the limit", []ingest.Source{ingest.FileSource(small, false), ingest.FileSource(small, false)}, 1500, false, readFrameFirst},
		{"compressed, likely past it", []ingest.Source{ingest.FileSource(gz, false)}, 5000, false, readFrameFirst},
		{"standard input", []ingest.Source{ingest.ReaderSource("-", strings.NewReader(""))}, 5000, false, readFrameFirst},
		{"standard input and a small file", []ingest.Source{ingest.ReaderSource("-", strings.NewReader("")), ingest.FileSource(small, false)}, 5000, false, readFrameFirst},
		{"standard input, partials", []ingest.Source{ingest.ReaderSource("-", strings.NewReader(""))}, 5000, true, readChunks},
		{"partials", []ingest.Source{ingest.FileSource(small, false)}, 5000, true, readChunks},
	} {
		frameBytes = tc.limit
		if got := p.readMode(&cfg, tc.sources, tc.partials); got != tc.want {
			t.Errorf("%s: read mode %v, want %v", tc.name, got, tc.want)
		}
	}
	if len(sections) < len(analysis.All()) {
		all := Config{Inputs: []string{small}}
		pa, _ := all.compile()
		frameBytes = 0
		for _, src := range []ingest.Source{ingest.FileSource(small, false), ingest.ReaderSource("-", strings.NewReader(""))} {
			if got := pa.readMode(&all, []ingest.Source{src}, false); got != readFrame {
				t.Errorf("a section that needs the frame, %s past the limit: read mode %v", src.Name, got)
			}
		}
	}
}

// TestPackedAsPlain: a run whose dictionaries are packed (frame.SetPackMin
// from a few hundred bytes here, so that every sample's addresses, paths,
// agents and referers are) writes the same report as the same run with
// them as strings, byte for byte, with the same problems: on every
// sample, a log of unique keys, with filters, a window, anonymized
// addresses and a comparison.
func TestPackedAsPlain(t *testing.T) {
	var unique []byte
	for i := range 20000 {
		unique = fmt.Appendf(unique, "10.%d.%d.%d - - [04/Mar/2024:%02d:%02d:%02d +0000] \"GET /item/%d?q=%d HTTP/1.1\" %d %d \"https://r%d.example.org/p\" \"agent/%d\"\n",
			i>>16, i>>8&255, i&255, i/3600%24, i/60%60, i%60, i, i*7, []int{200, 200, 301, 404, 500}[i%5], 100+i%5000, i, i)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "unique.log"), unique, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		edit func(c *Config)
	}{
		{"samples", func(c *Config) {}},
		{"unique keys", func(c *Config) { c.Inputs = []string{filepath.Join(dir, "unique.log")} }},
		{"status and crawlers", func(c *Config) { c.Status, c.CrawlerFilter = []string{"2xx", "404"}, "ignore" }},
		{"paths and addresses", func(c *Config) {
			c.ExcludePath, c.ExcludeIP = []string{"*.css", "re:^/wp-"}, []string{"10.0.0.0/8", "2001:db8::/32"}
		}},
		{"window", func(c *Config) { c.Since, c.Until = "2015-05-17", "2024-03-06" }},
		{"anonymized", func(c *Config) { c.AnonymizeIP = "truncate" }},
		{"compared with the previous week", func(c *Config) { c.Week, c.Compare = "2024-W10", "previous" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Inputs: []string{"samples/"}, Now: now}
			tc.edit(&cfg)
			want, wantProblems, _ := runJSON(t, cfg, true)
			restore := frame.SetPackMin(512)
			got, gotProblems, _ := runJSON(t, cfg, true)
			restore()
			if got != want {
				t.Errorf("packed differs from plain:\n%s", firstDifference(want, got))
			}
			if !slices.Equal(gotProblems, wantProblems) {
				t.Errorf("problems %v, want %v", gotProblems, wantProblems)
			}
		})
	}
}
