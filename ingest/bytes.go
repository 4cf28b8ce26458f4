package ingest

// Byte-level helpers the line parsers share. They work on the line in
// place and never allocate: every format's parse path is built from them.
// Each hand-written fast path here is held to the standard library by a
// test and a fuzz target in bytes_test.go.

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strconv"
)

// trimEOL drops the CR, spaces and tabs that end a line.
func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\r' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// skipSpaces drops the spaces that start b.
func skipSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
}

// isSpace reports whether c is ASCII white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// isDash reports whether b is "-", the value logs write for "none".
func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// allDigits reports whether b holds only ASCII digits (true when empty).
func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// atoi parses digits already checked by allDigits.
func atoi(b []byte) int64 {
	var n int64
	for _, c := range b {
		n = n*10 + int64(c-'0')
	}
	return n
}

// stripPort drops the ":port" Apache's %v:%p adds to the virtual host, so
// that the host column holds host names (as CloudFront's does) and one site
// served over http and https is one host. A bare IPv6 address is left whole.
func stripPort(h []byte) []byte {
	i := bytes.LastIndexByte(h, ':')
	if i <= 0 || i == len(h)-1 || !allDigits(h[i+1:]) {
		return h
	}
	host := h[:i]
	if bytes.IndexByte(host, ':') >= 0 && (host[0] != '[' || host[len(host)-1] != ']') {
		return h
	}
	return host
}

// splitTabs appends the tab-separated fields of line to f. It finds the tabs
// of sixteen bytes at a time, as two words with each tab byte's high bit
// set: CloudFront's fields are many and short, and a call to bytes.IndexByte
// per field costs more than the field; two independent words a step keep
// the processor busier than one.
func splitTabs(line []byte, f [][]byte) [][]byte {
	const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	start, i := 0, 0
	for ; i+16 <= len(line); i += 16 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ ('\t' * ones)
		y := binary.LittleEndian.Uint64(line[i+8:]) ^ ('\t' * ones)
		// High bit set exactly in the bytes of x (y) that are zero.
		mx := ^((x&lows + lows) | x) & highs
		my := ^((y&lows + lows) | y) & highs
		if mx|my == 0 {
			continue
		}
		for mx != 0 {
			j := i + bits.TrailingZeros64(mx)>>3
			f = append(f, line[start:j])
			start = j + 1
			mx &= mx - 1
		}
		for my != 0 {
			j := i + 8 + bits.TrailingZeros64(my)>>3
			f = append(f, line[start:j])
			start = j + 1
			my &= my - 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == '\t' {
			f = append(f, line[start:i])
			start = i + 1
		}
	}
	return append(f, line[start:])
}

// percentDecode appends src to dst with %XX escapes decoded, and reports
// whether an escape decoded to '%' (so that the result may hold escapes
// again). dst may be src[:0]: the output never runs ahead of the input.
func percentDecode(dst, src []byte) (out []byte, again bool) {
	n := len(dst)
	dst = slices.Grow(dst, len(src))[:n+len(src)]
	w := n
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '%' && i+2 < len(src) && isHex(src[i+1]) && isHex(src[i+2]) {
			c = unhex(src[i+1])<<4 | unhex(src[i+2])
			again = again || c == '%'
			i += 2
		}
		dst[w] = c
		w++
	}
	return dst[:w], again
}

// hasEscape reports whether b holds a %XX escape percentDecode would decode.
func hasEscape(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '%')
		if i < 0 {
			return false
		}
		if i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
			return true
		}
		b = b[i+1:]
	}
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unhex is the value of the hexadecimal digit c (checked by isHex).
func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// parseDecimal parses an unsigned decimal such as 214182 or 0.017 without
// allocating, to the same float64 as strconv.ParseFloat: with up to 15
// significant digits, the digits as an integer and the power of ten are
// both exact, and one division rounds correctly; longer numbers go to
// strconv.
func parseDecimal(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 30 {
		return 0, false
	}
	var mant uint64
	sig, frac, i := 0, 0, 0 // significant digits, digits after the point
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		mant = mant*10 + uint64(b[i]-'0')
		if mant != 0 {
			sig++
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			mant = mant*10 + uint64(b[i]-'0')
			if mant != 0 {
				sig++
			}
			frac++
		}
	}
	if i != len(b) || (i == 1 && b[0] == '.') {
		return 0, false
	}
	if sig > 15 || frac >= len(pow10) {
		x, err := strconv.ParseFloat(string(b), 64)
		return x, err == nil
	}
	return float64(mant) / pow10[frac], true
}

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// The value checks every format shares, so that a value is refused (the
// line malformed) the same way whichever format it comes in.

// statusCode reports whether v is an HTTP status: three digits from 100 to
// 599, the five classes RFC 9110 section 15 defines. A format that
// documents another value (CloudFront's 000, "-" where no response was
// sent) accepts it before calling this.
func statusCode(v []byte) bool {
	return len(v) == 3 && v[0] >= '1' && v[0] <= '5' &&
		v[1] >= '0' && v[1] <= '9' && v[2] >= '0' && v[2] <= '9'
}

// byteCount parses a count of bytes: ASCII digits whose value fits in a
// signed 64-bit integer. A longer number is refused, never wrapped into a
// negative total; so are signs, points and exponents.
func byteCount(v []byte) (float64, bool) {
	if len(v) == 0 || len(v) > 19 {
		return 0, false
	}
	var n uint64 // 19 digits fit in 64 unsigned bits
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return float64(n), true
}

// validCount reports whether x, a byte count read as a number from its
// text v (JSON), is one: v as byteCount takes it, or else a whole number
// from 0 below 2^63 (1.5e3, say).
func validCount(v []byte, x float64) bool {
	if allDigits(v) {
		_, ok := byteCount(v)
		return ok
	}
	return x >= 0 && x < 1<<63 && x == math.Trunc(x)
}

// clientAddr returns the address of a client field written with brackets,
// "[2001:db8::1]" or "[2001:db8::1]:443", without them (and the port);
// "-" (no address: Apache's %{X-Forwarded-For}i without the header) as
// empty, as every format stores a missing client; any other value as it
// is.
func clientAddr(v []byte) []byte {
	if isDash(v) {
		return nil
	}
	if len(v) < 3 || v[0] != '[' {
		return v
	}
	end := bytes.IndexByte(v, ']')
	switch {
	case end < 2:
		return v
	case end == len(v)-1:
	case v[end+1] == ':' && end+2 < len(v) && allDigits(v[end+2:]):
	default:
		return v
	}
	if bytes.IndexByte(v[1:end], ':') < 0 {
		return v // not an IPv6 address
	}
	return v[1:end]
}
