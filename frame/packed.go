package frame

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"

	"github.com/klauspost/compress/s2"
)

// A frame's dictionary that grows past packMin keeps its values packed:
// in blocks of blockVals values, each compressed (S2, klauspost/compress),
// rather than as a string header and the bytes of each value. On a log
// where every address, path, agent and referer is new, the dictionaries
// were most of the run's memory: 180 MB of values and 80 MB of headers for
// a million lines, more than the log itself, where the rows' codes are
// 20 MB. Packed, the values of such a log take from a half (addresses,
// paths with ids in them) to a tenth or less (agents that differ by a
// version number) of their bytes, and no header.
//
// The newest values, fewer than blockVals, are kept as strings (the
// tail) until they fill a block. A block, once sealed, is never written
// again, so a Dict handed out holds the blocks sealed then and the tail
// as it was, and stays valid while the dictionary goes on growing.
//
// Reading a value of a block (At) decodes the block, which a small cache
// of decoded blocks per column keeps for the next value read from it; All
// decodes each block once, in order. What reads every value reads them
// with All; At serves look-ups (the frame's index when a hash agrees, a
// table's rows).

// packMin is the size, the values' bytes and a header each, from which a
// dictionary packs its values: far more than a typical log's dictionaries
// hold (its paths, 50,000 on a million lines, are 2 MB), so that a
// dictionary looked up often stays as it was. SetPackMin changes it.
var packMin = 16 << 20

// SetPackMin makes the dictionaries that grow from now on pack their
// values from n bytes (values and a header each) rather than 16 MB, and
// returns what puts the default back: for tests, which pack small
// dictionaries to hold the packed ones to the same results. Not safe
// while frames are being filled.
func SetPackMin(n int) (restore func()) {
	old := packMin
	packMin = n
	return func() { packMin = old }
}

const (
	// blockVals is the number of values a block holds (a power of two):
	// 2 to 30 KB of values, which compress well and decode in a few
	// microseconds.
	blockBits = 8
	blockVals = 1 << blockBits
	// cacheBlocks is the number of decoded blocks a column's cache holds.
	cacheBlocks = 64
)

// packed is the sealed blocks of a packed dictionary and their cache.
type packed struct {
	blocks [][]byte // compressed; only the goroutine interning appends
	cache  *blockCache
	raw    []byte // scratch for sealing a block: its values, then encoded
	enc    []byte
}

// decoded is a block's values: value i is buf[offs[i]:offs[i+1]].
type decoded struct {
	buf   []byte
	offs  []uint32
	block int // its number, in a cache
}

func (b *decoded) at(i int) string {
	lo, hi := b.offs[i], b.offs[i+1]
	if lo == hi {
		return ""
	}
	return unsafe.String(&b.buf[lo], int(hi-lo)) // buf is never written again
}

// blockCache keeps the blocks decoded last, one slot per block number
// modulo cacheBlocks. Analyses read a column's dictionary concurrently:
// a slot is read and replaced whole, without a lock.
type blockCache struct {
	slot [cacheBlocks]atomic.Pointer[decoded]
}

// get returns block b of blocks, decoded.
func (bc *blockCache) get(blocks [][]byte, b int) *decoded {
	s := &bc.slot[b%cacheBlocks]
	if d := s.Load(); d != nil && d.block == b {
		return d
	}
	d := decodeBlock(blocks[b])
	d.block = b
	s.Store(d)
	return d
}

// encodeBlock compresses vals: their lengths as uvarints, then their
// bytes. The block is a copy of its size: S2 encodes into room for the
// worst case, more than the values themselves.
func (p *packed) encodeBlock(vals []string) []byte {
	raw := p.raw[:0]
	for _, v := range vals {
		raw = binary.AppendUvarint(raw, uint64(len(v)))
	}
	for _, v := range vals {
		raw = append(raw, v...)
	}
	p.raw = raw
	if n := s2.MaxEncodedLen(len(raw)); cap(p.enc) < n {
		p.enc = make([]byte, n)
	}
	enc := s2.Encode(p.enc[:cap(p.enc)], raw)
	return append([]byte(nil), enc...)
}

// decodeBlock decodes a block that encodeBlock made. A block that does
// not decode is memory gone bad, not input: it panics.
func decodeBlock(block []byte) *decoded {
	d := &decoded{}
	d.decode(block)
	return d
}

// decode decodes block into d, reusing its buffers: the values d held
// before are gone.
func (d *decoded) decode(block []byte) {
	raw, err := s2.Decode(d.buf[:cap(d.buf)], block)
	if err != nil {
		panic("frame: a packed dictionary block does not decode: " + err.Error())
	}
	if cap(d.offs) < blockVals+1 {
		d.offs = make([]uint32, blockVals+1)
	}
	offs := d.offs[:blockVals+1]
	p := 0
	for i := range blockVals {
		n, k := binary.Uvarint(raw[p:])
		if k <= 0 {
			panic("frame: a packed dictionary block is cut short")
		}
		offs[i+1], p = uint32(n), p+k // the lengths for now
	}
	off := uint32(p)
	for i := range blockVals {
		n := offs[i+1]
		offs[i] = off
		off += n
	}
	offs[blockVals] = off
	d.buf, d.offs = raw, offs
}

// pack moves the dictionary's values into blocks, keeping the last ones
// as its tail, and from now on keeps each new value in the tail until it
// fills a block (push). The values' arena is left to the values still
// pointing into it: it no longer lists its chunks.
func (d *dict) pack() {
	p := &packed{cache: &blockCache{}}
	full := len(d.vals) &^ (blockVals - 1)
	for lo := 0; lo < full; lo += blockVals {
		p.blocks = append(p.blocks, p.encodeBlock(d.vals[lo:lo+blockVals]))
	}
	tail := make([]string, len(d.vals)-full, blockVals)
	copy(tail, d.vals[full:])
	d.pk, d.vals, d.base = p, tail, full
	d.bytes = arena{}
}

// seal compresses the full tail into a block and starts a new tail: the
// old one stays as it is for the Dicts that hold it.
func (d *dict) seal() {
	p := d.pk
	p.blocks = append(p.blocks, p.encodeBlock(d.vals))
	d.base += len(d.vals)
	d.vals = make([]string, 0, blockVals)
}

// n is the number of values.
func (d *dict) n() int { return d.base + len(d.vals) }

// at is the value of code c.
func (d *dict) at(c uint32) string {
	if d.pk == nil {
		return d.vals[c]
	}
	return d.view().Peek(c) // compared by the index (kept only as the last value looked up)
}

// view is the dictionary as it is now, for a reader.
func (d *dict) view() Dict {
	t := d.vals[:len(d.vals):len(d.vals)]
	if d.pk == nil {
		return Dict{vals: t, empty: d.empty, emptyKnown: true}
	}
	nb := len(d.pk.blocks)
	return Dict{vals: t, blocks: d.pk.blocks[:nb:nb], cache: d.pk.cache, empty: d.empty, emptyKnown: true}
}
