package frame

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// dropRows fills the rows k*100 up to (k+1)*100 of a test frame: short IPs
// (some repeated), long agents, stems, and a referer column that starts at
// batch 2, so that the earlier rows hold the empty string in it.
func dropRows(k int, add func(*Row), begin func(Set)) {
	var r Row
	cols := Cols(IP, UserAgent, Stem)
	if k >= 2 {
		cols = Cols(IP, UserAgent, Stem, Referer)
	}
	begin(cols)
	for j := range 100 {
		i := k*100 + j
		r.Reset()
		r.Time = int64(i)
		r.Str[IP] = []byte("10.0." + strconv.Itoa(i%97) + "." + strconv.Itoa(i%7))
		r.Str[UserAgent] = []byte("Mozilla/5.0 (a long agent, number " + strconv.Itoa(i%300) + ")")
		r.Str[Stem] = []byte("/p/" + strconv.Itoa(i))
		if k >= 2 {
			r.Str[Referer] = []byte("https://ref.example.org/" + strconv.Itoa(i%11))
		}
		add(&r)
	}
}

// lookups is every look-up the test asks of a frame: each value of each
// column, and strings it lacks (the empty one, short, long, 16 and 17
// bytes), with their answers.
type lookupAnswer struct {
	code uint32
	ok   bool
}

func frameLookups(f *Frame) map[StrCol]map[string]lookupAnswer {
	out := map[StrCol]map[string]lookupAnswer{}
	for c := range NumStrCols {
		s := f.str[c]
		if s == nil {
			continue
		}
		m := map[string]lookupAnswer{}
		asks := append(valsOf(s.Dict), "", "absent", "0123456789abcdef", "0123456789abcdefg", strings.Repeat("x", 80), "10.0.1.1")
		for _, v := range asks {
			code, ok := s.Lookup(v)
			m[v] = lookupAnswer{code, ok}
		}
		out[c] = m
	}
	return out
}

// TestDropIndexes: a frame whose dictionaries' indexes were let go
// answers every look-up as before (present, absent, the empty string), by
// scanning and then, past scansMax look-ups, by an index built again; and
// rows appended after (a Merger, Frame.Append) get the codes and
// dictionaries of a frame that never let its indexes go.
func TestDropIndexes(t *testing.T) {
	var ref Builder
	var out Frame
	m := NewMerger(&out)
	dicts := []*Dicts{NewDicts(), NewDicts()}
	batch := func(k int) *Batch {
		b := NewBatch(dicts[k%2])
		dropRows(k, b.Add, b.Begin)
		b.Seal()
		return b
	}
	for k := range 4 {
		m.Append(batch(k))
		dropRows(k, ref.Add, ref.Begin)
	}
	want := frameLookups(&out)
	if a := want[Referer][""]; !a.ok {
		t.Fatalf("the referer column lacks the empty string: the test asks nothing")
	}
	if a := want[IP][""]; a.ok {
		t.Fatalf("the IP column holds the empty string: the test asks nothing")
	}

	out.DropIndexes()
	for c := range NumStrCols {
		if s := out.str[c]; s != nil && (s.d.long.slots != nil || s.d.short.slots != nil || !s.d.unindexed) {
			t.Fatalf("%s: the index is still there", c)
		}
	}
	// Each column is asked more than scansMax times: by scans first, then
	// by the index built again.
	for c, m := range frameLookups(&out) {
		for v, a := range m {
			if w := want[c][v]; a != w {
				t.Errorf("%s: Lookup(%q) after the drop = %v, want %v", c, v, a, w)
			}
		}
		if out.str[c].d.unindexed {
			t.Errorf("%s: %d look-ups and the index was not built again", c, len(m))
		}
	}
	out.DropIndexes()
	v, _ := out.View(Stem)
	if code, ok := v.Lookup("/p/123"); !ok || v.Dict.At(code) != "/p/123" {
		t.Errorf("CodeView.Lookup after the drop: %d %v", code, ok)
	}
	if _, ok := v.Lookup("/p/100000"); ok {
		t.Errorf("CodeView.Lookup after the drop found a stem the frame lacks")
	}
	if !out.str[Stem].d.unindexed {
		t.Errorf("two look-ups built the index again")
	}
	// CodeView.Find: the column's look-up, its scans' answers kept (the
	// same question asked again scans no more); a view made before the
	// column took a value does not find it; a view of no column scans
	// its dictionary.
	scans := out.str[Stem].scans
	if code, ok := v.Find("/p/123"); !ok || v.Dict.At(code) != "/p/123" || out.str[Stem].scans != scans {
		t.Errorf("CodeView.Find of a stem looked up before: %d %v, scans %d to %d", code, ok, scans, out.str[Stem].scans)
	}
	if _, ok := v.Find("/p/100000"); ok {
		t.Errorf("CodeView.Find found a stem the frame lacks")
	}
	if code, ok := (CodeView{Dict: v.Dict}).Find("/p/123"); !ok || v.Dict.At(code) != "/p/123" {
		t.Errorf("CodeView.Find of a view without its column: %d %v", code, ok)
	}
	one := func(stem string) *Frame {
		var b Builder
		b.Begin(Cols(Stem))
		var r Row
		r.Str[Stem] = []byte(stem)
		b.Add(&r)
		return b.Frame()
	}
	grown := one("/early")
	before, _ := grown.View(Stem)
	grown.Append(one("/late"))
	if _, ok := before.Find("/late"); ok {
		t.Errorf("a view made before the column took a value finds it")
	}
	if after, _ := grown.View(Stem); func() bool { _, ok := after.Find("/late"); return !ok }() {
		t.Errorf("a view made after the column took a value does not find it")
	}

	// Appending after the drop: batches (old and new values), then a
	// frame.
	for k := 4; k < 6; k++ {
		m.Append(batch(k))
		dropRows(k, ref.Add, ref.Begin)
	}
	out.DropIndexes()
	var more Builder
	for k := 6; k < 8; k++ {
		dropRows(k, more.Add, more.Begin)
		dropRows(k, ref.Add, ref.Begin)
	}
	out.Append(more.Frame())
	w := ref.Frame()
	if out.Len() != w.Len() {
		t.Fatalf("%d rows, want %d", out.Len(), w.Len())
	}
	for c := range NumStrCols {
		g, e := out.Str(c), w.Str(c)
		if (g == nil) != (e == nil) {
			t.Fatalf("%s: presence differs", c)
		}
		if g == nil {
			continue
		}
		if !slices.Equal(valsOf(g.Dict), valsOf(e.Dict)) || !slices.Equal(g.Codes, e.Codes) {
			t.Errorf("%s: appended after the drop, the column differs from one never dropped", c)
		}
	}
	// And the look-ups of the grown frame are those of the reference.
	wantAll := frameLookups(w)
	out.DropIndexes()
	for c, m := range frameLookups(&out) {
		for v, a := range m {
			if e := wantAll[c][v]; a != e {
				t.Errorf("%s: Lookup(%q) after appending = %v, want %v", c, v, a, e)
			}
		}
	}
}

// TestDropIndexShortValues: a dictionary that indexes its short values
// apart (a Strings' zero value, not a frame's compact one) is indexed
// again as it was, short and long values alike.
func TestDropIndexShortValues(t *testing.T) {
	var s Strings
	vals := []string{"", "GET", "0123456789abcdef", "0123456789abcdefg", "a\x00b", strings.Repeat("/long", 9)}
	for _, v := range vals {
		s.Append([]byte(v))
	}
	s.dropIndex(nil)
	for round := range 3 {
		for i, v := range vals {
			if c, ok := s.Lookup(v); !ok || c != uint32(i) {
				t.Fatalf("round %d: Lookup(%q) = %d %v, want %d", round, v, c, ok, i)
			}
		}
		if _, ok := s.Lookup("POST"); ok {
			t.Fatalf("round %d: found POST", round)
		}
	}
	if !s.d.unindexed || s.scans != len(vals)+1 {
		t.Errorf("the same look-ups again: %d scans, unindexed %v; want %d scans, the answers kept", s.scans, s.d.unindexed, len(vals)+1)
	}
	// Past scansMax distinct look-ups, the index is built again.
	for i := range scansMax {
		if _, ok := s.Lookup("absent" + strconv.Itoa(i)); ok {
			t.Fatalf("found absent%d", i)
		}
	}
	for i, v := range vals {
		if c, ok := s.Lookup(v); !ok || c != uint32(i) {
			t.Fatalf("indexed again: Lookup(%q) = %d %v, want %d", v, c, ok, i)
		}
	}
	if s.d.unindexed || s.d.short.n != 4 || s.d.long.n != 2 {
		t.Errorf("built again: unindexed %v, %d short and %d long values; want 4 and 2", s.d.unindexed, s.d.short.n, s.d.long.n)
	}
	// An answer kept from a scan does not outlive a value interned after
	// it.
	s.dropIndex(nil)
	if _, ok := s.Lookup("PUT"); ok {
		t.Fatal("found PUT")
	}
	if c := s.InternString("PUT"); c != uint32(len(vals)) {
		t.Fatalf("PUT interned as %d", c)
	}
	if c, ok := s.Lookup("PUT"); !ok || c != uint32(len(vals)) {
		t.Fatalf("Lookup(PUT) = %d %v after it was interned", c, ok)
	}
	vals = append(vals, "PUT")
	s.dropIndex(nil)
	if c, ok := s.Lookup("PUT"); !ok || c != uint32(len(vals)-1) {
		t.Fatalf("Lookup(PUT) = %d %v after the index was let go again", c, ok)
	}
	if c := s.InternString("GET"); c != 1 || s.Dict.Len() != len(vals) {
		t.Errorf("interning a known value after the drop: code %d, %d values", c, s.Dict.Len())
	}
	if c := s.InternString("POST"); c != uint32(len(vals)) {
		t.Errorf("interning a new value after the drop: code %d, want %d", c, len(vals))
	}
}

// TestDropIndexKeep: the values named when the index goes are answered
// from the answers made then, present and absent alike, without a scan of
// the dictionary; letting go of an index already gone keeps them.
func TestDropIndexKeep(t *testing.T) {
	defer SetPackMin(1 << 10)() // packed: a scan would decode every block
	s := NewStrings()
	const n = 5000
	for i := range n {
		s.Append([]byte("/p/" + strconv.Itoa(i)))
	}
	s.Append([]byte("-"))
	if !s.Dict.Packed() {
		t.Fatal("the dictionary is not packed: the test asks too little")
	}
	keep := []string{"-", "/robots.txt", "/p/17"}
	want := map[string]scanAnswer{"-": {n, true}, "/robots.txt": {0, false}, "/p/17": {17, true}}
	for round := range 2 {
		s.dropIndex(keep) // the second time, on a column without its index
		for _, v := range keep {
			c, ok := s.Lookup(v)
			if w := want[v]; ok != w.ok || ok && c != w.code {
				t.Errorf("round %d: Lookup(%q) = %d %v, want %d %v", round, v, c, ok, w.code, w.ok)
			}
		}
		if s.scans != 0 || !s.d.unindexed {
			t.Errorf("round %d: %d scans, unindexed %v: the kept answers were not used", round, s.scans, s.d.unindexed)
		}
	}
	// A value not named is still answered, by a scan.
	if c, ok := s.Lookup("/p/4999"); !ok || c != 4999 || s.scans != 1 {
		t.Errorf("Lookup(/p/4999) = %d %v with %d scans; want 4999, a scan", c, ok, s.scans)
	}
}
