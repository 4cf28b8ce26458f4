package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/logbook/logbook/analysis"
)

// CSV, for spreadsheet users: every table of the report as a CSV file of
// its own (a header row, then the rows with the JSON's typed values: plain
// numbers, shares as fractions, sizes in bytes, times in RFC 3339), in the
// companion folder, named table-SECTION.TABLE.csv; the report file itself
// is an index of them (section, table, title, file, rows, columns, and,
// for a table cut to --max-rows, the rows it had and a note saying so).
//
// Log values are hostile here too: a text cell a spreadsheet would take for
// a formula (starting with = + @, a tab or a carriage return, or - followed
// by more) gets a leading apostrophe, as OWASP recommends against CSV
// injection, so that it shows as text. Numbers are never touched.

func init() {
	registerFormat(Format{Name: "csv", Ext: ".csv", Render: renderCSV, Companions: true})
}

// tableFilePrefix starts the name of every table file, so that WriteFile
// can remove those a previous run left.
const tableFilePrefix = "table-"

func renderCSV(w io.Writer, r *Report, opt Options) ([]CompanionFile, error) {
	dir := opt.FilesDir
	if dir == "" {
		dir = defaultFilesDir
	}
	index := csv.NewWriter(w)
	index.Write([]string{"section", "table", "title", "file", "rows", "columns", "total_rows", "note"})
	var files []CompanionFile
	for _, s := range r.Sections {
		for _, t := range s.Tables() {
			var buf bytes.Buffer
			cw := csv.NewWriter(&buf)
			head := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				head[i] = c.Name
			}
			cw.Write(head)
			row := make([]string, len(t.Columns))
			for _, vals := range t.Rows {
				for i, v := range vals {
					row[i] = csvCell(v)
				}
				cw.Write(row)
			}
			cw.Flush()
			if err := cw.Error(); err != nil {
				return nil, err
			}
			name := path.Join(dir, tableFilePrefix+s.ID+"."+t.ID+".csv")
			files = append(files, CompanionFile{Name: name, Data: buf.Bytes()})
			total, note := len(t.Rows), ""
			if t.Truncated() {
				total = t.TotalRows
				note = (&shownTable{NRows: len(t.Rows), TotalRows: t.TotalRows}).Cut()
			}
			index.Write([]string{s.ID, t.ID, csvText(t.Title), name, strconv.Itoa(len(t.Rows)), strconv.Itoa(len(t.Columns)), strconv.Itoa(total), note})
		}
	}
	index.Flush()
	return files, index.Error()
}

// csvCell is a cell as the JSON has it, written as CSV text.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return csvText(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		if x == math.Trunc(x) && math.Abs(x) < 1e21 {
			return strconv.FormatFloat(x, 'f', -1, 64) // as JSON writes it: 1000000000000, not 1e+12
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.Format(time.RFC3339)
	case analysis.Typed:
		return csvCell(x.V)
	}
	return csvText(fmt.Sprint(v))
}

// csvText defuses a text that a spreadsheet would run as a formula.
func csvText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r':
		return "'" + s
	case '-':
		if len(s) > 1 && strings.Trim(s, "-") != "" {
			return "'" + s
		}
	}
	return s
}
