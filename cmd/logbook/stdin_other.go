//go:build !linux

package main

import (
	"context"
	"io"
	"os"
)

// interruptibleStdin returns f as it is: only Linux makes a blocked read
// of standard input end on cancellation (see stdin_linux.go); elsewhere
// the program's stop grace ends it.
func interruptibleStdin(_ context.Context, f *os.File) (io.Reader, func()) { return f, func() {} }
