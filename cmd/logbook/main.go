// Command logbook turns web access logs into a notebook-style report.
//
//	logbook report [flags] FILE|DIR|GLOB|- ...
//	logbook sections
//	logbook formats
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/logbook/logbook/report"

	_ "time/tzdata" // --tz Europe/Berlin works on machines without zoneinfo
)

// stopGrace is how long a run has, after the first SIGINT or SIGTERM, to
// stop on its own before the program removes the temporary files of the
// writes in progress and exits anyway: a read blocked where no close can
// reach it (opening a FIFO that no one writes to) does not hold it.
const stopGrace = 3 * time.Second

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	stdin, restore := interruptibleStdin(ctx, os.Stdin)
	// exit puts standard input back as it was before any exit.
	exit := func(code int) {
		restore()
		os.Exit(code)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	caught := make(chan os.Signal, 1)
	go func() {
		s := <-sigs
		caught <- s
		fmt.Fprintf(os.Stderr, "\nlogbook: %s: stopping without writing the report (again to quit at once)\n", s)
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(os.Stderr, "logbook: quit at once")
		case <-time.After(stopGrace):
			fmt.Fprintf(os.Stderr, "logbook: the run did not stop within %s; quit without it\n", stopGrace)
		}
		report.RemoveTemporary()
		exit(signalStatus(s))
	}()
	err := run(ctx, os.Args[1:], stdin, os.Stdout, os.Stderr)
	select {
	case s := <-caught:
		fmt.Fprintln(os.Stderr, "logbook: stopped")
		exit(signalStatus(s))
	default:
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "logbook:", errorText(err))
		var ee *exitError
		if errors.As(err, &ee) {
			exit(ee.code)
		}
		exit(1)
	}
	exit(0)
}

// signalStatus is the shell's status for a program ended by signal s:
// 128 plus its number, 130 for SIGINT and 143 for SIGTERM.
func signalStatus(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}
