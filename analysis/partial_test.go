package analysis_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
)

// TestPartialsMerge holds every section that is a Partial to its contract
// (analysis/partial.go): on every sample, the records split into chunks
// (runs of rows, and rows dealt round like cards, so that no chunk is in
// time order; and one chunk of no row), each chunk's state written with
// gob and read back, the
// states merged in a random grouping, and the merge finished without the
// frame, give the same section as one state of all the records, and the
// same as the section's Run.
func TestPartialsMerge(t *testing.T) {
	ctx := context.Background()
	var partials []analysis.Job
	for _, job := range analysis.Defaults(analysis.All()) {
		if _, ok := job.Analysis.(analysis.Partial); ok {
			partials = append(partials, job)
		}
	}
	if len(partials) == 0 {
		t.Fatal("no section is a Partial")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, in := range sampleInputs(t) {
		noFrame := *in
		noFrame.Frame = nil
		for _, job := range partials {
			p := job.Analysis.(analysis.Partial)
			t.Run(name+"/"+job.Info.Name, func(t *testing.T) {
				run, err := p.Run(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				want := sectionJSON(t, run)
				whole := p.NewState(in)
				if err := whole.Add(ctx, in.Frame); err != nil {
					t.Fatal(err)
				}
				got, err := whole.Finish(ctx, &noFrame)
				if err != nil {
					t.Fatal(err)
				}
				if s := sectionJSON(t, got); s != want {
					t.Fatalf("one state finished without the frame differs from Run:\n%s", firstDiff(want, s))
				}
				n := in.Frame.Len()
				for _, split := range []struct {
					name   string
					chunks int
					dealt  bool
				}{{"2 runs", 2, false}, {"7 runs", 7, false}, {"5 dealt", 5, true}} {
					if n < split.chunks {
						continue
					}
					states := make([]analysis.State, split.chunks)
					for c := range states {
						keep := make([]bool, n)
						if split.dealt {
							for i := c; i < n; i += split.chunks {
								keep[i] = true
							}
						} else {
							lo, hi := c*n/split.chunks, (c+1)*n/split.chunks
							for i := lo; i < hi; i++ {
								keep[i] = true
							}
						}
						st := p.NewState(in)
						if err := st.Add(ctx, in.Frame.Subset(keep)); err != nil {
							t.Fatal(err)
						}
						states[c] = roundTrip(t, p, in, st)
					}
					// A chunk with the frame's columns and no row (a chunk
					// the window left empty) changes nothing.
					empty := p.NewState(in)
					if err := empty.Add(ctx, in.Frame.Subset(make([]bool, n))); err != nil {
						t.Fatal(err)
					}
					states = append(states, roundTrip(t, p, in, empty))
					for len(states) > 1 {
						i := rng.IntN(len(states))
						j := rng.IntN(len(states) - 1)
						if j >= i {
							j++
						}
						if err := states[i].Merge(states[j]); err != nil {
							t.Fatal(err)
						}
						states = append(states[:j], states[j+1:]...)
					}
					got, err := states[0].Finish(ctx, &noFrame)
					if err != nil {
						t.Fatal(err)
					}
					if s := sectionJSON(t, got); s != want {
						t.Fatalf("%s merged differ from one state:\n%s", split.name, firstDiff(want, s))
					}
				}
				if n < 4 {
					return
				}
				// Chunks cut from one shared dictionary, as a run read
				// chunk by chunk makes them: all into one state; and into
				// a state that also takes a chunk of a dictionary of its
				// own between them, merged with one that took the last.
				bounds := []int{0, n / 4, n / 2, 3 * n / 4, n}
				shared := sharedChunks(t, in.Frame, bounds)
				finishAsRun := func(st analysis.State, what string) {
					got, err := st.Finish(ctx, &noFrame)
					if err != nil {
						t.Fatal(err)
					}
					if s := sectionJSON(t, got); s != want {
						t.Fatalf("%s differs from Run:\n%s", what, firstDiff(want, s))
					}
				}
				one := p.NewState(in)
				for _, c := range shared {
					if err := one.Add(ctx, c); err != nil {
						t.Fatal(err)
					}
				}
				finishAsRun(one, "one state of shared chunks")
				own := make([]bool, n)
				for i := bounds[1]; i < bounds[2]; i++ {
					own[i] = true
				}
				mixed, last := p.NewState(in), p.NewState(in)
				for _, c := range []*frame.Frame{shared[0], in.Frame.Subset(own), shared[2]} {
					if err := mixed.Add(ctx, c); err != nil {
						t.Fatal(err)
					}
				}
				if err := last.Add(ctx, shared[3]); err != nil {
					t.Fatal(err)
				}
				if err := mixed.Merge(roundTrip(t, p, in, last)); err != nil {
					t.Fatal(err)
				}
				finishAsRun(mixed, "shared and own chunks merged")
			})
		}
	}
}

// roundTrip writes a state with gob and reads it back into a new one, as
// a partial file would.
func roundTrip(t *testing.T, p analysis.Partial, in *analysis.Input, st analysis.State) analysis.State {
	t.Helper()
	var buf bytes.Buffer
	analysis.Settle(st)
	if err := gob.NewEncoder(&buf).Encode(st); err != nil {
		t.Fatalf("gob encode %T: %v", st, err)
	}
	back := p.NewState(in)
	if err := gob.NewDecoder(&buf).Decode(back); err != nil {
		t.Fatalf("gob decode %T: %v", back, err)
	}
	return back
}

func sectionJSON(t *testing.T, s *analysis.Section) string {
	t.Helper()
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// firstDiff shows where two texts first differ, with some context.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return fmt.Sprintf("want …%s…\n got …%s…", a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
}

// sharedChunks cuts the rows of f at bounds into chunks of one shared
// dictionary (frame.Shared), through the parsing goroutines' batches and a
// Merger, as ingest fills the chunks of a run read chunk by chunk.
func sharedChunks(t *testing.T, f *frame.Frame, bounds []int) []*frame.Frame {
	t.Helper()
	sh := frame.NewShared()
	cols := f.Columns()
	views := map[frame.StrCol]frame.CodeView{}
	for c, ok := range cols.Str {
		if ok {
			views[frame.StrCol(c)], _ = f.View(frame.StrCol(c))
		}
	}
	var out []*frame.Frame
	for k := 0; k+1 < len(bounds); k++ {
		b := frame.NewBatch(frame.NewDicts())
		b.Begin(cols)
		for i := bounds[k]; i < bounds[k+1]; i++ {
			var r frame.Row
			r.Reset()
			r.Time, r.Offset = f.Time[i], f.Offset
			for c, v := range views {
				r.Str[c] = []byte(v.Dict.At(v.At(i)))
			}
			for c, ok := range cols.Num {
				if ok {
					r.Num[c] = f.Num(frame.NumCol(c))[i]
				}
			}
			b.Add(&r)
		}
		b.Seal()
		chunk := new(frame.Frame)
		chunk.ShareFrom(sh)
		row := 0
		for _, run := range f.Runs { // the formats of the chunk's rows
			if lo, hi := max(row, bounds[k]), min(row+run.Rows, bounds[k+1]); lo < hi {
				chunk.AddRun(run.Format, hi-lo)
			}
			row += run.Rows
		}
		frame.NewMerger(chunk).Append(b)
		if chunk.Len() != bounds[k+1]-bounds[k] {
			t.Fatalf("chunk %d: %d rows, want %d", k, chunk.Len(), bounds[k+1]-bounds[k])
		}
		out = append(out, chunk)
	}
	return out
}
