package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailOn: a gate that fires writes the report, names the rule and its
// value on stderr, and exits 3; one that does not leaves the exit at 0; a
// bad rule is a usage error before anything is read.
func TestFailOn(t *testing.T) {
	t.Chdir("../..")
	out := filepath.Join(t.TempDir(), "r.json")
	_, stderr, err := runCLI(t, "", "report", "-o", out, "--fail-on", "requests > 100", "--fail-on", "error_rate > 50%", "samples/apache/access.log")
	if exitCode(err) != 3 || !strings.Contains(err.Error(), "gate fired: requests > 100 (requests = 10000)") || strings.Contains(err.Error(), "error_rate") {
		t.Errorf("exit %d, err %v, stderr %s", exitCode(err), err, stderr)
	}
	if st, serr := os.Stat(out); serr != nil || st.Size() == 0 {
		t.Errorf("the report was not written: %v", serr)
	}
	if _, _, err := runCLI(t, "", "report", "-o", out, "--fail-on", "error_rate > 50%", "samples/apache/access.log"); err != nil {
		t.Errorf("a gate that holds not: %v", err)
	}
	if _, _, err := runCLI(t, "", "report", "-o", out, "--fail-on", "errors > 1", "samples/apache/access.log"); exitCode(err) != 2 {
		t.Errorf("bad rule: exit %d (%v)", exitCode(err), err)
	}
	stdout, _, err := runCLI(t, "", "gates")
	if err != nil || !strings.Contains(stdout, "error_rate") || !strings.Contains(stdout, "finding:SECTION.ID") {
		t.Errorf("logbook gates: %v\n%s", err, stdout)
	}
}
