package ingest

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestSplitTabs holds splitTabs to bytes.Split on lines with tabs at every
// position around its 8- and 16-byte steps, runs of tabs, and no tabs.
func TestSplitTabs(t *testing.T) {
	var lines []string
	for n := 0; n <= 40; n++ {
		base := []byte(strings.Repeat("abcdefghij", 5)[:n])
		lines = append(lines, string(base))
		for p := 0; p < n; p++ {
			l := bytes.Clone(base)
			l[p] = '\t'
			lines = append(lines, string(l))
			if p+1 < n {
				l[p+1] = '\t'
				lines = append(lines, string(l))
			}
		}
	}
	lines = append(lines, strings.Repeat("\t", 37), cf33(nil), "ü\tß\t\x00\t\xff")
	for _, l := range lines {
		got := splitTabs([]byte(l), nil)
		want := bytes.Split([]byte(l), []byte{'\t'})
		if len(got) != len(want) {
			t.Fatalf("%q: %d fields, want %d", l, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q: field %d = %q, want %q", l, i, got[i], want[i])
			}
		}
	}
}

// TestParseDecimal holds parseDecimal to strconv.ParseFloat: the same
// float64 for every number CloudFront writes (byte counts, seconds with
// three decimals) and for long ones, and the same refusals.
func TestParseDecimal(t *testing.T) {
	cases := []string{"0", "7", "214182", "0.017", "0.001", "12.345", "5.", ".5", "0.1", "0.3", "2.675",
		"123456789012345", "1234567890123456789", "0.000000000000000000000001", "98765.4321", "00012.50",
		"9007199254740993", "179769313486231570000000000000"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		cases = append(cases, strconv.FormatFloat(float64(r.IntN(100000000))/1000, 'f', 3, 64),
			strconv.FormatFloat(r.Float64()*1e6, 'f', r.IntN(12), 64))
	}
	for _, c := range cases {
		want, err := strconv.ParseFloat(c, 64)
		got, ok := parseDecimal([]byte(c))
		if !ok || err != nil || got != want {
			t.Fatalf("parseDecimal(%q) = %v %v, strconv says %v %v", c, got, ok, want, err)
		}
	}
	for _, c := range []string{"", ".", "-1", "1e5", "1.2.3", "12a", " 1", "0x10", "+1", "1,5"} {
		if _, ok := parseDecimal([]byte(c)); ok {
			t.Errorf("parseDecimal(%q) accepted", c)
		}
	}
}

// TestStripPort checks what is left of Apache's %v:%p in the host column.
func TestStripPort(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"www.example.com:443", "www.example.com"},
		{"www.example.com", "www.example.com"},
		{"localhost:8080", "localhost"},
		{"[2001:db8::1]:443", "[2001:db8::1]"},
		{"2001:db8::1", "2001:db8::1"},
		{"host:", "host:"},
		{":80", ":80"},
		{"host:http", "host:http"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(stripPort([]byte(tc.in))); got != tc.want {
				t.Errorf("stripPort(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzSplitTabs holds splitTabs to bytes.Split, appending to a slice that
// already holds a field.
func FuzzSplitTabs(f *testing.F) {
	f.Add([]byte(cf33(nil)))
	f.Add([]byte("ü\tß\t\x00\t\xff"))
	f.Add([]byte(strings.Repeat("\t", 37)))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, line []byte) {
		got := splitTabs(line, [][]byte{[]byte("first")})
		want := bytes.Split(line, []byte{'\t'})
		if len(got) != len(want)+1 || string(got[0]) != "first" {
			t.Fatalf("%q: %d fields, want %d after the first", line, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i+1], want[i]) {
				t.Fatalf("%q: field %d = %q, want %q", line, i, got[i+1], want[i])
			}
		}
	})
}

// FuzzParseDecimal holds parseDecimal to strconv.ParseFloat. It reads only
// what CloudFront writes: unsigned digits with at most one point and at
// least one digit, up to 30 bytes. Those it must read to the float64
// strconv gives; everything else strconv may accept (signs, exponents,
// "Inf", "0x", underscores, longer numbers) it refuses, on purpose.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "214182", "0.017", "5.", ".5", ".", "", "-1", "1e5", "0x10", "+1", "1_0",
		"123456789012345", "1234567890123456789", "0.000000000000000000000001", "9007199254740993",
		"179769313486231570000000000000", "1797693134862315700000000000001", "Inf", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDecimal([]byte(s))
		digits, points := 0, 0
		for _, c := range []byte(s) {
			switch {
			case c >= '0' && c <= '9':
				digits++
			case c == '.':
				points++
			default:
				points = 2 // not a plain decimal
			}
		}
		plain := digits > 0 && points <= 1 && len(s) <= 30
		if !plain {
			if ok {
				t.Fatalf("parseDecimal(%q) = %v, want a refusal", s, got)
			}
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || !ok || got != want {
			t.Fatalf("parseDecimal(%q) = %v %v, strconv says %v %v", s, got, ok, want, err)
		}
	})
}

// lenientUnescape is the reference for percentDecode: net/url.PathUnescape
// ('+' stays '+'), except that a '%' that does not start a valid escape
// (PathUnescape's error) is kept as it is, as percentDecode keeps it.
func lenientUnescape(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && !validEscapeAt(s, i) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(s[i])
	}
	out, err := url.PathUnescape(b.String())
	if err != nil {
		t.Fatalf("reference: %v", err)
	}
	return out
}

// validEscapeAt reports whether s holds an escape at i that
// net/url.PathUnescape decodes.
func validEscapeAt(s string, i int) bool {
	if s[i] != '%' || i+3 > len(s) {
		return false
	}
	_, err := url.PathUnescape(s[i : i+3])
	return err == nil
}

// FuzzPercentDecode holds percentDecode and hasEscape to net/url. Where
// PathUnescape fails on an invalid escape ("100%", "%zz"), percentDecode
// keeps the bytes as they are: CloudFront writes such values and they are
// still worth counting. QueryUnescape agrees too, except that it reads '+'
// as a space; CloudFront logs paths, where '+' is a '+'.
func FuzzPercentDecode(f *testing.F) {
	for _, s := range []string{"", "%", "%2", "%20", "/a%2Fb/100%", "Bazel%2Frelease%207.6.2%zz", "%2520", "%252B",
		"%%341", "a+b%2Bc", "%e2%82%ac", "%C3%28", "%00%ff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := lenientUnescape(t, s)
		got, again := percentDecode([]byte("prefix"), []byte(s))
		if string(got) != "prefix"+want {
			t.Fatalf("percentDecode(%q) = %q, want %q", s, got[len("prefix"):], want)
		}
		if wantAgain := strings.Contains(strings.ToLower(s), "%25"); again != wantAgain {
			t.Errorf("percentDecode(%q) again = %v, want %v", s, again, wantAgain)
		}
		// In place, as decode's second pass runs.
		buf := []byte(s)
		if inPlace, _ := percentDecode(buf[:0], buf); string(inPlace) != want {
			t.Errorf("in place: percentDecode(%q) = %q, want %q", s, inPlace, want)
		}
		if _, err := url.PathUnescape(s); err == nil {
			if !strings.Contains(s, "+") {
				if q, err := url.QueryUnescape(s); err != nil || q != want {
					t.Errorf("QueryUnescape(%q) = %q %v, want %q", s, q, err, want)
				}
			}
		}
		wantEscape := false
		for i := range len(s) {
			wantEscape = wantEscape || validEscapeAt(s, i)
		}
		if hasEscape([]byte(s)) != wantEscape {
			t.Errorf("hasEscape(%q) = %v, want %v", s, !wantEscape, wantEscape)
		}
	})
}

// TestByteCount holds byteCount to strconv.ParseInt on digits.
func TestByteCount(t *testing.T) {
	for _, v := range []string{"0", "7", "0012", "9223372036854775807", "9223372036854775808",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "", "-1", "+1", "1.0", "1e3", " 1"} {
		got, ok := byteCount([]byte(v))
		want, err := strconv.ParseInt(v, 10, 64)
		wantOK := err == nil && v != "" && v[0] >= '0' && v[0] <= '9'
		if ok != wantOK || ok && got != float64(want) {
			t.Errorf("byteCount(%q) = %v, %v; want %v, %v", v, got, ok, float64(want), wantOK)
		}
	}
}

func TestClientAddr(t *testing.T) {
	for v, want := range map[string]string{
		"[2001:db8::1]":      "2001:db8::1",
		"[2001:db8::1]:443":  "2001:db8::1",
		"[::1]":              "::1",
		"2001:db8::1":        "2001:db8::1",
		"192.0.2.1":          "192.0.2.1",
		"[192.0.2.1]":        "[192.0.2.1]", // not IPv6: as written
		"[2001:db8::1]:":     "[2001:db8::1]:",
		"[2001:db8::1]x":     "[2001:db8::1]x",
		"[2001:db8::1":       "[2001:db8::1",
		"[]":                 "[]",
		"[2001:db8::1]:44x3": "[2001:db8::1]:44x3",
	} {
		if got := string(clientAddr([]byte(v))); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", v, got, want)
		}
	}
}
