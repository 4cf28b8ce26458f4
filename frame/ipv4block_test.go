package frame

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
)

// TestAppendIPv4: the blocks of addresses take exactly the dotted quads
// that formatIPv4 writes back byte for byte, and nothing else.
func TestAppendIPv4(t *testing.T) {
	good := []string{"0.0.0.0", "1.2.3.4", "10.0.0.1", "255.255.255.255", "192.168.100.200", "8.8.8.8", "100.64.0.10"}
	bad := []string{"", "-", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.00", "00.0.0.0", "256.1.1.1",
		"1.2.3.256", "1.2.3.1000", "1..2.3", ".1.2.3", "1.2.3.", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4:80", "+1.2.3.4",
		"::1", "2001:db8::1", "[1.2.3.4]", "1.2.3.a", "1.2.3.4\n", "1,2,3,4", "0x1.2.3.4", "1.2.3.4.", "255.255.255.2555"}
	for _, v := range good {
		b, ok := appendIPv4(nil, v)
		want := netip.MustParseAddr(v).As4()
		if !ok || string(b) != string(want[:]) {
			t.Errorf("appendIPv4(%q) = %v, %v; want %v", v, b, ok, want)
		}
	}
	for _, v := range bad {
		if b, ok := appendIPv4(nil, v); ok {
			t.Errorf("appendIPv4(%q) took it, as %v", v, b)
		}
	}
	// Every address written canonically goes in and comes out the same.
	rng := rand.New(rand.NewPCG(4, 4))
	vals := make([]string, blockVals)
	for i := range vals {
		var a [4]byte
		for j := range a {
			a[j] = byte(rng.IntN(256))
		}
		if i < 4 {
			a = [4]byte{byte(i * 85), 0, byte(255 - i), 9} // the ends of the range
		}
		vals[i] = netip.AddrFrom4(a).String()
	}
	p := &packed{}
	block := p.encodeBlock(vals)
	if block[0] != blockIPv4 || len(block) != 1+4*blockVals {
		t.Fatalf("a block of addresses is of kind %d, %d bytes; want %d, %d", block[0], len(block), blockIPv4, 1+4*blockVals)
	}
	d := decodeBlock(block)
	for i, v := range vals {
		if got := d.at(i); got != v {
			t.Fatalf("value %d came back %q, want %q", i, got, v)
		}
	}
	// Decoding an S2 block into the same buffers after it, and an
	// address block after that, leaves each block's values as they were.
	other := make([]string, blockVals)
	for i := range other {
		other[i] = "/path/" + strconv.Itoa(i)
	}
	d.decode(p.encodeBlock(other))
	for i, v := range other {
		if got := d.at(i); got != v {
			t.Fatalf("after an address block: value %d came back %q, want %q", i, got, v)
		}
	}
	d.decode(block)
	for i, v := range vals {
		if got := d.at(i); got != v {
			t.Fatalf("decoded again: value %d came back %q, want %q", i, got, v)
		}
	}
}

// TestPackedAddresses: a packed column of client addresses keeps the
// blocks whose values are all dotted quads as addresses, the others (an
// IPv6 client, a missing one, an address with a leading zero) as S2, and
// reads every value back as written, by code, in order and by Values.
func TestPackedAddresses(t *testing.T) {
	defer SetPackMin(1 << 10)()
	const n = 20 * blockVals
	value := func(i int) string {
		switch i {
		case 3*blockVals + 7:
			return "2001:db8::" + strconv.FormatInt(int64(i), 16)
		case 5*blockVals + 255:
			return ""
		case 9 * blockVals:
			return "010.1.2.3" // not as formatted: its block is S2
		}
		return netip.AddrFrom4([4]byte{byte(i >> 16), byte(i >> 8), byte(i), 7}).String()
	}
	s := NewStrings()
	for i := range n {
		s.Append([]byte(value(i)))
	}
	d := s.Dict
	if !d.Packed() || d.Len() != n {
		t.Fatalf("packed %v, %d values; want packed, %d", d.Packed(), d.Len(), n)
	}
	for b, block := range d.blocks {
		want := byte(blockIPv4)
		if b == 3 || b == 5 || b == 9 {
			want = blockS2
		}
		if block[0] != want {
			t.Errorf("block %d is of kind %d, want %d", b, block[0], want)
		}
	}
	for c, v := range d.All() {
		if v != value(c) {
			t.Fatalf("All: value %d is %q, want %q", c, v, value(c))
		}
	}
	next := 0
	d.Scan(0, n, func(c int, v string) {
		if c != next || v != value(c) {
			t.Fatalf("Scan: value %d is %q, want %q", c, v, value(c))
		}
		next++
	})
	rng := rand.New(rand.NewPCG(5, 6))
	codes := make([]uint32, 3000)
	for i := range codes {
		codes[i] = uint32(rng.IntN(n))
	}
	for i, v := range d.Values(codes) {
		if v != value(int(codes[i])) {
			t.Fatalf("Values: code %d is %q, want %q", codes[i], v, value(int(codes[i])))
		}
		if got := d.At(codes[i]); got != v {
			t.Fatalf("At(%d) = %q, want %q", codes[i], got, v)
		}
	}
	for _, c := range []int{0, 1, 3*blockVals + 7, 5*blockVals + 255, 9 * blockVals, n - 1} {
		if got := s.InternString(value(c)); got != uint32(c) {
			t.Errorf("InternString(%q) = %d, want %d", value(c), got, c)
		}
	}
	if s.Dict.Len() != n {
		t.Errorf("interning known values grew the dictionary to %d", s.Dict.Len())
	}
}

// BenchmarkDecodeAddresses: decoding a block of 256 client addresses, as
// addresses and (the first address missing, "-") as S2.
func BenchmarkDecodeAddresses(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	vals := make([]string, blockVals)
	for i := range vals {
		vals[i] = netip.AddrFrom4([4]byte{byte(rng.IntN(223) + 1), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}).String()
	}
	p := &packed{}
	asAddresses := p.encodeBlock(vals)
	vals[0] = "-"
	asS2 := p.encodeBlock(vals)
	for _, c := range []struct {
		name  string
		block []byte
	}{{"addresses", asAddresses}, {"s2", asS2}} {
		b.Run(c.name, func(b *testing.B) {
			var d decoded
			for b.Loop() {
				d.decode(c.block)
			}
			b.ReportMetric(float64(len(c.block)), "block-bytes")
		})
	}
}
