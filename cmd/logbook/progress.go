package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress returns a callback that shows bytes read on stderr when it is a
// terminal, at most a few times a second, and a function that clears that
// line once the read is over; otherwise a nil callback (no output).
func progress(stderr io.Writer) (report func(int64), done func()) {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil, func() {}
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil, func() {}
	}
	var total atomic.Int64
	var mu sync.Mutex
	last := time.Now()
	start := last
	shown := false
	done = func() {
		mu.Lock()
		defer mu.Unlock()
		if shown {
			fmt.Fprint(f, "\r\033[K") // back to the start of the line, and erase it
			shown = false
		}
	}
	return func(n int64) {
		t := total.Add(n)
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) > 200*time.Millisecond {
			last = now
			mb := float64(t) / (1 << 20)
			fmt.Fprintf(f, "\rlogbook: read %.0f MiB (%.0f MiB/s) ", mb, mb/now.Sub(start).Seconds())
			shown = true
		}
	}, done
}

// phaseClock prints, with --timings, how long each phase of a run took and
// when it ended, counted from the clock's start.
type phaseClock struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
}

func newPhaseClock(w io.Writer, on bool) *phaseClock {
	now := time.Now()
	return &phaseClock{w: w, on: on, start: now, last: now}
}

func (c *phaseClock) lap(name string) {
	if !c.on {
		return
	}
	now := time.Now()
	fmt.Fprintf(c.w, "logbook: timing: %-32s %8s (at %s)%s\n", name,
		now.Sub(c.last).Round(time.Millisecond), now.Sub(c.start).Round(time.Millisecond), memory())
	c.last = now
}

// memory reads the resident set size and its peak so far from
// /proc/self/status where there is one (Linux).
func memory() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	var rss, peak string
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "VmRSS":
			rss = strings.TrimSpace(v)
		case "VmHWM":
			peak = strings.TrimSpace(v)
		}
	}
	if rss == "" {
		return ""
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf(", RSS %s, peak %s, heap %d MB live+garbage, %d MB idle", rss, peak, ms.HeapAlloc>>20, (ms.HeapIdle-ms.HeapReleased)>>20)
}
