package ingest

import (
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// valueFormats holds one good line per format, with {ip}, {status} and
// {bytes} where the client, the status and the size sent go. A format that
// writes the client with its port has {ip}:443 (so that "[2001:db8::1]"
// becomes "[2001:db8::1]:443").
var valueFormats = []struct {
	format string // a name, or a format string
	header string // lines before the record
	line   string
	status bool // the format has a status
	zero   bool // the status 000 is the format's (CloudFront)
}{
	{"combined", "", `{ip} - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" {status} {bytes} "-" "curl/8.0"`, true, false},
	{"common", "", `{ip} - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" {status} {bytes}`, true, false},
	{"vhost_combined", "", `www.example.com:443 {ip} - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" {status} {bytes} "-" "curl/8.0"`, true, false},
	{"timed_combined", "", `{ip} - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" {status} {bytes} "-" "curl/8.0" 0.010`, true, false},
	{"traefik", "", `{ip} - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" {status} {bytes} "-" "curl/8.0" 42 "r@docker" "http://172.17.0.3:80" 7ms`, true, false},
	{"haproxy", "", `{ip}:443 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 {status} {bytes} - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"`, true, false},
	{"alb", "", `http 2018-07-02T22:22:48.364000Z app/my-loadbalancer/50dc6c495c0c9188 {ip}:443 10.0.0.1:80 0.000 0.001 0.000 {status} 200 34 {bytes} "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`, true, false},
	{"elb", "", `2015-05-13T23:39:43.945958Z my-loadbalancer {ip}:443 10.0.0.1:80 0.000073 0.001048 0.000057 {status} 200 0 {bytes} "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`, true, false},
	{"nlb", "", `tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd {ip}:443 172.100.100.185:443 5 2 98 {bytes} - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-nlb.elb.us-east-2.amazonaws.com h2 h2 "h2","http/1.1" 2020-04-01T08:51:20`, false, false},
	{"s3", "", `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] {ip} 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" {status} - {bytes} - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - -`, true, false},
	{"w3c", "#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes time-taken\n", `2016-01-10 00:29:52 {ip} GET / {status} {bytes} 15`, true, false},
	{"cloudfront", "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status\n", "2024-01-16\t23:56:42\tCMH68-P2\t{bytes}\t{ip}\tGET\td1.cloudfront.net\t/a\t{status}", true, true},
	{"json", "", `{"time_local":"17/May/2015:10:05:03 +0200","remote_addr":"{ip}","request":"GET / HTTP/1.1","status":"{status}","body_bytes_sent":"{bytes}"}`, true, false},
	{"json", "", `{"time_local":"17/May/2015:10:05:03 +0200","remote_addr":"{ip}","request":"GET / HTTP/1.1","status":{status},"body_bytes_sent":{bytes}}`, true, false},
	{"ltsv", "", "time:[10/Oct/2023:13:55:36 +0000]\thost:{ip}\treq:GET / HTTP/1.1\tstatus:{status}\tsize:{bytes}\tua:curl/8.0", true, false},
	{`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent`, "", `{ip} - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" {status} {bytes}`, true, false},
}

// TestValuesEveryFormat runs the same values through every format's
// parser: a status that is not three digits from 100 to 599 and a size
// that is not a count of at most 63 bits are malformed in each; a
// bracketed IPv6 client is read as its address.
func TestValuesEveryFormat(t *testing.T) {
	badStatus := []string{"abc", "20", "2000", "600", "099", "-5", "2x0"}
	badBytes := []string{"18446744073709551616", "99999999999999999999", "9223372036854775808", "-5", "1.5", "12a"}
	for _, vf := range valueFormats {
		f, err := ParseFormat(vf.format)
		if err != nil {
			t.Fatal(err)
		}
		name := f.Name
		if len(name) > 12 {
			name = name[:12]
		}
		run := func(ip, status, bytes string) ([]rec, []*SyntaxError) {
			line := strings.NewReplacer("{ip}", ip, "{status}", status, "{bytes}", bytes).Replace(vf.line)
			sc := NewScanner("v.log", strings.NewReader(vf.header+line+"\n"), f)
			var out []rec
			for sc.Scan() {
				r := sc.Row()
				x := rec{Num: r.Num}
				for i, b := range r.Str {
					x.Str[i] = string(b)
				}
				out = append(out, x)
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			return out, sc.SyntaxErrors()
		}
		t.Run(name, func(t *testing.T) {
			recs, errs := run("192.0.2.7", "200", "1234")
			if len(recs) != 1 || len(errs) != 0 {
				t.Fatalf("good line: %d records, malformed %v", len(recs), errs)
			}
			if recs[0].Str[frame.IP] != "192.0.2.7" || recs[0].Num[frame.Bytes] != 1234 {
				t.Errorf("good line: ip %q bytes %v", recs[0].Str[frame.IP], recs[0].Num[frame.Bytes])
			}
			if vf.status && recs[0].Str[frame.Status] != "200" {
				t.Errorf("good line: status %q", recs[0].Str[frame.Status])
			}
			recs, errs = run("[2001:db8::1]", "200", "9223372036854775807")
			if len(recs) != 1 || len(errs) != 0 {
				t.Fatalf("IPv6 client, largest size: %d records, malformed %v", len(recs), errs)
			}
			if got := recs[0].Str[frame.IP]; got != "2001:db8::1" {
				t.Errorf("bracketed IPv6 client read as %q, want 2001:db8::1", got)
			}
			if got := recs[0].Num[frame.Bytes]; got != 9223372036854775807 {
				t.Errorf("size 2^63-1 read as %v", got)
			}
			if vf.status {
				bad := badStatus
				if !vf.zero {
					bad = append(bad, "000")
				} else if recs, errs := run("192.0.2.7", "000", "0"); len(recs) != 1 || recs[0].Str[frame.Status] != "000" {
					t.Errorf("status 000: %d records, malformed %v", len(recs), errs)
				}
				for _, st := range bad {
					if recs, errs := run("192.0.2.7", st, "1234"); len(recs) != 0 || len(errs) != 1 {
						t.Errorf("status %q: %d records, %d malformed; want it malformed", st, len(recs), len(errs))
					}
				}
			}
			for _, b := range badBytes {
				if recs, errs := run("192.0.2.7", "200", b); len(recs) != 0 || len(errs) != 1 {
					t.Errorf("size %q: %d records, %d malformed; want it malformed", b, len(recs), len(errs))
				}
			}
		})
	}
}
