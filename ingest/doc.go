// Package ingest reads access logs into a frame.
//
// Sources are files, directories (walked recursively in sorted order), globs
// and standard input; gzip and zstd are recognised by their magic bytes. Each
// source's format is sniffed from its first lines (as many as it takes to be
// sure, up to 1,000 lines or 1 MiB; a leading run of NUL bytes, as
// copytruncate leaves, is one malformed line), checked again chunk by chunk
// so that a source that changes format part-way is read in each (see
// SourceStats.Formats), or forced by name or format string. Input is
// cut into chunks at line boundaries and parsed on all cores; the partial
// frames are appended in input order, so the result does not depend on
// scheduling.
//
// A malformed line never stops a run: it is counted per source and the first
// few are kept as *SyntaxError values with source and line number.
//
// # Adding a log format
//
// A format is one file, ingest/<format>.go, plus its cases,
// ingest/testdata/<format>.txt; nothing else in the package changes.
// clf.go and cloudfront.go are the models.
//
// A format file registers the format from init (format.go holds the Format
// type, the parser interfaces and the registry):
//
//	func init() {
//		registerFormat(&Format{
//			Name:      "alb",                      // --format, the report, testdata/alb.txt
//			Doc:       "AWS ALB access logs (...)", // one line for the README and --help
//			sniff:     sniffALB,                   // func(line []byte) bool
//			newParser: newALBParser,               // func(header []byte) parser
//		})
//	}
//
// Step by step:
//
//  1. Register the format as above. registerFormat panics on an empty
//     name, a missing sniff or newParser, and a name registered twice.
//     Detection runs every format's sniff on a source's first non-blank
//     lines and picks the format that accepts the most; ties go to the
//     format registered first, so a sniff accepts only lines that are
//     clearly its own.
//
//  2. Write the parser: a type with the two methods of the parser interface.
//     parse(line, r) gets one line without its '\n' (it may still end in
//     '\r'). It calls r.Reset(), then fills r.Time (Unix seconds), r.Offset
//     (seconds east of UTC, when the log says), r.Str (slices of line or of
//     the parser's own scratch buffers, valid until the next parse) and
//     r.Num, and returns kindRecord for a record; kindRepaired for a record
//     read from a line it had to repair (counted apart and shown as an
//     example, with the reason the parser's repairReason method gives, if
//     it has one: see repairingParser in format.go); kindSkip for a blank line or a comment; kindHeader for a
//     directive that changes the layout (columns then says the new set); or
//     an error whose text is why the line is malformed (counted and kept as
//     a SyntaxError: never panic, never stop). columns returns the
//     frame.Set of columns the records fill; an analysis whose columns a
//     source lacks is skipped. The parse path must not allocate: build it
//     from the byte-level helpers in bytes.go (trimEOL, skipSpaces, isDash,
//     allDigits, atoi, splitTabs, parseDecimal, percentDecode, stripPort
//     ...) and the dateCache of clock.go, and keep scratch buffers in the
//     parser. One parser serves one goroutine. Values are checked the same
//     way in every format: a status with statusCode, a byte count with
//     byteCount (never atoi, which wraps past 63 bits), a client with
//     clientAddr; add the format to valueFormats in values_test.go.
//
//  3. If the format has layout directives, as CloudFront's #Fields:, set
//     Format.headerPrefix: Read, which parses chunks in parallel, hands
//     each chunk's parser the last such line before the chunk, as
//     newParser(header). A parser worth keeping from chunk to chunk (it
//     holds caches) also implements reusableParser: reset(header) readies
//     it as newParser(header) would.
//
//  4. Write testdata/<format>.txt (testdata/README.md gives the format):
//     every quirk of the format's lines with the fields expected, and the
//     lines it must refuse with part of the reason. TestParserCases runs
//     them through the Scanner and through Read; TestParserCasesCoverFormats
//     fails while a format has no case. Add a fuzz target seeded from them
//     that calls fuzzLines with the format's name, as FuzzCLF and
//     FuzzCloudFront in fuzz_test.go do. A new fast helper goes into
//     bytes.go, held to the standard library by a test and a fuzz target in
//     bytes_test.go.
//
//  5. A column the frame lacks is added to frame (frame/columns.go) first.
package ingest
