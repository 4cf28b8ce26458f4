package ingest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// TestComposePrefix: the prefix `docker compose logs` writes is found in
// its forms (Compose v2 and v1 names, colours, --timestamps), and no
// prefix in the lines of the formats read as written.
func TestComposePrefix(t *testing.T) {
	prefixed := []struct{ line, rest string }{
		{`nginx-1  | 172.18.0.1 - - [15/May/2026:18:03:49 +0000] "HEAD / HTTP/1.1" 200 0 "-" "PowerShell/7.5.5" "-"`, `172.18.0.1 - - [15/May/2026:18:03:49 +0000] "HEAD / HTTP/1.1" 200 0 "-" "PowerShell/7.5.5" "-"`},
		{`express-app-nginx-1  | 172.19.0.1 - - [22/Oct/2021:15:34:09 +0000] "GET / HTTP/1.1" 200 13`, `172.19.0.1 - - [22/Oct/2021:15:34:09 +0000] "GET / HTTP/1.1" 200 13`},
		{`web_1  | 10.0.0.1 - - [22/Oct/2021:15:34:09 +0000] "GET / HTTP/1.1" 200 13`, `10.0.0.1 - - [22/Oct/2021:15:34:09 +0000] "GET / HTTP/1.1" 200 13`},
		{"\x1b[36mcaddy-1  |\x1b[0m {\"status\":200}", `{"status":200}`},
		{"\x1b[1;33mweb-1 \x1b[0m | x", "x"},
		{`web-1  | 2026-05-15T18:03:49.123456789Z 172.18.0.1 - - [15/May/2026:18:03:49 +0000] "GET / HTTP/1.1" 200 5`, `172.18.0.1 - - [15/May/2026:18:03:49 +0000] "GET / HTTP/1.1" 200 5`},
		{`web-1  | 2026-05-15T18:03:49+02:00 x`, `x`},
		{`web-1  | 2026-05-15 not a time`, `2026-05-15 not a time`},
		{`web-1  |`, ``},
	}
	for _, tc := range prefixed {
		if got := string(stripCompose([]byte(tc.line))); got != tc.rest {
			t.Errorf("%q: after the prefix %q, want %q", tc.line, got, tc.rest)
		}
	}
	for _, line := range []string{
		`172.18.0.1 - - [15/May/2026:18:03:49 +0000] "GET / HTTP/1.1" 200 5`,
		`www.example.com:443 192.0.2.1 - - [15/May/2026:18:03:49 +0000] "GET / HTTP/1.1" 200 5`,
		`example.com - - [15/May/2026:18:03:49 +0000] "GET /a|b HTTP/1.1" 200 5`,
		`Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"`,
		`{"status":200,"msg":"a | b"}`,
		`#Fields: date time`,
		` | x`,
		`|x`,
		`web-1 x | y`,
	} {
		if n := composePrefix([]byte(line)); n != 0 {
			t.Errorf("%q: a prefix of %d bytes found, want none", line, n)
		}
	}
}

// TestComposeRead: `docker compose logs` output of an nginx service with
// an application's lines between is read as the nginx lines would be
// without their prefixes, in the combined format behind the prefix; the
// application's lines are malformed lines, with their line numbers; a
// JSON log (Caddy) behind the prefix is read too; and the same lines
// without prefixes are still read as the plain format.
func TestComposeRead(t *testing.T) {
	plain := []string{
		`172.18.0.1 - - [15/May/2026:18:03:49 +0000] "HEAD / HTTP/1.1" 200 0 "-" "PowerShell/7.5.5" "-"`,
		`172.18.0.1 - - [15/May/2026:18:03:51 +0000] "GET /api/health HTTP/1.1" 200 16 "-" "PowerShell/7.5.5" "-"`,
		`172.18.0.9 - - [15/May/2026:18:04:02 +0000] "GET /api/usuarios?id=3 HTTP/1.1" 401 53 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)" "-"`,
	}
	var prefixed, bare bytes.Buffer
	for i, l := range plain {
		fmt.Fprintf(&prefixed, "nginx-1  | %s\n", l)
		fmt.Fprintln(&bare, l)
		if i == 1 {
			fmt.Fprintln(&prefixed, "app-1    | Error: ENOENT: no such file or directory, stat '/usr/src/app/src/adminpanel.html'")
		}
	}
	got := readAll(t, []Source{ReaderSource("compose", bytes.NewReader(prefixed.Bytes()))}, Options{})
	want := readAll(t, []Source{ReaderSource("bare", bytes.NewReader(bare.Bytes()))}, Options{})
	gs, ws := got.Sources[0], want.Sources[0]
	if ws.Format != "combined" || gs.Format != "combined (docker compose logs)" {
		t.Fatalf("formats %q and %q, want combined and combined (docker compose logs)", gs.Format, ws.Format)
	}
	if gs.Records != 3 || gs.Malformed != 1 || gs.Lines != 4 || len(gs.Examples) != 1 || gs.Examples[0].Line != 3 ||
		!strings.HasPrefix(gs.Examples[0].Text, "app-1    | Error") {
		t.Fatalf("compose source: %d lines, %d records, %d malformed, examples %v", gs.Lines, gs.Records, gs.Malformed, gs.Examples)
	}
	for _, c := range []frame.StrCol{frame.IP, frame.Method, frame.Stem, frame.Query, frame.Status, frame.Referer, frame.UserAgent} {
		if g, w := column(got.Frame, c), column(want.Frame, c); !reflect.DeepEqual(g, w) {
			t.Errorf("column %v: %q, want %q", c, g, w)
		}
	}
	if !reflect.DeepEqual(got.Frame.Time, want.Frame.Time) {
		t.Errorf("times %v, want %v", got.Frame.Time, want.Frame.Time)
	}

	caddy := "caddy-1  | " + `{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"127.0.0.1","client_ip":"127.0.0.1","proto":"HTTP/2.0","method":"GET","host":"localhost","uri":"/","headers":{"User-Agent":["curl/7.82.0"]}},"duration":0.0009,"size":10900,"status":200}` + "\n"
	res := readAll(t, []Source{ReaderSource("caddy", strings.NewReader(caddy+caddy))}, Options{})
	if s := res.Sources[0]; s.Format != "json (docker compose logs)" || s.Records != 2 || s.Malformed != 0 {
		t.Errorf("caddy behind the prefix: format %q, %d records, %d malformed", s.Format, s.Records, s.Malformed)
	}
	if c := column(res.Frame, frame.Stem); len(c) != 2 || c[0] != "/" {
		t.Errorf("caddy stems %q", c)
	}
}

// TestComposeNamedFormat: a format named by the user (--log-format
// combined) of lines behind a `docker compose logs` prefix is read behind
// the prefix, as detection would, however small the first chunk; lines
// mostly without the prefix stay read as written, a prefixed one among
// them malformed.
func TestComposeNamedFormat(t *testing.T) {
	combined := LookupFormat("combined")
	var prefixed, mostlyBare strings.Builder
	for i := range 5 {
		line := fmt.Sprintf(`172.18.0.%d - - [15/May/2026:18:03:4%d +0000] "GET /p%d HTTP/1.1" 200 %d "-" "curl/8.5.0"`, i+1, i, i, 10*i)
		fmt.Fprintf(&prefixed, "web-1  | %s\n", line)
		if i == 2 {
			fmt.Fprintf(&mostlyBare, "web-1  | %s\n", line)
		} else {
			fmt.Fprintln(&mostlyBare, line)
		}
	}
	for _, chunk := range []int{0, 7} {
		opt := Options{Format: combined, ChunkSize: chunk}
		s := readAll(t, []Source{ReaderSource("compose", strings.NewReader(prefixed.String()))}, opt).Sources[0]
		if s.Format != "combined (docker compose logs)" || s.Records != 5 || s.Malformed != 0 {
			t.Errorf("chunk %d, prefixed: format %q, %d records, %d malformed; want all 5 read behind the prefix", chunk, s.Format, s.Records, s.Malformed)
		}
		s = readAll(t, []Source{ReaderSource("bare", strings.NewReader(mostlyBare.String()))}, opt).Sources[0]
		if s.Format != "combined" || s.Records != 4 || s.Malformed != 1 {
			t.Errorf("chunk %d, mostly bare: format %q, %d records, %d malformed; want combined, 4 and 1", chunk, s.Format, s.Records, s.Malformed)
		}
	}
}

// FuzzCompose: lines behind a `docker compose logs` prefix, read in the
// combined and JSON formats through composed: no input makes the prefix
// or a parser panic, and the Scanner and Read agree on every input, as
// for the formats read as written (fuzzLines).
func FuzzCompose(f *testing.F) {
	prefix := func(p, text string) string {
		lines := strings.SplitAfter(text, "\n")
		for i, l := range lines {
			if l != "" {
				lines[i] = p + l
			}
		}
		return strings.Join(lines, "")
	}
	cases := allCases(f)
	for _, c := range cases["combined"] {
		f.Add(uint8(0), uint8(0), []byte(prefix("nginx-1  | ", c.text())))
	}
	for _, c := range cases["json"] {
		f.Add(uint8(1), uint8(7), []byte(prefix("\x1b[36mcaddy-1  |\x1b[0m 2026-05-15T18:03:49.123456789Z ", c.text())))
	}
	f.Fuzz(func(t *testing.T, format, chunk uint8, data []byte) {
		fm := composed(LookupFormat([]string{"combined", "json"}[format%2]))
		text := string(data)
		s := scanPath(fm, text)
		for _, c := range []int{0, int(chunk%64) + 1} {
			agree(t, s, readPath(t, fm, text, c))
		}
	})
}

// TestComposedOnce: a format already read behind the prefix is not
// composed again, by name or by the prefix test of a named format, even
// for a line that holds two prefixes ("0|0| ...", found by FuzzCompose:
// Read named its format "combined (docker compose logs) (docker compose
// logs)").
func TestComposedOnce(t *testing.T) {
	c := composed(LookupFormat("combined"))
	if got := composed(c); got != c {
		t.Errorf("composed twice: %q", got.Name)
	}
	line := `web-1 | web-1 | 172.18.0.1 - - [15/May/2026:18:03:40 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8.5.0"` + "\n"
	if got := composedIfPrefixed(c, []byte(line)); got != c {
		t.Errorf("composedIfPrefixed of a composed format: %q", got.Name)
	}
}
