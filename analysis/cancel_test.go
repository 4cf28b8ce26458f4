package analysis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
)

// blocking is an analysis that runs until released, as a long section
// that does not look at its context would.
type blocking struct {
	started chan struct{}
	release chan struct{}
}

func (b *blocking) Run(context.Context, *analysis.Input) (*analysis.Section, error) {
	close(b.started)
	<-b.release
	return &analysis.Section{}, nil
}

type quick struct{}

func (quick) Run(context.Context, *analysis.Input) (*analysis.Section, error) {
	return &analysis.Section{}, nil
}

// TestRunAllCancelled: once the context is cancelled RunAll returns with
// every section holding the context's error, without waiting for the
// section under way.
func TestRunAllCancelled(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP))
	var r frame.Row
	r.Reset()
	r.Time = 1700000000
	r.Str[frame.IP] = []byte("10.0.0.1")
	b.Add(&r)
	in := &analysis.Input{Frame: b.Frame(), Loc: b.Frame().Location()}

	long := &blocking{started: make(chan struct{}), release: make(chan struct{})}
	defer close(long.release)
	jobs := []analysis.Job{{Info: analysis.Info{Name: "long", Cost: 1000}, Analysis: long}}
	for range 50 {
		jobs = append(jobs, analysis.Job{Info: analysis.Info{Name: "short"}, Analysis: quick{}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-long.started
		cancel()
	}()
	secs := analysis.RunAll(ctx, in, jobs) // returns although long never ends
	if len(secs) != len(jobs) {
		t.Fatalf("%d sections, want %d", len(secs), len(jobs))
	}
	for _, s := range secs {
		if s.Error != context.Canceled.Error() || s.ID != "long" && s.ID != "short" {
			t.Errorf("section %s: error %q, want %q", s.ID, s.Error, context.Canceled)
		}
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatal("not cancelled")
	}
}
