package ingest

import (
	"bytes"
	"errors"
	"fmt"
)

// dateCache turns timestamps into Unix seconds without time.Parse: the date
// part changes rarely, so its day number is computed once and reused.
type dateCache struct {
	date [11]byte // the last date seen, as written
	ok   bool
	days int64 // days since 1970-01-01 of that date
}

var errTimestamp = errors.New("timestamp is not dd/Mon/yyyy:HH:MM:SS +zzzz")

// clf parses "17/May/2015:10:05:03 +0000".
func (c *dateCache) clf(ts []byte) (unix int64, offset int32, err error) {
	if len(ts) != 26 || ts[2] != '/' || ts[6] != '/' || ts[11] != ':' || ts[14] != ':' ||
		ts[17] != ':' || ts[20] != ' ' || (ts[21] != '+' && ts[21] != '-') {
		return 0, 0, errTimestamp
	}
	if !c.ok || !bytes.Equal(ts[:11], c.date[:]) {
		d, ok1 := num2(ts[0:2])
		y, ok2 := num4(ts[7:11])
		m := month(ts[3:6])
		if !ok1 || !ok2 || m == 0 || d < 1 || d > daysIn(y, m) {
			return 0, 0, errTimestamp
		}
		copy(c.date[:], ts[:11])
		c.days, c.ok = daysFromCivil(y, m, d), true
	}
	h, ok1 := num2(ts[12:14])
	mi, ok2 := num2(ts[15:17])
	s, ok3 := num2(ts[18:20])
	oh, ok4 := num2(ts[22:24])
	om, ok5 := num2(ts[24:26])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || h > 23 || mi > 59 || s > 60 || oh > 23 || om > 59 {
		return 0, 0, errTimestamp
	}
	off := oh*3600 + om*60
	if ts[21] == '-' {
		off = -off
	}
	return c.days*86400 + h*3600 + mi*60 + s - off, int32(off), nil
}

// iso parses a CloudFront date "2024-01-16" and time "23:56:42", in UTC.
func (c *dateCache) iso(date, tm []byte) (int64, error) {
	if len(date) != 10 || date[4] != '-' || date[7] != '-' {
		return 0, fmt.Errorf("date %q is not YYYY-MM-DD", date)
	}
	if !c.ok || !bytes.Equal(date, c.date[:10]) {
		y, ok1 := num4(date[0:4])
		m, ok2 := num2(date[5:7])
		d, ok3 := num2(date[8:10])
		if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, int(m)) {
			return 0, fmt.Errorf("date %q is not YYYY-MM-DD", date)
		}
		copy(c.date[:], date)
		c.days, c.ok = daysFromCivil(y, int(m), d), true
	}
	if len(tm) != 8 || tm[2] != ':' || tm[5] != ':' {
		return 0, fmt.Errorf("time %q is not HH:MM:SS", tm)
	}
	h, ok1 := num2(tm[0:2])
	mi, ok2 := num2(tm[3:5])
	s, ok3 := num2(tm[6:8])
	if !(ok1 && ok2 && ok3) || h > 23 || mi > 59 || s > 60 {
		return 0, fmt.Errorf("time %q is not HH:MM:SS", tm)
	}
	return c.days*86400 + h*3600 + mi*60 + s, nil
}

func num2(b []byte) (int64, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int64(b[0]-'0')*10 + int64(b[1]-'0'), true
}

func num4(b []byte) (int64, bool) {
	hi, ok1 := num2(b[0:2])
	lo, ok2 := num2(b[2:4])
	return hi*100 + lo, ok1 && ok2
}

func month(b []byte) int {
	switch string(b) {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

func daysIn(y int64, m int) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (Howard Hinnant's civil-from-days algorithm,
// inverted).
func daysFromCivil(y int64, m int, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
