package frame

import (
	"math"
	"slices"
	"sync"
)

// Dicts are the string dictionaries of one parsing goroutine. They outlive
// the batches that goroutine fills, so that each distinct value is copied
// and indexed once per goroutine rather than once per batch, and a Merger
// looks it up in the frame's dictionary once per goroutine too.
//
// A dictionary that outgrows WorkerDictMax values starts afresh at the
// goroutine's next batch (Bound): the frame has its values by then, and on
// a log where most values are new, a goroutine's dictionaries holding all
// of them were a second index of the whole log, held until the read ends.
// gen counts the fresh starts, so that a Merger knows its translation of
// the old codes no longer holds.
type Dicts struct {
	str [NumStrCols]dict
	gen [NumStrCols]uint32
}

// WorkerDictMax is the most values a parsing goroutine's dictionary of
// one column keeps from batch to batch.
const WorkerDictMax = 1 << 16

// rawDictMax is WorkerDictMax for a dictionary that appends its values
// without looking them up (raw).
const rawDictMax = 1 << 12

// Bound starts afresh each dictionary holding more than WorkerDictMax
// values, and each whose mode changes (below). Call it only between
// batches, from the goroutine filling them: batches sealed before keep the
// values they refer to.
//
// A column whose values were nearly all new over the last noveltyWindow
// values (unique query strings, a million distinct addresses) stops
// looking them up here: each value is appended as it comes, and the
// Merger's look-up in the frame's dictionary is the only one, rather than
// a look-up and an insert here and the same again there, which was a
// fifth of the read's time on such a log. After rawWindow values it looks
// them up again for a window, to notice a column that began to repeat.
func (d *Dicts) Bound() {
	for i := range d.str {
		old := &d.str[i]
		raw := old.raw
		switch {
		case old.calls < noveltyWindow:
		case raw:
			raw = old.calls < rawWindow
		case 10*(len(old.vals)-old.start) >= 9*old.calls:
			raw = true
		default:
			old.calls, old.start = 0, len(old.vals) // a new window
		}
		limit := WorkerDictMax
		if raw && old.raw {
			// Values appended without a look-up are of no use to the
			// next batch: they go once the frame has them, rather than
			// a goroutine's 64K values per column being held (25 MB of
			// a read of a million new values in five columns).
			limit = rawDictMax
		}
		if raw == old.raw && len(old.vals) <= limit {
			continue
		}
		// Sealed batches hold the old values (their views): those stay
		// as they are. The index tables are the goroutine's own, and are
		// cleared for reuse rather than grown again from nothing. The
		// arena goes on filling its chunk (values in it are never
		// written again): a fresh one would leave the rest of a chunk of
		// up to a megabyte unused at every start, 20 MB in a read of a
		// million new values per column.
		fresh := dict{vals: make([]string, 0, min(len(old.vals), WorkerDictMax+1)), short: old.short, long: old.long, bytes: old.bytes, raw: raw}
		if raw && old.raw {
			fresh.calls = old.calls // the raw window goes on
		}
		clear(fresh.short.slots)
		clear(fresh.long.slots)
		fresh.short.n, fresh.long.n = 0, 0
		*old = fresh
		d.gen[i]++
	}
}

// noveltyWindow is how many values a parsing goroutine's dictionary of a
// column looks up before Bound judges how many were new; rawWindow is how
// many it appends without looking them up before it judges again.
const (
	noveltyWindow = 1 << 13
	rawWindow     = 1 << 20
)

// NewDicts returns empty dictionaries.
func NewDicts() *Dicts { return &Dicts{} }

// Batch is a run of rows parsed by one goroutine, to be appended to a frame
// by a Merger. Its string columns hold codes of the goroutine's Dicts. A
// batch is reused after Reset, keeping its buffers.
type Batch struct {
	Time   []int64
	offset int32

	dicts *Dicts
	gen   [NumStrCols]uint32 // the dictionaries' generations at Seal
	has   Set
	codes [NumStrCols][]uint32
	num   [NumNumCols][]float64
	// views are the goroutine's dictionaries as Seal left them: entries
	// are only ever appended, so a view stays valid while the goroutine
	// goes on interning.
	views [NumStrCols][]string
}

// NewBatch returns an empty batch whose strings are coded by d.
func NewBatch(d *Dicts) *Batch { return &Batch{dicts: d} }

// Reset empties b for reuse, keeping its buffers.
func (b *Batch) Reset() {
	b.Time = b.Time[:0]
	b.has = Set{}
	for i := range b.codes {
		b.codes[i] = b.codes[i][:0]
		b.views[i] = nil
	}
	for i := range b.num {
		b.num[i] = b.num[i][:0]
	}
}

// Len is the number of rows.
func (b *Batch) Len() int { return len(b.Time) }

// Begin declares the columns the following rows fill; earlier rows get
// missing values in columns that are new.
func (b *Batch) Begin(cols Set) {
	n := len(b.Time)
	for i, want := range cols.Str {
		if want && !b.has.Str[i] {
			b.has.Str[i] = true
			if n > 0 {
				c := b.dicts.str[i].internString("")
				b.codes[i] = slices.Grow(b.codes[i][:0], n)[:n]
				for j := range b.codes[i] {
					b.codes[i][j] = c
				}
			}
		}
	}
	for i, want := range cols.Num {
		if want && !b.has.Num[i] {
			b.has.Num[i] = true
			if n > 0 {
				b.num[i] = slices.Grow(b.num[i][:0], n)[:n]
				fill := missingNums[i]
				for j := range b.num[i] {
					b.num[i][j] = fill
				}
			}
		}
	}
}

// Add appends one row.
func (b *Batch) Add(r *Row) {
	if len(b.Time) == 0 {
		b.offset = r.Offset
	}
	b.Time = append(b.Time, r.Time)
	d := &b.dicts.str
	for i := range b.codes {
		if b.has.Str[i] {
			b.codes[i] = append(b.codes[i], d[i].intern(r.Str[i]))
		}
	}
	for i := range b.num {
		if b.has.Num[i] {
			b.num[i] = append(b.num[i], r.Num[i])
		}
	}
}

// Seal records the state of the dictionaries the rows refer to. Call it
// before handing the batch to the goroutine that merges it.
func (b *Batch) Seal() {
	for i := range b.views {
		if b.has.Str[i] {
			b.views[i] = b.dicts.str[i].vals
		}
	}
	b.gen = b.dicts.gen
}

// Merger appends batches to a frame in order. Each dictionary code of a
// goroutine is translated to the frame's code the first time a batch uses
// it, so the frame's dictionaries keep first-seen order, exactly as if the
// rows had been added one by one.
type Merger struct {
	f     *Frame
	trans map[*Dicts]*translation
	cols  [NumStrCols]mergeScratch
}

// mergeScratch is a column's scratch of Append: the batch's codes in the
// frame, and the codes new to the translation, their values and their
// codes in the frame.
type mergeScratch struct {
	dst, pend, got []uint32
	vals           []string
}

// translation maps a goroutine's codes to the frame's, per column: code →
// frame code + 1, 0 when not yet translated; gen is the generation of the
// goroutine's dictionary it translates.
type translation struct {
	codes [NumStrCols][]uint32
	gen   [NumStrCols]uint32
}

// NewMerger returns a merger appending to f.
func NewMerger(f *Frame) *Merger {
	return &Merger{f: f, trans: make(map[*Dicts]*translation)}
}

// parallelMin is the number of a batch's values new to a column from which
// the columns are merged concurrently: interning the values new to the
// frame is the merge's work, done on the goroutine that the parsing
// goroutines wait for. On a log of a new address, path, agent and referer
// on every line the merge of the columns one after the other was most of
// the read's time, and each column's dictionary is its own. Under it (most
// batches of a typical log, whose values were seen before) a column is
// the translation of its codes, cheaper than starting a goroutine.
const parallelMin = 256

// Append adds the rows of b to the frame. b may be reset after.
func (m *Merger) Append(b *Batch) {
	n := b.Len()
	if n == 0 {
		return
	}
	f := m.f
	if f.Len() == 0 {
		f.Offset = b.offset
	}
	// A numeric column missing in every row so far (a JSON or LTSV
	// parser declares every duration it may read) takes no memory: it is
	// made, the rows before filled as missing, by the first batch with a
	// value (on a million rows, 8 MB a column that holds nothing).
	has := b.has
	for i, want := range has.Num {
		if want && f.num[i] == nil && math.IsNaN(missingNums[i]) && allNaN(b.num[i]) {
			has.Num[i] = false
		}
	}
	f.ensure(has)
	t := m.trans[b.dicts]
	if t == nil {
		t = new(translation)
		m.trans[b.dicts] = t
	}
	var heavy [NumStrCols]bool
	nHeavy := 0
	for i, s := range f.str {
		if s == nil {
			continue
		}
		if !b.has.Str[i] {
			s.appendFill(s.InternString(""), n, f.reserved)
			continue
		}
		if t.gen[i] != b.gen[i] {
			// The goroutine's dictionary started afresh (Bound) since
			// the codes were translated (or, when sources are merged in
			// another order than a goroutine parsed them, it is a batch
			// of an older dictionary): translate anew.
			t.codes[i], t.gen[i] = t.codes[i][:0], b.gen[i]
		}
		// The goroutine's codes not translated before: an upper bound
		// of the values new to the frame.
		if min(len(b.views[i])-len(t.codes[i]), n) >= parallelMin {
			heavy[i] = true
			nHeavy++
		}
	}
	// The heavy columns but one merge on goroutines of their own, the
	// rest here; with one heavy column or none, all of them here.
	var wg sync.WaitGroup
	var elsewhere [NumStrCols]bool
	lead := true
	for i := range f.str {
		if nHeavy > 1 && heavy[i] {
			if lead {
				lead = false
				continue
			}
			elsewhere[i] = true
			wg.Go(func() { m.appendColumn(i, b, t) })
		}
	}
	for i, s := range f.str {
		if s != nil && b.has.Str[i] && !elsewhere[i] {
			m.appendColumn(i, b, t)
		}
	}
	wg.Wait()
	for i, v := range f.num {
		if v == nil {
			continue
		}
		if has.Num[i] {
			f.num[i] = append(v, b.num[i]...)
			continue
		}
		start := len(v)
		v = slices.Grow(v, n)[:start+n]
		fill := missingNums[i]
		for j := start; j < len(v); j++ {
			v[j] = fill
		}
		f.num[i] = v
	}
	f.Time = append(f.Time, b.Time...)
}

// appendColumn appends column i of b to the frame's, translating its
// codes with t. It touches column i's state only (its dictionary, its
// translation, its scratch), so that columns merge concurrently.
func (m *Merger) appendColumn(i int, b *Batch, t *translation) {
	f, s, sc := m.f, m.f.str[i], &m.cols[i]
	n := b.Len()
	sc.dst = slices.Grow(sc.dst[:0], n)[:n]
	dst := sc.dst
	view := b.views[i]
	tr := t.codes[i]
	if len(tr) < len(view) {
		tr = append(tr, make([]uint32, len(view)-len(tr))...)
		t.codes[i] = tr
	}
	// The codes this batch is the first to use, in the order of the
	// rows, interned together; then each row's.
	const pending = ^uint32(0)
	sc.pend, sc.vals = sc.pend[:0], sc.vals[:0]
	for _, c := range b.codes[i] {
		if tr[c] == 0 {
			tr[c] = pending
			sc.pend = append(sc.pend, c)
			sc.vals = append(sc.vals, view[c])
		}
	}
	if len(sc.pend) > 0 {
		sc.got = slices.Grow(sc.got[:0], len(sc.pend))[:len(sc.pend)]
		s.internStrings(sc.vals, sc.got)
		for k, c := range sc.pend {
			tr[c] = sc.got[k] + 1
		}
		clear(sc.vals) // no strings of the goroutine's held past the batch
	}
	for j, c := range b.codes[i] {
		dst[j] = tr[c] - 1
	}
	s.appendCodes(dst, f.reserved)
	s.presize(f.reserved)
}

// Reserve makes room for rows rows in all, in the columns the frame has and
// in those it gains later, so that appending up to that many allocates
// nothing. Room reserved and never filled is address space, not memory: the
// pages of a fresh allocation are not touched until written.
func (f *Frame) Reserve(rows int) {
	if rows <= f.reserved {
		return
	}
	f.reserved = rows
	extra := rows - len(f.Time)
	if extra <= 0 {
		return
	}
	f.Time = slices.Grow(f.Time, extra)
	for _, s := range f.str {
		if s != nil {
			s.reserve(rows)
		}
	}
	for i, v := range f.num {
		if v != nil {
			f.num[i] = slices.Grow(v, extra)
		}
	}
}

// Cap is the number of rows the frame holds without allocating.
func (f *Frame) Cap() int { return cap(f.Time) }

func allNaN(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) {
			return false
		}
	}
	return true
}
