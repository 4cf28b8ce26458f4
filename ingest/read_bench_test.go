package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"runtime"
	"testing"
	"time"
)

// Benchmarks of the read path beyond the parsers (bench_test.go): a worker
// turning a chunk into a batch (parse + dictionary coding, the hot path,
// which must not allocate per line once its dictionaries are warm), and
// Read on CloudFront and gzip input. The inputs are a few MB so that
// -benchtime 100x stays short.

// chunkOf repeats lines up to about size bytes of newline-ended text.
func chunkOf(lines [][]byte, size int) ([]byte, int) {
	var buf bytes.Buffer
	n := 0
	for buf.Len() < size {
		for _, l := range lines {
			buf.Write(l)
			buf.WriteByte('\n')
			n++
			if buf.Len() >= size {
				break
			}
		}
	}
	return buf.Bytes(), n
}

// benchChunk parses one chunk per iteration with one worker, the way Read
// does: the batch goes back to the worker after each merge.
func benchChunk(b *testing.B, f *Format, header, data []byte, lines int) {
	w := newWorker(1)
	t := task{format: f, header: header, data: data}
	warm := w.parseChunk(t) // fill the dictionaries
	if warm.records != lines || warm.malformed != 0 {
		b.Fatalf("%d records, %d malformed; want %d records", warm.records, warm.malformed, lines)
	}
	warm.recycle()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	for b.Loop() {
		r := w.parseChunk(t)
		r.recycle()
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(b.N*lines)/elapsed.Seconds(), "lines/s")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N*lines), "allocs/line")
}

func BenchmarkChunkCombined(b *testing.B) {
	lines, _ := benchLines(4096, combinedLine)
	data, n := chunkOf(lines, 512<<10)
	benchChunk(b, LookupFormat("combined"), nil, data, n)
}

func BenchmarkChunkCloudFront(b *testing.B) {
	lines, _ := benchLines(4096, cloudFrontLine)
	data, n := chunkOf(lines, 512<<10)
	benchChunk(b, LookupFormat("cloudfront"), []byte(cfFields33), data, n)
}

// benchRead reads data (one source) with every core, as the CLI does.
func benchRead(b *testing.B, data []byte, lines int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		res := Read(context.Background(), []Source{ReaderSource("mem", bytes.NewReader(data))}, Options{})
		if res.Records() != lines || res.Malformed() != 0 {
			b.Fatalf("%d records, %d malformed; want %d", res.Records(), res.Malformed(), lines)
		}
	}
	b.ReportMetric(float64(b.N*lines)/time.Since(start).Seconds(), "lines/s")
}

func BenchmarkReadCloudFront(b *testing.B) {
	lines, _ := benchLines(16384, cloudFrontLine)
	data, n := chunkOf(lines, 8<<20)
	benchRead(b, append([]byte("#Version: 1.0\n"+cfFields33+"\n"), data...), n)
}

// BenchmarkReadGzip reads 8 MB of combined log from gzip: decompression
// overlaps with parsing.
func BenchmarkReadGzip(b *testing.B) {
	lines, _ := benchLines(16384, combinedLine)
	data, n := chunkOf(lines, 8<<20)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	benchRead(b, gz.Bytes(), n)
}
