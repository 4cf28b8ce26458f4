package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// TestS3NotCLF checks that no sniff of the NCSA family takes an S3 line
// (they need three or four fields before the timestamp, S3 has two) and
// that the S3 sniff takes no CLF line, not even one with a virtual host.
func TestS3NotCLF(t *testing.T) {
	var s3Lines []string
	for _, c := range allCases(t)["s3"] {
		if len(c.want) > 0 && c.want[0].malformed == "" {
			s3Lines = append(s3Lines, c.input...)
		}
	}
	if len(s3Lines) < 5 {
		t.Fatalf("%d S3 lines", len(s3Lines))
	}
	for _, name := range clfFamily {
		f := LookupFormat(name)
		for _, l := range s3Lines {
			if f.sniff([]byte(l)) {
				t.Errorf("%s takes the S3 line %.80q", name, l)
			}
		}
	}
	s3 := LookupFormat("s3")
	for _, l := range s3Lines {
		if !s3.sniff([]byte(l)) {
			t.Errorf("s3 refuses %.80q", l)
		}
	}
	for name, cases := range allCases(t) {
		if name == "s3" {
			continue
		}
		for _, c := range cases {
			for _, l := range c.input {
				if s3.sniff([]byte(l)) {
					t.Errorf("s3 takes line %.80q of %s case %q", l, name, c.name)
				}
			}
		}
	}
	for _, l := range []string{
		`203.0.113.9 - - [04/Mar/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.4.0"`,
		`www.example.com:443 203.0.113.9 - - [04/Mar/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.4.0"`,
		`203.0.113.9 - [04/Mar/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.4.0"`,
		`203.0.113.9, 10.0.0.2 - - [04/Mar/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.4.0"`,
	} {
		if s3.sniff([]byte(l)) {
			t.Errorf("s3 takes %q", l)
		}
	}
}

func TestS3Columns(t *testing.T) {
	c := LookupFormat("s3").newParser(nil).columns()
	for _, x := range []frame.StrCol{frame.IP, frame.User, frame.Bucket, frame.Operation, frame.Method, frame.Stem,
		frame.Protocol, frame.Status, frame.ErrorCode, frame.Referer, frame.UserAgent, frame.Host, frame.TLSVersion} {
		if !c.Str[x] {
			t.Errorf("s3 lacks %s", x)
		}
	}
	for _, x := range []frame.NumCol{frame.Bytes, frame.TimeTaken, frame.UpstreamTime} {
		if !c.Num[x] {
			t.Errorf("s3 lacks %s", x)
		}
	}
}

func FuzzS3(f *testing.F) {
	for _, c := range allCases(f)["s3"] {
		f.Add(uint8(0), []byte(c.text()))
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		fuzzLines(t, "s3", chunk, data)
	})
}

func s3Line(p benchParts) string {
	key := strings.TrimPrefix(p.path, "/")
	if i := strings.IndexByte(key, '?'); i >= 0 {
		key = key[:i]
	}
	if key == "" {
		key = "-"
	}
	errCode := "-"
	if p.status == "404" {
		errCode = "NoSuchKey"
	}
	return fmt.Sprintf(`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [%s] %s - 3E57427F3EXAMPLE REST.%s.OBJECT %s "%s %s %s" %s %s %s %s 17 12 "%s" "%s" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSv1.2 - -`,
		p.t.Format("02/Jan/2006:15:04:05 -0700"), p.ip, p.method, key, p.method, p.path, p.proto, p.status, errCode, p.size, p.size, p.ref, p.ua)
}

func BenchmarkParseS3(b *testing.B) {
	lines, size := benchLines(4096, s3Line)
	benchParse(b, LookupFormat("s3"), nil, lines, size)
}

func TestS3NoAllocs(t *testing.T) {
	lines, _ := benchLines(64, s3Line)
	p := LookupFormat("s3").newParser(nil)
	var r frame.Row
	n := 0
	if a := testing.AllocsPerRun(200, func() {
		if _, err := p.parse(lines[n%len(lines)], &r); err != nil {
			t.Fatal(err)
		}
		n++
	}); a != 0 {
		t.Errorf("%v allocations per line", a)
	}
}
