package analysis_test

import (
	"context"
	"errors"
	"runtime"
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

// heavyProbe is an analysis that notes when it starts and returns when
// release is closed (or at once, for nil).
type heavyProbe struct {
	name    string
	started chan<- string
	release <-chan struct{}
}

func (h heavyProbe) Run(context.Context, *analysis.Input) (*analysis.Section, error) {
	h.started <- h.name
	if h.release != nil {
		<-h.release
	}
	return &analysis.Section{}, nil
}

// TestHeavyApart: while a heavy analysis runs (Info.Heavy), the next to
// start is a light one, though a heavier one comes first by cost; once no
// light one is left, a heavy one starts beside another rather than wait.
// The first heavy one runs until all four have started, and the first
// light one until the heavy one has said it started: the order of the
// starts is then the order the jobs were taken in (a light one could
// otherwise start and finish, and the next two after it, before the heavy
// one taken first got to say so).
func TestHeavyApart(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	started, release, heavyOn := make(chan string, 8), make(chan struct{}), make(chan struct{})
	var order []string
	seen := make(chan struct{})
	go func() {
		defer close(seen)
		for name := range started {
			order = append(order, name)
			if name == "heavy1" {
				close(heavyOn)
			}
			if len(order) == 4 {
				close(release)
			}
		}
	}()
	job := func(name string, cost int, heavy bool, wait <-chan struct{}) analysis.Job {
		return analysis.Job{Info: analysis.Info{Name: name, Cost: cost, Heavy: heavy, RunsEmpty: true},
			Analysis: heavyProbe{name, started, wait}}
	}
	jobs := []analysis.Job{job("light1", 50, false, heavyOn), job("heavy1", 100, true, release),
		job("heavy2", 90, true, nil), job("light2", 40, false, nil)}
	for _, s := range analysis.RunAll(context.Background(), &analysis.Input{}, jobs) {
		if s.Error != "" || s.Skipped != "" {
			t.Fatalf("%s: %s%s", s.ID, s.Error, s.Skipped)
		}
	}
	close(started)
	<-seen
	first := map[string]bool{order[0]: true, order[1]: true}
	if len(order) != 4 || !first["heavy1"] || !first["light1"] || order[2] != "light2" || order[3] != "heavy2" {
		t.Errorf("started %v; want heavy1 and light1 first, then light2, then heavy2", order)
	}
}
