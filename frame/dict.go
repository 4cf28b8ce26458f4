package frame

import "iter"

// Dict is a string column's dictionary as the column hands it out: each
// distinct value once, by code, in first-seen order, up to the last value
// the column held when it was handed out. A column goes on growing while it
// is filled; a Dict taken before keeps the values it had.
//
// Values are read through At and All rather than as a slice, so that how a
// dictionary keeps them is the frame's business: a dictionary of millions
// of distinct values need not hold a string header per value.
// The zero value is an empty dictionary.
type Dict struct {
	vals []string
}

// DictOf returns the dictionary of vals, each at its position. It keeps
// vals, which must not be modified afterwards.
func DictOf(vals ...string) Dict { return Dict{vals: vals[:len(vals):len(vals)]} }

// Len is the number of values.
func (d Dict) Len() int { return len(d.vals) }

// At returns the value of code c.
func (d Dict) At(c uint32) string { return d.vals[c] }

// All yields each code, from 0, with its value.
func (d Dict) All() iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for c, v := range d.vals {
			if !yield(c, v) {
				return
			}
		}
	}
}

// Slice returns the values as one slice, by code, when the dictionary
// keeps them so, without a copy: a reader that keeps every value (a
// state of a run over one frame) can then hold the column's strings
// rather than its own. The slice must not be modified; its capacity is
// its length.
func (d Dict) Slice() ([]string, bool) { return d.vals, true }
