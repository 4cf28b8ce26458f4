package report

import (
	"io"
	"testing"

	"github.com/logbook/logbook/ingest"
)

// BenchmarkRender renders the report on the samples in each format to
// io.Discard, so that only the rendering is timed, not the disk.
func BenchmarkRender(b *testing.B) {
	r := readReport(b, ingest.Options{}, "../samples")
	for _, f := range Formats() {
		b.Run(f.Name, func(b *testing.B) {
			for b.Loop() {
				if err := renderBench(io.Discard, f, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func renderBench(w io.Writer, f Format, r *Report) error {
	_, err := f.Render(w, r, Options{})
	return err
}
