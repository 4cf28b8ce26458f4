package logbook

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/frame"
)

// Gates, for CI: rules over the report that fail the run when they hold
// (--fail-on). A rule is one of
//
//	QUANTITY OP NUMBER     error_rate > 0.05, requests < 1000, error_rate > 5%
//	finding:SECTION.ID     finding:security.probe_answered_2xx
//	severity OP LEVEL      severity >= warning
//
// with OP one of > >= < <= == !=. The quantities are Metrics' fields,
// listed with their definitions by Quantities; a finding rule fires when
// the section reported that finding (at any severity); a severity rule when
// any finding's severity compares so with LEVEL (info < notice < warning).

// Metrics are the quantities a gate may name, computed over the records
// the report covers.
type Metrics struct {
	Requests        int
	Malformed       int
	MalformedRate   float64
	ErrorRate       float64 // 5xx
	ClientErrorRate float64 // 4xx
	NotFoundRate    float64 // 404
	UniqueClients   int
	Bytes           float64
}

// Quantity is a number a gate may name, with what it means.
type Quantity struct {
	Name, Doc string
	value     func(m *Metrics) float64
}

// Quantities lists the numbers a gate may name, in the order logbook gates
// prints them.
func Quantities() []Quantity { return quantities }

var quantities = []Quantity{
	{"requests", "records in the report (after the window and the filters)", func(m *Metrics) float64 { return float64(m.Requests) }},
	{"malformed", "lines that were not records, over all inputs", func(m *Metrics) float64 { return float64(m.Malformed) }},
	{"malformed_rate", "malformed lines / (records read + malformed lines)", func(m *Metrics) float64 { return m.MalformedRate }},
	{"error_rate", "share of requests answered 5xx (server errors)", func(m *Metrics) float64 { return m.ErrorRate }},
	{"client_error_rate", "share of requests answered 4xx (client errors, 404 included)", func(m *Metrics) float64 { return m.ClientErrorRate }},
	{"not_found_rate", "share of requests answered 404", func(m *Metrics) float64 { return m.NotFoundRate }},
	{"unique_clients", "distinct client addresses (after --anonymize-ip, networks)", func(m *Metrics) float64 { return float64(m.UniqueClients) }},
	{"bytes", "response bytes sent in all", func(m *Metrics) float64 { return m.Bytes }},
}

// metricsOf computes the metrics of fr; malformed and read are the read's
// totals.
func metricsOf(fr *frame.Frame, malformed, read int) *Metrics {
	m := &Metrics{Requests: fr.Len(), Malformed: malformed}
	if malformed > 0 {
		m.MalformedRate = float64(malformed) / float64(malformed+read)
	}
	if v, ok := fr.View(frame.Status); ok && fr.Len() > 0 {
		var c4, c5, nf int
		for code, n := range v.Counts() {
			s := v.Dict.At(uint32(code))
			switch {
			case s == "404":
				nf += n
				c4 += n
			case len(s) == 3 && s[0] == '4':
				c4 += n
			case len(s) == 3 && s[0] == '5':
				c5 += n
			}
		}
		total := float64(fr.Len())
		m.ErrorRate, m.ClientErrorRate, m.NotFoundRate = float64(c5)/total, float64(c4)/total, float64(nf)/total
	}
	if v, ok := fr.View(frame.IP); ok {
		empty, hasEmpty := v.Dict.Empty()
		for code, n := range v.Counts() {
			if n > 0 && !(hasEmpty && uint32(code) == empty) {
				m.UniqueClients++
			}
		}
	}
	for _, b := range fr.Num(frame.Bytes) {
		if !math.IsNaN(b) {
			m.Bytes += b
		}
	}
	return m
}

// gate is a parsed rule.
type gate struct {
	text     string
	quantity *Quantity // a quantity rule
	finding  string    // a finding rule: SECTION.ID, or ID in any section
	severity bool      // a severity rule
	op       string
	num      float64
	level    int
}

// GateResult is a rule and whether it fired, with the value it saw.
type GateResult struct {
	Rule  string
	Fired bool
	// Value is what the rule compared, in words: "error_rate = 0.081",
	// "finding security.probe_answered_2xx: <its message>".
	Value string
}

var (
	quantityRE = regexp.MustCompile(`^([a-z_]+)\s*(>=|<=|==|!=|>|<)\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)(%?)$`)
	severityRE = regexp.MustCompile(`^severity\s*(>=|<=|==|!=|>|<)\s*([a-z]+)$`)
	findingRE  = regexp.MustCompile(`^finding:([a-z0-9_]+(?:\.[a-z0-9_]+)?)$`)
	levels     = []analysis.Severity{analysis.SevInfo, analysis.SevNotice, analysis.SevWarning}
)

func parseGate(s string) (gate, error) {
	g := gate{text: s}
	t := strings.TrimSpace(s)
	if m := findingRE.FindStringSubmatch(t); m != nil {
		g.finding = m[1]
		return g, nil
	}
	if m := severityRE.FindStringSubmatch(t); m != nil {
		g.severity, g.op = true, m[1]
		g.level = slices.Index(levels, analysis.Severity(m[2]))
		if g.level < 0 {
			return gate{}, usagef("--fail-on %q: unknown severity %q (want info, notice or warning)", s, m[2])
		}
		return g, nil
	}
	if m := quantityRE.FindStringSubmatch(t); m != nil {
		i := slices.IndexFunc(quantities, func(q Quantity) bool { return q.Name == m[1] })
		if i < 0 {
			return gate{}, usagef("--fail-on %q: unknown quantity %q (known: %s; logbook gates defines them)", s, m[1], quantityNames())
		}
		g.quantity, g.op = &quantities[i], m[2]
		g.num, _ = strconv.ParseFloat(m[3], 64)
		if m[4] == "%" {
			g.num /= 100
		}
		return g, nil
	}
	return gate{}, usagef("--fail-on %q: want QUANTITY OP NUMBER (error_rate > 0.05), finding:SECTION.ID or severity >= warning; OP is one of > >= < <= == !=", s)
}

func quantityNames() string {
	var n []string
	for _, q := range quantities {
		n = append(n, q.Name)
	}
	return strings.Join(n, ", ")
}

func compare(a float64, op string, b float64) bool {
	switch op {
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case "==":
		return a == b
	}
	return a != b
}

// check evaluates the rule on the metrics and the sections' findings.
func (g gate) check(m *Metrics, sections []*analysis.Section) GateResult {
	r := GateResult{Rule: g.text}
	switch {
	case g.quantity != nil:
		v := g.quantity.value(m)
		r.Fired = compare(v, g.op, g.num)
		r.Value = fmt.Sprintf("%s = %s", g.quantity.Name, strconv.FormatFloat(v, 'g', 6, 64))
	case g.finding != "":
		sec, id, scoped := strings.Cut(g.finding, ".")
		if !scoped {
			sec, id = "", g.finding
		}
		for _, s := range sections {
			if sec != "" && s.ID != sec {
				continue
			}
			for _, f := range s.Findings {
				if f.ID == id {
					r.Fired = true
					r.Value = fmt.Sprintf("finding %s.%s (%s): %s", s.ID, f.ID, f.Severity, f.Message)
					return r
				}
			}
		}
		r.Value = "no finding " + g.finding
	case g.severity:
		worst, at := -1, ""
		for _, s := range sections {
			for _, f := range s.Findings {
				l := slices.Index(levels, f.Severity)
				if compare(float64(l), g.op, float64(g.level)) && !r.Fired {
					r.Fired = true
					at = fmt.Sprintf("%s.%s (%s)", s.ID, f.ID, f.Severity)
				}
				worst = max(worst, l)
			}
		}
		switch {
		case r.Fired:
			r.Value = "first: finding " + at
		case worst < 0:
			r.Value = "no findings"
		default:
			r.Value = "the most severe finding is " + string(levels[worst])
		}
	}
	return r
}

// section is the section a finding rule names, or "".
func (g gate) section() string {
	if sec, _, ok := strings.Cut(g.finding, "."); ok {
		return sec
	}
	return ""
}
