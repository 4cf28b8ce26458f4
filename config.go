package logbook

import (
	"errors"
	"fmt"
	"io"
	"regexp"
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
// Workers the read; the selection of records (time windows and filters,
// to come) sits between the read and the analyses; Sections, Skip, Params
// and TimeZone the analyses; Title, Now, Outputs and FrontMatter the
// report; Strict which problems fail the run.
type Config struct {
	// Inputs are files, directories (walked recursively), globs, or "-"
	// for Stdin, read in this order.
	Inputs []string
	Stdin  io.Reader
	// LogFormat forces a log format (see ingest.FormatNames) instead of
	// detecting it per source.
	LogFormat string
	// Workers is the number of parsing goroutines; 0 means one per core.
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

	// Title is the report's title; empty gives one from the inputs.
	Title string
	// Now pins the report's generation time, for reproducible output; the
	// zero value means the time of the run.
	Now time.Time
	// Outputs are the files to write (see ParseOutputs); Run does not
	// write them, Outcome.Write does.
	Outputs []Output
	// FrontMatter is the Markdown output's front matter: jekyll, hugo,
	// or none (the default).
	FrontMatter string

	// Strict makes malformed lines fail the run (the report is still
	// made).
	Strict bool

	// Progress, when set, is called with the number of bytes read, from
	// several goroutines, as the read goes on.
	Progress func(bytes int64)
	// Phase, when set, is called as each phase of the run ends (the read,
	// freeing its buffers, the analyses, freeing the frame).
	Phase func(name string)
}

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
	generated time.Time
	outputs   []resolvedOutput
	opt       report.Options
}

type resolvedOutput struct {
	Output
	format report.Format
}

func (c *Config) compile() (*plan, error) {
	p := &plan{}
	if len(c.Inputs) == 0 && c.SQL == "" {
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
	if c.Workers < 0 {
		return nil, usagef("workers: want 0 (one per core) or more, got %d", c.Workers)
	}
	infos, err := analysis.Select(c.Sections, c.Skip)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if p.jobs, err = analysis.Jobs(infos, c.Params); err != nil {
		return nil, &UsageError{Err: err}
	}
	if c.TimeZone != "" {
		if p.loc, err = ParseZone(c.TimeZone); err != nil {
			return nil, usagef("time zone: %v", err)
		}
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
	stdout := 0
	for _, o := range c.Outputs {
		of, ok := report.LookupFormat(o.Format)
		if !ok {
			return nil, usagef("output %s: unknown output format %q (known: %s)", o.Path, o.Format, strings.Join(report.FormatNames(), ", "))
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
