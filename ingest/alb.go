package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/logbook/logbook/frame"
)

// AWS Application Load Balancer access logs: one request a line, fields
// separated by single spaces, some of them in double quotes. The fields, in
// the order of "Access log entries" in the ELB user guide for Application
// Load Balancers
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html):
//
//	 0 type                     http, https, h2, grpcs, ws, wss
//	 1 time                     2018-07-02T22:23:00.186641Z (the response; floored to the second)
//	 2 elb                      app/my-loadbalancer/50dc6c495c0c9188
//	 3 client:port              192.168.131.39:2817; IPv6 unbracketed, 2a02:a33c::f215:50718 (brackets accepted)
//	 4 target:port              10.0.0.1:80, or - (no target: Lambda, a rejected request)
//	 5 request_processing_time  seconds, -1 when not measured
//	 6 target_processing_time   seconds, -1 when not measured
//	 7 response_processing_time seconds, -1 when not measured
//	 8 elb_status_code          what the client got
//	 9 target_status_code       - when no target answered
//	10 received_bytes
//	11 sent_bytes
//	12 "request"                "GET https://www.example.com:443/path?q HTTP/1.1", "- - - " when none was parsed
//	13 "user_agent"
//	14 ssl_cipher               - on plain HTTP
//	15 ssl_protocol             - on plain HTTP
//	16 target_group_arn
//	17 "trace_id"
//	18 "domain_name" 19 "chosen_cert_arn" 20 matched_rule_priority
//	21 request_creation_time 22 "actions_executed" 23 "redirect_url"
//	24 "error_reason" 25 "target:port_list" 26 "target_status_code_list"
//	27 "classification" 28 "classification_reason" 29 conn_trace_id ...
//
// AWS has appended fields over the years (the first ALB logs ended with
// trace_id; domain_name ... error_reason, the target lists, classification,
// conn_trace_id and the transform fields came later), so a line needs the
// first 16 fields, and whatever follows error_reason is ignored: lines of
// every generation, and of those still to come, read alike.
//
// Columns: ip (client without its port: what follows the last colon),
// method, uri_stem (the path of the request URL without its query),
// protocol, host (the URL's host without its port), scheme (the type as
// written: h2, grpcs, ws ...), status (elb_status_code), target_status,
// user_agent, tls_version (ssl_protocol), backend (target ip:port as
// written), error_code (error_reason); bytes (sent_bytes), request_bytes
// (received_bytes), upstream_time (target_processing_time, NaN when -1) and
// time_taken: the sum of the three processing times when all three are
// measured (≥ 0), NaN otherwise, rounded to the microsecond. That sum runs
// from the load balancer receiving the request to its starting to send the
// response: it leaves out the time to send the response and, for
// WebSockets, the life of the connection.
//
// The format is registered from elb.go's init, just before elb: Go runs a
// package's init functions in the order of their files' names, and alb.go's
// would register alb before the NCSA formats and CloudFront, changing the
// order formats are listed and detected in.
var albFormat = &Format{
	Name:      "alb",
	Doc:       `AWS Application Load Balancer access logs: type time app/name/id client:port target:port times status ... "request" "user_agent" ... (every field generation)`,
	sniff:     sniffALB,
	newParser: func([]byte) parser { return &albParser{} },
}

var albCols = frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Protocol, frame.Status,
	frame.TargetStatus, frame.Host, frame.Scheme, frame.UserAgent, frame.TLSVersion, frame.Backend,
	frame.ErrorCode, frame.Bytes, frame.RequestBytes, frame.TimeTaken, frame.UpstreamTime)

// albMinFields is how many fields an ALB line needs (through ssl_protocol);
// albFields is how many are read (through error_reason).
const (
	albMinFields = 16
	albFields    = 25
)

type albParser struct {
	dates  dateCache
	fields [albFields][]byte
}

func (p *albParser) columns() frame.Set { return albCols }

// isALBType reports whether b is one of the request types ALB logs.
func isALBType(b []byte) bool {
	switch string(b) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return true
	}
	return false
}

// sniffALB accepts a line only when it opens as an ALB entry does — a type,
// an ISO 8601 UTC time, an "app/" load balancer and a client ip:port — and
// parses as one.
func sniffALB(line []byte) bool {
	line = trimEOL(line)
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 || !isALBType(line[:sp]) {
		return false
	}
	rest := line[sp+1:]
	if len(rest) < 21 || rest[10] != 'T' {
		return false
	}
	var p albParser
	var r frame.Row
	k, err := p.parse(line, &r)
	return err == nil && k == kindRecord
}

var (
	errLBQuote    = errors.New("a quoted field has no closing quote")
	errLBTime     = errors.New("time is not an ISO 8601 UTC time (2018-07-02T22:23:00.186641Z)")
	errALBType    = errors.New("type is not http, https, h2, grpcs, ws or wss")
	errALBName    = errors.New(`the load balancer is not "app/name/id"`)
	errLBClient   = errors.New("client is not ip:port")
	errLBBackend  = errors.New("target is neither ip:port nor -")
	errLBStatus   = errors.New("status code is neither a 3-digit number from 100 to 599 nor -")
	errLBBytes    = errors.New("received or sent bytes is not a number (of at most 63 bits)")
	errLBTLS      = errors.New("ssl_protocol is neither - nor a TLS or SSL version (a quote in the user agent?)")
	errLBRequest  = errors.New(`request is not "METHOD URL PROTOCOL"`)
	errALBTGroup  = errors.New("target_group_arn is neither an ARN nor - (a quote in the user agent?)")
	errLBDuration = errors.New("processing time is not a number of seconds")
)

func (p *albParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(line) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	f := p.fields[:]
	n, err := splitLBFields(line, f)
	if err != nil {
		return 0, err
	}
	if n < albMinFields {
		return 0, fmt.Errorf("%d fields, an ALB entry has at least %d", n, albMinFields)
	}
	if !isALBType(f[0]) {
		return 0, errALBType
	}
	r.Str[frame.Scheme] = f[0]
	if r.Time, err = p.dates.lbTime(f[1]); err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(f[2], []byte("app/")) {
		return 0, errALBName
	}
	if err := lbCommon(f[3:], r, frame.TargetStatus); err != nil {
		return 0, err
	}
	if err := lbRequest(f[12], r, false); err != nil {
		return 0, err
	}
	if !isDash(f[13]) {
		r.Str[frame.UserAgent] = f[13]
	}
	if err := lbTLS(f[15], r); err != nil {
		return 0, err
	}
	if n > 16 && !isDash(f[16]) && !bytes.HasPrefix(f[16], []byte("arn:")) {
		return 0, errALBTGroup
	}
	if n > 24 && !isDash(f[24]) && len(f[24]) > 0 {
		r.Str[frame.ErrorCode] = f[24]
	}
	return kindRecord, nil
}

// splitLBFields cuts line into up to len(f) space-separated fields and
// returns how many it cut; text after the last is ignored. A field that
// opens with a double quote runs to the next quote that is followed by a
// space or the end of the line and not preceded by a backslash; the quotes
// are dropped, the text between them is kept as written ("- - - " stays so).
func splitLBFields(line []byte, f [][]byte) (int, error) {
	n := 0
	for n < len(f) {
		line = skipSpaces(line)
		if len(line) == 0 {
			break
		}
		if line[0] != '"' {
			// Unquoted fields are short: a loop beats a call to
			// bytes.IndexByte per field.
			i := 0
			for i < len(line) && line[i] != ' ' {
				i++
			}
			f[n], line = line[:i], line[i:]
			n++
			continue
		}
		body := line[1:]
		for off := 0; ; {
			q := bytes.IndexByte(body[off:], '"')
			if q < 0 {
				return n, errLBQuote
			}
			q += off
			if (q+1 == len(body) || body[q+1] == ' ') && (q == 0 || body[q-1] != '\\') {
				f[n], line = body[:q], body[q+1:]
				n++
				break
			}
			off = q + 1
		}
	}
	return n, nil
}

// lbCommon reads the fields ALB and classic ELB share, from client:port to
// sent_bytes: client, backend, the three processing times, the two status
// codes and the two byte counts. target is the column of the backend's
// status.
func lbCommon(f [][]byte, r *frame.Row, target frame.StrCol) error {
	ip, ok := lbHost(f[0])
	if !ok {
		return errLBClient
	}
	r.Str[frame.IP] = ip
	if !isDash(f[1]) {
		if _, ok := lbHost(f[1]); !ok {
			return errLBBackend
		}
		r.Str[frame.Backend] = f[1]
	}
	var t [3]float64
	for i := range t {
		v := f[2+i]
		if len(v) > 1 && v[0] == '-' {
			// -1: not measured (no target, the connection closed first).
			if _, ok := parseDecimal(v[1:]); !ok {
				return errLBDuration
			}
			t[i] = math.NaN()
			continue
		}
		x, ok := parseDecimal(v)
		if !ok {
			return errLBDuration
		}
		t[i] = x
	}
	r.Num[frame.UpstreamTime] = t[1]
	// NaN when one is; rounded to the microsecond, the logs' precision,
	// so that 0.000073+0.001048+0.000057 reads 0.001178.
	r.Num[frame.TimeTaken] = math.Round((t[0]+t[1]+t[2])*1e6) / 1e6
	for i, c := range [2]frame.StrCol{frame.Status, target} {
		v := f[5+i]
		switch {
		case isDash(v):
		case statusCode(v):
			r.Str[c] = v
		default:
			return errLBStatus
		}
	}
	for i, c := range [2]frame.NumCol{frame.RequestBytes, frame.Bytes} {
		v := f[7+i]
		if x, ok := byteCount(v); ok {
			r.Num[c] = x
		} else if !isDash(v) {
			return errLBBytes
		}
	}
	return nil
}

// lbHost returns the address of "ip:port" or "[ipv6]:port" without port
// and brackets.
func lbHost(b []byte) ([]byte, bool) {
	i := bytes.LastIndexByte(b, ':')
	if i <= 0 || i == len(b)-1 || !allDigits(b[i+1:]) {
		return nil, false
	}
	h := b[:i]
	if h[0] == '[' {
		if len(h) < 3 || h[len(h)-1] != ']' {
			return nil, false
		}
		h = h[1 : len(h)-1]
	}
	for _, c := range h {
		if !isHex(c) && c != '.' && c != ':' {
			return nil, false
		}
	}
	return h, true
}

// lbRequest reads "METHOD scheme://host:port/path?query PROTOCOL". A
// request the load balancer did not parse ("- - - ", a TCP listener's
// line) fills nothing. withScheme fills the scheme column from the URL.
func lbRequest(req []byte, r *frame.Row, withScheme bool) error {
	req = bytes.TrimRight(req, " ")
	sp := bytes.IndexByte(req, ' ')
	if sp < 0 {
		if isDash(req) {
			return nil
		}
		return errLBRequest
	}
	method, rest := req[:sp], req[sp+1:]
	if isDash(method) {
		return nil // "- - - "
	}
	if !isMethod(method) {
		return errLBRequest
	}
	r.Str[frame.Method] = method
	if ls := bytes.LastIndexByte(rest, ' '); ls >= 0 {
		if proto := rest[ls+1:]; bytes.HasPrefix(proto, []byte("HTTP/")) {
			r.Str[frame.Protocol] = proto
			rest = rest[:ls]
		} else if isDash(proto) {
			rest = rest[:ls]
		}
	}
	url := rest
	if i := bytes.Index(url, []byte("://")); i > 0 && bytes.IndexByte(url[:i], '/') < 0 {
		if withScheme {
			r.Str[frame.Scheme] = url[:i]
		}
		url = url[i+3:]
		end := bytes.IndexAny(url, "/?")
		if end < 0 {
			end = len(url)
		}
		if h := stripPort(url[:end]); len(h) > 0 {
			r.Str[frame.Host] = h
		}
		url = url[end:]
	}
	if q := bytes.IndexByte(url, '?'); q >= 0 {
		url = url[:q]
	}
	if len(url) > 0 && !isDash(url) {
		r.Str[frame.Stem] = url
	}
	return nil
}

// lbTLS reads ssl_protocol: - or a protocol name such as TLSv1.2. Anything
// else means the fields before it were cut in the wrong places.
func lbTLS(v []byte, r *frame.Row) error {
	if isDash(v) {
		return nil
	}
	if !bytes.HasPrefix(v, []byte("TLS")) && !bytes.HasPrefix(v, []byte("SSL")) {
		return errLBTLS
	}
	r.Str[frame.TLSVersion] = v
	return nil
}

// lbTime parses the ISO 8601 UTC time ALB and classic ELB write,
// 2018-07-02T22:23:00.186641Z, to Unix seconds (the fraction is dropped:
// floored, as the time is after 1970).
func (c *dateCache) lbTime(ts []byte) (int64, error) {
	if len(ts) < 20 || ts[10] != 'T' || ts[len(ts)-1] != 'Z' {
		return 0, errLBTime
	}
	if frac := ts[19 : len(ts)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || !allDigits(frac[1:]) {
			return 0, errLBTime
		}
	}
	t, err := c.iso(ts[:10], ts[11:19])
	if err != nil {
		return 0, errLBTime
	}
	return t, nil
}
