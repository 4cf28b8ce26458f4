package main

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/logbook/logbook"
)

// Options are the report's settings, carried to the workers with each
// function (their fields are exported for Beam to encode them).
type Options struct {
	Sections   []string
	Skip       []string
	TimeZone   string
	Title      string
	Now        string
	S3Endpoint string
	Output     string
	Formats    []string
}

// config is the logbook configuration of a step: its inputs, and an
// output that is the partial (made in memory) unless report is set.
func (o Options) config(report bool) (logbook.Config, error) {
	cfg := logbook.Config{Sections: o.Sections, Skip: o.Skip, TimeZone: o.TimeZone, Title: o.Title, S3Endpoint: o.S3Endpoint}
	if o.Now != "" {
		t, err := time.Parse(time.RFC3339, o.Now)
		if err != nil {
			return cfg, fmt.Errorf("--now: %w", err)
		}
		cfg.Now = t
	}
	if !report {
		cfg.Outputs = []logbook.Output{{Path: "-", Format: "partial"}}
		return cfg, nil
	}
	outs, err := logbook.ParseOutputs(o.Output, o.Formats)
	cfg.Outputs = outs
	return cfg, err
}

// partial runs cfg and returns the partial it made.
func partial(ctx context.Context, cfg logbook.Config) ([]byte, error) {
	out, err := logbook.Run(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := out.Err(); err != nil {
		return nil, err
	}
	return out.Report.Partial, nil
}

// Expand lists the inputs one by one (files of globs and folders,
// objects of S3 prefixes), so that each is a work item of its own.
func Expand(ctx context.Context, o Options, patterns []string) ([]logbook.Input, error) {
	cfg, err := o.config(false)
	if err != nil {
		return nil, err
	}
	cfg.Inputs = patterns
	return logbook.ExpandInputs(ctx, cfg)
}

// Pipeline is the report of the inputs named (see Expand) as a Beam
// pipeline: read each into a partial, merge the partials, write the report.
func Pipeline(o Options, inputs []logbook.Input) (*beam.Pipeline, error) {
	if len(inputs) == 0 {
		return nil, errors.New("no input")
	}
	if _, err := o.config(true); err != nil {
		return nil, err
	}
	p, s := beam.NewPipelineWithRoot()
	names := beam.CreateList(s, inputs)
	parts := beam.ParDo(s, &readFn{Opt: o}, names)
	merged := beam.Combine(s, &mergeFn{Opt: o}, parts)
	beam.ParDo0(s, &reportFn{Opt: o}, merged)
	return p, nil
}

// readFn reads one input into its partial.
type readFn struct{ Opt Options }

func (f *readFn) ProcessElement(ctx context.Context, input logbook.Input) ([]byte, error) {
	cfg, err := f.Opt.config(false)
	if err != nil {
		return nil, err
	}
	cfg.Inputs, cfg.Walked = []string{input.Name}, input.Walked
	// A file that holds no log is a partial too: its accounting says why,
	// in the report's sources, as a walk of its folder would.
	out, err := logbook.Run(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return out.Report.Partial, nil
}

// mergeFn merges partials. Its accumulator is partials' bytes not yet
// merged, so that Beam can move it between workers; they are merged in
// batches of mergeBatch (one decode of each, one encode of the merge),
// not one by one: merging each input into a running partial would decode
// and encode the whole running state once per input.
type mergeFn struct{ Opt Options }

// mergeBatch is how many partials an accumulator holds before they are
// merged into one.
var mergeBatch = 64

func (f *mergeFn) CreateAccumulator() [][]byte { return nil }

func (f *mergeFn) AddInput(acc [][]byte, part []byte) [][]byte {
	return f.squeeze(append(acc, part), false)
}

func (f *mergeFn) MergeAccumulators(a, b [][]byte) [][]byte {
	return f.squeeze(append(a, b...), false)
}

func (f *mergeFn) ExtractOutput(acc [][]byte) []byte {
	if acc = f.squeeze(acc, true); len(acc) == 0 {
		return nil
	}
	return acc[0]
}

// squeeze merges the partials of acc into one when they are mergeBatch or
// more, or when all is set and there are two or more.
func (f *mergeFn) squeeze(acc [][]byte, all bool) [][]byte {
	if len(acc) < 2 || len(acc) < mergeBatch && !all {
		return acc
	}
	cfg, err := f.Opt.config(false)
	if err != nil {
		panic(err)
	}
	cfg.PartialData = acc
	out, err := partial(context.Background(), cfg)
	if err != nil {
		panic(fmt.Sprintf("merging partials: %v", err))
	}
	return [][]byte{out}
}

// reportFn finishes the merged partial into the report's files.
type reportFn struct{ Opt Options }

func (f *reportFn) ProcessElement(ctx context.Context, merged []byte) error {
	cfg, err := f.Opt.config(true)
	if err != nil {
		return err
	}
	cfg.PartialData = [][]byte{merged}
	out, err := logbook.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := out.WriteContext(ctx, nil, nil, nil); err != nil {
		return err
	}
	return out.Err()
}

func init() {
	beam.RegisterType(reflect.TypeOf(logbook.Input{}))
	register.DoFn2x2[context.Context, logbook.Input, []byte, error](&readFn{})
	register.Combiner3[[][]byte, []byte, []byte](&mergeFn{})
	register.DoFn2x1[context.Context, []byte, error](&reportFn{})
}
