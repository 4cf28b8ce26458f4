package logbook

import (
	"context"
	"strings"
	"testing"
)

// TestRunNamesUnknownSource: a source no format reads fails the run with a
// problem that says what it looks like and the formats tried, and the
// report's sources carry the same words.
func TestRunNamesUnknownSource(t *testing.T) {
	out, err := Run(context.Background(), Config{Inputs: []string{"-"}, Sections: []string{"overview"},
		Stdin: strings.NewReader(`{"level":"info","msg":"listening","addr":":8080"}` + "\n")})
	if err != nil {
		t.Fatal(err)
	}
	want := "stdin: not a recognised access log: looks like JSON lines without the keys of any known layout (found: level, msg, addr)"
	var found bool
	for _, p := range out.Problems {
		if p.Kind == InputUnreadable && strings.HasPrefix(p.Message, want) && strings.Contains(p.Message, "formats tried: combined,") && p.Fails {
			found = true
		}
	}
	if !found {
		t.Errorf("problems = %+v, want one starting %q", out.Problems, want)
	}
	if len(out.Report.Sources) != 1 || !strings.HasPrefix(out.Report.Sources[0].Err, want) {
		t.Errorf("report sources = %+v", out.Report.Sources)
	}
}
