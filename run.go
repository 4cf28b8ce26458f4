package logbook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/ingest"
	"github.com/logbook/logbook/report"
)

// ProblemKind classifies what went wrong in a run.
type ProblemKind int

const (
	// InputMissing: an input names nothing that exists, or a directory
	// could not be listed.
	InputMissing ProblemKind = iota
	// InputUnreadable: a source could not be opened or read to its end;
	// what was read before the error is in the report.
	InputUnreadable
	// MalformedLines: lines that are not records (one problem for all of
	// them); it fails the run only with Config.Strict.
	MalformedLines
	// SectionFailed: a section returned an error or panicked; the others
	// are in the report.
	SectionFailed
	// NothingRead: no input gave a single record (files that are not
	// logs, empty files, every line malformed).
	NothingRead
	// NothingSelected: records were read, but none is in the window or
	// passes the filters.
	NothingSelected
	// FieldsSkipped: a format string names fields logbook does not read;
	// they are matched by position and left out. A note, not a failure.
	FieldsSkipped
	// ZonelessTimes: a source's times carry no zone (HAProxy) and were
	// read in Config.LogTimeZone, or as UTC. A note, not a failure.
	ZonelessTimes
	// InputNote: an input read once though reached twice (a folder and a
	// file in it, two globs, a link and its target), an empty file, a
	// symbolic link loop or a link to nothing left out. A note, not a
	// failure; the report's sources say it too.
	InputNote
	// SourceNote says how sources were read: S3 objects left out by the
	// window, the columns a SQL query's rows were read from. A note.
	SourceNote
)

// Problem is one thing that went wrong, said in one line.
type Problem struct {
	Kind    ProblemKind
	Message string
	// Fails is whether the problem fails the run (a non-zero exit): every
	// problem does but malformed lines without Strict and the note of
	// skipped format-string fields.
	Fails bool
}

// Outcome is what a run made: the report, and the problems met.
type Outcome struct {
	Report   *report.Report
	Problems []Problem
	// Metrics are the quantities gates compare; Gates the result of each
	// Config.FailOn rule, in order.
	Metrics *Metrics
	Gates   []GateResult
	plan    *plan
}

// Fired lists the gates that fired.
func (o *Outcome) Fired() []GateResult {
	var out []GateResult
	for _, g := range o.Gates {
		if g.Fired {
			out = append(out, g)
		}
	}
	return out
}

// Err joins the messages of the problems that fail the run, or is nil.
func (o *Outcome) Err() error {
	var msgs []string
	for _, p := range o.Problems {
		if p.Fails {
			msgs = append(msgs, p.Message)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// Run reads the inputs, selects the records, runs the sections and
// assembles the report. It returns an error, and no report, when the
// configuration does not validate (a *UsageError), when there is nothing to
// read, or when ctx is cancelled; every other problem is in the Outcome,
// with the report made from what could be read.
//
// Run tunes the garbage collector while it works, for a lower peak of
// memory, and restores the setting before it returns (unless GOGC is set).
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
	p, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	if err := checkOutputs(p.outputs, p.opt); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &Outcome{plan: p}
	if skipped := ingest.SkippedFields(p.logFormat); len(skipped) > 0 {
		are := "are"
		if len(skipped) == 1 {
			are = "is"
		}
		out.Problems = append(out.Problems, Problem{Kind: FieldsSkipped,
			Message: fmt.Sprintf("%s of the format string %s matched by position and not read: %s",
				analysis.Count(len(skipped), "field"), are, strings.Join(skipped, ", "))})
	}
	// Partial files among the inputs are merged, not read as logs; they,
	// and a partial as an output, need every section to accumulate chunk
	// by chunk.
	partialPaths, rawInputs := splitPartials(cfg.Inputs)
	allInputs := cfg.Inputs
	cfg.Inputs = rawInputs
	if len(partialPaths)+len(cfg.PartialData) > 0 || p.partialOut {
		if why := p.frameNeeded(&cfg); why != "" && why != "forced" {
			return nil, usagef("partial files need every section to accumulate chunk by chunk, but %s", why)
		}
	}
	parts, unread, partProblems, err := loadPartials(partialPaths, cfg.PartialData)
	if err != nil {
		return nil, err
	}
	out.Problems = append(out.Problems, partProblems...)

	since, until := p.sel.knownBounds(p.loc)
	x := expandSources(ctx, &cfg, since, until)
	sources, expandErrs := x.sources, x.errs
	if cfg.Walked {
		for i := range sources {
			sources[i].Walked = true
		}
	}
	if len(parts) > 0 {
		var covered []analysis.Source
		var notes []Problem
		sources, covered, notes = dropCovered(sources, parts)
		unread = append(unread, covered...)
		out.Problems = append(out.Problems, notes...)
	}
	for _, e := range expandErrs {
		u := unreadInput(e)
		if u.Note != "" {
			out.Problems = append(out.Problems, Problem{Kind: InputNote, Message: e.Error()})
		} else {
			out.Problems = append(out.Problems, Problem{Kind: InputMissing, Message: e.Error(), Fails: true})
		}
		unread = append(unread, u)
	}
	if len(sources) == 0 && len(parts) == 0 {
		// One line: the command prints an error escaped for the
		// terminal, where a joined error's newline would show as \n.
		var msgs []string
		for _, e := range expandErrs {
			msgs = append(msgs, e.Error())
		}
		if len(msgs) == 0 {
			return nil, errors.New("nothing to read")
		}
		return nil, fmt.Errorf("nothing to read: %s", strings.Join(msgs, "; "))
	}
	phase := func(name string) {
		if cfg.Phase != nil {
			cfg.Phase(name)
		}
	}
	gc := newGCPolicy()
	defer gc.restore()

	if cfg.ProgressTotal != nil {
		total, ok := ingest.TotalSize(sources)
		if !ok {
			total = -1
		}
		cfg.ProgressTotal(total)
	}
	var an *analysed
	if mode := p.readMode(&cfg, sources, len(parts) > 0); mode != readFrame {
		an, err = analyseChunks(ctx, &cfg, p, sources, unread, parts, x, phase, gc, mode == readFrameFirst)
	} else {
		an, err = analyseFrame(ctx, &cfg, p, sources, unread, x, phase, gc)
	}
	if err != nil {
		return nil, err
	}
	out.Problems = append(out.Problems, an.problems...)
	sections := an.sections
	phase(fmt.Sprintf("analyses (%d sections)", len(sections)))

	addNotes(sections, p.notes)

	// Assemble.
	rep := &report.Report{Title: cfg.Title, Generated: p.generated, Loc: an.in.Loc, Sources: an.in.Sources,
		Records: an.records, Sections: sections, Selection: an.selection}
	rep.Anonymized = cfg.AnonymizeIP
	if rep.Title == "" {
		rep.Title = defaultTitle(append(slices.Clip(allInputs), x.sqlNames()...))
	}
	if an.times.N > 0 {
		rep.First, rep.Last = time.Unix(an.times.First, 0), time.Unix(an.times.Last, 0)
	}
	rep.Partial = an.partial
	out.Report = rep
	out.Metrics = an.metrics
	for _, g := range p.gates {
		out.Gates = append(out.Gates, g.check(out.Metrics, sections))
	}
	out.Problems = append(out.Problems, problems(an.res, an.read, sections, cfg.Strict, p.anon != nil)...)
	// The frame is garbage now: collected, so that the outputs take its
	// memory, but not handed back to the system, which on a million
	// distinct values cost 30 ms of madvise for pages the outputs reuse;
	// the background scavenger hands back what stays free.
	gc.collect()
	gc.percent(100)
	phase("freed the frame")
	return out, nil
}

// analysed is what the read and the analyses made, for the report.
type analysed struct {
	in        *analysis.Input // the settings, and the sources read
	sections  []*analysis.Section
	res       *ingest.Result
	read      int // records read
	records   int // records selected, in the report
	times     analysis.TimeRange
	metrics   *Metrics
	selection *report.Selection
	problems  []Problem // met on the way: notes of the sources, zones, an empty selection
	partial   []byte    // the partial file, when one is an output
}

// analyseFrame reads the records into one frame, selects, and runs the
// sections on it: what every run did before sections could accumulate
// chunk by chunk, and what a run still does when one needs the frame
// (plan.frameNeeded).
func analyseFrame(ctx context.Context, cfg *Config, p *plan, sources []ingest.Source, unread []analysis.Source, x *expanded, phase func(string), gc *gcPolicy) (*analysed, error) {
	// Read. The heap goal during the read is 1.5 times the live heap (the
	// frame so far and the chunks in flight): a few more collections,
	// cheap because the frame's columns hold no pointers, for a lower
	// peak.
	gc.percent(50)
	res := ingest.Read(ctx, sources, ingest.Options{Format: p.logFormat, Workers: x.readWorkers(cfg), Progress: cfg.Progress})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return analyseRead(ctx, cfg, p, res, unread, x, phase, gc)
}

// analyseRead selects the records of the frame read, and runs the
// sections on them (analyseFrame).
func analyseRead(ctx context.Context, cfg *Config, p *plan, res *ingest.Result, unread []analysis.Source, x *expanded, phase func(string), gc *gcPolicy) (*analysed, error) {
	an := &analysed{}
	an.res = res
	fr := res.Frame
	an.problems = append(an.problems, x.notes()...)
	phase(fmt.Sprintf("read %d records", fr.Len()))
	// What the read needed and no longer does (the parsing goroutines'
	// dictionaries, chunk buffers) is freed now and handed back to the
	// system, so that the peak is the frame plus the analyses, not plus
	// the read's leftovers. From now on the frame is most of the heap and
	// is never garbage, so the default heap goal (twice the live heap)
	// would let the analyses' scratch grow as big as the frame before a
	// collection; 1.15 times keeps the peak near the frame's size, at the
	// price of a few collections that only mark the analyses' own objects.
	// Nothing is interned into the frame any more: its dictionaries'
	// indexes go too (a look-up reads the dictionary, frame.DropIndexes).
	held := heldMemory() // the read's peak, near enough: the limit's floor
	fr.DropIndexes(analysis.NamedValues...)
	gc.free()
	gc.percentFloor(15, fr.UnpackedBytes()*15/100, held) // the floor as over the frame unpacked
	phase("freed the read's buffers")

	// Times written without a zone are the server's clock: shift them to
	// --log-tz, and say what was assumed.
	notes := zonelessTimes(res, p.logLoc, false)
	an.problems = append(an.problems, zoneProblems(notes)...)

	// Select: the records the report covers.
	loc := p.loc
	if loc == nil {
		loc = fr.Location()
		if len(notes) > 0 && notes[0].first && p.logLoc != nil {
			loc = p.logLoc // the log's own zone, as --log-tz says
		}
	}
	read, nRead := fr, fr.Len()
	an.read = nRead
	fr, sel := p.sel.apply(fr, loc, cfg.Now)
	if sel != nil && sel.empty != "" {
		an.problems = append(an.problems, Problem{Kind: NothingSelected, Message: sel.empty, Fails: true})
	}
	if fr != read {
		read, res.Frame = nil, nil
		gc.free()
		phase(fmt.Sprintf("selected %d records", fr.Len()))
	}

	if p.anon != nil {
		anonymize(fr, p.anon)
		if sel != nil && sel.prev != nil {
			anonymize(sel.prev.frame, p.anon) // the comparison shows its clients too
		}
	}

	an.metrics = metricsOf(fr, res.Malformed(), nRead)

	// The selection and anonymization made new columns, indexed as they
	// were filled: those indexes go too.
	fr.DropIndexes(analysis.NamedValues...)
	if sel != nil && sel.prev != nil {
		sel.prev.frame.DropIndexes(analysis.NamedValues...)
	}

	// Analyse.
	in := &analysis.Input{Frame: fr, Loc: loc, MaxRows: p.maxRows, Crawlers: p.crawlers, Site: p.site}
	for _, s := range res.Sources {
		in.Sources = append(in.Sources, sourceInfo(s, p.anon != nil))
	}
	for _, n := range notes {
		in.Sources[n.source].Notes = append(in.Sources[n.source].Notes, n.msg)
	}
	in.Sources = append(in.Sources, unread...)
	an.in = in
	sections := analysis.RunAll(ctx, in, p.jobs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if sel != nil && sel.prev != nil {
		// The previous period: the same sections on its records, kept
		// only for the comparison.
		pin := &analysis.Input{Frame: sel.prev.frame, Loc: loc, Sources: in.Sources, MaxRows: p.maxRows, Crawlers: p.crawlers, Site: p.site}
		prevSections := analysis.RunAll(ctx, pin, p.jobs)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		prevMetrics := metricsOf(sel.prev.frame, res.Malformed(), nRead)
		var firstRead time.Time
		if nRead > 0 {
			firstRead = sel.report.ReadFirst
		}
		partly := previousCoverage(sel.prev.from, sel.prev.until, firstRead, loc)
		cmp := comparisonSection(sel.prev.desc, partly, sel.prev.length, prevMetrics, an.metrics, prevSections, sections)
		at := 0
		if len(sections) > 0 && sections[0].ID == "overview" {
			at = 1
		}
		sections = slices.Insert(sections, at, cmp)
		sel.prev, pin = nil, nil
		phase("compared with the previous period")
	}
	an.sections = sections
	if sel != nil {
		an.selection = sel.report
	}
	an.records = fr.Len()
	if fr.Len() > 0 {
		an.times = analysis.TimeRange{N: fr.Len(), First: slices.Min(fr.Time), Last: slices.Max(fr.Time)}
	}
	// The sections hold their tables, not the frame: it is dropped, with
	// the analyses' scratch, before the report is rendered (Run frees
	// it), so that the peak is the larger of the two phases rather than
	// their sum.
	in.Frame, res.Frame = nil, nil
	return an, nil
}

// problems lists what went wrong reading the sources and running the
// sections, in that order.
func problems(res *ingest.Result, read int, sections []*analysis.Section, strict, withhold bool) []Problem {
	var out []Problem
	if read == 0 {
		var notLogs []string
		for _, s := range res.Sources {
			if s.Skipped != "" {
				notLogs = append(notLogs, s.Name)
			}
		}
		msg := fmt.Sprintf("no records were read from %s", analysis.Count(len(res.Sources), "input"))
		if len(notLogs) > 0 {
			msg += fmt.Sprintf("; not recognised as access logs: %s", strings.Join(notLogs, ", "))
		}
		out = append(out, Problem{Kind: NothingRead, Message: msg, Fails: true})
	}
	for _, s := range res.Failed() {
		out = append(out, Problem{Kind: InputUnreadable, Message: s.Err.Error(), Fails: true})
	}
	for _, s := range res.Sources {
		if s.Note != "" {
			out = append(out, Problem{Kind: InputNote, Message: fmt.Sprintf("%s: %s", s.Name, s.Note)})
		}
	}
	for _, s := range sections {
		if s.Error != "" {
			out = append(out, Problem{Kind: SectionFailed, Message: fmt.Sprintf("section %s: %s", s.ID, s.Error), Fails: true})
		}
	}
	if m := res.Malformed(); m > 0 {
		msg := fmt.Sprintf("%s skipped", analysis.Count(m, "malformed line"))
		for _, s := range res.Sources {
			if len(s.Examples) > 0 && !withhold {
				msg += fmt.Sprintf(" (first: %s)", s.Examples[0])
				break
			}
		}
		if strict {
			msg += "; --strict makes this an error"
		}
		out = append(out, Problem{Kind: MalformedLines, Message: msg, Fails: strict})
	}
	return out
}

// gcPolicy sets the collector's heap goal phase by phase, unless GOGC is
// set, and puts back the setting it found; and, while the analyses run,
// a memory limit, unless GOMEMLIMIT is set (percentFloor).
type gcPolicy struct {
	on, limits bool
	prev       int
	prevLimit  int64

	// The percentage set, the least headroom over the live heap and the
	// memory limit's floor (percentFloor), which a watcher re-arms after
	// each collection while gen is its own.
	mu      sync.Mutex
	base    int
	floor   int64
	ceiling int64
	limited bool // a limit is set, to be put back
	gen     int
}

func newGCPolicy() *gcPolicy {
	g := &gcPolicy{on: os.Getenv("GOGC") == ""}
	if g.on {
		g.prev = debug.SetGCPercent(100)
		debug.SetGCPercent(g.prev)
		g.limits = os.Getenv("GOMEMLIMIT") == ""
		g.prevLimit = debug.SetMemoryLimit(-1)
	}
	return g
}

func (g *gcPolicy) percent(p int) {
	g.mu.Lock()
	g.gen++ // a watcher of percentFloor stops
	if g.limited {
		debug.SetMemoryLimit(g.prevLimit)
		g.limited = false
	}
	g.mu.Unlock()
	if g.on {
		debug.SetGCPercent(p)
	}
}

// percentFloor sets the heap goal to p percent over the live heap, and to
// at least floor bytes over it: after each collection the percentage is
// made again from the live heap then. Over a frame whose dictionaries are
// packed, the analyses allocate what they did over the unpacked frame (the
// values they read decoded), and p of a heap several times smaller had
// the collector run three times as often for the same work; at the run's
// peak, when the sections' tables are most of the heap, p alone holds.
//
// It also sets a memory limit, made again after each collection: the
// heap goal plus the runtime's own memory and 16 MB, and never less than
// ceiling (what the process already held, the read's). The
// runtime hands memory back to the system at about 1% of a core: the
// sections build and drop tables of tens of MB each, and on a million
// distinct clients 100 MB of freed pages were still held at the run's
// peak. Past the limit it hands them back at once; the limit is above
// the heap goal, so the collector runs no more often than p has it.
func (g *gcPolicy) percentFloor(p int, floor, ceiling int64) {
	if !g.on {
		return
	}
	g.mu.Lock()
	g.gen++
	g.base, g.floor, g.ceiling = p, floor, ceiling
	gen := g.gen
	g.mu.Unlock()
	g.adjust(gen)
}

// heldMemory is the memory the runtime holds from the system (mapped and
// not handed back): most of the process's resident size.
func heldMemory() int64 {
	ms := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(ms)
	return int64(ms[0].Value.Uint64()) - int64(ms[1].Value.Uint64())
}

// runtimeMemory is what the runtime holds besides the heap's pages: its
// metadata, the goroutines' stacks.
func runtimeMemory() int64 {
	ms := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(ms)
	n := heldMemory()
	for _, m := range ms {
		n -= int64(m.Value.Uint64())
	}
	return max(n, 0)
}

// adjust sets the percentage for the live heap, and re-arms itself for
// the next collection, unless gen is no longer the policy's.
func (g *gcPolicy) adjust(gen int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gen != g.gen {
		return
	}
	live := [1]metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live[:])
	p := g.base
	n := int64(live[0].Value.Uint64())
	if live[0].Value.Kind() == metrics.KindUint64 && n > 0 {
		p = max(p, int(100*g.floor/n))
	}
	debug.SetGCPercent(p)
	if g.limits {
		goal := n * int64(100+p) / 100
		debug.SetMemoryLimit(max(g.ceiling, goal+runtimeMemory()+16<<20))
		g.limited = true
	}
	// Run again once the next collection has found this object garbage.
	runtime.AddCleanup(new([4]uint64), func(int) { g.adjust(gen) }, 0)
}

// free collects now and returns the freed memory to the system: one
// collection, cheap because the frame's columns hold no pointers.
func (g *gcPolicy) free() { debug.FreeOSMemory() }

// collect collects now, the freed memory kept for what comes next.
func (g *gcPolicy) collect() { runtime.GC() }

func (g *gcPolicy) restore() { g.percent(g.prev) }

func defaultTitle(inputs []string) string {
	if len(inputs) == 1 {
		name := inputs[0]
		if name == "-" {
			name = "standard input"
		}
		return "Access log report: " + name
	}
	return fmt.Sprintf("Access log report: %d inputs", len(inputs))
}

// withheldText stands for an example line's text in an anonymized report.
const withheldText = "(text withheld: --anonymize-ip)"

// sourceInfo is a source's accounting as the analyses and the report
// show it.
// With withhold, the text of example lines is left out: it holds client
// addresses.
func sourceInfo(s *ingest.SourceStats, withhold bool) analysis.Source {
	out := analysis.Source{Name: s.Name, Format: s.Format, Compression: s.Compression, Lines: s.Lines,
		Records: s.Records, Malformed: s.Malformed, Repaired: s.Repaired, Skipped: s.Skipped, Note: s.Note}
	if s.Err != nil {
		out.Err = s.Err.Error()
	}
	if len(s.Formats) > 1 {
		for _, sp := range s.Formats {
			out.Formats = append(out.Formats, analysis.FormatSpan{Format: sp.Format, Line: sp.Line})
		}
	}
	text := func(t string) string {
		if withhold {
			return withheldText
		}
		return t
	}
	for _, e := range s.Examples {
		out.Examples = append(out.Examples, analysis.Example{Line: e.Line, Reason: e.Reason, Text: text(e.Text)})
	}
	for _, e := range s.Repairs {
		out.Repairs = append(out.Repairs, analysis.Example{Line: e.Line, Reason: e.Reason, Text: text(e.Text)})
	}
	return out
}

// unreadInput is an input Expand gave no source for, as the report lists
// it: one that names nothing or could not be listed, with its error, or
// one left out with a note (reached before, a link loop).
func unreadInput(err error) analysis.Source {
	var ie *ingest.InputError
	if !errors.As(err, &ie) {
		return analysis.Source{Name: err.Error(), Err: err.Error(), Unread: true}
	}
	msg := strings.TrimPrefix(err.Error(), ie.Path+": ")
	if pe, ok := ie.Err.(*fs.PathError); ok {
		msg = pe.Err.Error() // "no such file or directory", without "stat NAME: "
	}
	if ie.Note {
		return analysis.Source{Name: ie.Path, Note: msg, Unread: true}
	}
	return analysis.Source{Name: ie.Path, Err: msg, Unread: true}
}
