package ingest

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/logbook/logbook/frame"
)

// Amazon S3 server access logs, as the AWS S3 User Guide's "Amazon S3
// server access log format" gives them: space-separated fields, two of them
// quoted and one bracketed,
//
//	bucket_owner bucket [06/Feb/2019:00:00:38 +0000] remote_ip requester request_id operation key
//	"request_uri" http_status error_code bytes_sent object_size total_time turn_around_time
//	"referer" "user_agent" version_id host_id signature_version cipher_suite
//	authentication_type host_header tls_version access_point_arn acl_required ...
//
// Older lines end after user_agent or version_id; newer ones append fields
// (source_region, ...), which are ignored. "-" is a missing value.
//
// Columns: IP (remote_ip), User (requester: the canonical user ID or IAM ARN
// of an authenticated requester, empty when anonymous), Bucket, Operation,
// Method, Stem and Protocol (from request_uri: the stem is the request path
// without its query, as written and as the other formats read it; for a
// path-style request it starts with the bucket, and the key field, which S3
// writes URL-encoded and without the bucket, is not read), Status,
// ErrorCode, Bytes (bytes_sent, "-" → 0), TimeTaken (total_time, ms → s),
// UpstreamTime (turn_around_time, ms → s: the time S3 spent on the request),
// Referer, UserAgent, Host (host_header) and TLSVersion.
func init() {
	registerFormat(&Format{
		Name:      "s3",
		Doc:       `Amazon S3 server access logs: owner bucket [time] ip requester id operation key "request" status ...`,
		sniff:     sniffS3,
		newParser: func([]byte) parser { return &s3Parser{} },
	})
}

var s3Columns = frame.Cols(frame.IP, frame.User, frame.Bucket, frame.Operation, frame.Method, frame.Stem,
	frame.Protocol, frame.Status, frame.ErrorCode, frame.Bytes, frame.TimeTaken, frame.UpstreamTime,
	frame.Referer, frame.UserAgent, frame.Host, frame.TLSVersion, frame.Query)

// sniffS3 accepts a line the parser reads: two fields, then the bracketed
// time, then an operation such as REST.GET.OBJECT in the fourth field after
// it. A CLF line has three or four fields before its time and its quoted
// request after it, so none is taken; nor does the CLF sniff take an S3
// line (two fields before the time).
func sniffS3(line []byte) bool {
	var p s3Parser
	var r frame.Row
	k, err := p.parse(line, &r)
	return err == nil && k == kindRecord
}

type s3Parser struct {
	dates dateCache
}

func (p *s3Parser) columns() frame.Set { return s3Columns }

var (
	errS3Prefix    = errors.New("expected bucket owner and bucket before the [timestamp]")
	errS3Short     = errors.New("the line ends before the user agent")
	errS3Quote     = errors.New("a quoted field has no closing quote")
	errS3Status    = errors.New("http_status is neither a 3-digit number from 100 to 599 nor -")
	errS3Operation = errors.New("operation is not of the form REST.GET.OBJECT")
)

// s3Fields is how many fields after the timestamp a line must have: up to
// user_agent.
const s3Fields = 14

func (p *s3Parser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(bytes.TrimSpace(line)) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	// bucket_owner bucket [time]
	rest := skipSpaces(line)
	owner, rest := s3Bare(rest)
	rest = skipSpaces(rest)
	bucket, rest := s3Bare(rest)
	rest = skipSpaces(rest)
	if len(owner) == 0 || len(bucket) == 0 || owner[0] == '[' || bucket[0] == '[' || len(rest) == 0 || rest[0] != '[' {
		return 0, errS3Prefix
	}
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 {
		return 0, errNoTimestamp
	}
	t, off, err := p.dates.clf(rest[1:rb])
	if err != nil {
		return 0, err
	}
	r.Time, r.Offset = t, off
	if !isDash(bucket) {
		r.Str[frame.Bucket] = bucket
	}
	rest = rest[rb+1:]

	var f [24][]byte
	n := 0
	for n < len(f) {
		rest = skipSpaces(rest)
		if len(rest) == 0 {
			break
		}
		var v []byte
		var ok bool
		if n == s3Fields-1 && rest[0] == '"' {
			// The user agent, the last quoted field: it runs to the
			// last quote, so a quote inside it (S3 does not escape
			// one) does not cut it short.
			if j := bytes.LastIndexByte(rest, '"'); j > 0 && (j+1 == len(rest) || rest[j+1] == ' ') {
				f[n], rest = rest[1:j], rest[j+1:]
				n++
				continue
			}
		}
		v, rest, ok = s3Field(rest)
		if !ok {
			return 0, errS3Quote
		}
		f[n] = v
		n++
	}
	if n < s3Fields {
		return 0, errS3Short
	}
	const (
		remoteIP = iota
		requester
		requestID
		operation
		key
		requestURI
		httpStatus
		errorCode
		bytesSent
		objectSize
		totalTime
		turnAround
		referer
		userAgent
		versionID
		hostID
		sigVersion
		cipherSuite
		authType
		hostHeader
		tlsVersion
	)
	if !isOperation(f[operation]) {
		return 0, errS3Operation
	}
	r.Str[frame.Operation] = f[operation]
	if v := f[remoteIP]; !isDash(v) {
		r.Str[frame.IP] = clientAddr(v)
	}
	if v := f[requester]; !isDash(v) {
		r.Str[frame.User] = v
	}
	if v := f[requestURI]; !isDash(v) {
		splitRequest(v, r)
	}
	switch v := f[httpStatus]; {
	case isDash(v):
	case statusCode(v):
		r.Str[frame.Status] = v
	default:
		return 0, errS3Status
	}
	if v := f[errorCode]; !isDash(v) {
		r.Str[frame.ErrorCode] = v
	}
	for _, x := range []struct {
		i     int
		name  string
		col   frame.NumCol
		scale float64
	}{
		{bytesSent, "bytes_sent", frame.Bytes, 1},
		{objectSize, "object_size", -1, 1},
		{totalTime, "total_time", frame.TimeTaken, 0.001},
		{turnAround, "turn_around_time", frame.UpstreamTime, 0.001},
	} {
		v := f[x.i]
		if isDash(v) {
			continue
		}
		n, ok := byteCount(v)
		if !ok {
			return 0, fmt.Errorf("%s is neither a number nor -: %q", x.name, v)
		}
		if x.col >= 0 {
			r.Num[x.col] = n * x.scale
		}
	}
	if v := f[referer]; !isDash(v) && len(v) > 0 {
		r.Str[frame.Referer] = v
	}
	if v := f[userAgent]; !isDash(v) && len(v) > 0 {
		r.Str[frame.UserAgent] = v
	}
	if v := f[hostHeader]; n > hostHeader && !isDash(v) {
		r.Str[frame.Host] = v
	}
	if v := f[tlsVersion]; n > tlsVersion && !isDash(v) {
		r.Str[frame.TLSVersion] = v
	}
	return kindRecord, nil
}

// s3Bare returns the text up to the next space and what follows.
func s3Bare(b []byte) (field, rest []byte) {
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i:]
}

// s3Field returns the next field: a quoted one runs to the quote followed
// by a space or the end of the line (S3 does not escape a quote inside a
// user agent), and is returned without its quotes.
func s3Field(b []byte) (field, rest []byte, ok bool) {
	if b[0] != '"' {
		f, rest := s3Bare(b)
		return f, rest, true
	}
	for i := 1; i < len(b); i++ {
		if b[i] == '"' && (i+1 == len(b) || b[i+1] == ' ') {
			return b[1:i], b[i+1:], true
		}
	}
	return nil, nil, false
}

// isOperation reports whether b is an S3 operation: upper-case words joined
// by dots, at least two (REST.GET.OBJECT, WEBSITE.GET.OBJECT,
// BATCH.DELETE.OBJECT, S3.EXPIRE.OBJECT, SOAP.CreateBucket).
func isOperation(b []byte) bool {
	dot := bytes.IndexByte(b, '.')
	if dot <= 0 || dot == len(b)-1 || len(b) > 80 {
		return false
	}
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case c == '.' && b[i-1] != '.':
		case c >= 'a' && c <= 'z' && i > dot: // SOAP.CreateBucket
		default:
			return false
		}
	}
	return b[len(b)-1] != '.'
}
