package analysis

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logbook/logbook/frame"
)

// Analysis is one investigation of the records.
type Analysis interface {
	// Run computes the section. It may return an error for a failure the
	// report should show; a section that does not apply should say so with
	// Section.Skipped instead.
	Run(ctx context.Context, in *Input) (*Section, error)
}

// Info describes a registered analysis.
type Info struct {
	Name  string    // stable id, used by --sections and in the JSON
	Title string    // heading in the report
	Doc   string    // one line: the question the section answers
	Order int       // position in the report, spaced by 100
	Needs frame.Set // columns without which the section is skipped
	// RunsEmpty lets the analysis run on a frame with no records.
	RunsEmpty bool
	// Cost is the analysis's rough CPU time per million rows, in
	// milliseconds (BenchmarkSectionsOnLog on 1M genlog lines, combined and
	// CloudFront); RunAll starts the costliest first so that the last to
	// finish is a short one. 0 counts as cheap.
	Cost int
	// Heavy marks an analysis whose tables are large on a log of many
	// distinct keys (per client, per path): while one runs, the next to
	// start is the costliest analysis that is not heavy, if any is left,
	// so that two sets of such tables are not held at once for want of
	// something else to do. On a log whose every client is new, this kept
	// the run's peak 20 MB lower (bench/README), no slower.
	Heavy bool
	New   func() Analysis
}

var (
	registryMu sync.Mutex
	registry   = map[string]Info{}
)

// Register makes an analysis available. It panics on an empty name, a nil
// factory or a name registered twice, as database/sql does for drivers.
func Register(info Info) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if info.Name == "" {
		panic("analysis: Register with an empty name")
	}
	if info.New == nil {
		panic("analysis: Register " + info.Name + " with a nil factory")
	}
	if _, dup := registry[info.Name]; dup {
		panic("analysis: Register called twice for " + info.Name)
	}
	registry[info.Name] = info
}

// All lists the registered analyses by Order, then name.
func All() []Info {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]Info, 0, len(registry))
	for _, info := range registry {
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b Info) int {
		if c := cmp.Compare(a.Order, b.Order); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// Lookup returns the analysis registered under name.
func Lookup(name string) (Info, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	info, ok := registry[name]
	return info, ok
}

// Defaults makes a job of each analysis with its parameters at their
// defaults.
func Defaults(infos []Info) []Job {
	jobs, err := Jobs(infos, nil)
	if err != nil {
		panic(err) // no parameter given: cannot fail
	}
	return jobs
}

// Select picks analyses by name: all of them when only is empty, minus those
// in skip. Unknown names are an error that lists the known ones.
func Select(only, skip []string) ([]Info, error) {
	all := All()
	known := make(map[string]bool, len(all))
	for _, info := range all {
		known[info.Name] = true
	}
	var unknown []string
	for _, n := range append(slices.Clone(only), skip...) {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		names := make([]string, len(all))
		for i, info := range all {
			names[i] = info.Name
		}
		return nil, fmt.Errorf("unknown section %s (known: %s)", strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	var out []Info
	for _, info := range all {
		if len(only) > 0 && !slices.Contains(only, info.Name) {
			continue
		}
		if slices.Contains(skip, info.Name) {
			continue
		}
		out = append(out, info)
	}
	return out, nil
}

// RunAll runs the analyses on in and returns their sections in the order
// given. They run on one goroutine per core, costliest first: more at once
// would not finish sooner, and would hold more scratch memory at the same
// time. A section whose columns are missing is skipped with a one-line
// reason; a failing or panicking analysis yields a section with Error set,
// and never stops the others. Once ctx is cancelled, RunAll returns at
// once, every section with the context's error: the sections not started
// are not run, and those under way finish on their own goroutines, their
// results dropped.
func RunAll(ctx context.Context, in *Input, jobs []Job) []*Section {
	inv := InventoryOf(in.Frame)
	warmAgentClasses(in, inv, jobs)
	release := newMemoRelease(in.Frame, jobs)
	return runJobs(ctx, jobs, func(i int) *Section {
		s := runFrame(ctx, in, inv, jobs[i])
		release.finished(jobs[i].Info.Name)
		return s
	})
}

// frameMemo is a memo the sections build on a column of a run's frame
// (frame.CodeView.Memo): its keys, and the sections that read it.
type frameMemo struct {
	col     frame.StrCol
	matches func(key any) bool
	readers []string
}

// frameMemos are the large memos of a run over one frame: on a million
// distinct clients, the clients' sorted order (11 MB), their rows grouped
// (8 MB), their (IP, agent) pairs (12 MB) and the agents' classes (4 MB).
// RunAll drops each once the last of its readers in the run has finished
// (memoRelease), so that the sections still running have that memory,
// rather than the memos going with the frame. A reader left out of a list
// costs a second build of the memo, never a wrong result:
// TestFrameMemosBuiltOnce holds the lists to what the sections read.
var frameMemos = []frameMemo{
	{frame.IP, isKey[dashRanksKey], []string{"status_codes", "sizes", "methods"}},
	// The groups are read to count pairs (status_codes, methods) and to
	// make the clients' pairs (RowPairs, for the first of its readers).
	{frame.IP, isKey[frame.GroupsKey], []string{"status_codes", "methods", "visitors", "user_agents"}},
	{frame.IP, isKey[frame.PairsKey], []string{"visitors", "user_agents"}},
	{frame.UserAgent, isKey[agentClassKey], agentSections},
}

// isKey reports whether a memo's key is a K.
func isKey[K any](key any) bool { _, ok := key.(K); return ok }

// releaseMemos is whether RunAll drops the memos whose readers are done
// (a test compares runs with and without).
var releaseMemos = true

// memoRelease counts, per memo of frameMemos, its readers in a run still
// to finish, and drops the memo when none is left.
type memoRelease struct {
	f    *frame.Frame
	mu   sync.Mutex
	left []int // per frameMemos entry; 0 when no reader runs
}

func newMemoRelease(f *frame.Frame, jobs []Job) *memoRelease {
	r := &memoRelease{f: f, left: make([]int, len(frameMemos))}
	for k, m := range frameMemos {
		for _, j := range jobs {
			if slices.Contains(m.readers, j.Info.Name) {
				r.left[k]++
			}
		}
	}
	return r
}

// finished notes that the section name has finished, and drops the memos
// it was the last reader of.
func (r *memoRelease) finished(name string) {
	if r.f == nil || !releaseMemos {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, m := range frameMemos {
		if r.left[k] == 0 || !slices.Contains(m.readers, name) {
			continue
		}
		if r.left[k]--; r.left[k] == 0 {
			if v, ok := r.f.View(m.col); ok {
				v.Forget(m.matches)
			}
		}
	}
}

// agentSections are the sections that classify the agents (agentClasses).
var agentSections = []string{"user_agents", "uri_stems", "visitors"}

// warmAgentClasses starts classifying the frame's agents, on goroutines of
// their own, when a section that shares the classes will run: the first
// of those sections otherwise made them, in the chain of the heavy
// sections that run one after another (Info.Heavy), while the sections
// that are not heavy were done and a core waited. On a log of a million
// distinct agents they were a third of a second on two cores; begun with
// the sections, they share the cores with the first ones, and the heavy
// sections find them made (or wait for them: Memo builds them once).
func warmAgentClasses(in *Input, inv Inventory, jobs []Job) {
	if in.Frame == nil || len(inv.Filled.Missing(frame.Cols(frame.UserAgent))) > 0 {
		return
	}
	for _, j := range jobs {
		if slices.Contains(agentSections, j.Info.Name) && len(inv.Columns.Missing(j.Info.Needs)) == 0 {
			agents, ok := in.Frame.View(frame.UserAgent)
			if !ok {
				return
			}
			go agentClasses(&agents, agents.Counts(), in.Crawlers)
			return
		}
	}
}

// runFrame runs one job on the frame of in, whose inventory is inv.
func runFrame(ctx context.Context, in *Input, inv Inventory, job Job) *Section {
	return runOne(ctx, inv, job, func() (*Section, error) { return job.Analysis.Run(ctx, in) })
}

// FinishAll finishes the states of the analyses (each a Partial, states[i]
// made by jobs[i]'s NewState) into their sections, as RunAll runs them:
// with the same rules for skipping a section (on inv, the inventory of
// the records the states saw), for failures and for cancellation. in
// holds the run's settings; its Frame is not read.
//
// Each state is dropped (states[i] = nil) once finished, so that its
// memory can go while the others finish.
func FinishAll(ctx context.Context, in *Input, inv Inventory, jobs []Job, states []State) []*Section {
	return runJobs(ctx, jobs, func(i int) *Section {
		return runOne(ctx, inv, jobs[i], func() (*Section, error) {
			s, err := states[i].Finish(ctx, in)
			states[i] = nil
			return s, err
		})
	})
}

// runJobs calls run for each job, on one goroutine per core, costliest
// first, but for a heavy job while another runs (Info.Heavy), and returns
// the sections in the order of jobs (see RunAll).
func runJobs(ctx context.Context, jobs []Job, run func(i int) *Section) []*Section {
	out := make([]*Section, len(jobs))
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(jobs[b].Info.Cost, jobs[a].Info.Cost) })
	// take hands out the next job to start, done notes one finished.
	var mu sync.Mutex
	heavyRunning := 0
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(order) == 0 {
			return 0, false
		}
		k := 0
		if heavyRunning > 0 {
			for j, i := range order {
				if !jobs[i].Info.Heavy {
					k = j
					break
				}
			}
		}
		i := order[k]
		order = slices.Delete(order, k, k+1)
		if jobs[i].Info.Heavy {
			heavyRunning++
		}
		return i, true
	}
	done := func(i int) {
		mu.Lock()
		if jobs[i].Info.Heavy {
			heavyRunning--
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := ctx.Err(); err != nil {
					// Cancelled: the sections not started are not run.
					out[i] = &Section{ID: jobs[i].Info.Name, Title: jobs[i].Info.Title, Doc: jobs[i].Info.Doc, Error: err.Error()}
				} else {
					out[i] = run(i)
				}
				done(i)
			}
		}()
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return out
	case <-ctx.Done():
		// Cancelled: the sections under way are not waited for (they end
		// on their own, their results unread); every section is returned
		// with the context's error, in a slice of its own.
		cancelled := make([]*Section, len(jobs))
		for i, job := range jobs {
			cancelled[i] = &Section{ID: job.Info.Name, Title: job.Info.Title, Doc: job.Info.Doc, Error: ctx.Err().Error()}
		}
		return cancelled
	}
}

// Inventory is what the sections' rules for skipping read of the records:
// the columns they have, those that hold data, and how many there are. It
// merges, for records accumulated in chunks.
type Inventory struct {
	Columns, Filled frame.Set
	Rows            int
}

// InventoryOf is the inventory of a frame (none for nil).
func InventoryOf(f *frame.Frame) Inventory {
	if f == nil {
		return Inventory{}
	}
	return Inventory{Columns: f.Columns(), Filled: f.Filled(), Rows: f.Len()}
}

// Merge adds o's records.
func (v *Inventory) Merge(o Inventory) {
	v.Columns.Union(o.Columns)
	v.Filled.Union(o.Filled)
	v.Rows += o.Rows
}

// runOne runs one job through run, unless the records lack what it needs.
func runOne(ctx context.Context, inv Inventory, job Job, run func() (*Section, error)) (s *Section) {
	info := job.Info
	start := time.Now()
	base := &Section{ID: info.Name, Title: info.Title, Doc: info.Doc}
	defer func() {
		if r := recover(); r != nil {
			base.Error = fmt.Sprintf("internal error: %v", r)
			base.Trace = string(debug.Stack())
			s = base
		}
		s.Elapsed = time.Since(start)
	}()
	// Filled, not Columns: a column a source declared (a JSON layout's)
	// but never wrote is as absent as one it never had.
	if missing := inv.Columns.Missing(info.Needs); len(missing) > 0 {
		base.Skipped = fmt.Sprintf("skipped: these logs have no %s column%s", strings.Join(missing, ", "), plural(len(missing)))
		return base
	}
	if empty := inv.Filled.Missing(info.Needs); len(empty) > 0 {
		base.Skipped = fmt.Sprintf("skipped: no record of these logs has a value in the %s column%s", strings.Join(empty, ", "), plural(len(empty)))
		return base
	}
	if inv.Rows == 0 && !info.RunsEmpty {
		base.Skipped = "skipped: there are no records to analyse"
		return base
	}
	s, err := run()
	if err != nil {
		base.Error = err.Error()
		return base
	}
	if s == nil {
		s = base
	}
	s.ID, s.Title, s.Doc = info.Name, info.Title, info.Doc
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// NamedValues are the values the sections look up by name in the frame's
// columns (Lookup with a string written in the code): a run lets go of the
// frame's indexes after the read with their answers kept
// (frame.Frame.DropIndexes), so that none of them reads a column of a
// million distinct values to find it. A test holds the list to the code.
var NamedValues = []string{"", "-", "/robots.txt", "POST"}
