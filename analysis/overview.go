package analysis

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"time"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:      "overview",
		Title:     "Overview",
		Doc:       "What was read: records, time span, unique clients and agents, bytes, malformed lines per source.",
		Order:     100,
		Cost:      9, // ms per million rows
		RunsEmpty: true,
		New:       func() Analysis { return overview{} },
	})
}

type overview struct{}

var _ Partial = overview{}

// Run runs even on an empty frame: the overview is where a reader learns
// why there is nothing else.
func (o overview) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, o, in)
}

// overviewState holds what the overview says of the records themselves
// (the sources' accounting is in the Input): the rows and their first and
// last times, the distinct client IPs and agents (sets, which merge as
// unions), the bytes sent (an exact sum: the same total whatever the order
// of the records), the rows that came through proxies, and whether any
// chunk had a user agent or a byte column at all.
type overviewState struct {
	Times              TimeRange
	IPs, Agents        StrSet
	Bytes              ExactSum
	Forwarded          int // rows with a non-empty X-Forwarded-For list
	HasAgent, HasBytes bool

	// whole: a run over one frame (addWhole) counts the distinct IPs and
	// agents from the frame's dictionaries, wholeIPs and wholeAgents, in
	// place of the sets (which would copy a million distinct agents).
	whole                 bool
	wholeIPs, wholeAgents int

	pendingIPs, pendingAgents Pending // bound for IPs and Agents
}

func (overview) NewState(*Input) State {
	return &overviewState{IPs: StrSet{}, Agents: StrSet{}}
}

func (st *overviewState) Add(_ context.Context, f *frame.Frame) error {
	st.addCounts(f)
	if v, ok := f.View(frame.IP); ok {
		if lin, _ := v.Global(); lin == nil && len(st.IPs) == 0 {
			st.IPs = make(StrSet, v.Dict.Len()) // no growing while it fills
		}
		st.pendingIPs.Add(st.IPs, v, v.Counts())
	}
	if v, ok := f.View(frame.UserAgent); ok {
		st.HasAgent = true
		if lin, _ := v.Global(); lin == nil && len(st.Agents) == 0 {
			st.Agents = make(StrSet, v.Dict.Len())
		}
		st.pendingAgents.Add(st.Agents, v, v.Counts())
	}
	return nil
}

// addCounts adds f's rows, times, bytes and forwarded rows.
func (st *overviewState) addCounts(f *frame.Frame) {
	if n := f.Len(); n > 0 {
		st.Times.Merge(TimeRange{N: n, First: slices.Min(f.Time), Last: slices.Max(f.Time)})
	}
	if bs := f.Num(frame.Bytes); bs != nil {
		st.HasBytes = true
		st.Bytes.AddAll(bs) // leaves NaN out
	}
	st.Forwarded += nonEmpty(strCol(f, frame.ForwardedFor))
}

// addWhole adds the whole frame of a run over one frame: its dictionaries
// hold each string once, so the distinct values are the codes some row
// holds.
func (st *overviewState) addWhole(_ context.Context, f *frame.Frame) error {
	st.whole = true
	distinct := func(c frame.StrCol) (n int, ok bool) {
		v, ok := f.View(c)
		if !ok {
			return 0, false
		}
		used := v.Used()
		for _, w := range used {
			n += bits.OnesCount64(w)
		}
		if empty, ok := v.Dict.Empty(); ok && used[empty/64]&(1<<(empty%64)) != 0 {
			n-- // the empty value is no IP or agent
		}
		return n, true
	}
	st.wholeIPs, _ = distinct(frame.IP)
	st.wholeAgents, st.HasAgent = distinct(frame.UserAgent)
	st.addCounts(f)
	return nil
}

// settle moves the pending values into the sets (Settle).
func (st *overviewState) settle() {
	st.pendingIPs.Settle(st.IPs)
	st.pendingAgents.Settle(st.Agents)
}

func (st *overviewState) Merge(other State) error {
	o, err := mergeAs[*overviewState](other)
	if err != nil {
		return err
	}
	st.settle()
	o.settle()
	st.Times.Merge(o.Times)
	st.IPs.Merge(o.IPs)
	st.Agents.Merge(o.Agents)
	st.Bytes.Merge(o.Bytes)
	st.Forwarded += o.Forwarded
	st.HasAgent = st.HasAgent || o.HasAgent
	st.HasBytes = st.HasBytes || o.HasBytes
	return nil
}

func (st *overviewState) Finish(_ context.Context, in *Input) (*Section, error) {
	s := &Section{}
	s.Prose("What did we read, how much of it, and did every line make sense?")

	rowsRead := st.Times.N
	first, last, span, hasTimes := st.Times.span(in.Loc)
	ips, agents := st.pendingIPs.NonEmpty(st.IPs), st.pendingAgents.NonEmpty(st.Agents)
	if st.whole {
		ips, agents = st.wholeIPs, st.wholeAgents
	}
	bytes := st.Bytes.Value()
	lines, records, malformed, repaired := 0, 0, 0, 0
	var failed, missing, noted []string
	for _, src := range in.Sources {
		lines += src.Lines
		records += src.Records
		malformed += src.Malformed
		repaired += src.Repaired
		switch {
		case src.Unread && src.Err != "", src.Err != "" && src.Lines == 0:
			missing = append(missing, Code(src.Name)) // nothing of it read
		case src.Err != "":
			failed = append(failed, src.Name)
		case src.Note != "":
			noted = append(noted, Code(src.Name))
		}
	}

	summary := NewTable("summary", "Summary",
		Column{"metric", Text}, Column{"value", Mixed})
	summary.Index = 0
	summary.Add("records", Typed{Integer, rowsRead})
	if hasTimes {
		summary.Add("first request", Typed{Time, first})
		summary.Add("last request", Typed{Time, last})
		summary.Add("time span", Typed{Duration, int(span)})
	} else {
		summary.Add("first request", Typed{Time, nil})
		summary.Add("last request", Typed{Time, nil})
		summary.Add("time span", Typed{Duration, nil})
	}
	summary.Add("time zone", Typed{Text, in.Loc.String()})
	summary.Add("unique IPs", Typed{Integer, ips})
	summary.Add("unique user agents", Typed{Integer, agents})
	summary.Add("bytes sent", Typed{Bytes, int(bytes)})
	summary.Add("lines read", Typed{Integer, lines})
	summary.Add("malformed lines", Typed{Integer, malformed})
	summary.Add("repaired lines", Typed{Integer, repaired})
	s.Compute(`len(requests), requests.time.min(), requests.time.max(), requests.ip.nunique(), requests.user_agent.nunique(), requests.bytes.sum()`,
		Output{Table: summary})

	sources := NewTable("sources", "Sources",
		Column{"source", Text}, Column{"format", Text}, Column{"compression", Text},
		Column{"lines", Integer}, Column{"records", Integer}, Column{"malformed", Integer},
		Column{"repaired", Integer}, Column{"problem", Text})
	var notLogs []string
	read := 0
	for _, src := range in.Sources {
		if src.Skipped != "" {
			notLogs = append(notLogs, Code(src.Name))
			continue
		}
		if !src.Unread && src.Note == "" && (src.Err == "" || src.Lines > 0) {
			read++ // not one that gave nothing: empty, or not opened
		}
		problem := src.Err
		if problem == "" {
			problem = src.Note
		}
		sources.Add(src.Name, src.Format, src.Compression, src.Lines, src.Records, src.Malformed, src.Repaired, problem)
	}
	s.Compute(`requests.groupby("source", sort=False).size().rename("records")  # lines and malformed lines are counted by logbook's readers`, Output{Table: sources})
	if len(notLogs) > 0 {
		s.Prose(fmt.Sprintf("%s found in the input folders %s not access logs and %s left out: %s.",
			Count(len(notLogs), "file"), verb(len(notLogs), "was", "were"), verb(len(notLogs), "was", "were"), List(notLogs)))
	}

	if malformed > 0 || repaired > 0 {
		ex := NewTable("malformed_lines", "Malformed and repaired lines (first five per source)",
			Column{"source", Text}, Column{"line", Integer}, Column{"kind", Text},
			Column{"reason", Text}, Column{"text", Text})
		for _, src := range in.Sources {
			for _, e := range src.Examples {
				ex.Add(src.Name, e.Line, "malformed", e.Reason, e.Text)
			}
			for _, e := range src.Repairs {
				ex.Add(src.Name, e.Line, "repaired", e.Reason, e.Text)
			}
		}
		s.Compute(`# the lines logbook could not parse, or parsed after a repair, as it found them: the readers above skip the lines their patterns do not match`, Output{Table: ex})
	}

	// Conclusions.
	if rowsRead == 0 {
		s.Conclude(fmt.Sprintf("No records were read from %s, so there is nothing to analyse.", Count(read, "source")))
	} else {
		who := Count(ips, "unique IP")
		// A format without agents says nothing of them; a log whose
		// agent field is empty on every line says so.
		switch {
		case st.HasAgent && agents > 0:
			who += " using " + Count(agents, "distinct user agent")
		case st.HasAgent:
			who += " (the log has no user agents)"
		}
		got := ""
		if st.HasBytes {
			got = " and received " + Size(bytes)
		}
		when := fmt.Sprintf("from %s to %s (%s)", Timestamp(first), Timestamp(last), SpanSeconds(span))
		if first.Equal(last) {
			when = "at " + Timestamp(first)
		}
		s.Conclude(fmt.Sprintf("%s from %s, %s, came from %s%s.",
			Count(rowsRead, "request"), Count(read, "source"), when, who, got))
	}
	// Notes, one sentence per distinct note, naming its sources (a folder
	// of rotated HAProxy logs gets one, not one per file).
	var notes []string
	noteSrcs := map[string][]string{}
	for _, src := range in.Sources {
		for _, n := range src.Notes {
			n = trimSource(src.Name, n)
			if noteSrcs[n] == nil {
				notes = append(notes, n)
			}
			noteSrcs[n] = append(noteSrcs[n], Code(src.Name))
		}
	}
	for _, n := range notes {
		names := noteSrcs[n]
		if len(names) > 3 {
			names = append(names[:2:2], fmt.Sprintf("%d more sources", len(noteSrcs[n])-2))
		}
		s.Conclude(List(names) + ": " + n + ".")
	}
	if malformed > 0 {
		var names []string
		for _, src := range in.Sources {
			if src.Malformed > 0 {
				names = append(names, Code(src.Name))
			}
		}
		msg := fmt.Sprintf("%s of %s could not be read and %s skipped (in %s); the first ones are listed above with their line numbers.",
			Int(malformed), Count(lines, "line"), verb(malformed, "was", "were"), List(names))
		s.Conclude(msg)
		s.Find("malformed_lines", SevNotice, malformed, fmt.Sprintf("%s could not be read.", Count(malformed, "malformed line")))
	} else if rowsRead > 0 {
		switch lines {
		case 0: // no source accounting (a frame built in a program)
		case 1:
			s.Conclude("The one line read was understood.")
		case 2:
			s.Conclude("Both lines read were understood.")
		default:
			msg := fmt.Sprintf("Every one of the %s read was understood", Count(lines, "line"))
			if other := lines - records; other > 0 && records > 0 {
				// Headers (#Fields:) and comments are lines, not records.
				msg += fmt.Sprintf(": %s and %s", Count(records, "record"), Count(other, "header or comment line"))
			}
			s.Conclude(msg + ".")
		}
	}
	if repaired > 0 {
		s.Conclude(fmt.Sprintf("%s %s kept after repairing %s; %s listed above with the reason.", Count(repaired, "record"),
			verb(repaired, "was", "were"), verb(repaired, "its line", "their lines"), verb(repaired, "it is", "the first ones are")))
	}
	if n := st.Forwarded; n > 0 {
		s.Conclude(fmt.Sprintf("%s came through proxies that logged an X-Forwarded-For list (%s); the client of each is taken to be the first address of its list, and the proxies after it are left out of the client counts.",
			Count(n, "request"), Percent(float64(n)/float64(rowsRead))))
	}
	for _, src := range in.Sources {
		if len(src.Formats) < 2 {
			continue
		}
		var parts []string
		for _, sp := range src.Formats[1:] {
			parts = append(parts, fmt.Sprintf("to %s at line %s", Code(sp.Format), Int(sp.Line)))
		}
		s.Conclude(fmt.Sprintf("%s changed format part-way: it begins as %s and changes %s; each part was read in its own format.",
			Code(src.Name), Code(src.Formats[0].Format), List(parts)))
	}
	if len(failed) > 0 {
		var some, none []string
		for _, src := range in.Sources {
			switch {
			case src.Err == "":
			case src.Records > 0:
				some = append(some, fmt.Sprintf("%s (the %s read before it stopped %s included)", Code(src.Name), Count(src.Records, "record"), verb(src.Records, "is", "are")))
			default:
				none = append(none, Code(src.Name))
			}
		}
		var parts []string
		if len(some) > 0 {
			parts = append(parts, "Reading stopped early in "+List(some))
		}
		if len(none) > 0 {
			parts = append(parts, fmt.Sprintf("nothing could be read from %s", List(none)))
		}
		msg := parts[0]
		if len(parts) > 1 {
			msg += "; " + parts[1]
		} else if len(some) == 0 {
			msg = "N" + msg[1:]
		}
		s.Conclude(msg + "; the sources table gives the reason.")
		s.Find("unreadable_sources", SevWarning, len(failed), fmt.Sprintf("%s could not be read to the end.", Count(len(failed), "source")))
	}
	if len(missing) > 0 {
		s.Conclude(fmt.Sprintf("%s could not be found, listed or read, so nothing from %s is in this report; the sources table says why.",
			List(missing), verb(len(missing), "it", "them")))
		s.Find("missing_inputs", SevWarning, len(missing), fmt.Sprintf("%s could not be found, listed or read.", Count(len(missing), "input")))
	}
	if len(noted) > 0 {
		s.Conclude(fmt.Sprintf("The sources table notes why nothing was read from %s.", List(noted)))
	}
	return s, nil
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// nonEmpty counts the rows whose value in a column is not missing.
func nonEmpty(col *frame.CodeView) int {
	if col == nil {
		return 0
	}
	n := 0
	empty, hasEmpty := col.Dict.Empty()
	for code, c := range col.Counts() {
		if !(hasEmpty && uint32(code) == empty) {
			n += c
		}
	}
	return n
}

// distinct counts the distinct non-missing values in a column.
func distinct(col *frame.CodeView) int {
	if col == nil {
		return 0
	}
	n := 0
	empty, hasEmpty := col.Dict.Empty()
	for code, c := range col.Counts() {
		if c > 0 && !(hasEmpty && uint32(code) == empty) {
			n++
		}
	}
	return n
}

// timeSpan returns the first and last request times in loc and the span
// between them; ok is false for an empty frame.
// The span is in seconds: a stray record dated 9999 among 2024's makes it
// longer than a time.Duration holds (292 years).
func timeSpan(f *frame.Frame, loc *time.Location) (first, last time.Time, span int64, ok bool) {
	if f.Len() == 0 {
		return time.Time{}, time.Time{}, 0, false
	}
	lo, hi := slices.Min(f.Time), slices.Max(f.Time)
	return time.Unix(lo, 0).In(loc), time.Unix(hi, 0).In(loc), hi - lo, true
}

// span is timeSpan of the records the range covers: their first and last
// times in loc and the seconds between them; ok is false for none.
func (r TimeRange) span(loc *time.Location) (first, last time.Time, span int64, ok bool) {
	if r.N == 0 {
		return time.Time{}, time.Time{}, 0, false
	}
	return time.Unix(r.First, 0).In(loc), time.Unix(r.Last, 0).In(loc), r.Last - r.First, true
}

// trimSource drops the "name: " a source's note starts with.
func trimSource(name, note string) string {
	if len(note) > len(name)+2 && note[:len(name)] == name && note[len(name):len(name)+2] == ": " {
		return note[len(name)+2:]
	}
	return note
}
