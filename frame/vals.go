package frame

import (
	"reflect"
	"sync"
	"unsafe"
)

// A frame's dictionary holds a string header per value, a million per
// column on a log where every address, path, agent and referer is new: for
// the garbage collector, that was five million pointers to follow at every
// cycle of a run, a third of its time. The values' bytes are in the
// dictionary's arena (arena.go), in chunks of a megabyte, so the headers'
// pointers only ever lead to a few hundred chunks; a frame's dictionary
// keeps its headers where the collector does not look (newVals) and the
// chunks in a list it does (chunkList).
//
// Invariant: every value of such a dictionary (its arena's keep set) is
// empty or points into a chunk of its chunk list, which is why it copies
// the strings it is given (dict.store) rather than keep them. This rests on
// Go's heap objects never moving: a header held as two words stays valid
// for as long as its chunk is alive. A chunk's dictionaries (Frame.Chunk)
// keep ordinary headers and share the parsing goroutines' strings.

// chunkList is the chunks a dictionary's values point into.
// Only the goroutine interning into the dictionary adds to it.
type chunkList struct{ chunks [][]byte }

// valsTypes are the types of the blocks newVals allocates, by capacity: a
// pointer to the chunk list, then the string headers as words without
// pointers. The collector reads a block's first word and nothing after it,
// and the block (which any slice of the values points into) keeps the
// chunks, and so the values, alive.
var valsTypes sync.Map // int → reflect.Type

var (
	chunkListPtr = reflect.TypeFor[*chunkList]()
	headerWords  = reflect.TypeFor[[2]uintptr]()
)

// newVals returns an empty slice of capacity n (a power of two) whose
// strings the collector does not scan, kept alive with keep's chunks.
func newVals(n int, keep *chunkList) []string {
	t, ok := valsTypes.Load(n)
	if !ok {
		t, _ = valsTypes.LoadOrStore(n, reflect.StructOf([]reflect.StructField{
			{Name: "Keep", Type: chunkListPtr},
			{Name: "Vals", Type: reflect.ArrayOf(n, headerWords)},
		}))
	}
	typ := t.(reflect.Type)
	p := reflect.New(typ).UnsafePointer()
	*(**chunkList)(p) = keep
	vals := (*string)(unsafe.Add(p, typ.Field(1).Offset))
	return unsafe.Slice(vals, n)[:0]
}

// growVals returns vals in a block of twice the room.
func growVals(vals []string, keep *chunkList) []string {
	n := 16
	for n < 2*cap(vals) {
		n *= 2
	}
	out := newVals(n, keep)[:len(vals)]
	copy(out, vals)
	return out
}
