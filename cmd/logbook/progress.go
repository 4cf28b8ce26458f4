package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logbook/logbook/ingest"
)

// progress returns a callback that shows bytes read on stderr when it is a
// terminal, at most a few times a second, and a function that clears that
// line once the read is over; otherwise a nil callback (no output).
func progress(stderr io.Writer, sources []ingest.Source) (report func(int64), done func()) {
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
			fmt.Fprintf(f, "\rlogbook: read %.0f MiB from %d sources (%.0f MiB/s) ", mb, len(sources), mb/now.Sub(start).Seconds())
			shown = true
		}
	}, done
}
