package frame

import "hash/maphash"

// index maps the values of a dictionary (a []string kept by its owner) to
// their codes. It is an open-addressing table of uint64 slots, each holding
// the high 32 bits of the value's hash and its code plus one (0 is an empty
// slot), so that a probe compares strings only when 32 hash bits agree. It
// replaces map[string]uint32, whose probes for the short, hot keys of a log
// cost more, and whose string keys duplicate the dictionary's headers.
type index struct {
	slots []uint64
	n     int // codes indexed
}

// seed is per process: tables are laid out differently from run to run, but
// codes are assigned in insertion order, so nothing visible depends on it.
var seed = maphash.MakeSeed()

func hashBytes(b []byte) uint64  { return maphash.Bytes(seed, b) }
func hashString(s string) uint64 { return maphash.String(seed, s) }

const tagMask = uint64(0xffffffff) << 32

// find returns the code of the value b, whose hash is h.
func (x *index) find(dict []string, b []byte, h uint64) (uint32, bool) {
	if x.n == 0 {
		return 0, false
	}
	mask := uint64(len(x.slots) - 1)
	tag := h & tagMask
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if s&tagMask == tag {
			if c := uint32(s) - 1; dict[c] == string(b) {
				return c, true
			}
		}
	}
}

// findString is find for a string.
func (x *index) findString(dict []string, v string, h uint64) (uint32, bool) {
	if x.n == 0 {
		return 0, false
	}
	mask := uint64(len(x.slots) - 1)
	tag := h & tagMask
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if s&tagMask == tag {
			if c := uint32(s) - 1; dict[c] == v {
				return c, true
			}
		}
	}
}

// add indexes code c, whose value has hash h; dict must already hold it.
func (x *index) add(dict []string, c uint32, h uint64) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow(dict[:c])
	}
	x.put(c, h)
	x.n++
}

func (x *index) put(c uint32, h uint64) {
	mask := uint64(len(x.slots) - 1)
	i := h & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = h&tagMask | uint64(c+1)
}

// grow doubles the table and re-indexes the codes of dict.
func (x *index) grow(dict []string) {
	size := max(64, 2*len(x.slots))
	for 2*(len(dict)+1) > size {
		size *= 2
	}
	x.slots = make([]uint64, size)
	for c, v := range dict {
		x.put(uint32(c), hashString(v))
	}
}

// dict is a growing dictionary: values in first-seen order and their index.
// It remembers the last value interned, since logs often repeat the previous
// line's value (a client's agent, GET, 200).
type dict struct {
	vals     []string
	idx      index
	last     string
	lastCode uint32
	hasLast  bool
}

func (d *dict) intern(b []byte) uint32 {
	if d.hasLast && string(b) == d.last {
		return d.lastCode
	}
	h := hashBytes(b)
	c, ok := d.idx.find(d.vals, b, h)
	if !ok {
		c = uint32(len(d.vals))
		d.vals = append(d.vals, string(b))
		d.idx.add(d.vals, c, h)
	}
	d.last, d.lastCode, d.hasLast = d.vals[c], c, true
	return c
}

func (d *dict) internString(v string) uint32 {
	h := hashString(v)
	c, ok := d.idx.findString(d.vals, v, h)
	if !ok {
		c = uint32(len(d.vals))
		d.vals = append(d.vals, v)
		d.idx.add(d.vals, c, h)
	}
	return c
}

func (d *dict) lookup(v string) (uint32, bool) {
	return d.idx.findString(d.vals, v, hashString(v))
}
