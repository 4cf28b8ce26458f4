package logbook

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/ingest"
)

// expanded is what the inputs of a run turned into: the sources, in the
// order of the inputs (files and s3:// addresses, then the SQL queries),
// the inputs that name nothing or cannot be listed, and what is to be said
// about how some sources were read.
type expanded struct {
	sources []ingest.Source
	errs    []error
	s3      ingest.S3Listing // the totals over the s3:// inputs
	sql     []sqlQuery
}

type sqlQuery struct {
	name string
	info *ingest.SQLInfo
}

// s3Downloads is how many S3 objects are downloaded at once, at least: the
// read opens as many sources at once as it has workers, so with S3 inputs
// and no Workers set it reads with this many, whatever the cores; a
// download waits on the network more than on the processor. InFlight is
// never below the workers: a reader waiting for a slot held by a source the
// merge has not reached would wait for ever.
const s3Downloads = 8

// readWorkers is the number of workers to read with.
func (x *expanded) readWorkers(cfg *Config) int {
	if cfg.Workers == 0 && len(x.sources) > 0 && x.s3.Objects > 0 {
		return max(s3Downloads, runtime.GOMAXPROCS(0))
	}
	return cfg.Workers
}

// expandSources expands cfg.Inputs (local paths with ingest.Expand, s3://
// addresses with ingest.ExpandS3, in their order) and adds one source per
// SQL query.
func expandSources(ctx context.Context, cfg *Config, since, until time.Time) *expanded {
	x := &expanded{}
	var client *s3.Client // made when the first s3:// input comes
	var local []string
	flush := func() {
		if len(local) > 0 {
			srcs, errs := ingest.Expand(local, cfg.Stdin)
			x.sources, x.errs = append(x.sources, srcs...), append(x.errs, errs...)
			local = nil
		}
	}
	for _, in := range cfg.Inputs {
		if !ingest.IsS3(in) {
			local = append(local, in)
			continue
		}
		flush()
		if client == nil {
			c, err := ingest.NewS3Client(ctx, cfg.S3Endpoint)
			if err != nil {
				x.errs = append(x.errs, fmt.Errorf("%s: %w", in, err))
				continue
			}
			client = c
		}
		// since and until, the window's bounds known before the read,
		// skip the objects dated outside it.
		l, errs := ingest.ExpandS3(ctx, client, []string{in}, ingest.S3Options{
			InFlight: max(s3Downloads, cfg.Workers, runtime.GOMAXPROCS(0)), Since: since, Until: until})
		x.sources, x.errs = append(x.sources, l.Sources...), append(x.errs, errs...)
		x.s3.Objects += l.Objects
		x.s3.Skipped += l.Skipped
	}
	flush()
	for i, q := range cfg.Query {
		src, info, err := ingest.SQLSource(ctx, cfg.SQL, q, i+1)
		if err != nil {
			x.errs = append(x.errs, err)
			continue
		}
		x.sources = append(x.sources, src)
		x.sql = append(x.sql, sqlQuery{name: src.Name, info: info})
	}
	return x
}

// notes are what the report says about how the sources were read: the S3
// objects left out by the window, each SQL query's columns.
func (x *expanded) notes() []Problem {
	var out []Problem
	if x.s3.Skipped > 0 {
		out = append(out, Problem{Kind: SourceNote, Message: fmt.Sprintf("%s of %d left out unread: their names date them outside the window",
			analysis.Count(x.s3.Skipped, "S3 object"), x.s3.Objects)})
	}
	for _, q := range x.sql {
		if n := q.info.Note(); n != "" {
			out = append(out, Problem{Kind: SourceNote, Message: q.name + ": " + n})
		}
	}
	return out
}

// sqlNames are the SQL queries' source names, for the title.
func (x *expanded) sqlNames() []string {
	var out []string
	for _, q := range x.sql {
		out = append(out, q.name)
	}
	return out
}
