package frame

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"sync"
)

// Strings is a dictionary-encoded string column: Codes[i] indexes Dict, and
// Dict holds each distinct value once, in first-seen order. The empty string
// stands for a missing value. The zero value is an empty column.
type Strings struct {
	Codes []uint32
	Dict  Dict

	d dict // Dict is d.vals

	// A column a frame fills keeps its codes as narrow as its dictionary
	// allows, one byte (up to 256 values) or two (up to 65,536), until
	// Frame.Str hands it out and widens it to Codes: a column no analysis
	// asks for (a protocol, a TLS version, a CloudFront enumeration) costs
	// a byte a row rather than four. width is 0 when the codes are in Codes.
	width int
	n8    []uint8
	n16   []uint16
	mu    sync.Mutex // guards widening and order: analyses ask for columns concurrently

	// order is the dictionary's codes sorted by their strings, made by
	// the first Order call for a dictionary of orderN values.
	order  []uint32
	orderN int

	memos memoTable // values derived from the column (memo.go)

	// scans counts the look-ups that read the dictionary one value at a
	// time since its index was let go (DropIndexes), and scanned their
	// answers, which several analyses ask for ("/robots.txt"); guarded by
	// mu.
	scans   int
	scanned map[string]scanAnswer

	presized bool // the index was made for the rows the frame expects (presize)

	// A chunk's column cut from a run's shared dictionary (shared.go):
	// sh while the chunk is filled, lin and each code's shared code in
	// global for as long as the column holds those values.
	sh         *sharedCol
	lin        *Lineage
	global     []uint32
	sharedVals []string // the shared dictionary's values up to the last of global
}

// presizeRows is how many rows a column has before presize judges it.
const presizeRows = 1 << 16

// presize makes the dictionary's index room for about the rows the frame
// expects (reserved, Frame.Reserve), once, when nearly every row so far
// brought a new value: such a column goes on, and its index grown one
// doubling at a time moved every slot again at each, two fifths of
// interning a million new values. The table is made for the projection
// and a sixteenth (index.reserve: a third more slots than that): one from
// the first lines of a log of a million was 1,108,580, and a projection
// short of the rows costs one doubling at the end. A table in a power of
// two of slots, at most half full, was 16 MB a column for a million
// values; this one is 12.6 MB.
func (s *Strings) presize(reserved int) {
	rows := s.rows()
	if s.presized || s.sh != nil || rows < presizeRows || reserved <= rows || 10*s.d.n() < 9*rows || !s.d.long.all {
		return
	}
	s.presized = true
	s.d.long.reserve(reserved + reserved/16)
	// A dictionary on its way past packMin packs now, rather than once
	// its values and their headers have grown there (the headers' block
	// doubling up to 16 MB a column first).
	if d := &s.d; d.packable && d.pk == nil && d.size/d.n()*(reserved-reserved/10) >= packMin {
		d.pack()
	}
}

// scansMax is how many look-ups scan a dictionary whose index was let go
// before the index is built again: analyses look up a few strings each
// ("/robots.txt", "POST": those a run names are answered before the
// index goes, Frame.DropIndexes), a scan reads every value (a pass
// decoding every block of a packed dictionary), and whatever looks up
// more pays for one index.
const scansMax = 8

// newNarrowStrings returns an empty column that keeps its codes narrow.
func newNarrowStrings() *Strings {
	s := &Strings{width: 1, d: newCompactDict()}
	s.d.packable = true
	return s
}

// widthFor is the bytes a code needs for a dictionary of n values.
func widthFor(n int) int {
	switch {
	case n <= 1<<8:
		return 1
	case n <= 1<<16:
		return 2
	}
	return 0
}

// rows is the number of codes, in whichever form they are.
func (s *Strings) rows() int {
	switch s.width {
	case 1:
		return len(s.n8)
	case 2:
		return len(s.n16)
	}
	return len(s.Codes)
}

// setWidth moves the codes to width w (0: Codes), with room for capRows.
func (s *Strings) setWidth(w, capRows int) {
	n := s.rows()
	capRows = max(capRows, n)
	switch w {
	case 1:
		return // a column only ever widens
	case 2:
		v := make([]uint16, n, capRows)
		for i, c := range s.n8 {
			v[i] = uint16(c)
		}
		s.n8, s.n16, s.width = nil, v, 2
		return
	default:
		v := make([]uint32, n, capRows)
		if s.width == 1 {
			for i, c := range s.n8 {
				v[i] = uint32(c)
			}
		} else {
			for i, c := range s.n16 {
				v[i] = uint32(c)
			}
		}
		s.Codes = v
	}
	s.n8, s.n16, s.width = nil, nil, 0
}

// fit widens the codes if the dictionary has outgrown their width.
func (s *Strings) fit(capRows int) {
	if s.width == 0 {
		return
	}
	if w := widthFor(s.Dict.Len()); w == 0 || w > s.width {
		s.setWidth(w, capRows)
	}
}

// appendCodes appends codes of the dictionary, keeping room for capRows.
func (s *Strings) appendCodes(codes []uint32, capRows int) {
	s.fit(capRows)
	switch s.width {
	case 1:
		for _, c := range codes {
			s.n8 = append(s.n8, uint8(c))
		}
	case 2:
		for _, c := range codes {
			s.n16 = append(s.n16, uint16(c))
		}
	default:
		s.Codes = append(s.Codes, codes...)
	}
}

// appendFill appends n copies of code c.
func (s *Strings) appendFill(c uint32, n, capRows int) {
	s.fit(capRows)
	switch s.width {
	case 1:
		for range n {
			s.n8 = append(s.n8, uint8(c))
		}
	case 2:
		for range n {
			s.n16 = append(s.n16, uint16(c))
		}
	default:
		for range n {
			s.Codes = append(s.Codes, c)
		}
	}
}

// reserve makes room for rows codes in all.
func (s *Strings) reserve(rows int) {
	extra := rows - s.rows()
	if extra <= 0 {
		return
	}
	switch s.width {
	case 1:
		s.n8 = slices.Grow(s.n8, extra)
	case 2:
		s.n16 = slices.Grow(s.n16, extra)
	default:
		s.Codes = slices.Grow(s.Codes, extra)
	}
}

// widen moves narrow codes to Codes, once.
func (s *Strings) widen() {
	s.mu.Lock()
	if s.width != 0 {
		s.setWidth(0, 0)
	}
	s.mu.Unlock()
}

// NewStrings returns an empty column.
func NewStrings() *Strings {
	s := &Strings{d: newCompactDict()}
	s.d.packable = true
	return s
}

// Intern returns the code of b, adding it to the dictionary if it is new. It
// allocates only when b is new.
func (s *Strings) Intern(b []byte) uint32 {
	if s.sh != nil {
		c := s.localOf(s.sh.d.intern(b))
		s.Dict = s.d.view()
		return c
	}
	if s.d.unindexed {
		s.reindex()
	}
	c := s.d.intern(b)
	s.Dict = s.d.view() // an append to Dict copies it: the rest of the block is the dictionary's
	return c
}

// InternString is Intern for a string.
func (s *Strings) InternString(v string) uint32 {
	if s.sh != nil {
		c := s.localOf(s.sh.d.internString(v))
		s.Dict = s.d.view()
		return c
	}
	if s.d.unindexed {
		s.reindex()
	}
	c := s.d.internString(v)
	s.Dict = s.d.view()
	return c
}

// internStrings sets out[k] to the code of vs[k], interning each in order
// (as InternString one at a time would, faster on a large dictionary).
func (s *Strings) internStrings(vs []string, out []uint32) {
	if s.sh != nil {
		s.sh.d.internStrings(vs, out)
		for k, g := range out {
			out[k] = s.localOf(g)
		}
		s.Dict = s.d.view()
		return
	}
	if s.d.unindexed {
		s.reindex()
	}
	s.d.internStrings(vs, out)
	s.Dict = s.d.view()
}

// Append adds one value to the column.
func (s *Strings) Append(b []byte) {
	c := s.Intern(b)
	if s.width != 0 {
		s.appendCodes([]uint32{c}, 0)
		return
	}
	s.Codes = append(s.Codes, c)
}

// Len is the number of rows.
func (s *Strings) Len() int { return s.rows() }

// Value returns the string at row i.
func (s *Strings) Value(i int) string {
	if s.width != 0 {
		s.widen()
	}
	return s.Dict.At(s.Codes[i])
}

// Lookup returns the code of v and whether the column holds it. Once the
// column's index was let go (Frame.DropIndexes), it reads the dictionary
// value by value, up to scansMax times, and then builds the index again.
func (s *Strings) Lookup(v string) (uint32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d.unindexed {
		if a, ok := s.scanned[v]; ok {
			return a.code, a.ok
		}
		if s.scans < scansMax {
			s.scans++
			c, ok := s.d.scan(v)
			if s.scanned == nil {
				s.scanned = map[string]scanAnswer{}
			}
			s.scanned[strings.Clone(v)] = scanAnswer{c, ok}
			return c, ok
		}
		s.d.reindex()
	}
	return s.d.lookup(v)
}

// scanAnswer is a look-up's answer, found by a scan.
type scanAnswer struct {
	code uint32
	ok   bool
}

// dropIndex lets go of the dictionary's index, its look-ups of keep
// answered first and kept (Frame.DropIndexes).
func (s *Strings) dropIndex(keep []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d.unindexed {
		return // its values are as they were: the answers it has stand
	}
	var answers map[string]scanAnswer
	if len(keep) > 0 {
		answers = make(map[string]scanAnswer, len(keep))
		for _, v := range keep {
			c, ok := s.d.lookup(v)
			answers[v] = scanAnswer{c, ok}
		}
	}
	s.d.dropIndex()
	s.scans, s.scanned = 0, answers
}

// reindex builds the dictionary's index again, for a value to be interned
// into a column whose index was let go.
func (s *Strings) reindex() {
	s.mu.Lock()
	s.d.reindex()
	s.scanned = nil // answered by the index from now on
	s.mu.Unlock()
}

// Counts returns the number of rows per code, indexed by code. It reads the
// codes in whatever width the column keeps them.
func (s *Strings) Counts() []int { return s.view().Counts() }

// Distinct is the number of distinct non-empty values present in rows.
func (s *Strings) Distinct() int {
	n := 0
	empty, hasEmpty := s.Dict.Empty()
	for c, k := range s.Counts() {
		if k > 0 && !(hasEmpty && uint32(c) == empty) {
			n++
		}
	}
	return n
}

// remapFrom interns every value of o's dictionary into s and returns the
// code translation table.
func (s *Strings) remapFrom(o *Strings) []uint32 {
	m := make([]uint32, o.Dict.Len())
	for i, v := range o.Dict.All() {
		m[i] = s.InternString(v)
	}
	return m
}

// HasPrefixFold reports whether v starts with prefix, ignoring ASCII case.
func HasPrefixFold(v, prefix string) bool {
	return len(v) >= len(prefix) && bytes.EqualFold([]byte(v[:len(prefix)]), []byte(prefix))
}

// CodeView reads a column's codes in whatever width the column keeps them,
// without widening it: for an analysis that only walks a column with a
// small dictionary (a protocol, an edge result type), this saves the three
// bytes a row that Frame.Str would add. A view taken before the column is
// widened stays valid: it keeps the narrow codes it was given.
type CodeView struct {
	Dict Dict
	col  *Strings
	// lin and global: the column's shared dictionary, if any (Global).
	lin        *Lineage
	global     []uint32
	sharedVals []string
	n8         []uint8
	n16        []uint16
	n32        []uint32
}

// Len is the number of rows.
func (v CodeView) Len() int { return len(v.n8) + len(v.n16) + len(v.n32) }

// At returns the code of row i.
func (v CodeView) At(i int) uint32 {
	switch {
	case v.n8 != nil:
		return uint32(v.n8[i])
	case v.n16 != nil:
		return uint32(v.n16[i])
	}
	return v.n32[i]
}

// Lookup returns the code of v, if the column holds it.
func (v CodeView) Lookup(s string) (uint32, bool) {
	if v.col == nil {
		return 0, false
	}
	return v.col.Lookup(s)
}

// Find is Lookup for any view: the column's look-up (its index, or the
// scans it keeps the answers of once its index was let go, shared by every
// reader of the column) for a view of a column, a scan of the view's
// dictionary for a view of none. A value the column took after the view
// was made is not the view's.
func (v CodeView) Find(s string) (uint32, bool) {
	if v.col == nil {
		return v.Dict.Find(s)
	}
	c, ok := v.col.Lookup(s)
	if !ok || int(c) >= v.Dict.Len() {
		return 0, false
	}
	return c, true
}

// Counts returns the number of rows per code, indexed by code.
func (v CodeView) Counts() []int {
	n := make([]int, v.Dict.Len())
	switch {
	case v.n8 != nil:
		for _, c := range v.n8 {
			n[c]++
		}
	case v.n16 != nil:
		for _, c := range v.n16 {
			n[c]++
		}
	default:
		for _, c := range v.n32 {
			n[c]++
		}
	}
	return n
}

// Used returns a bit per code of the dictionary, bit c%64 of word c/64
// set when some row holds code c: which values the rows hold, where
// Counts would spend eight bytes a code (on a million distinct values, 8
// MB rather than 125 kB).
func (v CodeView) Used() []uint64 {
	bits := make([]uint64, (v.Dict.Len()+63)/64)
	switch {
	case v.n8 != nil:
		for _, c := range v.n8 {
			bits[c/64] |= 1 << (c % 64)
		}
	case v.n16 != nil:
		for _, c := range v.n16 {
			bits[c/64] |= 1 << (c % 64)
		}
	default:
		for _, c := range v.n32 {
			bits[c/64] |= 1 << (c % 64)
		}
	}
	return bits
}

// view returns the column's codes as they are now.
// View returns the column's codes without widening them.
func (s *Strings) View() CodeView { return s.view() }

func (s *Strings) view() CodeView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := CodeView{Dict: s.Dict, col: s, lin: s.lin, global: s.global, sharedVals: s.sharedVals}
	switch s.width {
	case 1:
		v.n8 = s.n8[:len(s.n8):len(s.n8)]
		if v.n8 == nil {
			v.n8 = []uint8{}
		}
	case 2:
		v.n16 = s.n16[:len(s.n16):len(s.n16)]
		if v.n16 == nil {
			v.n16 = []uint16{}
		}
	default:
		v.n32 = s.Codes
	}
	return v
}

// Order returns the codes of the dictionary sorted by their strings
// (bytewise, the empty string first). It is computed once per column and
// shared by every caller, who must not modify it: several analyses sort
// by the same keys (client IPs), and a dictionary of a million distinct
// values costs a second or so of string comparisons to sort.
func (v CodeView) Order() []uint32 {
	if v.col == nil {
		return sortedCodes(v.Dict)
	}
	s := v.col
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.order == nil || s.orderN != s.Dict.Len() {
		s.order, s.orderN = sortedCodes(s.Dict), s.Dict.Len()
	}
	if len(s.order) != v.Dict.Len() {
		// The view was taken before the dictionary grew.
		return sortedCodes(v.Dict)
	}
	return s.order
}

// sortedCodes sorts the codes of dict by their strings. Each code is sorted
// with its string's first eight bytes as a big-endian number (zeros past
// its end), which orders strings as their bytes do up to a tie: most
// comparisons are of two numbers, and only ties read the strings.
//
// The eight bytes are taken after the prefix every non-empty value shares
// (prefixKeys): referers all starting "https://", or paths "/item/",
// would otherwise tie on every comparison. Skipping a shared prefix keeps
// the order, and the empty string still comes first (its key is 0; a tie
// is settled by the strings).
func sortedCodes(dict Dict) []uint32 {
	type key = sortKey
	keys := make([]key, dict.Len())
	// Over a packed dictionary the pass that makes the keys takes the
	// next eight bytes too, for refineTies' first round: ties are the rule
	// there (a million addresses share far more than their first eight
	// bytes), and a second pass decoded every block again.
	var next []uint64
	if dict.Packed() && len(keys) >= radixMin {
		next = make([]uint64, len(keys))
	}
	skip := prefixKeys(dict, keys, next)
	byString := func(a, b key) int { return strings.Compare(dict.Peek(a.code), dict.Peek(b.code)) }
	if len(keys) < radixMin {
		slices.SortFunc(keys, func(a, b key) int {
			if a.prefix != b.prefix {
				return cmp.Compare(a.prefix, b.prefix)
			}
			return byString(a, b)
		})
	} else {
		// By the numbers (radixSort), then each run of equal numbers
		// by the strings: the same order, without twenty comparisons
		// a value through a function.
		keys = radixSort(keys, make([]key, len(keys)))
		if dict.Packed() {
			// Ties are settled eight bytes at a time, each round reading
			// the values in order, rather than by comparing strings each
			// decoded from its block at random.
			settleTies(dict, keys, refineTies(dict, keys, skip+8, next))
		} else {
			for _, r := range tiedRuns(keys) {
				slices.SortFunc(keys[r[0]:r[1]], byString)
			}
		}
	}
	order := make([]uint32, dict.Len())
	for i, k := range keys {
		order[i] = k.code
	}
	return order
}

// radixSort sorts keys by their prefixes, radixBits at a time from the
// last, moving them between keys and tmp (of the same length), and returns
// the one that holds them sorted. The counts of every digit are taken in
// one pass; a digit every key has alike moves nothing and is skipped.
func radixSort(keys, tmp []sortKey) []sortKey {
	const digits = (64 + radixBits - 1) / radixBits
	const mask = 1<<radixBits - 1
	var counts [digits][1 << radixBits]int
	for _, k := range keys {
		p := k.prefix
		for d := range counts {
			counts[d][p>>(radixBits*d)&mask]++
		}
	}
	for d := range counts {
		at := &counts[d]
		shift := uint(radixBits * d)
		if at[keys[0].prefix>>shift&mask] == len(keys) {
			continue
		}
		pos := 0
		for v, n := range at {
			at[v], pos = pos, pos+n
		}
		for _, k := range keys {
			v := k.prefix >> shift & mask
			tmp[at[v]] = k
			at[v]++
		}
		keys, tmp = tmp, keys
	}
	return keys
}

// radixBits is the width of radixSort's digits: six passes over the keys
// for 64 bits, each counting into 2,048 places (16 KB).
const radixBits = 11

// prefixKeys sets keys[c] to the code c and the eight bytes of its value
// that follow the prefix every non-empty value shares, and returns the
// prefix's length. The prefix is taken from a sample of the values
// (prefixSample) and checked against every value as its key is made, in
// the same pass; should a value not share it all, that pass has found the
// prefix they all share, and the keys are made again after it. With next,
// it sets next[c] to the eight bytes of c's value after its key's.
func prefixKeys(dict Dict, keys []sortKey, next []uint64) int {
	first := samplePrefix(dict)
	for skip := len(first); ; {
		n := skip
		dict.Scan(0, dict.Len(), func(i int, v string) {
			if n > 0 && v != "" && (len(v) < n || v[:n] != first[:n]) {
				n = sharedLen(v, first[:n])
			}
			keys[i] = sortKey{prefixAt(v, skip), uint32(i)}
			if next != nil {
				next[i] = prefixAt(v, skip+8)
			}
		})
		if n == skip {
			return skip
		}
		skip = n
	}
}

// prefixAt is the eight bytes of v from off on as a big-endian number,
// zeros past its end: read in one load where v has them all.
func prefixAt(v string, off int) uint64 {
	if len(v) >= off+8 {
		s := v[off : off+8]
		return uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
			uint64(s[4])<<24 | uint64(s[5])<<16 | uint64(s[6])<<8 | uint64(s[7])
	}
	var p uint64
	for j := off; j < off+8; j++ {
		p <<= 8
		if j < len(v) {
			p |= uint64(v[j])
		}
	}
	return p
}

// samplePrefix is the prefix shared by the non-empty values of a sample of
// dict: the first prefixSample values, as many from the middle, and the
// last, so that a dictionary whose values drift (client addresses counted
// up, paths that change as a site grows) is seldom read twice.
func samplePrefix(dict Dict) string {
	n := dict.Len()
	first := sharedPrefix(dict, 0, min(n, prefixSample))
	for _, lo := range []int{n/2 - prefixSample/2, n - prefixSample} {
		if lo >= prefixSample && first != "" {
			p := sharedPrefix(dict, lo, lo+prefixSample)
			first = first[:sharedLen(first, p)]
		}
	}
	return first
}

// prefixSample is how many values each of the three parts of
// samplePrefix's sample holds.
const prefixSample = 1 << 9

// sharedLen is the length of the prefix a and b share.
func sharedLen(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// sortKey is a value's code and the eight bytes of it it is sorted by.
type sortKey struct {
	prefix uint64
	code   uint32
}

// tiedRuns are the runs [lo, hi) of two or more keys with equal prefixes
// in keys, sorted by them.
func tiedRuns(keys []sortKey) [][2]int {
	var runs [][2]int
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j].prefix == keys[i].prefix {
			j++
		}
		if j-i > 1 {
			runs = append(runs, [2]int{i, j})
		}
		i = j
	}
	return runs
}

// refineTies sorts each run of keys with equal prefixes (keys sorted by
// them) by the next eight bytes of their values from off on, read in one
// pass over a packed dictionary, and again for the runs still tied, up to
// refineRounds times. It returns the runs still tied, for the strings to
// settle. The keys' prefixes are the last bytes read. A non-nil next
// holds the bytes from off on of every value already (prefixKeys), for the
// first round.
func refineTies(dict Dict, keys []sortKey, off int, next []uint64) [][2]int {
	runs := tiedRuns(keys)
	if len(runs) == 0 {
		return nil
	}
	given := next != nil // the first round's bytes, read by prefixKeys
	if !given {
		next = make([]uint64, dict.Len())
	}
	var need []bool
	var tmp []sortKey // radixSort's, for a long run
	for round := 0; round < refineRounds && len(runs) > 0; round++ {
		if round > 0 || !given {
			if need == nil {
				need = make([]bool, dict.Len())
			}
			for _, r := range runs {
				for _, k := range keys[r[0]:r[1]] {
					need[k.code] = true
				}
			}
			dict.Scan(0, dict.Len(), func(c int, v string) {
				if need[c] {
					need[c] = false
					next[c] = prefixAt(v, off)
				}
			})
		}
		var tied [][2]int
		for _, r := range runs {
			g := keys[r[0]:r[1]]
			for i := range g {
				g[i].prefix = next[g[i].code]
			}
			if len(g) >= radixMin {
				tmp = slices.Grow(tmp[:0], len(g))[:len(g)]
				if sorted := radixSort(g, tmp); &sorted[0] != &g[0] {
					copy(g, sorted)
				}
			} else {
				slices.SortFunc(g, func(a, b sortKey) int { return cmp.Compare(a.prefix, b.prefix) })
			}
			for _, t := range tiedRuns(g) {
				tied = append(tied, [2]int{r[0] + t[0], r[0] + t[1]})
			}
		}
		runs = tied
		off += 8
	}
	return runs
}

// refineRounds is how many rounds of eight bytes refineTies reads.
const refineRounds = 4

// settleTies sorts each run of keys by their strings, copied out of a
// packed dictionary in one pass in order (only the values of the runs).
func settleTies(dict Dict, keys []sortKey, runs [][2]int) {
	if len(runs) == 0 {
		return
	}
	at := make([]int32, dict.Len()) // a tied value's index in vals, plus 1
	n := 0
	for _, r := range runs {
		for _, k := range keys[r[0]:r[1]] {
			n++
			at[k.code] = int32(n)
		}
	}
	vals := make([]string, n)
	dict.Scan(0, dict.Len(), func(c int, v string) {
		if i := at[c]; i > 0 {
			vals[i-1] = strings.Clone(v)
		}
	})
	for _, r := range runs {
		slices.SortFunc(keys[r[0]:r[1]], func(a, b sortKey) int { return strings.Compare(vals[at[a.code]-1], vals[at[b.code]-1]) })
	}
}

// radixMin is the size from which sortedCodes sorts by radix.
const radixMin = 1 << 12

// sharedPrefix is the prefix every non-empty value of codes lo to hi of
// dict shares ("" when none is).
func sharedPrefix(dict Dict, lo, hi int) string {
	var first string
	m := -1
	dict.Scan(lo, hi, func(_ int, v string) {
		if v == "" || m == 0 {
			return
		}
		if m < 0 {
			first, m = strings.Clone(v), len(v) // v lasts for the call
			return
		}
		m = sharedLen(v, first[:m])
	})
	return first[:max(m, 0)]
}
