package ingest

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// The layouts CloudFront has written: 12 fields (the original web
// distribution log), 26 (up to fle-status and fle-encrypted-fields) and the
// current 33 (c-port ... sc-range-end appended in December 2019).
var (
	cfFields12 = "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query"
	cfFields26 = cfFields12 + " cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields"
	cfFields33 = cfFields26 + " c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
)

func tsv(fields ...string) string { return strings.Join(fields, "\t") }

// cf33 is one record in the 33-field layout, with fields replaced by
// position (0-based) where the test says so.
func cf33(repl map[int]string) string {
	f := []string{"2024-01-16", "23:56:42", "CMH68-P2", "214182", "1.2.3.4", "GET", "d19xqa3lc3clo8.cloudfront.net",
		"/crates/bindgen/bindgen-0.65.1.crate", "200", "-", "cargo%201.74.0%20(ecb9851af%202023-10-18)", "-", "-", "Hit",
		"eGC6xGseFkxo1BMAlPTAqh0w9-Bxi9fsSLT2MZWcPcqdjNjngxfOvQ==", "static.crates.io", "https", "97", "0.017", "-",
		"TLSv1.3", "TLS_AES_128_GCM_SHA256", "Hit", "HTTP/2.0", "-", "-", "54298", "0.016", "Hit", "application/gzip",
		"213479", "-", "-"}
	for i, v := range repl {
		f[i] = v
	}
	return tsv(f...)
}

// TestCloudFrontColumns checks that a source declares the columns its
// #Fields: line names, and no others.
func TestCloudFrontColumns(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		has, lacks   []any
	}{
		{"33", cfFields33, []any{frame.ContentType, frame.TTFB, frame.TimeTaken, frame.TLSVersion, frame.Host}, []any{frame.User}},
		{"26", cfFields26, []any{frame.TimeTaken, frame.TLSVersion, frame.Protocol, frame.Host}, []any{frame.ContentType, frame.TTFB, frame.User}},
		{"12", cfFields12, []any{frame.Host, frame.UserAgent, frame.Referer, frame.Bytes}, []any{frame.TimeTaken, frame.Protocol, frame.EdgeResult, frame.TLSVersion}},
		{"subset", "#Fields: date time c-ip", []any{frame.IP}, []any{frame.Stem, frame.Bytes, frame.Status}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, sc := scan(t, "cloudfront", tc.header+"\n")
			cols := sc.Columns()
			if m := cols.Missing(frame.Cols(tc.has...)); len(m) > 0 {
				t.Errorf("missing %v", m)
			}
			for _, c := range tc.lacks {
				if len(cols.Missing(frame.Cols(c))) == 0 {
					t.Errorf("has %v", c)
				}
			}
		})
	}
}

// TestCloudFrontLayoutChanges reads a file whose #Fields: line changes half
// way (two files concatenated), through Read with chunks so small that each
// holds a few lines: the layout in force must follow each chunk.
func TestCloudFrontLayoutChanges(t *testing.T) {
	var b strings.Builder
	b.WriteString("#Version: 1.0\n" + cfFields12 + "\n")
	for range 40 {
		b.WriteString(tsv("2014-05-23", "01:13:11", "FRA2", "182", "192.0.2.10", "GET", "d1.cloudfront.net", "/old", "200", "-", "ua", "-") + "\n")
	}
	b.WriteString("#Version: 1.0\n" + cfFields33 + "\n")
	for range 40 {
		b.WriteString(cf33(nil) + "\n")
	}
	b.WriteString(cf33(map[int]string{3: "x"}) + "\n") // line 85
	text := b.String()
	for _, chunk := range []int{0, 64, 300, 1000} {
		res := readAll(t, []Source{ReaderSource("cf", strings.NewReader(text))}, Options{ChunkSize: chunk})
		st := res.Sources[0]
		if st.Records != 80 || st.Malformed != 1 || st.Lines != 85 || st.Format != "cloudfront" {
			t.Fatalf("chunk %d: stats %+v", chunk, st)
		}
		if st.Examples[0].Line != 85 || !strings.Contains(st.Examples[0].Reason, "not a number") {
			t.Errorf("chunk %d: example %v, want line 85", chunk, st.Examples[0])
		}
		stems, hosts, tls := column(res.Frame, frame.Stem), column(res.Frame, frame.Host), column(res.Frame, frame.TLSVersion)
		for i := range 80 {
			wantStem, wantHost, wantTLS := "/old", "d1.cloudfront.net", ""
			if i >= 40 {
				wantStem, wantHost, wantTLS = "/crates/bindgen/bindgen-0.65.1.crate", "static.crates.io", "TLSv1.3"
			}
			if stems[i] != wantStem || hosts[i] != wantHost || tls[i] != wantTLS {
				t.Fatalf("chunk %d: row %d = %q %q %q", chunk, i, stems[i], hosts[i], tls[i])
			}
		}
		if tt := res.Frame.Num(frame.TimeTaken); !math.IsNaN(tt[0]) || tt[79] != 0.017 {
			t.Errorf("chunk %d: time taken %v .. %v, want NaN for the 12-field rows", chunk, tt[0], tt[79])
		}
	}
}

// TestCloudFrontRealSamples reads the committed real CloudFront logs.
func TestCloudFrontRealSamples(t *testing.T) {
	dir := filepath.Join(samplesDir, "cloudfront-real")
	t.Run("basic.log", func(t *testing.T) {
		res := readAll(t, []Source{FileSource(filepath.Join(dir, "basic.log"), false)}, Options{})
		st := res.Sources[0]
		if st.Err != nil || st.Format != "cloudfront" || st.Lines != 22 || st.Records != 20 || st.Malformed != 0 {
			t.Fatalf("stats %+v", st)
		}
		f := res.Frame
		if got := f.Str(frame.UserAgent).Value(0); got != "cargo 1.74.0 (ecb9851af 2023-10-18)" {
			t.Errorf("user agent = %q", got)
		}
		agents := column(f, frame.UserAgent)
		found := false
		for _, a := range agents {
			found = found || a == "Bazel/release 7.6.2"
		}
		if !found {
			t.Errorf("no Bazel/release 7.6.2 agent (encoded slash) in %q", agents)
		}
		if f.Time[0] != utc(t, "2024-01-16T23:56:42Z") || f.Time[19] != utc(t, "2024-01-17T00:41:12Z") {
			t.Errorf("times %d .. %d", f.Time[0], f.Time[19])
		}
		if b := f.Num(frame.Bytes)[0]; b != 214182 {
			t.Errorf("bytes = %v", b)
		}
	})
	t.Run("percent-encoding.log", func(t *testing.T) {
		res := readAll(t, []Source{FileSource(filepath.Join(dir, "percent-encoding.log"), false)}, Options{})
		st := res.Sources[0]
		if st.Err != nil || st.Records != 3 || st.Malformed != 0 {
			t.Fatalf("stats %+v", st)
		}
		s := res.Frame.Str(frame.Stem)
		if s.Distinct() != 1 || s.Value(0) != "/crates/zstd-sys/zstd-sys-2.0.8+zstd.1.5.5.crate" {
			t.Errorf("stems %q: %%252B, %%2B and + must all read as +", column(res.Frame, frame.Stem))
		}
	})
	t.Run("jsherz gz", func(t *testing.T) {
		res := readAll(t, []Source{FileSource(filepath.Join(dir, "E2EXAMPLE.2020-02-10-00.jsherz.gz"), false)}, Options{})
		st := res.Sources[0]
		if st.Err != nil || st.Compression != "gzip" || st.Format != "cloudfront" || st.Records != 2 {
			t.Fatalf("stats %+v", st)
		}
		if got := res.Frame.Str(frame.UserAgent).Value(0); got != googlebot {
			t.Errorf("user agent = %q", got)
		}
		if got := column(res.Frame, frame.Host); got[1] != "jsherz.com" {
			t.Errorf("hosts = %q", got)
		}
	})
}

// TestCloudFrontSampleFolder reads the 48 hourly files of samples/cloudfront
// as a directory.
func TestCloudFrontSampleFolder(t *testing.T) {
	srcs, errs := Expand([]string{filepath.Join(samplesDir, "cloudfront")}, nil)
	if len(errs) != 0 || len(srcs) != 48 {
		t.Fatalf("Expand: %d sources, errors %v", len(srcs), errs)
	}
	res := readAll(t, srcs, Options{})
	if res.Records() != 10000 || res.Malformed() != 0 || len(res.Failed()) != 0 {
		t.Fatalf("records %d malformed %d failed %d", res.Records(), res.Malformed(), len(res.Failed()))
	}
	for _, st := range res.Sources {
		if st.Compression != "gzip" || st.Format != "cloudfront" || st.Lines != st.Records+2 {
			t.Errorf("%+v", st)
		}
	}
	f := res.Frame
	if !sortedTimes(f.Time) {
		t.Error("the hourly files were not read in order")
	}
	n000 := 0
	for _, s := range column(f, frame.Status) {
		if s == "000" {
			n000++
		}
	}
	if n000 != 94 {
		t.Errorf("%d records with status 000, want 94", n000)
	}
	if f.Time[0] < utc(t, "2024-03-04T00:00:00Z") || f.Time[f.Len()-1] > utc(t, "2024-03-05T23:59:59Z") {
		t.Errorf("time range %d .. %d", f.Time[0], f.Time[f.Len()-1])
	}
}

func sortedTimes(ts []int64) bool {
	for i := 1; i < len(ts); i++ {
		if ts[i] < ts[i-1] {
			return false
		}
	}
	return true
}

// FuzzCloudFrontDecode holds cfParser.decode to its reference: one lenient
// PathUnescape pass (see lenientUnescape), and a second one when the first
// decoded a %25, since CloudFront encodes a '%' the client had already
// encoded as %25. A '%' that was literal in the log (not a valid escape)
// does not start a second pass: "%%341" reads "%41", not "A". A cached value
// reads as a fresh one.
func FuzzCloudFrontDecode(f *testing.F) {
	for _, s := range []string{"/docs/my%2520file.pdf", "Mozilla/5.0%2520(X11)", "2.0.8%252Bzstd", "%2Fb/100%", "%%341",
		"%25%32%35", "%252525", "plain", "%zz%2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := lenientUnescape(t, s)
		if strings.Contains(strings.ToLower(s), "%25") {
			want = lenientUnescape(t, want)
		}
		p := newCloudFrontParser(nil).(*cfParser)
		for i := range 2 { // the second call reads the cache
			if got := p.decode(frame.UserAgent, []byte(s)); string(got) != want {
				t.Fatalf("call %d: decode(%q) = %q, want %q", i+1, s, got, want)
			}
		}
	})
}
