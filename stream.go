package logbook

import (
	"context"
	"fmt"
	"math"
	"runtime"
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
	if p.sel.compare {
		return "--compare previous selects two periods from the records"
	}
	if (p.sel.week == "last" || p.sel.last > 0 && p.sel.until.zero()) && cfg.Now.IsZero() {
		return "the window ends at the newest record, known only at the end"
	}
	return ""
}

// chunkWork is a chunk on its way from the read to the states.
type chunkWork struct {
	f      *frame.Frame
	source int
	format string
}

// analyseChunks reads the records chunk by chunk into the sections'
// states and finishes them (see the comment at the top of this file).
func analyseChunks(ctx context.Context, cfg *Config, p *plan, sources []ingest.Source, unread []analysis.Source, x *expanded, phase func(string), gc *gcPolicy) (*analysed, error) {
	an := &analysed{}
	zoneless := map[string]bool{}
	for _, f := range ingest.Formats() {
		if f.Zoneless {
			zoneless[f.Name] = true
		}
	}
	var (
		in        *analysis.Input
		states    []analysis.State
		inv       analysis.Inventory
		met       metricsAcc
		read      int
		readTimes analysis.TimeRange
		addErr    error
	)
	// start makes the states when the first chunk comes: the report's
	// zone, unless given, is the offset of the first record, as a frame's
	// Location is.
	start := func(first *frame.Frame, format string) {
		loc := p.loc
		if loc == nil {
			loc = first.Location()
			if zoneless[format] && p.logLoc != nil {
				loc = p.logLoc
			}
		}
		in = &analysis.Input{Loc: loc, MaxRows: p.maxRows, Crawlers: p.crawlers, Site: p.site}
		states = make([]analysis.State, len(p.jobs))
		for i, j := range p.jobs {
			states[i] = j.Analysis.(analysis.Partial).NewState(in)
		}
	}
	add := func(w chunkWork) {
		c := w.f
		if zoneless[w.format] && p.logLoc != nil {
			shiftWallClock(c.Time, p.logLoc)
			_, off := time.Unix(c.Time[0], 0).In(p.logLoc).Zone()
			c.Offset = int32(off)
		}
		if in == nil {
			start(c, w.format)
		}
		read += c.Len()
		readTimes.AddTimes(c.Time)
		// The columns are those of every record read, as a frame's
		// selection keeps its columns; what they hold, of those selected.
		inv.Columns.Union(c.Columns())
		c, _ = p.sel.applyTo(c, in.Loc, cfg.Now, true)
		if c.Len() == 0 {
			return
		}
		if p.anon != nil {
			anonymize(c, p.anon)
		}
		inv.Merge(analysis.InventoryOf(c))
		an.times.AddTimes(c.Time)
		met.add(c)
		if err := addAll(ctx, states, c); err != nil && addErr == nil {
			addErr = err
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
	res := ingest.Read(ctx, sources, ingest.Options{Format: p.logFormat, Workers: x.readWorkers(cfg), Progress: cfg.Progress,
		ChunkRows: chunkRows, Chunks: func(c *frame.Frame, source int, format string) {
			select {
			case work <- chunkWork{c, source, format}:
			case <-ctx.Done():
			}
		}})
	close(work)
	<-done
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if addErr != nil {
		return nil, addErr
	}
	an.res, an.read = res, read
	an.problems = append(an.problems, x.notes()...)
	gc.free()
	gc.percent(100)
	phase(fmt.Sprintf("read and accumulated %d records", read))

	notes := zonelessTimes(res, p.logLoc, true)
	an.problems = append(an.problems, zoneProblems(notes)...)
	if in == nil { // nothing read: the zone of an empty frame, as a run on one
		start(new(frame.Frame), "")
	}
	for _, s := range res.Sources {
		in.Sources = append(in.Sources, sourceInfo(s, p.anon != nil))
	}
	for _, n := range notes {
		in.Sources[n.source].Notes = append(in.Sources[n.source].Notes, n.msg)
	}
	in.Sources = append(in.Sources, unread...)
	an.in = in
	an.records = inv.Rows
	an.metrics = met.metrics(inv, res.Malformed(), read)

	if p.sel.hasWindow() || p.sel.hasFilters() {
		_, sel := p.sel.applyTo(new(frame.Frame), in.Loc, cfg.Now, true)
		rs := sel.report
		rs.Read, rs.Selected = read, inv.Rows
		if readTimes.N > 0 && p.sel.hasWindow() {
			rs.ReadFirst, rs.ReadLast = time.Unix(readTimes.First, 0), time.Unix(readTimes.Last, 0)
		}
		an.selection = rs
		if why := emptySelection(p.sel.missingColumns(inv.Columns), read, inv.Rows, rs); why != "" {
			an.problems = append(an.problems, Problem{Kind: NothingSelected, Message: why, Fails: true})
		}
	}

	an.sections = analysis.FinishAll(ctx, in, inv, p.jobs, states)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return an, nil
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
// computes them on a frame.
type metricsAcc struct {
	requests, c4, c5, notFound int
	bytes                      float64 // sums of whole byte counts: exact in any order below 2^53
	clients                    map[string]struct{}
}

func (m *metricsAcc) add(c *frame.Frame) {
	m.requests += c.Len()
	if v, ok := c.View(frame.Status); ok {
		for code, n := range v.Counts() {
			s := v.Dict[code]
			switch {
			case s == "404":
				m.notFound += n
				m.c4 += n
			case len(s) == 3 && s[0] == '4':
				m.c4 += n
			case len(s) == 3 && s[0] == '5':
				m.c5 += n
			}
		}
	}
	if v, ok := c.View(frame.IP); ok {
		if m.clients == nil {
			m.clients = map[string]struct{}{}
		}
		for code, n := range v.Counts() {
			if s := v.Dict[code]; n > 0 && s != "" {
				if _, seen := m.clients[s]; !seen {
					m.clients[strings.Clone(s)] = struct{}{}
				}
			}
		}
	}
	for _, b := range c.Num(frame.Bytes) {
		if !math.IsNaN(b) {
			m.bytes += b
		}
	}
}

// metrics are the accumulated metrics, as metricsOf gives them.
func (m *metricsAcc) metrics(inv analysis.Inventory, malformed, read int) *Metrics {
	out := &Metrics{Requests: m.requests, Malformed: malformed, UniqueClients: len(m.clients), Bytes: m.bytes}
	if malformed > 0 {
		out.MalformedRate = float64(malformed) / float64(malformed+read)
	}
	if inv.Columns.Str[frame.Status] && m.requests > 0 {
		total := float64(m.requests)
		out.ErrorRate, out.ClientErrorRate, out.NotFoundRate = float64(m.c5)/total, float64(m.c4)/total, float64(m.notFound)/total
	}
	return out
}
