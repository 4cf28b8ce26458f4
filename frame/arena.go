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
// lives as long as any dictionary (a parsing goroutine's, then a chunk
// frame's, which takes the same strings) holds one of its values.
//
// A frame's dictionary (but a chunk's) copies the values into an arena of
// its own, which lists its chunks (keep, vals.go), since the values'
// headers are where the collector does not look.
type arena struct {
	buf  []byte     // the chunk being filled: up to len is taken
	keep *chunkList // nil but for a frame's dictionary
}

const (
	arenaMinChunk = 1 << 10
	arenaMaxChunk = 1 << 20
)

// add copies b into the arena and returns it as a string.
func (a *arena) add(b []byte) string { return addBytes(a, b) }

// addString is add for a string.
func (a *arena) addString(s string) string { return addBytes(a, s) }

func addBytes[T []byte | string](a *arena, b T) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(a.buf)-len(a.buf) {
		size := min(max(2*cap(a.buf), arenaMinChunk), arenaMaxChunk)
		if len(b) > size/8 {
			// A long value gets an allocation of its own rather than
			// leave much of a chunk unused.
			own := make([]byte, len(b))
			copy(own, b)
			if a.keep != nil {
				a.keep.chunks = append(a.keep.chunks, own)
			}
			return unsafe.String(&own[0], len(own))
		}
		a.buf = make([]byte, 0, size)
		if a.keep != nil {
			a.keep.chunks = append(a.keep.chunks, a.buf)
		}
	}
	n := len(a.buf)
	a.buf = append(a.buf, b...) // within capacity: the chunk stays where it is
	return unsafe.String(&a.buf[n], len(b))
}
