// Package logbook runs the report pipeline behind the logbook command:
// a [Config] says what to read and what to compute, [Config.Validate]
// checks it against the registries of sections, parameters and formats,
// and [Run] reads the sources, selects the records, runs the sections and
// assembles the report, returning it with the problems met in an
// [Outcome], which [Outcome.Write] writes to the configured outputs.
//
// The packages point one way: the command uses this package, which uses
// report and analysis, which read the frame that ingest fills.
package logbook
