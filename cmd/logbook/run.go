package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/logbook/logbook"
	"github.com/logbook/logbook/analysis"
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
  logbook sections [-v] [SECTION ...]          list the report's sections (-v: with their parameters)
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
		return listSections(args[1:], stdout, stderr)
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

// listSections prints each section's name and doc; with -v, or for the
// sections named, their parameters with type, default and doc.
func listSections(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("logbook sections", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "list each section's parameters")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2, err: err}
	}
	infos := analysis.All()
	if fs.NArg() > 0 {
		var err error
		if infos, err = analysis.Select(fs.Args(), nil); err != nil {
			return &exitError{code: 2, err: err}
		}
		*verbose = true
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	for _, info := range infos {
		fmt.Fprintf(tw, "%s\t%s\n", info.Name, info.Doc)
		if !*verbose {
			continue
		}
		params := info.Params()
		if len(params) == 0 {
			fmt.Fprintf(tw, "\t  (no parameters)\n")
		}
		for _, p := range params {
			doc := p.Doc
			if r := p.Range(); r != "" {
				doc += " (" + r + ")"
			}
			fmt.Fprintf(tw, "\t  --param %s.%s=%s\t%s, default %s: %s\n", info.Name, p.Name, strings.ToUpper(p.Type), p.Type, p.Default, doc)
		}
	}
	return tw.Flush()
}

func listFormats(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "log formats (--log-format, detected per source when not given):")
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
		return fmt.Errorf("want SECTION.NAME=VALUE, got %q (logbook sections -v lists the parameters)", v)
	}
	p[k] = val
	return nil
}

// runReport turns the flags into a logbook.Config, runs it, writes the
// outputs and maps the outcome to an exit status.
func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("logbook report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := logbook.Config{Stdin: stdin, Params: map[string]string{}}
	var (
		out, now, cpuprofile   string
		dateFormat, timeFormat string
		datetimeFormat         string
		formats                listFlag
		timings                bool
	)
	fs.StringVar(&out, "o", "", "output `file` (kind from its extension) or directory; default logbook-report.html")
	fs.Var(&formats, "format", "comma-separated output `formats`: html, md, ipynb, json")
	fs.StringVar(&cfg.LogFormat, "log-format", "", "read the logs as this `format` instead of detecting it per source (see logbook formats), or as a format string: nginx:'$remote_addr ...', apache:'%h %l ...', goaccess:'format=%h ...'")
	fs.StringVar(&dateFormat, "date-format", "", "with --log-format goaccess:...: the date `layout`, as GoAccess's --date-format (e.g. %d/%b/%Y)")
	fs.StringVar(&timeFormat, "time-format", "", "with --log-format goaccess:...: the time `layout`, as GoAccess's --time-format (e.g. %H:%M:%S)")
	fs.StringVar(&datetimeFormat, "datetime-format", "", "with --log-format goaccess:...: the date and time `layout`, as GoAccess's --datetime-format")
	fs.Var((*listFlag)(&cfg.Sections), "sections", "only these `sections`, comma-separated (see logbook sections)")
	fs.Var((*listFlag)(&cfg.Skip), "skip", "leave out these `sections`, comma-separated")
	fs.StringVar(&cfg.TimeZone, "tz", "", "count days and hours in this `zone` (UTC, +0200, Europe/Berlin); default: the log's own offset")
	fs.BoolVar(&cfg.Strict, "strict", false, "exit non-zero if any line is malformed")
	fs.StringVar(&now, "now", "", "pin the report's generation `time` (RFC 3339) for reproducible output")
	fs.StringVar(&cfg.Title, "title", "", "report `title`")
	fs.StringVar(&cfg.FrontMatter, "front-matter", "none", "Markdown front matter: jekyll, hugo or none")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to `file`")
	fs.Var(paramFlag(cfg.Params), "param", "set a section parameter, `section.name=value` (repeatable), e.g. sizes.z=2.5; logbook sections -v lists them")
	fs.IntVar(&cfg.Workers, "workers", 0, "parsing goroutines (`n`); default: one per core")
	fs.BoolVar(&timings, "timings", false, "print how long reading, each section and each output took")
	fs.StringVar(&cfg.S3Endpoint, "s3-endpoint", "", "for s3:// inputs: the `URL` of an S3-compatible store (path-style); default AWS, credentials and region from the AWS chain")
	fs.StringVar(&cfg.SQL, "sql", "", "read log rows from this `database`: mysql://user:pass@host/db, postgres://user:pass@host/db or sqlite:PATH (with --query)")
	fs.Func("query", "with --sql: a `query` whose rows are log lines (one text column) or records (columns ip, time, method, path, status, size, ...); repeatable", func(q string) error {
		cfg.Query = append(cfg.Query, q)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: logbook report [flags] FILE|DIR|GLOB|s3://BUCKET/PREFIX|- ...\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// Flags may come before, between or after the inputs.
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
			cfg.Inputs = append(cfg.Inputs, rest[1:]...)
			break
		}
		cfg.Inputs = append(cfg.Inputs, rest[0])
		args = rest[1:]
	}
	if now != "" {
		if cfg.Now, err = time.Parse(time.RFC3339, now); err != nil {
			return usageError("--now: want RFC 3339 time like 2024-03-04T05:06:07Z: %v", err)
		}
	}
	if cfg.LogFormat, err = goaccessSpec(cfg.LogFormat, dateFormat, timeFormat, datetimeFormat); err != nil {
		return err
	}
	if cfg.Outputs, err = logbook.ParseOutputs(out, formats); err != nil {
		return exitFor(err)
	}
	if err := cfg.Validate(); err != nil {
		return exitFor(err)
	}

	if cpuprofile != "" {
		pf, err := os.Create(cpuprofile)
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
	clock := newPhaseClock(stderr, timings)
	cfg.Phase = clock.lap
	var progressDone func()
	cfg.Progress, progressDone = progress(stderr)
	defer progressDone()

	outcome, err := logbook.Run(ctx, cfg)
	progressDone()
	if err != nil {
		return exitFor(err)
	}
	if timings {
		for _, s := range outcome.Report.Sections {
			fmt.Fprintf(stderr, "logbook: timing:   section %-14s %s\n", s.ID, s.Elapsed.Round(time.Millisecond))
		}
	}
	err = outcome.Write(stdout, func(o logbook.Output) {
		fmt.Fprintf(stderr, "logbook: wrote %s\n", o.Path)
		clock.lap("wrote " + o.Format)
	})
	if err != nil {
		return err
	}
	if timings {
		for _, o := range cfg.Outputs {
			if o.Path == "-" {
				clock.lap("wrote " + o.Format)
			}
		}
	}
	// The report is written; now say what went wrong, if anything: what
	// does not fail the run as a note, the rest as the error, inputs that
	// name nothing one by one and then counted.
	var failed []string
	missing := 0
	for _, p := range outcome.Problems {
		switch {
		case !p.Fails:
			fmt.Fprintln(stderr, "logbook:", p.Message)
		case p.Kind == logbook.InputMissing:
			fmt.Fprintln(stderr, "logbook:", p.Message)
			missing++
		default:
			failed = append(failed, p.Message)
		}
	}
	if missing > 0 {
		failed = append(failed, fmt.Sprintf("%s could not be found or listed", analysis.Count(missing, "input")))
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "\nlogbook: "))
	}
	return nil
}

// goaccessSpec folds GoAccess's --date-format, --time-format and
// --datetime-format into a goaccess: format string, so that a GoAccess
// configuration moves over as it is: goaccess:FORMAT with --date-format D
// is goaccess:date=D;format=FORMAT.
func goaccessSpec(spec, date, tm, datetime string) (string, error) {
	if date == "" && tm == "" && datetime == "" {
		return spec, nil
	}
	rest, ok := strings.CutPrefix(spec, "goaccess:")
	if !ok {
		return "", usageError("--date-format, --time-format and --datetime-format go with --log-format goaccess:FORMAT")
	}
	for _, k := range []string{"date=", "time=", "datetime=", "format="} {
		if strings.HasPrefix(rest, k) {
			return "", usageError("--log-format goaccess:%s... already gives its layouts; leave out --date-format, --time-format and --datetime-format", k)
		}
	}
	var b strings.Builder
	b.WriteString("goaccess:")
	for _, kv := range [][2]string{{"date", date}, {"time", tm}, {"datetime", datetime}} {
		if kv[1] != "" {
			if strings.Contains(kv[1], ";") {
				return "", usageError("--%s-format %q: a layout cannot hold ';'", kv[0], kv[1])
			}
			fmt.Fprintf(&b, "%s=%s;", kv[0], kv[1])
		}
	}
	b.WriteString("format=" + rest)
	return b.String(), nil
}

// exitFor maps a pipeline error to an exit status: 2 for a usage error, 1
// for anything else.
func exitFor(err error) error {
	if logbook.IsUsage(err) {
		return &exitError{code: 2, err: err}
	}
	return err
}
