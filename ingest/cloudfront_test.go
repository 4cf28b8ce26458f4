package ingest

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

var cf33Want = strs{
	frame.IP: "1.2.3.4", frame.Method: "GET", frame.Stem: "/crates/bindgen/bindgen-0.65.1.crate", frame.Protocol: "HTTP/2.0",
	frame.Status: "200", frame.UserAgent: "cargo 1.74.0 (ecb9851af 2023-10-18)", frame.Host: "static.crates.io",
	frame.EdgeLocation: "CMH68-P2", frame.EdgeResult: "Hit", frame.Scheme: "https", frame.TLSVersion: "TLSv1.3",
	frame.ContentType: "application/gzip",
}

func with(base strs, kv ...any) strs {
	out := strs{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(frame.StrCol)] = kv[i+1].(string)
	}
	return out
}

var nan = math.NaN()

// TestCloudFrontLines covers the layouts and quirks of CloudFront standard
// logs, one header and one record per case.
func TestCloudFrontLines(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string // "" for none: the 33-field layout is assumed
		line   string
		want   strs
		num    [frame.NumNumCols]float64 // bytes, time taken, TTFB
		time   string
		err    string
	}{
		{
			name: "33 fields", header: cfFields33, line: cf33(nil), want: cf33Want,
			num: [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "33 fields without a header", line: cf33(nil), want: cf33Want,
			num: [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "26 fields", header: cfFields26,
			line: tsv("2019-06-30", "01:42:39", "DFW3", "2390282", "192.0.2.202", "GET", "d111111abcdef8.cloudfront.net",
				"/video.mp4", "304", "https://www.example.com/", "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)", "start=0",
				"-", "RefreshHit", "4KDiWT7Z2q8SXiMpL5d6hOQ==", "www.example.com", "https", "80", "0.031", "-",
				"TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "RefreshHit", "HTTP/1.1", "-", "-"),
			want: strs{frame.IP: "192.0.2.202", frame.Method: "GET", frame.Stem: "/video.mp4", frame.Protocol: "HTTP/1.1",
				frame.Status: "304", frame.Referer: "https://www.example.com/", frame.UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
				frame.Host: "www.example.com", frame.EdgeLocation: "DFW3", frame.EdgeResult: "RefreshHit", frame.Scheme: "https",
				frame.TLSVersion: "TLSv1.2"},
			num: [frame.NumNumCols]float64{2390282, 0.031, nan}, time: "2019-06-30T01:42:39Z",
		},
		{
			name: "12 fields", header: cfFields12,
			line: tsv("2014-05-23", "01:13:11", "FRA2", "182", "192.0.2.10", "GET", "d111111abcdef8.cloudfront.net",
				"/view/my/file.html", "200", "www.displaymyfiles.com", "Mozilla/4.0%20(compatible;%20MSIE%205.0b1;%20Mac_PowerPC)", "-"),
			want: strs{frame.IP: "192.0.2.10", frame.Method: "GET", frame.Stem: "/view/my/file.html", frame.Status: "200",
				frame.Referer: "www.displaymyfiles.com", frame.UserAgent: "Mozilla/4.0 (compatible; MSIE 5.0b1; Mac_PowerPC)",
				frame.Host: "d111111abcdef8.cloudfront.net", frame.EdgeLocation: "FRA2"},
			num: [frame.NumNumCols]float64{182, nan, nan}, time: "2014-05-23T01:13:11Z",
		},
		{
			name:   "a subset in another order",
			header: "#Fields: sc-status c-ip cs-uri-stem time date cs(User-Agent) time-taken",
			line:   tsv("404", "2001:db8::7", "/missing", "12:00:00", "2024-03-04", "curl/8.4.0", "0.250"),
			want:   strs{frame.IP: "2001:db8::7", frame.Stem: "/missing", frame.Status: "404", frame.UserAgent: "curl/8.4.0"},
			num:    [frame.NumNumCols]float64{0, 0.25, nan}, time: "2024-03-04T12:00:00Z",
		},
		{
			name:   "unknown fields are ignored",
			header: "#Fields: date time c-ip x-new-field cs-uri-stem sc-status",
			line:   tsv("2024-03-04", "12:00:00", "192.0.2.1", "whatever", "/", "200"),
			want:   strs{frame.IP: "192.0.2.1", frame.Stem: "/", frame.Status: "200"},
			num:    [frame.NumNumCols]float64{0, nan, nan}, time: "2024-03-04T12:00:00Z",
		},
		{
			name: "double-encoded space", header: cfFields33,
			line: cf33(map[int]string{7: "/docs/my%2520file.pdf", 10: "Mozilla/5.0%2520(X11)"}),
			want: with(cf33Want, frame.Stem, "/docs/my file.pdf", frame.UserAgent, "Mozilla/5.0 (X11)"),
			num:  [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "double-encoded plus", header: cfFields33,
			line: cf33(map[int]string{7: "/crates/zstd-sys/zstd-sys-2.0.8%252Bzstd.1.5.5.crate"}),
			want: with(cf33Want, frame.Stem, "/crates/zstd-sys/zstd-sys-2.0.8+zstd.1.5.5.crate"),
			num:  [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "encoded plus", header: cfFields33,
			line: cf33(map[int]string{7: "/crates/zstd-sys/zstd-sys-2.0.8%2Bzstd.1.5.5.crate"}),
			want: with(cf33Want, frame.Stem, "/crates/zstd-sys/zstd-sys-2.0.8+zstd.1.5.5.crate"),
			num:  [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "plus stays plus", header: cfFields33,
			line: cf33(map[int]string{7: "/crates/zstd-sys/zstd-sys-2.0.8+zstd.1.5.5.crate", 10: "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)"}),
			want: with(cf33Want, frame.Stem, "/crates/zstd-sys/zstd-sys-2.0.8+zstd.1.5.5.crate", frame.UserAgent, googlebot),
			num:  [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "encoded slash and a broken escape", header: cfFields33,
			line: cf33(map[int]string{7: "/a%2Fb/100%", 10: "Bazel%2Frelease%207.6.2%zz"}),
			want: with(cf33Want, frame.Stem, "/a/b/100%", frame.UserAgent, "Bazel/release 7.6.2%zz"),
			num:  [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "status 000 kept", header: cfFields33,
			line: cf33(map[int]string{8: "000", 13: "Error", 22: "Error", 28: "ClientCommError", 29: "-", 30: "-"}),
			want: with(cf33Want, frame.Status, "000", frame.EdgeResult, "Error", frame.ContentType, ""),
			num:  [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "dash is missing", header: cfFields33,
			line: cf33(map[int]string{3: "-", 5: "-", 7: "-", 10: "-", 18: "-", 20: "-", 23: "-", 27: "-"}),
			want: with(cf33Want, frame.Method, "", frame.Stem, "", frame.UserAgent, "", frame.TLSVersion, "", frame.Protocol, ""),
			num:  [frame.NumNumCols]float64{0, nan, nan}, time: "2024-01-16T23:56:42Z",
		},
		{
			name: "genlog's odd line", header: cfFields33,
			line: tsv("2024-03-04", "10:00:00", "IAD89-C1", "0", "192.0.2.3", "-", "d111111abcdef8.cloudfront.net", "-", "000", "-", "-", "-", "-",
				"Error", strings.Repeat("x", 54)+"==", "www.example.com", "https", "0", "0.000", "-", "-", "-", "Error", "-", "-", "-", "0",
				"0.000", "Error", "-", "-", "-", "-"),
			want: strs{frame.IP: "192.0.2.3", frame.Status: "000", frame.Host: "www.example.com", frame.EdgeLocation: "IAD89-C1",
				frame.EdgeResult: "Error", frame.Scheme: "https"},
			num: [frame.NumNumCols]float64{0, 0, 0}, time: "2024-03-04T10:00:00Z",
		},
		{
			name: "x-host-header wins over cs(Host)", header: "#Fields: date time x-host-header cs(Host)",
			line: tsv("2024-03-04", "10:00:00", "www.example.com", "d1.cloudfront.net"),
			want: strs{frame.Host: "www.example.com"},
			num:  [frame.NumNumCols]float64{0, nan, nan}, time: "2024-03-04T10:00:00Z",
		},
		{
			name: "CRLF", header: cfFields33, line: cf33(nil) + "\r", want: cf33Want,
			num: [frame.NumNumCols]float64{214182, 0.017, 0.016}, time: "2024-01-16T23:56:42Z",
		},

		// Malformed records.
		{name: "one field too few", header: cfFields33, line: cf33(nil)[:strings.LastIndexByte(cf33(nil), '\t')], err: "32 tab-separated fields, the #Fields: header names 33"},
		{name: "one field too many", header: cfFields33, line: cf33(nil) + "\textra", err: "34 tab-separated fields"},
		{name: "33 fields against a 26-field header", header: cfFields26, line: cf33(nil), err: "33 tab-separated fields, the #Fields: header names 26"},
		{name: "spaces instead of tabs", header: cfFields33, line: strings.ReplaceAll(cf33(nil), "\t", " "), err: "1 tab-separated fields"},
		{name: "bytes not a number", header: cfFields33, line: cf33(map[int]string{3: "12kB"}), err: "bytes"},
		{name: "negative time taken", header: cfFields33, line: cf33(map[int]string{18: "-0.5"}), err: "time_taken"},
		{name: "bad date", header: cfFields33, line: cf33(map[int]string{0: "2024-02-30"}), err: "date"},
		{name: "US date", header: cfFields33, line: cf33(map[int]string{0: "01/16/2024"}), err: "date"},
		{name: "bad time", header: cfFields33, line: cf33(map[int]string{1: "23:61:00"}), err: "time"},
		{name: "header without date and time", header: "#Fields: c-ip cs-uri-stem sc-status", line: tsv("192.0.2.1", "/", "200"), err: "no date and time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "#Version: 1.0\n"
			if tc.header != "" {
				text += tc.header + "\n"
			}
			text += tc.line + "\n"
			recs, errs, _ := scan(t, "cloudfront", text)
			lineNo := strings.Count(text, "\n")
			if tc.err != "" {
				if len(recs) != 0 || len(errs) != 1 {
					t.Fatalf("got %d records and errors %v, want one error", len(recs), errs)
				}
				if errs[0].Line != lineNo || !strings.Contains(errs[0].Reason, tc.err) {
					t.Errorf("error = %+v, want line %d, reason containing %q", errs[0], lineNo, tc.err)
				}
				return
			}
			if len(errs) != 0 || len(recs) != 1 {
				t.Fatalf("got %d records, errors %v; want one record", len(recs), errs)
			}
			r := recs[0]
			if r.Line != lineNo {
				t.Errorf("line = %d, want %d", r.Line, lineNo)
			}
			checkStr(t, r, tc.want)
			for c := frame.NumCol(0); c < frame.NumNumCols; c++ {
				if !sameNum(r.Num[c], tc.num[c]) {
					t.Errorf("%s = %v, want %v", c, r.Num[c], tc.num[c])
				}
			}
			if want := utc(t, tc.time); r.Time != want || r.Offset != 0 {
				t.Errorf("time = %s %d, want %s UTC", time.Unix(r.Time, 0).UTC(), r.Offset, tc.time)
			}
		})
	}
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
