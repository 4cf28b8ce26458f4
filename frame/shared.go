package frame

import "slices"

// Chunks that share the run's dictionaries.
//
// A run read chunk by chunk hands each chunk to the sections' states,
// which keep what they count by key. With a dictionary of its own per
// chunk, a chunk's values say nothing of the chunks before it: every state
// looked each distinct value up by its string and kept a copy of it, a
// million distinct agents costing each section that counts them 120 MB and
// a hash of every string per chunk. With Shared, the chunks of a run are
// cut from one dictionary per column that grows with the run: a chunk's
// column keeps a small dictionary of its own (so that its counts and
// look-ups are the chunk's), whose strings are the shared dictionary's
// (copied once, into its arena) and whose codes it maps to the shared
// dictionary's (CodeView.Global). A state can then know a value it saw in
// an earlier chunk by a number, and keep the shared string rather than a
// copy.

// Lineage names a run's shared dictionary of one column: two chunks'
// columns of the same Lineage number their values alike (CodeView.Global).
// It holds nothing a caller can read; only its identity counts.
type Lineage struct{ _ byte }

// Shared is the dictionaries the chunks of one run share, a column each.
// Only the goroutine that fills the chunks uses it (Frame.ShareFrom).
//
// A shared dictionary holds every distinct value of its column for the
// whole run, which pays where the sections keep each value anyway (the
// clients, paths, agents, referers they count) and would be memory for
// nothing where they keep few (query strings, X-Forwarded-For lists, which
// a cache-busting parameter or a proxy chain makes new on every line):
// those columns are not shared (sharedCols). A column past sharedMax
// values stops being shared from the next chunk on, so that a run's
// memory stays bounded by what its sections keep.
type Shared struct {
	cols [NumStrCols]*sharedCol
}

// sharedCols are the columns whose chunks are cut from a shared dictionary.
var sharedCols = func() (s [NumStrCols]bool) {
	for c := range s {
		s[c] = StrCol(c) != Query && StrCol(c) != ForwardedFor
	}
	return s
}()

// sharedMax is how many values a shared dictionary takes before its
// column is no longer shared (a variable for tests).
var sharedMax = 1 << 24

// NewShared returns empty shared dictionaries.
func NewShared() *Shared { return &Shared{} }

// sharedCol is the shared dictionary of a column, and where the chunk
// being filled keeps each of its values.
type sharedCol struct {
	lin *Lineage
	d   dict // the run's distinct values, in their arena (newCompactDict)

	// local maps a shared code to its code in the chunk being filled,
	// plus 1 (0: not in it); cur is that chunk's column, whose global
	// codes are the entries to clear when the next chunk starts.
	local []uint32
	cur   *Strings

	off bool // no longer shared (sharedMax)
}

// col is the shared dictionary of column c, or nil when c is not shared.
func (sh *Shared) col(c StrCol) *sharedCol {
	if !sharedCols[c] {
		return nil
	}
	if sh.cols[c] == nil {
		sh.cols[c] = &sharedCol{lin: new(Lineage), d: newCompactDict()}
	}
	if sc := sh.cols[c]; !sc.off {
		return sc
	}
	return nil
}

// ShareFrom marks an empty frame as a chunk cut from sh: its columns
// intern their values into sh's dictionaries and keep those strings (see
// the comment at the top of this file). The chunk filled before from sh
// must be complete: its columns stay valid, but no longer grow.
func (f *Frame) ShareFrom(sh *Shared) {
	f.chunk, f.shared = true, sh
	for _, sc := range sh.cols {
		if sc == nil || sc.off {
			continue
		}
		if len(sc.d.vals) > sharedMax {
			// The chunks' strings stay, in the arena; the index and
			// the headers go.
			*sc = sharedCol{lin: sc.lin, off: true}
			continue
		}
		if sc.cur == nil {
			continue
		}
		for _, g := range sc.cur.global {
			sc.local[g] = 0
		}
		sc.cur = nil
	}
}

// newSharedStrings is a chunk's empty column cut from sc.
func newSharedStrings(sc *sharedCol) *Strings {
	s := newNarrowStrings()
	s.d = dict{long: index{all: true}, unindexed: true} // looked up by the chunk's readers only: scans, then an index (Lookup)
	s.sh, s.lin = sc, sc.lin
	sc.cur = s
	return s
}

// localOf is the chunk's code of the shared code g, added to the chunk's
// dictionary when the chunk did not hold it yet.
func (s *Strings) localOf(g uint32) uint32 {
	sc := s.sh
	if int(g) >= len(sc.local) {
		sc.local = append(sc.local, make([]uint32, len(sc.d.vals)-len(sc.local))...)
	}
	if l := sc.local[g]; l != 0 {
		return l - 1
	}
	l := uint32(len(s.d.vals))
	v := sc.d.vals[g]
	if len(s.d.vals) == cap(s.d.vals) { // doubling (append grows a long slice by a quarter)
		n := max(len(s.d.vals), 256)
		s.d.vals = slices.Grow(s.d.vals, n)
		s.global = slices.Grow(s.global, n)
	}
	if v == "" {
		s.d.empty = l + 1
	}
	s.d.vals = append(s.d.vals, v)
	if !s.d.unindexed {
		s.d.long.add(s.d.vals, l, hashString(v))
	}
	s.global = append(s.global, g)
	sc.local[g] = l + 1
	s.sharedVals = sc.d.vals[:len(sc.d.vals):len(sc.d.vals)]
	return l
}

// Global returns the lineage of the shared dictionary the column's values
// come from and, for each code of the view's dictionary, that value's code
// there; nil and nil for a column of no shared dictionary (a frame read
// whole, a column rewritten by MapStr). The codes must not be modified.
func (v CodeView) Global() (*Lineage, []uint32) {
	if v.lin == nil {
		return nil, nil
	}
	return v.lin, v.global[:v.Dict.Len()]
}

// SharedValues returns the values of the column's shared dictionary, by
// shared code, up to the last the column holds (nil for a column of no
// shared dictionary): what a state that took every value of every chunk
// so far holds, in the same order (analysis.Dict), without a copy. Its
// headers are where the collector does not look (vals.go), and it must not
// be written; an append copies it (its capacity is its length).
func (v CodeView) SharedValues() []string { return v.sharedVals }

// ShareFirst makes f, a complete frame read as one (not from sh), the
// first chunk of sh's run: sh, which no chunk was cut from yet, takes the
// values of f's columns as the first of its dictionaries', in f's order,
// so that f's codes are their shared codes (CodeView.Global) and the
// chunks cut from sh next continue its lineage. A reader that began a run
// as one frame and goes on chunk by chunk (ingest.Options.KeepFrame)
// hands that frame over so; the states then know its values in later
// chunks by number, as they know those of a chunk cut from sh.
func (f *Frame) ShareFirst(sh *Shared) {
	for c, s := range f.str {
		if s == nil || s.lin != nil || sh.cols[c] != nil {
			continue
		}
		sc := sh.col(StrCol(c))
		if sc == nil {
			continue
		}
		n := s.d.n()
		s.global = make([]uint32, n)
		for i, v := range s.d.view().All() {
			s.global[i] = sc.d.internString(v) // the values are distinct: i
		}
		s.lin = sc.lin
		s.sharedVals = sc.d.vals[:n:n]
	}
}
