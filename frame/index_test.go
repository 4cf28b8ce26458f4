package frame

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestDictMatchesMap interns values of every length around the short/long
// boundary, with NUL bytes and shared prefixes, and checks the codes
// against a map.
func TestDictMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var vals []string
	for i := range 3000 {
		n := rng.IntN(40)
		b := make([]byte, n)
		for j := range b {
			b[j] = "ab\x00/"[rng.IntN(4)]
		}
		vals = append(vals, string(b), "/path/"+strconv.Itoa(i), strconv.Itoa(i%300))
	}
	vals = append(vals, "", "\x00", "\x00\x00", "0123456789abcdef", "0123456789abcdef\x00", "0123456789abcde")
	var d dict
	var s Strings
	want := map[string]uint32{}
	for round := range 3 {
		for i, v := range vals {
			c, ok := want[v]
			if !ok {
				c = uint32(len(want))
				want[v] = c
			}
			var got uint32
			switch (i + round) % 3 {
			case 0:
				got = d.intern([]byte(v))
			case 1:
				got = d.internString(v)
			default:
				if !ok { // first seen: nothing to look up yet
					got = d.intern([]byte(v))
					break
				}
				got, ok = d.lookup(v)
				if !ok {
					t.Fatalf("lookup %q: not found", v)
				}
			}
			if got != c {
				t.Fatalf("round %d: %q got code %d, want %d", round, v, got, c)
			}
			if s.Intern([]byte(v)) != c || s.Dict.At(c) != v {
				t.Fatalf("Strings: %q", v)
			}
		}
	}
	if len(d.vals) != len(want) || s.Dict.Len() != len(want) {
		t.Fatalf("%d values, want %d", len(d.vals), len(want))
	}
	for _, v := range []string{"never seen", "x", "0123456789abcdef0"} {
		if _, ok := d.lookup(v); ok {
			t.Errorf("lookup %q: found", v)
		}
	}
}

// TestMergerMatchesBuilder builds the same rows one by one and through
// batches from several goroutines' dictionaries, with columns that start
// mid-way, and compares the frames: same codes, same dictionaries in
// first-seen order.
func TestMergerMatchesBuilder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var ref Builder
	var out Frame
	m := NewMerger(&out)
	dicts := []*Dicts{NewDicts(), NewDicts(), NewDicts()}
	colsA := Cols(IP, Status, Bytes)
	colsB := Cols(IP, Status, Bytes, UserAgent, TimeTaken)
	ref.Begin(colsA)
	var r Row
	for k := range 40 {
		b := NewBatch(dicts[k%3])
		b.Begin(colsA)
		rows := rng.IntN(50)
		cols := colsA
		for j := range rows {
			if k >= 20 && j == rows/2 {
				cols = colsB
				b.Begin(cols)
				ref.Begin(cols)
			}
			r.Reset()
			r.Time = int64(k*1000 + j)
			r.Str[IP] = []byte("10.0.0." + strconv.Itoa(rng.IntN(30)))
			r.Str[Status] = []byte([]string{"200", "404", "000"}[rng.IntN(3)])
			r.Num[Bytes] = float64(rng.IntN(1000))
			if cols.Str[UserAgent] { // a parser fills only its columns
				r.Str[UserAgent] = []byte("agent with a long name number " + strconv.Itoa(rng.IntN(5)))
				r.Num[TimeTaken] = float64(rng.IntN(9)) / 8
			}
			b.Add(&r)
			ref.Add(&r)
		}
		b.Seal()
		if k == 10 {
			out.Reserve(5000)
		}
		m.Append(b)
	}
	want := ref.Frame()
	if out.Len() != want.Len() || out.Columns() != want.Columns() {
		t.Fatalf("%d rows, columns %v; want %d, %v", out.Len(), out.Columns(), want.Len(), want.Columns())
	}
	for c := range NumStrCols {
		g, w := out.Str(c), want.Str(c)
		if (g == nil) != (w == nil) {
			t.Fatalf("%s: presence differs", c)
		}
		if g == nil {
			continue
		}
		if g.Dict.Len() != w.Dict.Len() {
			t.Fatalf("%s: dict %q, want %q", c, valsOf(g.Dict), valsOf(w.Dict))
		}
		for i := range g.Dict.Len() {
			if g.Dict.At(uint32(i)) != w.Dict.At(uint32(i)) {
				t.Fatalf("%s: dict %q, want %q", c, valsOf(g.Dict), valsOf(w.Dict))
			}
		}
		for i := range g.Codes {
			if g.Codes[i] != w.Codes[i] {
				t.Fatalf("%s: row %d code %d, want %d", c, i, g.Codes[i], w.Codes[i])
			}
		}
	}
	for c := range NumNumCols {
		g, w := out.Num(c), want.Num(c)
		if len(g) != len(w) {
			t.Fatalf("%s: %d values, want %d", c, len(g), len(w))
		}
		for i := range g {
			if g[i] != w[i] && !(g[i] != g[i] && w[i] != w[i]) {
				t.Fatalf("%s: row %d = %v, want %v", c, i, g[i], w[i])
			}
		}
	}
	for i := range out.Time {
		if out.Time[i] != want.Time[i] {
			t.Fatalf("time %d", i)
		}
	}
}

// TestNarrowColumns fills columns whose dictionaries outgrow one byte and
// then two, through Builder, Merger and Frame.Append, and checks every
// value and the width at each stage.
func TestNarrowColumns(t *testing.T) {
	vals := func(i int) (ip, st string) { return strconv.Itoa(i % 70000), strconv.Itoa(100 + i%300) }
	const rows = 150000
	var b Builder
	b.Begin(Cols(IP, Status, Method))
	var out Frame
	m := NewMerger(&out)
	d := NewDicts()
	var r Row
	batch := NewBatch(d)
	for i := range rows {
		r.Reset()
		r.Time = int64(i)
		ip, st := vals(i)
		r.Str[IP], r.Str[Status], r.Str[Method] = []byte(ip), []byte(st), []byte("GET")
		b.Add(&r)
		if batch.Len() == 0 {
			batch.Begin(Cols(IP, Status, Method))
		}
		batch.Add(&r)
		if batch.Len() == 1000 || i == rows-1 {
			batch.Seal()
			if i < 5000 {
				if w := out.str[IP]; w != nil && w.width != 1 && w.Dict.Len() <= 256 {
					t.Fatalf("ip column width %d with %d values", w.width, w.Dict.Len())
				}
			}
			m.Append(batch)
			batch.Reset()
		}
	}
	for name, f := range map[string]*Frame{"builder": b.Frame(), "merger": &out} {
		if w := f.str[Method].width; w != 1 {
			t.Errorf("%s: method column width %d before Str", name, w)
		}
		if w := f.str[Status].width; w != 2 {
			t.Errorf("%s: status column width %d before Str", name, w)
		}
	}
	var app Frame
	app.Append(b.Frame())
	for name, f := range map[string]*Frame{"builder": b.Frame(), "merger": &out, "append": &app} {
		if f.Len() != rows || f.str[IP].Len() != rows || f.str[Status].Len() != rows {
			t.Fatalf("%s: %d rows, %d ip codes, %d status codes", name, f.Len(), f.str[IP].Len(), f.str[Status].Len())
		}
		ips, sts, ms := f.Str(IP), f.Str(Status), f.Str(Method)
		if len(ips.Codes) != rows || ips.width != 0 {
			t.Fatalf("%s: widened ip column has %d codes", name, len(ips.Codes))
		}
		for i := range rows {
			ip, st := vals(i)
			if ips.Value(i) != ip || sts.Value(i) != st || ms.Value(i) != "GET" {
				t.Fatalf("%s: row %d = %q %q %q", name, i, ips.Value(i), sts.Value(i), ms.Value(i))
			}
		}
	}
}

// TestCodeView: a view taken before the column is widened reads the same
// codes as the widened column, and leaves the column narrow.
func TestCodeView(t *testing.T) {
	for _, distinct := range []int{3, 300, 70000} {
		var b Builder
		b.Begin(Cols(Status))
		var r Row
		for i := range 100000 {
			r.Reset()
			r.Str[Status] = []byte(strconv.Itoa(i % distinct))
			b.Add(&r)
		}
		f := b.Frame()
		v, ok := f.View(Status)
		if !ok || v.Len() != 100000 {
			t.Fatalf("distinct %d: view ok=%v len=%d", distinct, ok, v.Len())
		}
		if distinct < 1<<16 && f.str[Status].width == 0 {
			t.Errorf("distinct %d: View widened the column", distinct)
		}
		counts := v.Counts()
		wide := f.Str(Status)
		if !slices.Equal(counts, wide.Counts()) {
			t.Errorf("distinct %d: view counts differ", distinct)
		}
		for i, c := range wide.Codes {
			if v.At(i) != c {
				t.Fatalf("distinct %d: row %d: view %d, column %d", distinct, i, v.At(i), c)
			}
		}
		// Used names the codes some row holds: every one here, and after
		// keeping the rows of the odd values alone, those of the odd
		// values (the subset keeps the dictionary).
		keep := make([]bool, f.Len())
		for i := range keep {
			keep[i] = (i%distinct)%2 == 1
		}
		sub, _ := f.Subset(keep).View(Status)
		for name, view := range map[string]CodeView{"whole": v, "subset": sub} {
			used, counts := view.Used(), view.Counts()
			if len(used) != (view.Dict.Len()+63)/64 {
				t.Fatalf("distinct %d, %s: %d words for %d codes", distinct, name, len(used), view.Dict.Len())
			}
			for c, n := range counts {
				if got := used[c/64]&(1<<(c%64)) != 0; got != (n > 0) {
					t.Fatalf("distinct %d, %s: code %d (%d rows): used %v", distinct, name, c, n, got)
				}
			}
			if name == "subset" && sub.Dict.Len() == v.Dict.Len() && distinct > 1 && used[0]&1 != 0 {
				t.Errorf("distinct %d: the subset uses the even value 0", distinct)
			}
		}
	}
	if _, ok := (&Frame{}).View(Stem); ok {
		t.Error("a view of a missing column")
	}
}

// TestStringIndex: an index of a slice finds each of its strings at its
// position (short, long, empty, sharing prefixes), finds no string it
// was not given, and keeps finding them as values are added past the
// room it was made with.
func TestStringIndex(t *testing.T) {
	vals := []string{"", "a", "ab", "b", strings.Repeat("x", 40), strings.Repeat("x", 41), "192.0.2.1"}
	ix := NewStringIndex(vals, 0)
	for i := range 5000 {
		vals = append(vals, "/item/"+strconv.Itoa(i))
		ix.Add(vals, uint32(len(vals)-1))
	}
	if ix.Len() != len(vals) {
		t.Fatalf("Len %d, want %d", ix.Len(), len(vals))
	}
	for c, v := range vals {
		if got, ok := ix.Find(vals, v); !ok || got != uint32(c) {
			t.Fatalf("Find(%q) = %d, %v; want %d", v, got, ok, c)
		}
	}
	for _, v := range []string{"c", "/item/5000", strings.Repeat("x", 39), "192.0.2.10"} {
		if c, ok := ix.Find(vals, v); ok {
			t.Errorf("Find(%q) = %d, a string it was not given", v, c)
		}
	}
	var empty StringIndex
	if _, ok := empty.Find(nil, ""); ok {
		t.Error("the zero index found a string")
	}
}

// TestStringIndexIntern: Intern gives the positions, and appends the new
// keys in the order, that Find and Add one key at a time give, over an
// index that grows and keys that repeat within and across calls.
func TestStringIndexIntern(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var vals, refVals []string
	ix, ref := NewStringIndex(nil, 0), NewStringIndex(nil, 0)
	// InternBy over values it reads through a function: codes from 100
	// on, in a map.
	by, byVals := NewStringIndex(nil, 0), map[uint32]string{}
	at := func(c uint32) string { return byVals[c] }
	add := func(v string) uint32 { c := uint32(100 + len(byVals)); byVals[c] = v; return c }
	for round := range 40 {
		keys := make([]string, rng.IntN(3000))
		for k := range keys {
			keys[k] = "host-" + strconv.Itoa(rng.IntN(20000))
		}
		got, gotBy := make([]uint32, len(keys)), make([]uint32, len(keys))
		ix.Intern(&vals, keys, got)
		by.InternBy(at, add, keys, gotBy)
		for k, key := range keys {
			if gotBy[k] != got[k]+100 {
				t.Fatalf("round %d: InternBy put %q at %d, want %d", round, key, gotBy[k], got[k]+100)
			}
			c, ok := ref.Find(refVals, key)
			if !ok {
				c = uint32(len(refVals))
				refVals = append(refVals, key)
				ref.Add(refVals, c)
			}
			if got[k] != c {
				t.Fatalf("round %d: %q at %d, want %d", round, key, got[k], c)
			}
		}
	}
	if !slices.Equal(vals, refVals) || ix.Len() != len(vals) {
		t.Fatalf("%d values (index %d), want %d", len(vals), ix.Len(), len(refVals))
	}
}
