package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "traffic",
		Title: "Traffic over time",
		Doc:   "How many requests arrived per day and per hour, in the log's time zone, and where traffic stopped or fell far below its usual level.",
		Order: 200,
		Cost:  20, // ms per million rows
		New:   func() Analysis { return &traffic{} },
	})
}

type traffic struct {
	gapMinutes   int     // the shortest gap reported, in minutes
	gapExpected  float64 // requests a gap must have been expected to hold
	burstMinutes int     // minutes before a gap searched for an error burst
}

// maxPlotPoints is the most points a time-series plot draws; longer spans
// are plotted in coarser buckets.
const maxPlotPoints = 2000

var _ Configurable = (*traffic)(nil)

func (a *traffic) Params(p *Params) {
	p.Int(&a.gapMinutes, "gap_minutes", 5, "the shortest run of minutes without requests reported as a gap").AtLeast(1).AtMost(366 * 24 * 60)
	p.Float(&a.gapExpected, "gap_expected", 20, "the requests a gap must have been expected to hold (exp(-20) ≈ 2e-9)").AtLeast(1).AtMost(700)
	p.Int(&a.burstMinutes, "burst_minutes", 15, "minutes before a gap searched for a burst of errors").AtLeast(1).AtMost(24 * 60)
}

// gapOptions are the detection's options with the section's parameters.
func (a *traffic) gapOptions() gapOptions {
	return gapOptions{MinMinutes: int64(a.gapMinutes), MinExpected: a.gapExpected, Window: gapWindow, Burst: int64(a.burstMinutes)}
}

// timeBuckets counts requests per local day and per local hour, with every
// day and hour between the first and last request present (zero when idle).
type timeBuckets struct {
	firstDay, firstHour int64
	days, hours         []int
}

func bucketTimes(f *frame.Frame, in *Input) timeBuckets {
	clock := frame.NewClock(in.Loc)
	lo, hi := slices.Min(f.Time), slices.Max(f.Time)
	b := timeBuckets{firstDay: clock.Day(lo), firstHour: clock.Hour(lo)}
	b.days = make([]int, clock.Day(hi)-b.firstDay+1)
	b.hours = make([]int, clock.Hour(hi)-b.firstHour+1)
	for _, t := range f.Time {
		h := clock.Hour(t)
		b.hours[h-b.firstHour]++
		b.days[floorDiv(h*3600, 86400)-b.firstDay]++
	}
	return b
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (a *traffic) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	s := &Section{}
	s.Prose(fmt.Sprintf("When did the requests arrive? Days and hours are counted in %s.", Code(in.Loc.String())))
	b := bucketTimes(f, in)

	byDay := NewTable("requests_by_day", "Requests per day", Column{"day", Date}, Column{"requests", Integer})
	byDay.Index = 0
	for i, n := range b.days {
		byDay.Add(frame.DayString(b.firstDay+int64(i)), n)
	}
	s.Compute(`requests.set_index("time").resample("D").size()`, Output{Table: byDay})

	// Per hour while that stays readable; per day over longer spans.
	over, unit, code := b.hours, "hour", `requests.set_index("time").resample("h").size().plot()`
	label := func(i int) string { return frame.HourString(b.firstHour + int64(i)) }
	if len(b.hours) > maxPlotPoints {
		over, unit, code = b.days, "day", `requests.set_index("time").resample("D").size().plot()`
		label = func(i int) string { return frame.DayString(b.firstDay + int64(i)) }
	}
	series := &Plot{ID: "requests_per_" + unit, Title: "Requests per " + unit, Kind: Lines,
		XLabel: unit + " (" + in.Loc.String() + ")", YLabel: "requests"}
	vals := make([]float64, len(over))
	for i, n := range over {
		series.Labels = append(series.Labels, label(i))
		vals[i] = float64(n)
	}
	series.Series = []Series{{Name: "requests", Values: vals}}
	s.Compute(code, Output{Plot: series})

	byHour := hourOfDay(s, b)
	heatMap(s, b, in)
	drops := findDrops(f, in, b, a.gapOptions())
	drops.cells(s, in)

	// Conclusions from the numbers.
	busiest, quietest := 0, 0
	for i, n := range b.days {
		if n > b.days[busiest] {
			busiest = i
		}
		if n < b.days[quietest] {
			quietest = i
		}
	}
	peak := 0
	for i, n := range b.hours {
		if n > b.hours[peak] {
			peak = i
		}
	}
	if len(b.days) == 1 {
		s.Conclude(fmt.Sprintf("All %s arrived on %s; the busiest hour began at %s with %s.",
			Count(f.Len(), "request"), frame.DayString(b.firstDay), frame.HourString(b.firstHour+int64(peak)), Count(b.hours[peak], "request")))
	} else {
		s.Conclude(fmt.Sprintf("Over %s the log holds %s, %s a day on average. The busiest day was %s with %s; the quietest was %s with %s.",
			Count(len(b.days), "day"), Count(f.Len(), "request"), roundInt(float64(f.Len())/float64(len(b.days))),
			frame.DayString(b.firstDay+int64(busiest)), Count(b.days[busiest], "request"),
			frame.DayString(b.firstDay+int64(quietest)), Count(b.days[quietest], "request")))
		s.Conclude(fmt.Sprintf("The busiest hour began at %s with %s.", frame.HourString(b.firstHour+int64(peak)), Count(b.hours[peak], "request")))
	}
	idle := 0
	for _, n := range b.hours {
		if n == 0 {
			idle++
		}
	}
	if idle > 0 {
		s.Conclude(fmt.Sprintf("%s of %s between the first and last request had no requests at all.", Count(idle, "hour"), Int(len(b.hours))))
	}
	if len(b.hours) >= 48 {
		hi, lo := 0, 0
		for h, n := range byHour {
			if n > byHour[hi] {
				hi = h
			}
			if n < byHour[lo] {
				lo = h
			}
		}
		s.Conclude(fmt.Sprintf("By hour of the day, the busiest was %02d:00–%02d:00 with %s of requests and the quietest %02d:00–%02d:00 with %s.",
			hi, (hi+1)%24, Pct(float64(byHour[hi])/float64(f.Len())), lo, (lo+1)%24, Pct(float64(byHour[lo])/float64(f.Len()))))
	}
	drops.conclude(s, in)
	return s, nil
}

// hourOfDay adds the requests per local hour of the day and returns them.
func hourOfDay(s *Section, b timeBuckets) [24]int {
	var by [24]int
	total := 0
	for i, n := range b.hours {
		by[floorMod(b.firstHour+int64(i), 24)] += n
		total += n
	}
	tab := NewTable("requests_by_hour_of_day", "Requests per hour of the day",
		Column{"hour", Integer}, Column{"requests", Integer}, Column{"share", Share})
	tab.Index = 0
	for h, n := range by {
		tab.Add(h, n, float64(n)/float64(total))
	}
	s.Compute(`requests.time.dt.hour.value_counts(normalize=True).sort_index()`, Output{Table: tab})
	return by
}

// heatMap adds a plot of requests per day (rows) and hour of the day
// (columns). Spans too long for a row a day get a row a week, then a row a
// month; past 92 months only the months with requests are shown.
func heatMap(s *Section, b timeBuckets, in *Input) {
	const maxRows = 92
	unit := "day"
	rowOf := func(day int64) int64 { return day }
	label := frame.DayString
	if len(b.days) > maxRows {
		unit = "week"
		rowOf = func(day int64) int64 { return floorDiv(day-4, 7) } // weeks from Monday 1970-01-05
		label = func(w int64) string { return "week of " + frame.DayString(w*7+4) }
		lastDay := b.firstDay + int64(len(b.days)) - 1
		if rowOf(lastDay)-rowOf(b.firstDay)+1 > maxRows {
			unit = "month"
			rowOf = func(day int64) int64 {
				t := time.Unix(day*86400, 0).UTC()
				return int64(t.Year())*12 + int64(t.Month()) - 1
			}
			label = func(m int64) string { return fmt.Sprintf("%04d-%02d", m/12, m%12+1) }
		}
	}
	first := rowOf(b.firstDay)
	nrows := rowOf(b.firstDay+int64(len(b.days))-1) - first + 1
	grid := make([][]float64, nrows)
	for r := range grid {
		grid[r] = make([]float64, 24)
	}
	for i, n := range b.hours {
		h := b.firstHour + int64(i)
		grid[rowOf(floorDiv(h, 24))-first][floorMod(h, 24)] += float64(n)
	}
	var labels []string
	var rows [][]float64
	for r, row := range grid {
		if nrows > maxRows && slices.Max(row) == 0 {
			continue // centuries of empty months say nothing
		}
		labels = append(labels, label(first+int64(r)))
		rows = append(rows, row)
	}
	lo, hi := rows[0][0], rows[0][0]
	for _, row := range rows {
		lo, hi = min(lo, slices.Min(row)), max(hi, slices.Max(row))
	}
	if lo == hi {
		return // nothing to shade
	}
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = fmt.Sprintf("%02d", h)
	}
	p := &Plot{ID: "requests_by_" + unit + "_and_hour", Title: "Requests per " + unit + " and hour of the day", Kind: Heatmap,
		XLabel: "hour of the day (" + in.Loc.String() + ")", YLabel: unit, Labels: hours, YLabels: labels, Grid: rows}
	freq := map[string]string{"day": "D", "week": "W-MON", "month": "MS"}[unit]
	s.Compute(fmt.Sprintf(`pd.crosstab(requests.time.dt.to_period(%q), requests.time.dt.hour)`, freq),
		Output{Plot: p})
}

// trafficDrops is what the drop detection found, ready to report.
type trafficDrops struct {
	opt      gapOptions
	gaps     []gap
	hours    []quietRun
	days     dayLevels
	status   bool    // whether the log has status codes (for error bursts)
	longest  gap     // the longest run of minutes without requests
	typical  float64 // the median complete hour, in requests
	measured bool    // whether any complete hour existed
	profiled bool    // whether enough days made a usual level per hour of the day
	// collapse is traffic that fell and did not come back before the log
	// ends, found by the hour where the days are too few for a drop-off.
	collapse  collapse
	collapsed bool
}

// findDrops runs the detection of drops.go on the frame.
func findDrops(f *frame.Frame, in *Input, b timeBuckets, opt gapOptions) *trafficDrops {
	d := &trafficDrops{opt: opt, status: strCol(f, frame.Status) != nil}
	clock := frame.NewClock(in.Loc)
	skip := func(h int64) bool { return skippedHour(in.Loc, h) }

	prof := profileHours(b.hours, b.firstHour, skip)
	mc := countMinutes(f.Time, strCol(f, frame.Status))
	d.gaps = findGaps(mc, func(start, end int64) float64 { return prof.usualOver(clock, start, end) }, opt)
	for i := 1; i < len(mc); i++ {
		if n := mc[i].Minute - mc[i-1].Minute - 1; n > d.longest.Minutes() {
			d.longest = gap{Start: mc[i-1].Minute + 1, End: mc[i].Minute}
		}
	}

	// Complete days: the log covers at least 23 hours of them.
	fl, ll := clock.Local(slices.Min(f.Time)), clock.Local(slices.Max(f.Time))
	complete := make([]bool, len(b.days))
	for i := range b.days {
		start := (b.firstDay + int64(i)) * 86400
		complete[i] = min(ll+1, start+86400)-max(fl, start) >= 23*3600
	}
	d.days = lowDays(b.days, b.firstDay, complete)
	if d.days.DropAfter < 0 {
		d.collapse, d.collapsed = findCollapse(b.hours, b.firstHour)
	}
	// Days that a gap mostly covers are said with the gap.
	var low []quietRun
	for _, r := range d.days.Low {
		covered := int64(0)
		for _, g := range d.gaps {
			a := max(clock.Local(g.Start*60), r.First*86400)
			z := min(clock.Local(g.End*60), (r.Last+1)*86400)
			covered += max(0, z-a)
		}
		if covered*2 < (r.Last-r.First+1)*86400 {
			low = append(low, r)
		}
	}
	d.days.Low = low

	// Quiet hours that a gap or a quiet day does not already explain.
	inDays := func(day int64) bool {
		if d.days.DropAfter >= 0 && day > d.days.DropAfter {
			return true
		}
		for _, r := range d.days.Low {
			if day >= r.First && day <= r.Last {
				return true
			}
		}
		return false
	}
	for _, r := range lowHours(b.hours, b.firstHour, prof, skip) {
		explained := inDays(floorDiv(r.First, 24)) && inDays(floorDiv(r.Last, 24))
		for _, g := range d.gaps {
			if r.First <= clock.Hour((g.End-1)*60) && r.Last >= clock.Hour(g.Start*60) {
				explained = true
			}
		}
		if !explained {
			d.hours = append(d.hours, r)
		}
	}

	// How busy the busiest hours usually are: the highest median per hour of
	// the day, or the busiest complete hour when the log is too short for
	// medians.
	for hod, ok := range prof.Known {
		if ok {
			d.typical, d.measured, d.profiled = max(d.typical, prof.Median[hod]), true, true
		}
	}
	if !d.measured && len(b.hours) > 2 {
		d.typical, d.measured = float64(slices.Max(b.hours[1:len(b.hours)-1])), true
	}
	return d
}

const minuteLayout = "2006-01-02 15:04"

// longGap is the length, in minutes, from which a gap is told as requests
// missing from the logs or a long outage, rather than an outage alone.
const longGap = 1440

// wall formats a local hour or day number's start as a wall-clock time.
func wall(localSeconds int64) string { return time.Unix(localSeconds, 0).UTC().Format(minuteLayout) }

// roundInt formats x rounded to a whole number: 10,632.
func roundInt(x float64) string { return Int(int(math.Round(x))) }

// about rounds an expected count for a sentence: 66, 1,300.
func about(x float64) string {
	if x < 100 {
		return Int(int(math.Round(x)))
	}
	p := math.Pow(10, math.Floor(math.Log10(x))-1)
	return Int(int(math.Round(x/p) * p))
}

// cells adds the traffic_drops table.
func (d *trafficDrops) cells(s *Section, in *Input) {
	tab := NewTable("traffic_drops", "Gaps and drops in traffic",
		Column{"kind", Text}, Column{"start", Time}, Column{"end", Time}, Column{"duration_minutes", Integer},
		Column{"requests", Integer}, Column{"expected_requests", Float}, Column{"note", Text})
	round := func(x float64) float64 { return math.Round(x*10) / 10 }
	for _, g := range d.gaps {
		tab.Add("gap", localTime(g.Start*60, in.Loc), localTime(g.End*60, in.Loc), int(g.Minutes()), 0, round(g.Expected), d.burstNote(g))
	}
	for _, r := range d.hours {
		tab.Add("low_hours", wallTime(r.First*3600, in.Loc), wallTime((r.Last+1)*3600, in.Loc), int(r.Last-r.First+1)*60, r.Requests, round(r.Expected),
			fmt.Sprintf("%s of the usual for these hours of the day", Pct(float64(r.Requests)/r.Expected)))
	}
	for _, r := range d.days.Low {
		tab.Add("low_days", wallTime(r.First*86400, in.Loc), wallTime((r.Last+1)*86400, in.Loc), int(r.Last-r.First+1)*1440, r.Requests, round(r.Expected),
			fmt.Sprintf("%s; %s of the median day (%s requests)", weekdays(r.First, r.Last), Pct(float64(r.Requests)/r.Expected), roundInt(d.days.Median)))
	}
	if r := d.days.Drop; d.days.DropAfter >= 0 {
		tab.Add("drop_off", wallTime(r.First*86400, in.Loc), wallTime((r.Last+1)*86400, in.Loc), int(r.Last-r.First+1)*1440, r.Requests, round(r.Expected),
			fmt.Sprintf("every complete day since %s below half the median day before it (%s requests)", frame.DayString(d.days.DropAfter), roundInt(d.days.DropBase)))
	}
	s.Compute(fmt.Sprintf(`per_minute = requests.set_index("time").resample("min").size()
# gaps: runs of >= %d empty minutes with exp(-expected) < %.0e, expected = minutes * min(median 10-minute count in the %dh before, in the %dh after, median for the hour of the day) / 10
# quiet hours (days): below half their median by more than 4 * max(1.4826 * MAD, sqrt(median)); errors: 5xx and 4xx shares in the %d minutes before a gap against the rest (binomial p < 1e-4)`,
		d.opt.MinMinutes, math.Exp(-d.opt.MinExpected), d.opt.Window/60, d.opt.Window/60, d.opt.Burst), Output{Table: tab})
}

// wallTime is the instant in loc whose wall clock reads localSeconds (a
// local hour or day number's start, as frame.Clock counts them).
func wallTime(localSeconds int64, loc *time.Location) time.Time {
	w := time.Unix(localSeconds, 0).UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
}

func weekdays(first, last int64) string {
	if first == last {
		return dayWeekday(first).String()
	}
	return dayWeekday(first).String() + " to " + dayWeekday(last).String()
}

// burstNote describes the errors in the minutes before a gap.
func (d *trafficDrops) burstNote(g gap) string {
	if !d.status {
		return ""
	}
	if g.Before.N == 0 {
		return fmt.Sprintf("no requests in the %d minutes before", d.opt.Burst)
	}
	note := fmt.Sprintf("%d minutes before: %s, 5xx %s (usually %s), 4xx %s (usually %s)", d.opt.Burst, Count(int(g.Before.N), "request"),
		Pct(g.Before.share5()), Pct(g.Usual.share5()), Pct(g.Before.share4()), Pct(g.Usual.share4()))
	switch {
	case g.Burst5 && g.Burst4:
		note += "; burst of 5xx and 4xx"
	case g.Burst5:
		note += "; burst of 5xx"
	case g.Burst4:
		note += "; burst of 4xx"
	}
	return note
}

// gapSentence says what happened over a gap.
func (d *trafficDrops) gapSentence(g gap, loc *time.Location) string {
	start, end := time.Unix(g.Start*60, 0).In(loc), time.Unix(g.End*60, 0).In(loc)
	when := fmt.Sprintf("on %s from %s to %s", start.Format(time.DateOnly), start.Format("15:04"), end.Format("15:04"))
	if start.Format(time.DateOnly) != end.Format(time.DateOnly) {
		when = fmt.Sprintf("from %s to %s", start.Format(minuteLayout), end.Format(minuteLayout))
	}
	msg := fmt.Sprintf("Traffic stopped for %s %s, when about %s requests were expected",
		Span(time.Duration(g.Minutes())*time.Minute), when, about(g.Expected))
	if g.Minutes() >= longGap {
		msg = fmt.Sprintf("No requests were logged for %s %s, when about %s were expected: the site was down or logs are missing",
			Span(time.Duration(g.Minutes())*time.Minute), when, about(g.Expected))
	}
	switch {
	case !d.status || g.Before.N == 0:
		return msg + "."
	case g.Burst5:
		msg += fmt.Sprintf("; in the %d minutes before, %s of responses were 5xx against %s usually", d.opt.Burst, Pct(g.Before.share5()), Pct(g.Usual.share5()))
		if g.Burst4 {
			msg += fmt.Sprintf(" (and %s were 4xx against %s)", Pct(g.Before.share4()), Pct(g.Usual.share4()))
		}
		return msg + ": a likely outage."
	case g.Burst4:
		return msg + fmt.Sprintf("; in the %d minutes before, %s of responses were 4xx against %s usually.", d.opt.Burst, Pct(g.Before.share4()), Pct(g.Usual.share4()))
	}
	if g.Before.E5 > 0 && g.Before.share5() >= 2*g.Usual.share5() {
		return msg + fmt.Sprintf("; in the %d minutes before, %s of %s were 5xx, too few to call a burst.",
			d.opt.Burst, Int(int(g.Before.E5)), Count(int(g.Before.N), "response"))
	}
	return msg + fmt.Sprintf("; the %d minutes before showed no rise in server errors (%s 5xx against %s usually).",
		d.opt.Burst, Pct(g.Before.share5()), Pct(g.Usual.share5()))
}

// conclude writes the sentences and findings about drops.
func (d *trafficDrops) conclude(s *Section, in *Input) {
	if len(d.gaps) > 0 {
		order := slices.Clone(d.gaps)
		slices.SortStableFunc(order, func(a, b gap) int { return cmp.Compare(b.Expected, a.Expected) })
		for _, g := range order[:min(3, len(order))] {
			s.Conclude(d.gapSentence(g, in.Loc))
		}
		if len(order) > 3 {
			s.Conclude(fmt.Sprintf("%s more gaps are listed in the table.", Int(len(order)-3)))
		}
		// Findings: outage-like gaps are warnings; holes of a day or more,
		// which missing log files make too, are notices.
		for _, long := range []bool{false, true} {
			var these []gap
			for _, g := range order {
				if (g.Minutes() >= longGap) == long {
					these = append(these, g)
				}
			}
			if len(these) == 0 {
				continue
			}
			msg := d.gapSentence(these[0], in.Loc)
			if len(these) > 1 {
				msg += fmt.Sprintf(" (%s such gaps in all)", Int(len(these)))
			}
			if long {
				s.Find("traffic_missing", SevNotice, int(these[0].Minutes()), msg)
			} else {
				s.Find("traffic_gap", SevWarning, int(these[0].Minutes()), msg)
			}
		}
	}
	if dd := d.days; dd.DropAfter >= 0 {
		n := int(dd.Drop.Last - dd.Drop.First + 1)
		avg := float64(dd.Drop.Requests) / float64(n)
		msg := fmt.Sprintf("A significant drop-off in traffic after %s (%s): the %s since averaged %s requests a day against a median of %s a day before (%s).",
			frame.DayString(dd.DropAfter), dayWeekday(dd.DropAfter), Count(n, "complete day"), roundInt(avg), roundInt(dd.DropBase), Pct(avg/dd.DropBase))
		s.Conclude(msg)
		s.Find("traffic_drop_off", SevWarning, frame.DayString(dd.DropAfter), msg)
	}
	if c := d.collapse; d.collapsed {
		msg := fmt.Sprintf("Traffic collapsed at %s and did not come back before the log ends: %s in the %s before (about %s an hour), %s in the %s after (%s an hour), where about %s were expected at the earlier rate. A likely outage, or the service stopped being used.",
			wall(c.At*3600), Count(c.Before, "request"), Count(c.HoursBefore, "hour"), about(c.RateBefore),
			Count(c.After, "request"), Count(c.HoursAfter, "hour"), Decimal(c.RateAfter, 2), about(c.ExpectedAfter))
		s.Conclude(msg)
		s.Find("traffic_collapse", SevWarning, wall(c.At*3600), msg)
	}
	for _, r := range d.days.Low {
		var msg string
		if r.First == r.Last {
			msg = fmt.Sprintf("%s (%s) had %s, %s of the median day (%s).", frame.DayString(r.First), dayWeekday(r.First),
				Count(r.Requests, "request"), Pct(float64(r.Requests)/r.Expected), roundInt(d.days.Median))
		} else {
			n := int(r.Last - r.First + 1)
			msg = fmt.Sprintf("From %s to %s (%s), traffic was far below its usual level: %s a day on average, %s of the median day (%s).",
				frame.DayString(r.First), frame.DayString(r.Last), weekdays(r.First, r.Last), roundInt(float64(r.Requests)/float64(n)),
				Pct(float64(r.Requests)/r.Expected), roundInt(d.days.Median))
		}
		s.Conclude(msg)
	}
	if len(d.days.Low) > 0 {
		s.Find("low_traffic_days", SevNotice, len(d.days.Low), fmt.Sprintf("%s %s of days far below the median day of %s requests.",
			Int(len(d.days.Low)), verb(len(d.days.Low), "stretch", "stretches"), roundInt(d.days.Median)))
	}
	for i, r := range d.hours {
		if i == 3 {
			s.Conclude(fmt.Sprintf("%s more quiet stretches are listed in the table.", Int(len(d.hours)-3)))
			break
		}
		s.Conclude(fmt.Sprintf("From %s to %s, traffic was far below its usual level for those hours: %s where about %s were usual (%s).",
			wall(r.First*3600), wall((r.Last+1)*3600), Count(r.Requests, "request"), about(r.Expected), Pct(float64(r.Requests)/r.Expected)))
	}
	if len(d.hours) > 0 {
		s.Find("low_traffic_hours", SevNotice, len(d.hours), fmt.Sprintf("%s %s of hours far below the usual level for the hour of the day.",
			Int(len(d.hours)), verb(len(d.hours), "stretch", "stretches")))
	}
	if len(d.gaps) == 0 && len(d.hours) == 0 && len(d.days.Low) == 0 && d.days.DropAfter < 0 && !d.collapsed && d.measured {
		if g := d.longest; g.Minutes() >= longGap {
			start, end := time.Unix(g.Start*60, 0).In(in.Loc), time.Unix(g.End*60, 0).In(in.Loc)
			s.Conclude(fmt.Sprintf("The longest stretch without any request lasted %s, from %s to %s; traffic next to it was too thin to call it an outage rather than a hole in the logs. No other gap or unusually quiet hour or day was found.",
				Span(time.Duration(g.Minutes())*time.Minute), start.Format(minuteLayout), end.Format(minuteLayout)))
		} else if d.typical >= d.opt.MinExpected && !d.profiled {
			s.Conclude(fmt.Sprintf("No gaps in traffic were found; %s too few to tell an unusually quiet hour or day from a usual one.",
				Count(d.days.Days, "complete day")+" "+verb(d.days.Days, "is", "are")))
		} else if d.typical >= d.opt.MinExpected {
			s.Conclude("No gaps in traffic and no unusually quiet hours or days were found.")
		} else {
			s.Conclude(fmt.Sprintf("With at most %s in a usual hour, traffic is too sparse to tell an hour-long outage from a quiet spell.", Count(int(d.typical), "request")))
		}
	}
}
