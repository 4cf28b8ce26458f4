package analysis

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

// Sections as mergeable partials.
//
// A section that implements [Partial] splits its work in three: a State
// accumulates chunks of records (Add), two States of the same section
// merge (Merge), and a State finishes into the section (Finish). The
// pipeline can then accumulate per worker as it reads, merge the workers'
// states, and finish, with memory following the distinct keys rather than
// the rows; and a state written to disk (a partial) can be merged later
// with others: a week as the merge of seven days.
//
// The contract, which TestPartialsMerge holds every Partial to:
//
//   - Finishing the merge of the states of any split of the records, in any
//     order and grouping of the merges, gives the same section as finishing
//     one state that saw them all: the same tables, plots, prose and
//     findings. Ties are broken by keys, never by the order records came
//     in.
//   - Finish reads the State and the run's settings in the Input (Loc,
//     MaxRows, Sources, Crawlers, Site), never in.Frame, which is nil
//     where the records are gone by then. A State counts what it needs
//     (its own rows, first and last times) itself.
//   - A State keeps no string of a chunk: strings become keys through
//     [own], so that a chunk's buffers can be freed once it is added. The
//     strings of a run's shared dictionaries (a chunk's columns whose
//     CodeView.Global is set) are not a chunk's: they live for as long as
//     a state keeps one, and a state may keep them as they are (Dict).
//   - A State is made of exported fields that encoding/gob can write (maps,
//     slices, numbers, strings, structs of them), so that it can be saved
//     in a partial file and read back (after [Settle]); what is derived is
//     recomputed at Finish rather than stored.
//   - Merge is given a State from the same section's NewState (made with
//     the same parameters); it may take over the other's maps.
//   - Memory follows the distinct keys. Where even those could grow past
//     what a machine holds for a part of one table (uri_stems' pairs of
//     client and stem), the state bounds itself, and its section states
//     the exact bound of what that changed when it did: the first point
//     holds up to the bound.
type Partial interface {
	Analysis
	// NewState returns an empty state for a run with in's settings and
	// the analysis's parameters. in.Frame may be nil.
	NewState(in *Input) State
}

// State is a section's work on part of the records: see [Partial].
type State interface {
	// Add accumulates a chunk of records: a frame with its own
	// dictionaries, which the State must not keep (but for the strings of
	// a run's shared dictionaries: see the contract above).
	Add(ctx context.Context, chunk *frame.Frame) error
	// Merge folds other, a State of the same section, into this one.
	Merge(other State) error
	// Finish writes the section from what was accumulated.
	Finish(ctx context.Context, in *Input) (*Section, error)
}

// Settle readies a State to be encoded: a state may hold some of what it
// accumulated in a form of the run's (strings of its shared dictionaries
// known by their codes, Pending) until it is merged, finished or encoded,
// and Settle moves that into its exported fields.
//
// A Dict that borrowed a packed column dictionary (in a run over one
// frame) is made to own its strings, which gob then writes.
func Settle(st State) {
	if s, ok := st.(settler); ok {
		s.settle()
	}
	ownDicts(reflect.ValueOf(st))
}

// ownDicts makes every Dict that v's exported fields hold, through
// pointers and structs, own its strings (Dict.own).
func ownDicts(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			ownDicts(v.Elem())
		}
	case reflect.Struct:
		if d, ok := v.Addr().Interface().(*Dict); ok {
			d.own()
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				ownDicts(v.Field(i))
			}
		}
	}
}

type settler interface{ settle() }

// runPartial runs a Partial as one state over the whole frame: what Run
// is for every Partial.
func runPartial(ctx context.Context, p Partial, in *Input) (*Section, error) {
	st := p.NewState(in)
	if in.Frame != nil {
		add := st.Add
		if w, ok := st.(wholeAdder); ok {
			add = w.addWhole
		}
		if err := add(ctx, in.Frame); err != nil {
			return nil, err
		}
	}
	return st.Finish(ctx, in)
}

// wholeAdder is a State that takes the whole frame of a run over one frame
// (runPartial) faster than Add: such a state is finished at once, never
// merged, so it may leave out what only a merge with other records would
// need. TestPartialsMerge holds the section it finishes to the merge of
// chunks added with Add.
type wholeAdder interface {
	addWhole(ctx context.Context, f *frame.Frame) error
}

// mergeAs is the first step of every Merge: other as the State's own type,
// or an error naming both.
func mergeAs[S any](other State) (S, error) {
	o, ok := other.(S)
	if !ok {
		var zero S
		return zero, fmt.Errorf("analysis: cannot merge a %T into a %T", other, zero)
	}
	return o, nil
}

// own returns a copy of s that shares no memory with a chunk's buffers.
func own(s string) string { return strings.Clone(s) }

// Tally counts rows per key: the mergeable form of value_counts().
type Tally map[string]int

// AddColumn adds each row of a string column of f, counted per string. A
// chunk without the column (one from a log format that lacks it) counts
// its rows as the empty string, as the same rows would hold in a frame
// with other sources that have it.
func (t Tally) AddColumn(f *frame.Frame, c frame.StrCol) {
	v := strCol(f, c)
	if v == nil {
		if f.Len() > 0 {
			t.add("", f.Len())
		}
		return
	}
	for c, n := range v.Counts() {
		if n > 0 {
			t.add(v.Dict.Peek(uint32(c)), n) // add owns what it keeps
		}
	}
}

func (t Tally) add(k string, n int) {
	if old, ok := t[k]; ok {
		t[k] = old + n
		return
	}
	t[own(k)] = n
}

// Merge adds the counts of o.
func (t Tally) Merge(o Tally) {
	for k, n := range o {
		t[k] += n // o's keys are owned already
	}
}

// Ranked is value_counts() of the tally: each key with its count, most
// frequent first, then by key, an empty key shown as "-" (as codeCounts
// orders a column's counts). Each row's code is its key's index in the
// returned dict, the keys in the order of the rows, so that code that
// looks up dict[row.code] reads the key as it was written.
func (t Tally) Ranked() (rows []keyCount, dict []string) {
	rows = make([]keyCount, 0, len(t))
	for k, n := range t {
		if n > 0 {
			rows = append(rows, keyCount{key: k, n: n})
		}
	}
	slices.SortFunc(rows, func(a, b keyCount) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
	dict = make([]string, len(rows))
	for i := range rows {
		dict[i] = rows[i].key
		rows[i].key = orDash(rows[i].key)
		rows[i].code = uint32(i)
	}
	return rows, dict
}

// Pair is a key and a value, as a PairTally counts them.
type Pair struct{ Key, Value string }

// PairTally counts rows per key and value: the mergeable form of
// groupby([key, value]).size().
type PairTally map[Pair]int

// AddColumns adds the rows of f, counted per string of its key and value
// columns; a column f lacks counts as the empty string (Tally.AddColumn).
func (t PairTally) AddColumns(f *frame.Frame, key, value frame.StrCol) {
	kv, vv := strColOrEmpty(f, key), strColOrEmpty(f, value)
	for _, p := range frame.PairCounts(kv, vv, nil) {
		k := Pair{kv.Dict.At(p.A), vv.Dict.At(p.B)}
		if old, ok := t[k]; ok {
			t[k] = old + p.N
			continue
		}
		t[Pair{own(k.Key), own(k.Value)}] = p.N
	}
}

// Merge adds the counts of o.
func (t PairTally) Merge(o PairTally) {
	for k, n := range o {
		t[k] += n
	}
}

// Conditional is the conditional distribution of the tally's values given
// their keys, in the order of [Conditional] on the columns: by key (an
// empty key shown and sorted as "-"), then by count, the largest first,
// then by value.
func (t PairTally) Conditional() []CondRow {
	totals := make(map[string]int)
	values := make(map[string]struct{})
	for p, n := range t {
		totals[p.Key] += n
		values[p.Value] = struct{}{}
	}
	kr := stringDashRanks(mapKeys(totals))
	vr := stringDashRanks(mapKeys(values))
	type row struct {
		p Pair
		n int
	}
	rows := make([]row, 0, len(t))
	for p, n := range t {
		rows = append(rows, row{p, n})
	}
	// Ranks tie only between "" and "-" (both shown "-"): the strings as
	// written break the tie, so that the order never depends on the map's.
	slices.SortFunc(rows, func(a, b row) int {
		if c := cmp.Compare(kr[a.p.Key], kr[b.p.Key]); c != 0 {
			return c
		}
		if c := byCountThenKey(a.n, vr[a.p.Value], b.n, vr[b.p.Value]); c != 0 {
			return c
		}
		if c := strings.Compare(a.p.Value, b.p.Value); c != 0 {
			return c
		}
		return strings.Compare(a.p.Key, b.p.Key)
	})
	out := make([]CondRow, len(rows))
	for i, r := range rows {
		out[i] = CondRow{Key: orDash(r.p.Key), Value: orDash(r.p.Value), N: r.n,
			Proba: float64(r.n) / float64(totals[r.p.Key]), keyRank: kr[r.p.Key], valueRank: vr[r.p.Value]}
	}
	return out
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// stringDashRanks ranks strings as dashRanks ranks a dictionary's codes:
// sorted as shown (empty as "-"), equal shown strings sharing a rank.
func stringDashRanks(keys []string) map[string]uint32 {
	order, ranks := dashRanks(keys)
	out := make(map[string]uint32, len(keys))
	for _, c := range order {
		out[keys[c]] = ranks[c]
	}
	return out
}

// Counter counts per key of any comparable type: (day, status), an hour,
// a size bucket. A key holding strings must hold owned ones ([own]).
type Counter[K comparable] map[K]int

// Merge adds the counts of o.
func (c Counter[K]) Merge(o Counter[K]) {
	for k, n := range o {
		c[k] += n
	}
}

// TimeRange is the first and last time of the records seen, in Unix
// seconds; N is how many records it covers (0: none, the bounds unset).
type TimeRange struct {
	N           int
	First, Last int64
}

// AddTimes widens the range to the times given.
func (r *TimeRange) AddTimes(ts []int64) {
	for _, t := range ts {
		if r.N == 0 || t < r.First {
			r.First = t
		}
		if r.N == 0 || t > r.Last {
			r.Last = t
		}
		r.N++
	}
}

// Merge widens the range to o's.
func (r *TimeRange) Merge(o TimeRange) {
	if o.N == 0 {
		return
	}
	if r.N == 0 || o.First < r.First {
		r.First = o.First
	}
	if r.N == 0 || o.Last > r.Last {
		r.Last = o.Last
	}
	r.N += o.N
}

// ValueCounts is the exact distribution of a numeric column: how many
// records hold each value. It merges without loss, and its size follows
// the distinct values (few for durations in whole milliseconds or sizes of
// the same few files), not the records. Values sorts it back into the
// column's values, for percentiles computed as on the column.
type ValueCounts map[float64]int

// AddValues counts each value but NaN, the frame's missing value (a NaN
// key could never be found again in a map); it returns how many it left
// out.
func (v ValueCounts) AddValues(xs []float64) (missing int) {
	for _, x := range xs {
		if x != x {
			missing++
			continue
		}
		v[x]++
	}
	return missing
}

// Merge adds the counts of o.
func (v ValueCounts) Merge(o ValueCounts) {
	for x, n := range o {
		v[x] += n
	}
}

// Sorted returns the distinct values in ascending order with their
// counts.
func (v ValueCounts) Sorted() (xs []float64, ns []int) {
	xs = make([]float64, 0, len(v))
	for x := range v {
		xs = append(xs, x)
	}
	slices.SortFunc(xs, cmp.Compare[float64])
	ns = make([]int, len(xs))
	for i, x := range xs {
		ns[i] = v[x]
	}
	return xs, ns
}

// strColOrEmpty is a string column's view, or for a frame without the
// column a view of as many rows holding the empty string.
func strColOrEmpty(f *frame.Frame, c frame.StrCol) frame.CodeView {
	if v, ok := f.View(c); ok {
		return v
	}
	return frame.ConstView("", f.Len())
}

// Dict interns a state's strings as codes: each distinct string owned once
// (own), however many of the state's keys name it, so that a key made of
// strings is held as a few uint32 (packed in a number, sorted in a slice)
// rather than as strings in a map. Strings is gob's: the index is built on
// first use (after a state is read back, or once a second chunk comes: the
// first chunk's strings are taken without one, which spares a run on one
// frame a map of every distinct string it may never look up).
type Dict struct {
	// Strings are the strings by code; in a dictionary that borrowed a
	// column's (base), the strings after base's.
	Strings []string

	// base is the dictionary of the column of a run over one frame,
	// borrowed whole rather than copied (Codes with Borrow): its codes
	// are the first ones. Settle makes the state own them (Strings)
	// before gob writes it.
	base frame.Dict

	index  *frame.StringIndex // Strings by value, built on use
	borrow bool               // keep the chunks' strings rather than copies (Borrow)
	scans  int                // look-ups answered by reading Strings, without the index

	// view is the column whose dictionary Strings is (CodesOf), while
	// nothing was added to it: its sorted order is shared (dashRanks).
	view *frame.CodeView

	// Chunks cut from a run's shared dictionaries (frame.Shared) are
	// coded by lin's numbering: glob maps a shared code to the state's
	// code plus 1, so that a value seen in an earlier chunk is known
	// without its string being hashed, and a new one is kept as the
	// shared dictionary's string rather than copied. other says Strings
	// also holds strings that came otherwise (Code, Remap, a chunk of
	// another numbering), which a new shared code must then be looked up
	// among; mixed, that chunks of two numberings came, which ends glob.
	//
	// ident: every shared code so far came, in order, and came alone, so
	// that each state code is the shared code and Strings is the shared
	// dictionary's own slice of values (frame.CodeView.SharedValues), not
	// a copy: a state that takes every value of a column (the clients,
	// the agents) holds no header and no glob of its own. The first value
	// the state leaves out, or takes otherwise, ends it (unident).
	lin   *frame.Lineage
	glob  []uint32
	other bool
	mixed bool
	ident bool
}

// unident ends ident, the codes from now on the state's own (glob).
func (d *Dict) unident() {
	if !d.ident {
		return
	}
	d.ident = false
	d.glob = make([]uint32, d.Len())
	for g := range d.glob {
		d.glob[g] = uint32(g) + 1
	}
}

// CodesOf is Codes of a column's dictionary, remembering the column when
// the dictionary becomes its own (a run over one frame) so that sorting
// the strings can use the column's shared order.
func (d *Dict) CodesOf(v *frame.CodeView, need []bool) []uint32 {
	if lin, global := v.Global(); lin != nil && !d.mixed && (d.lin == nil || d.lin == lin) {
		if d.lin == nil {
			d.lin, d.ident = lin, d.Len() == 0 && !d.other
		}
		if d.ident && d.codesIdent(v, global, need) {
			out := make([]uint32, len(global))
			for c, g := range global {
				if need == nil || need[c] {
					out[c] = g
				}
			}
			return out
		}
		return d.codesShared(v.Dict, global, need)
	}
	if d.lin != nil {
		// A chunk of another numbering (or none): from now on by strings.
		d.lin, d.glob, d.mixed, d.ident = nil, nil, true, false
	}
	fresh := d.Len() == 0
	out := d.Codes(v.Dict, need)
	if fresh && d.borrowed(v.Dict) {
		d.view = v // the column's dictionary is the state's
	}
	return out
}

// codesIdent takes the chunk's values while the state's codes are the
// shared ones (ident): it reports whether they still are, the chunk's
// shared codes then being the state's; else it ends ident and takes
// nothing.
func (d *Dict) codesIdent(v *frame.CodeView, global []uint32, need []bool) bool {
	n, ok := extendIdent(uint32(d.Len()), global, func(c int) bool { return need == nil || need[c] })
	if !ok { // a shared value the state did not take
		d.unident()
		return false
	}
	old := len(d.Strings)
	d.Strings = v.SharedValues()[:n:n]
	if d.index != nil {
		for c := old; c < int(n); c++ {
			d.index.Add(d.Strings, uint32(c))
		}
	}
	return true
}

// extendIdent says whether a holder of shared codes 0 to n-1 (ident) that
// takes the chunk's codes c with take(c), global[c] their shared codes,
// still holds every shared code from 0 on, and up to which: each taken
// code is one it holds or the next one.
func extendIdent(n uint32, global []uint32, take func(c int) bool) (uint32, bool) {
	for c, g := range global {
		switch {
		case g < n || !take(c):
		case g == n:
			n++
		default:
			return n, false
		}
	}
	return n, true
}

// codesShared is Codes of a chunk's dictionary whose values have the
// shared codes global in the Dict's numbering (lin).
func (d *Dict) codesShared(dict frame.Dict, global []uint32, need []bool) []uint32 {
	out := make([]uint32, dict.Len())
	fresh := 0 // room for the strings new to the state, made once
	for c, g := range global {
		if (need == nil || need[c]) && (int(g) >= len(d.glob) || d.glob[g] == 0) {
			fresh++
		}
	}
	d.Strings = slices.Grow(d.Strings, fresh)
	for c, g := range global {
		if need != nil && !need[c] {
			continue
		}
		if int(g) >= len(d.glob) {
			d.glob = slices.Grow(d.glob, max(int(g)+1, 2*len(d.glob))-len(d.glob))
			d.glob = d.glob[:cap(d.glob)]
		}
		if k := d.glob[g]; k != 0 {
			out[c] = k - 1
			continue
		}
		s := dict.At(uint32(c))
		if d.other {
			d.ensureIndex(0)
			if code, ok := d.find(s); ok {
				d.glob[g], out[c] = code+1, code
				continue
			}
		}
		code := d.push(s) // the shared dictionary's string, which outlives the chunk
		d.glob[g], out[c] = code+1, code
	}
	return out
}

// dashRanks is dashRanks of the strings, from the column's order when
// they are a column's dictionary (CodesOf).
func (d *Dict) dashRanks() (order, ranks []uint32) {
	if v := d.view; v != nil && v.Dict.Len() == d.Len() {
		return viewDashRanks(v)
	}
	return dashRanks(d.all())
}

// all is the strings by code, as one slice: the state's own, or, when it
// borrowed a packed column dictionary, a copy of them all read in order
// (the bytes in one allocation), for a reader that reads them out of
// order.
func (d *Dict) all() []string {
	if d.base.Len() == 0 {
		return d.Strings
	}
	var b strings.Builder
	end := make([]int, 0, d.base.Len())
	d.base.Scan(0, d.base.Len(), func(_ int, s string) {
		b.WriteString(s) // a copy: s lasts for the call
		end = append(end, b.Len())
	})
	buf := b.String()
	out := make([]string, 0, d.Len())
	at := 0
	for _, e := range end {
		out = append(out, buf[at:e])
		at = e
	}
	return append(out, d.Strings...)
}

// scan calls fn with each code below n and its string, in code order: a
// borrowed packed column's read with frame.Dict.Scan, so that s is valid
// only during the call (fn copies what it keeps), rather than a block
// decoded and cached for each (peek).
func (d *Dict) scan(n int, fn func(c int, s string)) {
	n = min(n, d.Len())
	d.base.Scan(0, min(n, d.base.Len()), fn)
	for c := d.base.Len(); c < n; c++ {
		fn(c, d.Strings[c-d.base.Len()])
	}
}

// own makes the dictionary hold its strings itself (Strings), if it
// borrowed a packed column dictionary: for gob, which writes Strings.
func (d *Dict) own() {
	if d.base.Len() > 0 {
		d.Strings, d.base = d.all(), frame.Dict{}
	}
}

// Frame is the strings by code as a frame's dictionary: the borrowed
// column's, when the state took no other string.
func (d *Dict) Frame() frame.Dict {
	if len(d.Strings) == 0 {
		return d.base
	}
	return frame.DictOf(d.all()...)
}

// At returns the string of code c.
func (d *Dict) At(c uint32) string {
	if n := uint32(d.base.Len()); c < n {
		return d.base.At(c)
	} else {
		return d.Strings[c-n]
	}
}

// values returns the string of each of codes, as At does, for many codes
// out of order: a borrowed packed column's blocks decoded once each
// (frame.Dict.Values).
func (d *Dict) values(codes []uint32) []string {
	n := uint32(d.base.Len())
	if n == 0 {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = d.Strings[c]
		}
		return out
	}
	out, inBase := make([]string, len(codes)), make([]uint32, 0, len(codes))
	for i, c := range codes {
		if c >= n {
			out[i] = d.Strings[c-n]
		} else {
			inBase = append(inBase, c)
		}
	}
	vals := d.base.Values(inBase)
	for i, c := range codes {
		if c < n {
			out[i], vals = vals[0], vals[1:]
		}
	}
	return out
}

// find returns the code of s through the index, which must be built.
func (d *Dict) find(s string) (uint32, bool) {
	if d.base.Len() == 0 {
		return d.index.Find(d.Strings, s)
	}
	return d.index.FindBy(d.peek, s)
}

// peek is At for a string only compared (frame.Dict.Peek).
func (d *Dict) peek(c uint32) string {
	if n := uint32(d.base.Len()); c < n {
		return d.base.Peek(c)
	}
	return d.Strings[c-uint32(d.base.Len())]
}

// push appends s, a string the dictionary does not hold, as the next
// code, indexing it if the index is built.
func (d *Dict) push(s string) uint32 {
	code := uint32(d.Len())
	d.Strings = append(d.Strings, s)
	if d.index != nil {
		d.index.AddValue(code, s)
	}
	return code
}

// dictScansMax is how many look-ups a Dict without its index answers by
// reading its strings one by one before it builds the index: a Finish
// looks up a string or two ("/robots.txt", the empty agent), which a scan
// answers in a millisecond on a million strings, where the index would be
// a map of them all.
const dictScansMax = 8

// Borrow makes the dictionary keep the strings of the chunks it is given
// rather than copies, when the state it belongs to is made for a run over
// one frame (in.Frame set): that frame outlives the state, and copying its
// strings would hold each distinct string twice (a million distinct agents
// of 120 bytes: 120 MB per section). A state read back from gob owns its
// strings.
func (d *Dict) Borrow(in *Input) { d.borrow = in != nil && in.Frame != nil }

func (d *Dict) ensureIndex(more int) {
	if d.index != nil {
		return
	}
	if d.base.Len() == 0 {
		d.index = frame.NewStringIndex(d.Strings, more)
		return
	}
	d.index = frame.NewStringIndex(nil, d.Len()+more)
	d.base.Scan(0, d.base.Len(), func(c int, s string) { d.index.AddValue(uint32(c), s) }) // the index keeps hashes, not s
	for i, s := range d.Strings {
		d.index.AddValue(uint32(d.base.Len()+i), s)
	}
}

// Len is how many strings the dictionary holds.
func (d *Dict) Len() int { return d.base.Len() + len(d.Strings) }

// Code returns the code of s, interned (owned) when new.
func (d *Dict) Code(s string) uint32 {
	d.ensureIndex(1)
	if c, ok := d.find(s); ok {
		return c
	}
	s = own(s)
	d.unident()
	c := d.push(s)
	d.other = true
	return c
}

// Lookup returns the code of s, if the dictionary holds it. Without the
// index, the first dictScansMax look-ups read the strings rather than
// build it.
func (d *Dict) Lookup(s string) (uint32, bool) {
	if s == "" && len(d.Strings) == 0 && d.base.Len() > 0 {
		c, ok := d.base.Empty() // without reading a packed column's values
		return c, ok
	}
	if v := d.view; v != nil && len(d.Strings) == 0 && v.Dict.Len() == d.base.Len() {
		// The column's own dictionary, nothing added: the column's
		// look-up, whose scans other sections share.
		return v.Find(s)
	}
	if d.index == nil && d.scans < dictScansMax {
		d.scans++
		if c, ok := d.base.Find(s); ok {
			return c, true
		}
		for i, v := range d.Strings {
			if v == s {
				return uint32(d.base.Len() + i), true
			}
		}
		return 0, false
	}
	d.ensureIndex(0)
	return d.find(s)
}

// Codes maps the codes of a chunk's dictionary (each string once, as a
// frame's dictionaries hold them) to the state's: out[c] is the state's
// code of dict[c] for each c with need[c] (need nil: every code), and 0 for
// the others. The strings new to the dictionary are owned from one
// allocation (ownCodes), so that a chunk of a million distinct strings
// costs one copy rather than a million.
func (d *Dict) Codes(dict frame.Dict, need []bool) []uint32 {
	d.other = true
	d.unident()
	out := make([]uint32, dict.Len())
	if d.borrow && d.Len() == 0 && d.index == nil && !slices.Contains(need, false) {
		// A packed dictionary is borrowed as itself (base), and the
		// state then holds no string of its own.
		// The first chunk of a run over one frame, every string needed:
		// the state's codes are the frame's, and its strings the frame's
		// own slice rather than a copy of its million headers, which the
		// collector would scan at every cycle once more. Its capacity is
		// its length, so that a string added later copies it first.
		if vals, ok := dict.Slice(); ok {
			d.Strings = vals
		} else {
			d.base = dict
		}
		for c := range out {
			out[c] = uint32(c)
		}
		return out
	}
	fresh := need
	if d.Len() > 0 {
		more := dict.Len()
		if need != nil {
			more = 0
			for _, ok := range need {
				if ok {
					more++
				}
			}
		}
		d.ensureIndex(more)
		fresh = make([]bool, dict.Len())
		dict.Scan(0, dict.Len(), func(c int, s string) { // s is only compared
			if need != nil && !need[c] {
				return
			}
			if code, ok := d.find(s); ok {
				out[c] = code
				return
			}
			fresh[c] = true
		})
	} else if fresh == nil {
		fresh = make([]bool, dict.Len())
		for c := range fresh {
			fresh[c] = true
		}
	}
	// The fresh strings by code, owned unless borrowed; those of a
	// packed dictionary are copied, in one pass, even when borrowed: a
	// value read alone is a copy of its own (frame.Dict.At).
	var owned []string
	if !d.borrow || dict.Packed() {
		owned = ownCodes(dict, fresh)
	}
	n := 0
	for _, ok := range fresh {
		if ok {
			n++
		}
	}
	d.Strings = slices.Grow(d.Strings, n)
	k := 0 // the next of owned, which holds the fresh strings in order
	for c, ok := range fresh {
		if !ok {
			continue
		}
		if owned != nil {
			out[c] = d.push(owned[k])
			k++
		} else {
			out[c] = d.push(dict.At(uint32(c)))
		}
	}
	return out
}

// Remap interns o's strings and returns, for each code of o, the code of
// the same string here: what Merge uses to move o's keys into d's codes.
func (d *Dict) Remap(o *Dict) []uint32 {
	d.ensureIndex(o.Len())
	d.other = d.other || o.Len() > 0
	if o.Len() > 0 {
		d.unident()
	}
	out := make([]uint32, o.Len())
	for c, s := range o.all() {
		if code, ok := d.find(s); ok {
			out[c] = code
			continue
		}
		out[c] = d.push(s) // o's strings are owned already
	}
	return out
}

// borrowed reports whether the dictionary is the column dictionary dict
// itself, borrowed (Codes with Borrow).
func (d *Dict) borrowed(dict frame.Dict) bool {
	if dict.Len() == 0 || d.Len() != dict.Len() {
		return false
	}
	if vals, ok := dict.Slice(); ok {
		return d.base.Len() == 0 && len(d.Strings) > 0 && &d.Strings[0] == &vals[0]
	}
	return len(d.Strings) == 0
}
