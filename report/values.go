package report

import (
	"strconv"

	"github.com/logbook/logbook/analysis"
)

// Display limits shared by the renderers.
const (
	maxCellRunes = 200  // longer log values are cut in tables (the JSON keeps them whole)
	headRows     = 10   // a long table shows its head ...
	tailRows     = 5    // ... and tail, like pandas
	longTable    = 20   // tables with more rows than this are cut
	maxFullRows  = 1000 // the "full table" view shows at most this many rows
)

// FormatValue shows one table value as text, by its column kind. Log
// strings are made printable and cut; the caller still escapes the result
// for its output format.
func FormatValue(v any, k analysis.Kind) string {
	switch v := v.(type) {
	case nil:
		return "NaN"
	case string:
		if v == "" {
			return ""
		}
		return analysis.Clean(v, maxCellRunes)
	case int:
		if k == analysis.Text {
			return strconv.Itoa(v)
		}
		return analysis.Int(v)
	case float64:
		switch k {
		case analysis.Fraction:
			return analysis.Float(v, 6)
		case analysis.Integer, analysis.Bytes:
			return analysis.Float(v, 0)
		case analysis.Seconds:
			return analysis.Float(v, 3)
		}
		return analysis.Float(v, 4)
	}
	return "?"
}

// numeric reports whether a column is right-aligned.
func numeric(k analysis.Kind) bool { return k != analysis.Text }
