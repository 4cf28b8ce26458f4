package ingest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/logbook/logbook/frame"
)

// The tests of issue #15, item 3: no log vanishes silently.

// TestCRLineEnds reads logs whose lines end with a CR alone (old Mac OS),
// with CR LF, and with both (CR first), through Read (detected, and forced
// with chunks so small that a CR ends many of them) and through the
// Scanner. The first line end decides: in a log whose lines end with LF, a
// CR inside a line stays in it.
func TestCRLineEnds(t *testing.T) {
	lf := numberedCombined(40)
	cr := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r"))
	k := bytes.Index(cr, []byte("/p/20 "))
	for name, text := range map[string][]byte{
		"CR":    cr,
		"CR LF": bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n")),
		"mixed": append(cr[:k:k], bytes.ReplaceAll(cr[k:], []byte("\r"), []byte("\r\n"))...),
	} {
		t.Run(name, func(t *testing.T) {
			for _, opt := range []Options{{}, {Format: LookupFormat("combined"), ChunkSize: 61}} {
				res := readAll(t, []Source{ReaderSource("mac.log", bytes.NewReader(text))}, opt)
				st := res.Sources[0]
				if st.Records != 40 || st.Lines != 40 || st.Malformed != 0 || st.Err != nil {
					t.Fatalf("chunk %d: %+v, want 40 records on 40 lines", opt.ChunkSize, st)
				}
				checkNumbered(t, res.Frame, 0, 40)
			}
			recs, errs, _ := scan(t, "combined", string(text))
			if len(recs) != 40 || len(errs) != 0 || recs[39].Line != 40 {
				t.Fatalf("Scanner: %d records, malformed %v", len(recs), errs)
			}
		})
	}
	t.Run("CR inside an LF line", func(t *testing.T) {
		text := bytes.Replace(lf, []byte("agent/3"), []byte("agent\r3"), 1)
		res := readAll(t, []Source{ReaderSource("lf.log", bytes.NewReader(text))}, Options{})
		if st := res.Sources[0]; st.Records != 40 || st.Lines != 40 {
			t.Fatalf("%+v, want 40 records on 40 lines", st)
		}
		if got := column(res.Frame, frame.UserAgent)[3]; got != "agent\r3" {
			t.Errorf("agent %q, want the CR kept", got)
		}
		recs, errs, _ := scan(t, "combined", string(text))
		if len(recs) != 40 || len(errs) != 0 || recs[3].Str[frame.UserAgent] != "agent\r3" {
			t.Fatalf("Scanner: %d records, malformed %v", len(recs), errs)
		}
	})
}

// TestEmptyFileIsANote: an empty file (a log just rotated) named on the
// command line, or found in a folder, is read as empty with a note; the
// file beside it is read.
func TestEmptyFileIsANote(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "access.log", nil)
	old := writeFile(t, dir, "access.log.1", numberedCombined(3))
	writeFile(t, dir, "logs/empty.log", nil)
	writeFile(t, dir, "logs/a.log", numberedCombined(2))
	srcs, errs := Expand([]string{empty, old, filepath.Join(dir, "logs")}, nil)
	if len(errs) != 0 || len(srcs) != 4 {
		t.Fatalf("Expand: %d sources, %v", len(srcs), errs)
	}
	res := readAll(t, srcs, Options{})
	if res.Records() != 5 || len(res.Failed()) != 0 {
		t.Fatalf("records %d, failed %v", res.Records(), res.Failed())
	}
	for _, i := range []int{0, 3} {
		if st := res.Sources[i]; st.Note != "empty" || st.Err != nil || st.Skipped != "" || st.Lines != 0 {
			t.Errorf("%s: %+v, want the note \"empty\"", st.Name, st)
		}
	}
}

// TestFileShrinksWhileRead truncates a file under the reader, as logrotate's
// copytruncate does: the source is reported as truncated, what was read
// is kept, and every line read is a record or a counted malformed line.
func TestFileShrinksWhileRead(t *testing.T) {
	dir := t.TempDir()
	const n = 20000
	path := writeFile(t, dir, "access.log", numberedCombined(n))
	var once sync.Once
	opt := Options{Progress: func(int64) {
		once.Do(func() {
			if err := os.Truncate(path, 0); err != nil {
				t.Error(err)
			}
		})
	}}
	res := readAll(t, []Source{FileSource(path, false)}, opt)
	st := res.Sources[0]
	if st.Err == nil || !strings.Contains(st.Err.Error(), "truncated while being read") || !strings.Contains(st.Err.Error(), "access.log") {
		t.Fatalf("err %v, want it truncated while being read", st.Err)
	}
	var se *shrinkError
	if !errors.As(st.Err, &se) || se.now != 0 || se.read >= se.opened {
		t.Errorf("err %#v", st.Err)
	}
	if st.Records == 0 || st.Records >= n {
		t.Errorf("%d records of %d, want what was read before the truncation", st.Records, n)
	}
	if st.Lines != st.Records+st.Malformed {
		t.Errorf("lines %d, records %d, malformed %d: a line vanished", st.Lines, st.Records, st.Malformed)
	}
	checkNumbered(t, res.Frame, 0, st.Records)
}

// TestFolderQuirks: a leading NUL run, a BOM and a first line longer than
// the first chunk hold inside a walked folder as they do for a file; a file
// in no recognised format is skipped with its reason.
func TestFolderQuirks(t *testing.T) {
	dir := t.TempDir()
	lines := numberedCombined(3)
	writeFile(t, dir, "logs/a-nul.log", append(bytes.Repeat([]byte{0}, 5000), lines...))
	writeFile(t, dir, "logs/b-bom.log", append([]byte{0xef, 0xbb, 0xbf}, lines...))
	// A first line past the first chunk (512 KiB).
	long := append([]byte("x"+strings.Repeat("y", 600<<10)+"\n"), bytes.Repeat(lines, 30)...)
	writeFile(t, dir, "logs/c-long.log", long)
	writeFile(t, dir, "logs/d-notes.txt", []byte("not a log\nat all\n"))
	srcs, errs := Expand([]string{filepath.Join(dir, "logs")}, nil)
	if len(errs) != 0 || len(srcs) != 4 {
		t.Fatalf("Expand: %d sources, %v", len(srcs), errs)
	}
	res := readAll(t, srcs, Options{})
	want := []struct{ records, malformed int }{{3, 1}, {3, 0}, {90, 1}, {0, 0}}
	for i, w := range want {
		st := res.Sources[i]
		if st.Records != w.records || st.Malformed != w.malformed || st.Err != nil {
			t.Errorf("%s: %+v, want %d records, %d malformed", st.Name, st, w.records, w.malformed)
		}
	}
	if st := res.Sources[3]; st.Skipped == "" {
		t.Errorf("%s: not skipped with a reason: %+v", st.Name, st)
	}
}

// TestSymlinksAndRepeats: a symbolic link to a log inside a walked folder
// is read and listed; a link loop, a link to a folder being walked and a
// link to nothing are notes, not hangs; the same file reached twice (a
// folder and a file in it, two globs, a link and its target) is read once,
// with a note.
func TestSymlinksAndRepeats(t *testing.T) {
	dir := t.TempDir()
	lines := numberedCombined(2)
	writeFile(t, dir, "elsewhere/b.log", lines)
	writeFile(t, dir, "elsewhere/sub/c.log", lines)
	writeFile(t, dir, "logs/a.log", lines)
	j := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	for link, target := range map[string]string{
		"logs/b.log":     "../elsewhere/b.log", // a file elsewhere
		"logs/sub":       "../elsewhere/sub",   // a folder elsewhere
		"logs/loop":      ".",                  // the folder it is in: a loop
		"logs/self.log":  "self.log",           // a link to itself
		"logs/gone.log":  "nothing.log",        // a link to nothing
		"logs/again.log": "a.log",              // the same file twice
	} {
		if err := os.Symlink(target, j(link)); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	srcs, errs := Expand([]string{j("logs")}, nil)
	var names []string
	for _, s := range srcs {
		r, _ := filepath.Rel(dir, s.Name)
		names = append(names, filepath.ToSlash(r))
	}
	if got, want := strings.Join(names, " "), "logs/a.log logs/b.log logs/sub/c.log"; got != want {
		t.Errorf("sources %q, want %q", got, want)
	}
	notes := map[string]string{}
	for _, e := range errs {
		var ie *InputError
		if !errors.As(e, &ie) || !ie.Note {
			t.Errorf("%v: not a note", e)
			continue
		}
		r, _ := filepath.Rel(dir, ie.Path)
		notes[filepath.ToSlash(r)] = e.Error()
	}
	for path, says := range map[string]string{
		"logs/again.log": "the same file as " + j("logs/a.log") + "; read once",
		"logs/gone.log":  "a symbolic link to nothing",
		"logs/loop":      "(a loop); not followed",
		"logs/self.log":  "not followed",
	} {
		if !strings.Contains(notes[path], says) || !strings.Contains(notes[path], path) {
			t.Errorf("note on %s: %q, want it to say %q", path, notes[path], says)
		}
	}
	if len(notes) != 4 {
		t.Errorf("notes %q, want 4", notes)
	}
	res := readAll(t, srcs, Options{})
	if res.Records() != 6 || len(res.Failed()) != 0 {
		t.Errorf("records %d, failed %v", res.Records(), res.Failed())
	}

	// Named on the command line, a link to nothing and a loop are errors;
	// matched by a pattern, notes.
	for _, name := range []string{"logs/gone.log", "logs/self.log"} {
		srcs, errs := Expand([]string{j(name)}, nil)
		var ie *InputError
		if len(srcs) != 0 || len(errs) != 1 || !errors.As(errs[0], &ie) || ie.Note || ie.Path != j(name) {
			t.Errorf("%s named: %d sources, %v; want one error", name, len(srcs), errs)
		}
	}
	srcs, errs = Expand([]string{j("logs/*.log")}, nil)
	if len(srcs) != 2 || len(errs) != 3 { // gone.log, self.log; again.log is a.log
		t.Errorf("logs/*.log: %d sources, %v; want 2 and 3 notes", len(srcs), errs)
	}
	for _, e := range errs {
		if ie := (*InputError)(nil); !errors.As(e, &ie) || !ie.Note {
			t.Errorf("logs/*.log: %v is not a note", e)
		}
	}

	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"a folder and a file in it", []string{j("elsewhere"), j("elsewhere/b.log")}, 2},
		{"a file and the folder it is in", []string{j("elsewhere/b.log"), j("elsewhere")}, 2},
		{"two globs", []string{j("elsewhere/*.log"), j("elsewhere/b*")}, 1},
		{"a link and its target", []string{j("logs/b.log"), j("elsewhere/b.log")}, 1},
		{"a folder twice", []string{j("logs"), j("logs/")}, 3},
		{"standard input twice", []string{"-", "-"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs, errs := Expand(tc.args, strings.NewReader(string(lines)))
			if len(srcs) != tc.want {
				t.Errorf("%d sources, want %d", len(srcs), tc.want)
			}
			found := false
			for _, e := range errs {
				var ie *InputError
				if errors.As(e, &ie) && ie.Note && strings.Contains(e.Error(), "once") {
					found = true
				} else if tc.name != "a folder twice" {
					t.Errorf("unexpected %v", e)
				}
			}
			if !found {
				t.Errorf("no note that the input was read once: %v", errs)
			}
		})
	}
}
