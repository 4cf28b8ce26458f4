package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/logbook/logbook/frame"
)

// JSON lines access logs: one JSON object per line, read by key name with no
// configuration. Four families are known (key lists from each one's
// documentation, cited in testdata/json.txt):
//
//   - nginx log_format ... escape=json, with the key names people give the
//     variables: remote_addr/client_ip/ip/clientip, time_local/time_iso8601/
//     @timestamp/timestamp/time/msec, request (the whole request line) or
//     request_method + request_uri/uri + server_protocol, status,
//     body_bytes_sent/bytes_sent, http_referer, http_user_agent,
//     request_time, upstream_response_time, host/http_host/server_name,
//     remote_user, http_x_forwarded_for, upstream_addr, upstream_status.
//   - Caddy's structured access log: ts, duration, size, status (0 kept: the
//     client left before a response),
//     user_id, bytes_read and the nested request object (client_ip,
//     remote_ip, proto, method, host, uri, headers with arrays of values).
//   - Traefik's JSON access log: ClientHost, RequestMethod, RequestPath,
//     RequestProtocol, DownstreamStatus, OriginStatus, DownstreamContentSize,
//     Duration and OriginDuration (nanoseconds), RouterName, ServiceName,
//     StartLocal/StartUTC, request_User-Agent, request_Referer.
//   - Google Cloud HTTP(S) Load Balancing / Cloud CDN / Cloud Run log
//     entries: timestamp and the httpRequest object (requestMethod,
//     requestUrl, status, responseSize, requestSize, userAgent, remoteIp,
//     referer, latency as "0.012345s", protocol).
//
// Every key is looked up in one table per object (top level, Caddy's
// request, its headers, GCP's httpRequest); where several keys fill one
// column the more specific wins, whatever their order in the line (the
// priorities in jsonTop). A line is a record when it is a JSON object with a
// time, a status and a request (method, path or request line); a JSON object
// without them (an application log line in the same file) is malformed with
// a reason naming its msg, and so is a line that is not a JSON object.
//
// Values: numbers may be JSON numbers or strings; "-", "" and null are
// missing. upstream_response_time lists one time per upstream tried
// ("0.010, 0.020", ": " after an internal redirect): the times are summed,
// the total the request waited on upstreams. A client field holding a list
// ("203.0.113.5, 10.0.0.2") gives the first address as the client and the
// rest as forwarded_for; http_x_forwarded_for is kept, as written, in
// forwarded_for. Caddy's duration is seconds (its duration_format seconds,
// the default), integer nanoseconds (nano: an integer of 1000 or more) or a
// Go duration string ("1.5ms"); its time_format is any of Unix seconds,
// milliseconds or nanoseconds, iso8601, rfc3339, common_log and wall
// ("2006/01/02 15:04:05", UTC) (modules/logging/encoders.go of Caddy 2).
// Times: Unix seconds (a number or a string of digits; values
// above 1e11, 1e14 and 1e17 are taken as milliseconds, microseconds and
// nanoseconds), [dd/Mon/yyyy:HH:MM:SS +zzzz] (nginx $time_local), or
// ISO 8601 / RFC 3339 with T or a space, optional fraction and Z, ±hh:mm,
// ±hhmm or no zone (UTC).
//
// The JSON scanner is hand-written: it walks the line's bytes once,
// validating the whole object, and decodes strings with escapes into the
// parser's arena; strings without escapes are slices of the line. It is
// held to encoding/json by FuzzJSONScanner (jsonlog_test.go). Where it
// differs: invalid UTF-8 inside strings is kept as written (encoding/json
// replaces each bad byte with U+FFFD), nesting deeper than jsonMaxDepth is
// refused (encoding/json allows 10000), a UTF-8 byte order mark before the
// object is skipped, and duplicate keys keep the last value only within one
// priority (as encoding/json keeps the last).
func init() {
	registerFormat(&Format{
		Name:      "json",
		Doc:       "JSON lines access logs: nginx escape=json (common key names), Caddy, Traefik JSON, Google Cloud load balancer (httpRequest)",
		sniff:     sniffJSON,
		newParser: func([]byte) parser { return newJSONParser() },
	})
}

// jsonCols is what a JSON source may fill. A parser declares its columns
// before its first line (format.go), so the set is the union of what the
// four families log; a column a source never fills stays empty (NaN for
// times).
var jsonCols = frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Protocol, frame.Status,
	frame.Referer, frame.UserAgent, frame.User, frame.Host, frame.TargetStatus, frame.Backend,
	frame.Router, frame.ForwardedFor,
	frame.Bytes, frame.TimeTaken, frame.UpstreamTime, frame.RequestBytes)

func sniffJSON(line []byte) bool {
	line = skipBOM(skipSpaces(line))
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	var r frame.Row
	k, err := newJSONParser().parse(line, &r)
	return err == nil && k == kindRecord
}

func skipBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// jsonMaxDepth bounds the nesting of objects and arrays.
const jsonMaxDepth = 64

// Contexts: the objects whose keys are read.
const (
	jcTop = iota
	jcCaddyRequest
	jcCaddyHeaders
	jcGCP
	jcNum
)

// Kinds of target.
const (
	jtIgnore   = iota
	jtStr      // a string column
	jtStatus   // a status column: digits
	jtNum      // a numeric column
	jtTime     // a time
	jtRequest  // nginx's whole request line, or Caddy's request object
	jtNested   // an object read in context sub
	jtURL      // a full URL or a path: stem, and the host weakly
	jtMsg      // msg/message: named in the reason of a line that is not an access log
	jtHeader   // a Caddy header: an array of strings, the first kept
	jtHeaderXF // X-Forwarded-For header: the values joined by ", "
)

// Flags.
const (
	jfStripPort  = 1 << iota // drop ":port"
	jfIPList                 // a list of addresses: the first is the client, the rest forwarded_for
	jfLast                   // a list: the last value (upstream_status)
	jfQuery                  // drop "?query"
	jfSum                    // a list of times: their sum (upstream_response_time)
	jfDuration               // a string may carry a unit: "0.012s", "1.5ms"
	jfNanosInt               // an integer of 1000 or more is nanoseconds (Caddy's duration_format nano)
	jfNoResponse             // a status of 0 is kept: no response was sent (the client went away first)
)

type jsonTarget struct {
	kind  uint8
	prio  uint8 // 1 is the strongest
	sub   uint8 // context of a nested object
	flags uint8
	str   frame.StrCol
	num   frame.NumCol
	div   float64 // what a number is divided by (1e9 for nanoseconds)
}

func jStr(c frame.StrCol, prio uint8, flags uint8) jsonTarget {
	return jsonTarget{kind: jtStr, str: c, prio: prio, flags: flags}
}

func jNum(c frame.NumCol, prio uint8, div float64, flags uint8) jsonTarget {
	return jsonTarget{kind: jtNum, num: c, prio: prio, div: div, flags: flags}
}

func jTime(prio uint8) jsonTarget { return jsonTarget{kind: jtTime, prio: prio} }

// The keys of each context. Priorities: where two keys fill one column, the
// lower number wins (client_ip, the client after Caddy's trusted proxies,
// over remote_ip; body_bytes_sent over bytes_sent, which counts headers).
var jsonKeys = [jcNum]map[string]jsonTarget{
	jcTop: {
		// nginx escape=json, by variable name and the common short names.
		"remote_addr":            jStr(frame.IP, 2, jfIPList),
		"client_ip":              jStr(frame.IP, 1, jfIPList),
		"clientip":               jStr(frame.IP, 2, jfIPList),
		"client":                 jStr(frame.IP, 3, jfIPList),
		"ip":                     jStr(frame.IP, 3, jfIPList),
		"remote_ip":              jStr(frame.IP, 2, jfIPList),
		"realip_remote_addr":     jStr(frame.IP, 4, jfIPList),
		"time_local":             jTime(1),
		"time_iso8601":           jTime(1),
		"@timestamp":             jTime(2),
		"timestamp":              jTime(2),
		"time":                   jTime(3),
		"msec":                   jTime(4),
		"request":                {kind: jtRequest, sub: jcCaddyRequest},
		"request_method":         jStr(frame.Method, 2, 0),
		"method":                 jStr(frame.Method, 3, 0),
		"request_uri":            jStr(frame.Stem, 2, jfQuery),
		"uri":                    jStr(frame.Stem, 3, jfQuery),
		"path":                   jStr(frame.Stem, 4, jfQuery),
		"url":                    {kind: jtURL, prio: 4},
		"server_protocol":        jStr(frame.Protocol, 2, 0),
		"protocol":               jStr(frame.Protocol, 3, 0),
		"status":                 {kind: jtStatus, str: frame.Status, prio: 2, flags: jfNoResponse}, // Caddy: 0 when the client left first
		"body_bytes_sent":        jNum(frame.Bytes, 1, 1, 0),
		"bytes_sent":             jNum(frame.Bytes, 2, 1, 0),
		"size":                   jNum(frame.Bytes, 3, 1, 0),
		"request_length":         jNum(frame.RequestBytes, 2, 1, 0),
		"bytes_read":             jNum(frame.RequestBytes, 2, 1, 0),
		"http_referer":           jStr(frame.Referer, 2, 0),
		"http_referrer":          jStr(frame.Referer, 2, 0),
		"referer":                jStr(frame.Referer, 3, 0),
		"referrer":               jStr(frame.Referer, 3, 0),
		"http_user_agent":        jStr(frame.UserAgent, 2, 0),
		"user_agent":             jStr(frame.UserAgent, 3, 0),
		"useragent":              jStr(frame.UserAgent, 3, 0),
		"agent":                  jStr(frame.UserAgent, 4, 0),
		"request_time":           jNum(frame.TimeTaken, 2, 1, 0),
		"duration":               jNum(frame.TimeTaken, 3, 1, jfDuration|jfNanosInt), // Caddy: seconds, nanoseconds or a Go duration
		"upstream_response_time": jNum(frame.UpstreamTime, 2, 1, jfSum),
		"host":                   jStr(frame.Host, 2, jfStripPort),
		"http_host":              jStr(frame.Host, 2, jfStripPort),
		"server_name":            jStr(frame.Host, 3, 0),
		"vhost":                  jStr(frame.Host, 3, jfStripPort),
		"remote_user":            jStr(frame.User, 2, 0),
		"user":                   jStr(frame.User, 3, 0),
		"user_id":                jStr(frame.User, 3, 0), // Caddy
		"http_x_forwarded_for":   jStr(frame.ForwardedFor, 2, 0),
		"x_forwarded_for":        jStr(frame.ForwardedFor, 2, 0),
		"upstream_addr":          jStr(frame.Backend, 3, jfLast),
		"upstream_status":        {kind: jtStatus, str: frame.TargetStatus, prio: 3, flags: jfLast},
		"msg":                    {kind: jtMsg},
		"message":                {kind: jtMsg},
		"date":                   jTime(6), // ballcone's log_format: "date": "$time_iso8601"
		"ua":                     jStr(frame.UserAgent, 5, 0),
		"body_bytes":             jNum(frame.Bytes, 2, 1, 0),

		// Datadog's standard attributes, flat dotted keys as nginx
		// log_format escape=json configurations write them
		// (docs.datadoghq.com/standard-attributes).
		"http.url":              {kind: jtURL, prio: 3},
		"http.method":           jStr(frame.Method, 4, 0),
		"http.status_code":      {kind: jtStatus, str: frame.Status, prio: 3},
		"http.referer":          jStr(frame.Referer, 4, 0),
		"http.useragent":        jStr(frame.UserAgent, 4, 0),
		"http.user_agent":       jStr(frame.UserAgent, 4, 0),
		"network.client.ip":     jStr(frame.IP, 2, jfIPList),
		"network.bytes_written": jNum(frame.Bytes, 3, 1, 0),
		"network.bytes_read":    jNum(frame.RequestBytes, 3, 1, 0),

		// Traefik (docs: observability/access-logs, "JSON format").
		"ClientHost":                jStr(frame.IP, 2, 0),
		"ClientAddr":                jStr(frame.IP, 3, jfStripPort),
		"ClientUsername":            jStr(frame.User, 2, 0),
		"RequestMethod":             jStr(frame.Method, 2, 0),
		"RequestPath":               jStr(frame.Stem, 2, jfQuery),
		"RequestProtocol":           jStr(frame.Protocol, 2, 0),
		"RequestHost":               jStr(frame.Host, 2, jfStripPort),
		"RequestAddr":               jStr(frame.Host, 4, jfStripPort),
		"DownstreamStatus":          {kind: jtStatus, str: frame.Status, prio: 1},
		"OriginStatus":              {kind: jtStatus, str: frame.TargetStatus, prio: 1},
		"DownstreamContentSize":     jNum(frame.Bytes, 2, 1, 0),
		"RequestContentSize":        jNum(frame.RequestBytes, 2, 1, 0),
		"Duration":                  jNum(frame.TimeTaken, 1, 1e9, 0),
		"OriginDuration":            jNum(frame.UpstreamTime, 1, 1e9, 0),
		"RouterName":                jStr(frame.Router, 1, 0),
		"ServiceName":               jStr(frame.Backend, 1, 0),
		"ServiceURL":                jStr(frame.Backend, 2, 0),
		"StartLocal":                jTime(1),
		"StartUTC":                  jTime(2),
		"request_User-Agent":        jStr(frame.UserAgent, 1, 0),
		"request_Referer":           jStr(frame.Referer, 1, 0),
		"request_X-Forwarded-For":   jStr(frame.ForwardedFor, 1, 0),
		"downstream_Content-Type":   {},
		"ts":                        jTime(3), // Caddy
		"httpRequest":               {kind: jtNested, sub: jcGCP},
		"receiveTimestamp":          jTime(5),
		"downstream_Content-Length": {},
	},
	jcCaddyRequest: {
		"client_ip":   jStr(frame.IP, 1, 0),
		"remote_ip":   jStr(frame.IP, 2, 0),
		"remote_addr": jStr(frame.IP, 3, jfStripPort), // Caddy before 2.5: "ip:port"
		"proto":       jStr(frame.Protocol, 1, 0),
		"method":      jStr(frame.Method, 1, 0),
		"host":        jStr(frame.Host, 1, jfStripPort),
		"uri":         jStr(frame.Stem, 1, jfQuery),
		"headers":     {kind: jtNested, sub: jcCaddyHeaders},
	},
	jcCaddyHeaders: {
		"User-Agent":      {kind: jtHeader, str: frame.UserAgent, prio: 1},
		"Referer":         {kind: jtHeader, str: frame.Referer, prio: 1},
		"X-Forwarded-For": {kind: jtHeaderXF, str: frame.ForwardedFor, prio: 1},
	},
	jcGCP: {
		"requestMethod": jStr(frame.Method, 1, 0),
		"requestUrl":    {kind: jtURL, prio: 1},
		"status":        {kind: jtStatus, str: frame.Status, prio: 1},
		"responseSize":  jNum(frame.Bytes, 1, 1, 0),
		"requestSize":   jNum(frame.RequestBytes, 1, 1, 0),
		"userAgent":     jStr(frame.UserAgent, 1, 0),
		"remoteIp":      jStr(frame.IP, 1, jfIPList),
		"referer":       jStr(frame.Referer, 1, 0),
		"latency":       jNum(frame.TimeTaken, 1, 1, jfDuration),
		"protocol":      jStr(frame.Protocol, 1, 0),
	},
}

// jsonLayout caches, for each position in an object, the key last seen
// there and its target: the lines of one source write the same keys in the
// same order, and comparing a key with the cached one is cheaper than a map
// lookup. A key that differs is looked up and cached in its place, so a
// line with other keys reads as correctly as the first.
type jsonLayout struct {
	key string
	t   jsonTarget
}

type jsonParser struct {
	// keys are the key tables by context: jsonKeys[:], or those of a
	// --log-format json: mapping (jsonmap.go).
	keys   []map[string]jsonTarget
	layout [][]jsonLayout
	arena  []byte // decoded strings of the current line
	keybuf []byte // a decoded key

	// Per line.
	sprio    [frame.NumStrCols]uint8
	nprio    [frame.NumNumCols]uint8
	timeVal  []byte
	timeNum  bool
	timePrio uint8
	reqLine  []byte
	msg      []byte
	err      error // the first bad value

	clfDates, isoDates dateCache

	// visit, when set (tests), sees every top-level key and value.
	visit func(key []byte, kind byte, val []byte)

	// A mapping's parser (jsonmap.go): m is nil for the detected format.
	m *jsonMapping
}

func newJSONParser() *jsonParser {
	return &jsonParser{keys: jsonKeys[:], layout: make([][]jsonLayout, jcNum)}
}

func (p *jsonParser) columns() frame.Set {
	if p.m != nil {
		return p.m.cols
	}
	return jsonCols
}

func (p *jsonParser) reset([]byte) {}

var (
	errJSONNotObject = errors.New("not a JSON object (a JSON lines log has one object per line)")
	errJSONNoTime    = errors.New("JSON object without a time (time_local, time_iso8601, @timestamp, timestamp, time, ts, msec, StartUTC)")
)

// jsonSyntaxError says where the line stops being JSON.
type jsonSyntaxError struct {
	pos int
	msg string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.pos+1, e.msg)
}

func jsonErr(pos int, msg string) error { return &jsonSyntaxError{pos, msg} }

func (p *jsonParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(line) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	start := jsonSpace(line, 0)
	if start == len(line) {
		return kindSkip, nil
	}
	if bytes.HasPrefix(line[start:], []byte("\xEF\xBB\xBF")) {
		start += 3
	}
	if start >= len(line) || line[start] != '{' {
		return 0, errJSONNotObject
	}
	p.startLine(line)

	end, err := p.object(line, start, jcTop, r, 1)
	if err != nil {
		return 0, err
	}
	for end < len(line) && isSpace(line[end]) {
		end++
	}
	if end != len(line) {
		return 0, jsonErr(end, "text after the object")
	}
	if p.err != nil {
		return 0, p.err
	}

	p.applyRequest(r, false)
	if p.m != nil {
		return p.m.check(p, r)
	}
	if p.timeVal == nil {
		if p.sprio[frame.Status] == 0 {
			return 0, p.notAccess()
		}
		return 0, errJSONNoTime
	}
	if p.sprio[frame.Status] == 0 || (r.Str[frame.Method] == nil && r.Str[frame.Stem] == nil) {
		return 0, p.notAccess()
	}
	if err := p.time(r); err != nil {
		return 0, err
	}
	return kindRecord, nil
}

// startLine clears what the parser kept of the previous line, for one
// of len(line) bytes.
func (p *jsonParser) startLine(line []byte) {
	p.sprio = [frame.NumStrCols]uint8{}
	p.nprio = [frame.NumNumCols]uint8{}
	p.timeVal, p.timeNum, p.timePrio = nil, false, 0
	p.reqLine, p.msg, p.err = nil, nil, nil
	if cap(p.arena) < len(line) {
		p.arena = make([]byte, 0, len(line)+64)
	}
	p.arena = p.arena[:0]
}

// applyRequest fills the method, stem and protocol, and with query the
// query, from a whole request line the record had ("GET /p?q HTTP/1.1"):
// its parts win over those written apart.
func (p *jsonParser) applyRequest(r *frame.Row, query bool) {
	if p.reqLine == nil {
		return
	}
	var t frame.Row
	splitRequest(p.reqLine, &t)
	for _, c := range [...]frame.StrCol{frame.Method, frame.Stem, frame.Protocol, frame.Query} {
		if t.Str[c] != nil && (c != frame.Query || query) {
			r.Str[c] = t.Str[c]
		}
	}
}

// notAccess is the reason for a JSON object that is no access log entry.
func (p *jsonParser) notAccess() error {
	if p.msg != nil {
		m := p.msg
		if len(m) > 80 {
			m = m[:80]
		}
		return fmt.Errorf("JSON log line, not an access log entry (no status and request; msg %q)", m)
	}
	return errors.New("JSON object, not an access log entry (no status and request)")
}

// Value kinds.
const (
	jvString = 's'
	jvNumber = 'n'
	jvObject = 'o'
	jvArray  = 'a'
	jvTrue   = 't'
	jvFalse  = 'f'
	jvNull   = 'z'
)

// object reads the object at b[i] ('{') in context ctx and returns the index
// after it.
func (p *jsonParser) object(b []byte, i, ctx int, r *frame.Row, depth int) (int, error) {
	if depth > jsonMaxDepth {
		return 0, jsonErr(i, "nested too deeply")
	}
	i++ // '{'
	i = jsonSpace(b, i)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for n := 0; ; n++ {
		if i >= len(b) || b[i] != '"' {
			return 0, jsonErr(i, "expected a key in quotes")
		}
		kend, kesc, err := jsonString(b, i)
		if err != nil {
			return 0, err
		}
		key := b[i+1 : kend]
		if kesc {
			p.keybuf = jsonUnescape(p.keybuf[:0], key)
			key = p.keybuf
		}
		i = jsonSpace(b, kend+1)
		if i >= len(b) || b[i] != ':' {
			return 0, jsonErr(i, "expected ':' after the key")
		}
		i = jsonSpace(b, i+1)
		t := p.target(ctx, n, key)
		if t.kind == jtNested || (t.kind == jtRequest && t.sub != jcTop && i < len(b) && b[i] == '{') {
			if i >= len(b) || b[i] != '{' {
				goto generic
			}
			if p.visit != nil && ctx == jcTop {
				p.visit(key, jvObject, nil)
			}
			i, err = p.object(b, i, int(t.sub), r, depth+1)
			if err != nil {
				return 0, err
			}
			goto next
		}
		if t.kind == jtHeader || t.kind == jtHeaderXF || (t.kind == jtStr && p.m != nil) {
			// A mapping reads an array of strings as Caddy's headers
			// are read: the first value.
			if i < len(b) && b[i] == '[' {
				i, err = p.header(b, i, t, r, depth+1)
				if err != nil {
					return 0, err
				}
				goto next
			}
		}
	generic:
		{
			kind, vs, ve, esc, next, err := jsonValue(b, i, depth+1)
			if err != nil {
				return 0, err
			}
			var val []byte
			switch kind {
			case jvString:
				val = b[vs:ve]
				if esc {
					val = p.decode(val)
				}
			case jvNumber:
				val = b[vs:ve]
			}
			if p.visit != nil && ctx == jcTop {
				p.visit(key, kind, val)
			}
			if val != nil && t.kind != jtIgnore {
				p.set(t, kind, val, r)
			}
			i = next
		}
	next:
		i = jsonSpace(b, i)
		if i >= len(b) {
			return 0, jsonErr(i, "object has no closing '}'")
		}
		switch b[i] {
		case ',':
			i = jsonSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, jsonErr(i, "expected ',' or '}' after a value")
		}
	}
}

// target finds what key at position n of an object in context ctx fills.
func (p *jsonParser) target(ctx, n int, key []byte) jsonTarget {
	l := p.layout[ctx]
	if n < len(l) && l[n].key == string(key) {
		return l[n].t
	}
	t := p.keys[ctx][string(key)]
	if n < 64 { // cache the first keys of an object
		for len(l) <= n {
			l = append(l, jsonLayout{})
		}
		l[n] = jsonLayout{key: string(key), t: t}
		p.layout[ctx] = l
	}
	return t
}

// header reads a Caddy header's array of strings: the first value, or for
// X-Forwarded-For all of them joined by ", ".
func (p *jsonParser) header(b []byte, i int, t jsonTarget, r *frame.Row, depth int) (int, error) {
	if depth > jsonMaxDepth {
		return 0, jsonErr(i, "nested too deeply")
	}
	i = jsonSpace(b, i+1)
	var first []byte
	joined := false
	mark := len(p.arena)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		kind, vs, ve, esc, next, err := jsonValue(b, i, depth+1)
		if err != nil {
			return 0, err
		}
		if kind == jvString {
			v := b[vs:ve]
			if esc {
				v = p.decode(v)
			}
			switch {
			case first == nil:
				first = v
			case t.kind == jtHeaderXF:
				if !joined {
					p.arena = append(p.arena[:mark], first...)
					joined = true
				}
				p.arena = append(p.arena, ", "...)
				p.arena = append(p.arena, v...)
			}
		}
		i = jsonSpace(b, next)
		if i >= len(b) {
			return 0, jsonErr(i, "array has no closing ']'")
		}
		if b[i] == ']' {
			break
		}
		if b[i] != ',' {
			return 0, jsonErr(i, "expected ',' or ']' after a value")
		}
		i = jsonSpace(b, i+1)
	}
	if joined {
		// The arena's capacity was reserved for the line: a header's
		// values joined are no longer than the array that holds them, so
		// slices taken before stay valid.
		first = p.arena[mark:]
	}
	if first != nil {
		p.setStr(t.str, t.prio, first, r)
	}
	return i + 1, nil
}

// decode unescapes a string value into the arena.
func (p *jsonParser) decode(raw []byte) []byte {
	mark := len(p.arena)
	if cap(p.arena)-mark < len(raw) {
		// Cannot happen for a line's own strings (decoded text is never
		// longer than the escaped), but stay safe: a new arena, the old
		// one kept alive by the slices into it.
		p.arena = make([]byte, 0, 2*cap(p.arena)+len(raw))
		mark = 0
	}
	p.arena = jsonUnescape(p.arena, raw)
	return p.arena[mark:len(p.arena):len(p.arena)]
}

func (p *jsonParser) setStr(c frame.StrCol, prio uint8, v []byte, r *frame.Row) {
	if cur := p.sprio[c]; cur != 0 && cur < prio {
		return
	}
	p.sprio[c] = prio
	r.Str[c] = v
}

func jsonMissing(v []byte) bool { return len(v) == 0 || isDash(v) }

// set stores one value.
func (p *jsonParser) set(t jsonTarget, kind byte, v []byte, r *frame.Row) {
	switch t.kind {
	case jtStr:
		v = bytes.TrimSpace(v)
		if jsonMissing(v) {
			return
		}
		if cur := p.sprio[t.str]; cur != 0 && cur < t.prio {
			return
		}
		if t.flags&jfLast != 0 {
			// nginx separates the upstreams tried with ", " and those
			// after an internal redirect with " : ".
			if k := bytes.LastIndex(v, []byte(" : ")); k >= 0 {
				v = v[k+3:]
			}
			if k := bytes.LastIndexByte(v, ','); k >= 0 {
				v = bytes.TrimSpace(v[k+1:])
			}
		}
		if t.flags&jfIPList != 0 {
			if k := bytes.IndexByte(v, ','); k >= 0 {
				rest := bytes.TrimSpace(v[k+1:])
				v = bytes.TrimSpace(v[:k])
				if len(rest) > 0 {
					p.setStr(frame.ForwardedFor, 1, rest, r)
				}
			}
		}
		if t.flags&jfStripPort != 0 {
			v = stripPort(v)
			if len(v) > 2 && v[0] == '[' && v[len(v)-1] == ']' {
				v = v[1 : len(v)-1]
			}
		}
		if t.str == frame.IP {
			v = clientAddr(v) // [2001:db8::1], as every format reads it
		}
		if t.flags&jfQuery != 0 {
			if k := bytes.IndexByte(v, '?'); k >= 0 {
				v = v[:k]
			}
		}
		if len(v) == 0 {
			return
		}
		p.sprio[t.str] = t.prio
		r.Str[t.str] = v
	case jtStatus:
		v = bytes.TrimSpace(v)
		if jsonMissing(v) {
			return
		}
		if t.flags&jfLast != 0 {
			if k := bytes.LastIndexAny(v, ",:"); k >= 0 {
				v = bytes.TrimSpace(v[k+1:])
			}
			if jsonMissing(v) {
				return
			}
		}
		if t.str == frame.TargetStatus && string(v) == "0" {
			// No backend answered: Traefik writes OriginStatus 0 for a
			// request it handled itself (no router matched, a redirect,
			// a middleware's refusal). The record stands, its target
			// status missing.
			return
		}
		if !statusCode(v) && !(t.flags&jfNoResponse != 0 && string(v) == "0") {
			// Caddy writes status 0 for a request whose client went
			// away before a response (its reverse proxy, until
			// caddyserver/caddy#7827 made it 499, as nginx writes it;
			// caddyserver/caddy#7396): the request stands, with the
			// status as written.
			p.fail(fmt.Errorf("%s %q is not a status code (3 digits, 100 to 599)", t.str, v))
			return
		}
		p.setStr(t.str, t.prio, v, r)
	case jtNum:
		if cur := p.nprio[t.num]; cur != 0 && cur < t.prio {
			return
		}
		v = bytes.TrimSpace(v)
		if jsonMissing(v) {
			return
		}
		var x float64
		var ok bool
		switch {
		case t.flags&jfSum != 0:
			x, ok = sumTimes(v)
			if ok && t.div != 1 {
				x /= t.div
			}
			if !ok && kind == jvString && t.flags&jfDuration != 0 {
				x, ok = parseDurationSeconds(v) // one time with its unit
			}
		default:
			x, ok = jsonNumber(v)
			if ok && t.div != 1 {
				x /= t.div
			}
			if ok && t.flags&jfNanosInt != 0 && kind == jvNumber && x >= 1000 && allDigits(v) {
				// Caddy's duration_format nano writes integer
				// nanoseconds; its default, seconds, a float. A
				// request of 1000 s or more is no request.
				x /= 1e9
			}
			if !ok && kind == jvString && t.flags&jfDuration != 0 {
				// A string with a unit says its own: "0.012s", "1.5ms".
				x, ok = parseDurationSeconds(v)
			}
		}
		if !ok {
			p.fail(fmt.Errorf("%s %q is not a number", t.num, v))
			return
		}
		if math.IsNaN(x) {
			return // every part was "-"
		}
		if (t.num == frame.Bytes || t.num == frame.RequestBytes) && !validCount(v, x) {
			p.fail(fmt.Errorf("%s %q is not a byte count", t.num, v))
			return
		}
		p.nprio[t.num] = t.prio
		r.Num[t.num] = x
	case jtTime:
		if p.timePrio != 0 && p.timePrio < t.prio {
			return
		}
		if jsonMissing(v) {
			return
		}
		p.timeVal, p.timeNum, p.timePrio = v, kind == jvNumber, t.prio
	case jtRequest:
		if kind == jvString && !jsonMissing(v) {
			p.reqLine = v
		}
	case jtURL:
		p.url(t.prio, v, r)
	case jtMsg:
		if kind == jvString {
			p.msg = v
		}
	case jtHeader, jtHeaderXF:
		if kind == jvString && !jsonMissing(v) {
			p.setStr(t.str, t.prio, v, r)
		}
	}
}

func (p *jsonParser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// url reads GCP's requestUrl ("https://example.com/p?q") or a bare path:
// the path is the stem and the authority the host, weakly (a host key
// wins).
func (p *jsonParser) url(prio uint8, v []byte, r *frame.Row) {
	if jsonMissing(v) {
		return
	}
	if k := bytes.Index(v, []byte("://")); k > 0 && k < 10 {
		rest := v[k+3:]
		s := bytes.IndexAny(rest, "/?#")
		host := rest
		if s >= 0 {
			host, v = rest[:s], rest[s:]
		} else {
			v = []byte("/")
		}
		if at := bytes.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		host = stripPort(host)
		if len(host) > 0 {
			p.setStr(frame.Host, 5, host, r)
		}
	}
	if k := bytes.IndexAny(v, "?#"); k >= 0 {
		v = v[:k]
	}
	if len(v) == 0 {
		v = []byte("/")
	}
	p.setStr(frame.Stem, prio, v, r)
}

// time parses the chosen time value into r.
func (p *jsonParser) time(r *frame.Row) error {
	v := bytes.TrimSpace(p.timeVal)
	if len(v) >= 19 && v[4] == '/' && v[7] == '/' && !p.timeNum {
		// Caddy's time_format wall: "2006/01/02 15:04:05[.000]", UTC.
		var iso [64]byte
		n := copy(iso[:], v)
		if n == len(v) {
			iso[4], iso[7] = '-', '-'
			if t, off, ok := p.iso8601(iso[:n]); ok {
				r.Time, r.Offset = t, off
				return nil
			}
		}
		return fmt.Errorf("time %q is not yyyy/mm/dd hh:mm:ss", v)
	}
	if len(v) > 0 && (v[0] >= '0' && v[0] <= '9') && (p.timeNum || len(v) < 10 || v[4] != '-' && v[2] != '/') {
		x, ok := jsonNumber(v)
		if !ok || x < 0 || x >= 1e20 {
			return fmt.Errorf("time %q is not a Unix time", v)
		}
		switch {
		case p.m != nil && p.m.timeDiv != 0:
			x /= p.m.timeDiv
		case x >= 1e17:
			x /= 1e9
		case x >= 1e14:
			x /= 1e6
		case x >= 1e11:
			x /= 1e3
		}
		r.Time = int64(math.Floor(x))
		return nil
	}
	if len(v) > 2 && v[0] == '[' && v[len(v)-1] == ']' {
		v = v[1 : len(v)-1]
	}
	if len(v) == 26 && v[2] == '/' {
		t, off, err := p.clfDates.clf(v)
		if err != nil {
			return err
		}
		r.Time, r.Offset = t, off
		return nil
	}
	t, off, ok := p.iso8601(v)
	if !ok {
		return fmt.Errorf("time %q is not Unix seconds, dd/Mon/yyyy:HH:MM:SS +zzzz or ISO 8601", v)
	}
	r.Time, r.Offset = t, off
	return nil
}

// iso8601 parses 2024-03-04T12:00:00[.frac][Z|±hh:mm|±hhmm] (T or space).
func (p *jsonParser) iso8601(v []byte) (int64, int32, bool) {
	if len(v) < 19 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != ' ' && v[10] != 't') {
		return 0, 0, false
	}
	t, err := p.isoDates.iso(v[:10], v[11:19])
	if err != nil {
		return 0, 0, false
	}
	rest := v[19:]
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		k := 1
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		if k == 1 {
			return 0, 0, false
		}
		rest = rest[k:]
	}
	var off int64
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case rest[0] == '+' || rest[0] == '-':
		z := rest[1:]
		var h, m int64
		var ok1, ok2 bool
		switch {
		case len(z) == 5 && z[2] == ':':
			h, ok1 = num2(z[0:2])
			m, ok2 = num2(z[3:5])
		case len(z) == 4:
			h, ok1 = num2(z[0:2])
			m, ok2 = num2(z[2:4])
		case len(z) == 2:
			h, ok1 = num2(z[0:2])
			ok2 = true
		}
		if !ok1 || !ok2 || h > 23 || m > 59 {
			return 0, 0, false
		}
		off = h*3600 + m*60
		if rest[0] == '-' {
			off = -off
		}
	default:
		return 0, 0, false
	}
	return t - off, int32(off), true
}

// sumTimes sums nginx's list of upstream times ("0.010, 0.020 : 0.001");
// "-" parts (no upstream answered) count for nothing. All "-": NaN.
func sumTimes(v []byte) (float64, bool) {
	sum, any := 0.0, false
	for len(v) > 0 {
		k := bytes.IndexAny(v, ",:")
		part := v
		if k >= 0 {
			part, v = v[:k], v[k+1:]
		} else {
			v = nil
		}
		part = bytes.TrimSpace(part)
		if jsonMissing(part) {
			continue
		}
		x, ok := jsonNumber(part)
		if !ok {
			return 0, false
		}
		sum += x
		any = true
	}
	if !any {
		return math.NaN(), true
	}
	// nginx writes milliseconds: round the sum's binary noise away
	// (0.010 + 0.020 + 0.005 is 0.035, not 0.034999999999999996).
	return math.Round(sum*1e9) / 1e9, true
}

// parseDurationSeconds reads a duration in seconds: a bare number, GCP's
// "0.012345s" (protobuf Duration), or a Go duration string as Caddy writes
// with duration_format string ("1.5ms", "929.675µs", "1m2.5s").
func parseDurationSeconds(v []byte) (float64, bool) {
	if x, ok := jsonNumber(v); ok {
		return x, true
	}
	total := 0.0
	for len(v) > 0 {
		k := 0
		for k < len(v) && (v[k] >= '0' && v[k] <= '9' || v[k] == '.') {
			k++
		}
		if k == 0 {
			return 0, false
		}
		x, ok := parseDecimal(v[:k])
		if !ok {
			return 0, false
		}
		v = v[k:]
		u := 0
		for u < len(v) && !(v[u] >= '0' && v[u] <= '9' || v[u] == '.') {
			u++
		}
		// Divide for the units below a second: 929.675/1e6 is
		// 0.000929675, 929.675*1e-6 is not quite.
		var mult, div float64 = 1, 1
		switch string(v[:u]) {
		case "ns":
			div = 1e9
		case "us", "µs", "μs":
			div = 1e6
		case "ms":
			div = 1e3
		case "s":
		case "m":
			mult = 60
		case "h":
			mult = 3600
		default:
			return 0, false
		}
		total += x * mult / div
		v = v[u:]
	}
	return total, true
}

// jsonNumber parses a JSON number (or the same text in a string).
func jsonNumber(v []byte) (float64, bool) {
	if x, ok := parseDecimal(v); ok {
		return x, true
	}
	if len(v) == 0 || len(v) > 64 || !isJSONNumber(v) {
		return 0, false
	}
	x, err := strconv.ParseFloat(string(v), 64)
	return x, err == nil
}

// isJSONNumber reports whether v is a number by JSON's grammar.
func isJSONNumber(v []byte) bool {
	_, end, ok := scanJSONNumber(v, 0)
	return ok && end == len(v)
}

// scanJSONNumber scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? from b[i].
func scanJSONNumber(b []byte, i int) (start, end int, ok bool) {
	start = i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return start, i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return start, i, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return start, i, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return start, i, true
}

// jsonSpace skips JSON white space (space, tab, CR, LF).
func jsonSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// jsonPlain marks the bytes a string holds without a second look: not '"',
// not '\\', not a control character.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// jsonPlainRun skips the plain bytes of b from j eight at a time: a word
// with no '"', no '\\' and no byte below 0x20 is skipped whole (the
// has-zero-byte and has-less-than tricks: exact about whether such a byte
// exists, which is all this needs); the byte loop of jsonString takes over
// at the first word that holds one.
func jsonPlainRun(b []byte, j int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		q := x ^ ('"' * ones)
		s := x ^ ('\\' * ones)
		m := ((q - ones) &^ q) | ((s - ones) &^ s) | ((x - 0x20*ones) &^ x)
		if m&highs != 0 {
			return j
		}
	}
	return j
}

// jsonString scans the string that starts at b[i] ('"'). It returns the
// index of the closing quote and whether the string holds escapes.
func jsonString(b []byte, i int) (end int, esc bool, err error) {
	j := i + 1
	for {
		j = jsonPlainRun(b, j)
		for j < len(b) && jsonPlain[b[j]] {
			j++
		}
		if j >= len(b) {
			return 0, false, jsonErr(i, "string has no closing quote")
		}
		switch c := b[j]; {
		case c == '"':
			return j, esc, nil
		case c == '\\':
			esc = true
			if j+1 >= len(b) {
				return 0, false, jsonErr(j, "string has no closing quote")
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+5 >= len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return 0, false, jsonErr(j, `\u is not followed by four hexadecimal digits`)
				}
				j += 6
			default:
				return 0, false, jsonErr(j, "invalid escape in a string")
			}
		default:
			return 0, false, jsonErr(j, "control character in a string")
		}
	}
}

// jsonValue scans the value at b[i]: its kind, its text (a string's without
// the quotes; a number's; empty for the others) and the index after it.
// Objects and arrays are validated and skipped.
func jsonValue(b []byte, i, depth int) (kind byte, vs, ve int, esc bool, next int, err error) {
	if i >= len(b) {
		return 0, 0, 0, false, 0, jsonErr(i, "expected a value")
	}
	switch c := b[i]; {
	case c == '"':
		end, esc, err := jsonString(b, i)
		if err != nil {
			return 0, 0, 0, false, 0, err
		}
		return jvString, i + 1, end, esc, end + 1, nil
	case c == '-' || c >= '0' && c <= '9':
		s, e, ok := scanJSONNumber(b, i)
		if !ok {
			return 0, 0, 0, false, 0, jsonErr(e, "invalid number")
		}
		return jvNumber, s, e, false, e, nil
	case c == '{' || c == '[':
		end, err := jsonSkip(b, i, depth)
		if err != nil {
			return 0, 0, 0, false, 0, err
		}
		k := byte(jvObject)
		if c == '[' {
			k = jvArray
		}
		return k, i, i, false, end, nil
	case bytes.HasPrefix(b[i:], []byte("true")):
		return jvTrue, i, i, false, i + 4, nil
	case bytes.HasPrefix(b[i:], []byte("false")):
		return jvFalse, i, i, false, i + 5, nil
	case bytes.HasPrefix(b[i:], []byte("null")):
		return jvNull, i, i, false, i + 4, nil
	}
	return 0, 0, 0, false, 0, jsonErr(i, "expected a value")
}

// jsonSkip validates and skips the object or array at b[i].
func jsonSkip(b []byte, i, depth int) (int, error) {
	if depth > jsonMaxDepth {
		return 0, jsonErr(i, "nested too deeply")
	}
	obj := b[i] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, nil
	}
	for {
		if obj {
			if i >= len(b) || b[i] != '"' {
				return 0, jsonErr(i, "expected a key in quotes")
			}
			end, _, err := jsonString(b, i)
			if err != nil {
				return 0, err
			}
			i = jsonSpace(b, end+1)
			if i >= len(b) || b[i] != ':' {
				return 0, jsonErr(i, "expected ':' after the key")
			}
			i = jsonSpace(b, i+1)
		}
		_, _, _, _, next, err := jsonValue(b, i, depth+1)
		if err != nil {
			return 0, err
		}
		i = jsonSpace(b, next)
		if i >= len(b) {
			return 0, jsonErr(i, "no closing '"+string(closer)+"'")
		}
		if b[i] == closer {
			return i + 1, nil
		}
		if b[i] != ',' {
			return 0, jsonErr(i, "expected ',' or '"+string(closer)+"' after a value")
		}
		i = jsonSpace(b, i+1)
	}
}

// jsonUnescape appends the string text raw (already validated by
// jsonString) to dst with its escapes decoded as encoding/json decodes
// them: \uXXXX surrogate pairs combine, a lone surrogate becomes U+FFFD.
func jsonUnescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		k := bytes.IndexByte(raw[i:], '\\')
		if k < 0 {
			return append(dst, raw[i:]...)
		}
		dst = append(dst, raw[i:i+k]...)
		i += k
		if i+1 >= len(raw) {
			return dst
		}
		switch c := raw[i+1]; c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+6 > len(raw) {
				return dst
			}
			rr := rune(hex4(raw[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(rr) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if dec := utf16.DecodeRune(rr, rune(hex4(raw[i+2:i+6]))); dec != utf8.RuneError {
						dst = utf8.AppendRune(dst, dec)
						i += 6
						continue
					}
				}
				rr = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, rr)
			continue
		default: // " \ /
			dst = append(dst, c)
		}
		i += 2
	}
	return dst
}

func hex4(b []byte) int {
	n := 0
	for _, c := range b[:4] {
		if !isHex(c) {
			return -1
		}
		n = n<<4 | int(unhex(c))
	}
	return n
}
