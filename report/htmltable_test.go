package report

import (
	"html/template"
	"strings"
	"testing"

	"github.com/logbook/logbook/analysis"
)

// tableTemplate is the table markup as an html/template, the way the page
// rendered tables before renderTable: the reference renderTable must match.
const tableTemplate = `{{define "table"}}<table class="df" id="{{.ID}}">
<caption>{{.Title}}</caption>
<thead><tr><th class="index">{{.IndexName}}</th>{{range .Columns}}<th class="{{.Class}}">{{.Name}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Head}}
<tr><th class="index{{if .IndexText}} text{{end}}">{{.Index}}</th>{{range .Cells}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{- end}}
{{- if .Omitted}}
<tr class="ellipsis"><th>…</th>{{range .Columns}}<td>…</td>{{end}}</tr>
{{- range .Tail}}
<tr><th class="index{{if .IndexText}} text{{end}}">{{.Index}}</th>{{range .Cells}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{- end}}
{{- end}}
</tbody>
</table>
<p class="shape">{{.Shape}}</p>
{{- if .Full}}
<details class="full"><summary>{{.FullLabel}}</summary>
<table class="df">
<thead><tr><th class="index">{{.IndexName}}</th>{{range .Columns}}<th class="{{.Class}}">{{.Name}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Full}}
<tr><th class="index{{if .IndexText}} text{{end}}">{{.Index}}</th>{{range .Cells}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
</details>
{{- end}}
{{- end}}`

// templateTable is what tableTemplate executes: the fields of a shown
// table, and the classes and labels of the HTML page.
func templateTable(st *shownTable) any {
	type value struct{ Text, Class string }
	type row struct {
		Index     string
		IndexText bool
		Cells     []value
	}
	type column struct{ Name, Class string }
	rows := func(in []shownRow) []row {
		var out []row
		for _, r := range in {
			hr := row{Index: r.Index, IndexText: st.HasIndex && !st.Index.Right}
			for j, text := range r.Cells {
				hr.Cells = append(hr.Cells, value{Text: text, Class: htmlCellClass(st.Columns[j], text)})
			}
			out = append(out, hr)
		}
		return out
	}
	var cols []column
	for _, c := range st.Columns {
		cols = append(cols, column{Name: c.Name, Class: htmlClass(c)})
	}
	v := struct {
		ID, Title, IndexName, Shape, FullLabel string
		Columns                                []column
		Head, Tail, Full                       []row
		Omitted                                int
	}{ID: htmlTableID(st), Title: st.Title, IndexName: st.Index.Name, Shape: st.Shape(),
		Columns: cols, Head: rows(st.Head), Tail: rows(st.Tail), Full: rows(st.Full), Omitted: st.Omitted}
	if len(st.Full) > 0 {
		v.FullLabel = htmlFullLabel(st)
	}
	return v
}

func TestRenderTableMatchesTemplate(t *testing.T) {
	tmpl := template.Must(template.New("t").Parse(tableTemplate))
	hostile := []string{
		"", "plain", "<script>alert(1)</script>", `"quoted" & 'single'`, "a+b=c", "nul\x00byte",
		"bad utf-8 \xff\xfe<", "ünïcödé → ✓", "\ufdd0 \uffff", "`backtick` {{.}} $x", "line\nbreak\ttab",
	}
	var tables []*analysis.Table
	for rows := range []int{0, 1, 25, 120, 1500} {
		tab := analysis.NewTable("t<"+hostile[rows%len(hostile)], "Title "+hostile[(rows+2)%len(hostile)],
			analysis.Column{Name: "name<&>", Kind: analysis.Text}, analysis.Column{Name: "n", Kind: analysis.Integer},
			analysis.Column{Name: "share", Kind: analysis.Share})
		n := []int{0, 1, 25, 120, 1500}[rows]
		for i := range n {
			tab.Add(hostile[i%len(hostile)]+strings.Repeat("x", i%40), i, float64(i)/7)
		}
		tables = append(tables, tab)
		indexed := analysis.NewTable("indexed", "Indexed", analysis.Column{Name: "key", Kind: analysis.Text},
			analysis.Column{Name: "n", Kind: analysis.Integer})
		indexed.Index = 0
		for i := range n {
			indexed.Add(hostile[(i+3)%len(hostile)], i)
		}
		tables = append(tables, indexed)
	}
	for _, tab := range tables {
		st := showTable(tab, true)
		var want strings.Builder
		if err := tmpl.ExecuteTemplate(&want, "table", templateTable(st)); err != nil {
			t.Fatal(err)
		}
		got := string(renderTable(st))
		if got != want.String() {
			i := 0
			for i < len(got) && i < len(want.String()) && got[i] == want.String()[i] {
				i++
			}
			t.Errorf("table %s (%d rows): renderTable differs from the template at byte %d:\n got %q\nwant %q",
				tab.ID, len(tab.Rows), i, got[max(0, i-40):min(len(got), i+40)], want.String()[max(0, i-40):min(want.Len(), i+40)])
		}
	}
}
