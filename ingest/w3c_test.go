package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// TestW3CNotCloudFront checks the headers both formats write: CloudFront's
// #Fields: line is CloudFront's alone, an IIS one W3C's alone, and an IIS
// log is detected as w3c even when it has only #Version: and #Fields:.
func TestW3CNotCloudFront(t *testing.T) {
	iis := "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
	cf := cfFields33
	if sniffCloudFront([]byte(iis)) || !sniffW3C([]byte(iis)) {
		t.Errorf("IIS #Fields: cloudfront %v w3c %v", sniffCloudFront([]byte(iis)), sniffW3C([]byte(iis)))
	}
	if !sniffCloudFront([]byte(cf)) || sniffW3C([]byte(cf)) {
		t.Errorf("CloudFront #Fields: cloudfront %v w3c %v", sniffCloudFront([]byte(cf)), sniffW3C([]byte(cf)))
	}
	rec := "2024-03-04 12:00:00 10.0.0.2 GET /index.html - 80 - 203.0.113.9 Mozilla/5.0 - 200 0 0 7"
	if sniffCloudFront([]byte(rec)) || !sniffW3C([]byte(rec)) {
		t.Errorf("IIS record: cloudfront %v w3c %v", sniffCloudFront([]byte(rec)), sniffW3C([]byte(rec)))
	}
	if sniffW3C([]byte(cf33(nil))) {
		t.Error("w3c takes a CloudFront record")
	}
	for _, text := range []string{
		"#Version: 1.0\n" + iis + "\n",
		"#Version: 1.0\n#Fields: time cs-method cs-uri\n00:34:23 GET /foo/bar.html\n", // the W3C draft's example
		"#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2024-03-04 00:00:00\n" + iis + "\n",
		rec + "\n" + rec + "\n",
	} {
		f, err := Detect([]byte(text))
		if err != nil || f.Name != "w3c" {
			t.Errorf("Detect(%q) = %v, %v; want w3c", text, f, err)
		}
	}
	for _, text := range []string{
		"#Version: 1.0\n" + cf + "\n" + cf33(nil) + "\n",
		"#Version: 1.0\n" + cf + "\n",
	} {
		f, err := Detect([]byte(text))
		if err != nil || f.Name != "cloudfront" {
			t.Errorf("Detect(%.40q...) = %v, %v; want cloudfront", text, f, err)
		}
	}
	// A generic application log starting with a date and time is no record.
	for _, l := range []string{
		"2024-03-04 12:00:00 INFO server started on :8080",
		"2024-03-04 12:00:00,123 GET /x 200",
		"2024-03-04T12:00:00Z GET /x 200 1 2",
	} {
		if sniffW3C([]byte(l)) {
			t.Errorf("w3c takes %q", l)
		}
	}
}

// TestW3CColumns checks that a source declares the columns its #Fields:
// line names, and that a new #Fields: line changes them.
func TestW3CColumns(t *testing.T) {
	p := newW3CParser(nil)
	def := p.columns()
	for _, c := range []frame.StrCol{frame.IP, frame.Method, frame.Stem, frame.Status, frame.UserAgent, frame.Referer, frame.User} {
		if !def.Str[c] {
			t.Errorf("default layout lacks %s", c)
		}
	}
	if def.Str[frame.Host] || def.Num[frame.Bytes] || !def.Num[frame.TimeTaken] {
		t.Errorf("default layout columns %+v", def)
	}
	var r frame.Row
	k, err := p.parse([]byte("#Fields: date time cs-host sc-bytes cs-bytes cs-version"), &r)
	if err != nil || k != kindHeader {
		t.Fatal(k, err)
	}
	c := p.columns()
	if !c.Str[frame.Host] || !c.Num[frame.Bytes] || !c.Num[frame.RequestBytes] || !c.Str[frame.Protocol] || c.Str[frame.IP] || c.Num[frame.TimeTaken] {
		t.Errorf("columns %+v", c)
	}
}

func TestUnplus(t *testing.T) {
	for in, want := range map[string]string{
		"a+b": "a b", "a++b": "a +b", "a+++b": "a + b", "+": " ", "++": " +", "a": "a",
		"Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html)": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	} {
		if got := string(unplus(nil, []byte(in))); got != want {
			t.Errorf("unplus(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzW3C(f *testing.F) {
	for _, c := range allCases(f)["w3c"] {
		f.Add(uint8(0), []byte(c.text()))
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		fuzzLines(t, "w3c", chunk, data)
	})
}

func iisLine(p benchParts) string {
	stem, query, _ := strings.Cut(p.path, "?")
	if query == "" {
		query = "-"
	}
	ref := strings.ReplaceAll(p.ref, " ", "+")
	return fmt.Sprintf("%s 10.0.0.2 %s %s %s 443 - %s %s %s %s 0 0 %d", p.t.Format("2006-01-02 15:04:05"),
		p.method, stem, query, p.ip, strings.ReplaceAll(p.ua, " ", "+"), ref, p.status, 15+len(p.path))
}

func BenchmarkParseW3C(b *testing.B) {
	lines, size := benchLines(4096, iisLine)
	benchParse(b, LookupFormat("w3c"), []byte(w3cDefaultFields), lines, size)
}

// TestW3CNoAllocs holds the parse path to no allocation for well-formed
// lines.
func TestW3CNoAllocs(t *testing.T) {
	lines, _ := benchLines(64, iisLine)
	p := newW3CParser(nil)
	var r frame.Row
	for _, l := range lines {
		p.parse(l, &r)
	}
	n := 0
	if a := testing.AllocsPerRun(200, func() {
		p.parse(lines[n%len(lines)], &r)
		n++
	}); a != 0 {
		t.Errorf("%v allocations per line", a)
	}
	if !bytes.Equal(r.Str[frame.Method], []byte("GET")) && !bytes.Equal(r.Str[frame.Method], []byte("POST")) {
		t.Errorf("method %q", r.Str[frame.Method])
	}
}
