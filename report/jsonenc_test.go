package report

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
)

// stdJSON is what JSON wrote before its one-pass encoder: the contract the
// encoder must keep byte for byte.
func stdJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type encInner struct {
	A string `json:"a"`
	B []int  `json:"b,omitempty"`
}

type encTagged struct {
	Name    string         `json:"name"`
	Skip    string         `json:"-"`
	Omit    string         `json:"omit,omitempty"`
	Zero    int            `json:"zero,omitempty"`
	Untag   bool           //
	Ptr     *encInner      `json:"ptr"`
	NilPtr  *encInner      `json:"nil_ptr"`
	Map     map[string]int `json:"map"`
	Time    time.Time      `json:"time"`
	Bytes   []byte         `json:"bytes"`
	F32     float32        `json:"f32"`
	U8      uint8          `json:"u8"`
	Arr     [2]string      `json:"arr"`
	Any     any            `json:"any"`
	Nested  [][]any        `json:"nested"`
	Empty   []string       `json:"empty"`
	NilList []string       `json:"nil_list"`
	hidden  int
}

func TestAppendIndentedJSONMatchesEncoder(t *testing.T) {
	hostile := []string{"", "plain", `quote " back \ slash`, "<script>&amp;</script>", "tab\tnl\ncr\rbs\bff\f\x00\x01\x1f\x7f",
		"bad utf8 \xff\xfe end", "line\u2028para\u2029", "émoji 🎉 ü", "\xe2\x80", "日本語"}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1.0 / 3, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 1e20, 1e21, 1.23e21,
		-2.5e-8, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, 0.98}
	var rows [][]any
	for _, s := range hostile {
		rows = append(rows, []any{s, len(s), float64(len(s)) / 7, nil})
	}
	f32 := func(f float64) float32 { return float32(max(-math.MaxFloat32, min(f, math.MaxFloat32))) }
	for _, f := range floats {
		rows = append(rows, []any{f, int(f), int64(-3), uint32(7), true, f32(f), []string{"x"}, map[string]any{"k": f}})
	}
	rows = append(rows, []any{}, nil)
	cases := []any{
		encTagged{},
		encTagged{Name: "n", Omit: "o", Zero: 3, Untag: true, Ptr: &encInner{A: "<a>", B: []int{1, 2}}, Map: map[string]int{"b": 2, "a": 1},
			Time: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC), Bytes: []byte("hi"), F32: 0.1, U8: 200, Arr: [2]string{"x", "&"},
			Any: map[string]any{"z": []any{1, "two", nil}}, Nested: rows, Empty: []string{}, hidden: 1},
		[]any{"top", 1, 2.5, nil, hostile, floats},
		rows,
		hostile,
	}
	for _, s := range hostile {
		cases = append(cases, s, encTagged{Name: s, Any: s, Nested: [][]any{{s}}})
	}
	for _, f := range floats {
		cases = append(cases, f, encTagged{Any: f, F32: f32(f)})
	}
	var big [][]any // enough rows to be written out in several pieces
	for i := range 20000 {
		big = append(big, []any{hostile[i%len(hostile)], i, float64(i) / 3})
	}
	cases = append(cases, encTagged{Nested: big})
	// Contract rows: times as RFC 3339 (seconds, with the offset), typed
	// values as their values, everything else as encoding/json has it;
	// plain [][]any keeps encoding/json's times (RFC 3339 with nanoseconds).
	zones := []*time.Location{time.UTC, time.FixedZone("+0530", 5*3600+1800), time.FixedZone("-0930", -(9*3600 + 1800)), time.FixedZone("", 0)}
	var contract jsonRows
	for i, z := range zones {
		at := time.Date(2024, 3, 4, 5, 6, 7, i*123456789, z)
		contract = append(contract, []any{at, analysis.Typed{Kind: analysis.Time, V: at}, analysis.Typed{Kind: analysis.Integer, V: i},
			analysis.Typed{Kind: analysis.Duration, V: float64(i) / 3}, analysis.Typed{Kind: analysis.Text, V: hostile[i]},
			analysis.Typed{Kind: analysis.Float, V: nil}, hostile[i+3], i, float64(i) / 7, nil, int64(-3), []string{"x"}})
		rows = append(rows, []any{at, analysis.Typed{Kind: analysis.Integer, V: i}})
	}
	contract = append(contract, []any{}, nil)
	var bigContract jsonRows
	for i := range 20000 {
		bigContract = append(bigContract, []any{time.Unix(int64(i)*3607, 0).In(zones[i%len(zones)]), analysis.Typed{Kind: analysis.Bytes, V: i}, hostile[i%len(hostile)]})
	}
	cases = append(cases, contract, jsonRows{}, jsonRows(nil), rows, encTagged{Nested: rows},
		jsonTable{ID: "t", Columns: []string{"a"}, Kinds: []string{"time"}, Rows: contract}, []jsonTable{{Rows: bigContract}})
	for i, c := range cases {
		want := stdJSON(t, c)
		got, err := appendIndentedJSON(nil, c)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("case %d differs at byte %d:\n got %s\nwant %s", i, firstByteDiff(got, want), got, want)
		}
		var w bytes.Buffer
		if err := writeIndentedJSON(&w, c); err != nil || !bytes.Equal(w.Bytes(), want) {
			t.Errorf("case %d: written (%v) differs at byte %d", i, err, firstByteDiff(w.Bytes(), want))
		}
	}
}

func TestAppendIndentedJSONRejectsNaN(t *testing.T) {
	for _, v := range []any{math.NaN(), [][]any{{math.Inf(1)}}, encTagged{Any: math.Inf(-1)}} {
		if _, err := appendIndentedJSON(nil, v); err == nil {
			t.Errorf("%v: no error", v)
		}
	}
}

// TestJSONReportMatchesEncoder renders a report with every kind of field
// filled both ways.
func TestJSONReportMatchesEncoder(t *testing.T) {
	tab := analysis.NewTable("t<1>", "Title & more", analysis.Column{Name: "ip", Kind: analysis.Text},
		analysis.Column{Name: "n", Kind: analysis.Integer}, analysis.Column{Name: "p", Kind: analysis.Share})
	tab.Add("1.2.3.4", 3, 0.25)
	tab.Add("<img src=x>", 0, math.NaN())
	every, _ := everyKindTable()
	empty := analysis.NewTable("empty", "", analysis.Column{Name: "x", Kind: analysis.Text})
	s := &analysis.Section{ID: "s", Title: "S", Doc: "doc \u2028"}
	s.Compute("df.x", analysis.Output{Table: tab}, analysis.Output{Table: empty}, analysis.Output{Table: every})
	s.Find("f1", analysis.SevWarning, 12.5, "m <b>")
	s.Find("f2", analysis.SevNotice, "a string", "")
	s.Find("f3", analysis.SevInfo, nil, "nil value")
	s.Conclude("**bold** & done")
	skipped := &analysis.Section{ID: "k", Title: "K", Skipped: "skipped: no column"}
	failed := &analysis.Section{ID: "e", Title: "E", Error: "boom"}
	r := &Report{Title: "T", Generated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Loc: time.FixedZone("+0200", 7200),
		Sources: []analysis.Source{{Name: "a.log", Format: "combined", Compression: "gzip", Lines: 3, Records: 2, Malformed: 1,
			Examples: []analysis.Example{{Line: 2, Reason: "bad", Text: "x\xff"}}, Repairs: []analysis.Example{{Line: 3, Reason: "r", Text: "y"}},
			Err: "cut short"}, {Name: "notes.txt", Skipped: "not a log"}},
		Records: 2, First: time.Unix(1e9, 0), Last: time.Unix(1e9+60, 0), Sections: []*analysis.Section{s, skipped, failed}}
	got, err := JSON(r)
	if err != nil {
		t.Fatal(err)
	}
	old := jsonReportView(r)
	want := stdJSON(t, old)
	if !bytes.Equal(got, want) {
		t.Errorf("differs at byte %d:\n got %s\nwant %s", firstByteDiff(got, want), got, want)
	}
}

func firstByteDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// everyKindTable is a table with a column of each kind, and its rows as the
// JSON contract writes them.
func everyKindTable() (*analysis.Table, string) {
	var cols []analysis.Column
	for k := analysis.Text; k <= analysis.Mixed; k++ {
		cols = append(cols, analysis.Column{Name: "c_" + k.String(), Kind: k})
	}
	tab := analysis.NewTable("every_kind", "Every kind", cols...)
	plus := time.FixedZone("+0100", 3600)
	at := time.Date(2024, 3, 4, 12, 5, 9, 0, plus)
	tab.Add("GET", 14002, 3.25, 0.125, 1536.0, 0.0125, 603000, at, "2024-03-04", analysis.Typed{Kind: analysis.Bytes, V: 2812345678})
	tab.Add("", 0, math.NaN(), 1.0, 0, 2.0, 59.5, at.UTC(), "2024-03-05", analysis.Typed{Kind: analysis.Time, V: at})
	tab.Add("x", -1, nil, nil, nil, nil, nil, at.In(time.FixedZone("-0930", -(9*3600+1800))), "2024-03-06", analysis.Typed{Kind: analysis.Float, V: math.Inf(1)})
	return tab, `[["GET",14002,3.25,0.125,1536,0.0125,603000,"2024-03-04T12:05:09+01:00","2024-03-04",2812345678],` +
		`["",0,null,1,0,2,59.5,"2024-03-04T11:05:09Z","2024-03-05","2024-03-04T12:05:09+01:00"],` +
		`["x",-1,null,null,null,null,null,"2024-03-04T01:35:09-09:30","2024-03-06",null]]`
}

// TestJSONTableKinds: every kind of value as the contract says: numbers as
// numbers, times in RFC 3339 with their offset, typed values as their
// values, and the kinds' names after the columns.
func TestJSONTableKinds(t *testing.T) {
	tab, wantRows := everyKindTable()
	s := &analysis.Section{ID: "s", Title: "S"}
	s.Compute("df", analysis.Output{Table: tab})
	r := &Report{Generated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Loc: time.UTC, Sections: []*analysis.Section{s}}
	got, err := JSON(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sections []struct {
			Tables []struct {
				Columns []string        `json:"columns"`
				Kinds   []string        `json:"kinds"`
				Rows    json.RawMessage `json:"rows"`
			} `json:"tables"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	jt := doc.Sections[0].Tables[0]
	wantKinds := []string{"text", "integer", "float", "share", "bytes", "seconds", "duration", "time", "date", "mixed"}
	if !slices.Equal(jt.Kinds, wantKinds) || len(jt.Columns) != len(wantKinds) {
		t.Errorf("kinds = %q, want %q (columns %q)", jt.Kinds, wantKinds, jt.Columns)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, jt.Rows); err != nil {
		t.Fatal(err)
	}
	if compact.String() != wantRows {
		t.Errorf("rows:\n got %s\nwant %s", compact.String(), wantRows)
	}
	if i, j := bytes.Index(got, []byte(`"columns"`)), bytes.Index(got, []byte(`"kinds"`)); i < 0 || j < i {
		t.Errorf(`"kinds" does not follow "columns": %d, %d`, i, j)
	}
}
