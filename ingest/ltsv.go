package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/logbook/logbook/frame"
)

// LTSV (Labeled Tab-separated Values, ltsv.org): one record per line,
// fields separated by tabs, each a label, a colon and a value:
//
//	time:[10/Oct/2000:13:55:36 -0700]	host:127.0.0.1	req:GET /apache_pb.gif HTTP/1.0	status:200	size:2326	ua:curl/8.0
//
// A label is one or more of 0-9 A-Z a-z _ . - (the spec's lbyte); the value
// is everything after the first colon up to the tab, "-" or nothing for a
// value not logged. The labels are read by the names ltsv.org recommends
// for access logs, which Apache's and nginx's LTSV configurations write:
//
//	time            the request's time: [dd/Mon/yyyy:HH:MM:SS +zzzz] (%t,
//	                $time_local, with or without brackets), ISO 8601
//	                ($time_iso8601) or Unix seconds ($msec)
//	host            the client (%h, $remote_addr), not the site
//	forwardedfor    X-Forwarded-For
//	user            the authenticated user (%u, $remote_user)
//	req             the request line (%r, $request)
//	method, uri, protocol
//	                the request line's parts (%m, %U%q, %H); uri's query
//	                is read as a request line's
//	status          the status (%>s, $status)
//	size            the bytes sent (%b, %B, $body_bytes_sent)
//	reqsize         the bytes received (%I, $request_length)
//	referer, ua     the Referer and User-Agent headers
//	vhost           the site's host name (%{Host}i, $host)
//	reqtime         the time taken, in seconds (%T, $request_time)
//	reqtime_microsec
//	                the time taken, in microseconds (%D)
//	apptime         the upstream's time, in seconds ($upstream_response_time:
//	                alp's name; several upstreams' times are summed)
//
// and, when a configuration names its labels after the server's variables
// instead, by the names the JSON reader knows (remote_addr, time_local,
// request, request_time, http_user_agent, http_host, ...: jsonlog.go).
// ltsv.org's labels win where a name is in both (host is the client
// here). Other labels (ident, cache, runtime, anything a site adds) are
// ignored.
//
// A line is a record when every field is label:value and it has a time, a
// status, and a request (req, or method or uri); otherwise it is
// malformed, with what it lacks. Values are checked as in every format
// (a status of three digits, a byte count of at most 63 bits).

func init() {
	registerFormat(&Format{
		Name:      "ltsv",
		Doc:       "LTSV (Labeled Tab-separated Values): label:value fields by tabs, ltsv.org's labels (time, host, req, status, size, referer, ua, vhost, reqtime, apptime) or nginx's variable names",
		sniff:     sniffLTSV,
		newParser: func([]byte) parser { return newLTSVParser() },
	})
}

// ltsvKeys are ltsv.org's recommended labels for access logs
// (ltsv.org, "Labels") and alp's apptime; other labels are looked up among
// jsonKeys[jcTop].
var ltsvKeys = map[string]jsonTarget{
	"time":             jTime(1),
	"host":             jStr(frame.IP, 1, jfIPList),
	"forwardedfor":     jStr(frame.ForwardedFor, 1, 0),
	"user":             jStr(frame.User, 1, 0),
	"ident":            {},
	"req":              {kind: jtRequest},
	"method":           jStr(frame.Method, 1, 0),
	"uri":              jStr(frame.Stem, 1, 0),
	"protocol":         jStr(frame.Protocol, 1, 0),
	"status":           {kind: jtStatus, str: frame.Status, prio: 1},
	"size":             jNum(frame.Bytes, 1, 1, 0),
	"reqsize":          jNum(frame.RequestBytes, 1, 1, 0),
	"referer":          jStr(frame.Referer, 1, 0),
	"ua":               jStr(frame.UserAgent, 1, 0),
	"vhost":            jStr(frame.Host, 1, jfStripPort),
	"reqtime":          jNum(frame.TimeTaken, 1, 1, 0),
	"reqtime_microsec": jNum(frame.TimeTaken, 1, 1e6, 0),
	"apptime":          jNum(frame.UpstreamTime, 1, 1, jfSum),
	"cache":            {},
	"runtime":          {},
}

// ltsvLabelByte marks the bytes a label is made of.
var ltsvLabelByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
		t[c+'a'-'A'] = true
	}
	t['_'], t['.'], t['-'] = true, true, true
	return t
}()

// ltsvLabel returns the length of the label field f starts with, up to its
// colon, or -1 when f is not label:value.
func ltsvLabel(f []byte) int {
	for i, c := range f {
		if c == ':' {
			if i == 0 {
				return -1
			}
			return i
		}
		if !ltsvLabelByte[c] {
			return -1
		}
	}
	return -1
}

type ltsvParser struct {
	p *jsonParser // its value readers, priorities and date caches
	// m, for --log-format ltsv:, is the mapping of labels to columns
	// (its top-level keys): only its labels are read.
	m      *jsonMapping
	fields [][]byte
	// last caches, per field position, the label last seen there and its
	// target, as jsonLayout does: a source's lines write the same labels
	// in the same order.
	last []jsonLayout
}

func newLTSVParser() *ltsvParser { return &ltsvParser{p: newJSONParser()} }

// ltsvCols are the JSON reader's columns and the query.
var ltsvCols = func() frame.Set {
	s := jsonCols
	s.Str[frame.Query] = true
	return s
}()

func (l *ltsvParser) columns() frame.Set {
	if l.m != nil {
		return l.m.cols
	}
	return ltsvCols
}

func (l *ltsvParser) reset([]byte) {}

var (
	errLTSVNoTime    = errors.New("LTSV line without a time (labels time, time_local, time_iso8601, timestamp, msec)")
	errLTSVNoRequest = errors.New("LTSV line without a status and a request (labels status, and req or method and uri)")
)

func (l *ltsvParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(skipBOM(line))
	if len(line) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	p := l.p
	p.startLine(line)
	l.fields = splitTabs(line, l.fields[:0])
	for i, f := range l.fields {
		if len(f) == 0 {
			continue // a tab at the end, or two in a row
		}
		n := ltsvLabel(f)
		if n < 0 {
			if len(f) > 40 {
				f = f[:40]
			}
			return 0, fmt.Errorf("LTSV field %d (%q) is not label:value", i+1, f)
		}
		p.set(l.target(i, f[:n]), jvString, f[n+1:], r)
	}
	if p.err != nil {
		return 0, p.err
	}
	if st := r.Str[frame.Stem]; st != nil {
		// uri as %U%q and $request_uri write it: the query apart, as
		// in a request line.
		if q := bytes.IndexByte(st, '?'); q >= 0 {
			r.Str[frame.Stem], r.Str[frame.Query] = st[:q], st[q+1:]
		}
	}
	p.applyRequest(r, true)
	if l.m != nil {
		return l.m.check(p, r)
	}
	if p.timeVal == nil {
		return 0, errLTSVNoTime
	}
	if p.sprio[frame.Status] == 0 || (r.Str[frame.Method] == nil && r.Str[frame.Stem] == nil) {
		return 0, errLTSVNoRequest
	}
	if err := p.time(r); err != nil {
		return 0, err
	}
	return kindRecord, nil
}

// target is what the label of field i says to fill.
func (l *ltsvParser) target(i int, label []byte) jsonTarget {
	if i < len(l.last) && l.last[i].key == string(label) {
		return l.last[i].t
	}
	var t jsonTarget
	if l.m != nil {
		t = l.m.keys[jcTop][string(label)]
	} else if k, ok := ltsvKeys[string(label)]; ok {
		t = k
	} else {
		t = jsonKeys[jcTop][string(label)]
	}
	if t.kind == jtNested {
		t = jsonTarget{} // an object in JSON; a string here
	}
	t.flags &^= jfQuery // the query is kept (parse)
	for len(l.last) <= i {
		l.last = append(l.last, jsonLayout{})
	}
	l.last[i] = jsonLayout{key: string(label), t: t}
	return t
}

// sniffLTSV accepts a line that is an LTSV access record: every field
// label:value, a time, a status and a request.
func sniffLTSV(line []byte) bool {
	line = skipBOM(line)
	if len(line) == 0 || ltsvLabel(line) < 0 {
		return false
	}
	var r frame.Row
	k, err := newLTSVParser().parse(line, &r)
	return err == nil && k == kindRecord
}

// --log-format 'ltsv:COLUMN=LABEL[:UNIT],...' reads each line's LABEL into
// COLUMN, and nothing else: the columns, units and rules of json:
// (jsonmap.go), a label being a key of one part (a dot is part of the
// label). A line is a record when every field is label:value and it has
// the time label, the status label if status is mapped, and a request
// label if one is mapped.
func parseLTSVMapping(spec, body string) (*Format, error) {
	m, err := compileJSONMapping(body)
	if err != nil {
		return nil, fmt.Errorf("ltsv label mapping: %s", strings.ReplaceAll(err.Error(), "json:", "ltsv:"))
	}
	for k := range m.keys[jcTop] {
		if t := m.keys[jcTop][k]; t.kind == jtNested {
			delete(m.keys[jcTop], k) // the parts of a dotted key: the label is the whole
		}
	}
	if m.cols.Str[frame.Stem] {
		m.cols.Str[frame.Query] = true // kept, as the detected format keeps it
	}
	newParser := func() *ltsvParser {
		p := m.newParser()
		return &ltsvParser{p: p, m: m}
	}
	return &Format{
		Name: spec,
		Doc:  "LTSV with the labels " + strings.TrimSpace(body),
		sniff: func(line []byte) bool {
			var r frame.Row
			k, err := newParser().parse(line, &r)
			return err == nil && k == kindRecord
		},
		newParser: func([]byte) parser { return newParser() },
	}, nil
}
