package ingest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/logbook/logbook/frame"
)

// Format strings: --log-format also takes the format string a server's
// configuration already has, prefixed by its dialect:
//
//	nginx:$remote_addr - $remote_user [$time_local] "$request" $status ...
//	apache:%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D
//	goaccess:date=%d/%b/%Y;time=%H:%M:%S;format=%h %^[%d:%t %^] "%r" %s %b "%R" "%u"
//
// The string is compiled once (ParseFormat) into a slice of steps: a
// literal matched exactly, a field read up to the first byte of the literal
// that follows it (or to the end of the line), a quoted field read up to its
// unescaped closing quote, and a timestamp that reads exactly as many bytes
// as its layout says (so it needs no delimiter). A line is parsed by running
// the steps in order; a line the steps do not match is malformed with the
// step that failed and the byte (1-based) where it did. Fields the compiler
// does not know are matched by position and discarded; SkippedFields lists
// them (the Format's Doc says so too).
//
// The Format's Name is the dialect and the spec exactly as given
// ("nginx:$remote_addr ..."): stable, readable, and given back to
// --log-format it reads the same. A format string is never detected: it is
// forced, for every source.
//
// GoAccess takes its date and time layouts from --date-format and
// --time-format (and --datetime-format for %x); until logbook has those
// flags they go in the spec as "key=value;" pairs before "format=", which
// takes the rest of the string: date=, time=, datetime=. GoAccess's
// predefined names (COMBINED, VCOMBINED, COMMON, VCOMMON) are accepted as
// the whole format, with their date and time layouts.
//
// Sources of the field lists: nginx's ngx_http_log_module and the
// "Embedded variables" of ngx_http_core_module / ngx_http_upstream_module;
// Apache's mod_log_config "Custom Log Formats" (and mod_logio %I %O %^FB);
// GoAccess's man page, "CUSTOM LOG/DATE FORMAT".

// parseFormatString compiles a --log-format value that is not a built-in
// format's name: a format string prefixed by its dialect (nginx:, apache:,
// goaccess:). The error points at the offending token, with its byte
// position (1-based, in the spec after the prefix).
func parseFormatString(spec string) (*Format, error) {
	dialect, body, ok := strings.Cut(spec, ":")
	if !ok {
		return nil, fmt.Errorf("unknown log format %q (known: %s; or a format string prefixed by its dialect: %s)",
			spec, strings.Join(FormatNames(), ", "), strings.Join(dialectNames, ", "))
	}
	var c *lfCompiler
	var err error
	switch dialect {
	case "json":
		return parseJSONMapping(spec, body)
	case "ltsv":
		return parseLTSVMapping(spec, body)
	case "nginx":
		c, err = compileNginx(body)
	case "apache":
		c, err = compileApache(body)
	case "goaccess":
		c, err = compileGoAccess(body)
	default:
		return nil, fmt.Errorf("unknown log format dialect %q in %q (known: %s; or a format name: %s)",
			dialect, spec, strings.Join(dialectNames, ", "), strings.Join(FormatNames(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("%s format string: %w", dialect, err)
	}
	prog, err := c.finish()
	if err != nil {
		return nil, fmt.Errorf("%s format string: %w", dialect, err)
	}
	doc := dialect + " format string " + strings.TrimSpace(body)
	if len(prog.skipped) > 0 {
		doc += "; not read: " + strings.Join(prog.skipped, ", ")
	}
	f := &Format{
		Name: spec,
		Doc:  doc,
		sniff: func(line []byte) bool {
			var r frame.Row
			k, err := prog.newParser().parse(line, &r)
			return err == nil && k == kindRecord
		},
		newParser: func([]byte) parser { return prog.newParser() },
	}
	skippedByFormat.Store(f, prog.skipped)
	return f, nil
}

var dialectNames = []string{"nginx:", "apache:", "goaccess:", "json:", "ltsv:"}

// skippedByFormat holds, per format string's Format, the fields it skips.
var skippedByFormat sync.Map // *Format → []string

// SkippedFields lists the fields of a format string that are matched by
// position and discarded (unknown variables, or known ones no column
// holds), as written in the spec; nil for a built-in format.
func SkippedFields(f *Format) []string {
	if v, ok := skippedByFormat.Load(f); ok {
		return v.([]string)
	}
	return nil
}

// ---- steps -----------------------------------------------------------------

type lfStepKind uint8

const (
	lfLit      lfStepKind = iota // lit must follow
	lfField                      // a value up to delim (or the end when last)
	lfQuoted                     // a value up to an unescaped '"'
	lfXFF                        // a value up to delim, ", " inside it kept
	lfCLFTime                    // dd/Mon/yyyy:HH:MM:SS +zzzz, 26 bytes
	lfStrftime                   // a strftime layout, self-delimiting
	lfSpaces                     // GoAccess %~: skip spaces
)

// What a field's value is for.
type lfTarget uint8

const (
	tDiscard    lfTarget = iota
	tStr                 // Str[col], "-" is empty
	tIP                  // Str[IP] as written
	tHost                // Str[Host], port dropped
	tStatus              // Str[Status], three digits
	tBytes               // Num[num], "-" is 0
	tNum                 // Num[num] = value / div (seconds from the unit), "-" is missing
	tNumList             // Num[num] = the sum of a "0.1, 0.2 : 0.3" list
	tRequest             // "GET /path HTTP/1.1"
	tURI                 // Str[Stem], the query dropped
	tXFF                 // client list: first is the client, the rest ForwardedFor
	tEpoch               // time: seconds since 1970, with a fraction
	tEpochMilli          // time: milliseconds
	tEpochMicro          // time: microseconds
	tTime                // a timestamp step whose value is kept
)

type lfStep struct {
	kind   lfStepKind
	lit    []byte // lfLit
	delim  byte   // lfField, lfXFF: the first byte of the next literal
	last   bool   // the field runs to the end of the line
	target lfTarget
	str    frame.StrCol
	num    frame.NumCol
	div    float64 // tNum: the unit, value / div is seconds
	layout []tmOp  // lfStrftime
	name   string  // the token as written, for errors
	pos    int     // its byte in the spec, 1-based
}

// lfProg is a compiled format string.
type lfProg struct {
	steps   []lfStep
	cols    frame.Set
	skipped []string
	xff     bool
	nq      int  // quoted fields (scratch buffers)
	parts   bool // the time comes from strftime parts, gathered in tmState
}

func (p *lfProg) newParser() *lfParser {
	return &lfParser{prog: p, scratch: make([][]byte, p.nq)}
}

// ---- the compiler shared by the dialects ------------------------------------

// lfField is one field as a dialect's compiler read it.
type lfFieldSpec struct {
	name     string
	pos      int
	target   lfTarget
	str      frame.StrCol
	num      frame.NumCol
	div      float64
	prio     int // for a column several fields may fill: the highest wins, then the first
	time     int // 0: not a time; 1: CLF; 2: strftime (layout); 3: epoch target
	layout   []tmOp
	skip     bool // unknown or unread: listed in skipped
	silent   bool // a placeholder (%l, %^): discarded without notice
	spaces   bool // GoAccess %~
	timePart byte // GoAccess: 'd' date, 't' time (combined at the end)
	query    bool // the query string, "?..." or empty: split from the path before it
}

type lfItem struct {
	lit   []byte
	field *lfFieldSpec
	pos   int
}

type lfCompiler struct {
	items []lfItem
}

func (c *lfCompiler) literal(b []byte, pos int) {
	if n := len(c.items); n > 0 && c.items[n-1].field == nil {
		c.items[n-1].lit = append(c.items[n-1].lit, b...)
		return
	}
	c.items = append(c.items, lfItem{lit: append([]byte(nil), b...), pos: pos})
}

func (c *lfCompiler) field(f *lfFieldSpec) { c.items = append(c.items, lfItem{field: f, pos: f.pos}) }

type colKey struct {
	num bool
	c   int
}

func (c *lfCompiler) finish() (*lfProg, error) {
	prog := &lfProg{}
	// A query field right after another field (Apache %U%q, nginx
	// $uri$is_args$args) starts at its '?': the two read as one, the path
	// with its query, which the path's target drops.
	for i := 0; i+1 < len(c.items); i++ {
		a, b := c.items[i].field, c.items[i+1].field
		if a != nil && b != nil && b.query && (a.target == tURI || a.query) {
			a.name += b.name
			c.items = append(c.items[:i+1], c.items[i+2:]...)
			i--
		}
	}
	// Quotes in the literals must pair up: a quoted field is one whose
	// literal before ends in '"' and whose literal after starts with one.
	open, openPos := false, 0
	for _, it := range c.items {
		if it.field != nil {
			continue
		}
		for i, ch := range it.lit {
			if ch == '"' {
				open = !open
				openPos = it.pos + i
			}
		}
	}
	if open {
		return nil, fmt.Errorf("unterminated quote at byte %d", openPos)
	}
	// Lines lose their trailing blanks (trimEOL): so does the format.
	if n := len(c.items); n > 0 && c.items[n-1].field == nil {
		c.items[n-1].lit = bytes.TrimRight(c.items[n-1].lit, " \t")
		if len(c.items[n-1].lit) == 0 {
			c.items = c.items[:n-1]
		}
	}
	// Which field fills each column: the highest priority, then the first.
	best := map[colKey]*lfFieldSpec{}
	var timeField *lfFieldSpec
	var dateSeen, timeSeen bool
	for _, it := range c.items {
		f := it.field
		if f == nil || f.skip || f.silent || f.spaces {
			continue
		}
		if f.time != 0 || f.timePart != 0 {
			switch {
			case f.timePart != 0 && slices.ContainsFunc(f.layout, func(o tmOp) bool { return o.op == 's' }):
				dateSeen, timeSeen = true, true // seconds since 1970 say it all
			case f.timePart == 'd':
				dateSeen = true
			case f.timePart == 't':
				timeSeen = true
			case timeField == nil:
				timeField = f
			default:
				f.silent, f.target = true, tDiscard
			}
			continue
		}
		var k colKey
		switch f.target {
		case tStr, tIP, tHost, tStatus, tURI:
			k = colKey{false, int(f.str)}
		case tRequest:
			k = colKey{false, int(frame.Method)}
		case tBytes, tNum, tNumList:
			k = colKey{true, int(f.num)}
		case tXFF:
			k = colKey{false, int(frame.ForwardedFor)}
		default:
			continue
		}
		if b := best[k]; b == nil || f.prio > b.prio {
			if b != nil {
				b.silent, b.target = true, tDiscard
			}
			best[k] = f
		} else {
			f.silent, f.target = true, tDiscard
		}
	}
	// $request fills method, stem and protocol: the single fields give way.
	if r := best[colKey{false, int(frame.Method)}]; r != nil && r.target == tRequest {
		for _, col := range []frame.StrCol{frame.Stem, frame.Protocol} {
			if b := best[colKey{false, int(col)}]; b != nil {
				b.silent, b.target = true, tDiscard
			}
		}
	}
	if timeField != nil && (dateSeen || timeSeen) {
		dateSeen, timeSeen = false, false
		for _, it := range c.items {
			if f := it.field; f != nil && f.timePart != 0 {
				f.silent, f.timePart, f.target = true, 0, tDiscard
			}
		}
	}
	for i, it := range c.items {
		if it.field == nil {
			prog.steps = append(prog.steps, lfStep{kind: lfLit, lit: it.lit, pos: it.pos})
			continue
		}
		f := it.field
		st := lfStep{target: f.target, str: f.str, num: f.num, div: f.div, name: f.name, pos: f.pos, layout: f.layout}
		if f.skip {
			prog.skipped = append(prog.skipped, f.name)
		}
		if f.silent || f.skip {
			st.target = tDiscard
		}
		var prev, next []byte
		if i > 0 && c.items[i-1].field == nil {
			prev = c.items[i-1].lit
		}
		nextIsField := false
		if i+1 < len(c.items) {
			if c.items[i+1].field == nil {
				next = c.items[i+1].lit
			} else {
				nextIsField = true
			}
		}
		switch {
		case f.spaces:
			st.kind = lfSpaces
		case f.time == 1:
			st.kind = lfCLFTime
		case f.time == 2 || f.timePart != 0 && len(f.layout) > 0:
			st.kind = lfStrftime
		case len(prev) > 0 && prev[len(prev)-1] == '"' && len(next) > 0 && next[0] == '"':
			st.kind = lfQuoted
			prog.nq++
		default:
			st.kind = lfField
			if f.target == tXFF {
				st.kind = lfXFF
			}
			switch {
			case nextIsField:
				nf := c.items[i+1].field
				return nil, fmt.Errorf("%s at byte %d is followed by %s at byte %d with nothing between them: the fields cannot be split",
					f.name, f.pos, nf.name, nf.pos)
			case next == nil:
				st.last = true
			default:
				st.delim = next[0]
			}
		}
		if f.timePart != 0 {
			if st.kind != lfStrftime {
				return nil, fmt.Errorf("%s at byte %d: no layout for it (date= or time=)", f.name, f.pos)
			}
		}
		prog.steps = append(prog.steps, st)
		if st.kind == lfStrftime {
			prog.parts = true
		}
		if st.target == tXFF {
			prog.xff = true
		}
		switch st.target {
		case tStr, tIP, tHost, tStatus, tURI:
			prog.cols.Str[st.str] = true
			if st.target == tURI {
				prog.cols.Str[frame.Query] = true
			}
		case tRequest:
			prog.cols.Union(frame.Cols(frame.Method, frame.Stem, frame.Protocol, frame.Query))
		case tBytes, tNum, tNumList:
			prog.cols.Num[st.num] = true
		case tXFF:
			prog.cols.Union(frame.Cols(frame.IP, frame.ForwardedFor))
		}
	}
	if timeField == nil && !(dateSeen && timeSeen) {
		switch {
		case dateSeen:
			return nil, fmt.Errorf("a date (%%d) but no time (%%t): the records need both")
		case timeSeen:
			return nil, fmt.Errorf("a time (%%t) but no date (%%d): the records need both")
		}
		return nil, fmt.Errorf("no time field (e.g. nginx $time_local, $time_iso8601, $msec; Apache %%t; GoAccess %%d and %%t): the records need their time")
	}

	return prog, nil
}

// ---- the parser --------------------------------------------------------------

type lfParser struct {
	prog    *lfProg
	dates   dateCache
	scratch [][]byte // unescaped quoted fields, one per quoted step
	tm      tmState
}

func (p *lfParser) columns() frame.Set { return p.prog.cols }

func (p *lfParser) reset([]byte) {}

func (p *lfParser) parse(line []byte, r *frame.Row) (lineKind, error) {
	line = trimEOL(line)
	if len(line) == 0 {
		return kindSkip, nil
	}
	r.Reset()
	if p.prog.parts {
		p.tm = tmState{}
	} else {
		p.tm.done = false
	}
	var xff []byte
	hasXFF := false
	pos, q := 0, 0
	steps := p.prog.steps
	for i := range steps {
		st := &steps[i]
		rest := line[pos:]
		var v []byte
		switch st.kind {
		case lfLit:
			// Literals are short (" ", " [", "] \""): a loop beats a call.
			lit := st.lit
			if len(rest) < len(lit) {
				return 0, p.litError(i, pos)
			}
			for k, c := range lit {
				if rest[k] != c {
					return 0, p.litError(i, pos)
				}
			}
			pos += len(lit)
			continue
		case lfField:
			if st.last {
				v = rest
			} else {
				j := indexShort(rest, st.delim)
				if j < 0 {
					return 0, fmt.Errorf("expected %q after %s at byte %d", steps[i+1].lit, st.name, len(line)+1)
				}
				v = rest[:j]
			}
			pos += len(v)
		case lfXFF:
			j := 0
			for {
				k := len(rest) - j
				if !st.last {
					k = bytes.IndexByte(rest[j:], st.delim)
				}
				if k < 0 {
					return 0, fmt.Errorf("expected %q after %s at byte %d", steps[i+1].lit, st.name, len(line)+1)
				}
				j += k
				if st.last || st.delim != ' ' || j == 0 || rest[j-1] != ',' {
					break
				}
				j++
			}
			v = rest[:j]
			pos += j
		case lfQuoted:
			text, n, ok := p.quoted(rest, q)
			q++
			if !ok {
				return 0, fmt.Errorf("%s has no closing quote (it starts at byte %d)", st.name, pos+1)
			}
			v = text
			pos += n
		case lfSpaces:
			pos += len(rest) - len(skipSpaces(rest))
			continue
		case lfCLFTime:
			if len(rest) < 26 {
				return 0, fmt.Errorf("%s: timestamp is not dd/Mon/yyyy:HH:MM:SS +zzzz at byte %d", st.name, pos+1)
			}
			t, off, err := p.dates.clf(rest[:26])
			if err != nil {
				return 0, fmt.Errorf("%s: timestamp is not dd/Mon/yyyy:HH:MM:SS +zzzz at byte %d", st.name, pos+1)
			}
			if st.target != tDiscard {
				r.Time, r.Offset = t, off
				p.tm.done = true
			}
			pos += 26
			continue
		case lfStrftime:
			n, ok := p.tm.match(st.layout, rest, st.target != tDiscard)
			if !ok {
				return 0, fmt.Errorf("%s: timestamp does not match its layout at byte %d", st.name, pos+1)
			}
			pos += n
			continue
		}
		// A field's value.
		switch st.target {
		case tDiscard:
		case tStr:
			if !isDash(v) {
				r.Str[st.str] = v
			}
		case tIP:
			// An X-Forwarded-For list in the client's place, as the
			// built-in combined parser reads one (clf.go): the client
			// first, the proxies to forwarded_for.
			if bytes.IndexByte(v, ',') >= 0 {
				r.Str[frame.IP], r.Str[frame.ForwardedFor] = splitForwarded(v)
			} else {
				r.Str[frame.IP] = clientAddr(v)
			}
		case tHost:
			if !isDash(v) {
				r.Str[frame.Host] = stripPort(v)
			}
		case tStatus:
			if !statusCode(v) {
				return 0, fmt.Errorf("%s is not a 3-digit status at byte %d (100 to 599)", st.name, pos-len(v)+1)
			}
			r.Str[st.str] = v
		case tBytes:
			switch {
			case isDash(v):
				r.Num[st.num] = 0
			default:
				x, ok := byteCount(v)
				if ok {
					r.Num[st.num] = x
					break
				}
				return 0, fmt.Errorf("%s is neither a number nor - at byte %d", st.name, pos-len(v)+1)
			}
		case tNum, tNumList:
			if isDash(v) || len(v) == 0 {
				break
			}
			x, ok := parseDecimal(v)
			if !ok && st.target == tNumList {
				x, ok = sumList(v)
			}
			if !ok {
				return 0, fmt.Errorf("%s is not a number at byte %d", st.name, pos-len(v)+1)
			}
			r.Num[st.num] = x / st.div
		case tRequest:
			splitRequest(v, r)
		case tURI:
			if !isDash(v) {
				if k := bytes.IndexByte(v, '?'); k >= 0 {
					r.Str[frame.Query] = v[k+1:]
					v = v[:k]
				}
				r.Str[frame.Stem] = v
			}
		case tXFF:
			xff, hasXFF = v, true
		case tEpoch, tEpochMilli, tEpochMicro:
			if err := p.epoch(st, v, r); err != nil {
				return 0, fmt.Errorf("%s %v at byte %d", st.name, err, pos-len(v)+1)
			}
			p.tm.done = true
		}
	}
	if pos != len(line) {
		name := "the end of the format"
		for i := len(steps) - 1; i >= 0; i-- {
			if steps[i].kind != lfLit {
				name = steps[i].name
				break
			}
		}
		return 0, fmt.Errorf("unexpected text after %s at byte %d", name, pos+1)
	}
	if !p.tm.done {
		t, off, ok := p.tm.unix()
		if !ok {
			return 0, fmt.Errorf("the date and time do not make a valid timestamp")
		}
		r.Time, r.Offset = t, off
	}
	if hasXFF {
		// The client is the first address of the list; the proxies after
		// it go to forwarded_for.
		xff = bytes.TrimSpace(xff)
		if len(xff) > 0 && !isDash(xff) {
			first, rest := xff, []byte(nil)
			if k := bytes.IndexByte(xff, ','); k >= 0 {
				first, rest = bytes.TrimSpace(xff[:k]), bytes.TrimSpace(xff[k+1:])
			}
			if len(first) > 0 && !isDash(first) {
				r.Str[frame.IP] = first
				r.Str[frame.ForwardedFor] = rest
			}
		}
	}
	return kindRecord, nil
}

// indexShort is bytes.IndexByte for the short fields most are (a client,
// a status, a size): a loop over the first bytes costs less than the call.
func indexShort(b []byte, c byte) int {
	n := min(len(b), 24)
	for i := 0; i < n; i++ {
		if b[i] == c {
			return i
		}
	}
	if n == len(b) {
		return -1
	}
	if j := bytes.IndexByte(b[n:], c); j >= 0 {
		return n + j
	}
	return -1
}

// litError says which literal was expected where, naming the field after
// it (or before it, at the end of the format).
func (p *lfParser) litError(i, pos int) error {
	steps := p.prog.steps
	lit := string(steps[i].lit)
	if i+1 < len(steps) {
		return fmt.Errorf("expected %q before %s at byte %d", lit, steps[i+1].name, pos+1)
	}
	if i > 0 {
		return fmt.Errorf("expected %q after %s at byte %d", lit, steps[i-1].name, pos+1)
	}
	return fmt.Errorf("expected %q at byte %d", lit, pos+1)
}

// quoted reads a value up to its closing quote, undoing \" and \\ (as
// Apache writes them, and as the built-in combined parser reads them) into
// scratch buffer k when the value holds a backslash. n counts the bytes
// read, without the closing quote (the literal that follows holds it).
func (p *lfParser) quoted(b []byte, k int) (text []byte, n int, ok bool) {
	q := bytes.IndexByte(b, '"')
	if q < 0 {
		return nil, 0, false
	}
	if bytes.IndexByte(b[:q], '\\') < 0 {
		return b[:q], q, true
	}
	buf := p.scratch[k][:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\' && i+1 < len(b) && (b[i+1] == '"' || b[i+1] == '\\'):
			buf = append(buf, b[i+1])
			i++
		case c == '"':
			p.scratch[k] = buf
			return buf, i, true
		default:
			buf = append(buf, c)
		}
	}
	p.scratch[k] = buf
	return nil, 0, false
}

// epoch reads a time given as a count since 1970.
func (p *lfParser) epoch(st *lfStep, v []byte, r *frame.Row) error {
	if st.target == tEpoch {
		// seconds, with an optional fraction ($msec: 1709553600.123)
		i := bytes.IndexByte(v, '.')
		sec := v
		if i >= 0 {
			sec = v[:i]
			if !allDigits(v[i+1:]) {
				return fmt.Errorf("is not seconds since 1970")
			}
		}
		if len(sec) == 0 || len(sec) > 12 || !allDigits(sec) {
			return fmt.Errorf("is not seconds since 1970")
		}
		r.Time = atoi(sec)
		return nil
	}
	if len(v) == 0 || len(v) > 19 || !allDigits(v) {
		return fmt.Errorf("is not a count since 1970")
	}
	n := atoi(v)
	if st.target == tEpochMilli {
		r.Time = n / 1000
	} else {
		r.Time = n / 1000000
	}
	return nil
}

// sumList adds the numbers of an nginx upstream list: "0.012, 0.004 : 0.1"
// (a comma between servers tried in turn, a colon between upstream groups).
func sumList(v []byte) (float64, bool) {
	var sum float64
	any := false
	for len(v) > 0 {
		i := bytes.IndexAny(v, ",:")
		tok := v
		if i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		tok = bytes.TrimSpace(tok)
		if isDash(tok) {
			continue
		}
		x, ok := parseDecimal(tok)
		if !ok {
			return 0, false
		}
		sum += x
		any = true
	}
	return sum, any
}

// ---- strftime layouts ----------------------------------------------------------

// tmOp is one directive of a compiled strftime layout.
type tmOp struct {
	op  byte // 'L' literal, or the strftime letter
	lit []byte
}

// tmState gathers the parts of a timestamp a line's time fields give
// (GoAccess has its date and its time in two fields).
type tmState struct {
	y, mon, d, h, mi, s int64
	off                 int64
	epoch               int64
	hasEpoch, pm, am    bool
	done                bool // r.Time is set already (CLF fast path, $msec)
}

// compileStrftime compiles a layout; pos is the layout's byte in the spec.
// The directives: %d %e %m %b %h %B %Y %y %H %M %S %z %Z %a %A %p %I %T %D
// %F %R %s %f %j-free; %% a percent sign. Any other is an error.
func compileStrftime(layout string, pos int) ([]tmOp, error) {
	var ops []tmOp
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' {
			if n := len(ops); n > 0 && ops[n-1].op == 'L' {
				ops[n-1].lit = append(ops[n-1].lit, c)
			} else {
				ops = append(ops, tmOp{op: 'L', lit: []byte{c}})
			}
			continue
		}
		if i+1 == len(layout) {
			return nil, fmt.Errorf("time layout %q ends in %% at byte %d", layout, pos+i)
		}
		i++
		switch d := layout[i]; d {
		case '%':
			ops = append(ops, tmOp{op: 'L', lit: []byte{'%'}})
		case 'T':
			ops = append(ops, tmOp{op: 'H'}, tmOp{op: 'L', lit: []byte{':'}}, tmOp{op: 'M'}, tmOp{op: 'L', lit: []byte{':'}}, tmOp{op: 'S'})
		case 'R':
			ops = append(ops, tmOp{op: 'H'}, tmOp{op: 'L', lit: []byte{':'}}, tmOp{op: 'M'})
		case 'D':
			ops = append(ops, tmOp{op: 'm'}, tmOp{op: 'L', lit: []byte{'/'}}, tmOp{op: 'd'}, tmOp{op: 'L', lit: []byte{'/'}}, tmOp{op: 'y'})
		case 'F':
			ops = append(ops, tmOp{op: 'Y'}, tmOp{op: 'L', lit: []byte{'-'}}, tmOp{op: 'm'}, tmOp{op: 'L', lit: []byte{'-'}}, tmOp{op: 'd'})
		case 'd', 'e', 'm', 'b', 'h', 'B', 'Y', 'y', 'H', 'M', 'S', 'z', 'Z', 'a', 'A', 'p', 'I', 's', 'f':
			if d == 'h' {
				d = 'b'
			}
			ops = append(ops, tmOp{op: d})
		default:
			return nil, fmt.Errorf("time layout %q: %%%c at byte %d is not supported", layout, d, pos+i-1)
		}
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("empty time layout at byte %d", pos)
	}
	return ops, nil
}

var monthNames = [12]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

// match reads b by the layout and returns how many bytes it took. With
// keep false the values are checked but not kept.
func (t *tmState) match(ops []tmOp, b []byte, keep bool) (int, bool) {
	var s tmState
	if keep {
		s = *t
	}
	i := 0
	digits := func(min, max int) (int64, bool) {
		n, j := tmDigits(b[i:], max)
		if j < min {
			return 0, false
		}
		i += j
		return n, true
	}
	var ok bool
	for _, op := range ops {
		switch op.op {
		case 'L':
			if !bytes.HasPrefix(b[i:], op.lit) {
				return 0, false
			}
			i += len(op.lit)
			continue
		case 'd':
			s.d, ok = digits(2, 2)
		case 'e':
			if i < len(b) && b[i] == ' ' {
				i++
			}
			s.d, ok = digits(1, 2)
		case 'm':
			s.mon, ok = digits(2, 2)
		case 'b', 'B':
			if i+3 > len(b) {
				return 0, false
			}
			m := month([]byte{upper(b[i]), lower(b[i+1]), lower(b[i+2])})
			if m == 0 {
				return 0, false
			}
			s.mon = int64(m)
			if op.op == 'B' {
				name := monthNames[m-1]
				if len(b)-i < len(name) || !strings.EqualFold(string(b[i:i+len(name)]), name) {
					return 0, false
				}
				i += len(name)
			} else {
				i += 3
			}
			ok = true
		case 'Y':
			s.y, ok = digits(4, 4)
		case 'y':
			s.y, ok = digits(2, 2)
			s.y += 1900
			if s.y < 1969 {
				s.y += 100
			}
		case 'H':
			s.h, ok = digits(2, 2)
		case 'I':
			s.h, ok = digits(2, 2)
		case 'M':
			s.mi, ok = digits(2, 2)
		case 'S':
			s.s, ok = digits(2, 2)
		case 'f':
			_, ok = digits(1, 9)
		case 's':
			s.epoch, ok = digits(1, 12)
			s.hasEpoch = true
		case 'p':
			if i+2 > len(b) {
				return 0, false
			}
			switch string([]byte{upper(b[i]), upper(b[i+1])}) {
			case "AM":
				s.am = true
			case "PM":
				s.pm = true
			default:
				return 0, false
			}
			i += 2
			ok = true
		case 'a', 'A', 'Z':
			j := i
			for j < len(b) && (b[j]|0x20 >= 'a' && b[j]|0x20 <= 'z') {
				j++
			}
			ok = j > i
			i = j
		case 'z':
			if i < len(b) && b[i] == 'Z' {
				i++
				s.off, ok = 0, true
				break
			}
			if i >= len(b) || (b[i] != '+' && b[i] != '-') {
				return 0, false
			}
			neg := b[i] == '-'
			i++
			var hh, mm int64
			if hh, ok = digits(2, 2); !ok {
				return 0, false
			}
			if i < len(b) && b[i] == ':' {
				i++
			}
			if mm, ok = digits(2, 2); !ok || hh > 23 || mm > 59 {
				return 0, false
			}
			s.off = hh*3600 + mm*60
			if neg {
				s.off = -s.off
			}
		}
		if !ok {
			return 0, false
		}
	}
	if keep {
		*t = s
	}
	return i, true
}

// tmDigits reads up to max digits from the start of b.
func tmDigits(b []byte, max int) (n int64, j int) {
	for j < max && j < len(b) && b[j] >= '0' && b[j] <= '9' {
		n = n*10 + int64(b[j]-'0')
		j++
	}
	return n, j
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

// unix is the timestamp the parts make, in UTC, and the offset it was
// written in. A layout without %z is read as UTC.
func (t *tmState) unix() (int64, int32, bool) {
	if t.hasEpoch {
		return t.epoch, 0, true
	}
	h := t.h
	if t.pm && h < 12 {
		h += 12
	} else if t.am && h == 12 {
		h = 0
	}
	if t.mon < 1 || t.mon > 12 || t.d < 1 || t.d > daysIn(t.y, int(t.mon)) || h > 23 || t.mi > 59 || t.s > 60 {
		return 0, 0, false
	}
	days := daysFromCivil(t.y, int(t.mon), t.d)
	return days*86400 + h*3600 + t.mi*60 + t.s - t.off, int32(t.off), true
}

// ---- nginx ---------------------------------------------------------------------

// nginxVars maps the variables nginx names (ngx_http_log_module,
// ngx_http_core_module "Embedded Variables", ngx_http_upstream_module) to
// what they fill. Variables not here are skipped.
var nginxVars = map[string]lfFieldSpec{
	"remote_addr":            {target: tIP, str: frame.IP, prio: 2},
	"remote_user":            {target: tStr, str: frame.User},
	"time_local":             {time: 1, target: tTime},
	"time_iso8601":           {time: 2, target: tTime, layout: mustLayout("%Y-%m-%dT%H:%M:%S%z")},
	"msec":                   {time: 3, target: tEpoch},
	"request":                {target: tRequest, prio: 2},
	"request_method":         {target: tStr, str: frame.Method, prio: 1},
	"request_uri":            {target: tURI, str: frame.Stem, prio: 1},
	"uri":                    {target: tURI, str: frame.Stem, prio: 1},
	"document_uri":           {target: tURI, str: frame.Stem, prio: 1},
	"server_protocol":        {target: tStr, str: frame.Protocol, prio: 1},
	"status":                 {target: tStatus, str: frame.Status},
	"body_bytes_sent":        {target: tBytes, num: frame.Bytes, prio: 2},
	"bytes_sent":             {target: tBytes, num: frame.Bytes, prio: 1},
	"request_length":         {target: tBytes, num: frame.RequestBytes},
	"http_referer":           {target: tStr, str: frame.Referer},
	"http_user_agent":        {target: tStr, str: frame.UserAgent},
	"http_x_forwarded_for":   {target: tXFF},
	"http_host":              {target: tHost, str: frame.Host, prio: 1},
	"host":                   {target: tHost, str: frame.Host, prio: 2},
	"server_name":            {target: tHost, str: frame.Host, prio: 0},
	"request_time":           {target: tNum, num: frame.TimeTaken, div: 1},
	"upstream_response_time": {target: tNumList, num: frame.UpstreamTime, div: 1},
	"upstream_addr":          {target: tStr, str: frame.Backend},
	"upstream_status":        {target: tStr, str: frame.TargetStatus},
	"scheme":                 {target: tStr, str: frame.Scheme},
	"is_args":                {query: true, skip: true},
	"args":                   {query: true, skip: true},
	"query_string":           {query: true, skip: true},
	"ssl_protocol":           {target: tStr, str: frame.TLSVersion},
	"sent_http_content_type": {target: tStr, str: frame.ContentType},
}

func mustLayout(l string) []tmOp {
	ops, err := compileStrftime(l, 1)
	if err != nil {
		panic(err)
	}
	return ops
}

func isVarByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// compileNginx reads an nginx log_format string: $name or ${name}, the rest
// literal. A spec pasted with nginx.conf's single quotes (possibly several
// '...' pieces) is taken without them.
func compileNginx(spec string) (*lfCompiler, error) {
	spec, err := unquoteNginx(spec)
	if err != nil {
		return nil, err
	}
	c := &lfCompiler{}
	for i := 0; i < len(spec); {
		if spec[i] != '$' {
			j := strings.IndexByte(spec[i:], '$')
			if j < 0 {
				j = len(spec) - i
			}
			c.literal([]byte(spec[i:i+j]), i+1)
			i += j
			continue
		}
		start := i
		var name string
		if i+1 < len(spec) && spec[i+1] == '{' {
			j := strings.IndexByte(spec[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("${ at byte %d has no closing }", start+1)
			}
			name = spec[i+2 : i+j]
			i += j + 1
			for k := 0; k < len(name); k++ {
				if !isVarByte(name[k]) {
					name = ""
				}
			}
		} else {
			j := i + 1
			for j < len(spec) && isVarByte(spec[j]) {
				j++
			}
			name = spec[i+1 : j]
			i = j
		}
		if name == "" {
			return nil, fmt.Errorf("%q at byte %d is not a variable name", spec[start:min(i+1, len(spec))], start+1)
		}
		f := lfFieldSpec{}
		if v, ok := nginxVars[strings.ToLower(name)]; ok {
			f = v
		} else {
			f.skip = true
		}
		f.name, f.pos = spec[start:i], start+1
		c.field(&f)
	}
	return c, nil
}

// unquoteNginx drops the quotes of a log_format string pasted from
// nginx.conf: one or more '...' pieces separated by white space.
func unquoteNginx(spec string) (string, error) {
	t := strings.TrimSpace(spec)
	if len(t) == 0 || t[0] != '\'' {
		return spec, nil // a format may well start with a double quote: "$request" ...
	}
	var b strings.Builder
	for i := 0; i < len(t); {
		for i < len(t) && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n') {
			i++
		}
		if i == len(t) {
			break
		}
		q := t[i]
		if q != '\'' {
			return "", fmt.Errorf("text %q at byte %d outside the quoted pieces of the format", t[i:], i+1)
		}
		j := strings.IndexByte(t[i+1:], q)
		if j < 0 {
			return "", fmt.Errorf("unterminated quote at byte %d", i+1)
		}
		b.WriteString(t[i+1 : i+1+j])
		i += j + 2
	}
	return b.String(), nil
}

// ---- Apache --------------------------------------------------------------------

// compileApache reads an Apache LogFormat string (mod_log_config "Custom
// Log Formats"), with the backslash escapes httpd.conf strings have (\" \\
// \t \n); a spec pasted with its surrounding double quotes is taken without
// them.
func compileApache(spec string) (*lfCompiler, error) {
	// Undo the httpd.conf escapes, keeping for each byte its position in
	// the spec.
	body := spec
	off := 0
	if len(body) >= 2 && body[0] == '"' {
		if end := closingQuote(body[1:]); end == len(body)-2 {
			body, off = body[1:len(body)-1], 1
		} else if end < 0 {
			return nil, fmt.Errorf("unterminated quote at byte 1")
		}
	}
	var s []byte
	var at []int
	for i := 0; i < len(body); i++ {
		ch := body[i]
		if ch == '\\' && i+1 < len(body) {
			switch body[i+1] {
			case '"', '\\':
				ch = body[i+1]
			case 't':
				ch = '\t'
			case 'n':
				ch = '\n'
			default:
				s, at = append(s, ch), append(at, i+off+1)
				continue
			}
			s, at = append(s, ch), append(at, i+off+1)
			i++
			continue
		}
		s, at = append(s, ch), append(at, i+off+1)
	}
	c := &lfCompiler{}
	for i := 0; i < len(s); {
		if s[i] != '%' {
			j := bytes.IndexByte(s[i:], '%')
			if j < 0 {
				j = len(s) - i
			}
			c.literal(s[i:i+j], at[i])
			i += j
			continue
		}
		start := i
		i++
		if i < len(s) && s[i] == '%' {
			c.literal([]byte{'%'}, at[start])
			i++
			continue
		}
		// Modifiers: a status list (%400,501{User-agent}i, %!200...) and
		// < or > (original or final request).
		for i < len(s) && (s[i] == '!' || s[i] == ',' || s[i] >= '0' && s[i] <= '9' || s[i] == '<' || s[i] == '>') {
			i++
		}
		var arg string
		hasArg := false
		if i < len(s) && s[i] == '{' {
			j := bytes.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("%%{ at byte %d has no closing }", at[start])
			}
			arg, hasArg = string(s[i+1:i+j]), true
			i += j + 1
		}
		if i >= len(s) {
			return nil, fmt.Errorf("%q at byte %d has no directive letter", string(s[start:]), at[start])
		}
		letter := s[i]
		i++
		if letter == '^' { // %^FB, %^ti, %^to: two more letters
			if i+2 > len(s) {
				return nil, fmt.Errorf("%q at byte %d is not a directive", string(s[start:]), at[start])
			}
			i += 2
		}
		name := string(s[start:i])
		f, err := apacheField(name, letter, string(s[i-2:i]), arg, hasArg, at[start])
		if err != nil {
			return nil, err
		}
		f.name, f.pos = name, at[start]
		if f.time == 1 {
			// %t is "[" CLF "]"
			c.literal([]byte{'['}, at[start])
			c.field(f)
			c.literal([]byte{']'}, at[start])
			continue
		}
		c.field(f)
	}
	return c, nil
}

// closingQuote is the index of the first '"' in s not escaped by a
// backslash, or -1.
func closingQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func apacheField(name string, letter byte, two, arg string, hasArg bool, pos int) (*lfFieldSpec, error) {
	f := &lfFieldSpec{}
	switch letter {
	case 'h':
		f.target, f.str, f.prio = tIP, frame.IP, 1
	case 'a':
		if hasArg { // %{c}a: the peer of the connection
			f.skip = true
			break
		}
		f.target, f.str, f.prio = tIP, frame.IP, 2
	case 'l':
		f.silent = true // identd, always "-"
	case 'u':
		f.target, f.str = tStr, frame.User
	case 't':
		if !hasArg {
			f.time, f.target = 1, tTime
			break
		}
		a := strings.TrimPrefix(strings.TrimPrefix(arg, "begin:"), "end:")
		switch a {
		case "sec":
			f.time, f.target = 3, tEpoch
		case "msec":
			f.time, f.target = 3, tEpochMilli
		case "usec":
			f.time, f.target = 3, tEpochMicro
		case "msec_frac", "usec_frac":
			f.silent = true
		default:
			ops, err := compileStrftime(a, pos+2)
			if err != nil {
				return nil, err
			}
			f.time, f.target, f.layout = 2, tTime, ops
		}
	case 'r':
		f.target, f.prio = tRequest, 2
	case 'm':
		f.target, f.str, f.prio = tStr, frame.Method, 1
	case 'U':
		f.target, f.str, f.prio = tURI, frame.Stem, 1
	case 'H':
		f.target, f.str, f.prio = tStr, frame.Protocol, 1
	case 's':
		f.target, f.str, f.prio = tStatus, frame.Status, 1
		if strings.Contains(name, ">") { // the final status wins over %s, %<s
			f.prio = 2
		}
	case 'b', 'B':
		f.target, f.num, f.prio = tBytes, frame.Bytes, 2
	case 'O':
		f.target, f.num, f.prio = tBytes, frame.Bytes, 1
	case 'I':
		f.target, f.num = tBytes, frame.RequestBytes
	case 'D':
		f.target, f.num, f.div = tNum, frame.TimeTaken, 1e6
	case 'T':
		f.target, f.num, f.div = tNum, frame.TimeTaken, 1
		switch arg {
		case "", "s":
		case "ms":
			f.div = 1e3
		case "us":
			f.div = 1e6
		default:
			return nil, fmt.Errorf("%s at byte %d: the unit must be s, ms or us", name, pos)
		}
	case 'v':
		f.target, f.str, f.prio = tHost, frame.Host, 2
	case 'V':
		f.target, f.str, f.prio = tHost, frame.Host, 1
	case 'i':
		if !hasArg {
			return nil, fmt.Errorf("%s at byte %d needs a header name: %%{Name}i", name, pos)
		}
		switch strings.ToLower(arg) {
		case "referer":
			f.target, f.str = tStr, frame.Referer
		case "user-agent":
			f.target, f.str = tStr, frame.UserAgent
		case "x-forwarded-for":
			f.target = tXFF
		case "host":
			f.target, f.str, f.prio = tHost, frame.Host, 0
		default:
			f.skip = true
		}
	case 'o':
		if strings.EqualFold(arg, "Content-Type") {
			f.target, f.str = tStr, frame.ContentType
		} else {
			f.skip = true
		}
	case 'x':
		if arg == "SSL_PROTOCOL" {
			f.target, f.str = tStr, frame.TLSVersion
		} else {
			f.skip = true
		}
	case '^':
		if two == "FB" { // mod_logio: time to first byte, microseconds
			f.target, f.num, f.div = tNum, frame.TTFB, 1e6
		} else {
			f.skip = true
		}
	case 'q':
		f.skip, f.query = true, true
	default:
		f.skip = true
	}
	return f, nil
}

// ---- GoAccess ------------------------------------------------------------------

// goaccessPredefined are GoAccess's predefined log formats (its man page,
// --log-format) with their date and time layouts.
var goaccessPredefined = map[string][3]string{
	"COMBINED":  {`%h %^[%d:%t %^] "%r" %s %b "%R" "%u"`, "%d/%b/%Y", "%H:%M:%S"},
	"VCOMBINED": {`%v:%^ %h %^[%d:%t %^] "%r" %s %b "%R" "%u"`, "%d/%b/%Y", "%H:%M:%S"},
	"COMMON":    {`%h %^[%d:%t %^] "%r" %s %b`, "%d/%b/%Y", "%H:%M:%S"},
	"VCOMMON":   {`%v:%^ %h %^[%d:%t %^] "%r" %s %b`, "%d/%b/%Y", "%H:%M:%S"},
}

// compileGoAccess reads "date=...;time=...;datetime=...;format=..." (each
// key optional, format= last and taking the rest of the string), or a bare
// format, or a predefined name.
func compileGoAccess(spec string) (*lfCompiler, error) {
	var date, tm, dt string
	var datePos, tmPos, dtPos int
	format, fpos := spec, 1
	if p, ok := goaccessPredefined[spec]; ok {
		format, date, tm = p[0], p[1], p[2]
		datePos, tmPos = 1, 1
	} else if strings.HasPrefix(spec, "date=") || strings.HasPrefix(spec, "time=") ||
		strings.HasPrefix(spec, "datetime=") || strings.HasPrefix(spec, "format=") {
		rest, at := spec, 1
		found := false
		for len(rest) > 0 {
			if v, ok := strings.CutPrefix(rest, "format="); ok {
				format, fpos, found = v, at+len("format="), true
				if p, ok := goaccessPredefined[v]; ok {
					format = p[0]
					if date == "" {
						date, datePos = p[1], fpos
					}
					if tm == "" {
						tm, tmPos = p[2], fpos
					}
				}
				break
			}
			kv, next, _ := strings.Cut(rest, ";")
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("%q at byte %d: want key=value (date=, time=, datetime=, format=)", kv, at)
			}
			switch k {
			case "date":
				date, datePos = v, at+len(k)+1
			case "time":
				tm, tmPos = v, at+len(k)+1
			case "datetime":
				dt, dtPos = v, at+len(k)+1
			default:
				return nil, fmt.Errorf("unknown key %q at byte %d (date=, time=, datetime=, format=)", k, at)
			}
			at += len(kv) + 1
			rest = next
		}
		if !found {
			return nil, fmt.Errorf("no format= in %q", spec)
		}
	}
	compile := func(l string, p int) ([]tmOp, error) {
		if l == "" {
			return nil, nil
		}
		return compileStrftime(l, p)
	}
	dateOps, err := compile(date, datePos)
	if err != nil {
		return nil, err
	}
	tmOps, err := compile(tm, tmPos)
	if err != nil {
		return nil, err
	}
	dtOps, err := compile(dt, dtPos)
	if err != nil {
		return nil, err
	}
	c := &lfCompiler{}
	for i := 0; i < len(format); {
		ch := format[i]
		if ch != '%' {
			j := strings.IndexByte(format[i:], '%')
			if j < 0 {
				j = len(format) - i
			}
			c.literal([]byte(format[i:i+j]), fpos+i)
			i += j
			continue
		}
		if i+1 >= len(format) {
			return nil, fmt.Errorf("%% at byte %d has no specifier", fpos+i)
		}
		d := format[i+1]
		f := &lfFieldSpec{name: format[i : i+2], pos: fpos + i}
		i += 2
		switch d {
		case '%':
			c.literal([]byte{'%'}, f.pos)
			continue
		case 'd':
			if dateOps == nil {
				return nil, fmt.Errorf("%%d at byte %d: no date layout (date=%%d/%%b/%%Y;...)", f.pos)
			}
			f.timePart, f.target, f.layout = 'd', tTime, dateOps
		case 't':
			if tmOps == nil {
				return nil, fmt.Errorf("%%t at byte %d: no time layout (time=%%H:%%M:%%S;...)", f.pos)
			}
			f.timePart, f.target, f.layout = 't', tTime, tmOps
		case 'x':
			if dtOps == nil {
				return nil, fmt.Errorf("%%x at byte %d: no date and time layout (datetime=...;)", f.pos)
			}
			f.time, f.target, f.layout = 2, tTime, dtOps
		case 'h':
			f.target, f.str, f.prio = tIP, frame.IP, 2
		case 'e':
			f.target, f.str = tStr, frame.User
		case 'r':
			f.target, f.prio = tRequest, 2
		case 'm':
			f.target, f.str, f.prio = tStr, frame.Method, 1
		case 'U':
			f.target, f.str, f.prio = tURI, frame.Stem, 1
		case 'H':
			f.target, f.str, f.prio = tStr, frame.Protocol, 1
		case 's':
			f.target, f.str = tStatus, frame.Status
		case 'b':
			f.target, f.num = tBytes, frame.Bytes
		case 'R':
			f.target, f.str = tStr, frame.Referer
		case 'u':
			f.target, f.str = tStr, frame.UserAgent
		case 'v':
			f.target, f.str = tHost, frame.Host
		case 'T':
			f.target, f.num, f.div = tNum, frame.TimeTaken, 1
		case 'L':
			f.target, f.num, f.div = tNum, frame.TimeTaken, 1e3
		case 'D':
			f.target, f.num, f.div = tNum, frame.TimeTaken, 1e6
		case 'n':
			f.target, f.num, f.div = tNum, frame.TimeTaken, 1e9
		case 'K':
			f.target, f.str = tStr, frame.TLSVersion
		case 'M':
			f.target, f.str = tStr, frame.ContentType
		case '^':
			f.silent = true
		case '~':
			f.spaces = true
		case 'q':
			f.skip, f.query = true, true
		default: // %q %k %C ... and any other: matched and discarded
			f.skip = true
		}
		c.field(f)
	}
	return c, nil
}
