package report

import (
	"encoding"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/logbook/logbook/analysis"
)

// appendIndentedJSON appends v as json.Encoder with SetIndent("", " ")
// writes it, byte for byte (HTML-safe escaping, ES6 numbers, a final
// newline), but in one pass: the encoder marshals the whole report and then
// re-indents it byte by byte, which for a report whose tables hold
// hundreds of thousands of rows costs more than everything else it does.
// Table rows ([]any of strings and numbers, and jsonRows with their times
// and typed values) take a direct path; anything
// unusual (maps, marshalers, embedded structs) is handed to encoding/json.
func appendIndentedJSON(dst []byte, v any) ([]byte, error) {
	e := jsonEnc{buf: dst}
	e.value(reflect.ValueOf(v), 0)
	if e.err != nil {
		return nil, e.err
	}
	return append(e.buf, '\n'), nil
}

// writeIndentedJSON writes what appendIndentedJSON appends to w, through a
// small buffer.
func writeIndentedJSON(w io.Writer, v any) error {
	e := jsonEnc{buf: make([]byte, 0, 2*jsonFlushAt), w: w}
	e.value(reflect.ValueOf(v), 0)
	e.buf = append(e.buf, '\n')
	if e.err == nil {
		_, e.err = w.Write(e.buf)
	}
	return e.err
}

const jsonFlushAt = 64 << 10

type jsonEnc struct {
	buf []byte
	err error
	w   io.Writer // if set, buf is flushed to it between array elements
}

func (e *jsonEnc) flush() {
	if e.w == nil || len(e.buf) < jsonFlushAt || e.err != nil {
		return
	}
	_, e.err = e.w.Write(e.buf)
	e.buf = e.buf[:0]
}

func (e *jsonEnc) newline(depth int) {
	e.buf = append(e.buf, '\n')
	for range depth {
		e.buf = append(e.buf, ' ')
	}
}

var (
	anyType       = reflect.TypeFor[any]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
	jsonRowsType  = reflect.TypeFor[jsonRows]()
)

// fallback encodes v with encoding/json, indented to depth.
func (e *jsonEnc) fallback(v reflect.Value, depth int) {
	b, err := json.MarshalIndent(v.Interface(), strings.Repeat(" ", depth), " ")
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	e.buf = append(e.buf, b...)
}

func (e *jsonEnc) value(v reflect.Value, depth int) {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return
	}
	t := v.Type()
	if t == jsonRowsType { // before its MarshalJSON, which is the reference
		e.rows(v.Interface().(jsonRows), depth, true)
		return
	}
	if t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer && (t.Implements(marshalerType) || t.Implements(textType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textType)) {
		e.fallback(v, depth)
		return
	}
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		e.scalarOr(v.Elem(), depth)
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		e.value(v.Elem(), depth)
	case reflect.Struct:
		e.object(v, depth)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		if t.Elem().Kind() == reflect.Uint8 {
			e.fallback(v, depth) // base64
			return
		}
		e.array(v, depth)
	case reflect.Array:
		e.array(v, depth)
	default:
		e.scalarOr(v, depth)
	}
}

// scalarOr writes a string, number, bool or nil directly, and anything else
// through value.
func (e *jsonEnc) scalarOr(v reflect.Value, depth int) {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		v = v.Elem()
	}
	if v.CanInterface() {
		switch x := v.Interface().(type) {
		case string:
			e.buf = appendJSONString(e.buf, x)
			return
		case float64:
			e.float(x, 64)
			return
		case int:
			e.buf = strconv.AppendInt(e.buf, int64(x), 10)
			return
		case nil:
			e.buf = append(e.buf, "null"...)
			return
		}
	}
	t := v.Type()
	if t.Implements(marshalerType) || t.Implements(textType) {
		e.fallback(v, depth)
		return
	}
	switch v.Kind() {
	case reflect.String:
		e.buf = appendJSONString(e.buf, v.String())
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32:
		e.float(v.Float(), 32)
	case reflect.Float64:
		e.float(v.Float(), 64)
	case reflect.Struct, reflect.Slice, reflect.Array, reflect.Pointer:
		e.value(v, depth)
	default:
		e.fallback(v, depth)
	}
}

func (e *jsonEnc) float(f float64, bits int) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if e.err == nil {
			e.err = &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, bits)}
		}
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	start := len(e.buf)
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, bits)
	if format == 'e' {
		b := e.buf[start:]
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			e.buf = e.buf[:len(e.buf)-1]
		}
	}
}

func (e *jsonEnc) array(v reflect.Value, depth int) {
	n := v.Len()
	if n == 0 {
		e.buf = append(e.buf, "[]"...)
		return
	}
	if x, ok := v.Interface().([][]any); ok { // table rows: the bulk of a report
		e.rows(x, depth, false)
		return
	}
	e.buf = append(e.buf, '[')
	switch x := v.Interface().(type) {
	case []string:
		for i, s := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			e.buf = appendJSONString(e.buf, s)
		}
	default:
		for i := range n {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			e.value(v.Index(i), depth+1)
			e.flush()
		}
	}
	e.newline(depth)
	e.buf = append(e.buf, ']')
}

// rows writes table rows, the bulk of a report; contract is set for
// jsonRows, whose cells follow jsonCell rather than encoding/json.
func (e *jsonEnc) rows(rows [][]any, depth int, contract bool) {
	if len(rows) == 0 {
		e.buf = append(e.buf, "[]"...)
		return
	}
	e.buf = append(e.buf, '[')
	for i, row := range rows {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth + 1)
		e.row(row, depth+1, contract)
		e.flush()
	}
	e.newline(depth)
	e.buf = append(e.buf, ']')
}

func (e *jsonEnc) row(row []any, depth int, contract bool) {
	if row == nil {
		e.buf = append(e.buf, "null"...)
		return
	}
	if len(row) == 0 {
		e.buf = append(e.buf, "[]"...)
		return
	}
	e.buf = append(e.buf, '[')
	for i, c := range row {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth + 1)
		e.cell(c, depth+1, contract)
	}
	e.newline(depth)
	e.buf = append(e.buf, ']')
}

// cell writes one table value; with contract, as jsonCell maps it. It
// takes no address of c, so that c stays on the stack: a report's cells
// are millions.
func (e *jsonEnc) cell(c any, depth int, contract bool) {
	switch x := c.(type) {
	case string:
		e.buf = appendJSONString(e.buf, x)
		return
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
		return
	case float64:
		e.float(x, 64)
		return
	case nil:
		e.buf = append(e.buf, "null"...)
		return
	case time.Time:
		if contract {
			// RFC 3339 has nothing a JSON string escapes.
			e.buf = append(e.buf, '"')
			e.buf = x.AppendFormat(e.buf, time.RFC3339)
			e.buf = append(e.buf, '"')
			return
		}
	case analysis.Typed:
		if contract {
			e.cell(x.V, depth, true)
			return
		}
	}
	e.cellValue(c, depth)
}

// cellValue writes any other cell as encoding/json would.
//
//go:noinline
func (e *jsonEnc) cellValue(c any, depth int) {
	e.value(reflect.ValueOf(&c).Elem(), depth)
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	index     int
	key       []byte // "name": with its quotes, colon and space
	omitEmpty bool
}

var jsonFields sync.Map // reflect.Type → []jsonField, or nil when the struct needs encoding/json

func fieldsOf(t reflect.Type) ([]jsonField, bool) {
	if f, ok := jsonFields.Load(t); ok {
		fs, _ := f.([]jsonField)
		return fs, fs != nil
	}
	fs := []jsonField{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			fs = nil // embedded fields: leave their promotion rules to encoding/json
			break
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(","+opts+",", ",string,") || !validKey(name) {
			fs = nil
			break
		}
		key := appendJSONString(nil, name)
		key = append(key, ':', ' ')
		fs = append(fs, jsonField{index: i, key: key, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	if fs == nil {
		jsonFields.Store(t, []jsonField(nil))
		return nil, false
	}
	jsonFields.Store(t, fs)
	return fs, true
}

// validKey is a conservative subset of the tag names encoding/json accepts
// unchanged; others go through encoding/json.
func validKey(name string) bool {
	for _, c := range name {
		if c != '_' && c != '-' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return name != ""
}

func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

func (e *jsonEnc) object(v reflect.Value, depth int) {
	fs, ok := fieldsOf(v.Type())
	if !ok {
		e.fallback(v, depth)
		return
	}
	first := true
	for _, f := range fs {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmptyJSON(fv) {
			continue
		}
		if first {
			e.buf = append(e.buf, '{')
			first = false
		} else {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth + 1)
		e.buf = append(e.buf, f.key...)
		e.value(fv, depth+1)
	}
	if first {
		e.buf = append(e.buf, "{}"...)
		return
	}
	e.newline(depth)
	e.buf = append(e.buf, '}')
}

const jsonHex = "0123456789abcdef"

// jsonSafe marks the ASCII bytes encoding/json writes as they are when it
// escapes HTML: printable, and none of " \ < > &.
var jsonSafe = func() (s [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		s[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return s
}()

// appendJSONString is encoding/json's string encoding with HTML escaping.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', jsonHex[b>>4], jsonHex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', jsonHex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
