package ingest

import (
	"bytes"

	"github.com/logbook/logbook/frame"
)

// Traefik's access log in its default "common" format: combined plus four
// fields. The layout, the same in v1, v2 and v3 (v1 names the router the
// frontend and the server URL the backend URL), from the Traefik docs,
// https://doc.traefik.io/traefik/observability/access-logs/ ("Common Log
// Format") and https://doc.traefik.io/traefik/v2.0/observability/access-logs/:
//
//	<remote_IP_address> - <client_user_name_if_available> [<timestamp>] "<request_method> <request_path> <request_protocol>"
//	<HTTP_status> <content-length> "<request_referrer>" "<request_user_agent>"
//	<number_of_requests_received_since_Traefik_started> "<Traefik_router_name>" "<Traefik_server_URL>" <request_duration_in_ms>ms
//
// The combined part is read by the NCSA parser (clf.go); the tail fills
// Router (the router, e.g. my-router@docker), Backend (the server URL) and
// TimeTaken (the duration, ms → s). "-" is empty (no router matched, no
// server). The sniff takes only lines whose tail is exactly these four
// fields, and the combined family refuses those lines, so detection does not
// depend on registration order.
func init() {
	cols := frame.Cols(frame.IP, frame.User, frame.Method, frame.Stem, frame.Protocol, frame.Status, frame.Bytes,
		frame.ForwardedFor, frame.Referer, frame.UserAgent, frame.Router, frame.Backend, frame.TimeTaken, frame.Query)
	registerFormat(&Format{
		Name:      "traefik",
		Doc:       `Traefik access log (common): combined plus <count> "<router>" "<server URL>" <duration>ms`,
		sniff:     sniffTraefik,
		newParser: func([]byte) parser { return &clfParser{cols: cols, traefik: true} },
	})
}

func sniffTraefik(line []byte) bool {
	var p clfParser
	var r frame.Row
	p.traefik = true
	k, err := p.parse(line, &r)
	return err == nil && k == kindRecord && !p.shape.vhost && p.shape.traefik
}

// traefikTail is the four fields of a Traefik tail, or ok false.
func traefikTail(b []byte) (router, backend, ms []byte, ok bool) {
	b = skipSpaces(b)
	i := bytes.IndexByte(b, ' ')
	if i <= 0 || !allDigits(b[:i]) {
		return
	}
	b = skipSpaces(b[i:])
	if len(b) == 0 || b[0] != '"' {
		return
	}
	if i = quoteEnd(b[1:]); i < 0 {
		return
	}
	router, b = b[1:1+i], skipSpaces(b[2+i:])
	if len(b) == 0 || b[0] != '"' {
		return
	}
	if i = quoteEnd(b[1:]); i < 0 {
		return
	}
	backend, b = b[1:1+i], skipSpaces(b[2+i:])
	if len(b) < 3 || !bytes.HasSuffix(b, []byte("ms")) || !allDigits(b[:len(b)-2]) {
		return
	}
	return router, backend, b[:len(b)-2], true
}

// isTraefikTail reports whether b, what follows a combined line's user
// agent, is a Traefik tail.
func isTraefikTail(b []byte) bool {
	_, _, _, ok := traefikTail(b)
	return ok
}

// readTraefikTail fills r from a Traefik tail; it reports false when b is
// not one.
func readTraefikTail(b []byte, r *frame.Row) bool {
	router, backend, ms, ok := traefikTail(b)
	if !ok {
		return false
	}
	if !isDash(router) {
		r.Str[frame.Router] = router
	}
	if !isDash(backend) {
		r.Str[frame.Backend] = backend
	}
	r.Num[frame.TimeTaken] = float64(atoi(ms)) / 1000
	return true
}
