package ingest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// describeUnknown says what the first lines of a source no format reads
// look like, for the error detection gives: a kind of file people mistake
// for an access log (an error log, syslog, CSV, JSON with other keys), or
// else the first line, quoted (escaped) and cut. The shapes are the
// programs' documented line formats: nginx's error_log
// ("2024/03/04 12:00:00 [error] 123#0: ..."), Apache's ErrorLog
// ("[Mon Mar 04 12:00:00.123456 2024] [core:error] ..."), RFC 3164/5424
// syslog.
func describeUnknown(lines [][]byte) string {
	if len(lines) == 0 {
		return "no lines"
	}
	first := lines[0]
	switch {
	case !utf8.Valid(first) || bytes.IndexByte(first, 0) >= 0:
		return "looks like binary data, not text (first bytes " + quoteCut(first, 24) + ")"
	case isJSONObject(skipBOM(first)):
		return "looks like JSON lines without the keys of any known layout (found: " + jsonKeysOf(skipBOM(first)) +
			"); name them with --log-format 'json:time=KEY,status=KEY,path=KEY,...'"
	case nginxErrorRE.Match(first):
		return "looks like an nginx error log, which records errors, not requests (first line " + quoteCut(first, 80) + ")"
	case apacheErrorRE.Match(first):
		return "looks like an Apache error log, which records errors, not requests (first line " + quoteCut(first, 80) + ")"
	case syslogRE.Match(first):
		return "looks like syslog lines that hold no access log record (first line " + quoteCut(first, 80) + ")"
	case bytes.HasPrefix(first, []byte("#!")):
		return "looks like a script, not a log (first line " + quoteCut(first, 80) + ")"
	case bytes.HasPrefix(first, []byte("<")):
		return "looks like HTML or XML, not a log (first line " + quoteCut(first, 80) + ")"
	}
	if cols := csvHeader(first); cols != "" {
		return "looks like CSV or TSV with the columns " + cols + ", which is no access log format logbook reads"
	}
	if looksIP(firstToken(first)) {
		return "starts with a client address like an access log, but the rest of the line is no format logbook knows " +
			"(first line " + quoteCut(first, 80) + "); give your server's format string with --log-format nginx:... or apache:..."
	}
	return "first line " + quoteCut(first, 80)
}

var (
	nginxErrorRE  = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(debug|info|notice|warn|error|crit|alert|emerg)\] \d+#\d+: `)
	apacheErrorRE = regexp.MustCompile(`^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(\.\d+)? \d{4}\] \[[\w:]+\] `)
	syslogRE      = regexp.MustCompile(`^(<\d{1,3}>)?([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d |\d \d{4}-\d\d-\d\dT\S+ )\S+ \S+?(\[\d+\])?:? `)
)

// quoteCut quotes b as Go would, its invalid bytes and controls escaped,
// cut to n bytes of the line.
func quoteCut(b []byte, n int) string {
	cut := len(b) > n
	if cut {
		b = b[:n]
		for len(b) > 0 && !utf8.Valid(b) && len(b) > n-4 {
			b = b[:len(b)-1]
		}
	}
	s := strconv.QuoteToGraphic(string(b))
	if cut {
		s += "..."
	}
	return s
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 1 && b[0] == '{' && json.Valid(b)
}

// jsonKeysOf lists the top-level keys of the object b, at most 12, each
// quoted unless it is plain printable text.
func jsonKeysOf(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	n := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		k, _ := t.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			break
		}
		if n++; n > 12 {
			continue
		}
		keys = append(keys, plainOrQuoted(k, 40))
	}
	s := strings.Join(keys, ", ")
	if n > 12 {
		s += ", and " + strconv.Itoa(n-12) + " more"
	}
	return s
}

// plainOrQuoted is s as it is when it is short printable text without
// commas or quotes, else quoted and cut.
func plainOrQuoted(s string, n int) string {
	plain := len(s) > 0 && len(s) <= n
	for _, r := range s {
		if r < 0x21 || r > 0x7e || r == ',' || r == '"' || r == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return quoteCut([]byte(s), n)
}

// csvHeader returns the names of a CSV or TSV header line (at least three
// names, each a word), or "".
func csvHeader(b []byte) string {
	sep := byte(',')
	if bytes.Count(b, []byte{'\t'}) > bytes.Count(b, []byte{','}) {
		sep = '\t'
	}
	parts := bytes.Split(b, []byte{sep})
	if len(parts) < 3 {
		return ""
	}
	var names []string
	for _, p := range parts {
		p = bytes.Trim(bytes.TrimSpace(p), `"`)
		if len(p) == 0 || len(p) > 40 || !bytes.ContainsFunc(p, func(r rune) bool { return r >= 'A' && r <= 'z' }) {
			return ""
		}
		for _, c := range p {
			if !(c == '_' || c == '-' || c == '.' || c == ' ' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
				return ""
			}
		}
		if len(names) < 12 {
			names = append(names, string(p))
		}
	}
	s := strings.Join(names, ", ")
	if len(parts) > 12 {
		s += ", and " + strconv.Itoa(len(parts)-12) + " more"
	}
	return s
}

func firstToken(b []byte) []byte {
	if i := bytes.IndexAny(b, " \t"); i >= 0 {
		return b[:i]
	}
	return b
}
