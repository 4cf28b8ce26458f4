package frame

import "unsafe"

// arena holds the bytes of a dictionary's values in chunks of up to a
// megabyte with no pointers in them, rather than in an allocation per
// value: on a log where every address, path, agent and referer is new, a
// million small strings per column were millions of objects for the
// garbage collector to find and sweep, and the rounding of each up to its
// size class.
//
// Invariant: the bytes of a value, once added, are never written again; a
// value is a string made with unsafe.String over them. Chunks are not
// listed anywhere: each value's string points into its chunk, so a chunk
// lives as long as any dictionary (a parsing goroutine's, then the
// frame's, which takes the same strings) holds one of its values.
type arena struct {
	buf []byte // the chunk being filled: up to len is taken
}

const (
	arenaMinChunk = 1 << 10
	arenaMaxChunk = 1 << 20
)

// add copies b into the arena and returns it as a string.
func (a *arena) add(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(a.buf)-len(a.buf) {
		size := min(max(2*cap(a.buf), arenaMinChunk), arenaMaxChunk)
		if len(b) > size/8 {
			// A long value gets an allocation of its own rather than
			// leave much of a chunk unused.
			return string(b)
		}
		a.buf = make([]byte, 0, size)
	}
	n := len(a.buf)
	a.buf = append(a.buf, b...) // within capacity: the chunk stays where it is
	return unsafe.String(&a.buf[n], len(b))
}
