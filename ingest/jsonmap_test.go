package ingest

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/logbook/logbook/frame"
)

// TestJSONMappingErrors: a mapping that cannot be read is refused with the
// item and its byte.
func TestJSONMappingErrors(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"json:time=ts,colour=c", `"colour=c" at byte 9: unknown column "colour" (known: ip, method, uri_stem`},
		{"json:time=ts,status", `"status" at byte 9 is not COLUMN=KEY`},
		{"json:status=code", "no time key"},
		{"json:", "no mapping"},
		{"json:time=ts,,status=s", "empty item at byte 9"},
		{"json:time=ts,time_taken=d:minutes", `unknown unit "minutes"`},
		{"json:time=ts,bytes=b:ms", "column bytes takes no unit"},
		{"json:time=ts,path=req..uri", "has an empty part"},
		{"json:time=ts,request=req,path=req.uri", "req is mapped to a value and also holds req.uri"},
		{"json:time=ts,path=req.uri,method=req", "req holds other mapped keys"},
		{"json:time=ts,ip=a,user=a", "the key a is mapped twice"},
	} {
		_, err := ParseFormat(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "json key mapping: ") {
			t.Errorf("ParseFormat(%q) = %v, want an error with %q", c.spec, err, c.want)
		}
	}
}

// TestJSONMappingColumns: a mapping declares the columns it maps, and only
// those: every column of frame/columns.go can be mapped by its name.
func TestJSONMappingColumns(t *testing.T) {
	var items []string
	for c := range frame.NumStrCols {
		items = append(items, c.String()+"=k"+c.String())
	}
	for c := range frame.NumNumCols {
		items = append(items, c.String()+"=n"+c.String())
	}
	f, err := ParseFormat("json:time=ts," + strings.Join(items, ","))
	if err != nil {
		t.Fatal(err)
	}
	var all frame.Set
	for c := range frame.NumStrCols {
		all.Str[c] = true
	}
	for c := range frame.NumNumCols {
		all.Num[c] = true
	}
	if m := f.newParser(nil).columns().Missing(all); len(m) > 0 {
		t.Errorf("a mapping of every column lacks %v", m)
	}

	g, err := ParseFormat("json:time=ts,status=code,path=p")
	if err != nil {
		t.Fatal(err)
	}
	cols := g.newParser(nil).columns()
	if len(cols.Missing(frame.Cols(frame.Status, frame.Stem))) > 0 || len(cols.Missing(frame.Cols(frame.IP))) == 0 ||
		len(cols.Missing(frame.Cols(frame.Bytes))) == 0 {
		t.Errorf("json:time=ts,status=code,path=p declares %+v", cols)
	}
	// Only the mapped keys are read: the detected format's names are not.
	var r frame.Row
	k, err := g.newParser(nil).parse([]byte(`{"ts":1709553600,"code":200,"p":"/x","remote_addr":"192.0.2.1","uri":"/y"}`), &r)
	if err != nil || k != kindRecord || string(r.Str[frame.Stem]) != "/x" || r.Str[frame.IP] != nil || r.Time != 1709553600 {
		t.Errorf("parse: %v %v stem %q ip %q time %d", k, err, r.Str[frame.Stem], r.Str[frame.IP], r.Time)
	}
}

// BenchmarkParseJSONMapped: Caddy's lines read through a user's mapping of
// their nested keys.
func BenchmarkParseJSONMapped(b *testing.B) {
	lines, size := benchLines(4096, caddyJSONLine)
	f, err := ParseFormat("json:time=ts,ip=request.client_ip,method=request.method,path=request.uri,protocol=request.proto," +
		"host=request.host,user_agent=request.headers.User-Agent,status=status,bytes=size,time_taken=duration:s")
	if err != nil {
		b.Fatal(err)
	}
	benchParse(b, f, nil, lines, size)
}

// FuzzJSONMapped holds the mapped JSON parser's line scanner and parallel
// reader to each other (fuzzLines), on the mappings of testdata/json.txt.
func FuzzJSONMapped(f *testing.F) {
	all := allCases(f)
	var specs []string
	for name := range all {
		if strings.HasPrefix(name, "json:") {
			specs = append(specs, name)
		}
	}
	slices.Sort(specs)
	for i, name := range specs {
		for _, c := range all[name] {
			f.Add(uint8(i), uint8(0), []byte(c.text()))
		}
	}
	f.Fuzz(func(t *testing.T, spec, chunk uint8, data []byte) {
		fuzzLines(t, specs[int(spec)%len(specs)], chunk, data)
	})
}

// TestMappedUpstreamTimeList: a mapped upstream_time reads nginx's list of
// the upstreams tried as the detected format does, their sum; one time
// with its unit still reads, in JSON and LTSV mappings alike.
func TestMappedUpstreamTimeList(t *testing.T) {
	for _, c := range []struct{ format, line string }{
		{"json:time=ts,status=code,path=p,upstream_time=up", `{"ts":1709553600,"code":200,"p":"/x","up":"0.003, 0.001 : 0.002"}`},
		{"ltsv:time=ts,status=code,path=p,upstream_time=up", "ts:1709553600\tcode:200\tp:/x\tup:0.003, 0.001 : 0.002"},
		{"json:time=ts,status=code,path=p,upstream_time=up", `{"ts":1709553600,"code":200,"p":"/x","up":"6ms"}`},
	} {
		f, err := ParseFormat(c.format)
		if err != nil {
			t.Fatal(err)
		}
		var r frame.Row
		k, err := f.newParser(nil).parse([]byte(c.line), &r)
		want := 0.006
		if err != nil || k != kindRecord || math.Abs(r.Num[frame.UpstreamTime]-want) > 1e-12 {
			t.Errorf("%s %s: %v %v upstream_time %v, want %v", c.format, c.line, k, err, r.Num[frame.UpstreamTime], want)
		}
	}
}
