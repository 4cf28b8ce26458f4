package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// distinctLines is a combined log of n requests, each from its own IP for
// its own path.
func distinctLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "10.0.%d.%d - - [04/Mar/2024:10:%02d:%02d +0000] \"GET /p/%d HTTP/1.1\" 200 %d \"-\" \"agent/%d\"\n",
			i/250, i%250, i/60%60, i%60, i, 100+i, i)
	}
	return b.String()
}

// TestMaxRows: per-key tables keep 1,000 rows by default and say how many
// they had; --max-rows N keeps N, --max-rows 0 every row, and a negative
// cap is a usage error.
func TestMaxRows(t *testing.T) {
	log := distinctLines(1200)
	out := filepath.Join(t.TempDir(), "r.json")
	for _, c := range []struct {
		args      []string
		rows      int
		truncated bool
	}{
		{nil, 1000, true},
		{[]string{"--max-rows", "7"}, 7, true},
		{[]string{"--max-rows", "0"}, 1200, false},
		{[]string{"--max-rows", "5000"}, 1200, false},
	} {
		args := append(append([]string{"report"}, c.args...), "-o", out, "-")
		if _, stderr, err := runCLI(t, log, args...); err != nil {
			t.Fatalf("%q: %v\n%s", c.args, err, stderr)
		}
		rep := readJSON(t, out)
		for _, tb := range [][2]string{{"uri_stems", "uri_stem_share"}, {"status_codes", "status_given_ip"}, {"sizes", "size_by_ip"}, {"user_agents", "user_agents"}} {
			meta := tableMeta(t, rep, tb[0], tb[1])
			rows := table(t, rep, tb[0], tb[1])
			if len(rows) != c.rows {
				t.Errorf("%q: %s has %d rows, want %d", c.args, tb[1], len(rows), c.rows)
			}
			if c.truncated && (meta["truncated"] != true || meta["total_rows"] != 1200.0) {
				t.Errorf("%q: %s: truncated %v, total_rows %v; want true, 1200", c.args, tb[1], meta["truncated"], meta["total_rows"])
			}
			if _, ok := meta["truncated"]; !c.truncated && ok {
				t.Errorf("%q: %s says it was cut: %v of %v", c.args, tb[1], len(rows), meta["total_rows"])
			}
		}
		// The sentences are those of every row, whatever the cap.
		if s := conclusions(t, rep, "uri_stems"); !strings.Contains(s, "1,200 requests went to 1,200 distinct URI stems") {
			t.Errorf("%q: uri_stems concludes %q", c.args, s)
		}
	}
	if _, _, err := runCLI(t, log, "report", "--max-rows", "-1", "-o", out, "-"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--max-rows") {
		t.Errorf("--max-rows -1: err = %v, want a usage error naming the flag", err)
	}
}

func tableMeta(t *testing.T, rep map[string]any, section, id string) map[string]any {
	t.Helper()
	for _, s := range rep["sections"].([]any) {
		s := s.(map[string]any)
		for _, tb := range s["tables"].([]any) {
			if tb := tb.(map[string]any); s["id"] == section && tb["id"] == id {
				return tb
			}
		}
	}
	t.Fatalf("no table %s/%s", section, id)
	return nil
}

func conclusions(t *testing.T, rep map[string]any, section string) string {
	t.Helper()
	for _, s := range rep["sections"].([]any) {
		if s := s.(map[string]any); s["id"] == section {
			var out []string
			for _, c := range s["conclusions"].([]any) {
				out = append(out, c.(string))
			}
			return strings.Join(out, "\n")
		}
	}
	t.Fatalf("no section %s", section)
	return ""
}
