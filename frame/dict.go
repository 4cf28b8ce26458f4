package frame

import (
	"cmp"
	"iter"
	"slices"
	"strings"
	"sync"
)

// Dict is a string column's dictionary as the column hands it out: each
// distinct value once, by code, in first-seen order, up to the last value
// the column held when it was handed out. A column goes on growing while it
// is filled; a Dict taken before keeps the values it had.
//
// Values are read through At and All rather than as a slice, so that how a
// dictionary keeps them is the frame's business: a dictionary of millions
// of distinct values keeps them packed (packed.go), without a string
// header per value. The zero value is an empty dictionary.
type Dict struct {
	// vals are the values, or in a packed dictionary those after the
	// blocks (codes from len(blocks)*blockVals on).
	vals   []string
	blocks [][]byte
	cache  *blockCache

	// empty is the code of the empty string plus 1 (0: not held), when
	// emptyKnown (a column's dictionary knows it).
	empty      uint32
	emptyKnown bool
}

// DictOf returns the dictionary of vals, each at its position. It keeps
// vals, which must not be modified afterwards.
func DictOf(vals ...string) Dict { return Dict{vals: vals[:len(vals):len(vals)]} }

// Len is the number of values.
func (d Dict) Len() int { return len(d.blocks)*blockVals + len(d.vals) }

// At returns the value of code c, which the caller may keep: a value of
// a packed dictionary's block is a copy, so that a table keeping a
// thousand values does not keep the thousand blocks they were decoded
// from (on a log of unique paths, 27 MB of blocks for its redirects).
func (d Dict) At(c uint32) string {
	v := d.Peek(c)
	if d.cache != nil && int(c>>blockBits) < len(d.blocks) {
		return strings.Clone(v) // a block's value
	}
	return v
}

// Peek is At without the copy, for a value only compared: a value kept
// from it would keep its block.
func (d Dict) Peek(c uint32) string {
	if d.cache == nil {
		return d.vals[c]
	}
	b := int(c >> blockBits)
	if b >= len(d.blocks) {
		return d.vals[int(c)-len(d.blocks)*blockVals]
	}
	return d.cache.get(d.blocks, b).at(int(c & (blockVals - 1)))
}

// All yields each code, from 0, with its value, decoding each block of a
// packed dictionary once.
func (d Dict) All() iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		c := 0
		for _, block := range d.blocks {
			dec := decodeBlock(block)
			for i := range blockVals {
				if !yield(c, dec.at(i)) {
					return
				}
				c++
			}
		}
		for _, v := range d.vals {
			if !yield(c, v) {
				return
			}
			c++
		}
	}
}

// Empty returns the code of the empty string (a missing value), if the
// dictionary holds it, without reading the values of a column's.
func (d Dict) Empty() (uint32, bool) {
	if d.emptyKnown {
		if d.empty == 0 || int(d.empty) > d.Len() {
			return 0, false // not held, or not when d was handed out
		}
		return d.empty - 1, true
	}
	return d.Find("")
}

// Scan calls fn with each code from lo up to hi and its value, in order.
// The values of a packed dictionary's blocks are decoded into one buffer,
// reused from block to block and from call to call (scanBuffers): v is
// valid only during the call, and fn copies what it keeps of it
// (strings.Clone), including in what it derives from v. For a reader of
// every value that keeps few of them, which All would leave a block's
// garbage a block for.
func (d Dict) Scan(lo, hi int, fn func(c int, v string)) {
	if d.cache == nil {
		for c := lo; c < hi; c++ {
			fn(c, d.vals[c])
		}
		return
	}
	dec := scanBuffers.Get().(*decoded)
	defer scanBuffers.Put(dec)
	packedN := len(d.blocks) * blockVals
	for c := lo; c < hi; {
		if c >= packedN {
			fn(c, d.vals[c-packedN])
			c++
			continue
		}
		b := c >> blockBits
		dec.decode(d.blocks[b])
		for end := min(hi, (b+1)*blockVals); c < end; c++ {
			fn(c, dec.at(c&(blockVals-1)))
		}
	}
}

// scanBuffers are Scan's decoding buffers, kept from call to call: the
// readers that scan a column a run at a time (the agents' classification,
// 1,024 agents a call) decoded into a fresh buffer a call, 30 MB of a
// million distinct agents.
var scanBuffers = sync.Pool{New: func() any { return new(decoded) }}

// Values returns the value of each of codes (in any order, repeats
// allowed), as At does: for a reader of many values out of order, each
// block of a packed dictionary decoded once rather than once per miss
// of the cache, and the values' copies cut from one allocation.
func (d Dict) Values(codes []uint32) []string {
	out := make([]string, len(codes))
	if d.cache == nil {
		for i, c := range codes {
			out[i] = d.Peek(c)
		}
		return out
	}
	order := make([]int32, len(codes))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(codes[a], codes[b]) })
	packedN := uint32(len(d.blocks) * blockVals)
	var (
		buf  []byte
		span = make([][2]int, len(codes)) // where out[i]'s copy is in buf, for a block's value
		dec  decoded
		cur  = -1
	)
	for k, i := range order {
		c := codes[i]
		switch {
		case c >= packedN:
			out[i] = d.vals[c-packedN] // the tail's, not copied
			span[i] = [2]int{-1, -1}
		case k > 0 && codes[order[k-1]] == c:
			span[i] = span[order[k-1]] // the same value: the same copy
		default:
			if b := int(c >> blockBits); b != cur {
				dec.decode(d.blocks[b])
				cur = b
			}
			start := len(buf)
			buf = append(buf, dec.at(int(c&(blockVals-1)))...)
			span[i] = [2]int{start, len(buf)}
		}
	}
	all := string(buf)
	for i, sp := range span {
		if sp[0] >= 0 {
			out[i] = all[sp[0]:sp[1]]
		}
	}
	return out
}

// Find returns the code of v, reading the values one by one (a
// dictionary handed out has no index).
func (d Dict) Find(v string) (uint32, bool) { return scanFor(d, v) }

// Packed reports whether the dictionary keeps its values packed: At
// decodes a block of them, and a reader of many does better with All or
// Scan.
func (d Dict) Packed() bool { return d.cache != nil }

// Slice returns the values as one slice, by code, when the dictionary
// keeps them so (not packed), without a copy: a reader that keeps every
// value (a state of a run over one frame) can then hold the column's
// strings rather than its own. The slice must not be modified; its
// capacity is its length.
func (d Dict) Slice() ([]string, bool) {
	if d.cache != nil {
		return nil, false
	}
	return d.vals, true
}
