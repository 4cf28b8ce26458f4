package ingest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// Tests of the AWS load balancer formats, alb (alb.go) and elb (elb.go),
// beyond their cases in testdata/alb.txt and testdata/elb.txt: detection
// against every sample and case of the other formats, the real sample, no
// allocation on the parse path, fuzz targets and benchmarks.

// lbFormats are the formats of alb.go, elb.go and nlb.go.
var lbFormats = map[string]bool{"alb": true, "elb": true, "nlb": true}

// TestLBDetectCases holds detection to the case files: the inputs of the
// alb and elb cases that give records are detected as their format, those of
// every other format never as alb or elb, and no sniff of another format
// takes an alb or elb record line (nor alb's elb's, nor elb's alb's).
func TestLBDetectCases(t *testing.T) {
	sniffs := map[string]func([]byte) bool{"alb": sniffALB, "elb": sniffELB, "nlb": sniffNLB}
	for format, cases := range allCases(t) {
		for _, c := range cases {
			recs := 0
			for _, w := range c.want {
				if w.malformed == "" {
					recs++
				}
			}
			f, err := Detect([]byte(c.text()))
			got := "none"
			if err == nil {
				got = f.Name
			}
			mine := lbFormats[format]
			switch {
			case mine && recs > 0 && got != format:
				t.Errorf("%s %q: detected as %s", format, c.name, got)
			case !mine && lbFormats[got]:
				t.Errorf("%s %q: detected as %s", format, c.name, got)
			}
			if !mine {
				for _, l := range c.input {
					for name, sniff := range sniffs {
						if sniff([]byte(l)) {
							t.Errorf("%s %q: %s takes %.80q", format, c.name, name, l)
						}
					}
				}
				continue
			}
			for _, w := range c.want {
				if w.malformed != "" {
					continue
				}
				l := []byte(c.input[w.line-1])
				for _, other := range Formats() {
					if other.Name != format && other.sniff(l) {
						t.Errorf("%s %q line %d: %s's sniff takes it", format, c.name, w.line, other.Name)
					}
				}
				if !LookupFormat(format).sniff(l) {
					t.Errorf("%s %q line %d: its own sniff refuses it", format, c.name, w.line)
				}
			}
		}
	}
}

// TestALBSample reads the real ALB log of samples/alb/ through Read.
func TestALBSample(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samplesDir, "alb", "*.log.gz"))
	if len(files) != 1 {
		t.Fatalf("samples/alb: %v", files)
	}
	res := readAll(t, []Source{FileSource(files[0], false)}, Options{})
	st := res.Sources[0]
	if st.Err != nil || st.Format != "alb" || st.Records != 44 || st.Malformed != 0 || st.Repaired != 0 {
		t.Fatalf("%+v", st)
	}
	fr := res.Frame
	counts := map[string]int{}
	for _, s := range column(fr, frame.Status) {
		counts[s]++
	}
	if counts["404"] != 26 || counts["304"] != 17 || counts["200"] != 1 {
		t.Errorf("statuses %v", counts)
	}
	for _, c := range []frame.StrCol{frame.Scheme, frame.Host, frame.TLSVersion, frame.Protocol, frame.IP} {
		vals := map[string]bool{}
		for _, s := range column(fr, c) {
			vals[s] = true
		}
		if len(vals) != 1 {
			t.Errorf("%s: %v, want one value", c, vals)
		}
	}
	if v := column(fr, frame.Scheme)[0]; v != "h2" {
		t.Errorf("scheme %q", v)
	}
	if v := column(fr, frame.Host)[0]; v != "example-lb.jsherz.com" {
		t.Errorf("host %q", v)
	}
	for i, x := range fr.Num(frame.TimeTaken) {
		if math.IsNaN(x) || x < 0 || x > 0.01 {
			t.Errorf("row %d: time_taken %v", i, x)
		}
	}
}

// TestLBNoAllocs checks that a well-formed line costs no allocation.
func TestLBNoAllocs(t *testing.T) {
	for _, tc := range []struct {
		format string
		line   func(benchParts) string
	}{{"alb", albLine}, {"elb", elbLine}, {"nlb", nlbLine}} {
		lines, _ := benchLines(64, tc.line)
		p := LookupFormat(tc.format).newParser(nil)
		var r frame.Row
		i := 0
		if a := testing.AllocsPerRun(200, func() {
			if k, err := p.parse(lines[i%len(lines)], &r); err != nil || k != kindRecord {
				t.Fatalf("%s: %v %v", lines[i%len(lines)], k, err)
			}
			i++
		}); a != 0 {
			t.Errorf("%s: %v allocations a line", tc.format, a)
		}
	}
}

// albLine and elbLine make benchmark lines in the current ALB layout and
// the classic ELB one with agent and TLS.
func albLine(p benchParts) string {
	target, ts := "10.0.3.17:8080", "200"
	times := fmt.Sprintf("0.000 %.3f 0.000", float64(len(p.path)%40)/1000)
	if p.status == "301" {
		target, ts, times = "-", "-", "0.000 -1 -1"
	}
	size := p.size
	if size == "-" {
		size = "0"
	}
	ip := p.ip
	if strings.Contains(ip, ":") {
		ip = "[" + ip + "]"
	}
	return fmt.Sprintf(`h2 %s app/my-loadbalancer/50dc6c495c0c9188 %s:%d %s %s %s %s 312 %s "%s https://www.example.com:443%s HTTP/2.0" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 %s "forward" "-" "-" "%s" "%s" "-" "-" TID_1234abcd5678ef90`,
		p.t.Format("2006-01-02T15:04:05.000000Z"), ip, 1024+len(p.path), target, times, p.status, ts, size,
		p.method, p.path, p.ua, p.t.Format("2006-01-02T15:04:05.000000Z"), target, ts)
}

func elbLine(p benchParts) string {
	size := p.size
	if size == "-" {
		size = "0"
	}
	return fmt.Sprintf(`%s my-loadbalancer %s:%d 10.0.0.1:80 0.000073 0.001048 0.000057 %s %s 0 %s "%s https://www.example.com:443%s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`,
		p.t.Format("2006-01-02T15:04:05.000000Z"), strings.Trim(p.ip, "[]"), 1024+len(p.path), p.status, p.status, size, p.method, p.path, p.ua)
}

func nlbLine(p benchParts) string {
	ip := p.ip
	if strings.Contains(ip, ":") {
		ip = "[" + ip + "]"
	}
	size := p.size
	if size == "-" {
		size = "0"
	}
	return fmt.Sprintf(`tls 2.0 %s net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd %s:%d 172.100.100.185:443 %d 2 312 %s - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - www.example.com h2 h2 "h2","http/1.1" %s`,
		p.t.Format("2006-01-02T15:04:05"), ip, 1024+len(p.path), len(p.path)*7, size, p.t.Format("2006-01-02T15:04:05"))
}

// TestLBBenchLinesAreRecords keeps the benchmark honest: its lines parse,
// and an IPv6 client is read without brackets.
func TestLBBenchLinesAreRecords(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		p := benchRecord(r, i)
		for _, l := range []string{albLine(p), elbLine(p)} {
			if !sniffALB([]byte(l)) && !sniffELB([]byte(l)) {
				t.Fatalf("not sniffed: %s", l)
			}
		}
		if got, _, _ := scan(t, "alb", albLine(p)+"\n"); len(got) != 1 || got[0].Str[frame.IP] != p.ip {
			t.Fatalf("%s: %+v", albLine(p), got)
		}
	}
}

func BenchmarkParseALB(b *testing.B) {
	lines, size := benchLines(4096, albLine)
	benchParse(b, LookupFormat("alb"), nil, lines, size)
}

func BenchmarkParseELB(b *testing.B) {
	lines, size := benchLines(4096, elbLine)
	benchParse(b, LookupFormat("elb"), nil, lines, size)
}

func BenchmarkParseNLB(b *testing.B) {
	lines, size := benchLines(4096, nlbLine)
	benchParse(b, LookupFormat("nlb"), nil, lines, size)
}

// FuzzALB fuzzes alb, elb and nlb, picked by its first argument.
func FuzzALB(f *testing.F) {
	names := []string{"alb", "elb", "nlb"}
	cases := allCases(f)
	for i, name := range names {
		for _, c := range cases[name] {
			f.Add(uint8(i), uint8(0), []byte(c.text()))
		}
	}
	f.Fuzz(func(t *testing.T, format, chunk uint8, data []byte) {
		fuzzLines(t, names[int(format)%len(names)], chunk, data)
	})
}
