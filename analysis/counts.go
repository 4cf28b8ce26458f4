package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

// Value counts and their order, as the sections share them: how many rows
// hold each value of a column (or each label), most frequent first, ties
// broken by the value so that the order never depends on input order; and
// the table of value_counts() built from them.

// byCount orders counts from the largest down: the comparison of two rows'
// counts for slices.SortFunc, when the tie-break is not a single key.
func byCount(an, bn int) int { return cmp.Compare(bn, an) }

// byCountThenKey orders rows by count, the largest first, then by key
// ascending: the order of value_counts() with ties broken by key. Compare
// a's count and key with b's:
//
//	slices.SortFunc(rows, func(a, b row) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
func byCountThenKey[K cmp.Ordered](an int, ak K, bn int, bk K) int {
	if an != bn {
		return cmp.Compare(bn, an)
	}
	return cmp.Compare(ak, bk)
}

// keyCount is one row of value_counts(): a value as the report shows it
// and the rows that hold it.
type keyCount struct {
	key  string
	n    int
	code uint32 // the value's dictionary code, for counts from a column
}

// codeCounts returns the values of a dictionary column that have a
// non-zero count (counts is indexed by code, as CodeView.Counts returns
// it), most frequent first, then by value; an empty value is shown as "-"
// but sorted as the empty string it is.
func codeCounts(counts []int, dict []string) []keyCount {
	n := 0
	for _, c := range counts {
		if c > 0 {
			n++
		}
	}
	out := make([]keyCount, 0, n)
	for c, k := range counts {
		if k > 0 {
			out = append(out, keyCount{key: dict[c], n: k, code: uint32(c)})
		}
	}
	slices.SortFunc(out, func(a, b keyCount) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
	for i := range out {
		out[i].key = orDash(out[i].key)
	}
	return out
}

// viewCodeCounts is codeCounts for a column's view, with counts from it
// (CodeView.Counts): the same rows in the same order, sorted by count and
// the rank of each value in the column's shared sorted order rather than
// by comparing strings, which costs seconds on a million distinct values.
func viewCodeCounts(v *frame.CodeView, counts []int) []keyCount {
	order := v.Order()
	type row struct {
		n          int
		rank, code uint32
	}
	rows := make([]row, 0, len(counts))
	for rank, c := range order {
		if counts[c] > 0 {
			rows = append(rows, row{counts[c], uint32(rank), c})
		}
	}
	// Rows are in key order: a stable sort by count keeps it among ties.
	slices.SortStableFunc(rows, func(a, b row) int { return byCount(a.n, b.n) })
	out := make([]keyCount, len(rows))
	for i, r := range rows {
		out[i] = keyCount{key: orDash(v.Dict.At(r.code)), n: r.n, code: r.code}
	}
	return out
}

// topCodeCounts is topKeyCounts of the codes of d with a count (counts
// by code), read one at a time in code order rather than listed first: of
// a million agents, only the rows kept hold their strings (a large
// dictionary's are packed, and a string read holds its block).
func topCodeCounts(d *Dict, counts []int, k int) []keyCount {
	top := newTopRows(max(k, 1), func(a, b keyCount) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
	offer := func(c int, key string) { // key lasts for the call: a row kept holds a copy
		if n := counts[c]; n > 0 {
			r := keyCount{key: key, n: n, code: uint32(c)}
			if !top.wants(r) {
				top.pass() // one comparison of its key, not two: of a million agents at one request each, most are compared and passed
				return
			}
			r.key = strings.Clone(key)
			top.offer(r)
		}
	}
	d.scan(len(counts), offer)
	out, _ := top.sorted()
	return out
}

// topKeyCounts returns the first k of rows (k ≥ 1) in the order of
// labelCounts (most frequent first, then by key), without sorting them
// all (topN). Keys must be distinct.
func topKeyCounts(rows []keyCount, k int) []keyCount { return topN(rows, k, byKeyCount) }

// keyCountTop keeps the first k (k ≥ 1) key counts offered, in
// topKeyCounts' order: for rows offered as they are made rather than
// listed first.
func keyCountTop(k int) *topRows[keyCount] { return newTopRows(max(k, 1), byKeyCount) }

// byKeyCount orders key counts most frequent first, then by key.
func byKeyCount(a, b keyCount) int { return byCountThenKey(a.n, a.key, b.n, b.key) }

// topN returns the first k of rows (k ≥ 1) in the order of cmp, a total
// order (no two rows equal), without sorting them all: topRows keeps the
// best k seen, so that the top 20 of a million rows cost a pass rather
// than a sort of a million. The result is a new slice.
func topN[T any](rows []T, k int, cmp func(a, b T) int) []T {
	top := newTopRows(max(k, 1), cmp)
	for _, r := range rows {
		top.offer(r)
	}
	out, _ := top.sorted()
	return out
}

// labelCounts returns the labels of m with their counts, most frequent
// first, then by label.
func labelCounts(m map[string]int) []keyCount {
	out := make([]keyCount, 0, len(m))
	for k, n := range m {
		out = append(out, keyCount{key: k, n: n})
	}
	slices.SortFunc(out, func(a, b keyCount) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
	return out
}

// countsTable builds the table of value_counts() from rows in their order:
// the value in a column named keyCol (the index), "requests", and, unless
// shareCol is "", the share of total in a column of that name.
func countsTable(id, title, keyCol string, rows []keyCount, shareCol string, total int) *Table {
	return limitedCountsTable(0, id, title, keyCol, rows, shareCol, total)
}

// limitedCountsTable is countsTable for a per-key table that keeps at most
// limit rows (Table.Limit), the first of rows; the others are counted as
// left out.
func limitedCountsTable(limit int, id, title, keyCol string, rows []keyCount, shareCol string, total int) *Table {
	cols := []Column{{keyCol, Text}, {"requests", Integer}}
	if shareCol != "" {
		cols = append(cols, Column{shareCol, Share})
	}
	t := NewTable(id, title, cols...).Limit(limit)
	t.Index = 0
	for i, r := range rows {
		if t.Full() {
			t.Skip(len(rows) - i)
			break
		}
		if shareCol != "" {
			t.Add(r.key, r.n, float64(r.n)/float64(total))
		} else {
			t.Add(r.key, r.n)
		}
	}
	return t
}

// codeSum is a count of one key code (a code, or two packed in one), with
// a row that holds it: what sumCodes adds up.
type codeSum struct {
	code  uint64
	n     int
	group int // the index of a row of this code (the first, in sums' order)
}

// sumCodes sums the counts of each code, in place: the sums by code
// ascending, each with the first of its rows in sums' order. A sort of the
// rows' codes, where a map of their strings would hash and own each.
func sumCodes(sums []codeSum) []codeSum {
	slices.SortStableFunc(sums, func(a, b codeSum) int { return cmp.Compare(a.code, b.code) })
	w := 0
	for _, s := range sums {
		if w > 0 && sums[w-1].code == s.code {
			sums[w-1].n += s.n
			continue
		}
		sums[w] = s
		w++
	}
	return sums[:w]
}

// compareJoined is strings.Compare(a+sep+a2, b+sep+b2) without making
// either string.
func compareJoined(a, a2, b, b2, sep string) int {
	x, y := [3]string{a, sep, a2}, [3]string{b, sep, b2}
	i, j := 0, 0 // the pieces being compared
	for {
		for i < 3 && x[i] == "" {
			i++
		}
		for j < 3 && y[j] == "" {
			j++
		}
		if i == 3 || j == 3 {
			return cmp.Compare(3-i, 3-j) // the one ended first is less
		}
		n := min(len(x[i]), len(y[j]))
		if c := strings.Compare(x[i][:n], y[j][:n]); c != 0 {
			return c
		}
		x[i], y[j] = x[i][n:], y[j][n:]
	}
}
