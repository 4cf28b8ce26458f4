package main

import (
	"strings"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	for _, tc := range []struct {
		read, total int64
		elapsed     time.Duration
		want        string
	}{
		{50 << 20, -1, 2 * time.Second, "logbook: read 50 MiB (25 MiB/s) "},
		{25 << 20, 100 << 20, 5 * time.Second, "logbook: reading [######..................]  25% of 100 MiB, 5 MiB/s, about 20 s left "},
		{99 << 20, 100 << 20, 99 * time.Second, "[#######################.]  99% of 100 MiB, 1 MiB/s, about 2 s left"},
		{1 << 20, 100 << 20, 10 * time.Second, "1% of 100 MiB, 0 MiB/s "}, // too early for an estimate
		{200 << 20, 100 << 20, 10 * time.Second, "[########################] 100% of 100 MiB"},
		{30 << 20, 1000 << 20, 60 * time.Second, "about 33 min left"},
		{30 << 20, 1000 << 20, 10 * time.Minute, "about 5 h 23 min left"},
	} {
		if got := progressLine(tc.read, tc.total, tc.elapsed); !strings.Contains(got, tc.want) {
			t.Errorf("progressLine(%d, %d, %v) = %q, want %q in it", tc.read, tc.total, tc.elapsed, got, tc.want)
		}
	}
}

// TestQuietAndVersion: -q leaves only errors on stderr; --version and -V
// print the version on stdout.
func TestQuietAndVersion(t *testing.T) {
	t.Chdir("../..")
	dir := t.TempDir()
	_, stderr, err := runCLI(t, "", "report", "-q", "-o", dir+"/", "samples/hostile/")
	if err != nil || stderr != "" {
		t.Errorf("-q: err %v, stderr %q", err, stderr)
	}
	_, stderr, _ = runCLI(t, "", "report", "-o", dir+"/", "samples/hostile/")
	if !strings.Contains(stderr, "wrote") || !strings.Contains(stderr, "malformed") {
		t.Errorf("without -q the notes are missing: %q", stderr)
	}
	for _, arg := range []string{"--version", "-V", "version"} {
		stdout, _, err := runCLI(t, "", arg)
		if err != nil || !strings.HasPrefix(stdout, "logbook ") {
			t.Errorf("%s: %q, %v", arg, stdout, err)
		}
	}
}
