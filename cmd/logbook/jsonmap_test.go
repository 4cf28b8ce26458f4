package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONKeyMapping: --log-format json:... reads JSON lines by the keys
// the user names; a mapping naming an unknown column is a usage error that
// points at it.
func TestJSONKeyMapping(t *testing.T) {
	lines := `{"ts":"2024-03-04T12:00:00Z","client":"192.0.2.1","req":{"uri":"/a","verb":"GET"},"code":200,"took":12}
{"ts":"2024-03-04T12:00:01Z","client":"192.0.2.2","req":{"uri":"/b","verb":"POST"},"code":503,"took":40}
{"level":"info","msg":"started"}
`
	out := filepath.Join(t.TempDir(), "r.json")
	_, stderr, err := runCLI(t, lines, "report", "--sections", "overview,latency", "--log-format",
		"json:time=ts,ip=client,path=req.uri,method=req.verb,status=code,time_taken=took:ms", "-o", out, "-")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rep := readJSON(t, out)
	in := rep["input"].(map[string]any)
	src := in["sources"].([]any)[0].(map[string]any)
	if in["records"] != 2.0 || src["malformed"] != 1.0 {
		t.Errorf("input = %v", in)
	}

	_, _, err = runCLI(t, lines, "report", "--log-format", "json:time=ts,stauts=code", "-o", out, "-")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), `"stauts=code" at byte 9: unknown column "stauts"`) {
		t.Errorf("err = %v, want a usage error naming stauts", err)
	}
}
