package analysis

import (
	"slices"
	"testing"

	"github.com/logbook/logbook/frame"
)

// sharedIPChunks cuts chunks of one shared dictionary whose IP columns
// hold vals, a chunk each.
func sharedIPChunks(vals ...[]string) []frame.CodeView {
	sh := frame.NewShared()
	var out []frame.CodeView
	for _, chunk := range vals {
		b := frame.NewBatch(frame.NewDicts())
		b.Begin(frame.Cols(frame.IP))
		for _, v := range chunk {
			var r frame.Row
			r.Reset()
			r.Str[frame.IP] = []byte(v)
			b.Add(&r)
		}
		b.Seal()
		f := new(frame.Frame)
		f.ShareFrom(sh)
		frame.NewMerger(f).Append(b)
		v, _ := f.View(frame.IP)
		out = append(out, v)
	}
	return out
}

// TestDictShared: a Dict fed chunks of a shared dictionary holds exactly
// the values it took, each once, whether it took every one so far (its
// codes the shared ones), left one out (its own codes from then on), or
// had a value interned by string before.
func TestDictShared(t *testing.T) {
	chunks := sharedIPChunks([]string{"a", "b", "a"}, []string{"c", "b", "d"}, []string{"e", "c", "f", "a"})
	skip := map[string]bool{"d": true} // left out of the second chunk: ends ident
	for _, pre := range []string{"", "f"} {
		var d Dict
		if pre != "" {
			d.Code(pre)
		}
		var took []string
		if pre != "" {
			took = append(took, pre)
		}
		for k, v := range chunks {
			need := make([]bool, v.Dict.Len())
			for c, s := range v.Dict.All() {
				need[c] = !skip[s]
			}
			codes := d.CodesOf(&v, need)
			for c, s := range v.Dict.All() {
				if !need[c] {
					continue
				}
				if got := d.At(codes[c]); got != s {
					t.Fatalf("pre %q, chunk %d: %q has code %d, which holds %q", pre, k, s, codes[c], got)
				}
				if !slices.Contains(took, s) {
					took = append(took, s)
				}
			}
		}
		if !slices.Equal(d.Strings, took) {
			t.Errorf("pre %q: the Dict holds %q, want %q", pre, d.Strings, took)
		}
	}
	// Pending: the distinct values of the rows, one left out.
	var p Pending
	s := StrSet{}
	for _, v := range chunks {
		counts := v.Counts()
		for c, str := range v.Dict.All() {
			if skip[str] {
				counts[c] = 0
			}
		}
		p.Add(s, v, counts)
	}
	if n := p.NonEmpty(s); n != 5 {
		t.Errorf("Pending: %d values, want 5 (a, b, c, e, f)", n)
	}
	p.Settle(s)
	if len(s) != 5 || s["d"] {
		t.Errorf("Pending settled: %v", s)
	}
}
