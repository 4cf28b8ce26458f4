package analysis

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
	"github.com/logbook/logbook/ingest"
)

// The whole report's analyses on a million rows with every column a log
// format fills, built in-process (no files): RunAll as the CLI runs it, and
// each registered section alone, so that a new section is benchmarked the
// day it is registered. Run with: go test -run '^$' -bench 'RunAll|Sections' ./analysis

const benchRows = 1_000_000

var (
	benchFramesOnce sync.Once
	benchFrames     map[string]*frame.Frame
)

// benchLogFrames returns a combined-log frame and a CloudFront frame of
// benchRows rows each: a week of traffic with a diurnal cycle, Zipf-like
// clients (20,000) and paths (50,000), a few hundred agents, status codes
// and sizes of a real site, and an outage of 40 minutes.
func benchLogFrames() map[string]*frame.Frame {
	benchFramesOnce.Do(func() {
		benchFrames = map[string]*frame.Frame{
			"combined":   benchLogFrame("combined"),
			"cloudfront": benchLogFrame("cloudfront"),
			"alb":        benchLogFrame("alb"),
		}
	})
	return benchFrames
}

// benchLogFrame builds the frame of a log kind: combined, cloudfront, or
// alb (a load balancer's: the combined columns with the target's status,
// the target and the times).
func benchLogFrame(kind string) *frame.Frame {
	cloudfront := kind == "cloudfront"
	rng := rand.New(rand.NewPCG(11, 17))
	vals := func(n int, f func(i int) string) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = []byte(f(i))
		}
		return out
	}
	ips := vals(20000, func(i int) string {
		if i%33 == 0 {
			return "2001:db8:" + strconv.FormatInt(int64(i), 16) + "::1"
		}
		return strconv.Itoa(1+i*7%223) + "." + strconv.Itoa(i*13%256) + "." + strconv.Itoa(i*31%256) + "." + strconv.Itoa(1+i%254)
	})
	stems := vals(50000, func(i int) string {
		switch i % 5 {
		case 0:
			return "/blog/posts/" + strconv.Itoa(2015+i%9) + "/post-" + strconv.Itoa(i)
		case 1:
			return "/static/js/app." + strconv.FormatInt(int64(i)*2654435761%(1<<32), 16) + ".js"
		case 2:
			return "/products/" + strconv.Itoa(i)
		case 3:
			return "/api/v1/orders/" + strconv.Itoa(i)
		}
		return "/docs/guide/" + strconv.Itoa(i) + "/index.html"
	})
	stems[0], stems[1], stems[2] = []byte("/"), []byte("/wp-login.php"), []byte("/.env")
	agents := vals(300, func(i int) string {
		switch i % 6 {
		case 0:
			return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + strconv.Itoa(100+i%25) + ".0.0.0 Safari/537.36"
		case 1:
			return "Mozilla/5.0 (iPhone; CPU iPhone OS 17_" + strconv.Itoa(i%5) + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1"
		case 2:
			return "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
		case 3:
			return "python-requests/2." + strconv.Itoa(i%32) + ".0"
		case 4:
			return "curl/8." + strconv.Itoa(i%9) + ".0"
		}
		return "Mozilla/5.0 (X11; Linux x86_64; rv:" + strconv.Itoa(100+i%25) + ".0) Gecko/20100101 Firefox/" + strconv.Itoa(100+i%25) + ".0"
	})
	referers := vals(2000, func(i int) string {
		switch {
		case i == 0:
			return ""
		case i < 10:
			return "https://www.google.com/"
		}
		return "https://www.example.com/products/" + strconv.Itoa(i)
	})
	users := vals(4, func(i int) string { return []string{"", "", "alice", "bob"}[i] })
	methods := vals(5, func(i int) string { return []string{"GET", "POST", "HEAD", "PUT", "DELETE"}[i] })
	protos := vals(3, func(i int) string { return []string{"HTTP/1.1", "HTTP/2.0", "HTTP/1.0"}[i] })
	edges := vals(40, func(i int) string {
		return []string{"IAD", "FRA", "AMS", "NRT", "SIN"}[i%5] + strconv.Itoa(50+i) + "-C1"
	})
	results := vals(5, func(i int) string { return []string{"Hit", "Miss", "RefreshHit", "Error", "Redirect"}[i] })
	ctypes := vals(6, func(i int) string {
		return []string{"text/html", "application/javascript", "image/png", "text/css", "application/json", "image/webp"}[i]
	})
	zipf := func(n int) int { u := rng.Float64(); return int(float64(n) * u * u * u) }
	pick := func(cum []float64) int {
		u := rng.Float64()
		for i, c := range cum {
			if u < c {
				return i
			}
		}
		return len(cum)
	}

	cols := frame.Cols(frame.IP, frame.User, frame.Method, frame.Stem, frame.Protocol, frame.Status, frame.Bytes,
		frame.Referer, frame.UserAgent)
	if cloudfront {
		cols = frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Protocol, frame.Status, frame.Bytes, frame.Referer,
			frame.UserAgent, frame.Host, frame.EdgeLocation, frame.EdgeResult, frame.Scheme, frame.TLSVersion, frame.ContentType,
			frame.TimeTaken, frame.TTFB)
	}
	if kind == "alb" {
		cols.Union(frame.Cols(frame.TargetStatus, frame.Backend, frame.TimeTaken, frame.UpstreamTime))
	}
	targets := vals(12, func(i int) string { return "10.0.1." + strconv.Itoa(10+i) + ":8080" })
	var b frame.Builder
	b.Begin(cols)
	var r frame.Row
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC).Unix()
	week := int64(7 * 86400)
	outage := start + 3*86400 + 14*3600
	t := start
	for range benchRows {
		// A diurnal cycle: more requests by day than by night.
		hour := (t - start) % 86400 / 3600
		step := int64(1)
		if hour < 7 || hour > 22 {
			step = 2
		}
		if rng.IntN(int(step)+1) > 0 {
			t += int64(rng.IntN(2)) * step
		}
		if t >= outage && t < outage+40*60 {
			t = outage + 40*60
		}
		t = min(t, start+week-1)
		r.Reset()
		r.Time = t
		ip := zipf(len(ips))
		r.Str[frame.IP] = ips[ip]
		r.Str[frame.User] = users[pick([]float64{0.998, 0.999, 0.9995})]
		r.Str[frame.Method] = methods[pick([]float64{0.93, 0.98, 0.99, 0.995})]
		stem := zipf(len(stems))
		r.Str[frame.Stem] = stems[stem]
		r.Str[frame.Protocol] = protos[pick([]float64{0.6, 0.99})]
		status := []string{"200", "304", "301", "404", "403", "500", "502", "429", "000"}[pick([]float64{0.8, 0.88, 0.91, 0.96, 0.97, 0.98, 0.99, 0.995})]
		if stem < 3 && stem > 0 {
			status = "404"
		}
		r.Str[frame.Status] = []byte(status)
		if status == "304" {
			r.Num[frame.Bytes] = 0
		} else {
			r.Num[frame.Bytes] = float64(200 + rng.IntN(300000))
		}
		r.Str[frame.Referer] = referers[zipf(len(referers))]
		r.Str[frame.UserAgent] = agents[ip%len(agents)]
		if cloudfront {
			r.Str[frame.Host] = []byte("www.example.com")
			r.Str[frame.EdgeLocation] = edges[ip%len(edges)]
			r.Str[frame.EdgeResult] = results[pick([]float64{0.7, 0.9, 0.95, 0.99})]
			r.Str[frame.Scheme] = []byte("https")
			r.Str[frame.TLSVersion] = []byte([]string{"TLSv1.3", "TLSv1.2"}[pick([]float64{0.8})])
			r.Str[frame.ContentType] = ctypes[stem%len(ctypes)]
			r.Num[frame.TimeTaken] = float64(rng.IntN(2000)) / 1000
			r.Num[frame.TTFB] = r.Num[frame.TimeTaken] * 0.8
		}
		if kind == "alb" {
			// The balancer's own answers (460, 502, 503, 504) have no
			// target status; the others pass the target's on.
			switch u := rng.IntN(1000); {
			case u < 3:
				r.Str[frame.Status], r.Str[frame.TargetStatus] = []byte([]string{"460", "502", "503"}[u]), nil
			case u < 5:
				r.Str[frame.Status] = []byte("504")
			default:
				r.Str[frame.TargetStatus], r.Str[frame.Backend] = r.Str[frame.Status], targets[ip%len(targets)]
			}
			r.Num[frame.TimeTaken] = float64(rng.IntN(500)) / 1000
			r.Num[frame.UpstreamTime] = r.Num[frame.TimeTaken] * 0.9
		}
		b.Add(&r)
	}
	return b.Frame()
}

// BenchmarkRunAll runs every registered section at once, as the CLI does,
// on a million rows of a combined log.
func BenchmarkRunAll(b *testing.B) {
	f := benchLogFrames()["combined"]
	in := &Input{Frame: f, Loc: time.UTC}
	jobs := Defaults(All())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, s := range RunAll(context.Background(), in, jobs) {
			if s.Error != "" {
				b.Fatalf("%s: %s", s.ID, s.Error)
			}
		}
	}
	b.ReportMetric(float64(f.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSections runs each registered section alone on a million rows,
// of a CloudFront log when it has the columns the section needs (it has the
// most), else of a combined log, else of a load balancer's.
func BenchmarkSections(b *testing.B) {
	for _, info := range All() {
		b.Run(info.Name, func(b *testing.B) {
			var f *frame.Frame
			job := Defaults([]Info{info})[0]
			for _, format := range []string{"cloudfront", "combined", "alb"} {
				g := benchLogFrames()[format]
				if len(g.Columns().Missing(info.Needs)) > 0 {
					continue
				}
				// A section may also skip a frame whose columns are
				// there but empty (load_balancer on CloudFront's).
				if s := runFrame(context.Background(), &Input{Frame: g, Loc: time.UTC}, InventoryOf(g), job); s.Skipped == "" {
					f = g
					break
				}
			}
			if f == nil {
				b.Skip("no benchmark frame has the columns this section needs")
			}
			in := &Input{Frame: f, Loc: time.UTC}
			inv := InventoryOf(f)
			b.ReportAllocs()
			for b.Loop() {
				if s := runFrame(context.Background(), in, inv, job); s.Error != "" || s.Skipped != "" {
					b.Fatalf("%s: %s%s", info.Name, s.Error, s.Skipped)
				}
			}
			b.ReportMetric(float64(f.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkUserAgents runs user_agents alone on a million rows of a
// combined log (every column it reads: agents, IPs, stems, bytes).
func BenchmarkUserAgents(b *testing.B) {
	f := benchLogFrames()["combined"]
	in := &Input{Frame: f, Loc: time.UTC}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (userAgents{}).Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkUserAgentsStateUnique adds the unique-everything frame (a
// million distinct agents, IPs and clients) to a user_agents state in
// chunks of 262,144 rows, as a chunked run does, and finishes it; state-MB
// is the heap the state holds once the chunks are gone.
func BenchmarkUserAgentsStateUnique(b *testing.B) {
	uniqueOnce.Do(func() { uniqueBench = uniqueFrame(benchRows) })
	f := uniqueBench
	in := &Input{Loc: time.UTC, MaxRows: DefaultMaxRows}
	const chunk = 262144
	var chunks []*frame.Frame
	for lo := 0; lo < f.Len(); lo += chunk {
		keep := make([]bool, f.Len())
		for i := lo; i < min(lo+chunk, f.Len()); i++ {
			keep[i] = true
		}
		chunks = append(chunks, f.Subset(keep))
	}
	var held float64
	b.ReportAllocs()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		st := userAgents{}.NewState(in)
		for _, c := range chunks {
			if err := st.Add(context.Background(), c); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held = float64(after.HeapAlloc) - float64(before.HeapAlloc)
		if _, err := st.Finish(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(held/1e6, "state-MB")
}

// BenchmarkSectionsOnLog runs each section over the frame of the log file
// named by $LOGBOOK_BENCH_LOG (skipped when unset), as a run over one
// frame does: the sections' cost on a real or generated log rather than
// on benchLogFrame's. The frame's memos (agent classes, client pairs) are
// dropped before each run, so that every run pays them as the first
// section of a report would.
func BenchmarkSectionsOnLog(b *testing.B) {
	path := os.Getenv("LOGBOOK_BENCH_LOG")
	if path == "" {
		b.Skip("LOGBOOK_BENCH_LOG names no log")
	}
	res := ingest.Read(context.Background(), []ingest.Source{ingest.FileSource(path, false)}, ingest.Options{})
	f := res.Frame
	all := make([]bool, f.Len())
	for i := range all {
		all[i] = true
	}
	for _, info := range All() {
		job := Defaults([]Info{info})[0]
		if len(f.Columns().Missing(info.Needs)) > 0 {
			continue
		}
		b.Run(info.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				g := f.Subset(all)
				b.StartTimer()
				in := &Input{Frame: g, Loc: time.UTC, MaxRows: DefaultMaxRows}
				if s := runFrame(context.Background(), in, InventoryOf(g), job); s.Error != "" {
					b.Fatal(s.Error)
				}
			}
		})
	}
}
