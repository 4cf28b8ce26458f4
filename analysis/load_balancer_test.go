package analysis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

type lbRec struct {
	status, target, backend string
	n                       int
}

func lbFrame(recs []lbRec) *frame.Frame {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Status, frame.TargetStatus, frame.Backend))
	var r frame.Row
	i := 0
	for _, x := range recs {
		for range x.n {
			r.Reset()
			r.Time = t0 + int64(i)
			i++
			r.Str[frame.IP] = []byte("192.0.2.1")
			r.Str[frame.Status] = []byte(x.status)
			if x.target != "" {
				r.Str[frame.TargetStatus] = []byte(x.target)
			}
			if x.backend != "" {
				r.Str[frame.Backend] = []byte(x.backend)
			}
			b.Add(&r)
		}
	}
	return b.Frame()
}

func runLB(t *testing.T, f *frame.Frame, format string) *Section {
	t.Helper()
	s, err := loadBalancer{}.Run(context.Background(), &Input{Frame: f, Loc: time.UTC, Sources: []Source{{Name: "lb.log", Format: format, Records: f.Len()}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLoadBalancerOwnAnswers: requests without a target status are counted
// as the balancer's own answers, by status with its meaning, and the
// backends most involved are named.
func TestLoadBalancerOwnAnswers(t *testing.T) {
	f := lbFrame([]lbRec{
		{"200", "200", "10.0.0.1:80", 5},
		{"504", "", "10.0.0.2:80", 3},
		{"503", "", "", 2},
		{"460", "", "10.0.0.1:80", 1},
		{"301", "", "", 1},
		{"502", "500", "10.0.0.2:80", 1},
	})
	s := runLB(t, f, "alb")
	got := rows(tableByID(s, "lb_status_pairs"))
	if len(got) != 6 || got[0][0] != "200" || got[0][1] != "200" || got[0][2] != 5 ||
		got[1][0] != "504" || got[1][1] != "-" || got[1][4] != "the target did not answer before the idle timeout" {
		t.Errorf("lb_status_pairs = %v", got)
	}
	wantConclusions(t, s,
		"The balancer answered 7 of 13 requests (53.85%) itself, with no target's response: 3 `504` (the target did not answer before the idle timeout), 2 `503` (no healthy target was registered to take the request), 1 `301` (a listener rule's redirect or fixed response) and 1 `460` (the client closed the connection before the balancer could answer).",
		"1 request came back with a status other than the target's.",
		"The backend most involved is `10.0.0.2:80`, with 4 of them (50.00%).")
	backs := rows(tableByID(s, "lb_own_answers_by_backend"))
	if len(backs) != 3 || backs[0][0] != "10.0.0.2:80" || backs[0][1] != 4 || backs[1][0] != "-" || backs[1][1] != 3 {
		t.Errorf("lb_own_answers_by_backend = %v", backs)
	}
	var found bool
	for _, fd := range s.Findings {
		if fd.ID == "lb_own_5xx" {
			found = true
			if !strings.Contains(fd.Message, "5 requests with a 5xx status") {
				t.Errorf("finding = %q", fd.Message)
			}
		}
	}
	if !found {
		t.Errorf("no lb_own_5xx finding: %+v", s.Findings)
	}
}

// TestLoadBalancerPassedOn: when every target answered and its status was
// passed on, the section says so in one sentence and finds nothing.
func TestLoadBalancerPassedOn(t *testing.T) {
	s := runLB(t, lbFrame([]lbRec{{"200", "200", "10.0.0.1:80", 3}, {"404", "404", "10.0.0.2:80", 2}}), "alb")
	if len(s.Conclusions) != 1 || s.Conclusions[0] != "A target answered every one of the 5 requests, and the balancer passed each target's status on unchanged." || len(s.Findings) != 0 {
		t.Errorf("conclusions %q, findings %+v", s.Conclusions, s.Findings)
	}
}

// TestLoadBalancerColumnMask: a JSON source declares target_status but
// never wrote one: the section is skipped rather than taking every request
// for the balancer's own; an ALB log whose every target status is "-" is
// not skipped (the balancer did answer everything itself).
func TestLoadBalancerColumnMask(t *testing.T) {
	f := lbFrame([]lbRec{{"200", "", "", 4}})
	if s := runLB(t, f, "json"); !strings.HasPrefix(s.Skipped, "skipped: these logs have no target_status") {
		t.Errorf("json: skipped = %q, conclusions %q", s.Skipped, s.Conclusions)
	}
	s := runLB(t, lbFrame([]lbRec{{"503", "", "", 4}}), "alb")
	if s.Skipped != "" {
		t.Fatalf("alb: skipped %q", s.Skipped)
	}
	wantConclusions(t, s, "The balancer answered 4 of 4 requests (100.00%) itself", "None of them had a target")
}

// TestLoadBalancerMixedSources: with a combined log read before the ALB
// log, the combined rows (no target status) are left out, not taken for
// the balancer's own answers.
func TestLoadBalancerMixedSources(t *testing.T) {
	f := lbFrame([]lbRec{{"200", "", "", 6}, {"200", "200", "10.0.0.1:80", 3}, {"503", "", "", 1}})
	s, err := loadBalancer{}.Run(context.Background(), &Input{Frame: f, Loc: time.UTC,
		Sources: []Source{{Name: "access.log", Format: "combined", Records: 6}, {Name: "alb.log", Format: "alb", Records: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "The balancer answered 1 of 4 requests (25.00%) itself, with no target's response: 1 `503`")
	if got := rows(tableByID(s, "lb_status_pairs")); len(got) != 2 {
		t.Errorf("lb_status_pairs = %v", got)
	}
	var prose []string
	for _, c := range s.Cells {
		prose = append(prose, c.Markdown)
	}
	if !strings.Contains(strings.Join(prose, "\n"), "6 requests from logs that are not a load balancer's and carry no target status are left out.") {
		t.Errorf("prose does not say 6 requests were left out: %q", prose)
	}
}
