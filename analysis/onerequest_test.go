package analysis

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOneRequestWords runs every section on a log of one request: no
// sentence counts it as a plural ("1 requests", "All 1 request", "None of
// the 1 request", "1 distinct URI stems") or names a busiest of one.
func TestOneRequestWords(t *testing.T) {
	bad := regexp.MustCompile(`\b1 (requests|distinct [A-Za-z ]*stems|IPs|clients|visitors|days|hours)\b|\b[Aa]ll 1\b|None of the 1\b|busiest hour`)
	for _, s := range RunAll(context.Background(), &Input{Frame: uniqueFrame(1), Loc: time.UTC}, Defaults(All())) {
		text := strings.Join(s.Conclusions, "\n")
		for _, f := range s.Findings {
			text += "\n" + f.Message
		}
		if m := bad.FindAllString(text, -1); len(m) > 0 {
			t.Errorf("%s says %q:\n%s", s.ID, m, text)
		}
	}
}
