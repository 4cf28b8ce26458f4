package ingest

import (
	"fmt"
	"strings"
	"testing"
)

func FuzzHAProxy(f *testing.F) {
	for _, c := range allCases(f)["haproxy"] {
		f.Add(uint8(0), []byte(c.text()))
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		fuzzLines(t, "haproxy", chunk, data)
	})
}

func haproxyLine(p benchParts) string {
	ip := p.ip
	if strings.Contains(ip, ":") {
		ip = "[" + ip + "]"
	}
	size := p.size
	if size == "-" {
		size = "0"
	}
	return fmt.Sprintf("%s haproxy[14389]: %s:%d [%s.%03d] http-in~ static/srv1 10/0/30/69/109 %s %s - - ---- 1/1/1/1/0 0/0 {%s} {} \"%s %s %s\"",
		p.t.Format("Jan _2 15:04:05"), ip, 1024+len(p.path), p.t.Format("02/Jan/2006:15:04:05"), p.t.Nanosecond()/1e6,
		p.status, size, "www.example.com", p.method, p.path, p.proto)
}

func BenchmarkParseHAProxy(b *testing.B) {
	lines, size := benchLines(4096, haproxyLine)
	benchParse(b, LookupFormat("haproxy"), nil, lines, size)
}
