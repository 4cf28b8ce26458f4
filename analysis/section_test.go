package analysis

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKindNames(t *testing.T) {
	want := map[Kind]string{Text: "text", Integer: "integer", Float: "float", Share: "share", Bytes: "bytes",
		Seconds: "seconds", Duration: "duration", Time: "time", Date: "date", Mixed: "mixed"}
	if len(want) != len(kindNames) {
		t.Fatalf("%d kinds named, %d tested", len(kindNames), len(want))
	}
	for k, name := range want {
		if k.String() != name {
			t.Errorf("Kind %d = %q, want %q", int(k), k.String(), name)
		}
	}
	if Kind(99).String() != "Kind(99)" {
		t.Error("an unknown kind says its number")
	}
}

func TestAddTyped(t *testing.T) {
	at := time.Date(2024, 3, 4, 5, 6, 7, 0, time.FixedZone("+0100", 3600))
	tab := NewTable("t", "T", Column{"when", Time}, Column{"value", Mixed}, Column{"n", Float})
	tab.Add(at, Typed{Integer, 3}, math.NaN())
	tab.Add(at, Typed{Float, math.Inf(1)}, 1.5)
	want := [][]any{{at, Typed{Integer, 3}, nil}, {at, Typed{Float, nil}, 1.5}}
	if !reflect.DeepEqual(tab.Rows, want) {
		t.Errorf("rows = %v, want %v", tab.Rows, want)
	}
}

func TestAddPanicsOnWrongValue(t *testing.T) {
	at := time.Unix(0, 0).UTC()
	for _, c := range []struct {
		name string
		row  []any
	}{
		{"time as text", []any{"2024-03-04 05:06:07", Typed{Integer, 1}}},
		{"time as seconds", []any{int64(0), Typed{Integer, 1}}},
		{"missing time", []any{nil, Typed{Integer, 1}}},
		{"untyped mixed", []any{at, 1}},
		{"untyped mixed string", []any{at, "10,000"}},
		{"nested mixed", []any{at, Typed{Mixed, Typed{Integer, 1}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab := NewTable("t", "T", Column{"when", Time}, Column{"value", Mixed})
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, "table t: column") {
					t.Errorf("Add(%v) recovered %v, want a panic naming the table and column", c.row, r)
				}
			}()
			tab.Add(c.row...)
		})
	}
}
