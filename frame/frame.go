package frame

import (
	"math"
	"sync"
	"time"
)

// Row is one parsed record, as a format parser fills it. Byte slices point
// into the parser's buffer and are only valid until the next record.
type Row struct {
	Time   int64 // Unix seconds
	Offset int32 // seconds east of UTC the log was written in
	Str    [NumStrCols][]byte
	Num    [NumNumCols]float64
}

// Reset clears r for the next record: no strings, 0 bytes, other numbers NaN.
func (r *Row) Reset() {
	r.Str = [NumStrCols][]byte{}
	r.Num = missingNums
}

var missingNums = func() (v [NumNumCols]float64) {
	for i := range v {
		v[i] = math.NaN()
	}
	v[Bytes] = 0
	return v
}()

// Frame is a set of records in columns. Columns no source filled are absent:
// Str returns nil and Num returns nil for them.
type Frame struct {
	Time   []int64 // Unix seconds, one per row
	Offset int32   // the first record's UTC offset in seconds
	// Runs are the log formats the rows were read in, run by run in row
	// order (the rows of Runs[0] first); empty when not known (a frame
	// built by hand). A chunk of ingest.Options.Chunks is one run.
	Runs []FormatRun

	str [NumStrCols]*Strings
	num [NumNumCols][]float64

	reserved int     // rows Reserve made room for
	chunk    bool    // the dictionaries share their strings (Chunk)
	shared   *Shared // the run's dictionaries the chunk is cut from (ShareFrom)

	filledMu   sync.Mutex // guards the cache of Filled: sections ask concurrently
	filled     Set
	filledRows int // 1 + the rows when filled was computed; 0 before
}

// Len is the number of rows.
func (f *Frame) Len() int { return len(f.Time) }

// UnpackedBytes is what the string columns' packed dictionaries would
// take as strings (their values' bytes and a header each), 0 when none is
// packed: the memory the frame saves, which the analyses' scratch (they
// decode the values they read) is in proportion to.
func (f *Frame) UnpackedBytes() int64 {
	var n int64
	for _, s := range f.str {
		if s != nil && s.d.pk != nil {
			n += int64(s.d.size)
		}
	}
	return n
}

// Distinct is the number of distinct values the string columns cols
// hold, all together: about the rows times the columns where nearly every
// value is new, a small part of the rows in the usual log. It is cheap
// (the dictionaries' lengths), for a reader judging how the rows repeat.
func (f *Frame) Distinct(cols ...StrCol) int {
	n := 0
	for _, c := range cols {
		if s := f.str[c]; s != nil {
			n += s.d.n()
		}
	}
	return n
}

// FormatRun is a run of rows read in one log format.
type FormatRun struct {
	Format string
	Rows   int
}

// AddRun records that the next rows rows were read in format.
func (f *Frame) AddRun(format string, rows int) {
	if k := len(f.Runs); k > 0 && f.Runs[k-1].Format == format {
		f.Runs[k-1].Rows += rows
		return
	}
	f.Runs = append(f.Runs, FormatRun{format, rows})
}

// Str returns a string column, or nil when the frame lacks it.
func (f *Frame) Str(c StrCol) *Strings {
	s := f.str[c]
	if s != nil {
		s.widen()
	}
	return s
}

// View returns a string column's codes without widening them, and whether
// the frame has the column. See CodeView.
func (f *Frame) View(c StrCol) (CodeView, bool) {
	s := f.str[c]
	if s == nil {
		return CodeView{}, false
	}
	return s.view(), true
}

// Num returns a numeric column, or nil when the frame lacks it.
func (f *Frame) Num(c NumCol) []float64 { return f.num[c] }

// Columns is the set of columns the frame has.
func (f *Frame) Columns() Set {
	var s Set
	for i, c := range f.str {
		s.Str[i] = c != nil
	}
	for i, c := range f.num {
		s.Num[i] = c != nil
	}
	return s
}

// Filled is the set of columns that hold data: a string column with a
// non-empty value in at least one row, a numeric column with a value that
// is not missing (not NaN; for Bytes, where "-" is 0, not 0). A JSON source
// declares every column its layouts may fill (Columns has them all); Filled
// says which ones this log actually wrote, so that a section needing a
// column runs only when there is something in it. Values enter a frame's
// dictionaries only when a row holds them, so a string column is checked
// on its dictionary; a numeric one up to its first value. The result is
// cached until rows are added.
func (f *Frame) Filled() Set {
	f.filledMu.Lock()
	defer f.filledMu.Unlock()
	if f.filledRows == len(f.Time)+1 {
		return f.filled
	}
	var s Set
	for i, c := range f.str {
		if c == nil {
			continue
		}
		for _, v := range c.d.view().All() {
			if v != "" {
				s.Str[i] = true
				break
			}
		}
	}
	for i, v := range f.num {
		missing := func(x float64) bool { return math.IsNaN(x) }
		if NumCol(i) == Bytes {
			missing = func(x float64) bool { return x == 0 || math.IsNaN(x) }
		}
		for _, x := range v {
			if !missing(x) {
				s.Num[i] = true
				break
			}
		}
	}
	f.filled, f.filledRows = s, len(f.Time)+1
	return s
}

// Location is the fixed zone of the first record's offset: where the log was
// written, and where days and hours are counted unless the user says otherwise.
func (f *Frame) Location() *time.Location {
	return FixedZone(int(f.Offset))
}

// FixedZone names a UTC offset the way logs write it (+0200, -0430; UTC for 0).
func FixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	sign, o := '+', offset
	if o < 0 {
		sign, o = '-', -o
	}
	name := string(sign) + twoDigits(o/3600) + twoDigits(o%3600/60)
	return time.FixedZone(name, offset)
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }

// ensure makes the columns of cols present, filling earlier rows with the
// missing value.
func (f *Frame) ensure(cols Set) {
	n := len(f.Time)
	size := max(n, f.reserved, 1024)
	for i, want := range cols.Str {
		if want && f.str[i] == nil {
			s := newNarrowStrings()
			if f.shared != nil {
				if sc := f.shared.col(StrCol(i)); sc != nil {
					s = newSharedStrings(sc)
				}
			}
			if f.chunk && s.sh == nil {
				s.d = newSharingDict()
			}
			s.reserve(size)
			if n > 0 {
				s.appendFill(s.InternString(""), n, size)
			}
			f.str[i] = s
		}
	}
	for i, want := range cols.Num {
		if want && f.num[i] == nil {
			v := make([]float64, n, size)
			fill := missingNums[i]
			for j := range v {
				v[j] = fill
			}
			f.num[i] = v
		}
	}
}

// Chunk marks an empty frame as a chunk of a run read chunk by chunk: its
// dictionaries keep the strings the parsing goroutines give them rather
// than copies, as a frame's did before its dictionaries hid their headers
// from the collector (vals.go). A chunk lives for one step of the run and
// holds a bounded number of rows, so its headers cost the collector
// little, where a copy of every value a chunk holds was more memory in
// flight: a peak of 263 MB rather than 230 MB on 10M lines, 397 MB
// rather than 310 MB on 50M.
func (f *Frame) Chunk() { f.chunk = true }

// Builder appends rows to a frame. Declare the columns each source fills
// with Begin before adding its rows.
type Builder struct {
	f       Frame
	started bool
}

// NewBuilder returns a builder for an empty frame.
func NewBuilder() *Builder { return &Builder{} }

// Begin declares the columns the following rows fill. Columns the frame has
// but the source does not get missing values.
func (b *Builder) Begin(cols Set) {
	b.f.ensure(cols)
}

// Add appends one row.
func (b *Builder) Add(r *Row) {
	if !b.started {
		b.f.Offset = r.Offset
		b.started = true
	}
	b.f.Time = append(b.f.Time, r.Time)
	for i := range b.f.str {
		if s := b.f.str[i]; s != nil {
			s.Append(r.Str[i])
		}
	}
	for i := range b.f.num {
		if b.f.num[i] != nil {
			b.f.num[i] = append(b.f.num[i], r.Num[i])
		}
	}
}

// Len is the number of rows added so far.
func (b *Builder) Len() int { return len(b.f.Time) }

// Frame returns the frame built so far. The builder must not be used after.
func (b *Builder) Frame() *Frame { return &b.f }

// Append adds the rows of o to f, translating o's dictionary codes into f's.
// Columns only one side has are filled with missing values on the other.
func (f *Frame) Append(o *Frame) {
	if o.Len() == 0 {
		return
	}
	if f.Len() == 0 {
		f.Offset = o.Offset
	}
	f.ensure(o.Columns())
	n := o.Len()
	for i, s := range f.str {
		if s == nil {
			continue
		}
		if os := o.str[i]; os != nil {
			os.widen()
			m := s.remapFrom(os)
			codes := make([]uint32, len(os.Codes))
			for j, c := range os.Codes {
				codes[j] = m[c]
			}
			s.appendCodes(codes, f.reserved)
		} else {
			s.appendFill(s.InternString(""), n, f.reserved)
		}
	}
	for i, v := range f.num {
		if v == nil {
			continue
		}
		if ov := o.num[i]; ov != nil {
			f.num[i] = append(v, ov...)
		} else {
			fill := missingNums[i]
			for range n {
				v = append(v, fill)
			}
			f.num[i] = v
		}
	}
	f.Time = append(f.Time, o.Time...)
}

// DropIndexes lets go of the index of every string column's dictionary,
// keeping the values and codes: once the last row is added, nothing is
// interned into the frame's dictionaries any more, and on a log of a
// million distinct addresses, paths, agents and referers their indexes
// were some 165 MB held through the analyses. Look-ups (Strings.Lookup,
// CodeView.Lookup) still answer as before, reading the dictionary until
// they are many, when the index is built again; so does appending to the
// frame (Append, a Merger), which builds a column's index again first.
//
// The look-ups of the values of keep are made first, from the index, and
// their answers kept: a value the analyses look up by name (a client
// shown as "-", "/robots.txt") is then answered at once, where its first
// look-up read the whole dictionary (on a million distinct values, a pass
// decoding every packed block). A column whose index was already let go
// keeps the answers it has.
func (f *Frame) DropIndexes(keep ...string) {
	for _, s := range f.str {
		if s != nil {
			s.dropIndex(keep)
		}
	}
}
