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
	for k, c := range chunks {
		if c.Len() == 0 || c.Len() > rows+4000 { // a batch of parsed lines is a few thousand rows
			t.Errorf("chunk %d has %d rows (ChunkRows %d)", k, c.Len(), rows)
		}
	}
	n := sameRows(t, whole.Frame, chunks, formats)
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

// sameRows fails t unless the chunks, of formats, are the rows of whole
// in order, each of one format: the same times and the same strings in
// every column, row by row. It returns the rows they hold.
func sameRows(t *testing.T, whole *frame.Frame, chunks []*frame.Frame, formats []string) int {
	t.Helper()
	// The format of each row, from the whole frame's runs.
	var rowFormat []string
	for _, r := range whole.Runs {
		for range r.Rows {
			rowFormat = append(rowFormat, r.Format)
		}
	}
	n := 0
	for k, c := range chunks {
		if n+c.Len() > whole.Len() {
			t.Fatalf("chunks 0..%d hold %d rows, the frame %d", k, n+c.Len(), whole.Len())
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
			if !whole.Columns().Str[col] {
				continue
			}
			w := whole.Str(col)
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
		if !slices.Equal(c.Time, whole.Time[n:n+c.Len()]) {
			t.Fatalf("chunk %d: times differ from the frame's rows %d..", k, n)
		}
		n += c.Len()
	}
	if n != whole.Len() {
		t.Fatalf("chunks hold %d rows, the frame %d", n, whole.Len())
	}
	return n
}

// TestReadFrameFirst: with Options.KeepFrame, a read it keeps (of one
// format) makes one frame and never calls Chunks; once KeepFrame says no,
// the frame read so far arrives whole as the first chunk, the rest in
// chunks of about ChunkRows, and together they are the rows of the frame
// the read makes without Chunks. A second format ends the frame first too.
func TestReadFrameFirst(t *testing.T) {
	var calls, lastRows int
	// read keeps the frame while it holds at most limit bytes of text.
	read := func(paths []string, limit int64) (*Result, []*frame.Frame, []string) {
		t.Helper()
		sources, errs := Expand(paths, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		var chunks []*frame.Frame
		var formats []string
		calls, lastRows = 0, 0
		keep := func(f *frame.Frame, text int64) bool {
			calls++
			lastRows = f.Len()
			return text <= limit
		}
		res := Read(context.Background(), sources, Options{Workers: 2, ChunkRows: 3000, KeepFrame: keep,
			Chunks: func(c *frame.Frame, format string) {
				chunks = append(chunks, c)
				formats = append(formats, format)
			}})
		return res, chunks, formats
	}
	whole := func(paths []string) *frame.Frame {
		t.Helper()
		sources, errs := Expand(paths, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return Read(context.Background(), sources, Options{Workers: 2}).Frame
	}

	// 20,000 lines of one format, 4.8 MB.
	log := []string{"../samples/synthetic/combined-outage.log"}
	all := whole(log)
	res, chunks, formats := read(log, 64<<20)
	if res.Chunked || len(chunks) > 0 {
		t.Errorf("kept: Chunked %v, %d chunks", res.Chunked, len(chunks))
	}
	sameRows(t, all, []*frame.Frame{res.Frame}, []string{"combined"})

	const past = 1 << 20
	res, chunks, formats = read(log, past)
	if !res.Chunked || res.Frame.Len() != 0 {
		t.Errorf("let go past 1 MB: Chunked %v, the result's frame %d rows", res.Chunked, res.Frame.Len())
	}
	if len(chunks) < 3 {
		t.Fatalf("let go past 1 MB: %d chunks", len(chunks))
	}
	// The first chunk is the frame up to the batch that went past 1 MB
	// (of ~240-byte lines, a batch at most 512 KiB), the one KeepFrame
	// was last asked about, the others the chunks of 3,000 rows that
	// follow.
	if n := chunks[0].Len(); n < past/300 || n > (past+512<<10)/200 {
		t.Errorf("the first chunk has %d rows, for %d bytes of text", n, past)
	}
	if lastRows != chunks[0].Len() || calls < 2 {
		t.Errorf("KeepFrame called %d times, last with %d rows; the first chunk has %d", calls, lastRows, chunks[0].Len())
	}
	for k, c := range chunks[1:] {
		if c.Len() == 0 || c.Len() > 3000+4000 {
			t.Errorf("chunk %d has %d rows (ChunkRows 3000)", k+1, c.Len())
		}
	}
	sameRows(t, all, chunks, formats)

	// The samples, several formats: the frame read first ends where the
	// second format begins.
	paths, err := filepath.Glob("../samples/*/*")
	if err != nil || len(paths) == 0 {
		t.Fatal(paths, err)
	}
	all = whole(paths)
	res, chunks, formats = read(paths, 64<<20)
	if !res.Chunked || len(chunks) < 2 {
		t.Fatalf("two formats, kept: Chunked %v, %d chunks", res.Chunked, len(chunks))
	}
	if chunks[0].Len() != all.Runs[0].Rows {
		t.Errorf("the first chunk has %d rows, the first format's run %d", chunks[0].Len(), all.Runs[0].Rows)
	}
	sameRows(t, all, chunks, formats)
}
