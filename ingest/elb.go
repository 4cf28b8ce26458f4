package ingest

import (
	"errors"
	"fmt"

	"github.com/logbook/logbook/frame"
)

// AWS Classic Load Balancer (ELB) access logs, fields as "Access log
// entries" in the ELB user guide for Classic Load Balancers gives them
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html):
//
//	 0 timestamp                2015-05-13T23:39:43.945958Z (floored to the second)
//	 1 elb                      my-loadbalancer
//	 2 client:port
//	 3 backend:port             - when no instance was reached
//	 4 request_processing_time  seconds, -1 when not measured
//	 5 backend_processing_time  seconds, -1 when not measured
//	 6 response_processing_time seconds, -1 when not measured
//	 7 elb_status_code          - on a TCP/SSL listener
//	 8 backend_status_code      - on a TCP/SSL listener or when no instance answered
//	 9 received_bytes
//	10 sent_bytes
//	11 "request"                "GET https://www.example.com:443/ HTTP/1.1"; "- - - " on a TCP/SSL listener
//	12 "user_agent"             \
//	13 ssl_cipher                } absent from the first form (2014), which ends after "request"
//	14 ssl_protocol             /
//
// A line has 12 fields (the first form) or 15; fields after the 15th are
// ignored, as ALB's are.
//
// A TCP or SSL listener logs each connection with - for the status codes and
// "- - - " for the request: such a line is a record (it is traffic, with a
// client, a backend, times and bytes) with no method, path or status, not a
// malformed line; analyses by status count it as a request without one.
//
// Columns: those of alb (alb.go) except error_code, which classic ELB does
// not log; scheme is the request URL's (http or https), target_status the
// backend_status_code, backend the backend:port.
func init() {
	registerFormat(albFormat) // see alb.go
	registerFormat(&Format{
		Name:      "elb",
		Doc:       `AWS Classic Load Balancer access logs: timestamp name client:port backend:port times status ... "request" ["user_agent" ssl_cipher ssl_protocol]`,
		sniff:     sniffELB,
		newParser: func([]byte) parser { return &elbParser{} },
	})
}

var elbCols = frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Protocol, frame.Status,
	frame.TargetStatus, frame.Host, frame.Scheme, frame.UserAgent, frame.TLSVersion, frame.Backend,
	frame.Bytes, frame.RequestBytes, frame.TimeTaken, frame.UpstreamTime)

type elbParser struct {
	dates  dateCache
	fields [15][]byte
}

func (p *elbParser) columns() frame.Set { return elbCols }

// isELBName reports whether b can be a Classic Load Balancer's name:
// letters, digits and hyphens, at most 32.
func isELBName(b []byte) bool {
	if len(b) == 0 || len(b) > 32 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// sniffELB accepts a line only when it opens as a classic ELB entry does —
// an ISO 8601 UTC time, a load balancer name, client ip:port and backend
// ip:port or - — and parses as one.
func sniffELB(line []byte) bool {
	line = trimEOL(line)
	if len(line) < 21 || line[10] != 'T' || line[4] != '-' {
		return false
	}
	var p elbParser
	var r frame.Row
	k, err := p.parse(line, &r)
	return err == nil && k == kindRecord
}

func (p *elbParser) parse(line []byte, r *frame.Row) (lineKind, error) {
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
	if n != 12 && n != 15 {
		return 0, fmt.Errorf("%d fields, a classic ELB entry has 12 or 15", n)
	}
	if r.Time, err = p.dates.lbTime(f[0]); err != nil {
		return 0, err
	}
	if !isELBName(f[1]) {
		return 0, errELBName
	}
	if err := lbCommon(f[2:], r, frame.TargetStatus); err != nil {
		return 0, err
	}
	if err := lbRequest(f[11], r, true); err != nil {
		return 0, err
	}
	if n == 15 {
		if !isDash(f[12]) {
			r.Str[frame.UserAgent] = f[12]
		}
		if err := lbTLS(f[14], r); err != nil {
			return 0, err
		}
	}
	return kindRecord, nil
}

var errELBName = errors.New("the load balancer name is not letters, digits and hyphens")
