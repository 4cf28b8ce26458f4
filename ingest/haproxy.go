package ingest

import (
	"bytes"
	"errors"
	"math"

	"github.com/logbook/logbook/frame"
)

// HAProxy's HTTP log (option httplog), after any syslog prefix. The fields,
// from the HAProxy configuration manual, section 8.2.3 "HTTP log format"
// (https://docs.haproxy.org/2.8/configuration.html#8.2.3):
//
//	client_ip:client_port [accept_date] frontend_name backend_name/server_name TR/Tw/Tc/Tr/Ta
//	status_code bytes_read captured_request_cookie captured_response_cookie termination_state
//	actconn/feconn/beconn/srv_conn/retries srv_queue/backend_queue
//	[{captured_request_headers}] [{captured_response_headers}] "http_request"
//
// e.g. (the manual's example)
//
//	Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in \
//	  static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"
//
// The syslog prefix (RFC 3164 "Feb  6 12:14:14 host haproxy[pid]: ", with or
// without <PRI> and host, RFC 5424 "<134>1 2024-03-10T08:00:01Z host haproxy
// pid - - ", or none: "log stdout format raw") is skipped: the record
// starts at the first " [dd/Mon/yyyy:HH:MM:SS.mmm] " after an ip:port. The
// time, year included, is the accept date, which HAProxy writes in local
// time without a zone: it is read as UTC (offset 0), and the Format says
// so (Zoneless), so that the run notes it and shifts the times to
// --log-tz when given (logzone.go in the root package). Milliseconds are
// dropped (the frame keeps seconds).
//
// Columns: IP (the client, port dropped), Router (the frontend, without the
// "~" HAProxy adds for TLS), Backend ("backend/server" as written, e.g.
// "static/srv1" or "http-in/<NOSRV>"), TimeTaken = Ta (Tt in 1.4), the total,
// and UpstreamTime = Tr, the server's response time, both ms → s, -1
// (aborted) → missing; Status (-1 → empty), Bytes (bytes_read, "+" of
// logasap dropped), Method, Stem and Protocol from the request, which may be
// "<BADREQ>" (no method). Header captures are optional; in the request's,
// a value that looks like a user agent or a host name fills UserAgent or
// Host (haproxyCaptures), the rest is skipped. HAProxy's own messages in
// the same log (a proxy started, an SSL handshake failure) are malformed
// with a reason that says what they are. A
// request whose closing quote is lost (syslog cuts long lines) is read to
// the end of the line and the line counted as repaired.
func init() {
	cols := frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Protocol, frame.Status, frame.Bytes,
		frame.Router, frame.Backend, frame.TimeTaken, frame.UpstreamTime, frame.UserAgent, frame.Host, frame.Query)
	registerFormat(&Format{
		Name:      "haproxy",
		Doc:       `HAProxy HTTP log (option httplog), with or without a syslog prefix: timers TR/Tw/Tc/Tr/Ta`,
		sniff:     sniffHAProxy,
		newParser: func([]byte) parser { return &haproxyParser{cols: cols} },
		Zoneless:  true,
	})
}

func sniffHAProxy(line []byte) bool {
	var p haproxyParser
	var r frame.Row
	k, err := p.parse(line, &r)
	return err == nil && k != kindSkip
}

type haproxyParser struct {
	cols  frame.Set
	dates dateCache
}

func (p *haproxyParser) columns() frame.Set { return p.cols }

// repairReason: the one repair is a request cut short, as syslog cuts long
// lines.
func (p *haproxyParser) repairReason() string {
	return "the request has no closing quote (syslog cuts long lines); kept to the end of the line"
}

var (
	errHAStart   = errors.New("no client ip:port and [accept date] of an HAProxy HTTP log")
	errHAFields  = errors.New("expected frontend, backend/server and five timers after the accept date")
	errHATimers  = errors.New("timers are not TR/Tw/Tc/Tr/Ta in ms")
	errHAStatus  = errors.New("status is not a 3-digit number from 100 to 599 or -1")
	errHABytes   = errors.New("bytes_read is not a number (of at most 63 bits)")
	errHACounts  = errors.New("expected cookies, termination state, connection counts and queues before the request")
	errHACapture = errors.New("header capture has no closing }")
	errHARequest = errors.New(`no quoted "request" at the end`)
	errHAEvent   = errors.New("an HAProxy message, not a request log line (a proxy started or stopped, a server went up or down)")
	errHAConnErr = errors.New("an HAProxy connection error, not a request (e.g. an SSL handshake failure)")
)

// haproxyDateLen is len("06/Feb/2009:12:14:14.655").
const haproxyDateLen = 24

// haproxyStart finds the accept date: " [" then a date of the HAProxy form
// and "] ", preceded by a token holding a colon (ip:port). It returns the
// offset of '[' or -1.
func haproxyStart(line []byte) int {
	for from := 0; ; {
		i := bytes.Index(line[from:], []byte(" ["))
		if i < 0 {
			return -1
		}
		i += from + 1
		from = i
		d := line[i+1:]
		if len(d) < haproxyDateLen+2 || d[2] != '/' || d[6] != '/' || d[11] != ':' || d[20] != '.' ||
			d[haproxyDateLen] != ']' || d[haproxyDateLen+1] != ' ' {
			continue
		}
		return i
	}
}

func (p *haproxyParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(line) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	lb := haproxyStart(line)
	if lb < 0 {
		if i := bytes.Index(line, []byte("haproxy[")); i >= 0 && bytes.Contains(line[i:], []byte("]: ")) {
			return 0, errHAEvent
		}
		return 0, errHAStart
	}
	// The client: the token before the date, ip:port.
	pre := bytes.TrimRight(line[:lb], " ")
	client := pre[bytes.LastIndexByte(pre, ' ')+1:]
	c := bytes.LastIndexByte(client, ':')
	if c <= 0 || c == len(client)-1 || !allDigits(client[c+1:]) {
		return 0, errHAStart
	}
	ip := client[:c]
	if len(ip) > 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
		ip = ip[1 : len(ip)-1]
	}
	if !looksIP(ip) {
		return 0, errHAStart
	}
	r.Str[frame.IP] = ip
	t, err := p.acceptDate(line[lb+1 : lb+1+haproxyDateLen])
	if err != nil {
		return 0, err
	}
	r.Time = t
	rest := line[lb+1+haproxyDateLen+1:]

	var f [3][]byte
	for i := range f {
		if f[i], rest = nextField(rest); len(f[i]) == 0 {
			return 0, errHAFields
		}
		if i == 0 && len(f[0]) > 1 && f[0][len(f[0])-1] == ':' {
			return 0, errHAConnErr // "frontend/bind: SSL handshake failure"
		}
	}
	r.Str[frame.Router] = bytes.TrimSuffix(f[0], []byte("~"))
	if bytes.IndexByte(f[1], '/') <= 0 {
		return 0, errHAFields
	}
	r.Str[frame.Backend] = f[1]
	var tm [5]float64
	timers := f[2]
	for i := range tm {
		j := bytes.IndexByte(timers, '/')
		if j < 0 {
			j = len(timers)
		} else if i == len(tm)-1 {
			return 0, errHATimers
		}
		v := timers[:j]
		if len(v) > 0 && v[0] == '+' && i == len(tm)-1 { // logasap
			v = v[1:]
		}
		switch {
		case len(v) == 2 && v[0] == '-' && v[1] == '1':
			tm[i] = math.NaN()
		case len(v) > 0 && len(v) < 12 && allDigits(v):
			tm[i] = float64(atoi(v)) / 1000
		default:
			return 0, errHATimers
		}
		if j == len(timers) {
			if i != len(tm)-1 {
				return 0, errHATimers
			}
			break
		}
		timers = timers[j+1:]
	}
	r.Num[frame.UpstreamTime] = tm[3]
	r.Num[frame.TimeTaken] = tm[4]

	st, rest := nextField(rest)
	switch {
	case statusCode(st):
		r.Str[frame.Status] = st
	case len(st) == 2 && st[0] == '-' && st[1] == '1':
	default:
		return 0, errHAStatus
	}
	b, rest := nextField(rest)
	if len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	x, ok := byteCount(b)
	if !ok {
		return 0, errHABytes
	}
	r.Num[frame.Bytes] = x
	// Cookies, termination state, counts, queues: skipped, but present.
	for i := 0; i < 5; i++ {
		var x []byte
		if x, rest = nextField(rest); len(x) == 0 || x[0] == '"' || x[0] == '{' {
			return 0, errHACounts
		}
	}
	for k := 0; k < 2; k++ {
		rest = skipSpaces(rest)
		if len(rest) == 0 || rest[0] != '{' {
			break
		}
		e := bytes.IndexByte(rest, '}')
		if e < 0 {
			return 0, errHACapture
		}
		if k == 0 {
			haproxyCaptures(rest[1:e], r)
		}
		rest = rest[e+1:]
	}
	rest = skipSpaces(rest)
	if len(rest) == 0 || rest[0] != '"' {
		return 0, errHARequest
	}
	kind := kindRecord
	req := rest[1:]
	if len(req) > 0 && req[len(req)-1] == '"' {
		req = req[:len(req)-1]
	} else {
		kind = kindRepaired
	}
	splitRequest(req, r)
	return kind, nil
}

// nextField cuts the next space-separated field from b.
func nextField(b []byte) (field, rest []byte) {
	b = skipSpaces(b)
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i:]
}

// acceptDate parses "06/Feb/2009:12:14:14.655" (local time, no zone: read
// as UTC) to Unix seconds, reusing the CLF date cache.
func (p *haproxyParser) acceptDate(d []byte) (int64, error) {
	var ts [26]byte
	copy(ts[:], d[:20])
	copy(ts[20:], " +0000")
	if !allDigits(d[21:24]) {
		return 0, errTimestamp
	}
	t, _, err := p.dates.clf(ts[:])
	return t, err
}

// haproxyCaptures reads the captured request headers ("capture request
// header User-Agent len 128"; the values in the order the configuration
// names them, separated by '|'). Which header is where is configuration,
// not in the log, so a value is taken by its look: a product token
// ("Mozilla/5.0 ...", "curl/8.5") is the user agent, a host name with a
// letter in it (not an address: X-Forwarded-For is often captured) the
// host. The first of each kind is kept.
func haproxyCaptures(c []byte, r *frame.Row) {
	for len(c) > 0 {
		v := c
		if i := bytes.IndexByte(c, '|'); i >= 0 {
			v, c = c[:i], c[i+1:]
		} else {
			c = nil
		}
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0:
		case r.Str[frame.UserAgent] == nil && looksAgent(v):
			r.Str[frame.UserAgent] = v
		case r.Str[frame.Host] == nil && looksHostName(v):
			r.Str[frame.Host] = stripPort(v)
		}
	}
}

// looksAgent: a product token, name/digit ("Mozilla/5", "curl/8").
func looksAgent(v []byte) bool {
	i := 0
	for i < len(v) && (isAlnum(v[i]) || v[i] == '.' || v[i] == '_' || v[i] == '-') {
		i++
	}
	return i > 0 && isAlnum(v[0]) && i+1 < len(v) && v[i] == '/' && v[i+1] >= '0' && v[i+1] <= '9'
}

// looksHostName: letters, digits, dots and hyphens (and a :port), with a
// dot and a letter.
func looksHostName(v []byte) bool {
	v = stripPort(v)
	dot, letter := false, false
	for _, c := range v {
		switch {
		case c == '.':
			dot = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9' || c == '-':
		default:
			return false
		}
	}
	return dot && letter
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
