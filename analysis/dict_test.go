package analysis

import (
	"bytes"
	"encoding/gob"
	"testing"
)

func TestDict(t *testing.T) {
	var d Dict
	a := d.Code("a")
	if d.Code("a") != a || d.Len() != 1 {
		t.Fatalf("Code twice gave two codes: %v", d.Strings)
	}
	chunk := []string{"b", "a", "c", "b", "d"} // "b" twice, as a dictionary may not hold but Codes must bear
	codes := d.Codes(chunk, []bool{true, true, false, true, true})
	if codes[1] != a || codes[0] != codes[3] || codes[2] != 0 {
		t.Fatalf("Codes = %v for %v (dict %v)", codes, chunk, d.Strings)
	}
	for c, s := range chunk {
		if c != 2 && d.Strings[codes[c]] != s {
			t.Errorf("code of %q names %q", s, d.Strings[codes[c]])
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

	var o Dict
	o.Code("e")
	o.Code("a")
	o.Code("z")
	m := d.Remap(&o)
	for c, s := range o.Strings {
		if d.Strings[m[c]] != s {
			t.Errorf("Remap: o's %q became %q", s, d.Strings[m[c]])
		}
	}
	if m[1] != a {
		t.Errorf("Remap gave a known string a new code")
	}
}
