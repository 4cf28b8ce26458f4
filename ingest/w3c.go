package ingest

import (
	"bytes"
	"fmt"

	"github.com/logbook/logbook/frame"
)

// W3C extended log file format (https://www.w3.org/TR/WD-logfile.html), as
// Microsoft IIS writes it: directives (#Software:, #Version:, #Date:,
// #Remark:, #Fields:), then space-separated fields in the order the last
// #Fields: line gives. Fields are read by name, so IIS's default set
//
//	date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
//
// and any subset or order (cs-host, sc-bytes, cs-bytes, cs-version ...)
// work alike.
//
// Told apart from CloudFront, whose logs are also W3C extended, by the
// #Fields: header alone: CloudFront's names x-edge-* fields, and each
// format's sniff takes only its own kind of #Fields: line (sniffCloudFront
// refuses a #Fields: line without x-edge-, sniffW3C one with it). The
// #Software:, #Date: and #Remark: directives, which CloudFront does not
// write, and records (space-, not tab-separated) are W3C's alone.
//
// Quirks:
//   - IIS writes a space in a value as '+' and leaves a literal '+' as it
//     is, so "; +http://" (Googlebot's agent) comes out ";++http://". In
//     cs(User-Agent) and cs(Referer) a '+' reads as a space, except a '+'
//     right after one read as a space, which stays '+' ("++" reads " +").
//     Other fields (cs-uri-stem among them) are kept as written.
//   - time-taken is in milliseconds, as IIS writes it (the W3C draft says
//     seconds; IIS, by far the most common writer, logs milliseconds), and
//     TimeTaken holds seconds.
//   - date and time are UTC (IIS always logs W3C times in UTC); a time with
//     a fraction ("12:00:00.25") keeps its whole seconds. IIS Advanced
//     Logging's date-local and time-local are the server's clock, with no
//     zone: they are read as UTC too (not shifted by --log-tz, which knows
//     formats, not fields).
//   - A field the draft quotes ("...", with "" for a quote) may hold spaces;
//     its quotes are dropped, a doubled quote inside is kept as written.
//   - Records before any #Fields: line are read with IIS's default set. A
//     #Fields: line without both date and time makes its records malformed:
//     a record that has only a time takes its date from #Date:, which a
//     parser handed a later chunk does not see.
func init() {
	registerFormat(&Format{
		Name:         "w3c",
		Doc:          "W3C extended / Microsoft IIS logs (space-separated, read by their #Fields: header; time-taken in ms)",
		sniff:        sniffW3C,
		newParser:    newW3CParser,
		headerPrefix: []byte("#Fields:"),
	})
}

// w3cDefaultFields is IIS's default field set, used for lines that come
// before any #Fields: directive.
const w3cDefaultFields = "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip " +
	"cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

var (
	w3cDirectives = [][]byte{[]byte("#Software:"), []byte("#Version:"), []byte("#Date:"), []byte("#Remark:"),
		[]byte("#Start-Date:"), []byte("#End-Date:")}
	w3cFieldsPrefix = []byte("#Fields:")
	cfEdgeField     = []byte("x-edge-")
)

// sniffW3C accepts W3C directives, a #Fields: line that is not
// CloudFront's, and a record that starts "YYYY-MM-DD HH:MM:SS " and holds a
// method, a path after it and a status, as IIS's default layout does.
func sniffW3C(line []byte) bool {
	line = trimEOL(line)
	if len(line) > 0 && line[0] == '#' {
		if bytes.HasPrefix(line, w3cFieldsPrefix) {
			return !bytes.Contains(line, cfEdgeField) && len(bytes.TrimSpace(line[len(w3cFieldsPrefix):])) > 0
		}
		for _, d := range w3cDirectives {
			if bytes.HasPrefix(line, d) {
				return true
			}
		}
		return false
	}
	if len(line) < 20 || !isISODate(line[:10]) || line[10] != ' ' || !isClock(line[11:19]) || line[19] != ' ' {
		return false
	}
	var prev []byte
	method, status := false, false
	n := 2
	for rest := line[20:]; len(rest) > 0; {
		rest = skipSpaces(rest)
		i := bytes.IndexByte(rest, ' ')
		if i < 0 {
			i = len(rest)
		}
		tok := rest[:i]
		rest = rest[i:]
		if len(tok) == 0 {
			continue
		}
		n++
		if tok[0] == '/' && prev != nil && isMethod(prev) {
			method = true
		}
		if len(tok) == 3 && allDigits(tok) && tok[0] >= '1' && tok[0] <= '5' {
			status = true
		}
		prev = tok
	}
	return method && status && n >= 6
}

func isISODate(b []byte) bool {
	return len(b) == 10 && allDigits(b[0:4]) && b[4] == '-' && allDigits(b[5:7]) && b[7] == '-' && allDigits(b[8:10])
}

func isClock(b []byte) bool {
	return len(b) == 8 && allDigits(b[0:2]) && b[2] == ':' && allDigits(b[3:5]) && b[5] == ':' && allDigits(b[6:8])
}

// w3cTarget says where a field goes.
type w3cTarget struct {
	kind  byte // w3cIgnore, w3cDate, w3cTime, w3cStr, w3cNum
	str   frame.StrCol
	num   frame.NumCol
	plus  bool    // '+' stands for a space (IIS)
	query bool    // a whole URI: the stem is what comes before '?'
	scale float64 // multiplies a number (time-taken: ms → s); 0 means 1
	weak  bool    // fills the column only if no stronger field does
	check byte    // w3cStatus, w3cCount, w3cAddr: the value's check
}

const (
	w3cIgnore = iota
	w3cDate
	w3cTime
	w3cStr
	w3cNum
)

// The value checks of w3cTarget.check: a status from 100 to 599, a byte
// count, an address (maybe bracketed).
const (
	w3cStatus = 1 + iota
	w3cCount
	w3cAddr
)

// w3cFields maps lower-cased field identifiers (IIS and the W3C draft) to
// columns. Identifiers are compared without case: IIS writes
// cs(User-Agent), other servers cs(user-agent).
var w3cFields = map[string]w3cTarget{
	"date":           {kind: w3cDate},
	"time":           {kind: w3cTime},
	"c-ip":           {kind: w3cStr, str: frame.IP, check: w3cAddr},
	"cs-method":      {kind: w3cStr, str: frame.Method},
	"cs-uri-stem":    {kind: w3cStr, str: frame.Stem},
	"cs-uri-query":   {kind: w3cStr, str: frame.Query},
	"cs-uri":         {kind: w3cStr, str: frame.Stem, query: true, weak: true},
	"sc-status":      {kind: w3cStr, str: frame.Status, check: w3cStatus},
	"cs(user-agent)": {kind: w3cStr, str: frame.UserAgent, plus: true},
	"cs(referer)":    {kind: w3cStr, str: frame.Referer, plus: true},
	"cs-username":    {kind: w3cStr, str: frame.User},
	"cs-host":        {kind: w3cStr, str: frame.Host},
	"cs(host)":       {kind: w3cStr, str: frame.Host, weak: true},
	"cs-version":     {kind: w3cStr, str: frame.Protocol},
	"sc-bytes":       {kind: w3cNum, num: frame.Bytes, check: w3cCount},
	"cs-bytes":       {kind: w3cNum, num: frame.RequestBytes, check: w3cCount},
	"time-taken":     {kind: w3cNum, num: frame.TimeTaken, scale: 0.001},
	// IIS Advanced Logging (lnav's test/logfile_w3c.3): the server's
	// local date and time, which carry no zone and are read as UTC, and
	// the time taken in ms under its own name.
	"date-local":  {kind: w3cDate},
	"time-local":  {kind: w3cTime},
	"timetakenms": {kind: w3cNum, num: frame.TimeTaken, scale: 0.001},
}

type w3cParser struct {
	header  []byte      // the #Fields: line in effect
	names   [][]byte    // its field names, for messages
	targets []w3cTarget // by field position
	cols    frame.Set
	err     error // a #Fields: line that lacks date or time
	fields  [][]byte
	dates   dateCache
	scratch [2][]byte // '+'-decoded user agent and referer
}

func newW3CParser(header []byte) parser {
	p := &w3cParser{}
	p.reset(header)
	return p
}

// reset readies the parser for lines that follow header (nil: none yet),
// keeping its buffers and date cache.
func (p *w3cParser) reset(header []byte) {
	if header == nil {
		header = []byte(w3cDefaultFields)
	}
	if p.targets != nil && bytes.Equal(header, p.header) {
		return
	}
	p.setFields(header)
}

func (p *w3cParser) columns() frame.Set { return p.cols }

func (p *w3cParser) setFields(line []byte) {
	p.header = append(p.header[:0], line...)
	p.names = bytes.Fields(bytes.Clone(line[len(w3cFieldsPrefix):]))
	p.targets = make([]w3cTarget, len(p.names))
	p.cols = frame.Set{}
	p.err = nil
	strong := map[frame.StrCol]bool{}
	for _, n := range p.names {
		if t, ok := w3cFields[string(bytes.ToLower(n))]; ok && t.kind == w3cStr && !t.weak {
			strong[t.str] = true
		}
	}
	var date, tm bool
	for i, n := range p.names {
		t := w3cFields[string(bytes.ToLower(n))]
		if t.weak && strong[t.str] {
			t = w3cTarget{}
		}
		p.targets[i] = t
		switch t.kind {
		case w3cDate:
			date = true
		case w3cTime:
			tm = true
		case w3cStr:
			p.cols.Str[t.str] = true
		case w3cNum:
			p.cols.Num[t.num] = true
		}
	}
	if !date || !tm {
		p.err = fmt.Errorf("the #Fields: header has no date and time fields")
	}
}

func (p *w3cParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(line) == 0 || len(bytes.TrimSpace(line)) == 0 {
		return kindSkip, nil
	}
	if line[0] == '#' {
		if bytes.HasPrefix(line, w3cFieldsPrefix) {
			p.setFields(line)
			return kindHeader, nil
		}
		return kindSkip, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	r.Reset()
	f, ok := splitW3C(line, p.fields[:0])
	p.fields = f
	if !ok {
		return 0, fmt.Errorf("a quoted field has no closing quote")
	}
	if len(f) != len(p.targets) {
		return 0, fmt.Errorf("%d space-separated fields, the #Fields: header names %d", len(f), len(p.targets))
	}
	var date, tm []byte
	for i, t := range p.targets {
		v := f[i]
		switch t.kind {
		case w3cDate:
			date = v
		case w3cTime:
			tm = v
		case w3cStr:
			if isDash(v) {
				continue
			}
			if t.check == w3cStatus && !statusCode(v) {
				return 0, fmt.Errorf("field %d (%s) is not a 3-digit status from 100 to 599: %q", i+1, p.names[i], v)
			}
			if t.check == w3cAddr {
				v = clientAddr(v)
			}
			if t.query {
				if q := bytes.IndexByte(v, '?'); q >= 0 {
					v = v[:q]
				}
			}
			if t.plus && bytes.IndexByte(v, '+') >= 0 {
				k := 0
				if t.str == frame.Referer {
					k = 1
				}
				p.scratch[k] = unplus(p.scratch[k][:0], v)
				v = p.scratch[k]
			}
			r.Str[t.str] = v
		case w3cNum:
			if isDash(v) {
				continue
			}
			var x float64
			var ok bool
			if t.check == w3cCount {
				x, ok = byteCount(v)
			} else {
				x, ok = parseDecimal(v)
			}
			if !ok {
				return 0, fmt.Errorf("field %d (%s) is not a number: %q", i+1, p.names[i], v)
			}
			if t.scale != 0 {
				x *= t.scale
			}
			r.Num[t.num] = x
		}
	}
	// A fraction of a second is dropped: the frame keeps whole seconds.
	if len(tm) > 9 && tm[8] == '.' && allDigits(tm[9:]) {
		tm = tm[:8]
	}
	t, err := p.dates.iso(date, tm)
	if err != nil {
		return 0, err
	}
	r.Time = t
	return kindRecord, nil
}

// splitW3C appends the space-separated fields of line to f; runs of spaces
// separate like one (W3C writes "-" for an empty field). A field that starts
// with a double quote runs to the quote that is followed by a space or the
// end of the line, and is kept without its quotes. ok is false when a
// quoted field does not end.
func splitW3C(line []byte, f [][]byte) ([][]byte, bool) {
	for {
		line = skipSpaces(line)
		if len(line) == 0 {
			return f, true
		}
		if line[0] == '"' {
			end := -1
			for i := 1; i < len(line); i++ {
				if line[i] == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						i++ // a doubled quote inside
						continue
					}
					if i+1 == len(line) || line[i+1] == ' ' {
						end = i
						break
					}
				}
			}
			if end < 0 {
				return f, false
			}
			f = append(f, line[1:end])
			line = line[end+1:]
			continue
		}
		i := bytes.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		f = append(f, line[:i])
		line = line[i:]
	}
}

// unplus appends v to dst with IIS's '+' read as a space: a '+' right after
// one read as a space stays '+', so "Googlebot/2.1;++http://" reads
// "Googlebot/2.1; +http://".
func unplus(dst, v []byte) []byte {
	spaced := false
	for {
		i := bytes.IndexByte(v, '+')
		if i < 0 {
			return append(dst, v...)
		}
		dst = append(dst, v[:i]...)
		if i == 0 && spaced {
			dst = append(dst, '+')
			spaced = false
		} else {
			dst = append(dst, ' ')
			spaced = true
		}
		v = v[i+1:]
	}
}
