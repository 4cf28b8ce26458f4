package ingest

import (
	"bytes"
	"math/rand/v2"
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
