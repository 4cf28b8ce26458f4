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
  logbook report [flags] FILE|DIR|GLOB|- ...   read logs (and partials, .lbp) and write a report
  logbook partial -o FILE.lbp [flags] INPUT ...  read logs into a partial, to merge into reports later
  logbook sections [-v] [SECTION ...]          list the report's sections (-v: with their parameters)
  logbook formats                              list log and output formats
  logbook gates                                list the rules and quantities of --fail-on
  logbook init [FILE]                          write a commented starter logbook.toml
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
	case "partial":
		return runReportAs(ctx, "partial", args[1:], stdin, stdout, stderr)
	case "sections":
		return listSections(args[1:], stdout, stderr)
	case "formats":
		return listFormats(stdout)
	case "gates":
		return listGates(stdout)
	case "init":
		return runInit(args[1:], stderr)
	case "version", "--version", "-version", "-V":
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
	quietFlags(fs, stderr)
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

// listGates prints the rules --fail-on takes and the quantities they may
// name.
func listGates(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "rules (--fail-on, repeatable; a rule that holds exits 3 once the report is written):")
	fmt.Fprintln(tw, "  QUANTITY OP NUMBER\te.g. 'error_rate > 0.05' or 'error_rate > 5%'; OP: > >= < <= == !=")
	fmt.Fprintln(tw, "  finding:SECTION.ID\tthe section reported this finding, e.g. finding:security.probe_answered_2xx")
	fmt.Fprintln(tw, "  severity OP LEVEL\tsome finding's severity compares so (info < notice < warning), e.g. 'severity >= warning'")
	fmt.Fprintln(tw, "quantities, over the records the report covers:")
	for _, q := range logbook.Quantities() {
		fmt.Fprintf(tw, "  %s\t%s\n", q.Name, q.Doc)
	}
	return tw.Flush()
}

func listFormats(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "log formats (--log-format, detected per source when not given):")
	for _, f := range ingest.Formats() {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Name, f.Doc)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "json:COLUMN=KEY,...", "JSON lines with the keys you name, e.g. json:time=ts,ip=client_ip,path=req.uri,status=code,time_taken=duration:ms (forced, never detected)")
	fmt.Fprintf(tw, "  %s\t%s\n", "ltsv:COLUMN=LABEL,...", "LTSV lines with the labels you name, as json:, e.g. ltsv:time=time_ngx,ip=remote_addr,status=status,path=path,bytes=res_body_bytes (forced, never detected)")
	fmt.Fprintln(tw, "output formats (--format, or the extension of -o):")
	for _, f := range report.Formats() {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Name, f.Ext)
	}
	fmt.Fprintf(tw, "  %s\t%s\t%s\n", "partial", logbook.PartialExt, "the sections' states, to merge into later reports (logbook partial; docs/partials.md)")
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

// anonymizeFlag is --anonymize-ip (truncate) or --anonymize-ip=MODE.
type anonymizeFlag string

func (a *anonymizeFlag) String() string { return string(*a) }
func (a *anonymizeFlag) Set(v string) error {
	switch v {
	case "true":
		v = "truncate"
	case "false":
		v = ""
	}
	*a = anonymizeFlag(v)
	return nil
}
func (a *anonymizeFlag) IsBoolFlag() bool { return true }

// repeatFlag collects one value per use, commas and all (a regular
// expression may hold them).
type repeatFlag []string

func (l *repeatFlag) String() string { return strings.Join(*l, " ") }
func (l *repeatFlag) Set(v string) error {
	*l = append(*l, v)
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
	return runReportAs(ctx, "report", args, stdin, stdout, stderr)
}

// runReportAs is runReport for the command named: report, or partial,
// which takes the same flags and writes one partial file.
func runReportAs(ctx context.Context, command string, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	partialCmd := command == "partial"
	fs := flag.NewFlagSet("logbook "+command, flag.ContinueOnError)
	cfg := logbook.Config{Stdin: stdin, Params: map[string]string{}}
	var (
		out, now, cpuprofile   string
		memprofile             string
		dateFormat, timeFormat string
		datetimeFormat         string
		formats                listFlag
		timings, quiet         bool
		configPath             string
		noConfig               bool
		maxRows                int
	)
	fs.StringVar(&configPath, "config", "", "read options from this logbook.toml `file` (default: logbook.toml in the working directory, if any); flags override it")
	fs.BoolVar(&noConfig, "no-config", false, "do not read logbook.toml from the working directory")
	fs.StringVar(&out, "o", "", "output `file` (kind from its extension) or directory; default logbook-report.html")
	fs.Var(&formats, "format", "comma-separated output `formats`: html, md, ipynb, json, csv")
	fs.StringVar(&cfg.LogFormat, "log-format", "", "read the logs as this `format` instead of detecting it per source (see logbook formats), or as a format string: nginx:'$remote_addr ...', apache:'%h %l ...', goaccess:'format=%h ...', or JSON keys: json:'time=ts,status=code,path=req.uri'")
	fs.StringVar(&dateFormat, "date-format", "", "with --log-format goaccess:...: the date `layout`, as GoAccess's --date-format (e.g. %d/%b/%Y)")
	fs.StringVar(&timeFormat, "time-format", "", "with --log-format goaccess:...: the time `layout`, as GoAccess's --time-format (e.g. %H:%M:%S)")
	fs.StringVar(&datetimeFormat, "datetime-format", "", "with --log-format goaccess:...: the date and time `layout`, as GoAccess's --datetime-format")
	fs.Var((*listFlag)(&cfg.Sections), "sections", "only these `sections`, comma-separated (see logbook sections)")
	fs.Var((*listFlag)(&cfg.Skip), "skip", "leave out these `sections`, comma-separated")
	fs.StringVar(&cfg.TimeZone, "tz", "", "count days and hours in this `zone` (UTC, +0200, Europe/Berlin); default: the log's own offset")
	fs.StringVar(&cfg.Since, "since", "", "only records from this `time` on: a date (2024-03-04), a time in the report's zone (2024-03-04T10:00) or RFC 3339")
	fs.StringVar(&cfg.Until, "until", "", "only records before this `time` (a date includes its whole day)")
	fs.StringVar(&cfg.Last, "last", "", "only the last `span` up to the newest record (or --now, or --until): 90m, 24h, 7d, 2w")
	fs.StringVar(&cfg.Week, "week", "", "only this ISO `week` (2024-W10), or last: the last complete week before the newest record (or --now)")
	fs.StringVar(&cfg.Compare, "compare", "", "previous: also read the window of the same length just before, and add a section on what changed")
	fs.Var((*listFlag)(&cfg.IncludeIP), "include-ip", "only these client `addresses` and CIDR ranges, comma-separated (repeatable)")
	fs.Var((*listFlag)(&cfg.ExcludeIP), "exclude-ip", "leave out these client `addresses` and CIDR ranges, comma-separated (repeatable)")
	fs.Var((*repeatFlag)(&cfg.IncludePath), "include-path", "only URI stems matching this `glob` (* matches slashes too) or re:REGEXP (repeatable)")
	fs.Var((*repeatFlag)(&cfg.ExcludePath), "exclude-path", "leave out URI stems matching this `glob` or re:REGEXP (repeatable)")
	fs.Var((*listFlag)(&cfg.Status), "status", "only these status `codes` and classes, comma-separated: 404,5xx")
	fs.BoolFunc("ignore-crawlers", "leave out the requests of crawlers and tools, by user agent", func(string) error { cfg.CrawlerFilter = "ignore"; return nil })
	fs.BoolFunc("crawlers-only", "keep only the requests of crawlers and tools, by user agent", func(string) error { cfg.CrawlerFilter = "only"; return nil })
	fs.Var((*listFlag)(&cfg.Site), "site", "the site's own `hosts`, comma-separated (example.com,www.example.com or *.example.com): referers from them are internal, not referring sites")
	fs.Var((*listFlag)(&cfg.Hosts), "host", "only these virtual `hosts` (globs, any case), comma-separated")
	fs.Var((*anonymizeFlag)(&cfg.AnonymizeIP), "anonymize-ip", "anonymize client addresses before any section sees them: IPv4 to /24, IPv6 to /48; =hash for a keyed hash with the salt in $LOGBOOK_ANONYMIZE_SALT. Drops user names")
	fs.Var((*repeatFlag)(&cfg.FailOn), "fail-on", "exit 3 when this `rule` holds, after writing the report: 'error_rate > 0.05', finding:SECTION.ID, 'severity >= warning' (repeatable; logbook gates lists them)")
	fs.StringVar(&cfg.LogTimeZone, "log-tz", "", "the `zone` of the server's clock, for log times written without one (HAProxy); default: UTC")
	fs.BoolVar(&cfg.Strict, "strict", false, "exit non-zero if any line is malformed")
	fs.StringVar(&now, "now", "", "pin the report's generation `time` (RFC 3339) for reproducible output")
	fs.StringVar(&cfg.Title, "title", "", "report `title`")
	fs.StringVar(&cfg.Notes, "notes", "", "put the analyst's notes from this Markdown `file` into the report: the text under '## SECTION' goes into that section")
	fs.StringVar(&cfg.FrontMatter, "front-matter", "none", "Markdown front matter: jekyll, hugo or none")
	fs.StringVar(&cfg.AssetsDir, "assets-dir", "", "put the Markdown output's plots in this `folder` (a site's assets), linked at --base-url; a Jekyll post in _posts needs neither")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "the `URL` the Markdown output links its plot folder at (/assets/weekly)")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to `file`")
	fs.StringVar(&memprofile, "memprofile", "", "write a profile of the run's allocations to `file`")
	fs.Var(paramFlag(cfg.Params), "param", "set a section parameter, `section.name=value` (repeatable), e.g. sizes.z=2.5; logbook sections -v lists them")
	fs.Var((*repeatFlag)(&cfg.Crawlers), "crawler", "name a crawler, `Name=token` (repeatable): an agent that contains token, in any case, is the crawler Name")
	fs.IntVar(&maxRows, "max-rows", logbook.DefaultMaxRows, "the most `rows` a per-key table (per IP, path, agent...) keeps, in every output; 0 keeps them all")
	fs.IntVar(&cfg.Workers, "workers", 0, fmt.Sprintf("parsing goroutines (`n`, 1 to %d); default: one per core", logbook.MaxWorkers))
	fs.BoolVar(&quiet, "q", false, "quiet: print errors only (no progress, no 'wrote' lines, no notes)")
	fs.BoolVar(&timings, "timings", false, "print how long reading, each section and each output took")
	fs.StringVar(&cfg.S3Endpoint, "s3-endpoint", "", "for s3:// inputs: the `URL` of an S3-compatible store (path-style); default AWS, credentials and region from the AWS chain")
	fs.StringVar(&cfg.SQL, "sql", "", "read log rows from this `database`: mysql://user:pass@host/db, postgres://user:pass@host/db or sqlite:PATH (with --query)")
	fs.Func("query", "with --sql: a `query` whose rows are log lines (one text column) or records (columns ip, time, method, path, status, size, ...); repeatable", func(q string) error {
		cfg.Query = append(cfg.Query, q)
		return nil
	})
	quietFlags(fs, stderr)
	// -h prints the flags on standard output (what was asked for); a flag
	// that does not parse is the error alone, with a pointer to -h.
	fs.Usage = func() {}
	// Flags may come before, between or after the inputs.
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stdout, "Usage: logbook %s [flags] FILE|DIR|GLOB|s3://BUCKET/PREFIX|PARTIAL.lbp|- ...\n\nFlags:\n", command)
				fs.SetOutput(stdout)
				fs.PrintDefaults()
				fs.SetOutput(io.Discard)
				return nil
			}
			return &exitError{code: 2, err: fmt.Errorf("%w (logbook %s -h lists the flags)", err, command)}
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
	cf, err := loadConfigFile(configPath, noConfig, stderr)
	if err != nil {
		return err
	}
	if cf != nil {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		mergeConfigFile(&cfg, &out, &formats, cf, set)
	}
	if cfg.AnonymizeIP == "hash" {
		cfg.AnonymizeSalt = os.Getenv("LOGBOOK_ANONYMIZE_SALT")
	}
	switch {
	case maxRows < 0:
		return usageError("--max-rows: want 0 (every row) or more, got %d", maxRows)
	case maxRows == 0:
		cfg.MaxRows = -1 // every row
	default:
		cfg.MaxRows = maxRows
	}
	if now != "" {
		if cfg.Now, err = time.Parse(time.RFC3339, now); err != nil {
			return usageError("--now: want RFC 3339 time like 2024-03-04T05:06:07Z: %v", err)
		}
	}
	if cfg.LogFormat, err = goaccessSpec(cfg.LogFormat, dateFormat, timeFormat, datetimeFormat); err != nil {
		return err
	}
	if partialCmd {
		// logbook partial: one output, the partial file.
		if out == "" || !strings.HasSuffix(strings.ToLower(out), logbook.PartialExt) || len(formats) > 0 {
			return usageError("logbook partial: give -o FILE%s, and no --format (logbook report --format html,partial writes both)", logbook.PartialExt)
		}
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
	if memprofile != "" {
		mf, err := os.Create(memprofile)
		if err != nil {
			return err
		}
		defer func() {
			werr := pprof.Lookup("allocs").WriteTo(mf, 0)
			if cerr := mf.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil && err == nil {
				err = werr
			}
		}()
	}
	clock := newPhaseClock(stderr, timings)
	cfg.Phase = clock.lap
	var progressDone func()
	var progressTotal func(int64)
	cfg.Progress, progressTotal, progressDone = progress(stderr, quiet)
	cfg.ProgressTotal = progressTotal
	defer progressDone()

	outcome, err := logbook.Run(ctx, cfg)
	if err == nil {
		err = ctx.Err()
	}
	progressDone()
	if err != nil {
		return exitFor(err)
	}
	if timings {
		for _, s := range outcome.Report.Sections {
			fmt.Fprintf(stderr, "logbook: timing:   section %-14s %s\n", s.ID, s.Elapsed.Round(time.Millisecond))
		}
	}
	err = outcome.WriteContext(ctx, stdout, func(o logbook.Output) {
		clock.lap("wrote " + o.Format)
	}, func(o logbook.Output) {
		if !quiet {
			fmt.Fprintf(stderr, "logbook: wrote %s\n", termSafe(o.Path))
		}
	})
	if err != nil {
		return err
	}
	// The report is written; now say what went wrong, if anything: what
	// does not fail the run as a note, the rest as the error, inputs that
	// name nothing one by one and then counted.
	var failed []string
	missing := 0
	for _, p := range outcome.Problems {
		switch {
		case !p.Fails:
			if !quiet {
				fmt.Fprintln(stderr, "logbook:", termSafe(p.Message))
			}
		case p.Kind == logbook.InputMissing:
			fmt.Fprintln(stderr, "logbook:", termSafe(p.Message))
			missing++
		default:
			failed = append(failed, p.Message)
		}
	}
	if missing > 0 {
		failed = append(failed, fmt.Sprintf("%s could not be found or listed", analysis.Count(missing, "input")))
	}
	if len(failed) > 0 {
		return lines(failed)
	}
	if fired := outcome.Fired(); len(fired) > 0 {
		var msgs []string
		for _, g := range fired {
			msgs = append(msgs, fmt.Sprintf("gate fired: %s (%s)", g.Rule, g.Value))
		}
		return &exitError{code: 3, err: errors.New(strings.Join(msgs, "\nlogbook: "))}
	}
	return nil
}

// lines is an error of several lines, each of outside text: main prints
// each escaped (termSafe) after "logbook: ".
type lines []string

func (l lines) Error() string { return strings.Join(l, "\nlogbook: ") }

// errorText is err's message as main prints it after "logbook: ", escaped
// for the terminal line by line.
func errorText(err error) string {
	var l lines
	if !errors.As(err, &l) {
		return termSafe(err.Error())
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = termSafe(s)
	}
	return strings.Join(out, "\nlogbook: ")
}

// quietFlags keeps the flag package from printing a parse error on w
// unescaped (an unknown flag's name is not quoted): the error is returned
// and main prints it through termSafe; the usage text is still printed.
func quietFlags(fs *flag.FlagSet, w io.Writer) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage of %s:\n", fs.Name())
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
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
