package ingest

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/logbook/logbook/frame"
)

// TestReadChunks: with Options.Chunks the records arrive as chunks of
// about ChunkRows rows, in source order, never spanning two formats (but
// spanning sources of one format), each with its own dictionaries, and
// together they are the rows of the frame the same read makes without
// Chunks: the same times and the same strings in every column, row by row.
func TestReadChunks(t *testing.T) {
	paths, err := filepath.Glob("../samples/*/*")
	if err != nil || len(paths) == 0 {
		t.Fatal(paths, err)
	}
	sources, errs := Expand(paths, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	whole := Read(context.Background(), sources, Options{Workers: 2})
	const rows = 3000
	var chunks []*frame.Frame
	var formats []string
	res := Read(context.Background(), sources, Options{Workers: 2, ChunkRows: rows, Chunks: func(c *frame.Frame, format string) {
		chunks = append(chunks, c)
		formats = append(formats, format)
	}})
	if res.Frame.Len() != 0 {
		t.Errorf("with Chunks the result's frame has %d rows", res.Frame.Len())
	}
	if res.Records() != whole.Frame.Len() {
		t.Fatalf("Records() %d, want %d", res.Records(), whole.Frame.Len())
	}
	// The format of each row, from the whole frame's runs.
	var rowFormat []string
	for _, r := range whole.Frame.Runs {
		for range r.Rows {
			rowFormat = append(rowFormat, r.Format)
		}
	}
	n := 0
	for k, c := range chunks {
		if c.Len() == 0 || c.Len() > rows+4000 { // a batch of parsed lines is a few thousand rows
			t.Errorf("chunk %d has %d rows (ChunkRows %d)", k, c.Len(), rows)
		}
		if len(c.Runs) != 1 || c.Runs[0] != (frame.FormatRun{Format: formats[k], Rows: c.Len()}) {
			t.Errorf("chunk %d: format %q, runs %v", k, formats[k], c.Runs)
		}
		for i := range c.Len() {
			if rowFormat[n+i] != formats[k] {
				t.Fatalf("chunk %d of format %q holds row %d of format %q", k, formats[k], n+i, rowFormat[n+i])
			}
		}
		for _, col := range []frame.StrCol{frame.IP, frame.Stem, frame.Status, frame.UserAgent} {
			if !whole.Frame.Columns().Str[col] {
				continue
			}
			w := whole.Frame.Str(col)
			var got func(i int) string
			if c.Columns().Str[col] {
				g := c.Str(col)
				got = g.Value
			} else {
				got = func(int) string { return "" }
			}
			for i := range c.Len() {
				if want := w.Value(n + i); got(i) != want {
					t.Fatalf("chunk %d row %d %s: %q, want %q", k, i, col, got(i), want)
				}
			}
		}
		if !slices.Equal(c.Time, whole.Frame.Time[n:n+c.Len()]) {
			t.Fatalf("chunk %d: times differ from the frame's rows %d..", k, n)
		}
		n += c.Len()
	}
	if n != whole.Frame.Len() {
		t.Fatalf("chunks hold %d rows, the frame %d", n, whole.Frame.Len())
	}
	// The whole frame's runs are the chunks', joined where the format is
	// the same.
	var runs frame.Frame
	for _, c := range chunks {
		runs.AddRun(c.Runs[0].Format, c.Runs[0].Rows)
	}
	if !slices.Equal(runs.Runs, whole.Frame.Runs) {
		t.Errorf("the frame's runs %v, want %v", whole.Frame.Runs, runs.Runs)
	}
	// Sources of one format share chunks: fewer chunks than sources with
	// records (the samples are small files).
	withRecords := 0
	for _, s := range res.Sources {
		if s.Records > 0 {
			withRecords++
		}
	}
	if len(chunks) >= withRecords {
		t.Errorf("%d chunks for %d sources with records: sources of one format do not share chunks", len(chunks), withRecords)
	}

	if len(chunks) < 10 {
		t.Errorf("only %d chunks of %d rows: the samples hold %d rows", len(chunks), rows, n)
	}
}
