package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

const googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

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

// TestDashClient: a client written "-" (Apache's %{X-Forwarded-For}i
// first, without the header) is stored as a missing client, as the W3C
// and S3 readers store theirs, not as an address "-".
func TestDashClient(t *testing.T) {
	text := `- - - [04/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8.0"
198.51.100.7 - - [04/Mar/2024:10:00:01 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8.0"
`
	res := readAll(t, []Source{ReaderSource("mem", strings.NewReader(text))}, Options{})
	if res.Frame.Len() != 2 {
		t.Fatalf("%d records, want 2", res.Frame.Len())
	}
	if got := column(res.Frame, frame.IP); got[0] != "" || got[1] != "198.51.100.7" {
		t.Errorf("clients %q, want \"\" and 198.51.100.7", got)
	}
	// An X-Forwarded-For list in the client's place: its first entry read
	// as a client field is, a dash as none, brackets taken off.
	text = `-, - - - [04/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8.0"
[2001:db8::1], 10.0.0.1 - - [04/Mar/2024:10:00:01 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8.0"
`
	res = readAll(t, []Source{ReaderSource("mem", strings.NewReader(text))}, Options{})
	if res.Frame.Len() != 2 {
		t.Fatalf("forwarded lists: %d records, want 2", res.Frame.Len())
	}
	if got := column(res.Frame, frame.IP); got[0] != "" || got[1] != "2001:db8::1" {
		t.Errorf("forwarded clients %q, want \"\" and 2001:db8::1", got)
	}
}
