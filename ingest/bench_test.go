package ingest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// Benchmark input is made here from a few templates, so the benchmarks need
// nothing outside the package.

var benchAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36",
	"python-requests/2.31.0",
	"curl/8.4.0",
}

var benchPaths = []string{
	"/", "/static/css/main.3f9a1c2e.css", "/static/js/app.7b2e4d1f.js", "/favicon.ico",
	"/api/v1/sales?page=%d", "/blog/posts/2024/%d-release-notes", "/products/%d", "/search?q=term+%d",
	"/docs/guide/%d/index.html", "/images/photo-%d.webp",
}

var benchReferers = []string{"-", "https://www.example.com/", "https://www.google.com/", "https://www.example.com/blog/"}

type benchParts struct {
	ip, path, method, proto, status, size, ref, ua string
	t                                              time.Time
}

func benchRecord(r *rand.Rand, i int) benchParts {
	var p benchParts
	if r.IntN(30) == 0 {
		p.ip = fmt.Sprintf("2001:db8:%x::%x", r.IntN(65536), r.IntN(65536))
	} else {
		p.ip = fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	}
	p.path = benchPaths[r.IntN(len(benchPaths))]
	if strings.Contains(p.path, "%d") {
		p.path = fmt.Sprintf(p.path, r.IntN(100000))
	}
	p.method = "GET"
	if r.IntN(20) == 0 {
		p.method = "POST"
	}
	p.proto = []string{"HTTP/1.1", "HTTP/2.0", "HTTP/1.0"}[r.IntN(3)]
	p.status, p.size = "200", fmt.Sprint(200+r.IntN(300000))
	switch r.IntN(12) {
	case 0:
		p.status, p.size = "304", "-"
	case 1:
		p.status, p.size = "404", "196"
	case 2:
		p.status, p.size = "301", "239"
	}
	p.ref = benchReferers[r.IntN(len(benchReferers))]
	p.ua = benchAgents[r.IntN(len(benchAgents))]
	p.t = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 250 * time.Millisecond)
	return p
}

func combinedLine(p benchParts) string {
	return fmt.Sprintf("%s - - [%s] \"%s %s %s\" %s %s \"%s\" \"%s\"", p.ip, p.t.Format("02/Jan/2006:15:04:05 -0700"),
		p.method, p.path, p.proto, p.status, p.size, p.ref, p.ua)
}

func cloudFrontLine(p benchParts) string {
	stem, query, _ := strings.Cut(p.path, "?")
	if query == "" {
		query = "-"
	}
	status := p.status
	if p.size == "-" {
		p.size = "0"
	}
	return tsv(p.t.Format("2006-01-02"), p.t.Format("15:04:05"), "FRA56-P3", p.size, p.ip, p.method, "d111111abcdef8.cloudfront.net",
		stem, status, p.ref, strings.ReplaceAll(p.ua, " ", "%20"), query, "-", "Hit",
		"eGC6xGseFkxo1BMAlPTAqh0w9-Bxi9fsSLT2MZWcPcqdjNjngxfOvQ==", "www.example.com", "https", "97", "0.017", "-",
		"TLSv1.3", "TLS_AES_128_GCM_SHA256", "Hit", "HTTP/2.0", "-", "-", "54298", "0.016", "Hit", "text/html", p.size, "-", "-")
}

func benchLines(n int, format func(benchParts) string) ([][]byte, int) {
	r := rand.New(rand.NewPCG(1, 2))
	lines := make([][]byte, n)
	total := 0
	for i := range lines {
		lines[i] = []byte(format(benchRecord(r, i)))
		total += len(lines[i]) + 1
	}
	return lines, total
}

// benchParse parses lines over and over with one parser, the way one worker
// of Read does.
func benchParse(b *testing.B, f *Format, header []byte, lines [][]byte, size int) {
	p := f.newParser(header)
	var row frame.Row
	for _, l := range lines { // every line must be a record
		if k, err := p.parse(l, &row); err != nil || k != kindRecord {
			b.Fatalf("%q: %v %v", l, k, err)
		}
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	n := 0
	start := time.Now()
	for b.Loop() {
		if _, err := p.parse(lines[n%len(lines)], &row); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "lines/s")
}

func BenchmarkParseCombined(b *testing.B) {
	lines, size := benchLines(4096, combinedLine)
	benchParse(b, LookupFormat("combined"), nil, lines, size)
}

func BenchmarkParseCloudFront(b *testing.B) {
	lines, size := benchLines(4096, cloudFrontLine)
	benchParse(b, LookupFormat("cloudfront"), []byte(cfFields33), lines, size)
}

var (
	readInputOnce  sync.Once
	readInput      []byte
	readInputLines int
)

// BenchmarkRead reads a ~50 MB combined log from memory with every core.
func BenchmarkRead(b *testing.B) {
	readInputOnce.Do(func() {
		lines, size := benchLines(16384, combinedLine)
		var buf bytes.Buffer
		buf.Grow(50<<20 + size)
		for buf.Len() < 50<<20 {
			for _, l := range lines {
				buf.Write(l)
				buf.WriteByte('\n')
			}
			readInputLines += len(lines)
		}
		readInput = buf.Bytes()
	})
	b.SetBytes(int64(len(readInput)))
	b.ReportAllocs()
	n := 0
	start := time.Now()
	for b.Loop() {
		res := Read(context.Background(), []Source{ReaderSource("mem", bytes.NewReader(readInput))}, Options{})
		if res.Records() != readInputLines || res.Malformed() != 0 {
			b.Fatalf("%d records, %d malformed; want %d", res.Records(), res.Malformed(), readInputLines)
		}
		n++
	}
	b.ReportMetric(float64(n*readInputLines)/time.Since(start).Seconds(), "lines/s")
}
