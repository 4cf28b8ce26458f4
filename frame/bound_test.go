package frame

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestMergerBoundedDicts: parsing goroutines' dictionaries that start
// afresh when they outgrow WorkerDictMax (a log of mostly new values) give
// the frame a builder gives, row by row, also when batches of an older
// dictionary are merged after newer ones (sources merged in another order
// than parsed). Addresses and paths are new on most rows, so that their
// columns merge concurrently (parallelMin); the second time their
// dictionaries are packed, so that their blocks are sealed concurrently
// too (go test -race).
func TestMergerBoundedDicts(t *testing.T) {
	t.Run("plain", testMergerBoundedDicts)
	t.Run("packed", func(t *testing.T) {
		defer SetPackMin(1 << 12)()
		testMergerBoundedDicts(t)
	})
}

func testMergerBoundedDicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	dicts := []*Dicts{NewDicts(), NewDicts()}
	cols := Cols(IP, Stem, UserAgent)
	type sealed struct {
		b    *Batch
		rows []Row
	}
	var batches []sealed
	next := 0
	for k := range 60 {
		d := dicts[k%2]
		d.Bound()
		b := NewBatch(d)
		b.Begin(cols)
		var rows []Row
		for range 3000 + rng.IntN(2000) {
			var r Row
			r.Reset()
			r.Time = int64(next)
			next++
			// New addresses and paths on most rows, some repeated
			// from a small set; a few agents, long.
			if rng.IntN(4) == 0 {
				r.Str[IP] = []byte("10.0.0." + strconv.Itoa(rng.IntN(50)))
			} else {
				r.Str[IP] = []byte("ip" + strconv.Itoa(next))
			}
			r.Str[Stem] = []byte("/a/fairly/long/path/number/" + strconv.Itoa(next))
			r.Str[UserAgent] = []byte("Mozilla/5.0 agent " + strconv.Itoa(rng.IntN(7)))
			b.Add(&r)
			rows = append(rows, r)
		}
		b.Seal()
		batches = append(batches, sealed{b, rows})
	}
	if dicts[0].gen[IP] == 0 || dicts[1].gen[Stem] == 0 {
		t.Fatalf("no dictionary started afresh (generations %v, %v): the test does not exercise Bound", dicts[0].gen, dicts[1].gen)
	}
	if dicts[0].gen[UserAgent] != 0 {
		t.Errorf("the agents' dictionary of seven values started afresh")
	}
	// Merge in another order: swap neighbours now and then.
	for i := 0; i+1 < len(batches); i += 5 {
		batches[i], batches[i+1] = batches[i+1], batches[i]
	}
	var ref Builder
	ref.Begin(cols)
	var out Frame
	m := NewMerger(&out)
	for _, s := range batches {
		for i := range s.rows {
			ref.Add(&s.rows[i])
		}
		m.Append(s.b)
	}
	want := ref.Frame()
	if packMin < 1<<20 && !out.Str(Stem).Dict.Packed() {
		t.Errorf("the paths' dictionary is not packed")
	}
	for _, c := range []StrCol{IP, Stem, UserAgent} {
		g, w := out.Str(c), want.Str(c)
		if g.Dict.Len() != w.Dict.Len() || len(g.Codes) != len(w.Codes) {
			t.Fatalf("%s: %d values, %d rows; want %d, %d", c, g.Dict.Len(), len(g.Codes), w.Dict.Len(), len(w.Codes))
		}
		for i := range g.Dict.Len() {
			if g.Dict.At(uint32(i)) != w.Dict.At(uint32(i)) {
				t.Fatalf("%s: value %d = %q, want %q", c, i, g.Dict.At(uint32(i)), w.Dict.At(uint32(i)))
			}
		}
		for i := range g.Codes {
			if g.Codes[i] != w.Codes[i] {
				t.Fatalf("%s: row %d code %d, want %d", c, i, g.Codes[i], w.Codes[i])
			}
		}
	}
}

// TestArena: values added to an arena read back as added, after many
// more values (chunks never move), and long values too.
func TestArena(t *testing.T) {
	var a arena
	var got, want []string
	for i := range 200000 {
		v := []byte("value-" + strconv.Itoa(i))
		if i%1000 == 0 {
			v = make([]byte, 300000) // longer than a chunk's eighth
			v[0], v[len(v)-1] = byte(i), byte(i>>8)
		}
		got = append(got, a.add(v))
		want = append(want, string(v))
		v[0] = '!' // the arena copied it
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("value %d changed: %q, want %q", i, got[i][:min(20, len(got[i]))], want[i][:min(20, len(want[i]))])
		}
	}
	if a.add(nil) != "" {
		t.Error("an empty value is not empty")
	}
}

// BenchmarkDictIntern interns values as a parsing goroutine does (its
// dictionary, short values in 24-byte slots) and as the frame does (a
// compact dictionary), on values that repeat (a few hundred addresses)
// and on values that never do (a log where every value is new).
func BenchmarkDictIntern(b *testing.B) {
	const n = 1 << 20
	unique := make([][]byte, n)
	repeated := make([][]byte, n)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range unique {
		unique[i] = []byte("10." + strconv.Itoa(i>>16) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255))
		repeated[i] = []byte("192.168.1." + strconv.Itoa(rng.IntN(300)))
	}
	for _, c := range []struct {
		name string
		vals [][]byte
		new  func() dict
	}{
		{"worker/repeated", repeated, func() dict { return dict{} }},
		{"worker/unique", unique, func() dict { return dict{} }},
		{"frame/repeated", repeated, newCompactDict},
		{"frame/unique", unique, newCompactDict},
	} {
		b.Run(c.name, func(b *testing.B) {
			d := c.new()
			for i := 0; b.Loop(); i++ {
				if i%n == 0 {
					d = c.new()
				}
				d.intern(c.vals[i%n])
			}
		})
	}
}

// TestCompactDictMatchesMap is TestDictMatchesMap for a frame's compact
// dictionary, where every value is in the 8-byte-slot index, interned from
// bytes, from strings, and looked up, across many growths of the table.
func TestCompactDictMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	var vals []string
	for i := range 20000 {
		b := make([]byte, rng.IntN(40))
		for j := range b {
			b[j] = "ab\x00/"[rng.IntN(4)]
		}
		vals = append(vals, string(b), "/p/"+strconv.Itoa(i), strconv.Itoa(i%300))
	}
	vals = append(vals, "", "\x00", "0123456789abcdef", "0123456789abcdef\x00")
	d := newCompactDict()
	s := NewStrings()
	want := map[string]uint32{}
	for round := range 3 {
		for i, v := range vals {
			c, seen := want[v]
			if !seen {
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
				if !seen {
					got = d.internString(v)
					break
				}
				var ok bool
				if got, ok = d.lookup(v); !ok {
					t.Fatalf("lookup %q: not found", v)
				}
			}
			if got != c {
				t.Fatalf("round %d: %q got code %d, want %d", round, v, got, c)
			}
			if s.InternString(v) != c || s.Dict.At(c) != v {
				t.Fatalf("Strings: %q", v)
			}
		}
	}
	if len(d.vals) != len(want) || d.short.n != 0 || d.long.n != len(want) {
		t.Fatalf("%d values, %d short and %d long indexed; want %d, all long", len(d.vals), d.short.n, d.long.n, len(want))
	}
	if _, ok := d.lookup("never added"); ok {
		t.Error("found a value never added")
	}
}

// TestOrderSharedPrefix: values that all share a long prefix (referers,
// paths), with the empty value, the prefix alone, and values that differ
// only past the eight bytes after it, sort as their bytes do.
func TestOrderSharedPrefix(t *testing.T) {
	const pre = "https://ref.example.org/"
	vals := []string{"", pre, pre + "\x00", pre + "a", pre + "abcdefgh", pre + "abcdefgh\x00", pre + "abcdefghi", pre + "abcdefgg"}
	rng := rand.New(rand.NewPCG(3, 3))
	for range 3 * radixMin { // past radixMin, for the radix sort
		b := make([]byte, rng.IntN(20))
		for j := range b {
			b[j] = "ab\x00\xff/."[rng.IntN(6)]
		}
		vals = append(vals, pre+string(b))
	}
	if sharedPrefix(DictOf(vals...), 0, len(vals)) != pre {
		t.Fatalf("common prefix %q, want %q", sharedPrefix(DictOf(vals...), 0, len(vals)), pre)
	}
	for _, withEmpty := range []bool{true, false} {
		vs := vals
		if !withEmpty {
			vs = vals[1:]
		}
		order := sortedCodes(DictOf(vs...))
		got := make([]string, len(order))
		for i, c := range order {
			got[i] = vs[c]
		}
		if !slices.IsSorted(got) || len(got) != len(vs) {
			t.Errorf("empty value %v: the order does not sort the values", withEmpty)
		}
	}
	for _, c := range []struct {
		vals []string
		want string
	}{{[]string{"", ""}, ""}, {[]string{"abc"}, "abc"}, {[]string{"ab", "ac", "b"}, ""}, {[]string{"", "abc", "abd", ""}, "ab"}, {[]string{"abc", "ab"}, "ab"}} {
		if got := sharedPrefix(DictOf(c.vals...), 0, len(c.vals)); got != c.want {
			t.Errorf("sharedPrefix(%q) = %q, want %q", c.vals, got, c.want)
		}
	}
}

// TestRawColumns: a goroutine's column of nearly all new values stops
// being looked up (raw), one that repeats is not, and a raw column whose
// values begin to repeat is looked up again after rawWindow values; the
// frame is the one a builder makes row by row all along.
func TestRawColumns(t *testing.T) {
	d := NewDicts()
	cols := Cols(IP, Stem)
	var ref Builder
	ref.Begin(cols)
	var out Frame
	m := NewMerger(&out)
	next := 0
	wasRaw := false
	const batch = 5000
	for k := 0; next < rawWindow+8*noveltyWindow; k++ {
		d.Bound()
		if k > 0 && next <= 4*noveltyWindow && d.str[IP].raw {
			t.Fatalf("the column of 20 addresses went raw after %d rows", next)
		}
		wasRaw = wasRaw || d.str[Stem].raw
		b := NewBatch(d)
		b.Begin(cols)
		for range batch {
			var r Row
			r.Reset()
			r.Time = int64(next)
			r.Str[IP] = []byte("10.0.0." + strconv.Itoa(next%20))
			if next < 4*noveltyWindow {
				r.Str[Stem] = []byte("/unique/path/" + strconv.Itoa(next))
			} else {
				r.Str[Stem] = []byte("/again/" + strconv.Itoa(next%3))
			}
			next++
			b.Add(&r)
			ref.Add(&r)
		}
		b.Seal()
		m.Append(b)
	}
	if !wasRaw {
		t.Fatalf("the column of new paths never went raw")
	}
	if d.str[Stem].raw {
		t.Errorf("the paths still raw after %d rows of three values", next-4*noveltyWindow)
	}
	want := ref.Frame()
	for _, c := range []StrCol{IP, Stem} {
		g, w := out.Str(c), want.Str(c)
		if !slices.Equal(valsOf(g.Dict), valsOf(w.Dict)) || !slices.Equal(g.Codes, w.Codes) {
			t.Fatalf("%s: %d values, %d rows differ from the builder's %d, %d", c, g.Dict.Len(), len(g.Codes), w.Dict.Len(), len(w.Codes))
		}
	}
}

// TestPresize: a column whose every row brings a new value gets, once it
// has presizeRows rows, the index it would end with for the rows the frame
// expects (Reserve), a third larger than them and a sixteenth, and then
// does not grow; its values are the builder's.
func TestPresize(t *testing.T) {
	const n = 200_000
	for _, reserved := range []int{n, n + n/20, 3 * n} {
		var out Frame
		out.Reserve(reserved)
		stem := func(i int) string { return "/new/" + strconv.Itoa(i) }
		early := 0
		mergeStems(&out, n, stem, func(rows int) {
			if early == 0 && rows >= presizeRows {
				early = len(out.str[Stem].d.long.slots)
			}
		})
		var ref Builder
		ref.Begin(Cols(Stem))
		for i := range n {
			var r Row
			r.Reset()
			r.Str[Stem] = []byte(stem(i))
			ref.Add(&r)
		}
		// The table for the projection and a sixteenth, a third more
		// slots than that: no larger, and room enough for the rows.
		most := (4*(reserved+reserved/16) + 2) / 3
		s := out.str[Stem]
		if got := len(s.d.long.slots); got > most || full(n, got) || early != got {
			t.Errorf("reserved %d: %d slots early, %d at the end; want at most %d, and room for %d values", reserved, early, got, most, n)
		}
		if w := ref.Frame().Str(Stem); !slices.Equal(valsOf(out.Str(Stem).Dict), valsOf(w.Dict)) || !slices.Equal(out.Str(Stem).Codes, w.Codes) {
			t.Fatalf("reserved %d: the frame differs from the builder's", reserved)
		}
	}
}

// valsOf is a copy of the values of d, by code.
func valsOf(d Dict) []string {
	out := make([]string, 0, d.Len())
	for _, v := range d.All() {
		out = append(out, v)
	}
	return out
}

// TestOrderPrefixPastSample: values outside samplePrefix's sample that do
// not share the prefix of those in it (one cut short, others that part
// sooner, the empty value) are sorted as their bytes do, in a dictionary
// packed and in one not.
func TestOrderPrefixPastSample(t *testing.T) {
	restore := SetPackMin(1 << 12)
	defer restore()
	rng := rand.New(rand.NewPCG(5, 8))
	var vals []string
	seen := map[string]bool{}
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	const pre = "https://a.example.org/p/"
	for len(vals) < 4*radixMin {
		if len(vals) == radixMin { // between the sample's first and middle parts
			add("https://a.example.org/") // the sample's prefix cut short
			add("")
			add("h")
			for range 100 {
				add("https://" + string(rune('a'+rng.IntN(3))) + ".example.org/q/" + strconv.Itoa(rng.IntN(1e6)))
			}
		}
		add(pre + strconv.Itoa(rng.IntN(1e6)))
	}
	col := NewStrings()
	for _, v := range vals {
		col.Append([]byte(v))
	}
	for _, d := range []Dict{DictOf(vals...), col.Dict} {
		order := sortedCodes(d)
		if len(order) != len(vals) {
			t.Fatalf("packed %v: %d codes, want %d", d.Packed(), len(order), len(vals))
		}
		for i := 1; i < len(order); i++ {
			if a, b := vals[order[i-1]], vals[order[i]]; a >= b {
				t.Fatalf("packed %v: order %d: %q before %q", d.Packed(), i, a, b)
			}
		}
	}
	if !col.Dict.Packed() {
		t.Fatal("the test's column is not packed")
	}
	if got := samplePrefix(DictOf(vals...)); got != pre {
		t.Fatalf("the sample's prefix is %q: the test does not cut it", got)
	}
}

// TestPackedOrderLongTie: a run of more than radixMin values tied over
// the eight bytes after their shared prefix, sorted by radix on the next
// eight in refineTies, and a few tied further, sort as their bytes do.
func TestPackedOrderLongTie(t *testing.T) {
	restore := SetPackMin(1 << 12)
	defer restore()
	rng := rand.New(rand.NewPCG(7, 9))
	var vals []string
	seen := map[string]bool{}
	for len(vals) < 3*radixMin {
		v := "/p/" + strconv.Itoa(rng.IntN(2)) + "-tied-for-eight-" + strconv.Itoa(rng.IntN(1e8))
		if rng.IntN(50) == 0 {
			v = "/p/0-tied-for-eight-and-then-some-" + strconv.Itoa(rng.IntN(100))
		}
		if !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	col := NewStrings()
	for _, v := range vals {
		col.Append([]byte(v))
	}
	if !col.Dict.Packed() {
		t.Fatal("the test's column is not packed")
	}
	order := sortedCodes(col.Dict)
	if len(order) != len(vals) {
		t.Fatalf("%d codes, want %d", len(order), len(vals))
	}
	for i := 1; i < len(order); i++ {
		if a, b := vals[order[i-1]], vals[order[i]]; a >= b {
			t.Fatalf("order %d: %q before %q", i, a, b)
		}
	}
}

// BenchmarkSortedCodes sorts a packed column of a million distinct values
// as a log of every client new writes them: addresses counted up (a
// prefix the first values share longer than the column's), agents that
// differ only in a version far into a long shared text, and referers
// whose prefix every value shares.
func BenchmarkSortedCodes(b *testing.B) {
	const n = 1 << 20
	for _, c := range []struct {
		name  string
		value func(i int) string
	}{
		{"addresses", func(i int) string {
			return "1." + strconv.Itoa(i>>16) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
		}},
		{"agents", func(i int) string {
			return "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0." + strconv.Itoa(i) + ".0 Safari/537.36"
		}},
		{"referers", func(i int) string { return "https://ref" + strconv.Itoa(i) + ".example.org/from/" + strconv.Itoa(i) }},
	} {
		col := NewStrings()
		for i := range n {
			col.Append([]byte(c.value(i)))
		}
		if !col.Dict.Packed() {
			b.Fatal("the column is not packed")
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				sortedCodes(col.Dict)
			}
		})
	}
}

// TestEmptyNumericColumnsTakeNoMemory: a numeric column declared by every
// batch but missing in all its rows so far is not made; the first batch
// with a value makes it, the rows before it missing, and a column with a
// missing value of 0 (bytes) is made as declared.
func TestEmptyNumericColumnsTakeNoMemory(t *testing.T) {
	d := NewDicts()
	cols := Cols(IP, TimeTaken, UpstreamTime, Bytes)
	var out Frame
	m := NewMerger(&out)
	batch := func(taken float64) {
		b := NewBatch(d)
		b.Begin(cols)
		for i := range 3 {
			var r Row
			r.Reset()
			r.Time = int64(i)
			r.Str[IP] = []byte("192.0.2.1")
			r.Num[TimeTaken] = taken
			b.Add(&r)
		}
		b.Seal()
		m.Append(b)
	}
	batch(math.NaN())
	if out.Num(TimeTaken) != nil || out.Num(UpstreamTime) != nil {
		t.Fatalf("columns missing in every row were made: time_taken %v, upstream_time %v", out.Num(TimeTaken), out.Num(UpstreamTime))
	}
	if len(out.Num(Bytes)) != 3 {
		t.Fatalf("bytes (missing as 0) has %d rows, want 3", len(out.Num(Bytes)))
	}
	batch(0.25)
	got := out.Num(TimeTaken)
	if len(got) != 6 || !math.IsNaN(got[0]) || !math.IsNaN(got[2]) || got[3] != 0.25 || got[5] != 0.25 {
		t.Fatalf("time_taken after a batch with values: %v, want 3 missing then 3 of 0.25", got)
	}
	if out.Num(UpstreamTime) != nil || out.Len() != 6 {
		t.Errorf("upstream_time %v, %d rows", out.Num(UpstreamTime), out.Len())
	}
}
