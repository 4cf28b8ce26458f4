// Package analysis holds the investigations a report is made of.
//
// Each investigation is an [Analysis] registered under a stable name with an
// [Info] descriptor. Run takes the frame of records and returns a [Section]:
// an ordered list of notebook cells (prose, the computation in pandas form,
// its tables and plots), findings, and conclusions written from the numbers.
// Analyses compute; they never format HTML or draw. The report package
// renders sections.
package analysis
