package ingest

import (
	"bytes"
	"fmt"

	"github.com/logbook/logbook/frame"
)

// AWS CloudFront standard logs: "#Version:" and "#Fields:" directives, then
// tab-separated fields in the order the #Fields: line gives. Fields are read
// by name, so the 33-field layout, the older 26- and 12-field ones and any
// subset work alike.
func init() {
	registerFormat(&Format{
		Name:         "cloudfront",
		Doc:          "AWS CloudFront standard logs (tab-separated, read by their #Fields: header; .gz as delivered)",
		sniff:        sniffCloudFront,
		newParser:    newCloudFrontParser,
		headerPrefix: []byte("#Fields:"),
	})
}

// cfDefaultFields is the 33-field layout, used for lines that come before any
// #Fields: directive.
const cfDefaultFields = "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status " +
	"cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id " +
	"x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher " +
	"x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port " +
	"time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

func sniffCloudFront(line []byte) bool {
	if bytes.HasPrefix(line, []byte("#Version:")) {
		return true
	}
	if bytes.HasPrefix(line, []byte("#Fields:")) {
		// Only CloudFront's own, which names x-edge-* fields: IIS and
		// other W3C logs (w3c.go) have #Fields: lines too.
		return bytes.Contains(line, []byte("x-edge-"))
	}
	// A record without its header: date, tab, time, tab.
	return len(line) > 20 && line[4] == '-' && line[7] == '-' && line[10] == '\t' &&
		line[13] == ':' && line[16] == ':' && line[19] == '\t'
}

// cfTarget says where a field goes.
type cfTarget struct {
	kind   byte // cfIgnore, cfDate, cfTime, cfStr, cfNum, cfBytes
	str    frame.StrCol
	num    frame.NumCol
	decode bool // URL-encoded by CloudFront
	weak   bool // fills the column only if no stronger field does (cs(Host) vs x-host-header)
	// check is a value check: cfStatus (a status from 100 to 599, or
	// 000, which CloudFront logs when the viewer went away before the
	// response), cfCount (a byte count) or cfAddr (an address, maybe
	// bracketed).
	check byte
}

const (
	cfStatus = 1 + iota
	cfCount
	cfAddr
)

const (
	cfIgnore = iota
	cfDate
	cfTime
	cfStr
	cfNum
)

var cfFields = map[string]cfTarget{
	"date":                {kind: cfDate},
	"time":                {kind: cfTime},
	"c-ip":                {kind: cfStr, str: frame.IP, check: cfAddr},
	"cs-method":           {kind: cfStr, str: frame.Method},
	"cs-uri-stem":         {kind: cfStr, str: frame.Stem, decode: true},
	"cs-uri-query":        {kind: cfStr, str: frame.Query},
	"sc-status":           {kind: cfStr, str: frame.Status, check: cfStatus},
	"cs(Referer)":         {kind: cfStr, str: frame.Referer, decode: true},
	"cs(User-Agent)":      {kind: cfStr, str: frame.UserAgent, decode: true},
	"x-host-header":       {kind: cfStr, str: frame.Host},
	"cs(Host)":            {kind: cfStr, str: frame.Host, weak: true},
	"x-edge-location":     {kind: cfStr, str: frame.EdgeLocation},
	"x-edge-result-type":  {kind: cfStr, str: frame.EdgeResult},
	"cs-protocol":         {kind: cfStr, str: frame.Scheme},
	"ssl-protocol":        {kind: cfStr, str: frame.TLSVersion},
	"cs-protocol-version": {kind: cfStr, str: frame.Protocol},
	"sc-content-type":     {kind: cfStr, str: frame.ContentType},
	"sc-bytes":            {kind: cfNum, num: frame.Bytes, check: cfCount},
	"time-taken":          {kind: cfNum, num: frame.TimeTaken},
	"time-to-first-byte":  {kind: cfNum, num: frame.TTFB},
}

type cfParser struct {
	header  []byte     // the #Fields: line in effect
	targets []cfTarget // by field position
	cols    frame.Set
	err     error // a #Fields: line that lacks date or time
	fields  [][]byte
	dates   dateCache
	scratch [frame.NumStrCols][]byte
	decoded [frame.NumStrCols]map[string][]byte // raw value → decoded, see decode
}

func newCloudFrontParser(header []byte) parser {
	p := &cfParser{}
	p.reset(header)
	return p
}

// reset readies the parser for lines that follow header (nil: none yet),
// keeping its caches: a worker parses chunk after chunk of the same files.
func (p *cfParser) reset(header []byte) {
	if header == nil {
		header = []byte(cfDefaultFields)
	}
	if p.targets != nil && bytes.Equal(header, p.header) {
		return
	}
	p.setFields(header)
}

func (p *cfParser) columns() frame.Set { return p.cols }

func (p *cfParser) setFields(line []byte) {
	p.header = append(p.header[:0], line...)
	names := bytes.Fields(line[len("#Fields:"):])
	p.targets = make([]cfTarget, len(names))
	p.cols = frame.Set{}
	p.err = nil
	hasStrong := false
	for _, n := range names {
		if t := cfFields[string(n)]; t.kind == cfStr && t.str == frame.Host && !t.weak {
			hasStrong = true
		}
	}
	var date, tm bool
	for i, n := range names {
		t := cfFields[string(n)]
		if t.weak && hasStrong {
			t = cfTarget{}
		}
		p.targets[i] = t
		switch t.kind {
		case cfDate:
			date = true
		case cfTime:
			tm = true
		case cfStr:
			p.cols.Str[t.str] = true
		case cfNum:
			p.cols.Num[t.num] = true
		}
	}
	if !date || !tm {
		p.err = fmt.Errorf("the #Fields: header has no date and time fields")
	}
}

func (p *cfParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	if len(line) == 0 || (isSpace(line[0]) && len(bytes.TrimSpace(line)) == 0) {
		return kindSkip, nil
	}
	if line[0] == '#' {
		if bytes.HasPrefix(line, []byte("#Fields:")) {
			p.setFields(line)
			return kindHeader, nil
		}
		return kindSkip, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	r.Reset()
	f := splitTabs(line, p.fields[:0])
	p.fields = f
	if len(f) != len(p.targets) {
		return 0, fmt.Errorf("%d tab-separated fields, the #Fields: header names %d", len(f), len(p.targets))
	}
	var date, tm []byte
	for i, t := range p.targets {
		v := f[i]
		switch t.kind {
		case cfDate:
			date = v
		case cfTime:
			tm = v
		case cfStr:
			if isDash(v) {
				continue
			}
			switch t.check {
			case cfStatus:
				if !statusCode(v) && string(v) != "000" {
					return 0, fmt.Errorf("field %d (sc-status) is not a 3-digit status from 100 to 599 or 000: %q", i+1, v)
				}
			case cfAddr:
				v = clientAddr(v)
			}
			if t.decode && bytes.IndexByte(v, '%') >= 0 {
				v = p.decode(t.str, v)
			}
			r.Str[t.str] = v
		case cfNum:
			if isDash(v) {
				continue
			}
			var x float64
			var ok bool
			if t.check == cfCount {
				x, ok = byteCount(v)
			} else {
				x, ok = parseDecimal(v)
			}
			if !ok {
				return 0, fmt.Errorf("field %d (%s) is not a number: %q", i+1, t.num, v)
			}
			r.Num[t.num] = x
		}
	}
	t, err := p.dates.iso(date, tm)
	if err != nil {
		return 0, err
	}
	r.Time = t
	return kindRecord, nil
}

// decode undoes CloudFront's percent-encoding. CloudFront encodes a value a
// client had already encoded a second time (a space in a user agent becomes
// %2520), so a value whose first pass decoded a %25 and still holds an
// escape is decoded again; a '%' that was literal in the log does not start
// a second pass ("%%341" reads "%41"). '+' stays '+': CloudFront logs
// paths, not form values.
//
// The same user agents come back on most lines, so the decoded form of the
// first cfDecodeCacheMax distinct values of a column is kept: a lookup
// costs a hash of the raw bytes, less than decoding them again.
func (p *cfParser) decode(c frame.StrCol, v []byte) []byte {
	if bytes.IndexByte(v, '%') < 0 {
		return v // nothing to decode: no copy
	}
	cache := p.decoded[c]
	if d, ok := cache[string(v)]; ok {
		return d
	}
	buf, again := percentDecode(p.scratch[c][:0], v)
	if again && hasEscape(buf) {
		// Decode in place: the output is never longer than the input.
		buf, _ = percentDecode(buf[:0], buf)
	}
	p.scratch[c] = buf
	if cache == nil {
		cache = make(map[string][]byte)
		p.decoded[c] = cache
	}
	if len(cache) < cfDecodeCacheMax {
		cache[string(v)] = bytes.Clone(buf)
	}
	return buf
}

// cfDecodeCacheMax bounds the decoded values a parser keeps per column.
const cfDecodeCacheMax = 2048
