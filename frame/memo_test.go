package frame

import (
	"strconv"
	"testing"
)

// TestMemoForget: a memo is built once and shared; Forget drops only the
// memos it matches, and a forgotten memo asked for again is built again,
// which Memos counts.
func TestMemoForget(t *testing.T) {
	var b Builder
	b.Begin(Cols(IP, UserAgent))
	var r Row
	// Enough IPs and agents that the pairs are counted by grouping the
	// rows (a memo), not in an array of every cell.
	for i := range 6000 {
		r.Reset()
		r.Str[IP] = []byte("ip " + strconv.Itoa(i%3000))
		r.Str[UserAgent] = []byte("agent " + strconv.Itoa(i%1000))
		b.Add(&r)
	}
	f := b.Frame()
	ips, _ := f.View(IP)
	agents, _ := f.View(UserAgent)
	type aKey struct{}
	builds := 0
	build := func() any { builds++; return new(int) }
	first := ips.Memo(aKey{}, build)
	if again := ips.Memo(aKey{}, build); again != first || builds != 1 {
		t.Fatalf("a memo asked for twice: built %d times, same value %v", builds, again == first)
	}
	if a, b := PairCounts(ips, agents, nil), PairCounts(ips, agents, nil); len(a) != len(b) || len(a) != 3000 {
		t.Fatalf("pair counts: %d and %d pairs, want 3000", len(a), len(b))
	}
	RowPairs(ips, agents)
	if held, built := ips.Memos(); held != 3 || built != 3 {
		t.Fatalf("held %d, built %d memos; want 3 and 3 (the test's, the groups and the pairs)", held, built)
	}
	ips.Forget(func(k any) bool { _, ok := k.(GroupsKey); return ok })
	if held, _ := ips.Memos(); held != 2 {
		t.Fatalf("after forgetting the groups, %d memos held, want 2", held)
	}
	if ips.Memo(aKey{}, build) != first || builds != 1 {
		t.Fatal("forgetting the groups rebuilt another memo")
	}
	ips.Forget(func(k any) bool { _, ok := k.(aKey); return ok })
	if ips.Memo(aKey{}, build) == first || builds != 2 {
		t.Fatalf("a forgotten memo asked for again: built %d times in all, want 2, and a new value", builds)
	}
	if held, built := ips.Memos(); held != 2 || built != 4 {
		t.Fatalf("held %d, built %d memos; want 2 and 4", held, built)
	}
	if held, built := agents.Memos(); held != 0 || built != 0 {
		t.Fatalf("the other column holds %d memos, built %d", held, built)
	}
}
