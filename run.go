package logbook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
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
	// FieldsSkipped: a format string names fields logbook does not read;
	// they are matched by position and left out. A note, not a failure.
	FieldsSkipped
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
	plan     *plan
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
	x := expandSources(ctx, &cfg)
	sources, expandErrs := x.sources, x.errs
	for _, e := range expandErrs {
		out.Problems = append(out.Problems, Problem{Kind: InputMissing, Message: e.Error(), Fails: true})
	}
	if len(sources) == 0 {
		return nil, errors.Join(append(expandErrs, errors.New("nothing to read"))...)
	}
	phase := func(name string) {
		if cfg.Phase != nil {
			cfg.Phase(name)
		}
	}
	gc := newGCPolicy()
	defer gc.restore()

	// Read. The heap goal during the read is 1.5 times the live heap (the
	// frame so far and the chunks in flight): a few more collections,
	// cheap because the frame's columns hold no pointers, for a lower
	// peak.
	gc.percent(50)
	res := ingest.Read(ctx, sources, ingest.Options{Format: p.logFormat, Workers: x.readWorkers(&cfg), Progress: cfg.Progress})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fr := res.Frame
	out.Problems = append(out.Problems, x.notes()...)
	phase(fmt.Sprintf("read %d records", fr.Len()))
	// What the read needed and no longer does (the parsing goroutines'
	// dictionaries, chunk buffers) is freed now and handed back to the
	// system, so that the peak is the frame plus the analyses, not plus
	// the read's leftovers. From now on the frame is most of the heap and
	// is never garbage, so the default heap goal (twice the live heap)
	// would let the analyses' scratch grow as big as the frame before a
	// collection; 1.15 times keeps the peak near the frame's size, at the
	// price of a few collections that only mark the analyses' own objects.
	gc.free()
	gc.percent(15)
	phase("freed the read's buffers")

	// Select: the records the report covers. Every record read, until
	// time windows and filters come here.

	// Analyse.
	loc := p.loc
	if loc == nil {
		loc = fr.Location()
	}
	in := &analysis.Input{Frame: fr, Loc: loc}
	for _, s := range res.Sources {
		in.Sources = append(in.Sources, sourceInfo(s))
	}
	sections := analysis.RunAll(ctx, in, p.jobs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	phase(fmt.Sprintf("analyses (%d sections)", len(sections)))

	// Assemble.
	rep := &report.Report{Title: cfg.Title, Generated: p.generated, Loc: loc, Sources: in.Sources,
		Records: fr.Len(), Sections: sections}
	if rep.Title == "" {
		rep.Title = defaultTitle(append(slices.Clip(cfg.Inputs), x.sqlNames()...))
	}
	if fr.Len() > 0 {
		rep.First = time.Unix(slices.Min(fr.Time), 0)
		rep.Last = time.Unix(slices.Max(fr.Time), 0)
	}
	out.Report = rep
	// The sections hold their tables, not the frame: drop it, with the
	// analyses' scratch, before the report is rendered, so that the peak
	// is the larger of the two phases rather than their sum.
	out.Problems = append(out.Problems, problems(res, sections, cfg.Strict)...)
	fr, in.Frame, res.Frame = nil, nil, nil
	gc.free()
	gc.percent(100)
	phase("freed the frame")

	return out, nil
}

// problems lists what went wrong reading the sources and running the
// sections, in that order.
func problems(res *ingest.Result, sections []*analysis.Section, strict bool) []Problem {
	var out []Problem
	if res.Frame.Len() == 0 {
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
	for _, s := range sections {
		if s.Error != "" {
			out = append(out, Problem{Kind: SectionFailed, Message: fmt.Sprintf("section %s: %s", s.ID, s.Error), Fails: true})
		}
	}
	if m := res.Malformed(); m > 0 {
		msg := fmt.Sprintf("%s skipped", analysis.Count(m, "malformed line"))
		for _, s := range res.Sources {
			if len(s.Examples) > 0 {
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
// set, and puts back the setting it found.
type gcPolicy struct {
	on   bool
	prev int
}

func newGCPolicy() *gcPolicy {
	g := &gcPolicy{on: os.Getenv("GOGC") == ""}
	if g.on {
		g.prev = debug.SetGCPercent(100)
		debug.SetGCPercent(g.prev)
	}
	return g
}

func (g *gcPolicy) percent(p int) {
	if g.on {
		debug.SetGCPercent(p)
	}
}

// free collects now and returns the freed memory to the system: one
// collection, cheap because the frame's columns hold no pointers.
func (g *gcPolicy) free() { debug.FreeOSMemory() }

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

// sourceInfo is a source's accounting as the analyses and the report
// show it.
func sourceInfo(s *ingest.SourceStats) analysis.Source {
	out := analysis.Source{Name: s.Name, Format: s.Format, Compression: s.Compression, Lines: s.Lines,
		Records: s.Records, Malformed: s.Malformed, Repaired: s.Repaired, Skipped: s.Skipped}
	if s.Err != nil {
		out.Err = s.Err.Error()
	}
	if len(s.Formats) > 1 {
		for _, sp := range s.Formats {
			out.Formats = append(out.Formats, analysis.FormatSpan{Format: sp.Format, Line: sp.Line})
		}
	}
	for _, e := range s.Examples {
		out.Examples = append(out.Examples, analysis.Example{Line: e.Line, Reason: e.Reason, Text: e.Text})
	}
	for _, e := range s.Repairs {
		out.Repairs = append(out.Repairs, analysis.Example{Line: e.Line, Reason: e.Reason, Text: e.Text})
	}
	return out
}
