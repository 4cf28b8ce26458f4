package frame

import "bytes"

// Strings is a dictionary-encoded string column: Codes[i] indexes Dict, and
// Dict holds each distinct value once, in first-seen order. The empty string
// stands for a missing value. The zero value is an empty column.
type Strings struct {
	Codes []uint32
	Dict  []string

	d dict // Dict is d.vals
}

// NewStrings returns an empty column.
func NewStrings() *Strings { return &Strings{} }

// Intern returns the code of b, adding it to the dictionary if it is new. It
// allocates only when b is new.
func (s *Strings) Intern(b []byte) uint32 {
	c := s.d.intern(b)
	s.Dict = s.d.vals
	return c
}

// InternString is Intern for a string.
func (s *Strings) InternString(v string) uint32 {
	c := s.d.internString(v)
	s.Dict = s.d.vals
	return c
}

// Append adds one value to the column.
func (s *Strings) Append(b []byte) { s.Codes = append(s.Codes, s.Intern(b)) }

// Len is the number of rows.
func (s *Strings) Len() int { return len(s.Codes) }

// Value returns the string at row i.
func (s *Strings) Value(i int) string { return s.Dict[s.Codes[i]] }

// Lookup returns the code of v and whether the column holds it.
func (s *Strings) Lookup(v string) (uint32, bool) { return s.d.lookup(v) }

// Counts returns the number of rows per code, indexed by code.
func (s *Strings) Counts() []int {
	n := make([]int, len(s.Dict))
	for _, c := range s.Codes {
		n[c]++
	}
	return n
}

// Distinct is the number of distinct non-empty values present in rows.
func (s *Strings) Distinct() int {
	n := 0
	for c, k := range s.Counts() {
		if k > 0 && s.Dict[c] != "" {
			n++
		}
	}
	return n
}

// remapFrom interns every value of o's dictionary into s and returns the
// code translation table.
func (s *Strings) remapFrom(o *Strings) []uint32 {
	m := make([]uint32, len(o.Dict))
	for i, v := range o.Dict {
		m[i] = s.InternString(v)
	}
	return m
}

// HasPrefixFold reports whether v starts with prefix, ignoring ASCII case.
func HasPrefixFold(v, prefix string) bool {
	return len(v) >= len(prefix) && bytes.EqualFold([]byte(v[:len(prefix)]), []byte(prefix))
}
