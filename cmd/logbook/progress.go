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

// progress returns a callback that shows the read's progress on stderr
// when it is a terminal (and not quiet), at most a few times a second, a
// callback that learns the total size before the read, and a function that
// clears the line once the read is over; otherwise nil callbacks (no
// output).
func progress(stderr io.Writer, quiet bool) (report func(int64), total func(int64), done func()) {
	f, ok := stderr.(*os.File)
	if !ok || quiet {
		return nil, nil, func() {}
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil, nil, func() {}
	}
	var read, size atomic.Int64
	size.Store(-1)
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
		t := read.Add(n)
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) > 200*time.Millisecond {
			last = now
			fmt.Fprint(f, "\r\033[K"+progressLine(t, size.Load(), now.Sub(start)))
			shown = true
		}
	}, func(n int64) { size.Store(n) }, done
}

// progressLine is what the progress line says after read bytes of total
// (-1: unknown) in elapsed: a bar, the share done and the time left when
// the total is known, the bytes and the rate always.
func progressLine(read, total int64, elapsed time.Duration) string {
	mb := float64(read) / (1 << 20)
	rate := mb / max(elapsed.Seconds(), 1e-3)
	if total <= 0 {
		return fmt.Sprintf("logbook: read %.0f MiB (%.0f MiB/s) ", mb, rate)
	}
	share := min(float64(read)/float64(total), 1)
	const width = 24
	filled := int(share * width)
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	line := fmt.Sprintf("logbook: reading [%s] %3.0f%% of %.0f MiB, %.0f MiB/s", bar, share*100, float64(total)/(1<<20), rate)
	if share > 0.02 && elapsed > time.Second {
		left := time.Duration(float64(elapsed) * (1 - share) / share)
		line += ", about " + roundLeft(left) + " left"
	}
	return line + " "
}

// roundLeft says a time left as a person would: 5 s, 40 s, 3 min, 1 h 10 min.
func roundLeft(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%d s", int(d.Seconds())+1)
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds())/10*10+10)
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes())+1)
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}

// phaseClock prints, with --timings, how long each phase of a run took and
// when it ended, counted from the clock's start, and the CPU time the
// process used in it (user and system, all threads: on two cores up to
// twice the phase's time).
type phaseClock struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
	used  rusage
}

// rusage is what the process used so far (cpuTime): CPU time, user and
// system, its system part, and minor page faults.
type rusage struct {
	cpu, sys time.Duration
	faults   int64
}

func newPhaseClock(w io.Writer, on bool) *phaseClock {
	now := time.Now()
	c := &phaseClock{w: w, on: on, start: now, last: now}
	c.used, _ = cpuTime()
	return c
}

func (c *phaseClock) lap(name string) {
	if !c.on {
		return
	}
	now := time.Now()
	cpu := ""
	if u, ok := cpuTime(); ok {
		cpu = fmt.Sprintf(", CPU %s (system %s, %d page faults)", (u.cpu - c.used.cpu).Round(time.Millisecond),
			(u.sys - c.used.sys).Round(time.Millisecond), u.faults-c.used.faults)
		c.used = u
	}
	fmt.Fprintf(c.w, "logbook: timing: %-32s %8s (at %s)%s%s\n", name,
		now.Sub(c.last).Round(time.Millisecond), now.Sub(c.start).Round(time.Millisecond), cpu, memory())
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
