package frame

import "testing"

// TestMakeWritten: a table made with its pages written is a zeroed table
// of the length asked, below and above the size pages are written from,
// for element sizes that do and do not divide a page.
func TestMakeWritten(t *testing.T) {
	type odd struct {
		a uint64
		b [3]byte
	}
	for _, n := range []int{0, 1, 8191, 8192, 8193, 100_003} {
		u := MakeWritten[uint64](n)
		o := MakeWritten[odd](n)
		if len(u) != n || len(o) != n {
			t.Fatalf("n=%d: lengths %d and %d", n, len(u), len(o))
		}
		for i := range u {
			if u[i] != 0 || o[i] != (odd{}) {
				t.Fatalf("n=%d: element %d not zero", n, i)
			}
		}
	}
}
