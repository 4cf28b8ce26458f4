package logbook

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/ingest"
)

// loadedPartial is a partial file given as an input. A file read from a
// path drops its states once checked (reread reads them again when they
// are merged), so that a week of partials holds one day's states at a
// time rather than seven.
type loadedPartial struct {
	path string
	file *partialFile
	disk bool // read from path: its States are read again when merged
}

// states returns the partial's states, reading the file again if they
// were dropped: the same file, or an error.
func (pt *loadedPartial) states() (map[string][]byte, error) {
	if pt.file.States != nil || !pt.disk {
		return pt.file.States, nil
	}
	f, err := readPartial(pt.path)
	if err != nil {
		return nil, err
	}
	if !f.Made.Equal(pt.file.Made) || len(f.Inputs) != len(pt.file.Inputs) {
		return nil, fmt.Errorf("%s: the partial file changed while it was read", pt.path)
	}
	return f.States, nil
}

// splitPartials separates the inputs that name partial files (by their
// extension; a glob of them is expanded here) from the other inputs.
func splitPartials(inputs []string) (partials, rest []string) {
	for _, in := range inputs {
		if !isPartialPath(in) {
			rest = append(rest, in)
			continue
		}
		if m, err := filepath.Glob(in); err == nil && len(m) > 0 {
			partials = append(partials, m...)
			continue
		}
		partials = append(partials, in) // read, and fail, as named
	}
	return partials, rest
}

// loadPartials reads the partial files. One that cannot be read is a
// problem and an unread source of the report; the others are merged.
// Partials made with different settings are an error: their states do not
// merge.
func loadPartials(paths []string, data [][]byte) (parts []*loadedPartial, unread []analysis.Source, problems []Problem, err error) {
	for i, d := range data {
		name := fmt.Sprintf("partial %d", i+1)
		f, err := decodePartial(name, bytes.NewReader(d))
		if err != nil {
			return nil, nil, nil, err
		}
		parts = append(parts, &loadedPartial{path: name, file: f})
	}
	for _, path := range paths {
		f, err := readPartial(path)
		if err != nil {
			problems = append(problems, Problem{Kind: InputUnreadable, Message: err.Error(), Fails: true})
			unread = append(unread, analysis.Source{Name: path, Err: err.Error(), Unread: true})
			continue
		}
		parts = append(parts, &loadedPartial{path: path, file: f, disk: true})
	}
	for _, pt := range parts[min(1, len(parts)):] {
		if why := parts[0].file.Settings.differs(pt.file.Settings, mapKeys(pt.file.States), true); why != "" {
			return nil, nil, nil, fmt.Errorf("cannot merge %s with %s: it was made with %s", pt.path, parts[0].path, why)
		}
	}
	for _, pt := range parts {
		if pt.disk {
			pt.file.States = nil // read again when merged
		}
	}
	return parts, unread, problems, nil
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// dropCovered leaves out the sources a partial covers already (the same
// file, by path, size and checksum, or the same S3 object), each with a
// note, so that no input is counted twice.
func dropCovered(sources []ingest.Source, parts []*loadedPartial) (keep []ingest.Source, unread []analysis.Source, problems []Problem) {
	covered := map[string]map[ingest.Identity]string{} // name → identity → partial
	for _, pt := range parts {
		for _, id := range pt.file.Inputs {
			if id.Checksum == "" {
				continue
			}
			if covered[id.Name] == nil {
				covered[id.Name] = map[ingest.Identity]string{}
			}
			covered[id.Name][id] = pt.path
		}
	}
	for _, s := range sources {
		if len(covered) > 0 {
			abs, _ := filepath.Abs(s.Name)
			if covered[abs] != nil || covered[s.Name] != nil {
				if id, ok, _ := s.Identity(); ok {
					if by, hit := covered[id.Name][id]; hit {
						note := "covered by the partial " + by + ", not read again"
						problems = append(problems, Problem{Kind: InputNote, Message: s.Name + ": " + note})
						unread = append(unread, analysis.Source{Name: s.Name, Note: note, Unread: true})
						continue
					}
				}
			}
		}
		keep = append(keep, s)
	}
	return keep, unread, problems
}

// mergePartials merges the partials' states and accounting into a run's,
// or, with --compare previous, into prev's when a partial holds the
// previous period. The run's settings must be theirs, but for the window:
// a partial made without one merges into a run with one when all its
// records lie in the run's window (or all in the previous period), for
// then the window would have kept them all; one wholly outside both is
// left out with a note; one that straddles a bound is an error.
func (a *accumulator) mergePartials(cfg *Config, p *plan, parts []*loadedPartial, prev *accumulator, prevPeriod *previous) (notes []Problem, err error) {
	if len(parts) == 0 {
		return nil, nil
	}
	mine := settingsOf(cfg, p, a.in.Loc)
	var names []string
	for _, j := range p.jobs {
		names = append(names, j.Info.Name)
	}
	for _, pt := range parts {
		f := pt.file
		if why := f.Settings.differs(mine, names, true); why != "" {
			return nil, fmt.Errorf("cannot merge %s into this run: this run has %s", pt.path, why)
		}
		into := a
		if f.Settings.Window != mine.Window {
			inside := func(from, until time.Time) bool {
				r := f.ReadTimes
				return r.N == 0 || (from.IsZero() || r.First >= from.Unix()) && (until.IsZero() || r.Last < until.Unix())
			}
			switch {
			case f.Settings.Window != "":
				return nil, fmt.Errorf("cannot merge %s into this run: it was made with the window %q, this run has %q", pt.path, f.Settings.Window, mine.Window)
			case inside(mine.From, mine.Until):
			case prev != nil && prevPeriod != nil && inside(prevPeriod.from, prevPeriod.until):
				into = prev
			case f.ReadTimes.Last < mine.From.Unix() || !mine.Until.IsZero() && f.ReadTimes.First >= mine.Until.Unix():
				notes = append(notes, Problem{Kind: InputNote, Message: fmt.Sprintf("%s: no record of it is in the window; left out", pt.path)})
				continue
			default:
				return nil, fmt.Errorf("cannot merge %s into this run: it was made without a window and holds records on both sides of the window's bounds (%s); make it with the same window, or one per day", pt.path, mine.Window)
			}
		}
		states, err := pt.states()
		if err != nil {
			return nil, err
		}
		for i, j := range p.jobs {
			enc, ok := states[j.Info.Name]
			if !ok {
				return nil, fmt.Errorf("%s holds no state of section %s (it was made with other --sections)", pt.path, j.Info.Name)
			}
			st := j.Analysis.(analysis.Partial).NewState(into.in)
			if err := gob.NewDecoder(bytes.NewReader(enc)).Decode(st); err != nil {
				return nil, fmt.Errorf("%s: the state of section %s is damaged: %v", pt.path, j.Info.Name, err)
			}
			if err := into.states[i].Merge(st); err != nil {
				return nil, fmt.Errorf("%s: section %s: %w", pt.path, j.Info.Name, err)
			}
		}
		into.inv.Merge(f.Inventory)
		into.times.Merge(f.Times)
		into.met.merge(f.Metrics)
		// What was read is the run's, whichever period it went to.
		a.readTimes.Merge(f.ReadTimes)
		a.read += f.Read
		a.malformed += f.Malformed
		a.sources = append(a.sources, f.Sources...)
		a.inputs = append(a.inputs, f.Inputs...)
		if pt.disk {
			// The partial's bytes and decoded states are garbage now:
			// collect them before the next, so that the peak is the
			// merge and one partial, not the merge and a collector's
			// backlog of several.
			debug.FreeOSMemory()
		}
	}
	return notes, nil
}

// encode makes the partial file of what the run accumulated.
func (a *accumulator) encode(cfg *Config, p *plan) ([]byte, error) {
	a.met.settle()
	f := &partialFile{Made: p.generated, Settings: settingsOf(cfg, p, a.in.Loc), Inputs: a.inputs,
		Read: a.read, Malformed: a.malformed, ReadTimes: a.readTimes, Times: a.times, Inventory: a.inv,
		Metrics: a.met, States: map[string][]byte{}}
	for _, s := range a.in.Sources {
		if !s.Unread {
			f.Sources = append(f.Sources, s)
		}
	}
	// By path, so that a partial of partials is the same whatever order
	// they were merged in.
	slices.SortStableFunc(f.Sources, func(x, y analysis.Source) int { return pathOrder(x.Name, y.Name) })
	slices.SortStableFunc(f.Inputs, func(x, y ingest.Identity) int { return pathOrder(x.Name, y.Name) })
	for i, j := range p.jobs {
		var buf bytes.Buffer
		analysis.Settle(a.states[i])
		if err := gob.NewEncoder(&buf).Encode(a.states[i]); err != nil {
			return nil, fmt.Errorf("section %s: %w", j.Info.Name, err)
		}
		f.States[j.Info.Name] = buf.Bytes()
	}
	return encodePartial(f)
}

// pathOrder orders paths as a walk of their folders meets them: by name,
// folder by folder (a slash sorts before any other character).
func pathOrder(a, b string) int {
	return strings.Compare(strings.ReplaceAll(a, "/", "\x00"), strings.ReplaceAll(b, "/", "\x00"))
}

// Input is one input of ExpandInputs.
type Input struct {
	Name string
	// Walked is true for a file found in a folder: read alone, it needs
	// Config.Walked, so that a file in no log format is left out with a
	// note, as in the walk, rather than failing.
	Walked bool
}

// ExpandInputs lists the inputs cfg names one by one: the files of its
// globs and folders, the objects of its S3 prefixes (s3://bucket/key), and
// its partial files, as a run would read them; for a distributed pipeline
// that reads each on a worker of its own. An input that names nothing is
// an error.
func ExpandInputs(ctx context.Context, cfg Config) ([]Input, error) {
	p, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	partials, raw := splitPartials(cfg.Inputs)
	cfg.Inputs = raw
	since, until := p.sel.knownBounds(p.loc)
	x := expandSources(ctx, &cfg, since, until)
	var errs []error
	for _, e := range x.errs {
		var ie *ingest.InputError
		if errors.As(e, &ie) && ie.Note {
			continue // read once, or left out with a note
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var out []Input
	for _, name := range partials {
		out = append(out, Input{Name: name})
	}
	for _, s := range x.sources {
		out = append(out, Input{Name: s.Name, Walked: s.Walked})
	}
	return out, nil
}
