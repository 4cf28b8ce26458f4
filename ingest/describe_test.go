package ingest

import (
	"strings"
	"testing"
)

// TestDetectNamesWhatItSees: a source no format reads is named with what it
// looks like, and the formats tried; log content in the message is escaped.
func TestDetectNamesWhatItSees(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"json other keys", `{"level":"info","msg":"started","port":8080}` + "\n" + `{"level":"warn","msg":"slow"}` + "\n",
			"looks like JSON lines without the keys of any known layout (found: level, msg, port)"},
		{"json hostile key", `{"<script>\u0007":1,"a,b":2}` + "\n", `(found: "<script>\a", "a,b")`},
		{"nginx error log", "2024/03/04 12:00:00 [error] 1234#0: *5 open() \"/srv/x\" failed (2: No such file or directory)\n",
			"looks like an nginx error log, which records errors, not requests"},
		{"apache error log", "[Mon Mar 04 12:00:00.123456 2024] [core:error] [pid 42] [client 192.0.2.1:5555] AH00126: Invalid URI\n",
			"looks like an Apache error log"},
		{"syslog", "Mar  4 12:00:00 web1 sshd[812]: Accepted publickey for deploy\n", "looks like syslog lines"},
		{"csv", "timestamp,client_ip,path,status\n2024-03-04T12:00:00Z,192.0.2.1,/,200\n",
			"looks like CSV or TSV with the columns timestamp, client_ip, path, status"},
		{"script", "#!/bin/sh\nset -e\n", `looks like a script, not a log (first line "#!/bin/sh")`},
		{"binary", "\x00\x01\x02PK\x03\x04 zip\n", "looks like binary data"},
		{"ip then junk", "192.0.2.1 GET / 200 at noon\n", "starts with a client address like an access log"},
		{"plain text", "hello \x1b[31mworld\n", `first line "hello \x1b[31mworld"`},
		{"long line cut", strings.Repeat("word ", 40) + "\n", `word "... (formats tried: combined`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Detect([]byte(c.data))
			if err == nil {
				t.Fatalf("detected %s", f.Name)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, "formats tried: combined, ") {
				t.Errorf("error = %s\nwant it to hold %s", msg, c.want)
			}
			if strings.ContainsAny(msg, "\x00\x1b\a\n") {
				t.Errorf("error holds a control character: %q", msg)
			}
		})
	}
}
