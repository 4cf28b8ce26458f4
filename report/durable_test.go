package report

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestWriteFileModes checks that a new report gets 0666 less the umask
// and that a rewrite never widens an existing report's mode, where the old
// code set 0644 on every file.
func TestWriteFileModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	r := hostileReport(t)
	html, _ := LookupFormat("html")

	fresh := filepath.Join(dir, "new.html")
	if err := WriteFile(fresh, html, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("new report: mode %v (err %v), want 0640 (0666 less umask 027)", st.Mode().Perm(), err)
	}

	private := filepath.Join(dir, "private.html")
	if err := os.WriteFile(private, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(private, html, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(private); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("rewritten 0600 report: mode %v (err %v), want 0600", st.Mode().Perm(), err)
	}

	md := filepath.Join(dir, "r.md")
	if err := WriteFile(md, markdownFormat(t), r, Options{}); err != nil {
		t.Fatal(err)
	}
	plots, _ := filepath.Glob(filepath.Join(dir, "r_files", "plot-*.svg"))
	if len(plots) == 0 {
		t.Fatal("no plots")
	}
	for _, p := range plots {
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v, want 0640", p, st.Mode().Perm())
		}
	}
	if left := listFiles(t, dir); len(left) != 3+len(plots) {
		t.Errorf("files = %v, want the three reports and the plots", left)
	}
}

// TestWriteFileCancelled checks that a write whose context is cancelled
// while it renders leaves the previous report and its plots byte for byte,
// no temporary file, and no companion folder it made.
func TestWriteFileCancelled(t *testing.T) {
	dir := t.TempDir()
	r := hostileReport(t)
	md := filepath.Join(dir, "report.md")
	if err := WriteFile(md, markdownFormat(t), r, Options{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	// A renderer that writes, then returns a companion file, with the
	// context cancelled in between: the renderer's next write must fail.
	ctx, cancel := context.WithCancel(context.Background())
	slow := Format{Name: "md", Ext: ".md", Companions: true, Render: func(w io.Writer, _ *Report, opt Options) ([]CompanionFile, error) {
		if _, err := io.WriteString(w, "new report, first half\n"); err != nil {
			return nil, err
		}
		cancel()
		if _, err := io.WriteString(w, "second half\n"); err == nil {
			t.Error("a write after the cancellation succeeded")
		}
		return []CompanionFile{{Name: opt.FilesDir + "/plot-new.svg", Data: []byte("<svg/>")}}, nil
	}}
	if err := WriteFileContext(ctx, md, slow, r, Options{}); err == nil {
		t.Fatal("a cancelled write returned no error")
	}
	if after := snapshot(t, dir); !equalSnapshots(before, after) {
		t.Errorf("a cancelled write changed the folder:\nbefore %v\nafter  %v", keys(before), keys(after))
	}

	// Cancelled after the report is rendered but with its companion
	// files in a new folder: the folder goes too.
	ctx, cancel = context.WithCancel(context.Background())
	late := Format{Name: "md", Ext: ".md", Companions: true, Render: func(w io.Writer, _ *Report, opt Options) ([]CompanionFile, error) {
		io.WriteString(w, "x")
		cancel()
		return []CompanionFile{{Name: opt.FilesDir + "/deep/plot-a.svg", Data: []byte("<svg/>")}}, nil
	}}
	if err := WriteFileContext(ctx, filepath.Join(dir, "other.md"), late, r, Options{}); err == nil {
		t.Fatal("a cancelled write returned no error")
	}
	if after := snapshot(t, dir); !equalSnapshots(before, after) {
		t.Errorf("a cancelled write left files or folders:\nbefore %v\nafter  %v", keys(before), keys(after))
	}

	// And Prepare, then Discard: nothing changes; Prepare, then Commit:
	// the new report is in place.
	p, err := Prepare(context.Background(), md, markdownFormat(t), r, Options{FrontMatter: "hugo"})
	if err != nil {
		t.Fatal(err)
	}
	p.Discard()
	if after := snapshot(t, dir); !equalSnapshots(before, after) {
		t.Errorf("Discard left files: %v", keys(after))
	}
	if p, err = Prepare(context.Background(), md, markdownFormat(t), r, Options{FrontMatter: "hugo"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, dir); bytes.Equal(after["report.md"], before["report.md"]) || !equalKeys(before, after) {
		t.Errorf("Commit: report unchanged or files differ: %v", keys(after))
	}
}

// TestRemoveTemporary checks that the writes in progress can be cleared
// at once, as the command does on a second interrupt.
func TestRemoveTemporary(t *testing.T) {
	dir := t.TempDir()
	tf, err := createTemp(filepath.Join(dir, "r.html"))
	if err != nil {
		t.Fatal(err)
	}
	p := &Pending{}
	if err := p.mkdirs(filepath.Join(dir, "r_files", "sub")); err != nil {
		t.Fatal(err)
	}
	if len(listDirs(t, dir)) != 2 || len(listFiles(t, dir)) != 1 {
		t.Fatalf("setup: dirs %v files %v", listDirs(t, dir), listFiles(t, dir))
	}
	RemoveTemporary()
	tf.f.Close()
	if f, d := listFiles(t, dir), listDirs(t, dir); len(f)+len(d) > 0 {
		t.Errorf("left after RemoveTemporary: files %v, folders %v", f, d)
	}
}

func listDirs(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != dir {
			out = append(out, p)
		}
		return err
	})
	return out
}

// snapshot maps every file and folder under dir to its content (nil for a
// folder).
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = nil
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalKeys(a, b map[string][]byte) bool {
	return slices.Equal(keys(a), keys(b))
}

func equalSnapshots(a, b map[string][]byte) bool {
	if !equalKeys(a, b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
