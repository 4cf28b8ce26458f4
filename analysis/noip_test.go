package analysis

import (
	"strings"
	"testing"
	"time"
)

// TestNoClientIP: requests whose client IP is missing (the empty value, a
// W3C log's c-ip "-") are a row of the per-IP tables but no IP in the
// sentences of status_codes, not_found and sizes: they are neither counted
// among the IPs nor named as the client that had the most.
func TestNoClientIP(t *testing.T) {
	var recs []rec
	for i := range 6 {
		recs = append(recs, rec{int64(i), "", "GET", "/gone", "404"}) // no IP, the most 404s
	}
	recs = append(recs, rec{10, "192.0.2.1", "GET", "/gone", "404"}, rec{11, "192.0.2.1", "GET", "/gone", "404"},
		rec{12, "192.0.2.1", "GET", "/", "200"}, rec{13, "192.0.2.2", "GET", "/", "200"})

	s := runStatus(t, handFrame(recs), time.UTC)
	wantConclusions(t, s, "1 of 2 IPs received more than one status code.",
		"2 responses other than 2xx went to one IP, `192.0.2.1`",
		"6 requests without a client IP got no 2xx response either.")

	nf := runNotFound(t, recs, nil)
	wantConclusions(t, nf, "from 1 client IP (and 6 requests without one).",
		"`192.0.2.1` received the most of them: 2 for one path")

	var sized []uaRec
	for _, r := range recs {
		sized = append(sized, uaRec{ip: r.ip, stem: r.stem, agent: "curl/8.0", size: 1000})
	}
	sz := runSizes(t, sized, nil)
	wantConclusions(t, sz, "to 2 client IPs (6 of the requests had none).")

	for _, sec := range []*Section{s, nf, sz} {
		for _, c := range sec.Conclusions {
			if strings.Contains(c, "`-`") {
				t.Errorf("%s names the missing IP as a client: %s", sec.ID, c)
			}
		}
	}
}

// TestNoClientIPOnly: when no missing-page response named its client, the
// sentence says so rather than counting zero IPs.
func TestNoClientIPOnly(t *testing.T) {
	recs := []rec{{0, "", "GET", "/gone", "404"}, {1, "", "GET", "/gone", "404"}, {2, "192.0.2.1", "GET", "/", "200"}}
	wantConclusions(t, runNotFound(t, recs, nil), "2 requests (66.67% of all requests) asked for one path that did not exist, none of them from a client that gave its IP.")
}
