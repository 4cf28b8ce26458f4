package ingest

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Detection that never misreads, held in two tests for every format at
// once: the samples, and the cases of testdata/*.txt.

// TestDetectSamples runs Detect on the start of every file under samples/:
// each is detected as sampleFormats says of its folder, and a folder must
// be listed there, so that a new sample says what it is.
func TestDetectSamples(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(samplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(samplesDir, path)
		dir, _, ok := strings.Cut(filepath.ToSlash(rel), "/")
		if !ok {
			return nil // README.md, make-synthetic.sh
		}
		head, ok := sampleHead(t, path)
		if !ok {
			return nil // zstd: not read here
		}
		want, known := sampleFormats[dir]
		if !known {
			t.Errorf("%s: samples/%s is not in sampleFormats (helpers_test.go)", rel, dir)
			return nil
		}
		seen[dir] = true
		got := "(none)"
		if f, err := Detect(head); err == nil {
			got = f.Name
		}
		if got != want {
			t.Errorf("%s: detected as %s, want %s", rel, got, want)
		}
		// No record line of it is taken by another format's sniff.
		for i, l := range strings.SplitN(string(head), "\n", 201)[:min(200, strings.Count(string(head), "\n"))] {
			if l == "" || l[0] == '#' {
				continue
			}
			for _, other := range Formats() {
				if other.Name != want && !sharedLines[[2]string{want, other.Name}] && other.sniff([]byte(l)) {
					t.Errorf("%s:%d (%s) is taken by %s's sniff: %.80q", rel, i+1, want, other.Name, l)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range sampleFormats {
		if !seen[dir] {
			t.Errorf("no sample under samples/%s", dir)
		}
	}
}

// undetectable names the cases whose input is, on purpose, not detected
// as the case's format (the case forces it), with the reason.
var undetectable = map[string]string{
	"traefik/a plain combined line is a record without the Traefik fields": "a plain combined line is combined's",
	"cloudfront/a subset in another order":                                 "a #Fields: header without x-edge-* fields is W3C's; --log-format cloudfront reads it",
	"combined/fields after the user agent are ignored":                     "a time after the agent: timed_combined reads it; the case holds what a forced combined does",
}

// sharedLines are pairs of formats whose sniffs both take some lines by
// design, detection deciding by the count over a source's first lines: an
// integer after the agent is %T seconds (timed_*) when all are below 100,
// %D microseconds (*_usec) otherwise (clf.go).
var sharedLines = map[[2]string]bool{
	{"timed_combined", "combined_usec"}:             true,
	{"combined_usec", "timed_combined"}:             true,
	{"vhost_timed_combined", "vhost_combined_usec"}: true,
	{"vhost_combined_usec", "vhost_timed_combined"}: true,
}

// TestDetectCases runs Detect on every case whose lines are all clean
// records: it must be detected as the case's format. A case of another
// format must never be taken by a format that reads none of its lines.
func TestDetectCases(t *testing.T) {
	for format, cases := range allCases(t) {
		if !slices.Contains(FormatNames(), format) {
			continue // a format string (logformat.txt) is given, never detected
		}
		for _, c := range cases {
			clean := len(c.want) > 0
			for _, w := range c.want {
				if w.malformed != "" || w.isRepair || w.empty {
					clean = false
				}
			}
			if !clean {
				continue // refusals and repairs say nothing of detection
			}
			got := "(none)"
			if f, err := Detect([]byte(c.text())); err == nil {
				got = f.Name
			}
			key := format + "/" + c.name
			if why, ok := undetectable[key]; ok {
				if got == format {
					t.Errorf("%s: listed as undetectable (%s) but detected as %s", key, why, got)
				}
				continue
			}
			if got != format {
				t.Errorf("%s (%s:%d): detected as %s", key, c.file, c.pos, got)
			}
			// No other format's sniff takes one of its record lines.
			for _, w := range c.want {
				line := []byte(c.input[w.line-1])
				for _, other := range Formats() {
					if other.Name != format && !sharedLines[[2]string{format, other.Name}] && other.sniff(line) {
						t.Errorf("%s line %d: %s's sniff takes it too", key, w.line, other.Name)
					}
				}
			}
		}
	}
}
