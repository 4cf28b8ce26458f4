package analysis

import (
	"context"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// The chunk path of a section, as a run that never holds the records in
// one frame takes it: the million rows of the combined benchmark log
// split into chunks of 262,144 rows with their own dictionaries, each
// added to one state, then finished. Run with:
// go test -run '^$' -bench 'StatusCodes|NotFound|Methods' ./analysis (the traffic
// section's is BenchmarkTrafficChunks).

const benchChunkRows = 262_144

func benchChunks(b *testing.B) []*frame.Frame {
	f := benchLogFrames()["combined"]
	var out []*frame.Frame
	for lo := 0; lo < f.Len(); lo += benchChunkRows {
		keep := make([]bool, f.Len())
		for i := lo; i < min(lo+benchChunkRows, f.Len()); i++ {
			keep[i] = true
		}
		out = append(out, f.Subset(keep))
	}
	return out
}

func benchmarkChunks(b *testing.B, name string) {
	chunks := benchChunks(b)
	p := configured(b, name, nil).(Partial)
	in := &Input{Loc: time.UTC, MaxRows: 100}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st := p.NewState(in)
		for _, c := range chunks {
			if err := st.Add(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := st.Finish(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkStatusCodesChunks(b *testing.B) { benchmarkChunks(b, "status_codes") }
func BenchmarkNotFoundChunks(b *testing.B)    { benchmarkChunks(b, "not_found") }

// BenchmarkNotFound is the section on one frame of the million rows.
func BenchmarkNotFound(b *testing.B)      { benchSection(b, "not_found") }
func BenchmarkMethodsChunks(b *testing.B) { benchmarkChunks(b, "methods") }
