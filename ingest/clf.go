package ingest

import (
	"bytes"
	"errors"
	"math"

	"github.com/logbook/logbook/frame"
)

// The NCSA family: common, combined and their virtual-host variants.
//
//	[vhost[:port]] client ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status size ["referer" "user agent" [tail]]
//
// One lenient parser reads them all; the format name says which columns a
// source fills. Variants it reads with no flag:
//
//   - An X-Forwarded-For list in the client's place (nginx
//     $http_x_forwarded_for or $proxy_add_x_forwarded_for first:
//     "203.0.113.5, 10.0.0.2 - - [...]"). The client is the first entry
//     that reads as an IP address (so a leading "-" or "unknown" is
//     skipped; when no entry does, the first entry as written); the entries
//     after it, as written, go to ForwardedFor. A list has commas, so it is
//     never taken for a virtual host.
//   - Apache's %v first, with or without :%p ("www.example.com 203.0.113.7
//   - - [...]"): four fields before the timestamp are vhost client ident
//     user.
//   - A tail after the user agent. Numbers, "-" and comma lists of them
//     are read by position: the first is the request time (TimeTaken), the
//     second the upstream time (UpstreamTime), nginx's usual
//     `"$http_user_agent" $request_time $upstream_response_time` order; a
//     list ("0.010, 0.020" or "0.010 : 0.020", one per upstream tried) is
//     summed, "-" is missing. key=value fields are read by key: rt and
//     request_time are TimeTaken, urt, upstream_response_time and
//     upstream_time are UpstreamTime, in seconds (nginx "timed_combined"
//     and ELK-style formats); other keys, quoted fields and words such as
//     $upstream_addr or $pipe are ignored. A tail that cannot be read (a
//     quote never closed, a known key whose value is not a time) keeps
//     what was read and counts the line as repaired.
//
// Units. A decimal ("0.123", nginx) is seconds. An integer alone is either
// Apache %D (microseconds) or %T (seconds); it is decided per source, by
// detection: timed_combined takes lines whose integer is below 100 and
// combined_usec every line with an integer, and a tie goes to
// timed_combined, so a source whose first lines all hold integers below 100
// is read as %T seconds and one with any larger value as %D microseconds.
// The risk: a %D source whose sampled requests all took under 100 µs is read
// as seconds, and a %T source with a request of 100 s or more among its
// first lines as microseconds. Plain combined and vhost_combined take only
// lines with no time in their tail, and none takes a Traefik line (traefik.go).
func init() {
	for _, f := range []struct {
		name, doc     string
		vhost, agents bool
		tail          clfTailKind
	}{
		{"combined", `Apache/nginx combined: client ident user [time] "request" status size "referer" "user agent"`, false, true, tailNone},
		{"common", `Apache common (CLF): client ident user [time] "request" status size`, false, false, tailNone},
		{"vhost_combined", `combined with the virtual host first: vhost[:port] client ... "user agent"`, true, true, tailNone},
		{"vhost_common", `common with the virtual host first: vhost[:port] client ident user [time] ...`, true, false, tailNone},
		{"timed_combined", `combined with times in seconds after the agent: nginx $request_time [$upstream_response_time], rt=/urt= keys, Apache %T`, false, true, tailSec},
		{"combined_usec", `combined with Apache %D (microseconds) after the agent`, false, true, tailInt},
		{"vhost_timed_combined", `vhost_combined with times in seconds after the agent (as timed_combined)`, true, true, tailSec},
		{"vhost_combined_usec", `vhost_combined with Apache %D (microseconds) after the agent`, true, true, tailInt},
	} {
		cols := frame.Cols(frame.IP, frame.User, frame.Method, frame.Stem, frame.Protocol, frame.Status, frame.Bytes, frame.ForwardedFor, frame.Query)
		if f.agents {
			cols.Union(frame.Cols(frame.Referer, frame.UserAgent))
		}
		if f.vhost {
			cols.Union(frame.Cols(frame.Host))
		}
		if f.tail != tailNone {
			cols.Union(frame.Cols(frame.TimeTaken, frame.UpstreamTime))
		}
		vhost, agents, tail := f.vhost, f.agents, f.tail
		registerFormat(&Format{
			Name: f.name,
			Doc:  f.doc,
			sniff: func(line []byte) bool {
				var p clfParser
				var r frame.Row
				k, err := p.parse(line, &r)
				if err != nil || k == kindSkip || p.shape.vhost != vhost || p.shape.agents != agents || p.shape.traefik {
					return false
				}
				switch tail {
				case tailSec:
					return p.shape.tail == tailSec || p.shape.tail == tailInt && p.shape.small
				case tailInt:
					return p.shape.tail == tailInt
				}
				return p.shape.tail == tailNone
			},
			newParser: func([]byte) parser {
				return &clfParser{cols: cols, timed: tail != tailNone, usec: tail == tailInt}
			},
		})
	}
}

// clfTailKind says what time a tail after the user agent held first.
type clfTailKind uint8

const (
	tailNone clfTailKind = iota // no time
	tailSec                     // a decimal, "-" or a key=value time: seconds
	tailInt                     // an integer: Apache %D or %T, see the units above
)

type clfShape struct {
	vhost, agents bool
	tail          clfTailKind
	small         bool // tailInt below 100
	traefik       bool // the tail is Traefik's (traefik.go)
}

type clfParser struct {
	cols    frame.Set
	timed   bool     // fill TimeTaken and UpstreamTime from the tail
	usec    bool     // an integer time is microseconds (Apache %D)
	traefik bool     // read the tail as Traefik's (traefik.go)
	shape   clfShape // what the last line held, for sniffing
	repair  string   // why the last line was repaired

	dates   dateCache
	scratch [3][]byte // unescaped request, referer, user agent
}

func (p *clfParser) columns() frame.Set { return p.cols }

func (p *clfParser) repairReason() string { return p.repair }

const (
	repairAgent   = "user agent has no closing quote; kept to the end of the line"
	repairTail    = "the text after the user agent could not be read (a quote never closed, or a time that is not a number); kept what was read"
	repairTraefik = "the text after the user agent is not Traefik's (<count> \"<router>\" \"<URL>\" <n>ms); read as combined"
	repairGlued   = "a second record follows on the same line (a line end missing); the first was kept, the second not read"
	repairReferer = "text after the referer is not a quoted user agent; it was not read"
)

var (
	errNoTimestamp  = errors.New("no [timestamp]")
	errPrefix       = errors.New("expected client, ident and user before the timestamp")
	errNoRequest    = errors.New(`no quoted "request" after the timestamp`)
	errOpenRequest  = errors.New("request has no closing quote")
	errStatus       = errors.New("status is not a 3-digit number from 100 to 599")
	errSize         = errors.New("size is neither a number (of at most 63 bits) nor -")
	errOpenReferer  = errors.New("referer has no closing quote")
	errTrailingJunk = errors.New("unexpected text after the size")
)

func (p *clfParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(line) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	p.shape.tail, p.shape.small, p.shape.traefik = tailNone, false, false
	kind := kindRecord
	lb := clfTimestamp(line)
	if lb < 0 {
		return 0, errNoTimestamp
	}
	// Up to four space-separated fields before the timestamp; a field
	// ending in a comma goes on past the spaces that follow (an
	// X-Forwarded-For list).
	var tok [4][]byte
	n := 0
	for s, i := line[:lb], 0; ; {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		if n == len(tok) {
			return 0, errPrefix
		}
		st := i
		for {
			for i < len(s) && s[i] != ' ' {
				i++
			}
			if s[i-1] != ',' {
				break
			}
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j == len(s) {
				break
			}
			i = j
		}
		tok[n] = s[st:i]
		n++
	}
	if n < 3 {
		return 0, errPrefix
	}
	p.shape.vhost = n == 4
	if n == 4 {
		if bytes.IndexByte(tok[0], ',') >= 0 {
			return 0, errPrefix
		}
		r.Str[frame.Host] = stripPort(tok[0])
	}
	if c := tok[n-3]; bytes.IndexByte(c, ',') < 0 {
		r.Str[frame.IP] = clientAddr(c)
	} else {
		r.Str[frame.IP], r.Str[frame.ForwardedFor] = splitForwarded(c)
	}
	if u := tok[n-1]; !isDash(u) {
		r.Str[frame.User] = u
	}

	rest := line[lb+1:]
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 {
		return 0, errNoTimestamp
	}
	t, off, err := p.dates.clf(rest[:rb])
	if err != nil {
		return 0, err
	}
	r.Time, r.Offset = t, off
	rest = skipSpaces(rest[rb+1:])

	if len(rest) == 0 || rest[0] != '"' {
		return 0, errNoRequest
	}
	req, rest, ok := p.quoted(rest[1:], 0)
	if !ok {
		return 0, errOpenRequest
	}
	splitRequest(req, r)

	rest = skipSpaces(rest)
	i := bytes.IndexByte(rest, ' ')
	if i < 0 {
		i = len(rest)
	}
	st := rest[:i]
	if !statusCode(st) {
		return 0, errStatus
	}
	r.Str[frame.Status] = st
	rest = skipSpaces(rest[i:])
	i = bytes.IndexByte(rest, ' ')
	if i < 0 {
		i = len(rest)
	}
	size := rest[:i]
	if isDash(size) {
		r.Num[frame.Bytes] = 0
	} else if x, ok := byteCount(size); ok {
		r.Num[frame.Bytes] = x
	} else {
		return 0, errSize
	}
	rest = skipSpaces(rest[i:])

	p.shape.agents = false
	if len(rest) == 0 {
		return kind, nil
	}
	if rest[0] != '"' {
		return 0, errTrailingJunk
	}
	ref, rest, ok := p.quoted(rest[1:], 1)
	if !ok {
		return 0, errOpenReferer
	}
	if !isDash(ref) {
		r.Str[frame.Referer] = ref
	}
	// A quoted field after the size is combined's, even without the agent:
	// common, which has no referer column, must not take the line.
	p.shape.agents = true
	rest = skipSpaces(rest)
	if len(rest) == 0 || rest[0] != '"' {
		// A referer with no user agent: still a record. Text after it
		// (or a whole record glued on) is counted as a repair.
		switch {
		case len(rest) == 0:
		case gluedRecord(rest):
			kind, p.repair = kindRepaired, repairGlued
		default:
			kind, p.repair = kindRepaired, repairReferer
		}
		return kind, nil
	}
	ua, tail, ok := p.quoted(rest[1:], 2)
	if !ok {
		// The line ends inside the user agent: keep what is there.
		ua = bytes.TrimRight(rest[1:], " ")
		kind, p.repair = kindRepaired, repairAgent
	}
	if !isDash(ua) {
		r.Str[frame.UserAgent] = ua
	}
	if ok && len(tail) > 0 && gluedRecord(tail) {
		// Another record written on the same line: its fields are not
		// this one's tail.
		p.repair = repairGlued
		return kindRepaired, nil
	}
	if ok && len(tail) > 0 {
		if !p.readTail(tail, r) {
			kind, p.repair = kindRepaired, repairTail
			if p.traefik {
				p.repair = repairTraefik
			}
		}
	}
	return kind, nil
}

// clfTimestamp returns the offset of the '[' that opens the timestamp: the
// first one that does not open a bracketed IPv6 address, so that a client
// written so ("[2001:db8::1] - - [...]") is not taken for it; -1 when
// there is none.
func clfTimestamp(line []byte) int {
	for i := 0; i < len(line); {
		j := bytes.IndexByte(line[i:], '[')
		if j < 0 {
			return -1
		}
		j += i
		if j+3 < len(line) && line[j+3] == '/' {
			return j // [dd/: the usual case, at once
		}
		end := bytes.IndexByte(line[j:], ']')
		if end < 0 || !bracketedIPv6(line[j:j+end+1]) {
			return j
		}
		i = j + end + 1
	}
	return -1
}

// bracketedIPv6 reports whether b is "[...]" around hex digits, colons (at
// least one) and dots.
func bracketedIPv6(b []byte) bool {
	if len(b) < 4 || b[0] != '[' || b[len(b)-1] != ']' || bytes.IndexByte(b, ':') < 0 {
		return false
	}
	for _, c := range b[1 : len(b)-1] {
		if !isHex(c) && c != ':' && c != '.' {
			return false
		}
	}
	return true
}

// gluedRecord reports whether b, the text after a record's last field,
// holds the start of another record of the family: a [dd/Mon/yyyy:
// timestamp followed by a quoted request.
func gluedRecord(b []byte) bool {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '[')
		if j < 0 {
			return false
		}
		j += i
		if d := b[j:]; len(d) > 13 && d[3] == '/' && d[7] == '/' && d[12] == ':' &&
			d[1] >= '0' && d[1] <= '9' && d[2] >= '0' && d[2] <= '9' {
			if k := bytes.IndexByte(d, ']'); k > 0 && bytes.HasPrefix(skipSpaces(d[k+1:]), []byte{'"'}) {
				return true
			}
		}
		i = j + 1
	}
	return false
}

// readTail reads what follows the user agent (see the package notes above
// init) into r and p.shape; it reports false when part of it could not be
// read.
func (p *clfParser) readTail(b []byte, r *frame.Row) bool {
	if p.traefik {
		p.shape.traefik = readTraefikTail(b, r)
		return p.shape.traefik
	}
	if isTraefikTail(b) {
		p.shape.traefik = true
		return true
	}
	pos := 0 // positional times seen
	for {
		b = skipSpaces(b)
		if len(b) == 0 {
			return true
		}
		if b[0] == '"' {
			end := quoteEnd(b[1:])
			if end < 0 {
				return false
			}
			b = b[1+end+1:]
			continue
		}
		i := bytes.IndexByte(b, ' ')
		if i < 0 {
			i = len(b)
		}
		if eq := bytes.IndexByte(b[:i], '='); eq > 0 && isKey(b[:eq]) {
			key := b[:eq]
			var val []byte
			if b = b[eq+1:]; len(b) > 0 && b[0] == '"' {
				end := quoteEnd(b[1:])
				if end < 0 {
					return false
				}
				val, b = b[1:1+end], b[1+end+1:]
			} else {
				val, b = timeList(b)
			}
			col, known := tailKey(key)
			if !known {
				continue
			}
			v, _, ok := parseTimes(val)
			if !ok {
				return false
			}
			if p.shape.tail == tailNone {
				p.shape.tail = tailSec
			}
			p.setTime(r, col, v)
			continue
		}
		val, rest := timeList(b)
		v, kind, ok := parseTimes(val)
		if !ok {
			b = b[i:] // a word: ignored
			continue
		}
		b = rest
		if kind == tailInt && p.usec {
			v /= 1e6
		}
		if p.shape.tail == tailNone {
			p.shape.tail = kind
			p.shape.small = kind == tailInt && v < 100
		}
		switch pos {
		case 0:
			p.setTime(r, frame.TimeTaken, v)
		case 1:
			p.setTime(r, frame.UpstreamTime, v)
		}
		pos++
	}
}

func (p *clfParser) setTime(r *frame.Row, c frame.NumCol, v float64) {
	if p.timed {
		r.Num[c] = v
	}
}

// tailKey says which column a key=value time of a tail fills.
func tailKey(k []byte) (frame.NumCol, bool) {
	switch string(k) {
	case "rt", "request_time":
		return frame.TimeTaken, true
	case "urt", "upstream_response_time", "upstream_time":
		return frame.UpstreamTime, true
	}
	return 0, false
}

// isKey reports whether k is a plausible key of a key=value field.
func isKey(k []byte) bool {
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// quoteEnd is the index of the quote that closes b (the text after an
// opening quote), skipping \-escaped characters, or -1.
func quoteEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// timeList cuts one field from b: a token, and the tokens after it while it
// is a list ("0.010, 0.020" or "0.010 : 0.020").
func timeList(b []byte) (field, rest []byte) {
	i := 0
	for {
		for i < len(b) && b[i] != ' ' {
			i++
		}
		j := i
		for j < len(b) && b[j] == ' ' {
			j++
		}
		switch {
		case j == len(b):
		case i > 0 && b[i-1] == ',':
			i = j
			continue
		case b[j] == ':' && j+1 < len(b) && b[j+1] == ' ':
			for i = j + 1; i < len(b) && b[i] == ' '; i++ {
			}
			continue
		}
		return b[:i], b[i:]
	}
}

// parseTimes reads a time or a list of them (numbers and "-", separated by
// commas, colons and spaces) and returns their sum (NaN when all are "-"),
// tailInt when they are all integers, tailSec otherwise.
func parseTimes(b []byte) (float64, clfTailKind, bool) {
	sum, any, kind := 0.0, false, tailInt
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != ',' && b[i] != ':' && b[i] != ' ' {
			i++
		}
		item := b[:i]
		switch {
		case len(item) == 0:
		case isDash(item):
			kind = tailSec
		default:
			v, ok := parseDecimal(item)
			if !ok {
				return 0, 0, false
			}
			if !allDigits(item) {
				kind = tailSec
			}
			sum += v
			any = true
		}
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	if !any {
		if kind == tailInt { // nothing at all
			return 0, 0, false
		}
		return math.NaN(), tailSec, true
	}
	return sum, kind, true
}

// splitForwarded reads an X-Forwarded-For list: the client is the first
// entry that reads as an IP address (the first entry when none does), and
// the entries after it, as written, are the proxies. The client is read as
// a client field is (clientAddr): "[2001:db8::1]" without its brackets, a
// "-" (the header's first entry missing) as none.
func splitForwarded(list []byte) (client, proxies []byte) {
	first := true
	for rest := list; len(rest) > 0; {
		e := rest
		if c := bytes.IndexByte(rest, ','); c >= 0 {
			e, rest = rest[:c], rest[c+1:]
		} else {
			rest = nil
		}
		e = bytes.Trim(e, " ")
		if first {
			if len(e) == 0 {
				// No first address (",0"): not a list to read a client
				// from; the field stays the client as written, as the
				// format strings' $remote_addr reads it.
				return list, nil
			}
			client, proxies, first = e, bytes.Trim(rest, " "), false
		}
		if looksIP(e) {
			return clientAddr(e), bytes.Trim(rest, " ")
		}
	}
	return clientAddr(client), proxies
}

// looksIP reports whether b is written as an IPv4 address (with an optional
// :port) or an IPv6 one (hex digits and colons, optionally bracketed).
func looksIP(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	if bytes.IndexByte(b, ':') >= 0 && bytes.Count(b, []byte(":")) > 1 {
		for _, c := range b {
			if !isHex(c) && c != ':' && c != '.' && c != '[' && c != ']' {
				return false
			}
		}
		return true
	}
	if c := bytes.IndexByte(b, ':'); c >= 0 {
		if c == len(b)-1 || !allDigits(b[c+1:]) {
			return false
		}
		b = b[:c]
	}
	parts := 0
	for len(b) > 0 {
		i := bytes.IndexByte(b, '.')
		if i < 0 {
			i = len(b)
		}
		if i == 0 || i > 3 || !allDigits(b[:i]) || atoi(b[:i]) > 255 {
			return false
		}
		parts++
		if i == len(b) {
			break
		}
		b = b[i+1:]
		if len(b) == 0 {
			return false
		}
	}
	return parts == 4
}

// quoted returns the text up to the closing quote, unescaping \" and \\ into
// scratch buffer k when the text holds a backslash, and what follows the quote.
func (p *clfParser) quoted(b []byte, k int) (text, rest []byte, ok bool) {
	q := bytes.IndexByte(b, '"')
	if q < 0 {
		if bytes.IndexByte(b, '\\') < 0 {
			return nil, nil, false
		}
	} else if bytes.IndexByte(b[:q], '\\') < 0 {
		return b[:q], b[q+1:], true
	}
	buf := p.scratch[k][:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\' && i+1 < len(b) && (b[i+1] == '"' || b[i+1] == '\\'):
			buf = append(buf, b[i+1])
			i++
		case c == '"':
			p.scratch[k] = buf
			return buf, b[i+1:], true
		default:
			buf = append(buf, c)
		}
	}
	p.scratch[k] = buf
	return nil, nil, false
}

// splitRequest splits "METHOD target PROTOCOL" leniently: extra spaces, no
// protocol (HTTP/0.9) and spaces inside the target are accepted. A request
// that is "-" or not of that shape (a TLS handshake sent to a plain-text
// port) leaves method and stem empty: the record still counts.
func splitRequest(req []byte, r *frame.Row) {
	req = bytes.TrimSpace(req)
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || !isMethod(req[:sp]) {
		return
	}
	r.Str[frame.Method] = req[:sp]
	target := skipSpaces(req[sp+1:])
	if ls := bytes.LastIndexByte(target, ' '); ls >= 0 && bytes.HasPrefix(target[ls+1:], []byte("HTTP/")) {
		r.Str[frame.Protocol] = target[ls+1:]
		target = bytes.TrimRight(target[:ls], " ")
	}
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		r.Str[frame.Query] = target[q+1:]
		target = target[:q]
	}
	r.Str[frame.Stem] = target
}

func isMethod(b []byte) bool {
	if len(b) == 0 || len(b) > 20 {
		return false
	}
	for _, c := range b {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
