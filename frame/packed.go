package frame

import (
	"encoding/binary"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/klauspost/compress/s2"
)

// A frame's dictionary that grows past packMin keeps its values packed:
// in blocks of blockVals values, each compressed (S2, klauspost/compress)
// or, for a block of IPv4 addresses, four bytes a value (encodeBlock),
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

// A block's first byte says how the rest holds its values:
//
//   - blockS2: their lengths as uvarints, then their bytes, compressed
//     (S2);
//   - blockIPv4: four bytes a value, each an IPv4 address written as
//     dotted decimal without leading zeros, the way nearly every log
//     writes its clients. Such a block is under half the S2 one of the
//     same addresses (which compress by less than 2), and made and read
//     in a fraction of the time: on a million distinct clients the
//     addresses' blocks were decoded some 15,000 times, once or more by
//     each section that reads every client.
const (
	blockS2   = 0
	blockIPv4 = 1
)

// encodeBlock encodes vals as one block. The block is a copy of its size:
// S2 encodes into room for the worst case, more than the values
// themselves.
func (p *packed) encodeBlock(vals []string) []byte {
	if b, ok := encodeIPv4(p.raw[:0], vals); ok {
		p.raw = b
		out := make([]byte, 1+len(b))
		out[0] = blockIPv4
		copy(out[1:], b)
		return out
	}
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
	out := make([]byte, 1+len(enc))
	out[0] = blockS2
	copy(out[1:], enc)
	return out
}

// encodeIPv4 appends to dst the four bytes of each of vals, if each is an
// IPv4 address as blockIPv4 holds them, and reports whether they were.
func encodeIPv4(dst []byte, vals []string) ([]byte, bool) {
	for _, v := range vals {
		var ok bool
		if dst, ok = appendIPv4(dst, v); !ok {
			return dst, false
		}
	}
	return dst, true
}

// appendIPv4 appends the four bytes of v, if v is four decimal numbers
// from 0 to 255 separated by dots, with no sign, space or leading zero
// (decodeIPv4 writes it back byte for byte), and reports whether it was.
func appendIPv4(dst []byte, v string) ([]byte, bool) {
	if len(v) < len("0.0.0.0") || len(v) > len("255.255.255.255") {
		return dst, false
	}
	var oct [4]byte
	i := 0
	for k := range oct {
		if k > 0 {
			if i >= len(v) || v[i] != '.' {
				return dst, false
			}
			i++
		}
		if i >= len(v) || v[i]-'0' > 9 {
			return dst, false
		}
		n := uint(v[i] - '0')
		i++
		// Up to two more digits after a first one that is not 0: a 0
		// is followed by the dot or the end, or the address is not one.
		for j := 0; j < 2 && n != 0 && i < len(v) && v[i]-'0' <= 9; j++ {
			n = n*10 + uint(v[i]-'0')
			i++
		}
		if n > 255 {
			return dst, false
		}
		oct[k] = byte(n)
	}
	if i != len(v) {
		return dst, false
	}
	return append(dst, oct[:]...), true
}

// octets are the decimal digits of each byte value followed by a dot,
// little-endian in a word, for decodeIPv4: n is the digits and the dot.
var octets = func() (t [256]struct {
	word uint32
	n    uint32
}) {
	for i := range t {
		s := strconv.Itoa(i) + "."
		var w [4]byte
		copy(w[:], s)
		t[i].word, t[i].n = binary.LittleEndian.Uint32(w[:]), uint32(len(s))
	}
	return t
}()

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
	if cap(d.offs) < blockVals+1 {
		d.offs = make([]uint32, blockVals+1)
	}
	offs := d.offs[:blockVals+1]
	if len(block) > 0 && block[0] == blockIPv4 {
		d.decodeIPv4(block[1:], offs)
		return
	}
	if len(block) == 0 || block[0] != blockS2 {
		panic("frame: a packed dictionary block of no known kind")
	}
	raw, err := s2.Decode(d.buf[:cap(d.buf)], block[1:])
	if err != nil {
		panic("frame: a packed dictionary block does not decode: " + err.Error())
	}
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

// decodeIPv4 writes the addresses of a blockIPv4 block's body in dotted
// decimal into d.buf. Each number is a word of its digits and a dot
// (octets); an address is two words of two numbers each, written whole,
// the second where the first's text ends, and its last dot left out:
// a few instructions a number rather than a loop over its digits.
func (d *decoded) decodeIPv4(body []byte, offs []uint32) {
	if len(body) != 4*blockVals {
		panic("frame: a packed dictionary block of addresses is cut short")
	}
	// The second word of the last address ends at most 16 bytes after
	// the address starts, and an address starts at most 15 bytes after
	// the one before.
	const most = (blockVals-1)*len("255.255.255.255") + 16
	if cap(d.buf) < most {
		d.buf = make([]byte, most)
	}
	buf := d.buf[:most]
	at := uint32(0)
	for i := range blockVals {
		offs[i] = at
		q := body[4*i : 4*i+4 : 4*i+4]
		o0, o1, o2, o3 := &octets[q[0]], &octets[q[1]], &octets[q[2]], &octets[q[3]]
		lo := uint64(o0.word) | uint64(o1.word)<<(8*o0.n)
		hi := uint64(o2.word) | uint64(o3.word)<<(8*o2.n)
		n := o0.n + o1.n
		binary.LittleEndian.PutUint64(buf[at:], lo)
		binary.LittleEndian.PutUint64(buf[at+n:], hi)
		at += n + o2.n + o3.n - 1
	}
	offs[blockVals] = at
	d.buf, d.offs = buf, offs
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
