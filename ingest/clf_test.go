package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

type strs = map[frame.StrCol]string

const (
	chromeUA  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
	googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

// TestCLFLines covers the NCSA family line by line: each quirk real servers
// write, and lines that must be rejected with a reason.
func TestCLFLines(t *testing.T) {
	for _, tc := range []struct {
		name     string
		format   string
		line     string
		want     strs
		bytes    float64
		time     string // UTC, RFC 3339
		offset   int32
		repaired bool
		err      string // a malformed line: part of the reason
	}{
		{
			name:   "combined",
			format: "combined",
			line:   `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png?x=1 HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "` + chromeUA + `"`,
			want: strs{frame.IP: "83.149.9.216", frame.Method: "GET", frame.Stem: "/presentations/logstash-monitorama-2013/images/kibana-search.png",
				frame.Protocol: "HTTP/1.1", frame.Status: "200", frame.Referer: "http://semicomplete.com/presentations/logstash-monitorama-2013/", frame.UserAgent: chromeUA},
			bytes: 203023, time: "2015-05-17T10:05:03Z",
		},
		{
			name:   "common",
			format: "common",
			line:   `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			want: strs{frame.IP: "127.0.0.1", frame.User: "frank", frame.Method: "GET", frame.Stem: "/apache_pb.gif",
				frame.Protocol: "HTTP/1.0", frame.Status: "200"},
			bytes: 2326, time: "2000-10-10T20:55:36Z", offset: -7 * 3600,
		},
		{
			name:   "vhost_combined",
			format: "vhost_combined",
			line:   `www.example.com:443 203.0.113.7 - - [04/Mar/2024:00:00:01 +0000] "POST /api/v1/session HTTP/2.0" 201 312 "https://www.example.com/login" "curl/8.4.0"`,
			want: strs{frame.Host: "www.example.com", frame.IP: "203.0.113.7", frame.Method: "POST", frame.Stem: "/api/v1/session",
				frame.Protocol: "HTTP/2.0", frame.Status: "201", frame.Referer: "https://www.example.com/login", frame.UserAgent: "curl/8.4.0"},
			bytes: 312, time: "2024-03-04T00:00:01Z",
		},
		{
			name:   "vhost_common",
			format: "vhost_common",
			line:   `shop.example.org:80 198.51.100.2 - - [04/Mar/2024:00:00:02 +0000] "GET / HTTP/1.1" 200 18342`,
			want: strs{frame.Host: "shop.example.org", frame.IP: "198.51.100.2", frame.Method: "GET", frame.Stem: "/",
				frame.Protocol: "HTTP/1.1", frame.Status: "200"},
			bytes: 18342, time: "2024-03-04T00:00:02Z",
		},
		{
			name:   "vhost without port",
			format: "vhost_common",
			line:   `intranet 198.51.100.2 - - [04/Mar/2024:00:00:02 +0000] "GET / HTTP/1.1" 200 1`,
			want: strs{frame.Host: "intranet", frame.IP: "198.51.100.2", frame.Method: "GET", frame.Stem: "/",
				frame.Protocol: "HTTP/1.1", frame.Status: "200"},
			bytes: 1, time: "2024-03-04T00:00:02Z",
		},
		{
			name:   "size dash is 0 bytes",
			format: "combined",
			line:   `66.249.73.135 - - [17/May/2015:10:05:40 +0000] "GET /blog/tags/ipv6 HTTP/1.1" 304 - "-" "` + googlebot + `"`,
			want: strs{frame.IP: "66.249.73.135", frame.Method: "GET", frame.Stem: "/blog/tags/ipv6", frame.Protocol: "HTTP/1.1",
				frame.Status: "304", frame.UserAgent: googlebot},
			bytes: 0, time: "2015-05-17T10:05:40Z",
		},
		{
			name:   "IPv6 client",
			format: "combined",
			line:   `2001:db8:85a3::8a2e:370:7334 - - [04/Mar/2024:12:00:00 +0000] "GET /feed.xml HTTP/1.1" 200 88120 "-" "-"`,
			want: strs{frame.IP: "2001:db8:85a3::8a2e:370:7334", frame.Method: "GET", frame.Stem: "/feed.xml", frame.Protocol: "HTTP/1.1",
				frame.Status: "200"},
			bytes: 88120, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "IPv4-mapped IPv6 client",
			format: "common",
			line:   `::ffff:192.0.2.128 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 5`,
			want: strs{frame.IP: "::ffff:192.0.2.128", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200"},
			bytes: 5, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "host name instead of an IP",
			format: "combined",
			line:   `crawl-66-249-66-1.googlebot.com - - [04/Mar/2024:12:00:00 +0000] "GET /robots.txt HTTP/1.1" 200 182 "-" "` + googlebot + `"`,
			want: strs{frame.IP: "crawl-66-249-66-1.googlebot.com", frame.Method: "GET", frame.Stem: "/robots.txt", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: googlebot},
			bytes: 182, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "escaped quotes in the user agent",
			format: "combined",
			line:   `203.0.113.9 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 18342 "-" "Mozilla/5.0 (compatible; \"quoted\" bot/1.0)"`,
			want: strs{frame.IP: "203.0.113.9", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: `Mozilla/5.0 (compatible; "quoted" bot/1.0)`},
			bytes: 18342, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "escaped backslash before the closing quote",
			format: "combined",
			line:   `203.0.113.9 - - [04/Mar/2024:12:00:00 +0000] "GET /a\\b HTTP/1.1" 200 1 "-" "tool\\"`,
			want: strs{frame.IP: "203.0.113.9", frame.Method: "GET", frame.Stem: `/a\b`, frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: `tool\`},
			bytes: 1, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "escaped quote in the referer and request",
			format: "combined",
			line:   `203.0.113.9 - - [04/Mar/2024:12:00:00 +0000] "GET /q=\"x\" HTTP/1.1" 404 196 "http://e.x/?q=\"y\"" "ua"`,
			want: strs{frame.IP: "203.0.113.9", frame.Method: "GET", frame.Stem: `/q="x"`, frame.Protocol: "HTTP/1.1",
				frame.Status: "404", frame.Referer: `http://e.x/?q="y"`, frame.UserAgent: "ua"},
			bytes: 196, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "request with no protocol (HTTP/0.9)",
			format: "common",
			line:   `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET /index.html" 200 512`,
			want:   strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/index.html", frame.Status: "200"},
			bytes:  512, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "extra spaces in the request",
			format: "combined",
			line:   `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET   /search?q=a   HTTP/1.1 " 200 512 "-" "ua"`,
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/search", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: "ua"},
			bytes: 512, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "space inside the target",
			format: "combined",
			line:   `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET /my file.pdf HTTP/1.1" 404 196 "-" "ua"`,
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/my file.pdf", frame.Protocol: "HTTP/1.1",
				frame.Status: "404", frame.UserAgent: "ua"},
			bytes: 196, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "extra spaces between fields",
			format: "combined",
			line:   `192.0.2.1  -  -  [04/Mar/2024:12:00:00 +0000]  "GET / HTTP/1.1"  200  512  "-"  "ua"`,
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: "ua"},
			bytes: 512, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "user agent missing its closing quote is kept and repaired",
			format: "combined",
			line:   `46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html`,
			want: strs{frame.IP: "46.118.127.106", frame.Method: "GET", frame.Stem: "/scripts/grok-py-test/configlib.py", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html"},
			bytes: 235, time: "2015-05-20T12:05:17Z", repaired: true,
		},
		{
			name:   "positive offset",
			format: "combined",
			line:   `192.0.2.1 - - [10/Mar/2024:13:55:36 +0100] "GET / HTTP/1.1" 200 1 "-" "ua"`,
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: "ua"},
			bytes: 1, time: "2024-03-10T12:55:36Z", offset: 3600,
		},
		{
			name:   "negative offset crossing midnight and a month",
			format: "combined",
			line:   `192.0.2.1 - - [31/Mar/2024:22:30:00 -0400] "GET / HTTP/1.1" 200 1 "-" "ua"`,
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: "ua"},
			bytes: 1, time: "2024-04-01T02:30:00Z", offset: -4 * 3600,
		},
		{
			name:   "half-hour offset",
			format: "common",
			line:   `192.0.2.1 - - [01/Jan/2024:00:10:00 +0530] "GET / HTTP/1.1" 200 1`,
			want:   strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1", frame.Status: "200"},
			bytes:  1, time: "2023-12-31T18:40:00Z", offset: 5*3600 + 30*60,
		},
		{
			name:   "leap day",
			format: "common",
			line:   `192.0.2.1 - - [29/Feb/2024:23:59:59 +0000] "GET / HTTP/1.1" 200 1`,
			want:   strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1", frame.Status: "200"},
			bytes:  1, time: "2024-02-29T23:59:59Z",
		},
		{
			name:   "CRLF line end",
			format: "combined",
			line:   "192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\r",
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: "ua"},
			bytes: 1, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "request dash with 408",
			format: "combined",
			line:   `192.0.2.44 - - [04/Mar/2024:12:00:00 +0000] "-" 408 - "-" "-"`,
			want:   strs{frame.IP: "192.0.2.44", frame.Status: "408"},
			bytes:  0, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "TLS handshake sent to the plain-text port",
			format: "combined",
			line:   `192.0.2.45 - - [04/Mar/2024:12:00:00 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" 400 226 "-" "-"`,
			want:   strs{frame.IP: "192.0.2.45", frame.Status: "400"},
			bytes:  226, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "empty request",
			format: "common",
			line:   `192.0.2.45 - - [04/Mar/2024:12:00:00 +0000] "" 400 0`,
			want:   strs{frame.IP: "192.0.2.45", frame.Status: "400"},
			bytes:  0, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "referer without a user agent",
			format: "combined",
			line:   `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "http://r.example/"`,
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.Referer: "http://r.example/"},
			bytes: 1, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "fields after the user agent are ignored",
			format: "combined",
			line:   `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 0.003 "x-forwarded"`,
			want: strs{frame.IP: "192.0.2.1", frame.Method: "GET", frame.Stem: "/", frame.Protocol: "HTTP/1.1",
				frame.Status: "200", frame.UserAgent: "ua"},
			bytes: 1, time: "2024-03-04T12:00:00Z",
		},

		// Lines that are not records.
		{name: "no timestamp", format: "combined", line: `192.0.2.1 - - "GET / HTTP/1.1" 200 1 "-" "ua"`, err: "no [timestamp]"},
		{name: "unclosed timestamp", format: "combined", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000 "GET / HTTP/1.1" 200 1`, err: "no [timestamp]"},
		{name: "bad month", format: "combined", line: `192.0.2.1 - - [04/Mrz/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`, err: "timestamp"},
		{name: "31 February", format: "combined", line: `192.0.2.1 - - [31/Feb/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`, err: "timestamp"},
		{name: "29 February in a common year", format: "common", line: `192.0.2.1 - - [29/Feb/2023:12:00:00 +0000] "GET / HTTP/1.1" 200 1`, err: "timestamp"},
		{name: "hour 24", format: "common", line: `192.0.2.1 - - [04/Mar/2024:24:00:00 +0000] "GET / HTTP/1.1" 200 1`, err: "timestamp"},
		{name: "ISO timestamp", format: "common", line: `192.0.2.1 - - [2024-03-04T12:00:00Z] "GET / HTTP/1.1" 200 1`, err: "timestamp"},
		{name: "timestamp without offset", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00] "GET / HTTP/1.1" 200 1`, err: "timestamp"},
		{name: "too few fields before the timestamp", format: "common", line: `192.0.2.1 - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1`, err: "client, ident and user"},
		{name: "too many fields before the timestamp", format: "common", line: `a b c d e [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1`, err: "client, ident and user"},
		{name: "request not quoted", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] GET / HTTP/1.1 200 1`, err: "request"},
		{name: "request never closed", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1 200 1`, err: "closing quote"},
		{name: "status not a number", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 2OO 1`, err: "status"},
		{name: "status of four digits", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 2000 1`, err: "status"},
		{name: "no status", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1"`, err: "status"},
		{name: "size not a number", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1k`, err: "size"},
		{name: "no size", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200`, err: "size"},
		{name: "text after the size", format: "common", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 trailing`, err: "after the size"},
		{name: "referer never closed", format: "combined", line: `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "http://r`, err: "referer"},
		{name: "prose", format: "combined", line: `this is not an access log [really] "no" 200 1`, err: "client, ident and user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, errs, _ := scan(t, tc.format, tc.line+"\n")
			if tc.err != "" {
				if len(recs) != 0 || len(errs) != 1 {
					t.Fatalf("got %d records and %d errors, want one error", len(recs), len(errs))
				}
				e := errs[0]
				if e.Line != 1 || e.Source != "test.log" || !strings.Contains(e.Reason, tc.err) {
					t.Errorf("error = %+v, want line 1 of test.log, reason containing %q", e, tc.err)
				}
				if e.Text != strings.TrimRight(tc.line, "\r") {
					t.Errorf("error text = %q, want the line", e.Text)
				}
				if want := "test.log:1: " + e.Reason; e.Error() != want {
					t.Errorf("Error() = %q, want %q", e.Error(), want)
				}
				return
			}
			if len(errs) != 0 || len(recs) != 1 {
				t.Fatalf("got %d records, errors %v; want one record", len(recs), errs)
			}
			r := recs[0]
			checkStr(t, r, tc.want)
			if r.Num[frame.Bytes] != tc.bytes {
				t.Errorf("bytes = %v, want %v", r.Num[frame.Bytes], tc.bytes)
			}
			if want := utc(t, tc.time); r.Time != want {
				t.Errorf("time = %s, want %s", time.Unix(r.Time, 0).UTC().Format(time.RFC3339), tc.time)
			}
			if r.Offset != tc.offset {
				t.Errorf("offset = %d, want %d", r.Offset, tc.offset)
			}
			if r.Repaired != tc.repaired {
				t.Errorf("repaired = %v, want %v", r.Repaired, tc.repaired)
			}
		})
	}
}

// TestCLFColumns checks the columns each member of the family declares.
func TestCLFColumns(t *testing.T) {
	for _, tc := range []struct {
		format         string
		agents, vhosts bool
	}{
		{"combined", true, false},
		{"common", false, false},
		{"vhost_combined", true, true},
		{"vhost_common", false, true},
	} {
		t.Run(tc.format, func(t *testing.T) {
			_, _, sc := scan(t, tc.format, "")
			cols := sc.Columns()
			for _, c := range []frame.StrCol{frame.IP, frame.User, frame.Method, frame.Stem, frame.Protocol, frame.Status} {
				if !cols.Str[c] {
					t.Errorf("%s is missing", c)
				}
			}
			if cols.Str[frame.UserAgent] != tc.agents || cols.Str[frame.Referer] != tc.agents {
				t.Errorf("referer/user agent = %v/%v, want %v", cols.Str[frame.Referer], cols.Str[frame.UserAgent], tc.agents)
			}
			if cols.Str[frame.Host] != tc.vhosts {
				t.Errorf("host = %v, want %v", cols.Str[frame.Host], tc.vhosts)
			}
			if !cols.Num[frame.Bytes] || cols.Num[frame.TimeTaken] || cols.Str[frame.EdgeLocation] {
				t.Errorf("numeric columns = %v, want bytes only", cols.Num)
			}
		})
	}
}

// TestCLFLineEnds checks that the line numbers and records survive CRLF
// endings, blank lines and a last line without its newline, with both the
// Scanner and Read.
func TestCLFLineEnds(t *testing.T) {
	const l1 = `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "ua"`
	const l2 = `192.0.2.2 - - [04/Mar/2024:12:00:01 +0000] "GET /b HTTP/1.1" 200 2 "-" "ua"`
	const bad = `garbage`
	for _, tc := range []struct {
		name    string
		text    string
		stems   []string
		badLine int
		lines   int
	}{
		{"LF", l1 + "\n" + l2 + "\n", []string{"/a", "/b"}, 0, 2},
		{"no final newline", l1 + "\n" + l2, []string{"/a", "/b"}, 0, 2},
		{"CRLF", l1 + "\r\n" + l2 + "\r\n", []string{"/a", "/b"}, 0, 2},
		{"CRLF, no final newline", l1 + "\r\n" + l2, []string{"/a", "/b"}, 0, 2},
		{"blank lines", "\n" + l1 + "\n\n  \n" + l2 + "\n", []string{"/a", "/b"}, 0, 5},
		{"malformed line 3", l1 + "\n\n" + bad + "\n" + l2 + "\n", []string{"/a", "/b"}, 3, 4},
		{"malformed last line without newline", l1 + "\r\n" + l2 + "\r\n" + bad, []string{"/a", "/b"}, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, errs, _ := scan(t, "combined", tc.text)
			var stems []string
			for _, r := range recs {
				stems = append(stems, r.Str[frame.Stem])
			}
			if strings.Join(stems, " ") != strings.Join(tc.stems, " ") {
				t.Errorf("scanner stems = %q, want %q", stems, tc.stems)
			}
			if tc.badLine == 0 && len(errs) != 0 || tc.badLine != 0 && (len(errs) != 1 || errs[0].Line != tc.badLine) {
				t.Errorf("scanner errors = %v, want one on line %d", errs, tc.badLine)
			}

			res := readAll(t, []Source{ReaderSource("mem", strings.NewReader(tc.text))}, Options{})
			st := res.Sources[0]
			if got := column(res.Frame, frame.Stem); strings.Join(got, " ") != strings.Join(tc.stems, " ") {
				t.Errorf("Read stems = %q, want %q", got, tc.stems)
			}
			if st.Format != "combined" || st.Lines != tc.lines || st.Records != len(tc.stems) || st.Err != nil {
				t.Errorf("Read stats = %+v, want combined, %d lines, %d records", st, tc.lines, len(tc.stems))
			}
			if tc.badLine != 0 && (st.Malformed != 1 || st.Examples[0].Line != tc.badLine || st.Examples[0].Source != "mem") {
				t.Errorf("Read malformed = %d %v, want mem line %d", st.Malformed, st.Examples, tc.badLine)
			}
		})
	}
}

// TestApacheSample reads the real Apache log: 10,000 records, none malformed,
// line 8899 (a user agent with no closing quote) kept and counted as repaired,
// 669 "-" sizes counted as 0 bytes.
func TestApacheSample(t *testing.T) {
	res := readAll(t, []Source{FileSource(filepath.Join(samplesDir, "apache", "access.log"), false)}, Options{})
	st := res.Sources[0]
	if st.Err != nil || st.Format != "combined" || st.Compression != "" {
		t.Fatalf("stats = %+v", st)
	}
	if st.Lines != 10000 || st.Records != 10000 || st.Malformed != 0 || st.Repaired != 1 {
		t.Errorf("lines %d records %d malformed %d repaired %d, want 10000 10000 0 1", st.Lines, st.Records, st.Malformed, st.Repaired)
	}
	if len(st.Repairs) != 1 || st.Repairs[0].Line != 8899 || !strings.Contains(st.Repairs[0].Reason, "closing quote") ||
		!strings.HasPrefix(st.Repairs[0].Text, "46.118.127.106 ") {
		t.Errorf("repairs = %v, want line 8899", st.Repairs)
	}
	f := res.Frame
	if ua := f.Str(frame.UserAgent).Value(8898); ua != "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html" {
		t.Errorf("user agent of line 8899 = %q", ua)
	}
	if stem := f.Str(frame.Stem).Value(8898); stem != "/scripts/grok-py-test/configlib.py" {
		t.Errorf("stem of line 8899 = %q", stem)
	}

	// 669 sizes are "-"; awk '$10 != "-" {s += $10} END {print s}' gives the total.
	var total float64
	zero := 0
	for _, b := range f.Num(frame.Bytes) {
		total += b
		if b == 0 {
			zero++
		}
	}
	if total != 2747282740 {
		t.Errorf("total bytes = %.0f, want 2747282740", total)
	}
	if zero < 669 {
		t.Errorf("%d rows with 0 bytes, want at least the 669 '-' sizes", zero)
	}

	counts := map[string]int{}
	for _, s := range column(f, frame.Status) {
		counts[s]++
	}
	want := map[string]int{"200": 9126, "206": 45, "301": 164, "304": 445, "403": 2, "404": 213, "416": 2, "500": 3}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("status %s: %d, want %d", k, counts[k], v)
		}
	}
	first, last := f.Time[0], f.Time[0]
	for _, x := range f.Time {
		first, last = min(first, x), max(last, x)
	}
	if first != utc(t, "2015-05-17T10:05:00Z") || last != utc(t, "2015-05-20T21:05:59Z") {
		t.Errorf("time range %s .. %s", time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC())
	}
	if f.Offset != 0 || f.Location() != time.UTC {
		t.Errorf("offset = %d", f.Offset)
	}
	if n := f.Str(frame.IP).Distinct(); n != 1753 {
		t.Errorf("%d distinct clients, want 1753", n)
	}
}

// TestSyntheticCombinedSample reads genlog's week with odd lines: every line
// is a record, and the odd ones are what genlog wrote.
func TestSyntheticCombinedSample(t *testing.T) {
	res := readAll(t, []Source{FileSource(filepath.Join(samplesDir, "synthetic", "combined-outage.log"), false)}, Options{})
	st := res.Sources[0]
	if st.Err != nil || st.Format != "combined" || st.Records != 20000 || st.Malformed != 0 || st.Repaired != 0 {
		t.Fatalf("stats = %+v", st)
	}
	f := res.Frame
	methods, statuses, agents, ips := column(f, frame.Method), column(f, frame.Status), column(f, frame.UserAgent), column(f, frame.IP)
	var dash408, tls400, quoted, ipv6 int
	for i := range methods {
		if methods[i] == "" && statuses[i] == "408" {
			dash408++
		}
		if methods[i] == "" && statuses[i] == "400" {
			tls400++
		}
		if strings.Contains(agents[i], `"quoted"`) {
			quoted++
		}
		if strings.Contains(ips[i], ":") {
			ipv6++
		}
	}
	if dash408 != 33 || tls400 != 22 || quoted != 26 || ipv6 != 422 {
		t.Errorf("408 '-' %d, TLS %d, quoted agents %d, IPv6 %d; want 33 22 26 422", dash408, tls400, quoted, ipv6)
	}
	// The outage: nothing between 03:11:58 and 04:41:44 on 2024-03-07.
	lo, hi := utc(t, "2024-03-07T03:11:58Z"), utc(t, "2024-03-07T04:41:44Z")
	for i, x := range f.Time {
		if x > lo && x < hi {
			t.Fatalf("row %d at %s is inside the outage", i, time.Unix(x, 0).UTC())
		}
	}
}

// TestDetect checks format detection on a few lines of each format, and on
// the samples.
func TestDetect(t *testing.T) {
	const combined = `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"` + "\n"
	const common = `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1` + "\n"
	const vcombined = `www.example.com:443 192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"` + "\n"
	const vcommon = `www.example.com:80 192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1` + "\n"
	const cfRecord = "2024-03-04\t00:00:21\tSIN2-P1\t5\t192.0.2.1\tGET\td1.cloudfront.net\t/\t200\t-\tua\t-\t-\tHit\tid\twww.example.com\thttps\t5\t0.001\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tHit\tHTTP/2.0\t-\t-\t443\t0.001\tHit\ttext/html\t5\t-\t-\n"
	for _, tc := range []struct {
		name, text, want string
	}{
		{"combined", strings.Repeat(combined, 3), "combined"},
		{"common", strings.Repeat(common, 3), "common"},
		{"vhost_combined", strings.Repeat(vcombined, 3), "vhost_combined"},
		{"vhost_common", strings.Repeat(vcommon, 3), "vhost_common"},
		{"combined with junk and a common line", "junk\n" + combined + common + combined + "\r\n", "combined"},
		{"combined, CRLF", strings.ReplaceAll(strings.Repeat(combined, 3), "\n", "\r\n"), "combined"},
		{"cloudfront with header", "#Version: 1.0\n" + cfDefaultFields + "\n" + cfRecord, "cloudfront"},
		{"cloudfront without header", cfRecord + cfRecord, "cloudfront"},
		{"nothing", "hello\nworld\n", ""},
		{"empty", "\n\n  \n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Detect([]byte(tc.text))
			switch {
			case tc.want == "" && err == nil:
				t.Errorf("detected %s, want an error", f.Name)
			case tc.want != "" && err != nil:
				t.Errorf("error %v, want %s", err, tc.want)
			case tc.want != "" && f.Name != tc.want:
				t.Errorf("detected %s, want %s", f.Name, tc.want)
			}
		})
	}
	t.Run("error names the formats and the first line", func(t *testing.T) {
		_, err := Detect([]byte("hello world\n"))
		if err == nil || !strings.Contains(err.Error(), "combined") || !strings.Contains(err.Error(), `"hello world"`) {
			t.Errorf("error = %v", err)
		}
	})
}

// TestDateConversion compares the timestamp arithmetic with the time package
// over many dates, offsets and both parsers.
func TestDateConversion(t *testing.T) {
	var c, iso dateCache
	start := time.Date(1969, 12, 25, 0, 0, 0, 0, time.UTC)
	for i := range 40000 {
		tm := start.Add(time.Duration(i) * 7919 * time.Minute / 3).Truncate(time.Second)
		off := (i%27 - 13) * 1800 // -06:30 .. +06:30
		loc := time.FixedZone("", off)
		ts := tm.In(loc).Format("02/Jan/2006:15:04:05 -0700")
		got, goff, err := c.clf([]byte(ts))
		if err != nil || got != tm.Unix() || int(goff) != off {
			t.Fatalf("clf(%s) = %d, %d, %v; want %d, %d", ts, got, goff, err, tm.Unix(), off)
		}
		u := tm.UTC()
		got, err = iso.iso([]byte(u.Format("2006-01-02")), []byte(u.Format("15:04:05")))
		if err != nil || got != tm.Unix() {
			t.Fatalf("iso(%s) = %d, %v; want %d", u, got, err, tm.Unix())
		}
	}
}

// TestReadCancelled checks that Read returns when its context is cancelled,
// whatever the number of sources.
func TestReadCancelled(t *testing.T) {
	var srcs []Source
	for i := range 50 {
		srcs = append(srcs, ReaderSource("s"+string(rune('a'+i%26)), strings.NewReader(string(numberedCombined(10)))))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan *Result)
	go func() { done <- Read(ctx, srcs, Options{Workers: 2}) }()
	select {
	case res := <-done:
		if len(res.Sources) != len(srcs) {
			t.Errorf("%d source stats, want %d", len(res.Sources), len(srcs))
		}
		n := 0
		for _, s := range res.Sources {
			if s.Err != nil {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no source says it was cancelled")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Read hangs after its context is cancelled")
	}
}
