// Command logbook-beam makes a logbook report on an Apache Beam runner:
// each input (a file, or an object of an S3 prefix) is read into a
// partial on the workers, the partials are merged with a CombineFn, and
// the merge is finished into the report, which is the report `logbook
// report` makes of the same inputs.
//
//	logbook-beam --input 'logs/*.gz' --output report/ --format html,json [--runner prism]
//
// It is a module of its own, so that the logbook binary does not carry the
// Beam SDK. See README.md in this folder for Dataflow, Flink and Spark.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
)

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

func main() {
	var (
		inputs, sections, skip listFlag
		formats                listFlag
		opt                    Options
	)
	flag.Var(&inputs, "input", "log `files`, globs or s3://bucket/prefix, comma-separated (repeatable)")
	flag.StringVar(&opt.Output, "output", "", "the report's `folder` (or file, with one format)")
	flag.Var(&formats, "format", "output `formats`: html, md, ipynb, json, csv, partial")
	flag.Var(&sections, "sections", "only these `sections`")
	flag.Var(&skip, "skip", "leave out these `sections`")
	flag.StringVar(&opt.TimeZone, "tz", "UTC", "count days and hours in this `zone`: every partial must count them alike")
	flag.StringVar(&opt.Title, "title", "", "the report's `title`")
	flag.StringVar(&opt.Now, "now", "", "pin the report's generation `time` (RFC 3339)")
	flag.StringVar(&opt.S3Endpoint, "s3-endpoint", "", "the `URL` of an S3-compatible store for s3:// inputs")
	flag.Parse()
	beam.Init()
	opt.Sections, opt.Skip, opt.Formats = sections, skip, formats
	if len(inputs) == 0 || opt.Output == "" {
		fmt.Fprintln(os.Stderr, "logbook-beam: give --input and --output")
		os.Exit(2)
	}
	ctx := context.Background()
	names, err := Expand(ctx, opt, inputs)
	if err != nil {
		log.Fatalf("logbook-beam: %v", err)
	}
	p, err := Pipeline(opt, names)
	if err != nil {
		log.Fatalf("logbook-beam: %v", err)
	}
	if err := beamx.Run(ctx, p); err != nil {
		log.Fatalf("logbook-beam: %v", err)
	}
}
