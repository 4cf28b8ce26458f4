package logbook

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
	"github.com/logbook/logbook/report"
)

// Config is everything a run is asked to do: what to read, which sections
// to run with which parameters, where to count days, and what to write.
// Every option of the command line (and, later, of a config file) is a
// field here; the zero value of a field means its default.
//
// The stages of Run each read their part: Inputs, Stdin, LogFormat and
// Workers the read; the selection of records (the window and the filters)
// sits between the read and the analyses; Sections, Skip, Params
// and TimeZone the analyses; Title, Now, Outputs and FrontMatter the
// report; Strict which problems fail the run.
type Config struct {
	// Inputs are files, directories (walked recursively), globs, or "-"
	// for Stdin, read in this order.
	Inputs []string
	Stdin  io.Reader
	// PartialData are the contents of partial files, merged as partial
	// files among the Inputs are (for programs that hold partials in
	// memory, as a distributed pipeline does).
	PartialData [][]byte
	// Walked reads the Inputs as files found in a folder: a file in no
	// log format is left out with a note rather than failing the run.
	Walked bool
	// LogFormat forces a log format (see ingest.FormatNames) instead of
	// detecting it per source.
	LogFormat string
	// Workers is the number of parsing goroutines, at most MaxWorkers; 0
	// means one per core.
	Workers int
	// S3Endpoint is the URL of an S3-compatible store for the s3://
	// inputs (path-style addressing); empty means AWS S3, with the
	// credentials and region of the standard AWS chain.
	S3Endpoint string
	// SQL is a database to read log rows from (mysql://user:pass@host/db,
	// postgres://..., sqlite:PATH), each of Query being one source, after
	// the Inputs: rows of one text column are log lines, rows of named
	// columns (ip, time, method, path, status, size, ...) are records.
	SQL   string
	Query []string

	// The window: the records the report covers, by time, in the report's
	// zone (TimeZone). Since and Until take a date (2024-03-04), a time in
	// that zone (2024-03-04T10:00) or an RFC 3339 time with its offset;
	// Since is included; Until is excluded when it is a time, and a date
	// includes its whole day. Last is a span up to the newest record (or
	// to Now when set, or to Until): 90m, 24h, 7d, 2w. Week is an ISO week
	// (2024-W10), or "last": the last complete week before the newest
	// record (or before Now when set).
	Since, Until, Last, Week string
	// Compare, "previous", also runs the sections on the window of the
	// same length just before (the previous ISO week for Week) and adds a
	// section on what changed. It needs a window of known length.
	Compare string
	// Filters, each a condition every record in the report meets.
	// IncludeIP and ExcludeIP take addresses and CIDR ranges, IPv4 and
	// IPv6; IncludePath and ExcludePath take globs over the URI stem (*
	// matches any run of characters, slashes too) or re:EXPR, a Go regular
	// expression; Status takes codes (404) and classes (5xx); Hosts takes
	// globs over the virtual host or Host header, ignoring case. Several
	// values of one filter are alternatives; different filters all apply.
	IncludeIP, ExcludeIP     []string
	IncludePath, ExcludePath []string
	Status, Hosts            []string
	// CrawlerFilter is "ignore" to leave out the requests of crawlers and
	// tools (by user agent, with Crawlers' rules and the built-in list),
	// "only" to keep only theirs, or empty.
	CrawlerFilter string

	// AnonymizeIP, for reports that are published: "truncate" keeps an
	// IPv4 client's /24 and an IPv6 client's /48; "hash" names each client
	// by a keyed hash with AnonymizeSalt. Either drops the user names and
	// withholds the text of malformed and repaired example lines. Applied
	// after the filters (which see the real addresses) and before any
	// section. Empty: off.
	AnonymizeIP, AnonymizeSalt string

	// Sections runs only these sections (all when empty); Skip leaves
	// these out.
	Sections, Skip []string
	// Params sets section parameters, "section.name" → value, as declared
	// by each section (logbook sections -v).
	Params map[string]string
	// TimeZone is where days and hours are counted: "UTC", an offset such
	// as "+0200", or a zone such as "Europe/Berlin". Empty means the
	// offset the log was written in (its first record's).
	TimeZone string
	// LogTimeZone is the zone the server's clock was in, for log times
	// written without a zone (HAProxy's accept date): "UTC", an offset or
	// a zone name. Empty means UTC, and the report says it was assumed.
	LogTimeZone string
	// MaxRows is the most rows a per-key table (one row per client IP,
	// path, user agent...) keeps, in every output, the first in the
	// table's order; the table states how many it had. 0 means
	// DefaultMaxRows (1,000); a negative value keeps every row.
	MaxRows int
	// Site names the site's own hosts (www.example.com, example.com,
	// *.example.com): referers from them are links within the site, not
	// referring sites. Empty: inferred from the Host column and the
	// referers, and the report says what it took.
	Site []string
	// Crawlers are the user's crawler rules, "Name=token": an agent that
	// contains token (case-insensitively) is the crawler Name, before the
	// built-in list.
	Crawlers []string

	// Title is the report's title; empty gives one from the inputs.
	Title string
	// Notes is a Markdown file of the analyst's own notes, under "##
	// SECTION" headings, put into those sections (see notes.go).
	Notes string
	// Now pins the report's generation time, for reproducible output; the
	// zero value means the time of the run.
	Now time.Time
	// Outputs are the files to write (see ParseOutputs); Run does not
	// write them, Outcome.Write does.
	Outputs []Output
	// FrontMatter is the Markdown output's front matter: jekyll, hugo,
	// or none (the default).
	FrontMatter string
	// AssetsDir is the folder the Markdown output's plots go in (relative
	// to the current directory, or absolute) when it is not the report's
	// NAME_files; BaseURL is the URL the page links that folder at. A
	// Jekyll post in _posts needs neither (see report.SiteOptions).
	AssetsDir, BaseURL string

	// Strict makes malformed lines fail the run (the report is still
	// made).
	Strict bool
	// FailOn are gates: rules that, when they hold, fail the run with
	// their own exit status once the report is written (see gates.go and
	// Quantities): "error_rate > 0.05", "finding:security.probe_answered_2xx",
	// "severity >= warning".
	FailOn []string

	// Progress, when set, is called with the number of bytes read, from
	// several goroutines, as the read goes on.
	Progress func(bytes int64)
	// ProgressTotal, when set, is called once before the read with the
	// bytes Progress will count in all (the inputs' sizes as stored), or
	// -1 when that is not known (standard input).
	ProgressTotal func(bytes int64)
	// Phase, when set, is called as each phase of the run ends (the read,
	// freeing its buffers, the analyses, freeing the frame).
	Phase func(name string)
}

// MaxWorkers is the most parsing goroutines a run takes. Each holds
// buffers of several chunks (half a megabyte each) and its own dictionaries,
// so that a huge --workers asked for gigabytes before reading a line (and
// the runtime died out of memory); parsing is bound by the cores long
// before 256.
const MaxWorkers = 256

// DefaultMaxRows is the cap on per-key tables when Config.MaxRows is 0.
const DefaultMaxRows = analysis.DefaultMaxRows

// UsageError is a configuration that cannot run: an unknown section,
// parameter, format or zone, a value that does not parse. The command
// exits with status 2 for it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Validate checks the configuration against the registries of sections,
// parameters, log formats and output formats, and returns a *UsageError
// for the first problem.
func (c *Config) Validate() error {
	_, err := c.compile()
	return err
}

// plan is a validated Config, resolved against the registries.
type plan struct {
	logFormat *ingest.Format // nil: detect per source
	jobs      []analysis.Job
	loc       *time.Location // nil: the log's own offset
	logLoc    *time.Location // nil: zone-less log times are UTC
	maxRows   int            // analysis.Input.MaxRows: 0 keeps every row
	crawlers  []analysis.CrawlerRule
	site      []string
	generated time.Time
	outputs   []resolvedOutput
	opt       report.Options
	sel       *selector
	anon      anonymizer
	gates     []gate
	notes     map[string]string
	// partialOut: an output is a partial file (the states before they
	// are finished).
	partialOut bool
	reportOut  bool // an output is a report
}

type resolvedOutput struct {
	Output
	format report.Format
}

func (c *Config) compile() (*plan, error) {
	p := &plan{}
	if len(c.Inputs) == 0 && c.SQL == "" && len(c.PartialData) == 0 {
		return nil, usagef("no input given (files, directories, globs, s3://bucket/prefix, or - for standard input)")
	}
	if c.SQL != "" && !ingest.IsSQL(c.SQL) {
		return nil, usagef("sql: want mysql://user:password@host/database, postgres://... or sqlite:PATH")
	}
	if (c.SQL != "") != (len(c.Query) > 0) {
		return nil, usagef("--sql and --query go together: a database and the queries to read from it")
	}
	if c.LogFormat != "" {
		var err error
		if p.logFormat, err = ingest.ParseFormat(c.LogFormat); err != nil {
			return nil, &UsageError{Err: err}
		}
	}
	if c.Workers < 0 || c.Workers > MaxWorkers {
		return nil, usagef("workers: want 1 to %d, or 0 for one per core; got %d", MaxWorkers, c.Workers)
	}
	var err error
	if p.sel, err = c.selector(); err != nil {
		return nil, err
	}
	if p.anon, err = newAnonymizer(c.AnonymizeIP, c.AnonymizeSalt); err != nil {
		return nil, err
	}
	infos, err := analysis.Select(c.Sections, c.Skip)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if p.jobs, err = analysis.Jobs(infos, c.Params); err != nil {
		return nil, &UsageError{Err: err}
	}
	for _, h := range c.Site {
		n := strings.TrimPrefix(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), "."), "www.")
		if n == "" || n == "*." || strings.ContainsAny(n, "/:@ ") {
			return nil, usagef("--site %q: want a host name such as example.com or *.example.com", h)
		}
		p.site = append(p.site, n)
	}
	for _, r := range c.Crawlers {
		rule, err := analysis.ParseCrawlerRule(r)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		p.crawlers = append(p.crawlers, rule)
	}
	if c.Notes != "" {
		if p.notes, err = parseNotes(c.Notes, infos); err != nil {
			return nil, err
		}
	}
	for _, rule := range c.FailOn {
		g, err := parseGate(rule)
		if err != nil {
			return nil, err
		}
		if sec := g.section(); sec != "" && !slices.ContainsFunc(infos, func(i analysis.Info) bool { return i.Name == sec }) {
			if _, err := analysis.Select([]string{sec}, nil); err != nil {
				return nil, usagef("--fail-on %q: %v", rule, err)
			}
			return nil, usagef("--fail-on %q: section %s is left out of this run, so the rule could never fire", rule, sec)
		}
		p.gates = append(p.gates, g)
	}
	if c.TimeZone != "" {
		if p.loc, err = ParseZone(c.TimeZone); err != nil {
			return nil, usagef("time zone: %v", err)
		}
	}
	if c.LogTimeZone != "" {
		if p.logLoc, err = ParseZone(c.LogTimeZone); err != nil {
			return nil, usagef("log time zone: %v", err)
		}
	}
	p.maxRows = c.MaxRows
	switch {
	case p.maxRows == 0:
		p.maxRows = analysis.DefaultMaxRows
	case p.maxRows < 0:
		p.maxRows = 0 // every row
	}
	p.generated = c.Now
	if p.generated.IsZero() {
		p.generated = time.Now().UTC().Truncate(time.Second)
	}
	switch c.FrontMatter {
	case "", "none", "jekyll", "hugo":
		p.opt.FrontMatter = c.FrontMatter
		if p.opt.FrontMatter == "" {
			p.opt.FrontMatter = "none"
		}
	default:
		return nil, usagef("front matter: want jekyll, hugo or none, got %q", c.FrontMatter)
	}
	p.opt.AssetsDir, p.opt.BaseURL = c.AssetsDir, c.BaseURL
	stdout := 0
	for _, o := range c.Outputs {
		of, ok := lookupOutputFormat(o.Format)
		if !ok {
			return nil, usagef("output %s: unknown output format %q (known: %s)", o.Path, o.Format, strings.Join(outputFormatNames(), ", "))
		}
		if of.Name == partialFormat.Name {
			p.partialOut = true
		} else {
			p.reportOut = true
		}
		if o.Path == "" {
			return nil, usagef("output with no path")
		}
		if o.Path == "-" {
			if stdout++; stdout > 1 {
				return nil, usagef("standard output takes one output format")
			}
			if of.Companions {
				return nil, usagef("%s writes plot files beside the report; give a file name, not -", of.Name)
			}
		}
		if of.Site {
			o.Path = report.SitePath(o.Path, p.opt.FrontMatter)
		}
		p.outputs = append(p.outputs, resolvedOutput{Output: o, format: of})
	}
	return p, nil
}

var offsetRE = regexp.MustCompile(`^([+-])(\d\d):?(\d\d)$`)

// ParseZone reads UTC, a numeric offset (+0200, -04:00) or an IANA zone
// name (Europe/Berlin).
func ParseZone(s string) (*time.Location, error) {
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
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("unknown zone %q (want UTC, an offset like +0200, or a name like Europe/Berlin)", s)
	}
	return loc, nil
}

// IsUsage reports whether err is (or wraps) a usage error.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}
