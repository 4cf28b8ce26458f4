package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// nginx's predefined "combined" log_format (ngx_http_log_module docs),
// Apache's "combined" LogFormat (httpd.conf) and GoAccess's COMBINED: each
// must read the combined line as the built-in combined parser does.
const (
	nginxCombined    = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
	apacheCombined   = `apache:%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"`
	goaccessCombined = `goaccess:date=%d/%b/%Y;time=%H:%M:%S;format=%h %^[%d:%t %^] "%r" %s %b "%R" "%u"`
)

func TestFormatStringErrors(t *testing.T) {
	for _, tc := range []struct{ spec, err string }{
		{"apache", `unknown log format "apache" (known: combined`},
		{"caddy:{}", `unknown log format dialect "caddy"`},
		{`nginx:$remote_addr "$request [$time_local]`, "unterminated quote at byte 14"},
		{`nginx:${remote_addr [$time_local]`, "${ at byte 1 has no closing }"},
		{`nginx:$ [$time_local]`, `"$ " at byte 1 is not a variable name`},
		{`nginx:$remote_addr$remote_user [$time_local]`, "$remote_addr at byte 1 is followed by $remote_user at byte 13 with nothing between them"},
		{`nginx:'$remote_addr [$time_local]`, "unterminated quote at byte 1"},
		{`nginx:$remote_addr $status`, "no time field"},
		{`apache:%h %{Referer i %t`, "%{ at byte 4 has no closing }"},
		{`apache:"%h %t`, "unterminated quote at byte 1"},
		{`apache:%h %{%Y-%Q}t`, "%Q at byte 9 is not supported"},
		{`apache:%h %t %{ms}T%D`, "%{ms}T at byte 7 is followed by %D at byte 13"},
		{`apache:%h %t %{min}T`, "the unit must be s, ms or us"},
		{`apache:%h %t %`, `"%" at byte 7 has no directive letter`},
		{`goaccess:%h [%d:%t]`, "%d at byte 5: no date layout"},
		{`goaccess:date=%d/%b/%Y;format=%h [%d]`, "a date (%d) but no time (%t)"},
		{`goaccess:date=%d/%b/%Y;zone=x;format=%h [%d]`, `unknown key "zone" at byte 15`},
		{`goaccess:date=%d/%b/%Y`, "no format="},
	} {
		_, err := ParseFormat(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseFormat(%q) = %v, want an error containing %q", tc.spec, err, tc.err)
		}
		if LookupFormat(tc.spec) != nil {
			t.Errorf("LookupFormat(%q) is not nil", tc.spec)
		}
	}
}

func TestFormatStringNames(t *testing.T) {
	for _, f := range Formats() {
		g, err := ParseFormat(f.Name)
		if err != nil || g != f || LookupFormat(f.Name) != f {
			t.Errorf("ParseFormat(%q) = %v, %v; want the built-in format", f.Name, g, err)
		}
	}
	f, err := ParseFormat(nginxCombined)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != nginxCombined || !strings.Contains(f.Doc, "nginx format string") {
		t.Errorf("name %q doc %q", f.Name, f.Doc)
	}
	if slices.Contains(FormatNames(), f.Name) {
		t.Errorf("a format string was registered")
	}
}

func TestFormatStringSkipped(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want []string
	}{
		{nginxCombined, nil},
		{apacheCombined, nil},
		{goaccessCombined, nil},
		{`nginx:$remote_addr:$remote_port [$time_local] $connection "${http_x_request_id}" $uri$is_args$args $args`, []string{"$remote_port", "$connection", "${http_x_request_id}", "$args"}},
		{`apache:%h %t %{X-Request-Id}i %P %q`, []string{"%{X-Request-Id}i", "%P", "%q"}},
		{`goaccess:date=%s;format=%d %h %C %q`, []string{"%C", "%q"}},
	} {
		f, err := ParseFormat(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if got := SkippedFields(f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: skipped %q, want %q", tc.spec, got, tc.want)
		}
		if len(tc.want) > 0 && !strings.Contains(f.Doc, "not read: "+strings.Join(tc.want, ", ")) {
			t.Errorf("%s: doc %q does not name the skipped fields", tc.spec, f.Doc)
		}
	}
	if SkippedFields(LookupFormat("combined")) != nil {
		t.Errorf("a built-in format has skipped fields")
	}
}

// TestFormatStringColumns checks the columns a format string declares.
func TestFormatStringColumns(t *testing.T) {
	want := LookupFormat("combined").newParser(nil).columns()
	// The built-in parser declares forwarded_for for the X-Forwarded-For
	// lists it finds on its own; a format string only when it names one.
	want.Str[frame.ForwardedFor] = false
	noUser := want
	noUser.Str[frame.User] = false // GoAccess's COMBINED skips it (%^)
	for spec, want := range map[string]frame.Set{nginxCombined: want, apacheCombined: want, goaccessCombined: noUser} {
		if got := LookupFormat(spec).newParser(nil).columns(); got != want {
			t.Errorf("%s: columns %v, want those of combined %v", spec, got.Missing(want), want)
		}
	}
	cols := LookupFormat(`nginx:$http_x_forwarded_for [$time_local] $request_time`).newParser(nil).columns()
	if cols != frame.Cols(frame.IP, frame.ForwardedFor, frame.TimeTaken) {
		t.Errorf("XFF columns %+v", cols)
	}
}

// TestFormatStringNoAlloc: a well-formed line costs no allocation.
func TestFormatStringNoAlloc(t *testing.T) {
	lines, _ := benchLines(64, combinedLine)
	lines = append(lines, []byte(`1.2.3.4 - - [04/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 5 "a \"b\"" "c \\ d"`))
	for _, spec := range []string{nginxCombined, apacheCombined, goaccessCombined} {
		p := LookupFormat(spec).newParser(nil)
		var r frame.Row
		n := 0
		allocs := testing.AllocsPerRun(200, func() {
			if k, err := p.parse(lines[n%len(lines)], &r); err != nil || k != kindRecord {
				t.Fatalf("%s: %v %v", spec, k, err)
			}
			n++
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per line", spec, allocs)
		}
	}
}

// sameRow reports whether two rows hold the same record.
func sameRow(a, b *frame.Row) bool {
	if a.Time != b.Time || a.Offset != b.Offset {
		return false
	}
	for i := range a.Str {
		if !bytes.Equal(a.Str[i], b.Str[i]) {
			return false
		}
	}
	for i := range a.Num {
		if !sameNum(a.Num[i], b.Num[i]) {
			return false
		}
	}
	return true
}

// compareCombined parses each line with the built-in combined parser and
// with the format string spec; where both read a record (the built-in one
// without repairing the line) the records must be the same. It returns how
// many lines only one of them read.
func compareCombined(t testing.TB, spec string, data []byte) (onlyBuiltin, onlyOurs int) {
	builtin := &clfParser{cols: LookupFormat("combined").newParser(nil).columns()}
	ours := LookupFormat(spec).newParser(nil)
	var a, b frame.Row
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		ka, ea := builtin.parse(line, &a)
		kb, eb := ours.parse(line, &b)
		okA := ea == nil && ka == kindRecord
		okB := eb == nil && kb == kindRecord
		switch {
		case okA && okB:
			if !sameRow(&a, &b) {
				t.Fatalf("%q: built-in %+v, %s %+v", line, a, spec, b)
			}
		case okA:
			onlyBuiltin++
		case okB:
			onlyOurs++
		}
	}
	return
}

// TestFormatStringSample reads samples/apache/access.log (real combined
// traffic) through the three combined format strings: the same records as
// the built-in parser, but for line 8899, whose agent has no closing quote:
// the built-in parser repairs it, a format string refuses it.
func TestFormatStringSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samplesDir, "apache", "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{nginxCombined, apacheCombined} {
		a, b := compareCombined(t, spec, data)
		if a != 0 || b != 0 {
			t.Errorf("%s: %d lines only the built-in parser read, %d only the format string", spec, a, b)
		}
	}
	// GoAccess's COMBINED drops the user (%^) and the zone: the sample's
	// users are all "-" and its zones +0000, so the records are the same.
	if a, b := compareCombined(t, goaccessCombined, data); a != 0 || b != 0 {
		t.Errorf("goaccess: %d lines only the built-in parser read, %d only the format string", a, b)
	}
	res := readAll(t, []Source{FileSource(filepath.Join(samplesDir, "apache", "access.log"), false)}, Options{Format: LookupFormat(nginxCombined)})
	st := res.Sources[0]
	if st.Format != nginxCombined || st.Records != 9999 || st.Malformed != 1 || st.Examples[0].Line != 8899 {
		t.Errorf("Read: format %q, %d records, %d malformed %v", st.Format, st.Records, st.Malformed, st.Examples)
	}
}

// TestFormatStringDetect: format strings are never detected, so every
// committed sample is detected as before, and none is taken for a format
// string.
func TestFormatStringDetect(t *testing.T) {
	want := map[string]string{"apache": "combined", "synthetic": "combined", "hostile": "combined",
		"cloudfront": "cloudfront", "cloudfront-real": "cloudfront"}
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*", "*"))
	n := 0
	for _, file := range files {
		dir := filepath.Base(filepath.Dir(file))
		w, ok := want[dir]
		if !ok || strings.HasSuffix(file, ".md") {
			continue
		}
		fh, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = bufio.NewReader(fh)
		if strings.HasSuffix(file, ".gz") {
			if r, err = gzip.NewReader(r); err != nil {
				t.Fatal(err)
			}
		}
		head := make([]byte, 64<<10)
		k, _ := io.ReadFull(r, head)
		fh.Close()
		f, err := Detect(head[:k])
		if err != nil || f.Name != w {
			t.Errorf("%s: detected %v (%v), want %s", file, f, err, w)
		}
		n++
	}
	if n < 5 {
		t.Errorf("only %d sample files", n)
	}
	for _, f := range Formats() {
		if strings.Contains(f.Name, ":") {
			t.Errorf("format %q registered", f.Name)
		}
	}
}

func BenchmarkParseFormatStringNginx(b *testing.B) {
	lines, size := benchLines(4096, combinedLine)
	benchParse(b, LookupFormat(nginxCombined), nil, lines, size)
}

func BenchmarkParseFormatStringApache(b *testing.B) {
	lines, size := benchLines(4096, combinedLine)
	benchParse(b, LookupFormat(apacheCombined), nil, lines, size)
}

func BenchmarkParseFormatStringGoAccess(b *testing.B) {
	lines, size := benchLines(4096, combinedLine)
	benchParse(b, LookupFormat(goaccessCombined), nil, lines, size)
}

// FuzzFormatString holds the nginx combined format string to the built-in
// combined parser (the same record wherever both read one) and the Scanner
// to Read on the same input. Known differences, where only one reads a
// line: the built-in parser repairs an agent with no closing quote, skips
// runs of spaces, takes any ident, ignores text after the agent and reads a
// line that stops after the size or the referer; the format string matches
// its literals exactly and refuses all of these. The format string reads a
// client or user holding '[' that the built-in parser, which cuts at the
// first '[', refuses.
func FuzzFormatString(f *testing.F) {
	for _, cs := range allCases(f)["combined"] {
		f.Add(uint8(0), []byte(cs.text()))
	}
	for name, cs := range allCases(f) {
		if strings.HasPrefix(name, "nginx:") {
			for _, c := range cs {
				f.Add(uint8(1), []byte(c.text()))
			}
		}
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		compareCombined(t, nginxCombined, data)
		fuzzLines(t, nginxCombined, chunk, data)
	})
}

// FuzzParseFormat: no spec makes the compiler panic, and a spec that
// compiles parses any line without panicking.
func FuzzParseFormat(f *testing.F) {
	for name, cs := range allCases(f) {
		if strings.Contains(name, ":") {
			f.Add(name, []byte(cs[0].text()))
		}
	}
	f.Add(`apache:%h %{%e %B %y %I:%M %p %Z %a}t %^FB %{c}a %400,501{User-agent}i`, []byte("x\n"))
	f.Add(`goaccess:date=%s;time=%f;format=%d.%t %h %~%^ %n`, []byte("1709553600.5 1.2.3.4   x y 10\n"))
	f.Fuzz(func(t *testing.T, spec string, data []byte) {
		fm, err := ParseFormat(spec)
		if err != nil {
			return
		}
		p := fm.newParser(nil)
		var r frame.Row
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			p.parse(line, &r)
		}
	})
}
