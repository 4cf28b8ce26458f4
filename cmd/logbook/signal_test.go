package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file run the real binary, built once, and signal it.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "logbook-bin")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "logbook")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// bigLog writes a combined log of n varied lines to path.
func bigLog(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "curl/8.4.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"}
	codes := []int{200, 200, 200, 304, 404, 500, 301}
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	for i := range n {
		ts := start.Add(time.Duration(i) * 3 * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(w, "10.%d.%d.%d - - [%s] \"GET /p/%d/item%d.html?q=%d HTTP/1.1\" %d %d \"https://ref%d.example/\" \"%s\"\n",
			i%7, i%251, i%13, ts, i%97, i%5003, i, codes[i%len(codes)], 100+i%9000, i%17, agents[i%len(agents)])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// lineWatcher collects a process's stderr and tells when a line holding
// a given text has been written.
type lineWatcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	waits map[string]chan struct{}
	done  chan struct{}
}

func watchLines(t *testing.T, r io.Reader, wants ...string) *lineWatcher {
	lw := &lineWatcher{waits: map[string]chan struct{}{}, done: make(chan struct{})}
	for _, w := range wants {
		lw.waits[w] = make(chan struct{})
	}
	go func() {
		defer close(lw.done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := sc.Text()
			lw.mu.Lock()
			lw.buf.WriteString(line + "\n")
			for w, ch := range lw.waits {
				if strings.Contains(line, w) {
					close(ch)
					delete(lw.waits, w)
				}
			}
			lw.mu.Unlock()
		}
	}()
	return lw
}

// wait waits for the line, failing the test if the process ends first.
func (lw *lineWatcher) wait(t *testing.T, want string) {
	t.Helper()
	lw.mu.Lock()
	ch, ok := lw.waits[want]
	lw.mu.Unlock()
	if !ok {
		return // seen already
	}
	select {
	case <-ch:
	case <-lw.done:
		t.Fatalf("the process ended before writing %q:\n%s", want, lw.text())
	}
}

func (lw *lineWatcher) text() string {
	<-lw.done
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.buf.String()
}

// start runs the binary with args and stdin, its stderr watched.
func start(t *testing.T, stdin io.Reader, args []string, wants ...string) (*exec.Cmd, *lineWatcher) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Stdin = stdin
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, watchLines(t, pr, wants...)
}

// finish waits for the process (a hang fails the test rather than the
// whole run) and returns its exit status.
func finish(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the process did not end after the signal")
		return -1
	}
}

// previousReport writes a report in dir and returns the folder's files
// with their content and modes.
func previousReport(t *testing.T, dir string) map[string]string {
	t.Helper()
	if _, stderr, err := runCLI(t, combinedLines, "report", "--format", "html,md,json", "-o", dir+"/", "-"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if err := os.Chmod(filepath.Join(dir, "report.html"), 0o600); err != nil {
		t.Fatal(err)
	}
	return folder(t, dir)
}

func folder(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if info.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = info.Mode().String() + " " + string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFolder(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := folder(t, dir)
	for name, v := range after {
		if w, ok := before[name]; !ok {
			t.Errorf("left in the output folder: %s", name)
		} else if v != w {
			t.Errorf("%s changed", name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			t.Errorf("%s was removed", name)
		}
	}
}

// TestSignalDuringAnalysisAndWriting signals a run on a large log as the
// analyses start, and as the writing starts: it exits with 130 (SIGINT) or
// 143 (SIGTERM), the previous report (HTML, Markdown with its plots, JSON)
// is byte for byte as it was, and no temporary file remains.
func TestSignalDuringAnalysisAndWriting(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "big.log")
	bigLog(t, logPath, 200_000)
	for _, c := range []struct {
		sig   syscall.Signal
		after string // the --timings line the signal follows
		code  int
	}{
		{syscall.SIGINT, "timing: read ", 130},
		{syscall.SIGTERM, "timing: read ", 143},
		{syscall.SIGINT, "timing: freed the frame", 130},
		{syscall.SIGTERM, "timing: freed the frame", 143},
	} {
		t.Run(fmt.Sprintf("%s after %q", c.sig, c.after), func(t *testing.T) {
			dir := t.TempDir()
			before := previousReport(t, dir)
			cmd, lw := start(t, nil, []string{"report", "--timings", "--format", "html,md,json", "-o", dir + "/", logPath}, c.after)
			lw.wait(t, c.after)
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			code := finish(t, cmd)
			stderr := lw.text()
			if code != c.code {
				t.Errorf("exit status %d, want %d\n%s", code, c.code, stderr)
			}
			if strings.Contains(stderr, "logbook: wrote") || !strings.Contains(stderr, "logbook: stopped") {
				t.Errorf("stderr does not say the run stopped before writing:\n%s", stderr)
			}
			sameFolder(t, dir, before)
		})
	}
}

// TestSignalBlockedReads: a read blocked on standard input (a pipe the
// test keeps open) or on a FIFO with a writer that writes no more ends
// on the signal, the run stopping by itself rather than by the program's
// grace timer, and the previous report stays.
func TestSignalBlockedReads(t *testing.T) {
	lines := strings.Repeat(strings.TrimSpace(combinedLines)+"\n", 1)
	t.Run("stdin", func(t *testing.T) {
		dir := t.TempDir()
		before := previousReport(t, dir)
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pw.Close()
		cmd, lw := start(t, pr, []string{"report", "-o", dir + "/", "-"})
		pr.Close()
		// More than a pipe holds: once written, logbook is reading.
		for range 2000 {
			if _, err := io.WriteString(pw, lines); err != nil {
				t.Fatal(err)
			}
		}
		cmd.Process.Signal(syscall.SIGINT)
		code := finish(t, cmd)
		stderr := lw.text()
		if code != 130 || !strings.Contains(stderr, "logbook: stopped") || strings.Contains(stderr, "did not stop") {
			t.Errorf("exit status %d, want 130 with the run stopped by itself:\n%s", code, stderr)
		}
		sameFolder(t, dir, before)
	})
	t.Run("fifo", func(t *testing.T) {
		dir := t.TempDir()
		before := previousReport(t, dir)
		fifo := filepath.Join(t.TempDir(), "live.log")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		cmd, lw := start(t, nil, []string{"report", "-o", dir + "/", fifo})
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // returns once logbook opened it
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if _, err := io.WriteString(w, lines); err != nil {
			t.Fatal(err)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		code := finish(t, cmd)
		stderr := lw.text()
		if code != 143 || !strings.Contains(stderr, "logbook: stopped") || strings.Contains(stderr, "did not stop") {
			t.Errorf("exit status %d, want 143 with the run stopped by itself:\n%s", code, stderr)
		}
		sameFolder(t, dir, before)
	})
}

// TestSecondSignal: when the first signal cannot stop the run (opening a
// FIFO no one writes to blocks in the kernel), a second one quits at once.
func TestSecondSignal(t *testing.T) {
	dir := t.TempDir()
	before := previousReport(t, dir)
	tmp := t.TempDir()
	first, stuck := filepath.Join(tmp, "first.log"), filepath.Join(tmp, "stuck.log")
	for _, p := range []string{first, stuck} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
	}
	cmd, lw := start(t, nil, []string{"report", "--workers", "1", "-o", dir + "/", first, stuck}, "stopping")
	w, err := os.OpenFile(first, os.O_WRONLY, 0) // logbook is running
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, combinedLines)
	w.Close()
	cmd.Process.Signal(syscall.SIGINT)
	lw.wait(t, "stopping")
	cmd.Process.Signal(syscall.SIGINT)
	code := finish(t, cmd)
	stderr := lw.text()
	if code != 130 || !strings.Contains(stderr, "logbook: quit at once") {
		t.Errorf("exit status %d, want 130 after quitting at once:\n%s", code, stderr)
	}
	sameFolder(t, dir, before)
}
