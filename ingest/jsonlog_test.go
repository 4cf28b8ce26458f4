package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logbook/logbook/frame"
)

// TestJSONColumns: a JSON source declares the columns of all four families.
func TestJSONColumns(t *testing.T) {
	_, _, sc := scan(t, "json", "")
	cols := sc.Columns()
	if m := cols.Missing(frame.Cols(frame.IP, frame.Stem, frame.Status, frame.TimeTaken, frame.UpstreamTime,
		frame.Router, frame.Backend, frame.TargetStatus, frame.ForwardedFor, frame.RequestBytes)); len(m) > 0 {
		t.Errorf("missing %v", m)
	}
	if len(cols.Missing(frame.Cols(frame.EdgeLocation))) == 0 {
		t.Error("declares edge_location")
	}
}

// TestJSONLayoutChanges: the learned key layout stays right when a later
// line has other keys in the same places.
func TestJSONLayoutChanges(t *testing.T) {
	p := newJSONParser()
	var r frame.Row
	lines := []string{
		`{"time":"2024-03-04T12:00:00Z","status":200,"uri":"/a","remote_addr":"192.0.2.1"}`,
		`{"time":"2024-03-04T12:00:00Z","status":200,"uri":"/b","http_user_agent":"ua"}`,
		`{"uri":"/c","status":404,"time":"2024-03-04T12:00:00Z","remote_addr":"192.0.2.3"}`,
	}
	for i, l := range lines {
		if _, err := p.parse([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if got, want := string(r.Str[frame.Stem]), fmt.Sprintf("/%c", 'a'+i); got != want {
			t.Errorf("line %d: stem %q, want %q", i+1, got, want)
		}
		if i == 1 && (r.Str[frame.IP] != nil || string(r.Str[frame.UserAgent]) != "ua") {
			t.Errorf("line 2: ip %q agent %q", r.Str[frame.IP], r.Str[frame.UserAgent])
		}
		if i == 2 && string(r.Str[frame.Status]) != "404" {
			t.Errorf("line 3: status %q", r.Str[frame.Status])
		}
	}
}

func FuzzJSON(f *testing.F) {
	for _, c := range allCases(f)["json"] {
		f.Add(uint8(0), []byte(c.text()))
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		fuzzLines(t, "json", chunk, data)
	})
}

// replaceInvalid replaces each byte of invalid UTF-8 with U+FFFD, as
// encoding/json does when it decodes a string.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// FuzzJSONScanner holds the hand-written scanner to encoding/json: it
// accepts a line that is a JSON object exactly when encoding/json does
// (except nesting deeper than jsonMaxDepth and a leading byte order mark),
// and reads the same top-level strings (after unescaping; invalid UTF-8
// compared as encoding/json replaces it) and the same numbers.
func FuzzJSONScanner(f *testing.F) {
	for _, c := range allCases(f)["json"] {
		for _, l := range c.input {
			f.Add([]byte(l))
		}
	}
	for _, s := range []string{`{}`, `{"a":[1,{"b":null}],"c":-0.5e+3}`, `{"a":"\ud83d\ude00\ud800x\udc00"}`, `{"a":1,"a":"x"}`, "{\"\\u0000\":\"\\\"\"}", `{"a":"\u00"}`, `{"a":01}`, ` {"a":true} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.ContainsAny(data, "\n") || bytes.HasPrefix(bytes.TrimLeft(data, " \t\r"), []byte("\xEF\xBB\xBF")) {
			return
		}
		type kv struct {
			kind byte
			val  string
		}
		seen := map[string]kv{}
		p := newJSONParser()
		p.visit = func(key []byte, kind byte, val []byte) {
			seen[replaceInvalid(string(key))] = kv{kind, string(val)}
		}
		var r frame.Row
		kind, err := p.parse(data, &r)
		var se *jsonSyntaxError
		if errors.As(err, &se) && strings.Contains(se.msg, "nested too deeply") {
			return
		}
		mine := !(errors.As(err, &se) || errors.Is(err, errJSONNotObject)) && kind != kindSkip
		trimmed := bytes.TrimLeft(data, " \t\r")
		std := json.Valid(data) && len(trimmed) > 0 && trimmed[0] == '{'
		if mine != std {
			t.Fatalf("%q: scanner accepts %v (%v), encoding/json %v", data, mine, err, std)
		}
		if !std {
			return
		}
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if len(m) != len(seen) {
			t.Fatalf("%q: %d keys, encoding/json %d", data, len(seen), len(m))
		}
		for k, v := range seen {
			sv, ok := m[k]
			if !ok {
				t.Fatalf("%q: key %q not in encoding/json's %v", data, k, m)
			}
			switch v.kind {
			case jvString:
				if s, ok := sv.(string); !ok || s != replaceInvalid(v.val) {
					t.Fatalf("%q: key %q = %q, encoding/json %#v", data, k, v.val, sv)
				}
			case jvNumber:
				n, ok := sv.(json.Number)
				if !ok || n.String() != v.val {
					t.Fatalf("%q: key %q = %s, encoding/json %#v", data, k, v.val, sv)
				}
				x, ok1 := jsonNumber([]byte(v.val))
				y, err := n.Float64()
				if ok1 != (err == nil) || ok1 && x != y {
					t.Fatalf("%q: number %s = %v %v, encoding/json %v %v", data, v.val, x, ok1, y, err)
				}
			case jvTrue, jvFalse:
				if b, ok := sv.(bool); !ok || b != (v.kind == jvTrue) {
					t.Fatalf("%q: key %q: encoding/json %#v", data, k, sv)
				}
			case jvNull:
				if sv != nil {
					t.Fatalf("%q: key %q: encoding/json %#v", data, k, sv)
				}
			}
		}
	})
}

func jsonQ(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func nginxJSONLine(p benchParts) string {
	size := p.size
	if size == "-" {
		size = "0"
	}
	return fmt.Sprintf(`{"time_local":%s,"remote_addr":%s,"remote_user":"","request":%s,"status":"%s","body_bytes_sent":"%s","request_time":"0.017","upstream_response_time":"0.015","http_referrer":%s,"http_user_agent":%s,"http_x_forwarded_for":""}`,
		jsonQ(p.t.Format("02/Jan/2006:15:04:05 -0700")), jsonQ(p.ip), jsonQ(p.method+" "+p.path+" "+p.proto), p.status, size, jsonQ(p.ref), jsonQ(p.ua))
}

func caddyJSONLine(p benchParts) string {
	size := p.size
	if size == "-" {
		size = "0"
	}
	return fmt.Sprintf(`{"level":"info","ts":%d.5241024,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":%s,"remote_port":"41342","client_ip":%s,"proto":%s,"method":%s,"host":"www.example.com","uri":%s,"headers":{"User-Agent":[%s],"Accept":["*/*"],"Referer":[%s],"Accept-Encoding":["gzip, deflate, br"]},"tls":{"resumed":false,"version":772,"cipher_suite":4865,"proto":"h2","server_name":"www.example.com"}},"bytes_read":0,"user_id":"","duration":0.000929675,"size":%s,"status":%s,"resp_headers":{"Server":["Caddy"],"Content-Type":["text/html; charset=utf-8"]}}`,
		p.t.Unix(), jsonQ(p.ip), jsonQ(p.ip), jsonQ(p.proto), jsonQ(p.method), jsonQ(p.path), jsonQ(p.ua), jsonQ(p.ref), size, p.status)
}

func BenchmarkParseJSONNginx(b *testing.B) {
	lines, size := benchLines(4096, nginxJSONLine)
	benchParse(b, LookupFormat("json"), nil, lines, size)
}

func BenchmarkParseJSONCaddy(b *testing.B) {
	lines, size := benchLines(4096, caddyJSONLine)
	benchParse(b, LookupFormat("json"), nil, lines, size)
}

// TestJSONNoAllocs: well-formed lines parse without allocating, once the
// parser has seen the source's layout.
func TestJSONNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for name, mk := range map[string]func(benchParts) string{"nginx": nginxJSONLine, "caddy": caddyJSONLine} {
		lines := make([][]byte, 64)
		for i := range lines {
			lines[i] = []byte(mk(benchRecord(r, i)))
		}
		lines = append(lines, []byte(`{"time":"2024-03-04T12:00:00Z","status":200,"request":"GET /caf\u00e9 HTTP/1.1","http_user_agent":"a \"b\""}`))
		p := newJSONParser()
		var row frame.Row
		for _, l := range lines {
			if k, err := p.parse(l, &row); err != nil || k != kindRecord {
				t.Fatalf("%s: %s: %v", name, l, err)
			}
		}
		n := 0
		if a := testing.AllocsPerRun(200, func() {
			p.parse(lines[n%len(lines)], &row)
			n++
		}); a != 0 {
			t.Errorf("%s: %v allocations per line", name, a)
		}
	}
}

// TestJSONOriginStatusZero: Traefik writes OriginStatus 0 for a request
// no backend answered (no router matched, a redirect of its own): the
// record stands with no target status, while a status of 0 for the
// response itself is still malformed. The line is modelled on a record
// of a real Traefik JSON access log (crowdsecurity/hub's test data, MIT):
// a 404 for a path no router matched.
func TestJSONOriginStatusZero(t *testing.T) {
	p := newJSONParser()
	var r frame.Row
	line := `{"ClientAddr":"172.17.0.1:51234","ClientHost":"172.17.0.1","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":104000,"OriginContentSize":0,"OriginDuration":0,"OriginStatus":0,"RequestHost":"localhost","RequestMethod":"GET","RequestPath":"/","RequestProtocol":"HTTP/1.1","StartUTC":"2021-12-08T14:02:43.712Z","level":"info","msg":"","time":"2021-12-08T14:02:43Z"}`
	if _, err := p.parse([]byte(line), &r); err != nil {
		t.Fatalf("OriginStatus 0: %v", err)
	}
	if got := string(r.Str[frame.Status]); got != "404" {
		t.Errorf("status %q, want 404", got)
	}
	if r.Str[frame.TargetStatus] != nil {
		t.Errorf("target status %q, want none", r.Str[frame.TargetStatus])
	}
	bad := strings.Replace(line, `"DownstreamStatus":404`, `"DownstreamStatus":0`, 1)
	if _, err := p.parse([]byte(bad), &r); err == nil || !strings.Contains(err.Error(), "not a status code") {
		t.Errorf("DownstreamStatus 0: error %v, want not a status code", err)
	}
}
