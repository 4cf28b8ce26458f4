package analysis

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

type edgeRec struct {
	at                                 int64
	loc, result, scheme, proto, tlsVer string
	taken, ttfb                        float64
}

// edgeFrame builds a CloudFront-like frame; a record with an empty result
// type stands for a line of another log read together with CloudFront's.
func edgeFrame(recs []edgeRec) *frame.Frame {
	var b frame.Builder
	b.Begin(frame.Cols(frame.EdgeLocation, frame.EdgeResult, frame.Scheme, frame.Protocol, frame.TLSVersion, frame.TimeTaken, frame.TTFB))
	var r frame.Row
	for _, x := range recs {
		r.Reset()
		r.Time = t0 + x.at
		r.Str[frame.EdgeLocation], r.Str[frame.EdgeResult] = []byte(x.loc), []byte(x.result)
		r.Str[frame.Scheme], r.Str[frame.Protocol], r.Str[frame.TLSVersion] = []byte(x.scheme), []byte(x.proto), []byte(x.tlsVer)
		r.Num[frame.TimeTaken], r.Num[frame.TTFB] = x.taken, x.ttfb
		b.Add(&r)
	}
	return b.Frame()
}

var nan = math.NaN()

var edgeRecs = []edgeRec{
	{0, "FRA56-P1", "Hit", "https", "HTTP/2.0", "TLSv1.3", 0.001, 0.001},
	{10, "FRA56-P1", "Miss", "https", "HTTP/2.0", "TLSv1.3", 0.002, 0.002},
	{20, "IAD89-C1", "RefreshHit", "https", "HTTP/1.1", "TLSv1.2", 0.003, 0.002},
	{30, "IAD89-C1", "Error", "http", "HTTP/1.1", "", 0.004, 0.004},
	{86400, "SIN2-P1", "Miss", "https", "HTTP/1.1", "TLSv1", 0.010, 0.008},
	{86410, "", "", "", "HTTP/1.0", "", nan, nan}, // a combined-log record
}

func TestCloudFrontTables(t *testing.T) {
	s, err := cloudFront{}.Run(context.Background(), &Input{Frame: edgeFrame(edgeRecs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][][]any{
		"edge_locations": {
			{"FRA56-P1", "FRA", 2, 2.0 / 5}, {"IAD89-C1", "IAD", 2, 2.0 / 5}, {"SIN2-P1", "SIN", 1, 1.0 / 5},
		},
		"edge_result_types": {
			{"Miss", 2, 2.0 / 5}, {"Error", 1, 1.0 / 5}, {"Hit", 1, 1.0 / 5}, {"RefreshHit", 1, 1.0 / 5},
		},
		"cache_hit_ratio": {
			{"2024-03-04", 4, 2, 0.5}, {"2024-03-05", 1, 0, 0.0},
		},
		"protocols": {
			{"https", "HTTP/2.0", "TLSv1.3", 2, 2.0 / 5},
			{"http", "HTTP/1.1", "-", 1, 1.0 / 5},
			{"https", "HTTP/1.1", "TLSv1", 1, 1.0 / 5},
			{"https", "HTTP/1.1", "TLSv1.2", 1, 1.0 / 5},
		},
	}
	for id, w := range want {
		if got := rows(tableByID(s, id)); !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %v\nwant %v", id, got, w)
		}
	}
	text := strings.Join(s.Conclusions, "\n")
	for _, w := range []string{
		"CloudFront served 5 requests from 3 edge locations; `FRA56-P1` carried the most, 2 requests (40%).",
		"The cache hit ratio was 40% (2 of 5 requests were `Hit` or `RefreshHit`). It was lowest on 2024-03-05: 0%.",
		"1 request (20%) ended with the result type `Error`, which CloudFront gives any response with an error status.",
		"1 request (20%) came over plain HTTP rather than HTTPS.",
		"1 request used a TLS version older than 1.2: `TLSv1` (1).",
		// Mixed inputs: the section says which records it counts.
		"This section counts only the 5 of 6 requests read that came from CloudFront logs (the others have no edge fields).",
		"What the result types here mean: `Miss` (not in the edge's cache: fetched from the origin); `Error` (the response had an error status, or the viewer went away first); `Hit` (served from the edge's cache); `RefreshHit` (in the edge's cache but expired; CloudFront checked it with the origin, which said it was still good).",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("conclusions lack %q:\n%s", w, text)
		}
	}
	for id, sev := range map[string]Severity{"old_tls": SevNotice, "cache_hit_ratio": SevInfo} {
		if f := findingByID(s, id); f == nil || f.Severity != sev {
			t.Errorf("finding %s = %+v, want %s", id, f, sev)
		}
	}
}

func TestCloudFrontNoEdgeRecords(t *testing.T) {
	s, err := cloudFront{}.Run(context.Background(), &Input{Frame: edgeFrame(edgeRecs[5:]), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Skipped, "skipped:") || len(s.Tables()) != 0 {
		t.Errorf("skipped = %q, tables %v", s.Skipped, s.Tables())
	}
}

// TestCloudFrontErrorClasses: an edge Error is any error status; 404s are
// told apart from server errors, and only server errors make a notice.
func TestCloudFrontErrorClasses(t *testing.T) {
	run := func(statuses ...string) *Section {
		var b frame.Builder
		b.Begin(frame.Cols(frame.EdgeLocation, frame.EdgeResult, frame.Status))
		var r frame.Row
		for i, st := range statuses {
			r.Reset()
			r.Time = t0 + int64(i)
			result := "Miss"
			if st != "200" {
				result = "Error"
			}
			r.Str[frame.EdgeLocation], r.Str[frame.EdgeResult], r.Str[frame.Status] = []byte("FRA56-P1"), []byte(result), []byte(st)
			b.Add(&r)
		}
		s, err := cloudFront{}.Run(context.Background(), &Input{Frame: b.Frame(), Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := run("200", "200", "404", "404", "403", "503", "000", "200", "200", "200")
	wantConclusions(t, s, "5 requests (50%) ended with the result type `Error`, which CloudFront gives any response with an error status: "+
		"3 client errors (4xx: missing objects, denied or bad requests), 1 server error (5xx, from the origin or CloudFront) and 1 request with status `000` (the viewer closed the connection first).")
	if f := findingByID(s, "edge_server_errors"); f == nil || f.Value != 1 {
		t.Errorf("edge_server_errors = %+v", f)
	}
	// One edge location, CloudFront records only.
	wantConclusions(t, s, "CloudFront served 10 requests, all from one edge location, `FRA56-P1`.")
	noConclusion(t, s, "This section counts only", "carried the most")
	s = run("200", "404", "404", "200")
	if f := findingByID(s, "edge_server_errors"); f != nil {
		t.Errorf("404s alone raised %+v", f)
	}
}
