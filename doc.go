// Package logbook runs the report pipeline behind the logbook command:
// a [Config] says what to read and what to compute, [Config.Validate]
// checks it against the registries of sections, parameters and formats,
// and [Run] reads the sources, selects the records, runs the sections and
// assembles the report, returning it with the problems met in an
// [Outcome], which [Outcome.Write] writes to the configured outputs.
//
// When every section of a run is an analysis.Partial, Run never holds the
// records in one frame: each chunk the read hands over is selected and
// added to the sections' states, which are finished at the end
// (stream.go). The states can also be saved as a partial file (the
// "partial" output, partialfile.go) and merged by later runs with others
// and with raw inputs (partialrun.go; docs/partials.md).
//
// The packages point one way: the command uses this package, which uses
// report and analysis, which read the frame that ingest fills.
package logbook
