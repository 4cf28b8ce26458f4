package ingest

import "testing"

func FuzzTraefik(f *testing.F) {
	for _, c := range allCases(f)["traefik"] {
		f.Add(uint8(0), []byte(c.text()))
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		fuzzLines(t, "traefik", chunk, data)
	})
}

func traefikLine(p benchParts) string {
	return combinedLine(p) + ` 1234 "web@docker" "http://172.17.0.3:80" 12ms`
}

func BenchmarkParseTraefik(b *testing.B) {
	lines, size := benchLines(4096, traefikLine)
	benchParse(b, LookupFormat("traefik"), nil, lines, size)
}
