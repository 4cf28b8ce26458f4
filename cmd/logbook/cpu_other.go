//go:build !unix

package main

// cpuTime is not read on this system.
func cpuTime() (rusage, bool) { return rusage{}, false }
