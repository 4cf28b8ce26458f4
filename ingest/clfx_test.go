package ingest

import (
	"strings"
	"testing"
)

// The formats clf.go's variants, traefik.go and haproxy.go add.
var clfxFormats = []string{"timed_combined", "combined_usec", "vhost_timed_combined", "vhost_combined_usec", "traefik", "haproxy"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCLFXDetectUnits checks the per-source unit of an integer after the
// agent: all below 100 is Apache %T (seconds), any larger one %D (µs).
func TestCLFXDetectUnits(t *testing.T) {
	line := func(v string) string {
		return `192.0.2.1 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" ` + v + "\n"
	}
	traefik := `192.168.1.10 - - [10/Mar/2024:08:00:01 +0000] "GET /api HTTP/1.1" 200 512 "-" "curl/8.0" 42 "my-router@docker" "http://172.17.0.3:80" 7ms` + "\n"
	haproxy := `Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"` + "\n"
	for _, tc := range []struct{ name, text, want string }{
		{"%T", line("0") + line("1") + line("0") + line("12"), "timed_combined"},
		{"%D", line("57") + line("1200") + line("80000"), "combined_usec"},
		{"%D with small ones", line("57") + line("60") + line("150"), "combined_usec"},
		{"nginx", line("0.001") + line("0.120 0.119"), "timed_combined"},
		{"plain", line("") + line(""), "combined"},
		{"xff", "203.0.113.5, 10.0.0.2 - - [04/Mar/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n", "combined"},
		{"traefik", strings.Repeat(traefik, 3), "traefik"},
		{"traefik among combined", traefik + traefik + line(""), "traefik"},
		{"haproxy", strings.Repeat(haproxy, 2), "haproxy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Detect([]byte(tc.text))
			if err != nil || f.Name != tc.want {
				t.Errorf("detected %v (%v), want %s", f, err, tc.want)
			}
		})
	}
}

// The variants share FuzzCLF's parser; this target runs them by name.
func FuzzCLFX(f *testing.F) {
	cases := allCases(f)
	for i, name := range clfxFormats {
		for _, c := range cases[name] {
			f.Add(uint8(i), uint8(0), []byte(c.text()))
		}
	}
	f.Fuzz(func(t *testing.T, format, chunk uint8, data []byte) {
		fuzzLines(t, clfxFormats[int(format)%len(clfxFormats)], chunk, data)
	})
}

func timedCombinedLine(p benchParts) string {
	return combinedLine(p) + " 0.123 0.120"
}

func BenchmarkParseTimedCombined(b *testing.B) {
	lines, size := benchLines(4096, timedCombinedLine)
	benchParse(b, LookupFormat("timed_combined"), nil, lines, size)
}
