package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
	"github.com/logbook/logbook/report"
)

// exitError carries an exit status: 2 for usage errors, 1 otherwise.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

const usage = `logbook turns web access logs into a notebook-style report.

Usage:
  logbook report [flags] FILE|DIR|GLOB|- ...   read logs and write a report
  logbook sections                             list the report's sections
  logbook formats                              list log and output formats
  logbook version                              print the version

Run "logbook report -h" for the report's flags.
`

// run is the whole program; main only maps its error to an exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError("no command given")
	}
	switch args[0] {
	case "report":
		return runReport(ctx, args[1:], stdin, stdout, stderr)
	case "sections":
		return listSections(stdout)
	case "formats":
		return listFormats(stdout)
	case "version":
		fmt.Fprintln(stdout, "logbook", report.Version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError("unknown command %q", args[0])
}

func listSections(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, info := range analysis.All() {
		fmt.Fprintf(tw, "%s\t%s\n", info.Name, info.Doc)
	}
	return tw.Flush()
}

func listFormats(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "log formats (--format, detected when not given):")
	for _, f := range ingest.Formats() {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Name, f.Doc)
	}
	fmt.Fprintln(tw, "output formats (--format, or the extension of -o):")
	for _, f := range report.Formats() {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Name, f.Ext)
	}
	return tw.Flush()
}

// listFlag collects comma-separated values, from one or several uses.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// paramFlag collects section.param=value pairs.
type paramFlag map[string]string

func (p paramFlag) String() string { return "" }
func (p paramFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || !strings.Contains(k, ".") {
		return fmt.Errorf("want section.param=value, got %q", v)
	}
	p[k] = val
	return nil
}

type reportFlags struct {
	out          string
	formats      listFlag
	logFormat    string
	sections     listFlag
	skip         listFlag
	tz           string
	strict       bool
	now          string
	title        string
	frontMatter  string
	cpuprofile   string
	params       paramFlag
	workers      int
	timings      bool
	outputFormat []report.Format
	inputFormat  *ingest.Format
}

func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("logbook report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f reportFlags
	f.params = paramFlag{}
	fs.StringVar(&f.out, "o", "", "output `file` (kind from its extension) or directory; default logbook-report.html")
	fs.Var(&f.formats, "format", "comma-separated `names`: output formats (html, md, ipynb, json) and/or the log format to force (see logbook formats)")
	fs.StringVar(&f.logFormat, "log-format", "", "force the log `format` instead of detecting it per source")
	fs.Var(&f.sections, "sections", "only these `sections`, comma-separated (see logbook sections)")
	fs.Var(&f.skip, "skip", "leave out these `sections`, comma-separated")
	fs.StringVar(&f.tz, "tz", "", "count days and hours in this `zone` (UTC, +0200, Europe/Berlin); default: the log's own offset")
	fs.BoolVar(&f.strict, "strict", false, "exit non-zero if any line is malformed")
	fs.StringVar(&f.now, "now", "", "pin the report's generation `time` (RFC 3339) for reproducible output")
	fs.StringVar(&f.title, "title", "", "report `title`")
	fs.StringVar(&f.frontMatter, "front-matter", "none", "Markdown front matter: jekyll, hugo or none")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile to `file`")
	fs.Var(f.params, "param", "set a section parameter, `section.name=value` (repeatable), e.g. sizes.z=2.5")
	fs.IntVar(&f.workers, "workers", 0, "parsing goroutines (`n`); default: one per core")
	fs.BoolVar(&f.timings, "timings", false, "print how long reading, each section and each output took")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: logbook report [flags] FILE|DIR|GLOB|- ...\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// Flags may come before, between or after the inputs.
	var inputs []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return &exitError{code: 2, err: err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			inputs = append(inputs, rest[1:]...)
			break
		}
		inputs = append(inputs, rest[0])
		args = rest[1:]
	}
	if len(inputs) == 0 {
		return usageError("report: no input given (files, directories, globs, or - for standard input)")
	}
	if err := f.resolveFormats(); err != nil {
		return err
	}
	switch f.frontMatter {
	case "jekyll", "hugo", "none":
	default:
		return usageError("--front-matter: want jekyll, hugo or none, got %q", f.frontMatter)
	}
	targets, err := f.targets()
	if err != nil {
		return err
	}
	infos, err := analysis.Select(f.sections, f.skip)
	if err != nil {
		return usageError("%v", err)
	}
	generated := time.Now().UTC().Truncate(time.Second)
	if f.now != "" {
		generated, err = time.Parse(time.RFC3339, f.now)
		if err != nil {
			return usageError("--now: want RFC 3339 time like 2024-03-04T05:06:07Z: %v", err)
		}
	}
	var loc *time.Location
	if f.tz != "" {
		if loc, err = parseZone(f.tz); err != nil {
			return usageError("--tz: %v", err)
		}
	}

	if f.cpuprofile != "" {
		pf, err := os.Create(f.cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			if cerr := pf.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}

	sources, expandErrs := ingest.Expand(inputs, stdin)
	for _, e := range expandErrs {
		fmt.Fprintln(stderr, "logbook:", e)
	}
	if len(sources) == 0 {
		return fmt.Errorf("report: nothing to read")
	}
	// The heap goals below trade a few more collections, cheap because
	// the frame's columns hold no pointers, for a lower peak: during the
	// read, 1.5 times the live heap (the frame so far and the chunks in
	// flight); see below for after it. GOGC, when set, wins.
	gogc := func(percent int) {
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(percent)
		}
	}
	gogc(50)
	clock := newPhaseClock(stderr, f.timings)
	onRead, progressDone := progress(stderr, sources)
	res := ingest.Read(ctx, sources, ingest.Options{Format: f.inputFormat, Workers: f.workers, Progress: onRead})
	progressDone()
	if err := ctx.Err(); err != nil {
		return err
	}
	fr := res.Frame
	clock.lap("read %d records", fr.Len())
	// What the read needed and no longer does (the parsing goroutines'
	// dictionaries, chunk buffers) is freed now and handed back to the
	// system, so that the peak is the frame plus the analyses, not plus
	// the read's leftovers: one collection, cheap because the frame's
	// columns hold no pointers, and a few page faults. From now on the frame
	// is most of the heap and is never garbage, so the default heap goal
	// (twice the live heap) would let the analyses' scratch grow as big as
	// the frame before a collection; a goal of 1.15 times keeps the peak
	// near the frame's size, at the price of a few collections that only
	// mark the analyses' own objects.
	debug.FreeOSMemory()
	gogc(15)
	clock.lap("freed the read's buffers")
	if loc == nil {
		loc = fr.Location()
	}
	in := &analysis.Input{Frame: fr, Loc: loc, Params: f.params}
	for _, s := range res.Sources {
		in.Sources = append(in.Sources, sourceInfo(s))
	}
	sections := analysis.RunAll(ctx, in, infos)
	clock.lap("analyses (%d sections)", len(sections))
	if f.timings {
		for _, s := range sections {
			fmt.Fprintf(stderr, "logbook: timing:   section %-14s %s\n", s.ID, s.Elapsed.Round(time.Millisecond))
		}
	}

	rep := &report.Report{Title: f.title, Generated: generated, Loc: loc, Sources: in.Sources,
		Records: fr.Len(), Sections: sections}
	if fr.Len() > 0 {
		rep.First = time.Unix(slices.Min(fr.Time), 0)
		rep.Last = time.Unix(slices.Max(fr.Time), 0)
	}
	// The sections hold their tables, not the frame: drop it, with the
	// analyses' scratch, before rendering, so that the peak is the larger
	// of the two phases rather than their sum.
	fr, in.Frame, res.Frame = nil, nil, nil
	debug.FreeOSMemory()
	gogc(100)
	clock.lap("freed the frame")
	if rep.Title == "" {
		rep.Title = defaultTitle(inputs)
	}
	opt := report.Options{FrontMatter: f.frontMatter}
	// The JSON file, which draws no plots, is written while the other
	// formats are rendered; messages and errors still come in order.
	errs := make([]error, len(targets))
	var jsonDone sync.WaitGroup
	for i, t := range targets {
		if t.path != "-" && t.format.Name == "json" && len(targets) > 1 {
			jsonDone.Add(1)
			go func() {
				defer jsonDone.Done()
				errs[i] = report.WriteFile(t.path, t.format, rep, opt)
			}()
		}
	}
	for i, t := range targets {
		if t.path == "-" {
			if err := writeStdout(stdout, t.format, rep, opt); err != nil {
				return err
			}
			continue
		}
		if t.format.Name == "json" && len(targets) > 1 {
			jsonDone.Wait()
		} else {
			errs[i] = report.WriteFile(t.path, t.format, rep, opt)
		}
		if errs[i] != nil {
			jsonDone.Wait()
			return fmt.Errorf("writing %s: %w", t.path, errs[i])
		}
		fmt.Fprintf(stderr, "logbook: wrote %s\n", t.path)
		clock.lap("wrote %s", t.format.Name)
	}

	// The report is written; now say what went wrong, if anything.
	var problems []string
	for _, s := range res.Failed() {
		problems = append(problems, s.Err.Error())
	}
	for _, s := range sections {
		if s.Error != "" {
			problems = append(problems, fmt.Sprintf("section %s: %s", s.ID, s.Error))
		}
	}
	if m := res.Malformed(); m > 0 {
		msg := fmt.Sprintf("%d malformed %s skipped", m, plural(m, "line"))
		for _, s := range res.Sources {
			if len(s.Examples) > 0 {
				msg += fmt.Sprintf(" (first: %s)", s.Examples[0])
				break
			}
		}
		if f.strict {
			problems = append(problems, msg+"; --strict makes this an error")
		} else {
			fmt.Fprintln(stderr, "logbook:", msg)
		}
	}
	if len(expandErrs) > 0 {
		problems = append(problems, fmt.Sprintf("%d %s could not be found or listed", len(expandErrs), plural(len(expandErrs), "input")))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\nlogbook: "))
	}
	return nil
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// resolveFormats splits --format names into the forced log format and the
// output formats; the two sets of names do not overlap.
func (f *reportFlags) resolveFormats() error {
	if f.logFormat != "" {
		if f.inputFormat = ingest.LookupFormat(f.logFormat); f.inputFormat == nil {
			return usageError("--log-format: unknown log format %q (known: %s)", f.logFormat, strings.Join(ingest.FormatNames(), ", "))
		}
	}
	for _, name := range f.formats {
		if lf := ingest.LookupFormat(name); lf != nil {
			if f.inputFormat != nil && f.inputFormat != lf {
				return usageError("--format: two log formats given (%s and %s)", f.inputFormat.Name, lf.Name)
			}
			f.inputFormat = lf
			continue
		}
		of, ok := report.LookupFormat(name)
		if !ok {
			return usageError("--format: unknown format %q (log formats: %s; output formats: %s)", name,
				strings.Join(ingest.FormatNames(), ", "), strings.Join(report.FormatNames(), ", "))
		}
		if !slices.ContainsFunc(f.outputFormat, func(o report.Format) bool { return o.Name == of.Name }) {
			f.outputFormat = append(f.outputFormat, of)
		}
	}
	return nil
}

type target struct {
	path   string
	format report.Format
}

// targets decides which files to write. -o FILE takes its kind from the
// extension; -o DIR (existing, or ending in a slash) or several --format
// outputs write report.EXT files into a directory; no -o writes
// logbook-report.EXT in the current directory.
func (f *reportFlags) targets() ([]target, error) {
	out := f.out
	if out == "-" {
		formats := f.outputFormat
		if len(formats) == 0 {
			of, _ := report.LookupFormat("json")
			formats = []report.Format{of}
		}
		if len(formats) > 1 {
			return nil, usageError("-o -: standard output takes one output format")
		}
		if formats[0].Name == "md" {
			return nil, usageError("-o -: Markdown writes plot files beside the report; give a file name")
		}
		return []target{{path: "-", format: formats[0]}}, nil
	}
	isDir := strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(os.PathSeparator))
	if st, err := os.Stat(out); out != "" && err == nil && st.IsDir() {
		isDir = true
	}
	if out != "" && !isDir && len(f.outputFormat) > 1 {
		if ext := filepath.Ext(out); ext == "" {
			isDir = true // -o out with several formats: a directory
		} else {
			return nil, usageError("-o %s: several output formats need a directory", out)
		}
	}
	if out != "" && !isDir {
		of, ok := report.LookupFormat(filepath.Ext(out))
		if !ok {
			if len(f.outputFormat) == 1 {
				of = f.outputFormat[0]
			} else {
				return nil, usageError("-o %s: cannot tell the output format from the extension (want .html, .md, .ipynb or .json, or --format)", out)
			}
		} else if len(f.outputFormat) == 1 && f.outputFormat[0].Name != of.Name {
			return nil, usageError("-o %s: the extension says %s but --format says %s", out, of.Name, f.outputFormat[0].Name)
		}
		return []target{{path: out, format: of}}, nil
	}
	formats := f.outputFormat
	if len(formats) == 0 {
		of, _ := report.LookupFormat("html")
		formats = []report.Format{of}
	}
	dir, base := ".", "logbook-report"
	if out != "" {
		dir, base = out, "report"
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	var ts []target
	for _, of := range formats {
		ts = append(ts, target{path: filepath.Join(dir, base+of.Ext), format: of})
	}
	return ts, nil
}

// writeStdout renders a format that needs no companion files (targets
// keeps Markdown, whose plots are files, off standard output) to w.
func writeStdout(w io.Writer, of report.Format, rep *report.Report, opt report.Options) error {
	_, err := of.Render(w, rep, opt)
	return err
}

var offsetRE = regexp.MustCompile(`^([+-])(\d\d):?(\d\d)$`)

// parseZone reads UTC, a numeric offset (+0200, -04:00) or an IANA name.
func parseZone(s string) (*time.Location, error) {
	if strings.EqualFold(s, "utc") || s == "Z" {
		return time.UTC, nil
	}
	if m := offsetRE.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[2])
		min, _ := strconv.Atoi(m[3])
		if h > 14 || min > 59 {
			return nil, fmt.Errorf("offset %s out of range", s)
		}
		off := h*3600 + min*60
		if m[1] == "-" {
			off = -off
		}
		return frame.FixedZone(off), nil
	}
	return time.LoadLocation(s)
}

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

func sourceInfo(s *ingest.SourceStats) analysis.Source {
	out := analysis.Source{Name: s.Name, Format: s.Format, Compression: s.Compression, Lines: s.Lines,
		Records: s.Records, Malformed: s.Malformed, Repaired: s.Repaired, Skipped: s.Skipped}
	if s.Err != nil {
		out.Err = s.Err.Error()
	}
	for _, e := range s.Examples {
		out.Examples = append(out.Examples, analysis.Example{Line: e.Line, Reason: e.Reason, Text: e.Text})
	}
	for _, e := range s.Repairs {
		out.Repairs = append(out.Repairs, analysis.Example{Line: e.Line, Reason: e.Reason, Text: e.Text})
	}
	return out
}
