package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "status_codes",
		Title: "Status codes",
		Doc:   "Which status codes were returned, overall, per client IP and over time, and which requests were redirected.",
		Order: 400,
		Cost:  200, // ms per million rows
		Needs: frame.Cols(frame.Status, frame.IP),
		Params: []Param{
			{Name: "redirects_top", Default: "1000", Doc: "how many (status, path, IP) rows the redirects table keeps, most frequent first"},
		},
		New: func() Analysis { return statusCodes{} },
	})
}

type statusCodes struct{}

var _ Analysis = statusCodes{}

// CondRow is one row of a conditional distribution P(value | key).
type CondRow struct {
	Key, Value string
	N          int     // rows with this key and value
	Proba      float64 // N divided by the rows with this key

	keyRank, valueRank uint32 // the order of Key and Value among their dictionaries' strings
}

// sortByCount orders rows by N descending, then Key, then Value: the order
// of a groupby([key, value]).size().sort_values(ascending=False). It sorts
// small pointer-free keys and then moves each row once, rather than moving
// rows, which hold strings, at every step of the sort.
func sortByCount(rows []CondRow) {
	type key struct {
		n      int
		kr, vr uint32
		i      int
	}
	keys := make([]key, len(rows))
	for i, r := range rows {
		keys[i] = key{r.N, r.keyRank, r.valueRank, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		if c := cmp.Compare(a.kr, b.kr); c != 0 {
			return c
		}
		return cmp.Compare(a.vr, b.vr)
	})
	sorted := make([]CondRow, len(rows))
	for j, k := range keys {
		sorted[j] = rows[k.i]
	}
	copy(rows, sorted)
}

// Conditional computes df.groupby(key)[value].value_counts(normalize=True)
// over all rows, sorted by key, then probability descending, then value.
// Missing keys and values are shown as "-".
func Conditional(key, value *frame.CodeView) []CondRow {
	pairs := frame.PairCounts(*key, *value, nil) // by key code, then value code
	// The pairs of key code c are pairs[first[c]:first[c+1]].
	first := make([]int32, len(key.Dict)+1)
	totals := make([]int, len(key.Dict))
	for _, p := range pairs {
		first[p.A+1]++
		totals[p.A] += p.N
	}
	for c := range key.Dict {
		first[c+1] += first[c]
	}
	// The keys are walked in the order of their strings, found once per
	// dictionary; only each key's few values are sorted, by count, then
	// by their strings' rank.
	keys, kr := dashRanks(key.Dict)
	_, vr := dashRanks(value.Dict)
	out := make([]CondRow, 0, len(pairs))
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && kr[keys[j]] == kr[keys[i]] {
			j++ // codes shown as the same string ("" and "-") form one group
		}
		g := len(out)
		for _, c := range keys[i:j] {
			for _, p := range pairs[first[c]:first[c+1]] {
				out = append(out, CondRow{Key: orDash(key.Dict[p.A]), Value: orDash(value.Dict[p.B]), N: p.N,
					Proba: float64(p.N) / float64(totals[p.A]), keyRank: kr[p.A], valueRank: vr[p.B]})
			}
		}
		if len(out)-g > 1 {
			slices.SortFunc(out[g:], func(a, b CondRow) int {
				if c := cmp.Compare(b.N, a.N); c != 0 { // same key: N orders like Proba
					return c
				}
				return cmp.Compare(a.valueRank, b.valueRank)
			})
		}
		i = j
	}
	return out
}

// dashRanks sorts the codes of dict by their strings, shown as "-" when
// empty, and gives each code the rank of its string: equal strings share a
// rank, so comparing ranks orders codes as comparing their strings would.
func dashRanks(dict []string) (order, ranks []uint32) {
	order = make([]uint32, len(dict))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(orDash(dict[a]), orDash(dict[b])) })
	ranks = make([]uint32, len(dict))
	r := uint32(0)
	for i, c := range order {
		if i > 0 && orDash(dict[c]) != orDash(dict[order[i-1]]) {
			r++
		}
		ranks[c] = r
	}
	return order, ranks
}

func statusClass(code string) string {
	if len(code) == 3 && code[0] >= '1' && code[0] <= '5' {
		return code[:1] + "xx"
	}
	return "other"
}

func (statusCodes) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	status, ips := strCol(f, frame.Status), strCol(f, frame.IP)
	total := f.Len()
	s := &Section{}
	s.Prose("Which status codes did the server return, and did some clients get a different answer than others?")

	ranked := frame.Rank(status.Counts(), status.Dict)
	counts := NewTable("status_counts", "Requests per status code",
		Column{"status_code", Text}, Column{"requests", Integer})
	counts.Index = 0
	classes := map[string]int{}
	for _, r := range ranked {
		code := orDash(status.Dict[r.Code])
		counts.Add(code, r.N)
		classes[statusClass(code)] += r.N
	}
	s.Compute(`requests.status.value_counts()`, Output{Table: counts})

	cond := Conditional(ips, status)
	given := NewTable("status_given_ip", "Status code given the client IP",
		Column{"ip", Text}, Column{"status_code", Text}, Column{"proba_status_given_ip", Fraction})
	for _, r := range cond {
		given.Add(r.Key, r.Value, r.Proba)
	}
	s.Compute(`requests.groupby("ip").status.value_counts(normalize=True)`, Output{Table: given})

	mixedStatusTable(s, cond)
	worst := non2xxTable(s, cond)
	peaks := statusOverTime(s, f, in)
	redir := redirectsTable(s, f, in)

	// Conclusions.
	lead := ranked[0]
	var parts []string
	for _, c := range []string{"2xx", "3xx", "4xx", "5xx", "other"} {
		if n := classes[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s (%s)", c, Int(n), Pct(float64(n)/float64(total))))
		}
	}
	s.Conclude(fmt.Sprintf("The most common status was %s, returned for %s of %s. By class: %s.",
		Code(orDash(status.Dict[lead.Code])), Pct(float64(lead.N)/float64(total)), Count(total, "request"), List(parts)))
	if n := classes["5xx"]; n > 0 {
		share := float64(n) / float64(total)
		sev := SevNotice
		if share >= 0.01 {
			sev = SevWarning
		}
		s.Find("server_errors", sev, n, fmt.Sprintf("%s (%s) ended in a server error (5xx).", Count(n, "request"), Pct(share)))
	}
	mixed := 0
	groupCond(cond, func(rows []CondRow) {
		if len(rows) > 1 {
			mixed++
		}
	})
	clients := 0
	groupCond(cond, func([]CondRow) { clients++ })
	var msg string
	if mixed == 0 {
		msg = "Every IP received a single status code for all of its requests."
	} else {
		msg = fmt.Sprintf("%s of %s received more than one status code.", Int(mixed), Count(clients, "IP"))
	}
	if w := worst.sentence(); w != "" {
		msg += " " + w
	}
	s.Conclude(msg)
	if p := peaks.sentence(); p != "" {
		s.Conclude(p)
	}
	if r := redir.sentence(); r != "" {
		s.Conclude(r)
	}
	return s, nil
}
