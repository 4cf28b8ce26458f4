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

	_ "time/tzdata" // --tz Europe/Berlin works on machines without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "logbook:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}
