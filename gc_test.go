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
	g.percentFloor(15, 4*n) // a floor four times the live heap: 400%
	if p := currentGCPercent(); p < 300 {
		t.Fatalf("percent %d with a floor of 4 times the live heap", p)
	}
	g.percentFloor(15, 0)
	if p := currentGCPercent(); p != 15 {
		t.Fatalf("percent %d with no floor, want 15", p)
	}
	g.percentFloor(15, 4*n)
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
