package frame

import "hash/maphash"

// A dictionary's values are indexed in two open-addressing tables that
// replace map[string]uint32, whose probes for the short, hot keys of a log
// cost more, and whose string keys duplicate the dictionary's headers:
//
//   - values of up to 16 bytes (addresses, status codes, methods, protocols,
//     most CloudFront enumerations) are keys of two words and a length held
//     in the slot itself, so a probe compares integers and reads no string;
//   - longer values are found by slots holding the high 32 bits of their
//     hash and their code, so a probe compares strings only when 32 hash
//     bits agree.
//
// The short table keeps a load factor of at most one half, in a power of
// two of slots; the long one of at most three quarters, in any number of
// slots (a value's hash places it by a multiply, home), so that a table
// made for a known number of values (reserve: a frame's column of a
// million new values) is a third larger than them rather than up to four
// times.

const shortMax = 16

// shortSlot is a value of up to 16 bytes, zero-padded into k0 and k1; meta
// is (code+1)<<8 | length, 0 for an empty slot.
type shortSlot struct {
	k0, k1, meta uint64
}

type shortIndex struct {
	slots []shortSlot
	n     int
}

// shortKey packs a value of up to 16 bytes, zero-padded, into two words;
// with the length, they identify the value exactly. It loads words rather
// than copying into an array, which would stall the loads that follow.
func shortKey[T []byte | string](b T) (k0, k1 uint64) {
	n := len(b)
	switch {
	case n >= 8:
		k0 = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if n > 8 {
			// The last 8 bytes, shifted so that byte 8 comes first.
			t := b[n-8:]
			w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
				uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
			k1 = w >> (uint(16-n) * 8)
		}
	case n >= 4:
		lo := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
		t := b[n-4:]
		hi := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24
		k0 = lo | hi<<(uint(n-4)*8)
	default:
		for i := n - 1; i >= 0; i-- {
			k0 = k0<<8 | uint64(b[i])
		}
	}
	return k0, k1
}

func shortHash(k0, k1 uint64, n int) uint64 {
	h := (k0 ^ bitsRotate(k1, 29) ^ uint64(n)<<59) * 0x9e3779b97f4a7c15
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>32
}

func bitsRotate(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

func (x *shortIndex) find(k0, k1 uint64, n int) (uint32, bool) {
	if x.n == 0 {
		return 0, false
	}
	mask := uint64(len(x.slots) - 1)
	for i := shortHash(k0, k1, n) & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.meta == 0 {
			return 0, false
		}
		if s.k0 == k0 && s.k1 == k1 && int(s.meta&0xff) == n {
			return uint32(s.meta>>8) - 1, true
		}
	}
}

func (x *shortIndex) add(vals []string, c uint32, k0, k1 uint64, n int) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	x.put(c, k0, k1, n)
	x.n++
}

func (x *shortIndex) put(c uint32, k0, k1 uint64, n int) {
	mask := uint64(len(x.slots) - 1)
	i := shortHash(k0, k1, n) & mask
	for x.slots[i].meta != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = shortSlot{k0: k0, k1: k1, meta: uint64(c+1)<<8 | uint64(n)}
}

// grow makes room for one more value and re-indexes the slots: they hold
// their keys, so the values themselves are not read again.
func (x *shortIndex) grow() {
	size := max(16, 2*len(x.slots))
	for 2*(x.n+1) > size {
		size *= 2
	}
	old := x.slots
	x.slots = MakeWritten[shortSlot](size)
	for _, o := range old {
		if o.meta != 0 {
			x.put(uint32(o.meta>>8)-1, o.k0, o.k1, int(o.meta&0xff))
		}
	}
}

// index holds the values longer than shortMax, or all of them (all) in a
// compact dictionary. A slot holds the high 32 bits of its value's hash,
// which also place it (home), so that growing moves slots without
// hashing the values again.
type index struct {
	slots   []uint64 // hash&tagMask | code+1; 0 is empty
	n       int
	all     bool
	touched uint64 // the sum of the slots internStrings read ahead, not used
}

// home is where a value of hash h is first looked for in a table of size
// slots: the high 32 bits of h scaled to the size.
func home(h, size uint64) uint64 { return (h >> 32) * size >> 32 }

// full reports whether a table of size slots holding n values is past its
// load factor of three quarters.
func full(n, size int) bool { return 4*n > 3*size }

// seed is per process: tables are laid out differently from run to run, but
// codes are assigned in insertion order, so nothing visible depends on it.
var seed = maphash.MakeSeed()

func hashBytes(b []byte) uint64  { return maphash.Bytes(seed, b) }
func hashString(s string) uint64 { return maphash.String(seed, s) }

const tagMask = uint64(0xffffffff) << 32

// find returns the code of the value b, whose hash is h.
func (x *index) find(vals []string, b []byte, h uint64) (uint32, bool) {
	return probe(x, vals, nil, b, h)
}

// probe looks for the value b, of hash h, among values read from vals or,
// if at is not nil, through at (a packed dictionary's).
func probe[T []byte | string](x *index, vals []string, at func(uint32) string, b T, h uint64) (uint32, bool) {
	if x.n == 0 {
		return 0, false
	}
	size := uint64(len(x.slots))
	tag := h & tagMask
	for i := home(h, size); ; i = next(i, size) {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if s&tagMask == tag {
			c := uint32(s) - 1
			if at != nil && at(c) == string(b) || at == nil && vals[c] == string(b) {
				return c, true
			}
		}
	}
}

// add indexes code c, whose value has hash h; vals must already hold it.
func (x *index) add(vals []string, c uint32, h uint64) {
	if full(x.n+1, len(x.slots)) {
		x.grow()
	}
	x.put(c, h)
	x.n++
}

func (x *index) put(c uint32, h uint64) {
	size := uint64(len(x.slots))
	i := home(h, size)
	for x.slots[i] != 0 {
		i = next(i, size)
	}
	x.slots[i] = h&tagMask | uint64(c+1)
}

// next is the slot after i in a table of size slots.
func next(i, size uint64) uint64 {
	if i++; i == size {
		return 0
	}
	return i
}

// grow makes room for one more value and moves the slots, placed by the
// hash bits they hold.
func (x *index) grow() { x.growTo(x.n + 1) }

// growTo makes room for n values, if the table has less, doubling it.
func (x *index) growTo(n int) {
	if !full(n, len(x.slots)) {
		return
	}
	size := max(16, 2*len(x.slots))
	for full(n, size) {
		size *= 2
	}
	x.resize(size)
}

// reserve makes room for n values in a table of that size, a third more
// slots than values, if the table has less: for a number of values known
// ahead, where doubling would make up to twice as many slots again.
func (x *index) reserve(n int) {
	if !full(n, len(x.slots)) {
		return
	}
	x.resize(max(16, (4*n+2)/3))
}

// resize moves the slots into a table of size slots.
func (x *index) resize(size int) {
	old := x.slots
	x.slots = MakeWritten[uint64](size) // probed before written
	n := uint64(size)
	for _, s := range old {
		if s != 0 {
			i := home(s, n)
			for x.slots[i] != 0 {
				i = next(i, n)
			}
			x.slots[i] = s
		}
	}
}

// dict is a growing dictionary: values in first-seen order and their index.
// It remembers the last short and the last long value interned, since logs
// often repeat the previous line's value (a client's agent, GET, 200).
//
// A compact dictionary (a frame's: newCompactDict) indexes every value in
// long, whose slots are 8 bytes, rather than the short ones in short,
// whose slots are 24: a frame's dictionary is looked up once per distinct
// value of each parsing goroutine, not once per row, and on a log of a
// million distinct addresses the short slots were 50 MB a column. The
// bytes of values interned from []byte are kept in an arena (arena.go).
type dict struct {
	vals  []string
	short shortIndex
	long  index
	bytes arena

	lastShort    shortSlot // meta 0: none
	lastLong     string
	lastLongCode uint32
	hasLastLong  bool

	// unindexed: the index was let go (dropIndex); vals are complete, and
	// a look-up scans them until reindex builds the index again.
	unindexed bool

	// raw: values are appended without being looked up, but for the
	// previous one (a parsing goroutine's column whose values are nearly
	// all new, Dicts.Bound). calls counts the values interned since
	// start, the number of values then.
	raw   bool
	calls int
	start int

	// A frame's column's dictionary (packable) packs its values once they
	// pass packMin (packed.go): pk holds the blocks, of the values before
	// base, and vals the values from base on. size is the values' bytes
	// and a header each, what the values would take unpacked.
	packable bool
	size     int
	pk       *packed
	base     int

	// empty is the code of the empty string plus 1, 0 while the
	// dictionary does not hold it: what a reader of a large dictionary
	// asks of its values most (is it missing?) without reading them.
	empty uint32
}

// newCompactDict returns an empty compact dictionary, whose values the
// collector does not scan (vals.go).
func newCompactDict() dict {
	keep := &chunkList{}
	return dict{long: index{all: true}, bytes: arena{keep: keep}}
}

// newSharingDict returns an empty compact dictionary that keeps the
// strings it is given, pointing into their owners' memory, as a chunk's
// does (Frame.Chunk).
func newSharingDict() dict { return dict{long: index{all: true}} }

// push appends v, a value of the dictionary's own (store), to vals.
func (d *dict) push(v string) {
	if v == "" {
		d.empty = uint32(d.n()) + 1
	}
	if d.pk != nil {
		d.size += 16 + len(v)
		d.vals = append(d.vals, v) // within the tail's room
		if len(d.vals) == blockVals {
			d.seal()
		}
		return
	}
	if k := d.bytes.keep; k != nil && len(d.vals) == cap(d.vals) {
		d.vals = growVals(d.vals, k)
	}
	d.vals = append(d.vals, v) // for a frame's dictionary, within its block
	if d.packable {
		if d.size += 16 + len(v); d.size >= packMin {
			d.pack()
		}
	}
}

// findLong is the index's look-up of b, of hash h, among the values.
func (d *dict) findLong(b []byte, h uint64) (uint32, bool) {
	if d.pk == nil {
		return d.long.find(d.vals, b, h)
	}
	return probe(&d.long, nil, d.at, b, h)
}

// store is v as the dictionary keeps it: for a frame's dictionary, a copy
// in its arena, which it keeps (vals.go); else v itself.
func (d *dict) store(v string) string {
	if d.bytes.keep != nil {
		return d.bytes.addString(v)
	}
	return v
}

func (d *dict) intern(b []byte) uint32 {
	d.calls++
	if d.raw {
		return d.appendRaw(b)
	}
	n := len(b)
	if n <= shortMax && !d.long.all {
		k0, k1 := shortKey(b)
		if l := &d.lastShort; l.meta != 0 && l.k0 == k0 && l.k1 == k1 && int(l.meta&0xff) == n {
			return uint32(l.meta>>8) - 1
		}
		c, ok := d.short.find(k0, k1, n)
		if !ok {
			c = uint32(len(d.vals))
			d.push(d.bytes.add(b))
			d.short.add(d.vals, c, k0, k1, n)
		}
		d.lastShort = shortSlot{k0: k0, k1: k1, meta: uint64(c+1)<<8 | uint64(n)}
		return c
	}
	if d.hasLastLong && string(b) == d.lastLong {
		return d.lastLongCode
	}
	h := hashBytes(b)
	c, ok := d.findLong(b, h)
	if !ok {
		c = uint32(d.n())
		d.push(d.bytes.add(b))
		d.long.add(d.vals, c, h)
	}
	// The value of c was just read by find, or written.
	d.lastLong, d.lastLongCode, d.hasLastLong = d.at(c), c, true
	return c
}

// appendRaw appends b as a value of its own, unless it repeats the last
// value: codes then say nothing of which values are equal but for
// neighbours, which a Merger settles with one look-up in the frame's
// dictionary per value, rather than one here and one there.
func (d *dict) appendRaw(b []byte) uint32 {
	if n := len(d.vals); n > 0 && d.vals[n-1] == string(b) {
		return uint32(n - 1)
	}
	d.push(d.bytes.add(b))
	return uint32(len(d.vals) - 1)
}

func (d *dict) internString(v string) uint32 {
	if d.raw {
		d.calls++
		if n := len(d.vals); n > 0 && d.vals[n-1] == v {
			return uint32(n - 1)
		}
		d.push(d.store(v))
		return uint32(len(d.vals) - 1)
	}
	if len(v) > shortMax || d.long.all {
		return d.long.internString(d, v)
	}
	c, ok := d.lookup(v)
	if !ok {
		c = uint32(d.n())
		d.push(d.store(v))
		if len(v) <= shortMax && !d.long.all {
			k0, k1 := shortKey(v)
			d.short.add(d.vals, c, k0, k1, len(v))
		} else {
			d.long.add(d.vals, c, hashString(v))
		}
	}
	return c
}

// internStrings sets out[k] to the code of vs[k], interning each in order.
func (d *dict) internStrings(vs []string, out []uint32) {
	if d.long.all && !d.raw {
		d.long.internStrings(d, vs, out)
		return
	}
	for k, v := range vs {
		out[k] = d.internString(v)
	}
}

func (d *dict) lookup(v string) (uint32, bool) {
	if len(v) <= shortMax && !d.long.all {
		k0, k1 := shortKey(v)
		return d.short.find(k0, k1, len(v))
	}
	if d.pk != nil {
		return probe(&d.long, nil, d.at, v, hashString(v))
	}
	return d.long.findString(d.vals, v, hashString(v))
}

// findString is find for a string.
func (x *index) findString(vals []string, v string, h uint64) (uint32, bool) {
	return probe(x, vals, nil, v, h)
}

// internString returns the code of v among d's values, which this index
// indexes, appending v if it is new (as d stores it): one hash and one
// probe, the empty slot the probe ends on taking the new value.
func (x *index) internString(d *dict, v string) uint32 {
	if full(x.n+1, len(x.slots)) {
		x.grow()
	}
	return x.internHashed(d, v, hashString(v))
}

// internHashed is internString for a value of hash h, in a table with room
// for it.
func (x *index) internHashed(d *dict, v string, h uint64) uint32 {
	size := uint64(len(x.slots))
	tag := h & tagMask
	i := home(h, size)
	for ; x.slots[i] != 0; i = next(i, size) {
		if s := x.slots[i]; s&tagMask == tag {
			if c := uint32(s) - 1; d.at(c) == v {
				return c
			}
		}
	}
	c := uint32(d.n())
	d.push(d.store(v))
	x.slots[i] = tag | uint64(c+1)
	x.n++
	return c
}

// internGroup is how many values internStrings hashes and looks for
// before it interns them.
const internGroup = 16

// internStrings sets out[k] to the code of vs[k], interning them in order,
// as internString one at a time would. On a dictionary of millions of
// values, a look-up waits for its slot to come from memory, a few hundred
// nanoseconds; here the slots of a group of values are read first, each
// independent of the others, so that the waits overlap, and the look-ups
// that follow find them in the cache.
func (x *index) internStrings(d *dict, vs []string, out []uint32) {
	x.inGroups(vs, func(k int, v string, h uint64) { out[k] = x.internHashed(d, v, h) })
}

// inGroups calls fn(k, keys[k], its hash) for each key in order, a group
// of internGroup at a time, with room in the table for the group, after
// hashing the group's keys and reading the slots they are first looked
// for at.
func (x *index) inGroups(keys []string, fn func(k int, v string, h uint64)) {
	var hs [internGroup]uint64
	for lo := 0; lo < len(keys); lo += internGroup {
		g := keys[lo:min(lo+internGroup, len(keys))]
		x.growTo(x.n + len(g) + 1)
		size := uint64(len(x.slots))
		for k, v := range g {
			hs[k] = hashString(v)
		}
		// A loop of reads and nothing else, for the reads to be in
		// flight together (the hashing between them kept it to two
		// or three).
		var touch uint64
		for _, h := range hs[:len(g)] {
			touch += x.slots[home(h, size)]
		}
		x.touched += touch // kept, so that the reads are made
		for k, v := range g {
			fn(lo+k, v, hs[k])
		}
	}
}

// dropIndex lets go of the index tables, keeping the values: for a
// dictionary nothing more is interned into, whose tables (8 bytes a slot,
// two to four slots a value) would otherwise stay as long as its values.
func (d *dict) dropIndex() {
	d.short = shortIndex{}
	d.long = index{all: d.long.all}
	d.unindexed = true
}

// reindex builds the index tables of a dictionary whose index was let go,
// from its values, as interning them one by one would have.
func (d *dict) reindex() {
	if !d.unindexed {
		return
	}
	view := d.view()
	view.Scan(0, view.Len(), func(i int, v string) { // the slots keep hashes and short keys, not v
		c := uint32(i)
		if len(v) <= shortMax && !d.long.all {
			k0, k1 := shortKey(v)
			d.short.add(d.vals, c, k0, k1, len(v))
		} else {
			d.long.add(d.vals, c, hashString(v))
		}
	})
	d.unindexed = false
}

// scan is lookup by reading the values one by one, for a dictionary
// without its index.
func (d *dict) scan(v string) (uint32, bool) {
	return scanFor(d.view(), v)
}

// scanFor is the code of v among dict's values, read one by one.
func scanFor(dict Dict, v string) (uint32, bool) {
	if !dict.Packed() {
		for i, s := range dict.All() {
			if s == v {
				return uint32(i), true
			}
		}
		return 0, false
	}
	code, found := uint32(0), false
	dict.Scan(0, dict.Len(), func(i int, s string) {
		if !found && s == v {
			code, found = uint32(i), true
		}
	})
	return code, found
}

// StringIndex finds strings by value among a slice of them that its owner
// keeps (a dictionary's values, a code each): the open-addressing table of
// the frame's own dictionaries, 8-byte slots with no pointers in them, so
// that unlike a map[string]uint32 it holds no second copy of each
// string's header and the garbage collector has nothing in it to scan.
// The zero value is an empty index.
type StringIndex struct{ x index }

// NewStringIndex returns an index of vals, each at its position, with
// room for more values besides.
func NewStringIndex(vals []string, more int) *StringIndex {
	ix := &StringIndex{}
	if n := len(vals) + more; n > 0 {
		ix.x.reserve(n + 1)
	}
	for c, v := range vals {
		ix.x.add(vals, uint32(c), hashString(v))
	}
	return ix
}

// Find returns the position in vals of s, if the index holds it; vals is
// the slice the index was built and added to.
func (ix *StringIndex) Find(vals []string, s string) (uint32, bool) {
	return ix.x.findString(vals, s, hashString(s))
}

// Intern sets out[k] to the position in *vals of keys[k], appending each
// key the index does not hold to *vals and indexing it, in order: Find
// and Add one key at a time, faster on a large index (the slots of
// sixteen keys are read together, as a dictionary's internStrings does).
func (ix *StringIndex) Intern(vals *[]string, keys []string, out []uint32) {
	x := &ix.x
	x.inGroups(keys, func(k int, v string, h uint64) {
		c, ok := x.findString(*vals, v, h)
		if !ok {
			c = uint32(len(*vals))
			*vals = append(*vals, v)
			x.put(c, h)
			x.n++
		}
		out[k] = c
	})
}

// InternBy is Intern for values that are not one slice: at(c) reads the
// value of code c, and add appends a value new to the index and returns
// its code (which at must read from then on).
func (ix *StringIndex) InternBy(at func(uint32) string, add func(v string) uint32, keys []string, out []uint32) {
	x := &ix.x
	x.inGroups(keys, func(k int, v string, h uint64) {
		c, ok := probe(x, nil, at, v, h)
		if !ok {
			c = add(v)
			x.put(c, h)
			x.n++
		}
		out[k] = c
	})
}

// Add indexes vals[c], a value the index does not hold yet.
func (ix *StringIndex) Add(vals []string, c uint32) { ix.x.add(vals, c, hashString(vals[c])) }

// Len is how many values the index holds.
func (ix *StringIndex) Len() int { return ix.x.n }

// FindBy is Find for values read through at (an index of values that are
// not one slice: a borrowed dictionary and its owner's strings after it).
func (ix *StringIndex) FindBy(at func(uint32) string, s string) (uint32, bool) {
	return probe(&ix.x, nil, at, s, hashString(s))
}

// AddValue indexes code c, of value v, a value the index does not hold
// yet.
func (ix *StringIndex) AddValue(c uint32, v string) { ix.x.add(nil, c, hashString(v)) }
