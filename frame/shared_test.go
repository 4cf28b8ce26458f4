package frame

import (
	"strconv"
	"strings"
	"testing"
)

// TestSharedChunks: chunks cut from one Shared, filled from the batches of
// two parsing goroutines, hold only their own rows' values, each row's
// value at its code; Global numbers a string alike in every chunk and two
// strings apart; a Subset keeps the numbering and MapStr drops it; a
// column a batch lacks holds the empty string, numbered too; look-ups
// answer on the chunk's values alone, before and after the index is
// built.
func TestSharedChunks(t *testing.T) {
	sh := NewShared()
	dicts := []*Dicts{NewDicts(), NewDicts()}
	type want struct{ ip, stem string }
	var chunks []*Frame
	var rows [][]want
	next := 0
	for k := range 3 {
		chunk := new(Frame)
		chunk.ShareFrom(sh)
		m := NewMerger(chunk)
		var wants []want
		for j := range 2 {
			cols := Cols(IP, Stem)
			if k == 1 && j == 1 {
				cols = Cols(IP) // no stems: the chunk's rows hold ""
			}
			b := NewBatch(dicts[j])
			b.Begin(cols)
			for range 50 {
				var r Row
				r.Reset()
				r.Time = int64(next)
				next++
				ip := "10.0.0." + strconv.Itoa(next%7) // in every chunk
				if next%3 == 0 {
					ip = "192.0.2." + strconv.Itoa(next) // in one chunk only
				}
				stem := "/p" + strconv.Itoa(next%11)
				r.Str[IP] = []byte(ip)
				if cols.Str[Stem] {
					r.Str[Stem] = []byte(stem)
				} else {
					stem = ""
				}
				b.Add(&r)
				wants = append(wants, want{ip, stem})
			}
			b.Seal()
			m.Append(b)
		}
		chunks = append(chunks, chunk)
		rows = append(rows, wants)
	}
	numbered := map[StrCol]map[string]uint32{IP: {}, Stem: {}}
	for k, chunk := range chunks {
		for _, c := range []StrCol{IP, Stem} {
			v, _ := chunk.View(c)
			lin, global := v.Global()
			if lin == nil || len(global) != v.Dict.Len() {
				t.Fatalf("chunk %d, %s: lineage %v, %d shared codes for %d values", k, c, lin, len(global), v.Dict.Len())
			}
			distinct := map[string]bool{}
			for i, w := range rows[k] {
				s := w.ip
				if c == Stem {
					s = w.stem
				}
				distinct[s] = true
				if got := v.Dict.At(v.At(i)); got != s {
					t.Fatalf("chunk %d, %s, row %d: %q, want %q", k, c, i, got, s)
				}
			}
			if v.Dict.Len() != len(distinct) {
				t.Errorf("chunk %d, %s: %d values in its dictionary, its rows hold %d", k, c, v.Dict.Len(), len(distinct))
			}
			for code, s := range v.Dict.All() {
				g, seen := numbered[c][s]
				if seen && g != global[code] {
					t.Errorf("chunk %d, %s: %q is shared code %d, was %d", k, c, s, global[code], g)
				}
				numbered[c][s] = global[code]
			}
		}
	}
	for _, c := range []StrCol{IP, Stem} {
		back := map[uint32]string{}
		for s, g := range numbered[c] {
			if o, ok := back[g]; ok {
				t.Errorf("%s: %q and %q share code %d", c, s, o, g)
			}
			back[g] = s
		}
	}
	if _, ok := numbered[Stem][""]; !ok {
		t.Errorf("the stems a batch lacked are not numbered")
	}

	c := chunks[2]
	keep := make([]bool, c.Len())
	for i := range keep {
		keep[i] = i%4 == 1
	}
	sub := c.Subset(keep)
	v, _ := sub.View(IP)
	lin, global := v.Global()
	if l, _ := must(c.View(IP)).Global(); lin != l {
		t.Errorf("a subset's lineage is not its chunk's")
	}
	for code, s := range v.Dict.All() {
		if global[code] != numbered[IP][s] {
			t.Errorf("subset: %q is shared code %d, want %d", s, global[code], numbered[IP][s])
		}
	}
	c.MapStr(IP, strings.ToUpper)
	if lin, global := must(c.View(IP)).Global(); lin != nil || global != nil {
		t.Errorf("a column MapStr rewrote keeps a shared numbering")
	}

	// Look-ups: of the chunk's own values only, by scanning and then by
	// the index built after scansMax of them.
	col := chunks[1].Str(IP)
	only := rows[0][2].ip // 192.0.2.3: in chunk 0 only
	for i := range 2 * scansMax {
		if code, ok := col.Lookup("10.0.0.1"); !ok || col.Dict.At(code) != "10.0.0.1" {
			t.Fatalf("look-up %d of a value the chunk holds: %d, %v", i, code, ok)
		}
		if _, ok := col.Lookup(only); ok {
			t.Fatalf("look-up %d: %q, of another chunk only, found", i, only)
		}
	}
}

func must(v CodeView, ok bool) CodeView {
	if !ok {
		panic("no such column")
	}
	return v
}

// TestSharedBounds: query strings are not shared; a column past sharedMax
// values is no longer shared from the next chunk on, and its values read
// as before.
func TestSharedBounds(t *testing.T) {
	defer func(n int) { sharedMax = n }(sharedMax)
	sharedMax = 10
	sh := NewShared()
	d := NewDicts()
	next := 0
	fill := func() *Frame {
		chunk := new(Frame)
		chunk.ShareFrom(sh)
		b := NewBatch(d)
		b.Begin(Cols(IP, Method, Query))
		for range 8 {
			var r Row
			r.Reset()
			next++
			r.Str[IP] = []byte("ip" + strconv.Itoa(next))
			r.Str[Method] = []byte("GET")
			r.Str[Query] = []byte("q=" + strconv.Itoa(next))
			b.Add(&r)
		}
		b.Seal()
		NewMerger(chunk).Append(b)
		return chunk
	}
	first, second, third := fill(), fill(), fill()
	if lin, _ := must(first.View(Query)).Global(); lin != nil {
		t.Errorf("query strings are shared")
	}
	for k, c := range []*Frame{first, second, third} {
		lin, _ := must(c.View(IP)).Global()
		if shared := k < 2; (lin != nil) != shared {
			t.Errorf("chunk %d: addresses shared %v, want %v (16 values after the second chunk, past %d)", k, lin != nil, shared, sharedMax)
		}
		if lin, _ := must(c.View(Method)).Global(); lin == nil {
			t.Errorf("chunk %d: the one method is not shared", k)
		}
		for i := range c.Len() {
			if got, want := c.Str(IP).Value(i), "ip"+strconv.Itoa(8*k+i+1); got != want {
				t.Fatalf("chunk %d, row %d: %q, want %q", k, i, got, want)
			}
		}
	}
}

// TestShareFirst: a frame read as one and made the first chunk of a
// Shared numbers its values by its own codes, and the chunks cut from the
// Shared next number a value it held alike and a new one past them; each
// column's SharedValues are the shared strings by shared code.
func TestShareFirst(t *testing.T) {
	fill := func(f *Frame, from, to int) {
		m := NewMerger(f)
		b := NewBatch(NewDicts())
		b.Begin(Cols(IP, Stem, Query))
		for i := from; i < to; i++ {
			var r Row
			r.Reset()
			r.Time = int64(i)
			r.Str[IP] = []byte("10.0.0." + strconv.Itoa(i%13))
			r.Str[Stem] = []byte("/p" + strconv.Itoa(i))
			r.Str[Query] = []byte("q=" + strconv.Itoa(i))
			b.Add(&r)
		}
		b.Seal()
		m.Append(b)
	}
	first := new(Frame)
	fill(first, 0, 40)
	first.DropIndexes()
	sh := NewShared()
	first.ShareFirst(sh)
	next := new(Frame)
	next.ShareFrom(sh)
	fill(next, 30, 60) // stems /p30../p39 and every address again, /p40.. new
	global := map[StrCol]map[string]uint32{IP: {}, Stem: {}}
	for k, f := range []*Frame{first, next} {
		for _, c := range []StrCol{IP, Stem} {
			v, _ := f.View(c)
			lin, codes := v.Global()
			if lin == nil || len(codes) != v.Dict.Len() {
				t.Fatalf("frame %d, %s: lineage %v, %d shared codes for %d values", k, c, lin, len(codes), v.Dict.Len())
			}
			shared := v.SharedValues()
			for i, s := range v.Dict.All() {
				g := codes[i]
				if k == 0 && g != uint32(i) {
					t.Errorf("the first frame's %s %q: shared code %d, its own %d", c, s, g, i)
				}
				if int(g) >= len(shared) || shared[g] != s {
					t.Fatalf("frame %d, %s %q: shared code %d, shared values %d", k, c, s, g, len(shared))
				}
				if prev, ok := global[c][s]; ok && prev != g {
					t.Errorf("%s %q: shared code %d in the first frame, %d in the next", c, s, prev, g)
				}
				global[c][s] = g
			}
		}
		if v, _ := f.View(Query); v.lin != nil {
			t.Errorf("frame %d: queries, not shared, have a lineage", k)
		}
	}
	if len(global[Stem]) != 60 || len(global[IP]) != 13 {
		t.Errorf("%d stems and %d addresses numbered, want 60 and 13", len(global[Stem]), len(global[IP]))
	}
	a, _ := first.View(IP)
	b, _ := next.View(IP)
	if la, _ := a.Global(); la == nil {
		t.Fatal("no lineage")
	} else if lb, _ := b.Global(); la != lb {
		t.Error("the first frame and the next chunk have lineages of their own")
	}
}
