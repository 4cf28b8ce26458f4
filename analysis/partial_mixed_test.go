package analysis_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
)

// mixedParts reads samples of different formats each into its own frame
// (its own columns and dictionaries: the CloudFront log has edge and TLS
// columns the Apache log lacks) and returns them with the run's input of
// their concatenation, in the order given.
func mixedParts(t *testing.T, samples ...string) ([]*frame.Frame, *analysis.Input) {
	t.Helper()
	var parts []*frame.Frame
	whole := &frame.Frame{}
	in := &analysis.Input{}
	for _, name := range samples {
		sources, errs := ingest.Expand([]string{filepath.Join("..", "samples", name)}, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		res := ingest.Read(context.Background(), sources, ingest.Options{})
		if res.Frame.Len() == 0 {
			t.Fatalf("no records in samples/%s", name)
		}
		parts = append(parts, res.Frame)
		whole.Append(res.Frame)
		for _, s := range res.Sources {
			in.Sources = append(in.Sources, analysis.Source{Name: s.Name, Format: s.Format, Lines: s.Lines, Records: s.Records, Malformed: s.Malformed})
		}
	}
	in.Frame, in.Loc = whole, whole.Location()
	return parts, in
}

func partialOf(t *testing.T, name string) analysis.Partial {
	t.Helper()
	info, ok := analysis.Lookup(name)
	if !ok {
		t.Fatalf("no section %s", name)
	}
	p, ok := analysis.Defaults([]analysis.Info{info})[0].Analysis.(analysis.Partial)
	if !ok {
		t.Fatalf("%s is not a Partial", name)
	}
	return p
}

// TestPartialsMixedFormats: the states of chunks from logs of different
// formats, each lacking columns the others have, merged in either order
// after a gob round trip, finish into the section Run writes on the frame
// that holds them all (where a chunk's missing columns read as empty).
func TestPartialsMixedFormats(t *testing.T) {
	ctx := context.Background()
	parts, in := mixedParts(t, "cloudfront", "apache", "iis")
	noFrame := *in
	noFrame.Frame = nil
	for _, name := range []string{"overview", "latency", "cloudfront"} {
		t.Run(name, func(t *testing.T) {
			p := partialOf(t, name)
			run, err := p.Run(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			want := sectionJSON(t, run)
			if run.Skipped != "" {
				t.Fatalf("skipped on the mixed samples: %s", run.Skipped)
			}
			for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}, {1, 2, 0}} {
				var st analysis.State
				for _, i := range order {
					one := p.NewState(in)
					if err := one.Add(ctx, parts[i]); err != nil {
						t.Fatal(err)
					}
					one = roundTrip(t, p, in, one)
					if st == nil {
						st = one
						continue
					}
					if err := st.Merge(one); err != nil {
						t.Fatal(err)
					}
				}
				got, err := st.Finish(ctx, &noFrame)
				if err != nil {
					t.Fatal(err)
				}
				if s := sectionJSON(t, got); s != want {
					t.Fatalf("order %v differs from Run:\n%s", order, firstDiff(want, s))
				}
			}
		})
	}
}

// TestLoadBalancerPartialMixedSources: with an ALB log read before an
// Apache log, which rows the section reads depends on their source: chunks
// added in the frame's order to one state give Run's section (the Apache
// rows left out), and so do two states merged, either way round, for the
// frames say the format of their rows (frame.Runs); a frame that does not
// (built by hand) is placed by the sources' positions, and states of those
// refuse to merge rather than take the Apache rows for the balancer's own
// answers.
func TestLoadBalancerPartialMixedSources(t *testing.T) {
	ctx := context.Background()
	parts, in := mixedParts(t, "alb", "apache")
	p := partialOf(t, "load_balancer")
	run, err := p.Run(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(run)
	if !strings.Contains(string(b), "not a load balancer") {
		t.Fatalf("Run does not leave the Apache rows out: %s", b)
	}
	st := p.NewState(in)
	for _, f := range parts {
		if err := st.Add(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	noFrame := *in
	noFrame.Frame = nil
	got, err := st.Finish(ctx, &noFrame)
	if err != nil {
		t.Fatal(err)
	}
	if want, s := sectionJSON(t, run), sectionJSON(t, got); s != want {
		t.Fatalf("chunks in order differ from Run:\n%s", firstDiff(want, s))
	}
	for _, order := range [][2]int{{0, 1}, {1, 0}} {
		a, c := p.NewState(in), p.NewState(in)
		if err := a.Add(ctx, parts[order[0]]); err != nil {
			t.Fatal(err)
		}
		if err := c.Add(ctx, parts[order[1]]); err != nil {
			t.Fatal(err)
		}
		if err := a.Merge(c); err != nil {
			t.Fatal(err)
		}
		got, err := a.Finish(ctx, &noFrame)
		if err != nil {
			t.Fatal(err)
		}
		if want, s := sectionJSON(t, run), sectionJSON(t, got); s != want {
			t.Fatalf("states merged (%v) differ from Run:\n%s", order, firstDiff(want, s))
		}
	}
	// Frames that do not say their rows' format.
	a, c := p.NewState(in), p.NewState(in)
	for i, st := range []analysis.State{a, c} {
		f := parts[i].Subset(slices.Repeat([]bool{true}, parts[i].Len()))
		f.Runs = nil
		if err := st.Add(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Merge(c); err == nil {
		t.Error("states placed by position, of a run mixing an ALB log and an Apache log, merged")
	}
}
