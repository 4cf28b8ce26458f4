package main

import (
	"context"
	"io"
	"os"
	"syscall"
	"time"
)

// interruptibleStdin returns f, standard input, as a reader whose blocked
// Read ends when ctx is cancelled, and a function that puts f back as it
// was. A pipe, FIFO or terminal is switched to non-blocking mode, which
// lets the runtime's poller wait on it with a deadline, and the deadline
// is set to now on cancellation; a regular file never blocks and is
// returned as it is. The mode belongs to the open file, which the shell
// may share: restore must run before the program exits.
func interruptibleStdin(ctx context.Context, f *os.File) (io.Reader, func()) {
	st, err := f.Stat()
	if err != nil || st.Mode().IsRegular() {
		return f, func() {}
	}
	fd := int(f.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		return f, func() {}
	}
	pf := os.NewFile(uintptr(fd), f.Name()) // pollable: fd is non-blocking
	if pf == nil {
		syscall.SetNonblock(fd, false)
		return f, func() {}
	}
	stop := context.AfterFunc(ctx, func() { pf.SetReadDeadline(time.Now()) })
	return pf, func() {
		stop()
		syscall.SetNonblock(fd, false)
	}
}
