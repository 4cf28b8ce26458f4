package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/logbook/logbook/analysis"
)

func TestWalkReport(t *testing.T) {
	tab := analysis.NewTable("t", "T", analysis.Column{Name: "n", Kind: analysis.Integer})
	plot := &analysis.Plot{ID: "p"}
	a := &analysis.Section{ID: "a"}
	a.Prose("why")
	a.Compute("one", analysis.Output{Table: tab}, analysis.Output{Table: tab, Plot: plot})
	a.Compute("two")
	a.Conclude("so")
	skipped := &analysis.Section{ID: "skipped", Skipped: "no column"}
	skipped.Compute("never shown", analysis.Output{Table: tab})
	failed := &analysis.Section{ID: "failed", Error: "boom"}
	b := &analysis.Section{ID: "b"}
	b.Compute("three", analysis.Output{Plot: plot})
	r := &Report{Sections: []*analysis.Section{a, skipped, failed, b}}

	names := map[itemKind]string{itemSection: "section", itemProse: "prose", itemCode: "code", itemTable: "table",
		itemPlot: "plot", itemConclusions: "conclusions", itemSectionEnd: "end"}
	show := func(items []item) string {
		var out []string
		for _, it := range items {
			s := it.Section.ID + ":" + names[it.Kind]
			switch it.Kind {
			case itemCode, itemTable, itemPlot:
				s += fmt.Sprintf("[%d] cell %d", it.N, it.Cell)
				if it.Kind != itemCode {
					s += fmt.Sprintf(" out %d", it.Out)
				}
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	}
	items := walkReport(r, 1)
	want := strings.Join([]string{
		"a:section", "a:prose", "a:code[2] cell 1", "a:table[2] cell 1 out 0", "a:table[2] cell 1 out 1",
		"a:plot[2] cell 1 out 1", "a:code[3] cell 2", "a:conclusions", "a:end",
		"skipped:section", "skipped:end",
		"failed:section", "failed:end",
		"b:section", "b:code[4] cell 0", "b:plot[4] cell 0 out 0", "b:end",
	}, "\n")
	if got := show(items); got != want {
		t.Errorf("walk:\n%s\nwant:\n%s", got, want)
	}
	spans := sectionSpans(items)
	if len(spans) != len(r.Sections) {
		t.Fatalf("%d spans for %d sections", len(spans), len(r.Sections))
	}
	for i, sp := range spans {
		if sp[0].Kind != itemSection || sp[len(sp)-1].Kind != itemSectionEnd || sp[0].Section != r.Sections[i] {
			t.Errorf("span %d:\n%s", i, show(sp))
		}
	}
}
