package ingest

import (
	"bytes"
	"errors"

	"github.com/logbook/logbook/frame"
)

// The NCSA family: common, combined and their virtual-host variants.
//
//	[vhost:port] client ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status size ["referer" "user agent"]
//
// One lenient parser reads all four; the format name says which columns a
// source fills.
func init() {
	for _, f := range []struct {
		name, doc     string
		vhost, agents bool
	}{
		{"combined", `Apache/nginx combined: client ident user [time] "request" status size "referer" "user agent"`, false, true},
		{"common", `Apache common (CLF): client ident user [time] "request" status size`, false, false},
		{"vhost_combined", `combined with the virtual host first: vhost:port client ... "user agent"`, true, true},
		{"vhost_common", `common with the virtual host first: vhost:port client ident user [time] ...`, true, false},
	} {
		cols := frame.Cols(frame.IP, frame.User, frame.Method, frame.Stem, frame.Protocol, frame.Status, frame.Bytes)
		if f.agents {
			cols.Union(frame.Cols(frame.Referer, frame.UserAgent))
		}
		if f.vhost {
			cols.Union(frame.Cols(frame.Host))
		}
		vhost, agents := f.vhost, f.agents
		registerFormat(&Format{
			Name: f.name,
			Doc:  f.doc,
			sniff: func(line []byte) bool {
				var p clfParser
				var r frame.Row
				k, err := p.parse(line, &r)
				return err == nil && k != kindSkip && p.shape.vhost == vhost && p.shape.agents == agents
			},
			newParser: func([]byte) parser { return &clfParser{cols: cols} },
		})
	}
}

type clfShape struct{ vhost, agents bool }

type clfParser struct {
	cols  frame.Set
	shape clfShape // what the last line held, for sniffing

	dates   dateCache
	scratch [3][]byte // unescaped request, referer, user agent
}

func (p *clfParser) columns() frame.Set { return p.cols }

var (
	errNoTimestamp  = errors.New("no [timestamp]")
	errPrefix       = errors.New("expected client, ident and user before the timestamp")
	errNoRequest    = errors.New(`no quoted "request" after the timestamp`)
	errOpenRequest  = errors.New("request has no closing quote")
	errStatus       = errors.New("status is not a 3-digit number")
	errSize         = errors.New("size is neither a number nor -")
	errOpenReferer  = errors.New("referer has no closing quote")
	errTrailingJunk = errors.New("unexpected text after the size")
)

func (p *clfParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(line) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	kind := kindRecord
	lb := bytes.IndexByte(line, '[')
	if lb < 0 {
		return 0, errNoTimestamp
	}
	// Up to four space-separated tokens before the timestamp.
	var tok [4][]byte
	n := 0
	for rest := line[:lb]; ; {
		rest = skipSpaces(rest)
		if len(rest) == 0 {
			break
		}
		if n == len(tok) {
			return 0, errPrefix
		}
		i := bytes.IndexByte(rest, ' ')
		if i < 0 {
			i = len(rest)
		}
		tok[n], rest = rest[:i], rest[i:]
		n++
	}
	if n < 3 {
		return 0, errPrefix
	}
	p.shape.vhost = n == 4
	if n == 4 {
		r.Str[frame.Host] = stripPort(tok[0])
	}
	r.Str[frame.IP] = tok[n-3]
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
	if len(st) != 3 || !allDigits(st) {
		return 0, errStatus
	}
	r.Str[frame.Status] = st
	rest = skipSpaces(rest[i:])
	i = bytes.IndexByte(rest, ' ')
	if i < 0 {
		i = len(rest)
	}
	size := rest[:i]
	switch {
	case isDash(size):
		r.Num[frame.Bytes] = 0
	case allDigits(size) && len(size) > 0:
		r.Num[frame.Bytes] = float64(atoi(size))
	default:
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
	rest = skipSpaces(rest)
	if len(rest) == 0 || rest[0] != '"' {
		// A referer with no user agent: still a record; extra fields
		// some servers append after the size are ignored.
		return kind, nil
	}
	ua, _, ok := p.quoted(rest[1:], 2)
	if !ok {
		// The line ends inside the user agent: keep what is there.
		ua = bytes.TrimRight(rest[1:], " ")
		kind = kindRepaired
	}
	if !isDash(ua) {
		r.Str[frame.UserAgent] = ua
	}
	p.shape.agents = true
	return kind, nil
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
