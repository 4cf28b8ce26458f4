package logbook

import (
	"context"
	"fmt"
	"math"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
)

// Accumulating chunk by chunk.
//
// When every section of a run is an analysis.Partial, the records never
// make one frame: the read hands over chunks (ingest.Options.Chunks), each
// chunk is shifted to --log-tz, selected, anonymized and added to every
// section's state and to the run's own accounting (metrics, inventory,
// times), and is then garbage. The states are finished into sections at
// the end (analysis.FinishAll). Memory follows the distinct keys the
// states hold, not the rows.

// forceFrame makes every run read one frame, and chunkRows sets the size
// of the chunks (0: ingest's default), for tests that compare the two ways
// of running.
var (
	forceFrame = false
	chunkRows  = 0
)

// frameNeeded says why the run must read the records into one frame
// rather than accumulate them chunk by chunk, or is "" when it need not.
func (p *plan) frameNeeded(cfg *Config) string {
	if forceFrame {
		return "forced"
	}
	for _, j := range p.jobs {
		if _, ok := j.Analysis.(analysis.Partial); !ok {
			return "section " + j.Info.Name + " runs on the whole frame"
		}
	}
	if (p.sel.week == "last" || p.sel.last > 0 && p.sel.until.zero()) && cfg.Now.IsZero() {
		return "the window ends at the newest record, known only at the end"
	}
	return ""
}

// frameBytes is the size of input, in bytes of text, up to which a run
// whose sections could all accumulate chunk by chunk reads one frame
// instead: there the frame costs less time (a dictionary per column
// rather than per chunk, each distinct string handled once) and its
// memory is small anyway (a million lines of combined log, ~240 MB, peak
// at ~100 MB). Any other input (past it, or of a size not known
// beforehand: standard input, a database) is read as one frame first
// (readFrameFirst), for as long as keepFrame says, and then chunk by
// chunk, its memory following the distinct keys. A negative value:
// always chunk by chunk from the start (tests).
var frameBytes int64 = 512 << 20

// frameCheckBytes is how much text of an input not known to be within
// frameBytes is read into one frame before the run judges whether to go
// on so (keepFrame): some 70,000 lines, enough to tell a log whose keys
// repeat (half a new key a line there, fewer further on) from one whose
// keys are new (five a line), and a frame small enough that handing it
// over as the first chunk costs nothing (3M combined lines peaked at
// 170–175 MB, as chunk by chunk from the start; after 64 MB, 181 MB).
var frameCheckBytes int64 = 16 << 20

// keepFrame says whether a read goes on into one frame, f, after text
// bytes: up to frameCheckBytes, and past them for as long as f holds at
// least as many distinct addresses, stems, agents and referers together
// as rows (nearly every key new). There one frame costs half the memory
// of chunks, whose sections each keep tables of the keys, and a third of
// the time: 3M such lines took 6.5 s and 1.8 GB in one frame, 19.8 s and
// 3.7 GB chunk by chunk. Where the rows repeat their keys, as in the
// usual log, the read goes on chunk by chunk, its memory following the
// keys, not the rows. Queries are not counted: a cache-busting query,
// new on every line, makes the frame grow with the rows but no section
// keeps a table of them.
func keepFrame(f *frame.Frame, text int64) bool {
	return text <= frameCheckBytes || f.Distinct(frame.IP, frame.Stem, frame.UserAgent, frame.Referer) >= f.Len()
}

// compressedRatio is how many bytes of text a byte of a compressed log
// stands for, for frameBytes: web logs compress about tenfold with gzip.
const compressedRatio = 10

// readMode is how a run reads its records.
type readMode int

const (
	readFrame      readMode = iota // into one frame
	readChunks                     // chunk by chunk into the sections' states
	readFrameFirst                 // one frame for as long as keepFrame says, then chunk by chunk
)

// readMode says how a run reads: chunk by chunk when it must (partial
// files in or out); one frame when it must (a section needs the frame:
// frameNeeded) or its input is known to be within frameBytes; else one
// frame first.
func (p *plan) readMode(cfg *Config, sources []ingest.Source, partials bool) readMode {
	if partials || p.partialOut {
		return readChunks
	}
	if p.frameNeeded(cfg) != "" {
		return readFrame
	}
	if frameBytes < 0 {
		return readChunks
	}
	var total int64
	for _, s := range sources {
		n, ok := ingest.TotalSize([]ingest.Source{s})
		if !ok {
			return readFrameFirst
		}
		switch strings.ToLower(path.Ext(s.Name)) {
		case ".gz", ".tgz", ".zst", ".zstd":
			n *= compressedRatio
		}
		if total += n; total > frameBytes {
			return readFrameFirst
		}
	}
	return readFrame
}

// chunkWork is a chunk on its way from the read to the states.
type chunkWork struct {
	f      *frame.Frame
	format string
}

// accumulator is what a run accumulates chunk by chunk (and merges from
// partial files): the sections' states and the run's own accounting.
type accumulator struct {
	in        *analysis.Input
	states    []analysis.State
	inv       analysis.Inventory // of the records selected (columns: of those read)
	met       metricsAcc
	read      int // records read
	malformed int // lines malformed in the partials' inputs (the raw read counts its own)
	readTimes analysis.TimeRange
	times     analysis.TimeRange // of the records selected
	sources   []analysis.Source  // the partials' sources
	inputs    []ingest.Identity  // the inputs covered
}

// start makes the states, for a run counting days in loc.
func (a *accumulator) start(p *plan, loc *time.Location) {
	a.in = &analysis.Input{Loc: loc, MaxRows: p.maxRows, Crawlers: p.crawlers, Site: p.site}
	a.states = make([]analysis.State, len(p.jobs))
	for i, j := range p.jobs {
		a.states[i] = j.Analysis.(analysis.Partial).NewState(a.in)
	}
}

// analyseChunks reads the records chunk by chunk into the sections'
// states, merges the partial files' states, and finishes them (see the
// comment at the top of this file), or encodes them as a partial. With
// frameFirst, the read makes one frame for as long as keepFrame says
// (ingest.Options.KeepFrame), and a read that ends so goes on as a run on
// one frame (analyseRead).
func analyseChunks(ctx context.Context, cfg *Config, p *plan, sources []ingest.Source, unread []analysis.Source, parts []*loadedPartial, x *expanded, phase func(string), gc *gcPolicy, frameFirst bool) (*analysed, error) {
	an := &analysed{}
	zoneless := map[string]bool{}
	for _, f := range ingest.Formats() {
		if f.Zoneless {
			zoneless[f.Name] = true
		}
	}
	a := &accumulator{}
	var prev *accumulator // the previous period, with --compare previous
	var prevPeriod *previous
	if p.sel.compare {
		prev = &accumulator{}
	}
	startBoth := func(loc *time.Location) {
		a.start(p, loc)
		if prev != nil {
			prev.start(p, loc)
		}
	}
	if len(parts) > 0 {
		// Days are counted where the partials counted them, unless the
		// run says where (and then they must agree: mergePartials).
		loc := p.loc
		if loc == nil {
			var err error
			if loc, err = parts[0].file.Settings.Zone.location(); err != nil {
				return nil, fmt.Errorf("%s: %w", parts[0].path, err)
			}
		}
		startBoth(loc)
	}
	var addErr error
	add := func(w chunkWork) {
		c := w.f
		if zoneless[w.format] && p.logLoc != nil {
			shiftWallClock(c.Time, p.logLoc)
			_, off := time.Unix(c.Time[0], 0).In(p.logLoc).Zone()
			c.Offset = int32(off)
		}
		if a.in == nil {
			// The report's zone, unless given, is the offset of the
			// first record, as a frame's Location is.
			loc := p.loc
			if loc == nil {
				loc = c.Location()
				if zoneless[w.format] && p.logLoc != nil {
					loc = p.logLoc
				}
			}
			startBoth(loc)
		}
		a.read += c.Len()
		a.readTimes.AddTimes(c.Time)
		// The columns are those of every record read, as a frame's
		// selection keeps its columns; what they hold, of those selected.
		a.inv.Columns.Union(c.Columns())
		cols := c.Columns()
		c, sel := p.sel.applyTo(c, a.in.Loc, cfg.Now, true)
		a.addSelected(ctx, p, c, &addErr)
		if prev != nil && sel != nil && sel.prev != nil {
			prevPeriod = sel.prev
			prev.inv.Columns.Union(cols)
			prev.addSelected(ctx, p, sel.prev.frame, &addErr)
			sel.prev.frame = nil
		}
	}

	// The read builds the next chunk while the states take the last one.
	gc.percent(50)
	work := make(chan chunkWork, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for w := range work {
			if ctx.Err() == nil && addErr == nil {
				add(w)
			}
		}
	}()
	opt := ingest.Options{Format: p.logFormat, Workers: x.readWorkers(cfg), Progress: cfg.Progress,
		ChunkRows: chunkRows, Chunks: func(c *frame.Frame, format string) {
			select {
			case work <- chunkWork{c, format}:
			case <-ctx.Done():
			}
		}}
	if frameFirst {
		opt.KeepFrame = keepFrame
	}
	res := ingest.Read(ctx, sources, opt)
	close(work)
	<-done
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !res.Chunked {
		// Within frameBytes: the records are one frame, and the run
		// goes on as one on a frame would (the states are unused).
		return analyseRead(ctx, cfg, p, res, unread, x, phase, gc)
	}
	if addErr != nil {
		return nil, addErr
	}
	an.res = res
	an.problems = append(an.problems, x.notes()...)
	// The heap goal stays at 1.5 times the live heap while the states
	// are merged and finished: their tables are the run's last peak.
	gc.free()
	phase(fmt.Sprintf("read and accumulated %d records", a.read))

	notes := zonelessTimes(res, p.logLoc, true)
	an.problems = append(an.problems, zoneProblems(notes)...)
	if a.in == nil { // nothing read: the zone of an empty frame, as a run on one
		loc := p.loc
		if loc == nil {
			loc = new(frame.Frame).Location()
		}
		startBoth(loc)
	}
	in := a.in
	if prev != nil && prevPeriod == nil { // no chunk: the period's bounds from an empty one
		_, sel := p.sel.applyTo(new(frame.Frame), in.Loc, cfg.Now, true)
		prevPeriod = sel.prev
	}
	partNotes, err := a.mergePartials(cfg, p, parts, prev, prevPeriod)
	if err != nil {
		return nil, err
	}
	an.problems = append(an.problems, partNotes...)
	in.Sources = append(in.Sources, a.sources...)
	for i, s := range res.Sources {
		in.Sources = append(in.Sources, sourceInfo(s, p.anon != nil))
		if p.partialOut {
			id, ok, err := sources[i].Identity()
			if err != nil || !ok {
				id = ingest.Identity{Name: s.Name} // named, never matched
			}
			a.inputs = append(a.inputs, id)
		}
	}
	for _, n := range notes {
		in.Sources[len(a.sources)+n.source].Notes = append(in.Sources[len(a.sources)+n.source].Notes, n.msg)
	}
	in.Sources = append(in.Sources, unread...)
	an.in = in
	an.read = a.read
	an.records = a.inv.Rows
	an.times = a.times
	an.metrics = a.met.metrics(a.inv, res.Malformed()+a.malformed, a.read)

	if p.sel.hasWindow() || p.sel.hasFilters() {
		_, sel := p.sel.applyTo(new(frame.Frame), in.Loc, cfg.Now, true)
		rs := sel.report
		rs.Read, rs.Selected = a.read, a.inv.Rows
		if a.readTimes.N > 0 && p.sel.hasWindow() {
			rs.ReadFirst, rs.ReadLast = time.Unix(a.readTimes.First, 0), time.Unix(a.readTimes.Last, 0)
		}
		an.selection = rs
		if why := emptySelection(p.sel.missingColumns(a.inv.Columns), a.read, a.inv.Rows, rs); why != "" {
			an.problems = append(an.problems, Problem{Kind: NothingSelected, Message: why, Fails: true})
		}
	}

	if p.partialOut {
		a.malformed += res.Malformed()
		enc, err := a.encode(cfg, p)
		if err != nil {
			return nil, fmt.Errorf("making the partial: %w", err)
		}
		an.partial = enc
		if !p.reportOut {
			return an, nil // only the partial: no section is finished
		}
	}
	an.sections = analysis.FinishAll(ctx, in, a.inv, p.jobs, a.states)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if prev != nil {
		// The previous period: the same sections on its records, kept
		// only for the comparison.
		pin := &analysis.Input{Loc: in.Loc, Sources: in.Sources, MaxRows: p.maxRows, Crawlers: p.crawlers, Site: p.site}
		prevSections := analysis.FinishAll(ctx, pin, prev.inv, p.jobs, prev.states)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		prevMetrics := prev.met.metrics(prev.inv, res.Malformed()+a.malformed, a.read)
		var firstRead time.Time
		if a.readTimes.N > 0 {
			firstRead = time.Unix(a.readTimes.First, 0)
		}
		partly := previousCoverage(prevPeriod.from, prevPeriod.until, firstRead, in.Loc)
		cmp := comparisonSection(prevPeriod.describe(in.Loc, prev.inv.Rows), partly, prevPeriod.length, prevMetrics, an.metrics, prevSections, an.sections)
		at := 0
		if len(an.sections) > 0 && an.sections[0].ID == "overview" {
			at = 1
		}
		an.sections = slices.Insert(an.sections, at, cmp)
		phase("compared with the previous period")
	}
	return an, nil
}

// addSelected adds a chunk of selected records to the states and the
// accounting (the chunk's columns are counted by the caller, before the
// selection).
//
// A chunk the selection left empty is still added: its columns are the
// read's, which a section may speak of (a frame's selection keeps them).
func (a *accumulator) addSelected(ctx context.Context, p *plan, c *frame.Frame, addErr *error) {
	if p.anon != nil {
		anonymize(c, p.anon)
	}
	a.inv.Merge(analysis.InventoryOf(c))
	a.times.AddTimes(c.Time)
	a.met.add(c)
	if err := addAll(ctx, a.states, c); err != nil && *addErr == nil {
		*addErr = err
	}
}

// addAll adds a chunk to every state, the states on as many goroutines as
// there are cores.
func addAll(ctx context.Context, states []analysis.State, c *frame.Frame) error {
	next := make(chan int, len(states))
	for i := range states {
		next <- i
	}
	close(next)
	errs := make([]error, len(states))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(states)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					return
				}
				errs[i] = states[i].Add(ctx, c)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// metricsAcc accumulates the gates' metrics chunk by chunk, as metricsOf
// computes them on a frame; it merges, and is saved in partial files.
type metricsAcc struct {
	Requests, C4, C5, NotFound int
	Bytes                      float64 // sums of whole byte counts: exact in any order below 2^53
	Clients                    map[string]bool

	pending analysis.Pending // bound for Clients
}

// settle moves the pending clients into Clients (analysis.Pending).
func (m *metricsAcc) settle() {
	if m.Clients == nil && m.pending.Len() > 0 {
		m.Clients = map[string]bool{}
	}
	m.pending.Settle(m.Clients)
	delete(m.Clients, "")
}

func (m *metricsAcc) add(c *frame.Frame) {
	m.Requests += c.Len()
	if v, ok := c.View(frame.Status); ok {
		for code, n := range v.Counts() {
			s := v.Dict.At(uint32(code))
			switch {
			case s == "404":
				m.NotFound += n
				m.C4 += n
			case len(s) == 3 && s[0] == '4':
				m.C4 += n
			case len(s) == 3 && s[0] == '5':
				m.C5 += n
			}
		}
	}
	if v, ok := c.View(frame.IP); ok {
		if m.Clients == nil {
			m.Clients = map[string]bool{}
		}
		m.pending.Add(m.Clients, v, v.Counts()) // "" (no client) among them: settle takes it out
	}
	for _, b := range c.Num(frame.Bytes) {
		if !math.IsNaN(b) {
			m.Bytes += b
		}
	}
}

// merge adds o's records.
func (m *metricsAcc) merge(o metricsAcc) {
	m.settle()
	o.settle()
	m.Requests += o.Requests
	m.C4 += o.C4
	m.C5 += o.C5
	m.NotFound += o.NotFound
	m.Bytes += o.Bytes
	if len(o.Clients) > 0 && m.Clients == nil {
		m.Clients = map[string]bool{}
	}
	for k := range o.Clients {
		m.Clients[k] = true
	}
}

// metrics are the accumulated metrics, as metricsOf gives them.
func (m *metricsAcc) metrics(inv analysis.Inventory, malformed, read int) *Metrics {
	out := &Metrics{Requests: m.Requests, Malformed: malformed, UniqueClients: m.pending.NonEmpty(m.Clients), Bytes: m.Bytes}
	if malformed > 0 {
		out.MalformedRate = float64(malformed) / float64(malformed+read)
	}
	if inv.Columns.Str[frame.Status] && m.Requests > 0 {
		total := float64(m.Requests)
		out.ErrorRate, out.ClientErrorRate, out.NotFoundRate = float64(m.C5)/total, float64(m.C4)/total, float64(m.NotFound)/total
	}
	return out
}
