package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"

	"github.com/logbook/logbook/frame"
)

// SyntaxError is a line that could not be read as a record, or one that was
// repaired to be read. It is counted and kept as an example, never fatal.
type SyntaxError struct {
	Source string
	Line   int    // 1-based line number in the (decompressed) source
	Reason string // what was wrong
	Text   string // the line, cut to maxExampleText bytes
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Reason) }

// SourceStats is what reading one source gave.
type SourceStats struct {
	Name   string
	Format string // the detected or forced format; "" if none
	// Formats lists the formats the source was read in, in order, with the
	// line where each began: one, Format, unless a detected source changed
	// format part-way (a LogFormat changed without rotating the log).
	Formats     []FormatSpan
	Compression string // "gzip", "zstd" or ""
	Lines       int    // lines read, including headers and malformed ones
	Records     int    // records added to the frame
	Malformed   int    // lines that could not be read
	Repaired    int    // records kept after repairing their line
	Examples    []*SyntaxError
	Repairs     []*SyntaxError
	// Err is set when the source could not be opened or read to its end;
	// what was read before the error is kept.
	Err error
	// Skipped says why a file found in a directory was not read (it is not
	// a recognised log); such a file is not an error.
	Skipped string
	// Note is said of the source without it being an error: it is empty
	// (a log just rotated).
	Note string
}

// FormatSpan is a format a source was read in from line Line on.
type FormatSpan struct {
	Format string
	Line   int // 1-based line of the source where the format began
}

// Result is the frame and the per-source accounting of a read.
type Result struct {
	Frame   *frame.Frame
	Sources []*SourceStats
	// Chunked says the records went to Options.Chunks (the Frame is then
	// empty); false when there was no Chunks, or KeepFrame kept the
	// frame to the end.
	Chunked bool
}

// Records is the number of records read from all sources.
func (r *Result) Records() int {
	n := 0
	for _, s := range r.Sources {
		n += s.Records
	}
	return n
}

// Malformed is the number of malformed lines in all sources.
func (r *Result) Malformed() int {
	n := 0
	for _, s := range r.Sources {
		n += s.Malformed
	}
	return n
}

// Failed lists the sources that could not be read, or not to their end.
func (r *Result) Failed() []*SourceStats {
	var out []*SourceStats
	for _, s := range r.Sources {
		if s.Err != nil {
			out = append(out, s)
		}
	}
	return out
}

// Options tune Read. The zero value detects formats and uses every core.
type Options struct {
	Format    *Format // nil to detect per source
	Workers   int     // parsing goroutines; 0 means GOMAXPROCS
	ChunkSize int     // bytes per parse task; 0 means 512 KiB
	// Progress, if set, is called with the number of bytes read as
	// stored (before decompression; TotalSize is their sum). It is called
	// from several goroutines.
	Progress func(n int64)
	// Chunks, if set, receives the records as frames of about ChunkRows
	// rows each (0: DefaultChunkRows), instead of one frame: in source
	// order, a chunk never spanning two formats (format is the chunk's),
	// each with dictionaries of its own, cut from the read's shared ones
	// (frame.Shared: a value has the same CodeView.Global code in every
	// chunk of the read). A chunk may hold the rows of
	// several sources of the same format: a thousand CloudFront files of
	// a thousand lines are a few chunks, not a thousand, each of which
	// would cost every section's state a fixed price.
	// It is called on one goroutine, and the read waits for it; the
	// chunk is its to keep. The Result's Frame is then empty.
	Chunks    func(chunk *frame.Frame, format string)
	ChunkRows int
	// KeepFrame, with Chunks, reads one frame first, as without Chunks,
	// for as long as the records are of one format and KeepFrame, called
	// with the frame and the bytes of text read after each batch is
	// added to it, says to: an input that turns out small, or whose keys
	// are nearly all new, is read as one frame, and Chunks is never
	// called. Once it says no, the frame so far goes to Chunks whole, as
	// the first chunk, and the rest comes chunk by chunk. Result.Chunked
	// says which it was. nil: chunks from the start.
	KeepFrame func(f *frame.Frame, text int64) bool
}

// DefaultChunkRows is the size of the chunks Options.Chunks receives
// unless told otherwise: big enough that per-chunk work (a section's fold
// of a chunk's distinct keys into its state) is small beside per-row work,
// small enough that a chunk is some 10 MB of codes. On 1M combined lines
// with the partial sections, 65,536-row chunks took 3.6 s of CPU, these
// 2.15 s, one frame 2.17 s.
const DefaultChunkRows = 1 << 18

const (
	maxExamples    = 5
	maxExampleText = 300
	maxLine        = 16 << 20 // a longer line is malformed
	detectBytes    = 64 << 10 // the least the first chunk holds when the format is detected
	detectMax      = 1 << 20  // the most read ahead to detect the format when a sample is not sure
)

type chunkResult struct {
	b         *frame.Batch      // nil when no line was a record
	free      chan *frame.Batch // where b goes once merged
	pos       int64             // bytes of the source (as stored) read up to the chunk's end
	text      int               // bytes of text the chunk held
	lines     int
	records   int
	malformed int
	repaired  int
	examples  []*SyntaxError // line numbers relative to the chunk
	repairs   []*SyntaxError
	begins    string // the format whose part of the source starts with the chunk
}

type task struct {
	format *Format
	header []byte
	data   []byte
	buf    *[]byte // returned to the pool after parsing
	pos    int64   // bytes of the source (as stored) read up to the chunk's end
	res    chan chunkResult
	// bad, when set, says data is (the start of) one line that cannot be
	// read, and why: a line longer than maxLine, whose rest the reader
	// drops, or the last line of a source cut by a read error.
	bad string
	// badLines is how many lines a bad chunk spans (see nulRun).
	badLines int
	begins   string // as chunkResult.begins
}

// Read reads every source into one frame, in source order. It never fails
// as a whole: per-source problems are in the returned stats.
func Read(ctx context.Context, sources []Source, opt Options) *Result {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunkSize := opt.ChunkSize
	if chunkSize <= 0 {
		chunkSize = 512 << 10
	}
	stats := make([]*SourceStats, len(sources))
	for i, s := range sources {
		stats[i] = &SourceStats{Name: s.Name}
	}
	// Chunk buffers are reused through a free list rather than a
	// sync.Pool, which a garbage collection empties: a new buffer is
	// memory the kernel must fault in again. Enough for every chunk that
	// can be queued, parsed and read at once.
	pool := newBufPool(chunkSize, 4*workers+2)

	tasks := make(chan task, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(4*workers + 2)
			for t := range tasks {
				r := w.parseChunk(t)
				if t.buf != nil {
					pool.put(t.buf)
				}
				t.res <- r
			}
		}()
	}

	// Each source gets a queue of pending chunk results, consumed in order
	// by the merge loop below. Readers take sources in order, at most
	// `ahead` sources beyond the one being merged.
	queues := make([]chan chan chunkResult, len(sources))
	for i := range queues {
		queues[i] = make(chan chan chunkResult, 2*workers)
	}
	ahead := make(chan struct{}, 2*workers)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range sources {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				// No reader will take the sources left: close their
				// queues here, or the merge loop would wait for them
				// for ever.
				for j := i; j < len(sources); j++ {
					stats[j].Err = fmt.Errorf("%s: %w", sources[j].Name, ctx.Err())
					close(queues[j])
				}
				return
			}
			next <- i
		}
	}()
	var readers sync.WaitGroup
	for range workers {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := range next {
				rd := sourceReader{ctx: ctx, src: sources[i], st: stats[i], opt: opt,
					chunkSize: chunkSize, pool: pool, tasks: tasks, queue: queues[i]}
				rd.read()
				close(queues[i])
			}
		}()
	}

	// The frame is sized from the sources' sizes and the rows per byte
	// seen so far, so that its columns are allocated once and filled in
	// place, rather than grown by copying.
	var total, done int64
	sizes := make([]int64, len(sources))
	for i, s := range sources {
		sizes[i] = -1
		if s.size != nil {
			sizes[i] = s.size()
		}
		if sizes[i] < 0 || total < 0 {
			total = -1
		} else {
			total += sizes[i]
		}
	}
	out := new(frame.Frame)
	merger := frame.NewMerger(out)
	chunkRows := opt.ChunkRows
	if chunkRows <= 0 {
		chunkRows = DefaultChunkRows
	}
	var chunk *frame.Frame      // the chunk being filled, with Chunks
	shared := frame.NewShared() // the dictionaries the chunks are cut from
	var chunkFormat string      // the format of the rows coming
	flush := func() {
		if chunk != nil && chunk.Len() > 0 {
			opt.Chunks(chunk, chunkFormat)
		}
		chunk = nil
	}
	// With Chunks, the records go chunk by chunk once chunking is set:
	// from the start, or (KeepFrame) once KeepFrame lets the frame read
	// first go or it would take a second format. toChunks
	// hands that frame over, its indexes dropped as a frame's are after
	// the read, as the first chunk, its values the first of the shared
	// dictionaries the next chunks are cut from.
	chunking := opt.Chunks != nil && opt.KeepFrame == nil
	var text int64 // bytes of text read into out, with KeepFrame
	toChunks := func() {
		chunking = true
		if out.Len() > 0 {
			out.DropIndexes()
			out.ShareFirst(shared)
			opt.Chunks(out, chunkFormat)
		}
		out = new(frame.Frame)
	}
	for i := range sources {
		st := stats[i]
		base := 0
		var pos int64
		for fut := range queues[i] {
			r := <-fut
			if r.begins != "" {
				if opt.Chunks != nil && r.begins != chunkFormat {
					// A chunk holds one format.
					if chunking {
						flush()
					} else if out.Len() > 0 {
						toChunks()
					}
				}
				chunkFormat = r.begins
			}
			if r.b != nil && chunking {
				if chunk == nil {
					chunk = new(frame.Frame)
					chunk.ShareFrom(shared)
					chunk.Reserve(chunkRows + r.b.Len())
					merger = frame.NewMerger(chunk)
				}
				chunk.AddRun(chunkFormat, r.b.Len())
				merger.Append(r.b)
				r.recycle()
				if chunk.Len() >= chunkRows {
					flush()
				}
			} else if r.b != nil {
				pos = max(pos, r.pos)
				if opt.Chunks != nil {
					// A frame read first may end at any batch: it is
					// not sized for the whole input (a 12 GB log's
					// 50M rows of columns, live to the collector).
					reserve(out, r.b.Len(), -1, 0)
				} else {
					reserve(out, r.b.Len(), total, done+pos)
				}
				out.AddRun(chunkFormat, r.b.Len())
				merger.Append(r.b)
				r.recycle()
				if opt.Chunks != nil {
					if text += int64(r.text); !opt.KeepFrame(out, text) {
						toChunks()
					}
				}
			}
			st.Records += r.records
			st.Malformed += r.malformed
			st.Repaired += r.repaired
			for _, e := range r.examples {
				if len(st.Examples) < maxExamples {
					e.Source, e.Line = st.Name, e.Line+base
					st.Examples = append(st.Examples, e)
				}
			}
			for _, e := range r.repairs {
				if len(st.Repairs) < maxExamples {
					e.Source, e.Line = st.Name, e.Line+base
					st.Repairs = append(st.Repairs, e)
				}
			}
			if r.begins != "" {
				st.Formats = append(st.Formats, FormatSpan{Format: r.begins, Line: base + 1})
			}
			base += r.lines
		}
		st.Lines = base
		done += sizes[i]
		if ctx.Err() == nil {
			<-ahead
		}
	}
	if chunking {
		flush()
	}
	readers.Wait()
	close(tasks)
	wg.Wait()
	return &Result{Frame: out, Sources: stats, Chunked: chunking}
}

// reserve makes room in f for n more rows, projecting the rows of the whole
// input from the rows per byte read so far when the input's size is known.
func reserve(f *frame.Frame, n int, total, done int64) {
	need := f.Len() + n
	if need <= f.Cap() {
		return
	}
	rows := need + need/4
	if total > 0 && done > 0 && done < total {
		// 5% over the projection: too much is address space never
		// touched, too little is one more copy of every column.
		p := float64(need) * float64(total) / float64(done) * 1.05
		rows = max(need, int(min(p, 1<<40))+4096)
	}
	f.Reserve(rows)
}

// bufPool is a free list of chunk buffers.
type bufPool struct {
	size int
	free chan *[]byte
}

func newBufPool(size, n int) *bufPool { return &bufPool{size: size, free: make(chan *[]byte, n)} }

func (p *bufPool) get() *[]byte {
	select {
	case b := <-p.free:
		return b
	default:
		b := make([]byte, p.size)
		return &b
	}
}

func (p *bufPool) put(b *[]byte) {
	select {
	case p.free <- b:
	default:
	}
}

// sourceReader cuts one source into line-aligned chunks and queues them.
type sourceReader struct {
	ctx       context.Context
	src       Source
	st        *SourceStats
	opt       Options
	chunkSize int
	pool      *bufPool
	tasks     chan<- task
	queue     chan<- chan chunkResult
	pos       int64  // bytes of the source read so far, as stored
	header    []byte // the last layout directive of the chunks sent so far
	begins    string // the format the next chunk of lines starts a part in
	held      []task // malformed lines found before the format was detected
	eol       byte   // the source's line end, as firstLineEnd says; 0 until known
}

func (rd *sourceReader) read() {
	rc, err := rd.src.Open()
	if err != nil {
		rd.st.Err = err
		return
	}
	defer rc.Close()
	// A read blocked on a pipe or a FIFO that is not written to ends
	// when the source is closed: close it when ctx is cancelled.
	defer context.AfterFunc(rd.ctx, func() { rc.Close() })()
	openSize := int64(-1) // the file's size when opened
	if f, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			openSize = st.Size()
		}
	}
	r, closeDecoder, comp, pos, err := decompressed(rc)
	rd.st.Compression = comp
	if err != nil {
		rd.st.Err = fmt.Errorf("%s: %s data: %w", rd.src.Name, comp, err)
		return
	}
	defer closeDecoder()

	format := rd.opt.Format
	composeChecked := format == nil // detection looks at prefixes itself
	if format != nil {
		rd.st.Format = format.Name
		rd.begins = format.Name
	}
	var carry []byte  // the start of a line cut by the end of the last chunk
	skipping := false // dropping the rest of an overlong line
	atStart := true   // nothing but a run of NUL bytes read yet
	var nuls, nulLines int
	nulOpen := false     // the run's last byte began a line it did not end
	var progressed int64 // stored bytes reported to Options.Progress
	for first := true; ; first = false {
		if rd.ctx.Err() != nil {
			rd.st.Err = fmt.Errorf("%s: %w", rd.src.Name, rd.ctx.Err())
			return
		}
		bp := rd.pool.get()
		// A pooled buffer holds the carried start of a line and the
		// rest of a chunk; a line longer than half a chunk needs more.
		need := max(rd.chunkSize, len(carry)+max(rd.chunkSize/2, 1))
		if format == nil {
			// Enough lines to detect the format, however small the
			// chunks; twice as much when the last sample was not enough.
			need = max(need, detectBytes, 2*len(carry))
		}
		if cap(*bp) < need {
			rd.pool.put(bp)
			nb := make([]byte, need)
			bp = &nb
		}
		buf := (*bp)[:cap(*bp)]
		n := copy(buf, carry)
		m, rerr := fill(r, buf[n:])
		data := buf[:n+m]
		if rd.eol == 0 {
			if rd.eol = firstLineEnd(data, rerr != nil); rd.eol == '\r' {
				crLineEnds(data, 0, rerr != nil)
			}
		} else if rd.eol == '\r' {
			crLineEnds(data, n, rerr != nil)
		}
		eof := rerr != nil
		if rerr == io.EOF {
			if err := shrunk(rc, openSize, pos()); err != nil {
				rerr = err // the last line may be cut: as for a read error
			}
		}
		if rerr != nil && rerr != io.EOF {
			rd.st.Err = describeReadError(rd.src.Name, comp, rerr)
		}

		if rd.opt.Progress != nil {
			// Bytes as stored (before decompression), so that the sum
			// over the sources comes to TotalSize.
			if raw := pos(); raw > progressed {
				rd.opt.Progress(raw - progressed)
				progressed = raw
			}
		}
		if first {
			// A UTF-8 byte-order mark (Windows tools write one) is not part
			// of the first line: it would hide a #Fields: header.
			data = bytes.TrimPrefix(data, utf8BOM)
			if eof && len(data) == 0 && rd.st.Err == nil {
				// A log just rotated: nothing to read, and nothing wrong.
				rd.st.Note = "empty"
				rd.pool.put(bp)
				return
			}
		}
		if atStart && len(data) > 0 && (data[0] == 0 || nuls > 0) {
			// A run of NUL bytes, with the line ends among them, is what
			// a file truncated while written (logrotate's copytruncate)
			// starts with: one malformed line, then the log.
			k := 0
			for k < len(data) && (data[k] == 0 || data[k] == '\n' || data[k] == '\r') {
				if data[k] == '\r' && k+1 == len(data) && !eof {
					// A CR whose next byte is not read yet: whether it
					// ends a line (old Mac OS) or starts a CR LF is
					// decided with the next read, as for any line.
					break
				}
				if data[k] == 0 {
					nuls++
				} else if data[k] == '\n' {
					nulLines++
				}
				nulOpen = data[k] != '\n'
				k++
			}
			data = data[k:]
			if len(data) == 0 && !eof {
				rd.pool.put(bp)
				carry = nil
				continue
			}
			if len(data) == 1 && data[0] == '\r' && !eof {
				rd.pool.put(bp)
				carry = []byte{'\r'}
				continue
			}
		}
		if atStart && (len(data) > 0 || eof) {
			atStart = false
			if nuls > 0 {
				reason, text := nulRun(nuls)
				lines := nulLines
				if len(data) == 0 && nulOpen {
					lines++ // the run ends the input inside a line
				}
				rd.held = append(rd.held, task{bad: reason, badLines: lines, data: []byte(text)})
			}
		}
		if skipping {
			// Drop the rest of an overlong line.
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				data = data[i+1:]
				skipping = false
			} else {
				data = data[:0]
			}
		}
		if format == nil {
			// Detect from whole lines: the last one may be cut by the
			// end of the chunk. A sample that decides nothing sure is
			// held back, and more read, up to detectMax.
			sample := data
			if !eof {
				sample = data[:bytes.LastIndexByte(data, '\n')+1]
			}
			if len(sample) > 0 || eof {
				f, sure, err := detect(sample)
				if !sure && !eof && len(data) < detectMax {
					carry = append([]byte(nil), data...)
					rd.pool.put(bp)
					continue
				}
				if err != nil {
					rd.pool.put(bp)
					if rd.st.Err == nil {
						if rd.src.Walked {
							rd.st.Skipped = err.Error()
						} else {
							rd.st.Err = fmt.Errorf("%s: %w", rd.src.Name, err)
						}
					}
					return
				}
				format = f
				rd.st.Format = f.Name
				rd.begins = f.Name
				for _, t := range rd.held {
					rd.send(nil, nil, t.data, nil, t.bad, t.badLines)
				}
				rd.held = nil
			}
		}
		if format != nil && !composeChecked {
			// A named format may be written after a `docker compose
			// logs` prefix: judged on the first whole lines.
			sample := data
			if !eof {
				sample = data[:bytes.LastIndexByte(data, '\n')+1]
			}
			if len(sample) > 0 || eof {
				composeChecked = true
				if f := composedIfPrefixed(format, sample); f != format {
					format = f
					rd.st.Format = f.Name
					rd.begins = f.Name
				}
			}
		}
		if format != nil && len(rd.held) > 0 {
			for _, t := range rd.held {
				rd.send(nil, nil, t.data, nil, t.bad, t.badLines)
			}
			rd.held = nil
		}
		carry = nil
		if !eof {
			cut := bytes.LastIndexByte(data, '\n')
			switch {
			case cut >= 0:
				carry = append(carry, data[cut+1:]...)
				data = data[:cut+1]
			case skipping:
			case len(data) < maxLine:
				// No line end yet: read on with a bigger buffer.
				carry = append(carry, data...)
				data = data[:0]
			default:
				t := task{bad: fmt.Sprintf("line longer than %d MiB", maxLine>>20), badLines: 1,
					data: append([]byte(nil), data[:maxExampleText+1]...)}
				if format == nil {
					rd.held = append(rd.held, t)
				} else {
					rd.send(nil, nil, t.data, nil, t.bad, 1)
				}
				data = data[:0]
				skipping = true
			}
		}
		// A read error cuts the last line short: that part is not a
		// record, but it is counted.
		var cutShort []byte
		if rerr != nil && rerr != io.EOF && len(data) > 0 && data[len(data)-1] != '\n' {
			i := bytes.LastIndexByte(data, '\n')
			cutShort = append([]byte(nil), data[i+1:min(len(data), i+2+maxExampleText)]...)
			data = data[:i+1]
		}
		rd.pos = pos()
		if rd.opt.Format == nil && format != nil {
			// A detected source may change format part-way: look for
			// it when the chunk's first or last line is not the
			// format's.
			for len(data) > 0 && changeSuspect(data, format) {
				off, to, more := formatChange(data, format, eof)
				if off < 0 {
					break
				}
				if more {
					// Decide once the lines after it are read.
					carry = append(append([]byte(nil), data[off:]...), carry...)
					data = data[:off]
					break
				}
				if off > 0 {
					rd.sendChunk(format, append([]byte(nil), data[:off]...), nil)
				}
				format = to
				rd.begins = to.Name
				rd.header = nil
				data = data[off:]
			}
		}
		if len(data) == 0 || format == nil {
			rd.pool.put(bp)
		} else {
			rd.sendChunk(format, data, bp)
		}
		if cutShort != nil {
			rd.send(format, rd.header, cutShort, nil, "line cut short by the read error", 1)
		}
		if eof {
			return
		}
	}
}

// changeSuspects is how many lines of a chunk changeSuspect sniffs.
const changeSuspects = 8

// changeSuspect reports whether one of changeSuspects lines of data (whole
// lines), spread evenly from its first to its last, is refused by f's
// sniff: then the source may have changed format within the chunk. A part
// in another format that falls between the lines looked at is missed (read
// as f; its lines malformed where f refuses them).
func changeSuspect(data []byte, f *Format) bool {
	for k := range changeSuspects {
		pos := 0
		if k > 0 {
			// The line that holds the byte k/(changeSuspects-1) of the way.
			at := min(len(data)-1, len(data)*k/(changeSuspects-1))
			if at == len(data)-1 && data[at] == '\n' {
				at--
			}
			if at < 0 {
				break
			}
			pos = bytes.LastIndexByte(data[:at+1], '\n') + 1
		}
		line, _ := lineAt(data, pos)
		if len(bytes.TrimSpace(line)) > 0 && !f.sniff(line) {
			return true
		}
	}
	return false
}

// sendChunk queues lines of format, with the layout directive before them,
// and keeps the last directive among them for the chunks after.
func (rd *sourceReader) sendChunk(format *Format, data []byte, bp *[]byte) {
	h := rd.header
	if format.headerPrefix != nil {
		if i := lastDirective(data, format.headerPrefix); i >= 0 {
			end := bytes.IndexByte(data[i:], '\n')
			if end < 0 {
				end = len(data) - i
			}
			rd.header = append([]byte(nil), bytes.TrimRight(data[i:i+end], "\r")...)
		}
	}
	rd.send(format, h, data, bp, "", 1)
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// nulRun is the reason and the text shown for a leading run of n NUL bytes,
// by Read and by the Scanner.
func nulRun(n int) (reason, text string) {
	text = strings.Repeat(`\x00`, min(n, 8))
	if n > 8 {
		text += "…"
	}
	return fmt.Sprintf("a run of %d NUL bytes (a file truncated while written?)", n), text
}

// firstLineEnd says how the source that begins with data ends its lines,
// as its first line does: '\r' for a CR alone (old Mac OS), '\n' for LF or
// CR LF; 0 when data holds no line end yet (or ends with a CR whose next
// byte is unknown, unless final). A CR inside a line of a source whose
// lines end with LF stays in the line (and is escaped where shown).
func firstLineEnd(data []byte, final bool) byte {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0:
		return 0
	case data[i] == '\n':
		return '\n'
	case i+1 < len(data):
		if data[i+1] == '\n' {
			return '\n'
		}
		return '\r'
	case final:
		return '\r'
	}
	return 0
}

// crLineEnds turns each CR that ends a line on its own into a line feed,
// in place, for a source whose lines end so (firstLineEnd), so that it is
// read line by line rather than as one overlong line; CR LF is left as it
// is (the parsers drop the CR). data[:from] was seen before, all but its
// last byte; a CR that ends data is decided by the byte after it, unless
// final.
func crLineEnds(data []byte, from int, final bool) {
	for i := max(from-1, 0); i < len(data); {
		j := bytes.IndexByte(data[i:], '\r')
		if j < 0 {
			return
		}
		i += j
		switch {
		case i+1 < len(data):
			if data[i+1] != '\n' {
				data[i] = '\n'
			}
		case final:
			data[i] = '\n'
		}
		i++
	}
}

// fill reads until buf is full or the reader fails; io.EOF means a clean end.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (rd *sourceReader) send(format *Format, header, data []byte, bp *[]byte, bad string, badLines int) {
	begins := ""
	if bad == "" {
		begins, rd.begins = rd.begins, ""
	}
	res := make(chan chunkResult, 1)
	select {
	case rd.queue <- res:
	case <-rd.ctx.Done():
		return
	}
	rd.tasks <- task{format: format, header: header, data: data, buf: bp, pos: rd.pos, res: res, bad: bad, badLines: badLines, begins: begins}
}

// lastDirective returns the offset of the last line of data that starts with
// prefix, or -1. It looks for the prefix's first byte ('#', rare in records)
// going forward: bytes.LastIndex would compare at every byte.
func lastDirective(data, prefix []byte) int {
	last := -1
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], prefix[0])
		if j < 0 {
			break
		}
		j += i
		if (j == 0 || data[j-1] == '\n') && bytes.HasPrefix(data[j:], prefix) {
			last = j
		}
		i = j + 1
	}
	return last
}

// shrinkError is a file that became shorter while it was read (logrotate's
// copytruncate emptied it): the end of what was read may be cut.
type shrinkError struct{ opened, now, read int64 }

func (e *shrinkError) Error() string {
	return fmt.Sprintf("the file shrank while it was read (%d bytes when opened, %d now, %d read)", e.opened, e.now, e.read)
}

// shrunk reports a file that, at the end of its reading, is shorter than
// what was read from it, or ended before the size it had when opened.
// f is the file (anything else is not checked), opened its size then (-1
// if unknown) and read the bytes read from it.
func shrunk(f io.Reader, opened, read int64) error {
	sf, ok := f.(interface{ Stat() (fs.FileInfo, error) })
	if !ok || opened < 0 {
		return nil
	}
	st, err := sf.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	if now := st.Size(); now < read || read < opened {
		return &shrinkError{opened: opened, now: now, read: read}
	}
	return nil
}

func describeReadError(name, comp string, err error) error {
	if _, ok := err.(*shrinkError); ok {
		return fmt.Errorf("%s: truncated while being read: %w; the lines before it were kept", name, err)
	}
	if comp != "" && errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: truncated %s data (%w); the lines before it were kept", name, comp, err)
	}
	if comp != "" {
		return fmt.Errorf("%s: corrupt %s data (%w); the lines before it were kept", name, comp, err)
	}
	return fmt.Errorf("%s: read error (%w); the lines before it were kept", name, err)
}

// worker is one parsing goroutine: its dictionaries serve every chunk it
// parses, and its batches come back to it once merged.
type worker struct {
	dicts   *frame.Dicts
	free    chan *frame.Batch
	parsers map[*Format]reusableParser
}

// parser returns a parser for a chunk of format f whose lines follow header:
// the worker's own, reset, when the format's parsers can be reused.
func (w *worker) parser(f *Format, header []byte) parser {
	if p, ok := w.parsers[f]; ok {
		p.reset(header)
		return p
	}
	p := f.newParser(header)
	if rp, ok := p.(reusableParser); ok {
		if w.parsers == nil {
			w.parsers = map[*Format]reusableParser{}
		}
		w.parsers[f] = rp
	}
	return p
}

func newWorker(batches int) *worker {
	return &worker{dicts: frame.NewDicts(), free: make(chan *frame.Batch, batches)}
}

// recycle hands a merged batch back to the worker that filled it.
func (r *chunkResult) recycle() {
	if r.b == nil {
		return
	}
	r.b.Reset()
	select {
	case r.free <- r.b:
	default:
	}
	r.b = nil
}

func (w *worker) batch() *frame.Batch {
	w.dicts.Bound()
	select {
	case b := <-w.free:
		return b
	default:
		return frame.NewBatch(w.dicts)
	}
}

func (w *worker) parseChunk(t task) chunkResult {
	r := chunkResult{pos: t.pos, text: len(t.data), free: w.free, begins: t.begins}
	if t.bad != "" {
		r.lines = t.badLines
		r.malformed = 1
		r.examples = append(r.examples, &SyntaxError{Line: 1, Reason: t.bad, Text: clip(t.data)})
		return r
	}
	b := w.batch()
	p := w.parser(t.format, t.header)
	b.Begin(p.columns())
	var row frame.Row
	data := t.data
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		r.lines++
		kind, err := p.parse(line, &row)
		if err != nil {
			r.malformed++
			if len(r.examples) < maxExamples {
				r.examples = append(r.examples, &SyntaxError{Line: r.lines, Reason: err.Error(), Text: clip(line)})
			}
			continue
		}
		switch kind {
		case kindHeader:
			b.Begin(p.columns())
		case kindRepaired:
			r.repaired++
			if len(r.repairs) < maxExamples {
				r.repairs = append(r.repairs, &SyntaxError{Line: r.lines, Reason: repairOf(p), Text: clip(line)})
			}
			fallthrough
		case kindRecord:
			b.Add(&row)
			r.records++
		}
	}
	if b.Len() == 0 {
		b.Reset()
		select {
		case w.free <- b:
		default:
		}
		return r
	}
	b.Seal()
	r.b = b
	return r
}

func clip(b []byte) string {
	b = bytes.TrimRight(b, "\r\n")
	if len(b) > maxExampleText {
		return string(b[:maxExampleText]) + "…"
	}
	return string(b)
}
