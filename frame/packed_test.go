package frame

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// packedValue is value i of TestPackedDict's column: distinct for each i,
// of lengths from 1 to about 120 bytes, the empty string at 70,001.
func packedValue(i int) string {
	if i == 70_001 {
		return ""
	}
	return strings.Repeat("/p", i%50) + "/" + strconv.Itoa(i)
}

// TestPackedDict: a column whose dictionary passes packMin packs its
// values, and reads them back as they were written: by code, in order,
// through a Dict handed out before it grew, found again when interned
// twice or looked up after the index was let go, and read by goroutines
// at once.
func TestPackedDict(t *testing.T) {
	const n = 300_000
	s := NewStrings()
	size := 0
	var early Dict
	for i := range n {
		v := packedValue(i)
		s.Append([]byte(v))
		size += 16 + len(v)
		if i == 1000 {
			early = s.Dict
		}
		if i%7 == 0 && i > 0 { // a repeat of an earlier value
			j := i / 7
			s.Append([]byte(packedValue(j)))
		}
	}
	if size < packMin {
		t.Fatalf("the test's values are %d bytes, under packMin", size)
	}
	d := s.Dict
	if !d.Packed() || early.Packed() || d.Len() != n || early.Len() != 1001 {
		t.Fatalf("packed %v (early %v), %d values (early %d), want %d", d.Packed(), early.Packed(), d.Len(), early.Len(), n)
	}
	if _, ok := d.Slice(); ok {
		t.Error("a packed dictionary handed out its values as a slice")
	}
	// At's value is a copy of its own: kept, it keeps no block. Two
	// values of one block, read by At, are not next to each other as
	// they are in the decoded block (Peek's are); values past 16 bytes,
	// which the allocator does not pack together.
	if a, b := d.At(10), d.At(11); adjacent(a, b) {
		t.Error("At's values point into their decoded block")
	}
	if a, b := d.Peek(10), d.Peek(11); !adjacent(a, b) || a != packedValue(10) || b != packedValue(11) {
		t.Errorf("Peek: %q, %q, adjacent %v; want %q, %q in their block", a, b, adjacent(a, b), packedValue(10), packedValue(11))
	}
	for c, v := range d.All() {
		if v != packedValue(c) {
			t.Fatalf("All: value %d is %q, want %q", c, v, packedValue(c))
		}
	}
	for _, r := range [][2]int{{0, n}, {1000, 70_500}, {255, 257}, {n - 10, n}, {5, 5}} {
		next := r[0]
		d.Scan(r[0], r[1], func(c int, v string) {
			if c != next || v != packedValue(c) {
				t.Fatalf("Scan(%d, %d): value %d is %q at %d, want %q", r[0], r[1], c, v, next, packedValue(next))
			}
			next++
		})
		if next != r[1] {
			t.Errorf("Scan(%d, %d) stopped at %d", r[0], r[1], next)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		c := rng.IntN(n)
		if got := d.At(uint32(c)); got != packedValue(c) {
			t.Fatalf("At(%d) = %q, want %q", c, got, packedValue(c))
		}
	}
	for c := range early.Len() {
		if got := early.At(uint32(c)); got != packedValue(c) {
			t.Fatalf("a Dict handed out before the column grew: At(%d) = %q", c, got)
		}
	}
	if e, ok := d.Empty(); !ok || e != 70_001 {
		t.Errorf("Empty() = %d, %v; want 70001", e, ok)
	}
	if _, ok := early.Empty(); ok {
		t.Error("a Dict handed out before the empty string came holds it")
	}
	// Every row's code names its value.
	for i := range s.Len() {
		if i > 5000 {
			break
		}
		c := s.Codes[i]
		if s.Value(i) != d.At(c) {
			t.Fatalf("row %d: %q, its code %d names %q", i, s.Value(i), c, d.At(c))
		}
	}
	// Interning a value again finds it, among the packed ones too.
	for _, c := range []int{0, 1, 255, 256, 70_001, 123_456, n - 1} {
		if got := s.InternString(packedValue(c)); got != uint32(c) {
			t.Errorf("InternString(value %d) = %d", c, got)
		}
	}
	if s.Dict.Len() != n {
		t.Errorf("interning known values grew the dictionary to %d", s.Dict.Len())
	}
	s.dropIndex(nil)
	for range 3 * scansMax { // scans first, then the index built again
		c := rng.IntN(n)
		if got, ok := s.Lookup(packedValue(c)); !ok || got != uint32(c) {
			t.Fatalf("Lookup(value %d) = %d, %v after the index was let go", c, got, ok)
		}
	}
	if _, ok := s.Lookup("/absent"); ok {
		t.Error("Lookup found a value the column does not hold")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for range 20_000 {
				c := r.IntN(n)
				if got := d.At(uint32(c)); got != packedValue(c) {
					errs <- "At(" + strconv.Itoa(c) + ") = " + got
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error("concurrent readers:", e)
	}
}

// TestDictEmpty: Empty finds the empty string in any dictionary, and a
// column's says so without reading its values.
func TestDictEmpty(t *testing.T) {
	for _, tc := range []struct {
		vals []string
		want int
	}{{nil, -1}, {[]string{"a"}, -1}, {[]string{""}, 0}, {[]string{"a", "b", ""}, 2}} {
		for name, d := range map[string]Dict{"DictOf": DictOf(tc.vals...), "column": columnOf(tc.vals)} {
			c, ok := d.Empty()
			if tc.want < 0 && ok || tc.want >= 0 && (!ok || int(c) != tc.want) {
				t.Errorf("%s %q: Empty() = %d, %v; want %d", name, tc.vals, c, ok, tc.want)
			}
		}
	}
}

func columnOf(vals []string) Dict {
	s := NewStrings()
	for _, v := range vals {
		s.Append([]byte(v))
	}
	return s.Dict
}

// TestPackedOrder: the sorted order of a packed dictionary, whose ties
// are settled eight bytes at a time from the values read in order, is
// the order of the strings: values sharing a long prefix, then tied over
// one, two and many words, of every length, with NUL bytes.
func TestPackedOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	s := NewStrings()
	seen := map[string]bool{}
	var vals []string
	size := 0
	for size < packMin+1<<20 {
		var v string
		switch rng.IntN(4) {
		case 0: // tied over the first words, then differing
			v = "https://example.org/" + strings.Repeat("abcdefgh", rng.IntN(6)) + strconv.Itoa(rng.IntN(1e9))
		case 1: // a prefix of another value, padded or not with NULs
			v = "https://example.org/" + strings.Repeat("x", rng.IntN(40)) + strings.Repeat("\x00", rng.IntN(3))
		case 2:
			v = "https://example.org/" + strconv.Itoa(rng.IntN(1e6))
		default: // long, tied beyond the rounds read
			v = "https://example.org/" + strings.Repeat("z", 100) + strconv.Itoa(rng.IntN(1e9))
		}
		if seen[v] {
			continue
		}
		seen[v] = true
		vals = append(vals, v)
		s.Append([]byte(v))
		size += 16 + len(v)
	}
	v := s.View()
	if !v.Dict.Packed() {
		t.Fatal("the dictionary is not packed")
	}
	order := v.Order()
	if len(order) != len(vals) {
		t.Fatalf("%d codes in the order, want %d", len(order), len(vals))
	}
	for i := 1; i < len(order); i++ {
		if a, b := vals[order[i-1]], vals[order[i]]; a >= b {
			t.Fatalf("order %d: %q before %q", i, a, b)
		}
	}
}

// adjacent reports whether b's bytes follow a's in memory.
func adjacent(a, b string) bool {
	return len(a) > 0 && len(b) > 0 && uintptr(unsafe.Pointer(unsafe.StringData(a)))+uintptr(len(a)) == uintptr(unsafe.Pointer(unsafe.StringData(b)))
}

// TestDictValues: Values gives what At gives for each code, out of
// order and repeated, of a packed dictionary's blocks and tail and of one
// not packed.
func TestDictValues(t *testing.T) {
	restore := SetPackMin(1 << 12)
	defer restore()
	packedCol, plain := NewStrings(), NewStrings()
	const n = 5000
	for i := range n {
		packedCol.Append([]byte(packedValue(i)))
		if i < 30 { // under packMin
			plain.Append([]byte(packedValue(i)))
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, d := range []Dict{packedCol.Dict, plain.Dict} {
		codes := make([]uint32, 3000)
		for i := range codes {
			codes[i] = uint32(rng.IntN(d.Len()))
		}
		codes = append(codes, codes[:50]...)           // repeats
		codes = append(codes, uint32(d.Len()-1), 0, 0) // the tail's last, the first twice
		got := d.Values(codes)
		for i, c := range codes {
			if got[i] != d.At(c) {
				t.Fatalf("packed %v: Values[%d] (code %d) = %q, want %q", d.Packed(), i, c, got[i], d.At(c))
			}
		}
		if len(d.Values(nil)) != 0 {
			t.Error("Values(nil) is not empty")
		}
	}
	if !packedCol.Dict.Packed() || plain.Dict.Packed() {
		t.Fatal("the test's dictionaries are not one packed, one not")
	}
}
