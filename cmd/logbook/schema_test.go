package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestJSONSchema validates the JSON report on samples/ (every format and
// the hostile log among them) against docs/report.schema.json, checks each
// table cell against its column's kind, which the schema cannot express,
// and checks that the schema refuses what breaks the contract.
func TestJSONSchema(t *testing.T) {
	t.Chdir("../..")
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	if _, stderr, err := runCLI(t, "", "report", "--now", "2024-01-01T00:00:00Z", "-o", out, "samples/"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	schema := compileSchema(t, "docs/report.schema.json")
	doc := decode(t, data)
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("the report on samples/ does not validate:\n%v", err)
	}
	checkKinds(t, data)

	// The schema is not vacuous: each of these breaks the contract.
	for name, edit := range map[string]func(m map[string]any){
		"schema_version as a string": func(m map[string]any) { m["schema_version"] = "1" },
		"no kinds": func(m map[string]any) {
			delete(firstTable(m), "kinds")
		},
		"an unknown kind": func(m map[string]any) {
			firstTable(m)["kinds"] = []any{"text", "percent"}
		},
		"a cell that is an object": func(m map[string]any) {
			firstTable(m)["rows"] = []any{[]any{"records", map[string]any{"n": 1}}}
		},
		"a finding without severity": func(m map[string]any) {
			delete(m["key_findings"].([]any)[0].(map[string]any), "severity")
		},
		"a time without offset": func(m map[string]any) { m["generated"] = "2024-01-01 00:00:00" },
		"a negative count":      func(m map[string]any) { m["input"].(map[string]any)["records"] = -1 },
	} {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		if err := schema.Validate(decode(t, b)); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func firstTable(m map[string]any) map[string]any {
	return m["sections"].([]any)[0].(map[string]any)["tables"].([]any)[0].(map[string]any)
}

// checkKinds holds every cell of every table to its column's kind as
// docs/json.md defines it.
func checkKinds(t *testing.T, data []byte) {
	t.Helper()
	var rep struct {
		Sections []struct {
			ID     string
			Tables []struct {
				ID      string
				Columns []string
				Kinds   []string
				Rows    [][]any
			}
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range rep.Sections {
		for _, tb := range s.Tables {
			if len(tb.Kinds) != len(tb.Columns) {
				t.Errorf("%s/%s: %d kinds for %d columns", s.ID, tb.ID, len(tb.Kinds), len(tb.Columns))
				continue
			}
			for i, row := range tb.Rows {
				if len(row) != len(tb.Columns) {
					t.Errorf("%s/%s row %d: %d cells for %d columns", s.ID, tb.ID, i, len(row), len(tb.Columns))
					continue
				}
				for j, v := range row {
					seen[tb.Kinds[j]] = true
					if why := badCell(tb.Kinds[j], v); why != "" {
						t.Errorf("%s/%s row %d column %s (%s): %v: %s", s.ID, tb.ID, i, tb.Columns[j], tb.Kinds[j], v, why)
					}
				}
			}
		}
	}
	for _, k := range []string{"text", "integer", "float", "share", "bytes", "time", "date", "mixed", "seconds"} {
		if !seen[k] {
			t.Errorf("no cell of kind %s in the report on samples/: the check does not cover it", k)
		}
	}
}

func badCell(kind string, v any) string {
	num, isNum := v.(float64)
	str, isStr := v.(string)
	switch kind {
	case "text":
		if !isStr {
			return "not a string"
		}
	case "integer":
		if !isNum || num != math.Trunc(num) {
			return "not a whole number"
		}
	case "bytes":
		if !isNum || num < 0 {
			return "not a size (a mean may have a fraction)"
		}
	case "share":
		if !isNum || num < 0 || num > 1 {
			return "not a fraction from 0 to 1"
		}
	case "float", "seconds", "duration":
		if v != nil && !isNum {
			return "not a number or null"
		}
	case "time":
		if _, err := time.Parse(time.RFC3339, str); !isStr || err != nil {
			return "not an RFC 3339 time"
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, str); !isStr || err != nil {
			return "not a YYYY-MM-DD day"
		}
	case "mixed":
		if !isStr && !isNum && v != nil {
			return "not a string, number or null"
		}
	default:
		return "unknown kind"
	}
	return ""
}

// TestJSONSchemaSelection: a report with a window and filters states them
// in input.selection, as the schema says, and its records are the
// selected ones.
func TestJSONSchemaSelection(t *testing.T) {
	t.Chdir("../..")
	out := filepath.Join(t.TempDir(), "r.json")
	if _, stderr, err := runCLI(t, "", "report", "--now", "2024-01-01T00:00:00Z", "--since", "2015-05-18", "--until", "2015-05-19T12:00",
		"--exclude-ip", "10.0.0.0/8,2001:db8::/32", "--status", "2xx,304", "--compare", "previous", "--exclude-path", "re:\\.(png|jpg)$", "-o", out, "samples/apache/access.log"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t, "docs/report.schema.json").Validate(decode(t, data)); err != nil {
		t.Fatalf("does not validate:\n%v", err)
	}
	var m struct {
		Input struct {
			Records   int `json:"records"`
			Selection struct {
				From     string   `json:"from"`
				Until    string   `json:"until"`
				Filters  []string `json:"filters"`
				Read     int      `json:"records_read"`
				Selected int      `json:"records_selected"`
			} `json:"selection"`
		} `json:"input"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	s := m.Input.Selection
	if s.From != "2015-05-18T00:00:00Z" || s.Until != "2015-05-19T12:00:00Z" || len(s.Filters) != 3 ||
		s.Read != 10000 || s.Selected != m.Input.Records || s.Selected == 0 || s.Selected >= 10000/2 {
		t.Errorf("selection %+v, records %d", s, m.Input.Records)
	}
	if !strings.Contains(string(data), `"id": "comparison"`) || !strings.Contains(string(data), `"id": "period_metrics"`) {
		t.Error("--compare previous made no comparison section")
	}
}
