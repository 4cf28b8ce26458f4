package logbook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/logbook/logbook/frame"
)

// Anonymization, for reports that are published: applied in the select
// stage, before any section sees the frame, so that no full client address
// reaches a table, a plot, a finding or an example line.
//
// truncate keeps the network part, as GoAccess's --anonymize-ip and
// Matomo's default do: an IPv4 address to its /24 (192.0.2.7 becomes
// 192.0.2.0), an IPv6 address to its /48 (2001:db8:1:2::5 becomes
// 2001:db8:1::). A client logged by host name keeps only its last two
// labels (piweba3y.prodigy.com becomes *.prodigy.com).
//
// hash replaces each client by a keyed hash (HMAC-SHA-256 with a salt the
// user keeps, the first 12 hex digits): the same client has the same name
// in every report made with the same salt, so clients can still be told
// apart and followed week to week, but not looked up.

const (
	anonymizeTruncate = "truncate"
	anonymizeHash     = "hash"
)

// anonymizer maps a client as logged to the name the report shows.
type anonymizer func(string) string

func newAnonymizer(mode, salt string) (anonymizer, error) {
	switch mode {
	case "":
		return nil, nil
	case anonymizeTruncate:
		return truncateClient, nil
	case anonymizeHash:
		if salt == "" {
			return nil, usagef("--anonymize-ip=hash needs a salt: set LOGBOOK_ANONYMIZE_SALT to a secret of your own (the same one every week, so that clients keep their names)")
		}
		key := []byte(salt)
		return func(v string) string {
			if v == "" {
				return ""
			}
			if a, ok := clientAddr(v); ok {
				v = a.String() // one name for 192.0.2.7 and ::ffff:192.0.2.7
			}
			m := hmac.New(sha256.New, key)
			m.Write([]byte(v))
			return "client-" + hex.EncodeToString(m.Sum(nil)[:6])
		}, nil
	}
	return nil, usagef("--anonymize-ip: want truncate (the default) or hash, got %q", mode)
}

func truncateClient(v string) string {
	if v == "" {
		return ""
	}
	if a, ok := clientAddr(v); ok {
		bits := 24
		if a.Is6() {
			bits = 48
		}
		p, _ := a.Prefix(bits)
		return p.Addr().String()
	}
	// A host name: its last two labels. Anything else (a value that is
	// neither) is withheld whole.
	labels := strings.Split(strings.TrimSuffix(v, "."), ".")
	if len(labels) >= 2 && validHostLabels(labels) {
		return "*." + strings.Join(labels[len(labels)-2:], ".")
	}
	return "(withheld)"
}

func validHostLabels(labels []string) bool {
	for _, l := range labels {
		if l == "" {
			return false
		}
		for _, c := range l {
			if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// anonymizeList maps each address of a comma-separated list (an
// X-Forwarded-For tail).
func anonymizeList(fn anonymizer) func(string) string {
	return func(v string) string {
		if v == "" {
			return ""
		}
		parts := strings.Split(v, ",")
		for i, p := range parts {
			parts[i] = fn(strings.TrimSpace(p))
		}
		return strings.Join(parts, ", ")
	}
}

// anonymizeRefererHost maps the host of a referer URL when it is an IP
// address (http://192.0.2.7/page: a machine on a home or office network,
// often the visitor's own), and leaves named hosts as they are.
func anonymizeRefererHost(fn anonymizer) func(string) string {
	return func(v string) string {
		scheme, rest, ok := strings.Cut(v, "://")
		if !ok {
			return v
		}
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		host, tail := rest[:end], rest[end:]
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:] // user:password@ is dropped with it
		}
		port := ""
		if strings.HasPrefix(host, "[") {
			if i := strings.IndexByte(host, ']'); i >= 0 {
				host, port = host[1:i], host[i+1:]
			}
		} else if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.Count(host, ":") == 1 {
			host, port = host[:i], host[i:]
		}
		a, ok := clientAddr(host)
		if !ok {
			return v
		}
		h := fn(a.String())
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		return scheme + "://" + h + port + tail
	}
}

// anonymize rewrites the client columns of fr (and referers from an
// address rather than a name), and drops the user names.
func anonymize(fr *frame.Frame, fn anonymizer) {
	fr.MapStr(frame.IP, fn)
	fr.MapStr(frame.ForwardedFor, anonymizeList(fn))
	fr.MapStr(frame.Referer, anonymizeRefererHost(fn))
	fr.DropStr(frame.User)
}
