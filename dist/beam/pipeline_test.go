package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	"github.com/logbook/logbook"
	"github.com/logbook/logbook/analysis"
)

func TestMain(m *testing.M) {
	beam.Init() // before any pipeline is made, as main does
	os.Exit(m.Run())
}

// TestPipelineOnPrism runs the pipeline with the Beam Go SDK's local
// runner (prism) on the project's samples and checks that its JSON report
// is the one `logbook report` makes of the same inputs, byte for byte.
func TestPipelineOnPrism(t *testing.T) {
	sections := partialSections()
	if len(sections) == 0 {
		t.Skip("no section accumulates chunk by chunk yet")
	}
	ctx := context.Background()
	dir, opt, inputs := onSamples(t, sections, "beam.json")
	if len(inputs) < 10 {
		t.Fatalf("only %d inputs in %s", len(inputs), samples)
	}
	p, err := Pipeline(opt, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prism.Execute(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(opt.Output)
	if err != nil {
		t.Fatal(err)
	}

	w := logbookJSON(t, opt, samples, filepath.Join(dir, "logbook.json"))
	if string(got) != string(w) {
		i := 0
		for i < len(got) && i < len(w) && got[i] == w[i] {
			i++
		}
		lo := max(0, i-300)
		t.Fatalf("the pipeline's report differs from logbook report's at byte %d:\nwant …%s…\n got …%s…", i,
			w[lo:min(len(w), i+300)], got[lo:min(len(got), i+300)])
	}
}

// TestMergeFnInBatches: the CombineFn's accumulators, fed the samples'
// partials one by one and merged with each other, merge in batches
// (mergeBatch, 3 here) and end as the partial of every input: the report
// finished from it is the one `logbook report` makes.
func TestMergeFnInBatches(t *testing.T) {
	defer func(n int) { mergeBatch = n }(mergeBatch)
	mergeBatch = 3
	ctx := context.Background()
	dir, opt, inputs := onSamples(t, partialSections(), "merged.json")
	f := &mergeFn{Opt: opt}
	a, b := f.CreateAccumulator(), f.CreateAccumulator()
	for i, in := range inputs {
		part, err := (&readFn{Opt: opt}).ProcessElement(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			a = f.AddInput(a, part)
		} else {
			b = f.AddInput(b, part)
		}
		if len(a) >= mergeBatch || len(b) >= mergeBatch {
			t.Fatalf("an accumulator holds %d partials, batches of %d", max(len(a), len(b)), mergeBatch)
		}
	}
	merged := f.ExtractOutput(f.MergeAccumulators(a, b))
	if err := (&reportFn{Opt: opt}).ProcessElement(ctx, merged); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(opt.Output)
	if err != nil {
		t.Fatal(err)
	}
	w := logbookJSON(t, opt, samples, filepath.Join(dir, "logbook.json"))
	if string(got) != string(w) {
		t.Errorf("the partials merged in batches make another report than logbook report (%d against %d bytes)", len(got), len(w))
	}
}

// samples are the inputs the tests run on: the project's sample logs.
const samples = "../../samples/"

// onSamples returns a temporary folder, the options of a run of sections
// over the samples writing its JSON report to output there, and the
// samples' inputs.
func onSamples(t *testing.T, sections []string, output string) (dir string, opt Options, inputs []logbook.Input) {
	t.Helper()
	dir = t.TempDir()
	opt = Options{Sections: sections, TimeZone: "UTC", Title: "samples", Now: "2026-01-01T00:00:00Z",
		Output: filepath.Join(dir, output)}
	inputs, err := Expand(context.Background(), opt, []string{samples})
	if err != nil {
		t.Fatal(err)
	}
	return dir, opt, inputs
}

// logbookJSON is the JSON report `logbook report` makes of inputs with
// opt's settings, written to path.
func logbookJSON(t *testing.T, opt Options, inputs, path string) []byte {
	t.Helper()
	cfg, err := opt.config(true)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Inputs, cfg.Outputs = []string{inputs}, []logbook.Output{{Path: path, Format: "json"}}
	out, err := logbook.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(nil, nil); err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// partialSections are the sections that accumulate chunk by chunk.
func partialSections() []string {
	var out []string
	for _, j := range analysis.Defaults(analysis.All()) {
		if _, ok := j.Analysis.(analysis.Partial); ok {
			out = append(out, j.Info.Name)
		}
	}
	return out
}
