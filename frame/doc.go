// Package frame holds access-log records in columns: a time column, numeric
// columns as plain []float64 slices that go straight into gonum's stat and
// floats packages, and string columns dictionary-encoded as []uint32 codes
// plus a dictionary in first-seen order, read through Dict: a dictionary
// past 16 MB keeps its values packed in compressed blocks (packed.go), so
// that its readers read them in order (All) and look up few (At).
//
// A Builder fills a frame one record at a time without keeping a string per
// field alive when the dictionary already has it; frames built in parallel
// from chunks of input are joined with Append, which remaps codes.
package frame
