package logbook

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// currentGCPercent reads the collector's percentage without changing it.
func currentGCPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestGCPercentFloor: percentFloor keeps the heap goal at least its floor
// over the live heap, collection after collection, and a percentage set
// afterwards stops it.
func TestGCPercentFloor(t *testing.T) {
	defer debug.SetGCPercent(currentGCPercent())
	g := &gcPolicy{on: true}
	runtime.GC()
	live := [1]metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live[:])
	n := int64(live[0].Value.Uint64())
	g.percentFloor(15, 4*n, 0) // a floor four times the live heap: 400%
	if p := currentGCPercent(); p < 300 {
		t.Fatalf("percent %d with a floor of 4 times the live heap", p)
	}
	g.percentFloor(15, 0, 0)
	if p := currentGCPercent(); p != 15 {
		t.Fatalf("percent %d with no floor, want 15", p)
	}
	g.percentFloor(15, 4*n, 0)
	for range 3 { // the watcher sets it again after each collection
		debug.SetGCPercent(15)
		p := 15
		for deadline := time.Now().Add(5 * time.Second); p < 300 && time.Now().Before(deadline); p = currentGCPercent() {
			runtime.GC() // the watcher runs after a collection, on a goroutine of its own
			time.Sleep(time.Millisecond)
		}
		if p < 300 {
			t.Fatalf("after collections: percent %d", p)
		}
	}
	g.percent(40)
	for range 10 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if p := currentGCPercent(); p != 40 {
		t.Errorf("a percentage set after the floor: %d, want 40", p)
	}
}

// TestGCMemoryLimit: percentFloor sets a memory limit above the heap goal
// and at least its ceiling, made again after collections, and a
// percentage set afterwards puts back the limit found; with GOMEMLIMIT
// set, the user's limit stands.
func TestGCMemoryLimit(t *testing.T) {
	defer debug.SetGCPercent(currentGCPercent())
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	g := newGCPolicy()
	runtime.GC()
	live := [1]metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live[:])
	n := int64(live[0].Value.Uint64())
	g.percentFloor(15, 0, 0)
	if lim := debug.SetMemoryLimit(-1); lim < n*115/100+16<<20 || lim == before {
		t.Fatalf("limit %d over a live heap of %d", lim, n)
	}
	const ceiling = 1 << 40
	g.percentFloor(15, 0, ceiling)
	for range 3 {
		runtime.GC()
		time.Sleep(time.Millisecond)
		if lim := debug.SetMemoryLimit(-1); lim != ceiling {
			t.Fatalf("limit %d, want the ceiling %d", lim, int64(ceiling))
		}
	}
	g.percent(100)
	if lim := debug.SetMemoryLimit(-1); lim != before {
		t.Errorf("limit %d after the analyses, want %d as found", lim, before)
	}

	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30)
	g = newGCPolicy()
	g.percentFloor(15, 0, ceiling)
	if lim := debug.SetMemoryLimit(-1); lim != 1<<30 {
		t.Errorf("limit %d with GOMEMLIMIT=1GiB", lim)
	}
	g.percent(100)
}
