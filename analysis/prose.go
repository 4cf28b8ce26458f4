package analysis

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Int formats n for people: 14002 → "14,002".
func Int(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Pct formats a fraction as a percentage with two decimals: 0.99556 →
// "99.56%". Tiny non-zero shares say "<0.01%" rather than "0.00%".
func Pct(f float64) string {
	switch {
	case math.IsNaN(f):
		return "n/a"
	case f > 0 && f < 0.00005:
		return "<0.01%"
	case f < 1 && f > 0.99995:
		return ">99.99%"
	}
	return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
}

// Decimal formats x with up to prec decimals, trimming trailing zeros.
func Decimal(x float64, prec int) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Size formats a byte count: 1536 → "1.5 KiB".
func Size(b float64) string {
	if math.IsNaN(b) {
		return "n/a"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for math.Abs(b) >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return Decimal(b, 0) + " B"
	}
	return Decimal(b, 1) + " " + units[i]
}

// Span formats a duration for people: "6 days 23 hours", "89 minutes".
func Span(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		days := int(d / (24 * time.Hour))
		hours := int((d % (24 * time.Hour)) / time.Hour)
		if hours == 0 {
			return Count(days, "day")
		}
		return Count(days, "day") + " " + Count(hours, "hour")
	case d >= 2*time.Hour:
		if m := int((d % time.Hour) / time.Minute); m > 0 {
			return Count(int(d/time.Hour), "hour") + " " + Count(m, "minute")
		}
		return Count(int(d/time.Hour), "hour")
	case d >= 2*time.Minute:
		return Count(int(d/time.Minute), "minute")
	}
	return Count(int(d/time.Second), "second")
}

// Timestamp formats an instant for people, in its own location, the one way
// tables show times: "2024-03-04 12:00:05 +0100".
func Timestamp(t time.Time) string { return t.Format("2006-01-02 15:04:05 -0700") }

// Plural returns word, with an s when n is not 1: Plural(1, "request").
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Count formats "14,002 requests".
func Count(n int, word string) string { return Int(n) + " " + Plural(n, word) }

// Ordinal writes n ≥ 1 as an English ordinal: 1st, 2nd, 3rd, 4th, 11th,
// 12th, 13th, 21st, 1,002nd.
func Ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return Int(n) + suffix
}

// Code quotes a value from a log as inline Markdown code, so that nothing in
// it becomes markup. Backticks inside get a longer fence; newlines and
// control characters are shown escaped; very long values are cut.
func Code(v string) string {
	v = Clean(v, 120)
	if v == "" {
		return "(empty)"
	}
	fence := "`"
	for strings.Contains(v, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(v, "`") || strings.HasSuffix(v, "`") || strings.HasPrefix(v, " ") || strings.HasSuffix(v, " ") {
		pad = " "
	}
	return fence + pad + v + pad + fence
}

// Clean makes a log value printable on one line: invalid UTF-8 and control
// characters become escapes, and values longer than max runes are cut with
// an ellipsis (max ≤ 0 keeps everything).
func Clean(v string, max int) string {
	var b strings.Builder
	n := 0
	for i, r := range v {
		if max > 0 && n == max {
			b.WriteString("…")
			break
		}
		switch {
		case r == 0xFFFD && !strings.HasPrefix(v[i:], "\uFFFD"):
			b.WriteString(`\x` + strconv.FormatUint(uint64(v[i]), 16))
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

// List joins items as "a, b and c".
func List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// orDash shows a missing group key the way the report shows it.
func orDash(v string) string {
	if v == "" {
		return "-"
	}
	return v
}

// Percent is Pct for prose: a share that is a whole percentage reads as one,
// "100%" or "50%", not "100.00%".
func Percent(f float64) string {
	if p := f * 100; !math.IsNaN(p) && p == math.Trunc(p) {
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	}
	return Pct(f)
}

// SpanSeconds is Span for a number of seconds, in days beyond what a
// time.Duration holds (292 years: a stray record dated 9999 makes such a
// span).
func SpanSeconds(sec int64) string {
	const most = int64(math.MaxInt64 / int64(time.Second))
	if sec >= most || sec <= -most {
		return Count(int(sec/86400), "day")
	}
	return Span(time.Duration(sec) * time.Second)
}
