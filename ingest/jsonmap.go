package ingest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

// JSON lines with keys named by the user: --log-format
// 'json:ip=client_ip,time=ts,path=req.uri,status=code,time_taken=duration:ms'.
//
// The spec after "json:" is a comma-separated list of COLUMN=KEY[:UNIT].
// COLUMN is any frame column by its name (frame/columns.go: ip, method,
// uri_stem, protocol, status, ..., bytes, time_taken, upstream_time, ...),
// or one of time (the record's time: required), request (a whole request
// line, "GET /p HTTP/1.1"), path (the same as uri_stem: the query is
// dropped) and url (a full URL or a path: the stem, and the host unless
// host is mapped). KEY is a key of the object; a dotted key (req.uri) is
// the key uri of the object under req, or a top-level key written with the
// dots, whichever the line has. A column mapped twice takes the first key
// a line has, in the order of the spec (ip=client_ip,ip=remote_addr).
//
// UNIT: for time, s, ms, us or ns reads a number as Unix time in that unit
// (without it a number is taken by its size, as the detected format does:
// above 1e11 milliseconds, 1e14 microseconds, 1e17 nanoseconds); strings
// are RFC 3339 / ISO 8601 or the common log time, as in the detected
// format. For a duration column (time_taken, time_to_first_byte,
// upstream_time), s, ms, us or ns is the unit of a number (default s); a
// string with its own unit ("1.5ms", "0.012s") says its own; upstream_time
// may be nginx's list of the upstreams tried ("0.003, 0.001 : 0.002"),
// read as their sum. Byte columns take no unit.
//
// A string column's key may hold an array of strings (Caddy's headers):
// the first is read.
//
// A line is a record when it is a JSON object with the time key, the status
// key if status is mapped, and one of the request keys (request, method,
// path, uri_stem, url) if any is mapped; otherwise it is malformed, naming
// the keys it lacks. Only the mapped keys are read.

// jsonMapping is a compiled --log-format json: spec.
type jsonMapping struct {
	keys    []map[string]jsonTarget // by context; [jcTop] the top level
	cols    frame.Set
	timeDiv float64 // 0: guessed from the number's size
	timeKey string
	// statusKeys and requestKeys name the keys of the required parts, for
	// the reason of a line without them; nil when not mapped.
	statusKeys, requestKeys []string
}

// jsonAliases are the names a mapping takes besides the frame's columns.
var jsonAliases = []string{"time", "request", "path", "url"}

// jsonUnits are the unit hints and what a number is divided by.
var jsonUnits = map[string]float64{"s": 1, "ms": 1e3, "us": 1e6, "µs": 1e6, "ns": 1e9}

func jsonColumnNames() []string {
	var n []string
	for c := range frame.NumStrCols {
		n = append(n, c.String())
	}
	for c := range frame.NumNumCols {
		n = append(n, c.String())
	}
	return append(n, jsonAliases...)
}

// isDurationCol reports whether a numeric column holds seconds.
func isDurationCol(c frame.NumCol) bool {
	return c == frame.TimeTaken || c == frame.TTFB || c == frame.UpstreamTime
}

// compileJSONMapping compiles the spec after "json:". Errors name the
// offending item and its byte (1-based, in the spec after the prefix).
func compileJSONMapping(body string) (*jsonMapping, error) {
	m := &jsonMapping{keys: []map[string]jsonTarget{{}}}
	prio := map[string]uint8{} // per column name: the next priority
	pos := 0
	for item := range strings.SplitSeq(body, ",") {
		at := pos + 1
		pos += len(item) + 1
		raw := item
		item = strings.TrimSpace(item)
		if item == "" {
			if raw == body {
				return nil, fmt.Errorf("no mapping: want COLUMN=KEY[,COLUMN=KEY...], e.g. json:time=ts,status=code,path=req.uri")
			}
			return nil, fmt.Errorf("empty item at byte %d", at)
		}
		at += strings.Index(raw, item)
		col, key, ok := strings.Cut(item, "=")
		col, key = strings.TrimSpace(col), strings.TrimSpace(key)
		if !ok || col == "" || key == "" {
			return nil, fmt.Errorf("%q at byte %d is not COLUMN=KEY", item, at)
		}
		unit := ""
		if k := strings.LastIndexByte(key, ':'); k >= 0 {
			key, unit = key[:k], key[k+1:]
		}
		if key == "" || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") || strings.Contains(key, "..") {
			return nil, fmt.Errorf("%q at byte %d: the key is empty or has an empty part", item, at)
		}
		t, err := jsonMapTarget(col, unit, m)
		if err != nil {
			return nil, fmt.Errorf("%q at byte %d: %w", item, at, err)
		}
		prio[col]++
		if prio[col] > 200 {
			return nil, fmt.Errorf("%q at byte %d: column %s mapped too many times", item, at, col)
		}
		t.prio = prio[col]
		if err := m.add(key, t); err != nil {
			return nil, fmt.Errorf("%q at byte %d: %w", item, at, err)
		}
		switch {
		case col == "time":
			if m.timeKey == "" {
				m.timeKey = key
			} else {
				m.timeKey += " or " + key
			}
		case col == "status":
			m.statusKeys = append(m.statusKeys, key)
		case slices.Contains([]string{"request", "method", "path", "uri_stem", "url"}, col):
			m.requestKeys = append(m.requestKeys, key)
		}
	}
	if m.timeKey == "" {
		return nil, fmt.Errorf("no time key: map the record's time, e.g. time=ts (RFC 3339, Unix seconds, or time=ts:ms)")
	}
	return m, nil
}

// jsonMapTarget is what column col fills, with its unit hint.
func jsonMapTarget(col, unit string, m *jsonMapping) (jsonTarget, error) {
	div := 1.0
	if unit != "" {
		d, ok := jsonUnits[unit]
		if !ok {
			return jsonTarget{}, fmt.Errorf("unknown unit %q (known: s, ms, us, ns)", unit)
		}
		div = d
	}
	noUnit := func() error {
		if unit != "" {
			return fmt.Errorf("column %s takes no unit", col)
		}
		return nil
	}
	switch col {
	case "time":
		if unit != "" {
			if m.timeDiv != 0 && m.timeDiv != div {
				return jsonTarget{}, fmt.Errorf("the time keys have different units")
			}
			m.timeDiv = div
		}
		return jsonTarget{kind: jtTime}, nil
	case "request":
		m.cols.Union(frame.Cols(frame.Method, frame.Stem, frame.Protocol))
		return jsonTarget{kind: jtRequest}, noUnit()
	case "path":
		col = frame.Stem.String()
	case "url":
		m.cols.Union(frame.Cols(frame.Stem, frame.Host))
		return jsonTarget{kind: jtURL}, noUnit()
	}
	for c := range frame.NumStrCols {
		if c.String() != col {
			continue
		}
		m.cols.Union(frame.Cols(c))
		switch c {
		case frame.Status, frame.TargetStatus:
			return jsonTarget{kind: jtStatus, str: c}, noUnit()
		case frame.IP:
			m.cols.Union(frame.Cols(frame.ForwardedFor))
			return jStr(c, 0, jfIPList), noUnit()
		case frame.Host:
			return jStr(c, 0, jfStripPort), noUnit()
		case frame.Stem:
			return jStr(c, 0, jfQuery), noUnit()
		}
		return jStr(c, 0, 0), noUnit()
	}
	for c := range frame.NumNumCols {
		if c.String() != col {
			continue
		}
		m.cols.Union(frame.Cols(c))
		if !isDurationCol(c) {
			return jNum(c, 0, 1, 0), noUnit()
		}
		if c == frame.UpstreamTime {
			// nginx's $upstream_response_time lists the upstreams tried
			// ("0.003, 0.001 : 0.002"): their sum, as the detected format
			// reads it.
			return jNum(c, 0, div, jfDuration|jfSum), nil
		}
		return jNum(c, 0, div, jfDuration), nil
	}
	return jsonTarget{}, fmt.Errorf("unknown column %q (known: %s)", col, strings.Join(jsonColumnNames(), ", "))
}

// add puts key's target in the tables: at the top level as written, and,
// for a dotted key, as the last part under the objects the others name.
func (m *jsonMapping) add(key string, t jsonTarget) error {
	if err := m.put(jcTop, key, t); err != nil {
		return err
	}
	parts := strings.Split(key, ".")
	if len(parts) == 1 {
		return nil
	}
	if len(parts) > jsonMaxDepth-1 {
		return fmt.Errorf("the key has more than %d parts", jsonMaxDepth-1)
	}
	ctx := jcTop
	for _, part := range parts[:len(parts)-1] {
		cur, ok := m.keys[ctx][part]
		switch {
		case ok && cur.kind == jtNested:
			ctx = int(cur.sub)
			continue
		case ok:
			return fmt.Errorf("%s is mapped to a value and also holds %s", part, key)
		}
		if len(m.keys) >= 255 {
			return fmt.Errorf("too many nested objects")
		}
		m.keys = append(m.keys, map[string]jsonTarget{})
		sub := len(m.keys) - 1
		m.keys[ctx][part] = jsonTarget{kind: jtNested, sub: uint8(sub)}
		ctx = sub
	}
	return m.put(ctx, parts[len(parts)-1], t)
}

func (m *jsonMapping) put(ctx int, key string, t jsonTarget) error {
	if cur, ok := m.keys[ctx][key]; ok {
		if cur.kind == jtNested {
			return fmt.Errorf("%s holds other mapped keys and cannot be a value too", key)
		}
		return fmt.Errorf("the key %s is mapped twice", key)
	}
	m.keys[ctx][key] = t
	return nil
}

func (m *jsonMapping) newParser() *jsonParser {
	return &jsonParser{keys: m.keys, layout: make([][]jsonLayout, len(m.keys)), m: m}
}

// check decides, once the object is read, whether it is a record.
func (m *jsonMapping) check(p *jsonParser, r *frame.Row) (lineKind, error) {
	if p.timeVal == nil {
		return 0, fmt.Errorf("no time (key %s)", m.timeKey)
	}
	if m.statusKeys != nil && p.sprio[frame.Status] == 0 {
		return 0, fmt.Errorf("no status (key %s)", strings.Join(m.statusKeys, " or "))
	}
	if m.requestKeys != nil && r.Str[frame.Method] == nil && r.Str[frame.Stem] == nil {
		return 0, fmt.Errorf("no request (key %s)", strings.Join(m.requestKeys, " or "))
	}
	if err := p.time(r); err != nil {
		return 0, err
	}
	return kindRecord, nil
}

// parseJSONMapping makes the Format of a --log-format json: spec.
func parseJSONMapping(spec, body string) (*Format, error) {
	m, err := compileJSONMapping(body)
	if err != nil {
		return nil, fmt.Errorf("json key mapping: %w", err)
	}
	return &Format{
		Name: spec,
		Doc:  "JSON lines with the keys " + strings.TrimSpace(body),
		sniff: func(line []byte) bool {
			var r frame.Row
			k, err := m.newParser().parse(line, &r)
			return err == nil && k == kindRecord
		},
		newParser: func([]byte) parser { return m.newParser() },
	}, nil
}
