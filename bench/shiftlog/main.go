// Command shiftlog copies a combined (or common) access log with every
// timestamp moved by a number of days: the same traffic on other dates, for
// benchmarks that need several inputs of the same size that no partial file
// takes for one another (bench/README.md: merging partials).
//
//	go run ./bench/shiftlog -days 7 /tmp/bench/c10m.log > /tmp/bench/c10m-w2.log
//
// A line whose bracketed timestamp does not parse is copied as it is.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

const layout = "02/Jan/2006:15:04:05 -0700"

func main() {
	days := flag.Int("days", 7, "days to move every timestamp by (negative: earlier)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: shiftlog [-days N] FILE (- for standard input)")
		os.Exit(2)
	}
	in := io.Reader(os.Stdin)
	if name := flag.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "shiftlog:", err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	if err := shift(in, out, *days); err != nil {
		fmt.Fprintln(os.Stderr, "shiftlog:", err)
		os.Exit(1)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "shiftlog:", err)
		os.Exit(1)
	}
}

// shift copies in to out, each line's first [timestamp] moved by days.
// Only the date part changes (a whole number of days keeps the time of day
// and the offset), so each distinct date is parsed once.
func shift(in io.Reader, out io.Writer, days int) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	dates := map[string][]byte{} // "04/Mar/2024" → the date moved
	for sc.Scan() {
		line := sc.Bytes()
		if i := bytes.IndexByte(line, '['); i >= 0 && len(line) >= i+1+len(layout)+1 && line[i+1+len(layout)] == ']' {
			date := line[i+1 : i+12]
			moved, ok := dates[string(date)]
			if !ok {
				if t, err := time.Parse(layout, string(line[i+1:i+1+len(layout)])); err == nil {
					moved = []byte(t.AddDate(0, 0, days).Format(layout)[:11])
				}
				dates[string(date)] = moved
			}
			if moved != nil {
				copy(line[i+1:], moved)
			}
		}
		if _, err := out.Write(line); err != nil {
			return err
		}
		if _, err := out.Write([]byte{'\n'}); err != nil {
			return err
		}
	}
	return sc.Err()
}
