package report

import (
	"strconv"
	"testing"

	"github.com/logbook/logbook/analysis"
)

func TestShowTable(t *testing.T) {
	for _, n := range []int{0, 1, longTable, longTable + 1, maxFullRows, maxFullRows + 1} {
		tab := analysis.NewTable("t", "T", analysis.Column{Name: "key", Kind: analysis.Text},
			analysis.Column{Name: "n", Kind: analysis.Integer})
		for i := range n {
			tab.Add("k"+strconv.Itoa(i), i)
		}
		for _, full := range []bool{false, true} {
			st := showTable(tab, full)
			if st.NRows != n || st.NCols != 2 || st.HasIndex || st.Index.Name != "" || !st.Index.Right {
				t.Errorf("%d rows: shape %d×%d, index %+v (HasIndex %v)", n, st.NRows, st.NCols, st.Index, st.HasIndex)
			}
			if len(st.Columns) != 2 || st.Columns[0].Right || !st.Columns[1].Right {
				t.Errorf("%d rows: columns %+v", n, st.Columns)
			}
			shown := len(st.Head) + st.Omitted + len(st.Tail)
			if shown != n || n <= longTable && (st.Omitted != 0 || len(st.Tail) != 0) ||
				n > longTable && (len(st.Head) != headRows || len(st.Tail) != tailRows) {
				t.Errorf("%d rows: head %d, %d omitted, tail %d", n, len(st.Head), st.Omitted, len(st.Tail))
			}
			wantFull := 0
			if full && n > longTable {
				wantFull = min(n, maxFullRows)
			}
			if len(st.Full) != wantFull {
				t.Errorf("%d rows, full %v: %d full rows, want %d", n, full, len(st.Full), wantFull)
			}
			check := func(what string, rows []shownRow, first int) {
				for k, r := range rows {
					i := first + k
					if r.Index != strconv.Itoa(i) || len(r.Cells) != 2 || r.Cells[0] != "k"+strconv.Itoa(i) || r.Cells[1] != analysis.Int(i) {
						t.Errorf("%d rows: %s row %d is %+v", n, what, i, r)
					}
				}
			}
			check("head", st.Head, 0)
			check("tail", st.Tail, n-len(st.Tail))
			check("full", st.Full, 0)
		}
	}
	indexed := analysis.NewTable("t", "T", analysis.Column{Name: "n", Kind: analysis.Integer},
		analysis.Column{Name: "key", Kind: analysis.Text})
	indexed.Index = 1
	indexed.Add(7, "a|b")
	st := showTable(indexed, false)
	if !st.HasIndex || st.Index != (shownColumn{Name: "key"}) || len(st.Columns) != 1 || st.Columns[0] != (shownColumn{Name: "n", Right: true}) ||
		len(st.Head) != 1 || st.Head[0].Index != "a|b" || len(st.Head[0].Cells) != 1 || st.Head[0].Cells[0] != "7" {
		t.Errorf("indexed table shown as %+v", st)
	}
}
