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

var _ Analysis = loadBalancer{}

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

func (loadBalancer) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	lbLog := false
	for _, src := range in.Sources {
		lbLog = lbLog || slices.Contains(lbFormats, src.Format)
	}
	if !f.Filled().Str[frame.TargetStatus] && !(lbLog && f.Columns().Str[frame.TargetStatus]) {
		return &Section{Skipped: "skipped: these logs have no target_status column (the status of the backend behind a load balancer or proxy)"}, nil
	}
	status, target := strCol(f, frame.Status), strCol(f, frame.TargetStatus)
	backend := strCol(f, frame.Backend)
	// The rows read: every row of a load balancer's log; of other logs
	// (JSON, a mix of sources) only the rows with a target status, since
	// there a missing one says nothing about a balancer. The rows of a
	// source are contiguous, in source order.
	keep := make([]bool, f.Len())
	row, left := 0, 0
	for _, src := range in.Sources {
		lb := slices.Contains(lbFormats, src.Format)
		for i := row; i < row+src.Records && i < len(keep); i++ {
			keep[i] = lb || target.Dict[target.At(i)] != ""
			if !keep[i] {
				left++
			}
		}
		row += src.Records
	}
	for i := row; i < len(keep); i++ { // a frame without its sources' accounting (tests)
		keep[i] = target.Dict[target.At(i)] != ""
		if !keep[i] {
			left++
		}
	}
	total := f.Len() - left
	if total == 0 {
		return &Section{Skipped: "skipped: no record carries a target status"}, nil
	}
	s := &Section{}
	s.Prose("Which answers did the load balancer (or proxy) give itself, without passing on a target's? A request whose target status is `-` got no answer from a target: the balancer refused it, timed out waiting, found no target, or answered from a listener rule. A status that differs from the target's was changed on the way back.")

	// Pairs of (balancer status, target status).
	type pair struct{ lb, tg uint32 }
	n := map[pair]int{}
	for i, k := range keep {
		if k {
			n[pair{status.At(i), target.At(i)}]++
		}
	}
	type pairCount struct {
		lb, tg string
		n      int
	}
	var pairs []pairCount
	for p, c := range n {
		pairs = append(pairs, pairCount{status.Dict[p.lb], target.Dict[p.tg], c})
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
	if backend != nil && own+changed > 0 {
		bn := map[uint32]int{}
		for i, k := range keep {
			if t := target.Dict[target.At(i)]; k && (t == "" || t != status.Dict[status.At(i)]) {
				bn[backend.At(i)]++
			}
		}
		for c, k := range bn {
			backs = append(backs, keyCount{key: orDash(backend.Dict[c]), n: k, code: c})
		}
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
