package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestShift: dates move by whole days across a month end in a leap year,
// the time of day and offset kept; a line without a timestamp is copied.
func TestShift(t *testing.T) {
	in := `1.2.3.4 - - [28/Feb/2024:23:59:59 +0100] "GET / HTTP/1.1" 200 1 "-" "x"
no timestamp [here
5.6.7.8 - - [31/Dec/2023:00:00:00 -0500] "GET /a HTTP/1.1" 404 0 "-" "y"
`
	want := `1.2.3.4 - - [01/Mar/2024:23:59:59 +0100] "GET / HTTP/1.1" 200 1 "-" "x"
no timestamp [here
5.6.7.8 - - [02/Jan/2024:00:00:00 -0500] "GET /a HTTP/1.1" 404 0 "-" "y"
`
	var out bytes.Buffer
	if err := shift(strings.NewReader(in), &out, 2); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
