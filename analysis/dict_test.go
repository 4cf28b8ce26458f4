package analysis

import (
	"bytes"
	"encoding/gob"
	"slices"
	"testing"

	"github.com/logbook/logbook/frame"
)

func TestDict(t *testing.T) {
	var d Dict
	a := d.Code("a")
	if d.Code("a") != a || d.Len() != 1 {
		t.Fatalf("Code twice gave two codes: %v", d.Strings)
	}
	chunk := []string{"b", "a", "c", "x", "d"}
	codes := d.Codes(frame.DictOf(chunk...), []bool{true, true, false, false, true})
	if codes[1] != a || codes[2] != 0 || codes[3] != 0 {
		t.Fatalf("Codes = %v for %v (dict %v)", codes, chunk, d.Strings)
	}
	for c, s := range chunk {
		if c != 2 && c != 3 && d.At(codes[c]) != s {
			t.Errorf("code of %q names %q", s, d.At(codes[c]))
		}
	}
	if _, ok := d.Lookup("c"); ok {
		t.Errorf("a code not needed was interned")
	}
	if d.Len() != 3 {
		t.Errorf("Len = %d, want 3 (a, b, d): %v", d.Len(), d.Strings)
	}

	// Read back from gob, the index is rebuilt: a known string keeps its
	// code, a new one gets the next.
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&d); err != nil {
		t.Fatal(err)
	}
	var back Dict
	if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
		t.Fatal(err)
	}
	if c, ok := back.Lookup("d"); !ok || c != codes[4] {
		t.Errorf("after gob, d = %d %v, want %d", c, ok, codes[4])
	}
	if back.Code("e") != 3 {
		t.Errorf("after gob, a new string got code %d, want 3", back.Code("e"))
	}

	// A first chunk is taken without an index, which is built on the
	// first look-up.
	var first Dict
	fc := first.Codes(frame.DictOf([]string{"p", "q", "r"}...), []bool{true, false, true})
	if first.Len() != 2 || fc[0] != 0 || fc[2] != 1 {
		t.Errorf("first chunk: codes %v, strings %v", fc, first.Strings)
	}
	if c, ok := first.Lookup("r"); !ok || c != 1 {
		t.Errorf("first chunk: r = %d %v", c, ok)
	}
	if _, ok := first.Lookup("q"); ok {
		t.Errorf("first chunk: q interned though not needed")
	}
	if next := first.Codes(frame.DictOf([]string{"r", "s"}...), nil); next[0] != 1 || next[1] != 2 {
		t.Errorf("second chunk: codes %v", next)
	}

	var o Dict
	o.Code("e")
	o.Code("a")
	o.Code("z")
	m := d.Remap(&o)
	for c, s := range o.Strings {
		if d.At(m[c]) != s {
			t.Errorf("Remap: o's %q became %q", s, d.At(m[c]))
		}
	}
	if m[1] != a {
		t.Errorf("Remap gave a known string a new code")
	}
}

// TestDictLookupScans: a Dict without its index answers look-ups (present,
// absent, the empty string) as one with it does, by reading its strings
// for the first dictScansMax, and builds the index only past them; Code
// and Remap go on as before.
func TestDictLookupScans(t *testing.T) {
	chunk := []string{"/robots.txt", "", "/a", "/b", "/a/b/c"}
	var scanned, indexed Dict
	scanned.Codes(frame.DictOf(chunk...), []bool{true, true, true, false, true})
	indexed.Codes(frame.DictOf(chunk...), []bool{true, true, true, false, true})
	indexed.ensureIndex(0)
	asks := []string{"", "/robots.txt", "/a/b/c", "/b", "/nope", "/a", "/robots.tx", "/a/b/c/"}
	for round := range 2 {
		for i, s := range asks {
			c, ok := scanned.Lookup(s)
			wc, wok := indexed.Lookup(s)
			if c != wc || ok != wok {
				t.Errorf("round %d: Lookup(%q) = %d %v, with the index %d %v", round, s, c, ok, wc, wok)
			}
			if n := round*len(asks) + i + 1; (scanned.index == nil) != (n <= dictScansMax) {
				t.Fatalf("after %d look-ups, index built: %v (built past %d)", n, scanned.index != nil, dictScansMax)
			}
		}
	}
	if _, ok := scanned.Lookup("/b"); ok {
		t.Errorf("/b was not needed, and is found")
	}
	if c := scanned.Code("/b"); c != 4 || scanned.At(c) != "/b" {
		t.Errorf("Code of a new string after look-ups: %d", c)
	}
	var o Dict
	o.Code("/a")
	o.Code("/z")
	if m := scanned.Remap(&o); m[0] != 2 || m[1] != 5 {
		t.Errorf("Remap after look-ups: %v", m)
	}
}

// TestDictTakesFrameDictionary: in a run over one frame (Borrow), a Dict's
// first chunk with every string needed takes the column's dictionary
// itself, with the column's codes, and sorts it by the column's order; a
// string added later copies it first, leaving the column's untouched, and
// sorting falls back to the strings. A Dict that owns its strings, or
// whose first chunk needs only some, copies them.
func TestDictTakesFrameDictionary(t *testing.T) {
	col := frame.NewStrings()
	for _, s := range []string{"b", "", "a", "c", "a"} {
		col.Append([]byte(s))
	}
	v := col.View()
	in := &Input{Frame: &frame.Frame{}}

	var d Dict
	d.Borrow(in)
	codes := d.CodesOf(&v, nil)
	colVals, _ := v.Dict.Slice()
	if &d.Strings[0] != &colVals[0] || d.view == nil {
		t.Fatal("a borrowing Dict's first chunk copied the column's dictionary")
	}
	for c := range codes {
		if codes[c] != uint32(c) {
			t.Fatalf("codes %v, want the column's", codes)
		}
	}
	wantOrder, wantRanks := dashRanks(dictValues(v.Dict))
	order, ranks := d.dashRanks()
	if !slices.Equal(order, wantOrder) || !slices.Equal(ranks, wantRanks) {
		t.Errorf("dashRanks from the column: %v %v, want %v %v", order, ranks, wantOrder, wantRanks)
	}
	before := dictValues(v.Dict)
	d.Code("z")
	if !slices.Equal(dictValues(v.Dict), before) || d.Len() != len(before)+1 {
		t.Fatalf("adding a string changed the column's dictionary: %v", v.Dict)
	}
	all := append(slices.Clone(before), "z")
	for c, s := range all {
		if d.At(uint32(c)) != s {
			t.Fatalf("code %d is %q after a string was added, want %q", c, d.At(uint32(c)), s)
		}
	}
	wantOrder, wantRanks = dashRanks(all)
	if order, ranks := d.dashRanks(); !slices.Equal(order, wantOrder) || !slices.Equal(ranks, wantRanks) {
		t.Errorf("dashRanks after a string was added: %v %v, want %v %v", order, ranks, wantOrder, wantRanks)
	}

	var owned Dict // no Borrow: a state read back or of chunks
	owned.CodesOf(&v, nil)
	var some Dict
	some.Borrow(in)
	some.CodesOf(&v, []bool{true, false, true, true})
	for name, o := range map[string]*Dict{"owned": &owned, "some needed": &some} {
		if &o.Strings[0] == &colVals[0] || o.view != nil {
			t.Errorf("%s: the Dict took the column's dictionary", name)
		}
	}
}

// dictValues is a copy of the values of d, by code.
func dictValues(d frame.Dict) []string {
	out := make([]string, 0, d.Len())
	for _, v := range d.All() {
		out = append(out, v)
	}
	return out
}
