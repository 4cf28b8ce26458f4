package analysis

import (
	"context"
	"testing"
	"time"
)

// temporary (not committed): one section on the unique frame.
func BenchmarkP5Unique(b *testing.B) {
	uniqueOnce.Do(func() { uniqueBench = uniqueFrame(benchRows) })
	in := &Input{Frame: uniqueBench, Loc: time.UTC, MaxRows: DefaultMaxRows}
	for _, name := range []string{"uri_stems", "visitors", "user_agents"} {
		b.Run(name, func(b *testing.B) {
			var job Job
			for _, j := range Defaults(All()) {
				if j.Info.Name == name {
					job = j
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := job.Analysis.Run(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
