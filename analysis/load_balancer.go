package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "load_balancer",
		Title: "Load balancer and targets",
		Doc:   "For load balancer and proxy logs with the backend's own status (ALB/ELB target status, nginx upstream_status, Traefik OriginStatus): which responses the balancer gave itself rather than passing a target's on, what they mean, and the backends most involved.",
		Order: 420,
		Cost:  30, // ms per million rows
		Needs: frame.Cols(frame.Status),
		New:   func() Analysis { return loadBalancer{} },
	})
}

type loadBalancer struct{}

var _ Partial = loadBalancer{}

// lbMeanings are what an Application Load Balancer's own status codes say
// when no target's status came with them: AWS's "Troubleshoot your
// Application Load Balancers" (docs.aws.amazon.com/elasticloadbalancing/
// latest/application/load-balancer-troubleshooting.html), HTTP 400, 408,
// 460, 463, 502, 503, 504 and 561. A status not listed here, without a
// target's, came from a listener rule (a redirect or a fixed response).
var lbMeanings = map[string]string{
	"400": "a malformed request the balancer refused",
	"408": "the client sent no complete request before the idle timeout",
	"460": "the client closed the connection before the balancer could answer",
	"463": "the X-Forwarded-For header held more than 30 addresses",
	"502": "the target's connection failed or its response was malformed",
	"503": "no healthy target was registered to take the request",
	"504": "the target did not answer before the idle timeout",
	"561": "the identity provider refused the authentication",
}

// lbFormats are the formats whose target status column is real even when
// it is "-" on every line (the balancer answered everything itself).
var lbFormats = []string{"alb", "elb"}

func (l loadBalancer) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, l, in)
}

// LBSpan is a source's rows, in the order of the frame, and whether the
// source is a load balancer's log.
type LBSpan struct {
	Records int
	LB      bool
}

// lbKey is a balancer status and a target status as written, with the
// backend for the rows the section names backends of (no target status,
// or a changed one), "" for the others.
type lbKey struct{ Status, Target, Backend string }

// loadBalancerState counts the rows the section reads per balancer
// status, target status and (for the balancer's own answers and changed
// ones) backend, and the rows it leaves out; whether a chunk had the
// target status column, a value in it, and a backend column. Counts add
// and flags OR when states merge.
//
// Which rows are read depends on their source: every row of a balancer's
// log, of other logs only those with a target status. A frame read by
// ingest says the format of its rows (frame.Runs), which decides. A frame
// that does not (built by hand) has its rows placed by position (Row,
// against the sources' Spans): exact for chunks added in the frame's order
// to one state, and for any split when every source is a balancer's or
// none is (Mixed false); such states of a run that mixes both refuse to
// merge rather than guess.
type loadBalancerState struct {
	Spans      []LBSpan
	Mixed      bool
	Positional bool // rows were placed by Spans (a frame without Runs)
	Row        int
	HasColumn  bool
	Filled     bool
	HasBackend bool
	Left       int
	Kept       Counter[lbKey]
}

func (loadBalancer) NewState(in *Input) State {
	st := &loadBalancerState{Kept: Counter[lbKey]{}}
	lbRows, otherRows := 0, 0
	for _, src := range in.Sources {
		lb := slices.Contains(lbFormats, src.Format)
		st.Spans = append(st.Spans, LBSpan{src.Records, lb})
		if lb {
			lbRows += src.Records
		} else {
			otherRows += src.Records
		}
	}
	st.Mixed = lbRows > 0 && otherRows > 0
	return st
}

// lbRuns calls fn for each run of the rows [row, row+n) of the frame with
// whether they came from a balancer's log: rows past the sources'
// accounting (a frame built in a test) did not.
func (st *loadBalancerState) lbRuns(row, n int, fn func(lo, hi int, lb bool)) {
	start := 0 // the span's first row in the frame
	for _, sp := range st.Spans {
		lo, hi := max(start, row), min(start+sp.Records, row+n)
		if lo < hi {
			fn(lo-row, hi-row, sp.LB)
		}
		start += sp.Records
	}
	if lo := max(start, row); lo < row+n {
		fn(lo-row, n, false)
	}
}

func (st *loadBalancerState) Add(_ context.Context, f *frame.Frame) error {
	n := f.Len()
	row := st.Row
	st.Row += n
	target, ok := f.View(frame.TargetStatus)
	if !ok {
		anyLB := slices.ContainsFunc(st.Spans, func(sp LBSpan) bool { return sp.LB })
		if len(f.Runs) > 0 {
			anyLB = slices.ContainsFunc(f.Runs, func(r frame.FormatRun) bool { return slices.Contains(lbFormats, r.Format) })
		}
		if !anyLB {
			st.Left += n // no target status, and no balancer's log to read them all
			return nil
		}
		target = frame.ConstView("", n)
	}
	st.HasColumn = st.HasColumn || ok
	status := strColOrEmpty(f, frame.Status)
	backend, hasBackend := f.View(frame.Backend)
	if !hasBackend {
		backend = frame.ConstView("", n)
	}
	st.HasBackend = st.HasBackend || hasBackend
	// Per target code: empty, and the status code with the same string
	// (-1: none), so that the rows compare codes, not strings.
	statusCode := make(map[string]int, status.Dict.Len())
	for c, v := range status.Dict.All() {
		statusCode[v] = c
	}
	empty := make([]bool, target.Dict.Len())
	same := make([]int, target.Dict.Len())
	for c, v := range target.Dict.All() {
		empty[c] = v == ""
		st.Filled = st.Filled || v != ""
		same[c] = -1
		if sc, ok := statusCode[v]; ok {
			same[c] = sc
		}
	}
	// Passed-on answers per (status, target) codes in an array while there
	// are few codes; the own and changed ones with their backend in a map
	// (a few of the rows).
	nt := target.Dict.Len()
	var cells []int
	if status.Dict.Len()*nt <= 1<<20 {
		cells = make([]int, status.Dict.Len()*nt)
	}
	type codes struct{ s, t, b uint32 }
	others := map[codes]int{}
	runs := st.lbRuns
	st.Positional = st.Positional || len(f.Runs) == 0
	if len(f.Runs) > 0 {
		// The frame says the format of its rows (a chunk, a selection of
		// the read): no need of the sources' positions.
		runs = func(_, _ int, fn func(lo, hi int, lb bool)) {
			lo := 0
			for _, r := range f.Runs {
				fn(lo, lo+r.Rows, slices.Contains(lbFormats, r.Format))
				lo += r.Rows
			}
		}
	}
	runs(row, n, func(lo, hi int, lb bool) {
		for i := lo; i < hi; i++ {
			tc := target.At(i)
			if empty[tc] {
				if !lb {
					st.Left++
					continue
				}
				others[codes{status.At(i), tc, backend.At(i)}]++
				continue
			}
			sc := status.At(i)
			switch {
			case same[tc] != int(sc):
				others[codes{sc, tc, backend.At(i)}]++
			case cells != nil:
				cells[int(sc)*nt+int(tc)]++
			default:
				others[codes{sc, tc, 0}]++ // passed on: no backend kept
			}
		}
	})
	for k, c := range cells {
		if c > 0 {
			st.Kept[lbKey{own(status.Dict.At(uint32(k / nt))), own(target.Dict.At(uint32(k % nt))), ""}] += c
		}
	}
	for k, c := range others {
		key := lbKey{own(status.Dict.At(k.s)), own(target.Dict.At(k.t)), ""}
		if empty[k.t] || same[k.t] != int(k.s) {
			key.Backend = own(backend.Dict.At(k.b))
		}
		st.Kept[key] += c
	}
	return nil
}

func (st *loadBalancerState) Merge(other State) error {
	o, err := mergeAs[*loadBalancerState](other)
	if err != nil {
		return err
	}
	if st.Mixed && st.Positional || o.Mixed && o.Positional {
		return fmt.Errorf("analysis: load_balancer cannot merge states of a run that mixes load balancer logs with others: a chunk does not say which source its rows came from")
	}
	st.Row += o.Row
	st.HasColumn = st.HasColumn || o.HasColumn
	st.Filled = st.Filled || o.Filled
	st.HasBackend = st.HasBackend || o.HasBackend
	st.Left += o.Left
	st.Kept.Merge(o.Kept)
	return nil
}

func (st *loadBalancerState) Finish(_ context.Context, in *Input) (*Section, error) {
	lbLog := false
	for _, src := range in.Sources {
		lbLog = lbLog || slices.Contains(lbFormats, src.Format)
	}
	if !st.Filled && !(lbLog && st.HasColumn) {
		return &Section{Skipped: "skipped: these logs have no target_status column (the status of the backend behind a load balancer or proxy)"}, nil
	}
	left := st.Left
	total := 0
	type pairKey struct{ lb, tg string }
	n := map[pairKey]int{}
	for k, c := range st.Kept {
		total += c
		n[pairKey{k.Status, k.Target}] += c
	}
	if total == 0 {
		return &Section{Skipped: "skipped: no record carries a target status"}, nil
	}
	s := &Section{}
	s.Prose("Which answers did the load balancer (or proxy) give itself, without passing on a target's? A request whose target status is `-` got no answer from a target: the balancer refused it, timed out waiting, found no target, or answered from a listener rule. A status that differs from the target's was changed on the way back.")

	// Pairs of (balancer status, target status).
	type pairCount struct {
		lb, tg string
		n      int
	}
	var pairs []pairCount
	for p, c := range n {
		pairs = append(pairs, pairCount{p.lb, p.tg, c})
	}
	slices.SortFunc(pairs, func(a, b pairCount) int {
		if a.n != b.n {
			return b.n - a.n
		}
		if c := strings.Compare(a.lb, b.lb); c != 0 {
			return c
		}
		return strings.Compare(a.tg, b.tg)
	})
	meaning := func(p pairCount) string {
		switch {
		case p.tg == "" && lbMeanings[p.lb] != "":
			return lbMeanings[p.lb]
		case p.tg == "":
			return "answered by the balancer itself (a listener rule: a redirect or a fixed response)"
		case p.tg != p.lb:
			return "the target's status was replaced on the way back"
		}
		return "the target's answer, passed on"
	}
	tab := NewTable("lb_status_pairs", "Requests per balancer status and target status",
		Column{"status", Text}, Column{"target_status", Text}, Column{"requests", Integer}, Column{"share", Share},
		Column{"meaning", Text})
	own, changed := 0, 0
	ownBy := map[string]int{}
	for _, p := range pairs {
		tab.Add(orDash(p.lb), orDash(p.tg), p.n, float64(p.n)/float64(total), meaning(p))
		switch {
		case p.tg == "":
			own += p.n
			ownBy[p.lb] += p.n
		case p.tg != p.lb:
			changed += p.n
		}
	}
	s.Compute(`requests.groupby(["status", "target_status"]).size().sort_values(ascending=False)`, Output{Table: tab})
	if left > 0 {
		s.Prose(fmt.Sprintf("%s from logs that are not a load balancer's and carry no target status %s left out.", Count(left, "request"), verb(left, "is", "are")))
	}

	// The backends of the requests the balancer answered itself or changed.
	var backs []keyCount
	if st.HasBackend && own+changed > 0 {
		bn := map[string]int{}
		for k, c := range st.Kept {
			if k.Target == "" || k.Target != k.Status {
				bn[k.Backend] += c
			}
		}
		for b, k := range bn {
			backs = append(backs, keyCount{key: orDash(b), n: k})
		}
		// By count, then as shown: a tie left ("" and "-" both show "-",
		// with the same count) is two rows that read the same.
		slices.SortFunc(backs, func(a, b keyCount) int {
			if a.n != b.n {
				return b.n - a.n
			}
			return strings.Compare(a.key, b.key)
		})
		bt := countsTable("lb_own_answers_by_backend", "Requests answered by the balancer itself or changed, per backend", "backend", backs, "share", own+changed)
		s.Compute(`requests[requests.target_status.isna() | (requests.target_status != requests.status)].backend.value_counts()`, Output{Table: bt})
	}

	// Conclusions.
	if own == 0 && changed == 0 {
		s.Conclude(fmt.Sprintf("A target answered every one of the %s, and the balancer passed each target's status on unchanged.", Count(total, "request")))
		return s, nil
	}
	if own > 0 {
		codes := make([]string, 0, len(ownBy))
		for c := range ownBy {
			codes = append(codes, c)
		}
		slices.SortFunc(codes, func(a, b string) int {
			if ownBy[a] != ownBy[b] {
				return ownBy[b] - ownBy[a]
			}
			return strings.Compare(a, b)
		})
		var parts []string
		for _, c := range codes[:min(4, len(codes))] {
			part := fmt.Sprintf("%s %s", Int(ownBy[c]), Code(orDash(c)))
			if m := lbMeanings[c]; m != "" {
				part += " (" + m + ")"
			} else if c != "" && c[0] >= '1' && c[0] <= '4' {
				part += " (a listener rule's redirect or fixed response)"
			}
			parts = append(parts, part)
		}
		if len(codes) > 4 {
			parts = append(parts, fmt.Sprintf("%s with %d other statuses", Count(own-sumOf(ownBy, codes[:4]), "request"), len(codes)-4))
		}
		s.Conclude(fmt.Sprintf("The balancer answered %s of %s (%s) itself, with no target's response: %s.",
			Int(own), Count(total, "request"), Pct(float64(own)/float64(total)), List(parts)))
		own5 := 0
		for c, k := range ownBy {
			if strings.HasPrefix(c, "5") {
				own5 += k
			}
		}
		if own5 > 0 {
			s.Find("lb_own_5xx", SevNotice, own5, fmt.Sprintf("The load balancer itself answered %s with a 5xx status (no target's response).", Count(own5, "request")))
		}
	}
	if changed > 0 {
		s.Conclude(fmt.Sprintf("%s came back with a status other than the target's.", Count(changed, "request")))
	}
	if len(backs) > 0 {
		top := backs[0]
		if top.key == "-" && len(backs) > 1 {
			s.Conclude(fmt.Sprintf("%s of them had no target at all; of the others, the most were for %s (%s).",
				Int(top.n), Code(backs[1].key), Int(backs[1].n)))
		} else if top.key == "-" {
			s.Conclude("None of them had a target: the balancer never reached one.")
		} else {
			s.Conclude(fmt.Sprintf("The backend most involved is %s, with %s of them (%s).", Code(top.key), Int(top.n), Pct(float64(top.n)/float64(own+changed))))
		}
	}
	return s, nil
}

func sumOf(m map[string]int, keys []string) int {
	n := 0
	for _, k := range keys {
		n += m[k]
	}
	return n
}
