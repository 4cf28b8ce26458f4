package frame

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestValuesSurviveCollections: a frame's dictionary values, whose headers
// the collector does not scan (vals.go), read back as interned after the
// parsing goroutines' dictionaries they were given from are garbage, the
// heap was collected and its memory reused, also through a slice of the
// values kept without the frame.
func TestValuesSurviveCollections(t *testing.T) {
	want := func(i int) string {
		if i%97 == 0 {
			return strings.Repeat("long value ", 40) + strconv.Itoa(i) // an allocation of its own
		}
		return "/a/path/" + strconv.Itoa(i)
	}
	const n = 200_000
	dict := func() Dict {
		var out Frame
		mergeStems(&out, n, want, func(int) {})
		return out.Str(Stem).Dict // the frame, merger and goroutine dictionaries go
	}()
	for range 3 {
		runtime.GC()
		// Reuse what was freed: garbage of the same sizes, written over.
		junk := make([][]byte, 0, 4096)
		for i := range 4096 {
			b := make([]byte, 1<<10)
			for j := range b {
				b[j] = byte(i)
			}
			junk = append(junk, b)
		}
		runtime.KeepAlive(junk)
	}
	if dict.Len() != n {
		t.Fatalf("%d values, want %d", dict.Len(), n)
	}
	for i, v := range dict.All() {
		if v != want(i) {
			t.Fatalf("value %d = %.40q, want %.40q", i, v, want(i))
		}
	}
}

// mergeStems merges n rows into f through a parsing goroutine's
// dictionaries, 5,000 rows a batch, the stem of row i being stem(i);
// after calls it with the rows merged after each batch.
func mergeStems(f *Frame, n int, stem func(i int) string, after func(rows int)) {
	m := NewMerger(f)
	d := NewDicts()
	for lo := 0; lo < n; lo += 5000 {
		d.Bound()
		b := NewBatch(d)
		b.Begin(Cols(Stem))
		for i := lo; i < min(lo+5000, n); i++ {
			var r Row
			r.Reset()
			r.Str[Stem] = []byte(stem(i))
			b.Add(&r)
		}
		b.Seal()
		m.Append(b)
		after(min(lo+5000, n))
	}
}
