package report

import (
	"strconv"
	"time"

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
// for its output format. Every time is shown one way, in its own location
// (analysis.Timestamp); a Duration for people ("6 days 23 hours"); a Typed
// value (a Mixed column's) by its own kind, a size in it for people
// ("3.6 GiB").
func FormatValue(v any, k analysis.Kind) string {
	switch v := v.(type) {
	case nil:
		if k == analysis.Time || k == analysis.Duration {
			return "NaT" // pandas' missing time or timedelta
		}
		return "NaN"
	case string:
		if v == "" {
			return ""
		}
		return analysis.Clean(v, maxCellRunes)
	case int:
		switch k {
		case analysis.Text:
			return strconv.Itoa(v)
		case analysis.Duration:
			return analysis.SpanSeconds(int64(v))
		}
		return analysis.Int(v)
	case float64:
		switch k {
		case analysis.Share:
			return analysis.Decimal(v, 6)
		case analysis.Integer, analysis.Bytes:
			return analysis.Decimal(v, 0)
		case analysis.Seconds:
			return analysis.Decimal(v, 3)
		case analysis.Duration:
			return analysis.SpanSeconds(int64(v))
		}
		return analysis.Decimal(v, 4)
	case time.Time:
		return analysis.Timestamp(v)
	case analysis.Typed:
		// A key/value table is read by people, not sorted by analysts:
		// its sizes say "3.6 GiB" (the JSON keeps the number).
		if v.Kind == analysis.Bytes {
			switch b := v.V.(type) {
			case int:
				return analysis.Size(float64(b))
			case float64:
				return analysis.Size(b)
			}
		}
		return FormatValue(v.V, v.Kind)
	}
	return "?"
}

// numeric reports whether a column is right-aligned: numbers are; text,
// days, times and mixed values are not.
func numeric(k analysis.Kind) bool {
	switch k {
	case analysis.Text, analysis.Date, analysis.Time, analysis.Mixed:
		return false
	}
	return true
}
