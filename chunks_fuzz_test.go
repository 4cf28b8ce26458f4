package logbook

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// FuzzChunksAsFrame: a fuzzed log read chunk by chunk, in chunks of 1 to
// 16 records cut from the run's shared dictionaries, writes the same JSON
// report, byte for byte, as the same log read into one frame
// (TestChunksAsFrame's claim, on inputs no sample holds).
func FuzzChunksAsFrame(f *testing.F) {
	for _, p := range []string{"samples/hostile/access.log", "samples/apache/access.log", "samples/haproxy/haproxy.log", "samples/iis/u_ex240304.log"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		f.Add(bytes.Join(lines[:min(len(lines), 40)], nil), uint8(3))
	}
	f.Fuzz(func(t *testing.T, log []byte, rows uint8) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		run := func(frame bool) string {
			forceFrame, chunkRows, frameBytes = frame, 1+int(rows%16), -1
			defer func() { forceFrame, chunkRows, frameBytes = false, 0, 512<<20 }()
			out, err := Run(context.Background(), Config{Inputs: []string{"-"}, Stdin: bytes.NewReader(log), Now: now, Outputs: []Output{{Path: "-", Format: "json"}}})
			if err != nil {
				return "error: " + err.Error()
			}
			var buf bytes.Buffer
			if err := out.Write(&buf, nil); err != nil {
				t.Fatal(err)
			}
			return buf.String()
		}
		a, b := run(true), run(false)
		if a != b {
			t.Fatalf("chunk by chunk (chunks of %d) differs from one frame:\n%s", 1+int(rows%16), firstLineDiff(a, b))
		}
	})
}

// firstLineDiff is the first line where a and b differ.
func firstLineDiff(a, b string) string {
	la, lb := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := 0; i < min(len(la), len(lb)); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return "frame: " + string(la[i]) + "\nchunks: " + string(lb[i])
		}
	}
	return "lengths differ"
}
