package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestTermSafe(t *testing.T) {
	for in, want := range map[string]string{
		"access.log":                    "access.log",
		"café/журнал.log":               "café/журнал.log",
		"a\x1b[2Jb":                     `a\x1b[2Jb`,
		"x\nlogbook: wrote /etc/passwd": `x\nlogbook: wrote /etc/passwd`,
		"cr\rtab\tdel\x7f":              `cr\rtab\tdel\x7f`,
		"c1\u009b31m":                   `c1\u009b31m`,
		"bidi\u202etxt.exe":             `bidi\u202etxt.exe`,
		"bad\xffutf8":                   `bad\xffutf8`,
		`back\x1bslash`:                 `back\\x1bslash`,
	} {
		if got := termSafe(in); got != want {
			t.Errorf("termSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStderrEscaped runs the binary on a file whose name holds a terminal
// escape and a newline, with a malformed line quoting an escape, beside a
// missing input and an output path of the same kind, and checks that
// stderr holds no control character but the newlines logbook writes, and
// no line it did not write.
func TestStderrEscaped(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "evil\x1b[2J\nlogbook: wrote forged.log")
	log := combinedLines + "garbage \x1b]0;pwned\x07 \x1b[31mred\n"
	if err := os.WriteFile(name, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out\x1b[1mbold\n.json")
	missing := filepath.Join(dir, "gone\x1b[2J\nlogbook: forged.log")
	for _, args := range [][]string{
		{"report", "-o", out, name, missing},
		{"report", "-o", out, "--strict", name},
		{"report", "--bad-flag\x1b[2J\nforged", name},
		{"report", "-o", filepath.Join(dir, "no\x1b[2Jdir", "x\n.json"), "--tz", "Mars\x1b[2J", name},
	} {
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		if err == nil {
			t.Errorf("%q: no error", args)
		}
		s := stderr.String()
		if strings.ContainsAny(s, "\x1b\x07\r") {
			t.Errorf("%q: stderr holds a control character:\n%q", args, s)
		}
		for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
			if strings.HasPrefix(line, "logbook: wrote forged") || strings.HasPrefix(line, "forged") || strings.HasPrefix(line, "logbook: forged") ||
				strings.HasPrefix(line, ".json") || strings.HasPrefix(line, "x\\n") {
				t.Errorf("%q: a forged line on stderr: %q\n%s", args, line, s)
			}
		}
		if !strings.Contains(s, `\x1b`) {
			t.Errorf("%q: stderr does not show the escape escaped:\n%s", args, s)
		}
	}
}
