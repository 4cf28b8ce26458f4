// Package ingest reads access logs into a frame.
//
// Sources are files, directories (walked recursively in sorted order), globs
// and standard input; gzip and zstd are recognised by their magic bytes. Each
// source's format is sniffed from its first lines or forced by name. Input is
// cut into chunks at line boundaries and parsed on all cores; the partial
// frames are appended in input order, so the result does not depend on
// scheduling.
//
// A malformed line never stops a run: it is counted per source and the first
// few are kept as *SyntaxError values with source and line number.
package ingest
