package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Parameters are declared once, by the analysis that reads them: its
// Params method binds each to a field of the analysis with its type,
// default and doc, the way flag.FlagSet binds flags to variables. The same
// declaration sets the default, parses a value given with --param or a
// config file, checks its range, and lists the parameter in `logbook
// sections -v` and the README.

// Configurable is an Analysis with parameters.
type Configurable interface {
	Analysis
	// Params declares the analysis's parameters on p, binding each to a
	// field of the receiver and setting it to its default.
	Params(p *Params)
}

// Param describes one declared parameter.
type Param struct {
	Name    string
	Type    string // int or float
	Default string // as it would be written on the command line
	Doc     string

	min    float64 // the smallest value accepted, when hasMin
	hasMin bool
	max    float64 // the largest value accepted, when hasMax
	hasMax bool
	set    func(float64)
	isInt  bool
}

// Params collects the parameters an analysis declares.
type Params struct {
	list []*Param
}

// Int declares an integer parameter bound to dst and sets dst to def.
func (p *Params) Int(dst *int, name string, def int, doc string) *Param {
	*dst = def
	return p.add(&Param{Name: name, Type: "int", Default: strconv.Itoa(def), Doc: doc, isInt: true,
		set: func(v float64) { *dst = int(v) }})
}

// Float declares a real-number parameter bound to dst and sets dst to def.
func (p *Params) Float(dst *float64, name string, def float64, doc string) *Param {
	*dst = def
	return p.add(&Param{Name: name, Type: "float", Default: strconv.FormatFloat(def, 'g', -1, 64), Doc: doc,
		set: func(v float64) { *dst = v }})
}

func (p *Params) add(prm *Param) *Param {
	if prm.Name == "" || strings.ContainsAny(prm.Name, ".= ") {
		panic("analysis: bad parameter name " + strconv.Quote(prm.Name))
	}
	if slices.ContainsFunc(p.list, func(q *Param) bool { return q.Name == prm.Name }) {
		panic("analysis: parameter declared twice: " + prm.Name)
	}
	p.list = append(p.list, prm)
	return prm
}

// AtLeast makes values below min an error.
func (prm *Param) AtLeast(min float64) *Param {
	prm.min, prm.hasMin = min, true
	return prm
}

// AtMost makes values above max an error: a value no log can use (a
// table of more rows than a report can show, a gap longer than a year),
// which would only cost memory or time.
func (prm *Param) AtMost(max float64) *Param {
	prm.max, prm.hasMax = max, true
	return prm
}

// parse sets the parameter from its command-line text.
func (prm *Param) parse(text string) error {
	var v float64
	if prm.isInt {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			if r := prm.Range(); r != "" && errors.Is(err, strconv.ErrRange) {
				return fmt.Errorf("want %s, got %s", r, text)
			}
			return fmt.Errorf("want an integer, got %q", text)
		}
		v = float64(n)
	} else {
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a number, got %q", text)
		}
		v = f
	}
	if prm.hasMin && v < prm.min || prm.hasMax && v > prm.max {
		return fmt.Errorf("want %s, got %s", prm.Range(), strings.TrimSpace(text))
	}
	prm.set(v)
	return nil
}

// Range says which values the parameter accepts beyond its type, or "".
func (prm *Param) Range() string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch {
	case prm.hasMin && prm.hasMax:
		return num(prm.min) + " to " + num(prm.max)
	case prm.hasMin:
		return "≥ " + num(prm.min)
	case prm.hasMax:
		return "≤ " + num(prm.max)
	}
	return ""
}

// declare returns a new analysis of info's kind with its parameters
// declared (and so at their defaults).
func (info Info) declare() (Analysis, *Params) {
	a := info.New()
	p := &Params{}
	if c, ok := a.(Configurable); ok {
		c.Params(p)
	}
	return a, p
}

// Params lists the parameters the analysis declares, in declaration order.
func (info Info) Params() []Param {
	_, p := info.declare()
	out := make([]Param, len(p.list))
	for i, prm := range p.list {
		out[i] = *prm
	}
	return out
}

// Configure returns a new analysis of info's kind with its parameters at
// their defaults, then set from values (parameter name → text). An unknown
// name or a value that does not parse as the declared type, or is out of
// range, is an error that names the section's parameters.
func (info Info) Configure(values map[string]string) (Analysis, error) {
	a, p := info.declare()
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		i := slices.IndexFunc(p.list, func(q *Param) bool { return q.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown parameter %s.%s (%s)", info.Name, name, info.knownParams(p))
		}
		prm := p.list[i]
		if err := prm.parse(values[name]); err != nil {
			return nil, fmt.Errorf("parameter %s.%s (%s): %v", info.Name, name, prm.Type, err)
		}
	}
	return a, nil
}

// knownParams says which parameters a section has, for error messages.
func (info Info) knownParams(p *Params) string {
	if len(p.list) == 0 {
		return "section " + info.Name + " has no parameters"
	}
	var names []string
	for _, prm := range p.list {
		names = append(names, fmt.Sprintf("%s (%s, default %s)", prm.Name, prm.Type, prm.Default))
	}
	return "known: " + strings.Join(names, ", ")
}

// A Job is an analysis ready to run, with the descriptor it was made from.
type Job struct {
	Info     Info
	Analysis Analysis
}

// Jobs configures the analyses of infos from params, keyed
// "section.name"; a key naming a section not in infos, or naming no
// parameter, is an error.
func Jobs(infos []Info, params map[string]string) ([]Job, error) {
	bySection := map[string]map[string]string{}
	for key, v := range params {
		section, name, ok := strings.Cut(key, ".")
		if !ok || section == "" || name == "" {
			return nil, fmt.Errorf("parameter %q: want SECTION.NAME=VALUE", key)
		}
		if bySection[section] == nil {
			bySection[section] = map[string]string{}
		}
		bySection[section][name] = v
	}
	var unknown []string
	for section := range bySection {
		if !slices.ContainsFunc(infos, func(info Info) bool { return info.Name == section }) {
			unknown = append(unknown, section)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		var names []string
		for _, info := range infos {
			names = append(names, info.Name)
		}
		what := "unknown section"
		if _, ok := Lookup(unknown[0]); ok {
			what = "parameter for a section not run:"
		}
		return nil, fmt.Errorf("--param: %s %s (sections run: %s)", what, strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	jobs := make([]Job, len(infos))
	for i, info := range infos {
		a, err := info.Configure(bySection[info.Name])
		if err != nil {
			return nil, err
		}
		jobs[i] = Job{Info: info, Analysis: a}
	}
	return jobs, nil
}
