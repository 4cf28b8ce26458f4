package ingest

import (
	"strings"
	"testing"
)

// The line parsers' fuzz targets, seeded from the inputs of testdata/*.txt:
// no input makes a parser panic, and the Scanner and Read agree on every
// input (records, their values, the malformed and repaired lines), whatever
// the chunks Read cuts the input into.

// clfFamily is the formats the NCSA parser reads, in the order FuzzCLF picks
// them by its first argument.
var clfFamily = []string{"combined", "common", "vhost_combined", "vhost_common"}

// fuzzLines runs one input through the Scanner and through Read with the
// default chunks and with chunks of chunk+1 bytes, and holds Read to the
// Scanner.
func fuzzLines(t *testing.T, format string, chunk uint8, data []byte) {
	f := LookupFormat(format)
	text := string(data)
	s := scanPath(f, text)
	for _, c := range []int{0, int(chunk%64) + 1} {
		agree(t, s, readPath(t, f, text, c))
	}
}

func FuzzCLF(f *testing.F) {
	cases := allCases(f)
	for i, name := range clfFamily {
		for _, c := range cases[name] {
			f.Add(uint8(i), uint8(0), []byte(c.text()))
		}
	}
	// Old Mac OS line ends, and a NUL run before them.
	f.Add(uint8(0), uint8(5), []byte(strings.ReplaceAll(string(numberedCombined(4)), "\n", "\r")))
	f.Add(uint8(0), uint8(9), []byte("\x00\x00\r"+strings.ReplaceAll(string(numberedCombined(3)), "\n", "\r")+"x\r\n"))
	f.Fuzz(func(t *testing.T, format, chunk uint8, data []byte) {
		fuzzLines(t, clfFamily[int(format)%len(clfFamily)], chunk, data)
	})
}

func FuzzCloudFront(f *testing.F) {
	for _, c := range allCases(f)["cloudfront"] {
		f.Add(uint8(0), []byte(c.text()))
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		fuzzLines(t, "cloudfront", chunk, data)
	})
}
