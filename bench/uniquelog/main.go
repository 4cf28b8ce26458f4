// Command uniquelog writes a combined access log in which every client IP,
// path, user agent and referer is distinct: the high-cardinality case that
// bench/README.md measures against a typical log of the same length.
//
//	go run ./bench/uniquelog -n 1000000 -o /tmp/bench/u1m.log
//
// The output is deterministic: a week from 2024-03-04 00:00 UTC, lines evenly
// spaced, statuses and sizes drawn from a fixed seed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of lines")
	out := flag.String("o", "-", "output file (- for standard output)")
	flag.Parse()
	if err := write(*n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "uniquelog:", err)
		os.Exit(1)
	}
}

func write(n int, path string) error {
	f := os.Stdout
	if path != "-" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	statuses := []string{"200", "200", "200", "200", "200", "200", "304", "301", "404", "500"}
	methods := []string{"GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST", "HEAD", "GET"}
	var line []byte
	for i := range n {
		t := start.Add(time.Duration(int64(week) / int64(max(n, 1)) * int64(i)))
		// The client: i spread over 1.0.0.0 upwards, one address per line.
		ip := uint32(0x01000000 + i)
		line = line[:0]
		line = strconv.AppendUint(line, uint64(ip>>24), 10)
		line = append(line, '.')
		line = strconv.AppendUint(line, uint64(ip>>16&255), 10)
		line = append(line, '.')
		line = strconv.AppendUint(line, uint64(ip>>8&255), 10)
		line = append(line, '.')
		line = strconv.AppendUint(line, uint64(ip&255), 10)
		line = append(line, " - - ["...)
		line = t.AppendFormat(line, "02/Jan/2006:15:04:05 -0700")
		line = append(line, "] \""...)
		line = append(line, methods[rng.IntN(len(methods))]...)
		line = append(line, " /item/"...)
		line = strconv.AppendInt(line, int64(i), 36)
		line = append(line, "/page?id="...)
		line = strconv.AppendInt(line, int64(i), 10)
		line = append(line, " HTTP/1.1\" "...)
		status := statuses[rng.IntN(len(statuses))]
		line = append(line, status...)
		line = append(line, ' ')
		if status == "304" {
			line = append(line, '-')
		} else {
			line = strconv.AppendInt(line, int64(200+rng.IntN(50000)), 10)
		}
		line = append(line, " \"https://ref"...)
		line = strconv.AppendInt(line, int64(i), 36)
		line = append(line, ".example.org/from/"...)
		line = strconv.AppendInt(line, int64(i), 10)
		line = append(line, "\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0."...)
		line = strconv.AppendInt(line, int64(i), 10)
		line = append(line, ".0 Safari/537.36\"\n"...)
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if f != os.Stdout {
		return f.Close()
	}
	return nil
}
