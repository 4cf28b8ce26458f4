package ingest

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/logbook/logbook/frame"
)

// AWS Network Load Balancer access logs, which an NLB writes for its TLS
// listeners only: one TLS connection a line, not an HTTP request. Fields as
// "Access log entries" in the ELB user guide for Network Load Balancers gives
// them (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html):
//
//	 0 type                  tls
//	 1 version               1.0, 2.0
//	 2 time                  2018-12-20T02:59:40, the end of the connection (UTC, no zone written)
//	 3 elb                   net/my-network-loadbalancer/c6e77e28c25b2234
//	 4 listener              its id
//	 5 client:port
//	 6 destination:port      the listener's address (or a VPC endpoint's), not a target
//	 7 connection_time       milliseconds, the life of the connection
//	 8 tls_handshake_time    milliseconds, - when the handshake did not finish
//	 9 received_bytes
//	10 sent_bytes
//	11 incoming_tls_alert    - when none
//	12 chosen_cert_arn 13 chosen_cert_serial 14 tls_cipher
//	15 tls_protocol_version  tlsv12, tlsv13 ...
//	16 tls_named_group
//	17 domain_name           the SNI, - when none
//	18 alpn_fe_protocol 19 alpn_be_protocol 20 alpn_client_preference_list
//	21 tls_connection_creation_time
//
// A line needs the first 18 fields; later ones are ignored.
//
// Columns: ip (client), host (domain_name), scheme ("tls"), tls_version
// (as written, tlsv12), error_code (incoming_tls_alert), bytes
// (sent_bytes), request_bytes (received_bytes) and time_taken (the
// connection's life in seconds). A connection has no method, path or
// status: analyses that need them are skipped for an NLB source.
func init() {
	registerFormat(&Format{
		Name:      "nlb",
		Doc:       `AWS Network Load Balancer TLS access logs: tls version time net/name/id listener client:port destination:port ... (connections, no HTTP request)`,
		sniff:     sniffNLB,
		newParser: func([]byte) parser { return &nlbParser{} },
	})
}

var nlbCols = frame.Cols(frame.IP, frame.Host, frame.Scheme, frame.TLSVersion, frame.ErrorCode,
	frame.Bytes, frame.RequestBytes, frame.TimeTaken)

const nlbMinFields = 18

type nlbParser struct {
	dates  dateCache
	fields [nlbMinFields][]byte
}

func (p *nlbParser) columns() frame.Set { return nlbCols }

// sniffNLB accepts a line only when it opens as an NLB entry does — "tls",
// a version, an ISO 8601 time, a "net/" load balancer — and parses as one.
func sniffNLB(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("tls ")) {
		return false
	}
	var p nlbParser
	var r frame.Row
	k, err := p.parse(line, &r)
	return err == nil && k == kindRecord
}

var (
	errNLBType    = errors.New(`type is not "tls"`)
	errNLBVersion = errors.New("version is not a number such as 2.0")
	errNLBName    = errors.New(`the load balancer is not "net/name/id"`)
	errNLBMillis  = errors.New("connection or handshake time is not a number of milliseconds")
	errNLBDest    = errors.New("destination is not ip:port")
	errNLBTLS     = errors.New("tls_protocol_version is neither - nor a TLS version such as tlsv12")
)

func (p *nlbParser) parse(line []byte, r *frame.Row) (lineKind, error) {
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
	if n < nlbMinFields {
		return 0, fmt.Errorf("%d fields, an NLB entry has at least %d", n, nlbMinFields)
	}
	if string(f[0]) != "tls" {
		return 0, errNLBType
	}
	r.Str[frame.Scheme] = f[0]
	if v := f[1]; len(v) < 3 || v[len(v)-2] != '.' {
		return 0, errNLBVersion
	} else if _, ok := parseDecimal(v); !ok {
		return 0, errNLBVersion
	}
	if r.Time, err = p.dates.nlbTime(f[2]); err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(f[3], []byte("net/")) {
		return 0, errNLBName
	}
	ip, ok := lbHost(f[5])
	if !ok {
		return 0, errLBClient
	}
	r.Str[frame.IP] = ip
	if _, ok := lbHost(f[6]); !ok {
		return 0, errNLBDest
	}
	ms, ok := parseDecimal(f[7])
	if !ok {
		return 0, errNLBMillis
	}
	r.Num[frame.TimeTaken] = ms / 1000
	if !isDash(f[8]) {
		if _, ok := parseDecimal(f[8]); !ok {
			return 0, errNLBMillis
		}
	}
	for i, c := range [2]frame.NumCol{frame.RequestBytes, frame.Bytes} {
		v := f[9+i]
		if x, ok := byteCount(v); ok {
			r.Num[c] = x
		} else if !isDash(v) {
			return 0, errLBBytes
		}
	}
	if !isDash(f[11]) {
		r.Str[frame.ErrorCode] = f[11]
	}
	if v := f[15]; !isDash(v) {
		if !bytes.HasPrefix(v, []byte("tls")) && !bytes.HasPrefix(v, []byte("ssl")) {
			return 0, errNLBTLS
		}
		r.Str[frame.TLSVersion] = v
	}
	if !isDash(f[17]) {
		r.Str[frame.Host] = f[17]
	}
	return kindRecord, nil
}

// nlbTime parses an NLB time, 2018-12-20T02:59:40, in UTC; a fraction and a
// trailing Z are accepted too.
func (c *dateCache) nlbTime(ts []byte) (int64, error) {
	if len(ts) >= 20 && ts[len(ts)-1] == 'Z' {
		return c.lbTime(ts)
	}
	if len(ts) < 19 || ts[10] != 'T' {
		return 0, errLBTime
	}
	if frac := ts[19:]; len(frac) > 0 && (frac[0] != '.' || len(frac) < 2 || !allDigits(frac[1:])) {
		return 0, errLBTime
	}
	t, err := c.iso(ts[:10], ts[11:19])
	if err != nil {
		return 0, errLBTime
	}
	return t, nil
}
