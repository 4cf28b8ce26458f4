//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, user and system, the
// system part, and the minor page faults it took (pages mapped in on first
// touch: fresh memory, or memory handed back and touched again), and
// whether they could be read.
func cpuTime() (rusage, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return rusage{}, false
	}
	return rusage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), sys: time.Duration(ru.Stime.Nano()), faults: int64(ru.Minflt)}, true
}
