package analysis

import (
	"context"
	"fmt"
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
		Cost:      5, // ms per million rows
		RunsEmpty: true,
		New:       func() Analysis { return overview{} },
	})
}

type overview struct{}

var _ Analysis = overview{}

// Run runs even on an empty frame: the overview is where a reader learns
// why there is nothing else.
func (overview) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	s := &Section{}
	s.Prose("What did we read, how much of it, and did every line make sense?")

	first, last, span, hasTimes := timeSpan(f, in.Loc)
	ips, agents := distinct(strCol(f, frame.IP)), distinct(strCol(f, frame.UserAgent))
	var bytes float64
	for _, b := range f.Num(frame.Bytes) {
		if b == b { // not NaN
			bytes += b
		}
	}
	lines, malformed, repaired := 0, 0, 0
	var failed []string
	for _, src := range in.Sources {
		lines += src.Lines
		malformed += src.Malformed
		repaired += src.Repaired
		if src.Err != "" {
			failed = append(failed, src.Name)
		}
	}

	summary := NewTable("summary", "Summary",
		Column{"metric", Text}, Column{"value", Mixed})
	summary.Index = 0
	summary.Add("records", Typed{Integer, f.Len()})
	if hasTimes {
		summary.Add("first request", Typed{Time, first})
		summary.Add("last request", Typed{Time, last})
		summary.Add("time span", Typed{Duration, int(span / time.Second)})
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
		read++
		sources.Add(src.Name, src.Format, src.Compression, src.Lines, src.Records, src.Malformed, src.Repaired, src.Err)
	}
	s.Compute(`requests.groupby("source").agg(lines=..., records=..., malformed=...)`, Output{Table: sources})
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
		s.Compute(`[(source, line, reason) for each line that did not parse]`, Output{Table: ex})
	}

	// Conclusions.
	if f.Len() == 0 {
		s.Conclude(fmt.Sprintf("No records were read from %s, so there is nothing to analyse.", Count(read, "source")))
	} else {
		using := "using " + Count(agents, "distinct user agent")
		if agents == 0 {
			using = "(the log has no user agents)"
		}
		s.Conclude(fmt.Sprintf("%s from %s, from %s to %s (%s), came from %s %s and received %s.",
			Count(f.Len(), "request"), Count(read, "source"), Timestamp(first), Timestamp(last), Span(span),
			Count(ips, "unique IP"), using, Size(bytes)))
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
	} else if f.Len() > 0 {
		s.Conclude(fmt.Sprintf("Every one of the %s read was understood.", Count(lines, "line")))
	}
	if repaired > 0 {
		s.Conclude(fmt.Sprintf("%s %s kept after repairing %s; %s listed above with the reason.", Count(repaired, "record"),
			verb(repaired, "was", "were"), verb(repaired, "its line", "their lines"), verb(repaired, "it is", "the first ones are")))
	}
	if n := nonEmpty(strCol(f, frame.ForwardedFor)); n > 0 {
		s.Conclude(fmt.Sprintf("%s came through proxies that logged an X-Forwarded-For list (%s); the client of each is taken to be the first address of its list, and the proxies after it are left out of the client counts.",
			Count(n, "request"), Pct(float64(n)/float64(f.Len()))))
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
		quoted := make([]string, len(failed))
		for i, n := range failed {
			quoted[i] = Code(n)
		}
		s.Conclude(fmt.Sprintf("Reading stopped early in %s; what was read before the problem is included.", List(quoted)))
		s.Find("unreadable_sources", SevWarning, len(failed), fmt.Sprintf("%s could not be read to the end.", Count(len(failed), "source")))
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
	for code, c := range col.Counts() {
		if col.Dict[code] != "" {
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
	for code, c := range col.Counts() {
		if c > 0 && col.Dict[code] != "" {
			n++
		}
	}
	return n
}

// timeSpan returns the first and last request times in loc and the span
// between them; ok is false for an empty frame.
func timeSpan(f *frame.Frame, loc *time.Location) (first, last time.Time, span time.Duration, ok bool) {
	if f.Len() == 0 {
		return time.Time{}, time.Time{}, 0, false
	}
	lo, hi := slices.Min(f.Time), slices.Max(f.Time)
	return time.Unix(lo, 0).In(loc), time.Unix(hi, 0).In(loc), time.Duration(hi-lo) * time.Second, true
}
