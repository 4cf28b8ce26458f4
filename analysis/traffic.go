package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "traffic",
		Title: "Traffic over time",
		Doc:   "How many requests arrived per day and per hour, in the log's time zone, and where traffic stopped, collapsed or fell far below its usual level; records dated far from the rest are named and left out, and a log sampled a few minutes an hour is not searched for gaps.",
		Order: 200,
		Cost:  30, // ms per million rows
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
	bulk                timeBulk // the records counted: all but the stray dates
}

// bucketTimes is the time buckets of a frame's records.
func bucketTimes(f *frame.Frame, in *Input) timeBuckets {
	return bucketSeconds(countSeconds(f.Time, nil), in)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (a *traffic) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, a, in)
}

// trafficState counts the requests per UTC second, with their 4xx and 5xx
// responses (ClassSeconds): the days, hours and minutes of the section are
// its sums, and the stray dates its tails, all of them integer counts that
// merge without loss, and the seconds are sorted by time, never by the
// order in which the records came.
type trafficState struct {
	Opt     gapOptions   // the section's parameters
	Status  bool         // whether any chunk had status codes (error bursts are told)
	Seconds ClassSeconds // all requests, and the 4xx and 5xx (Classes[1], [2])

	whole []secondCount // the seconds of a run over one frame (addWhole), in place of Seconds
}

var _ Partial = (*traffic)(nil)

func (a *traffic) NewState(*Input) State { return &trafficState{Opt: a.gapOptions()} }

func (st *trafficState) Add(_ context.Context, f *frame.Frame) error {
	status := strCol(f, frame.Status)
	st.Status = st.Status || status != nil
	st.Seconds.Add(f.Time, status, [3]bool{false, true, true})
	return nil
}

// addWhole counts the seconds of a run over one frame straight into the
// list Finish reads, which costs less than filling Seconds and listing it.
func (st *trafficState) addWhole(_ context.Context, f *frame.Frame) error {
	status := strCol(f, frame.Status)
	st.Status = status != nil
	st.whole = countSeconds(f.Time, status)
	return nil
}

func (st *trafficState) Merge(other State) error {
	o, err := mergeAs[*trafficState](other)
	if err != nil {
		return err
	}
	st.Status = st.Status || o.Status
	st.Seconds.Merge(&o.Seconds)
	return nil
}

func (st *trafficState) Finish(_ context.Context, in *Input) (*Section, error) {
	s := &Section{}
	s.Prose(fmt.Sprintf("When did the requests arrive? Days and hours are counted in %s.", Code(in.Loc.String())))
	secs := st.whole
	if secs == nil {
		secs = st.Seconds.secondCounts()
	}
	b := bucketSeconds(secs, in)

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
		// Per day, or per week or month past maxPlotPoints days.
		var rowOf func(int64) int64
		var rowLabel func(int64) string
		unit, rowOf, rowLabel = dayRows(b.firstDay, b.firstDay+int64(len(b.days))-1, maxPlotPoints)
		first := rowOf(b.firstDay)
		over = make([]int, rowOf(b.firstDay+int64(len(b.days))-1)-first+1)
		for i, n := range b.days {
			over[rowOf(b.firstDay+int64(i))-first] += n
		}
		freq := map[string]string{"day": "D", "week": "W-MON", "month": "MS"}[unit]
		code = fmt.Sprintf(`requests.set_index("time").resample(%q).size().plot()`, freq)
		label = func(i int) string { return rowLabel(first + int64(i)) }
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
	clock := frame.NewClock(in.Loc)
	drops := findDrops(minutesOfSeconds(secs, b.bulk.Lo, b.bulk.Hi), st.Status, in, b, st.Opt)
	sample := drops.sample
	drops.cells(s, in)

	// Conclusions from the numbers.
	outlierDates(s, b, in)
	complete := b.completeDays(clock)
	daySentences(s, b, complete)
	idle := 0
	for _, n := range b.hours {
		if n == 0 {
			idle++
		}
	}
	if idle > 0 {
		s.Conclude(fmt.Sprintf("%s of %s between the first and last request had no requests at all.", Count(idle, "hour"), Int(len(b.hours))))
	}
	// By hour of the day, over two days at least, and with enough requests
	// that each hour holds a few on average.
	if len(b.hours) >= 48 && b.bulk.N >= 24*minHourOfDay {
		hi, lo := 0, 0
		for h, n := range byHour {
			if n > byHour[hi] {
				hi = h
			}
			if n < byHour[lo] {
				lo = h
			}
		}
		loPct, hiPct := Pct(float64(byHour[lo])/float64(b.bulk.N)), Pct(float64(byHour[hi])/float64(b.bulk.N))
		if loPct == hiPct {
			s.Conclude(fmt.Sprintf("Traffic was about even over the hours of the day: each held about %s of requests.", loPct))
		} else if float64(byHour[hi]) < 1.2*float64(byHour[lo]) {
			s.Conclude(fmt.Sprintf("Traffic was about even over the hours of the day: each held between %s and %s of requests.", loPct, hiPct))
		} else {
			s.Conclude(fmt.Sprintf("By hour of the day, the busiest was %02d:00–%02d:00 with %s of requests and the quietest %02d:00–%02d:00 with %s.",
				hi, (hi+1)%24, hiPct, lo, (lo+1)%24, loPct))
		}
	}
	if sample.sampled {
		s.Conclude(sample.sentence())
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
	unit, rowOf, label := dayRows(b.firstDay, b.firstDay+int64(len(b.days))-1, maxRows)
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
	s.Compute(fmt.Sprintf(`pd.crosstab(requests.time.dt.to_period(%q), requests.time.dt.hour)`, map[string]string{"day": "D", "week": "W-SUN", "month": "M"}[unit]),
		Output{Plot: p})
}

// dayRows groups the days from firstDay to lastDay by day, by week when
// they are more than maxRows, and by month when the weeks are too: the unit,
// the group of a day, and a group's label.
func dayRows(firstDay, lastDay int64, maxRows int) (unit string, rowOf func(int64) int64, label func(int64) string) {
	unit, rowOf, label = "day", func(day int64) int64 { return day }, frame.DayString
	if lastDay-firstDay+1 <= int64(maxRows) {
		return
	}
	unit = "week"
	rowOf = func(day int64) int64 { return floorDiv(day-4, 7) } // weeks from Monday 1970-01-05
	label = func(w int64) string { return "week of " + frame.DayString(w*7+4) }
	if rowOf(lastDay)-rowOf(firstDay)+1 <= int64(maxRows) {
		return
	}
	unit = "month"
	rowOf = func(day int64) int64 {
		t := time.Unix(day*86400, 0).UTC()
		return int64(t.Year())*12 + int64(t.Month()) - 1
	}
	label = func(m int64) string { return fmt.Sprintf("%04d-%02d", m/12, m%12+1) }
	return
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
	// start is a trickle at the log's beginning before traffic began.
	start   collapse
	started bool
	sample  hourSample
	sampled bool // a sample of each hour: no gaps looked for
}

// findDrops runs the detection of drops.go on the requests per minute of
// the bulk (mc, with 4xx and 5xx counted when status tells that the log
// has status codes) and b.
func findDrops(mc []minuteCount, status bool, in *Input, b timeBuckets, opt gapOptions) *trafficDrops {
	d := &trafficDrops{opt: opt, status: status}
	clock := frame.NewClock(in.Loc)
	skip := func(h int64) bool { return skippedHour(in.Loc, h) }

	prof := profileHours(b.hours, b.firstHour, skip)
	d.sample = sampledMinutes(mc, b, clock)
	d.sampled = d.sample.sampled
	if !d.sampled {
		d.gaps = findGaps(mc, func(start, end int64) float64 { return prof.usualOver(clock, start, end) }, opt)
		for i := 1; i < len(mc); i++ {
			if n := mc[i].Minute - mc[i-1].Minute - 1; n > d.longest.Minutes() {
				d.longest = gap{Start: mc[i-1].Minute + 1, End: mc[i].Minute}
			}
		}
	}

	d.days = lowDays(b.days, b.firstDay, b.completeDays(clock))
	if d.days.DropAfter < 0 {
		d.collapse, d.collapsed = findCollapse(b.hours, b.firstHour)
	}
	// A log that begins with a trickle: its first days and hours are no
	// drop, only the time before traffic began.
	if d.start, d.started = findStart(b.hours, b.firstHour); d.started {
		startDay := floorDiv(d.start.At, 24)
		var low []quietRun
		for _, r := range d.days.Low {
			if r.Last >= startDay {
				low = append(low, r)
			}
		}
		d.days.Low = low
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
		if d.started && r.Last < d.start.At {
			explained = true // before traffic began
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
	if c := d.start; d.started {
		s.Conclude(fmt.Sprintf("The log begins with a trickle: %s in its first %s (%s an hour), then traffic began at %s, about %s an hour since. That is where its traffic starts, not an outage.",
			Count(c.Before, "request"), Count(c.HoursBefore, "hour"), Decimal(c.RateBefore, 2), wall(c.At*3600), about(c.RateAfter)))
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
		if d.sampled {
			if d.profiled && d.typical >= d.opt.MinExpected {
				s.Conclude("No unusually quiet hours or days were found.")
			}
		} else if g := d.longest; g.Minutes() >= longGap {
			start, end := time.Unix(g.Start*60, 0).In(in.Loc), time.Unix(g.End*60, 0).In(in.Loc)
			s.Conclude(fmt.Sprintf("The longest stretch without any request lasted %s, from %s to %s; traffic next to it was too thin to call it an outage rather than a hole in the logs. No other gap or unusually quiet hour or day was found.",
				Span(time.Duration(g.Minutes())*time.Minute), start.Format(minuteLayout), end.Format(minuteLayout)))
		} else if d.typical >= d.opt.MinExpected && !d.profiled {
			few := Count(d.days.Days, "complete day") + " " + verb(d.days.Days, "is", "are") + " too few"
			if d.days.Days == 0 {
				few = "a log shorter than a complete day is too short"
			}
			s.Conclude(fmt.Sprintf("No gaps in traffic were found; %s to tell an unusually quiet hour or day from a usual one.", few))
		} else if d.typical >= d.opt.MinExpected {
			s.Conclude("No gaps in traffic and no unusually quiet hours or days were found.")
		} else {
			s.Conclude(fmt.Sprintf("With at most %s in a usual hour, traffic is too sparse to tell an hour-long outage from a quiet spell.", Count(int(d.typical), "request")))
		}
	}
}

// timeBulk is where a log's records lie in time: the span [Lo, Hi] (Unix
// seconds) that holds all but a few records dated far from the others (a
// clock set to 1970 or 9999, a corrupt timestamp). Counts per day, hour or
// minute are made over the bulk only, so that they stay bounded by the
// records rather than by the span one stray date opens.
type timeBulk struct {
	Lo, Hi   int64
	N        int     // records in the bulk
	Outliers []int64 // the times outside it, sorted
}

// Bounds of findBulk.
const (
	bulkMinSpan = 400 * 86400 // shorter logs have no outliers
	bulkMinPad  = 365 * 86400 // the least distance from the central 98% that makes a record an outlier
	bulkMaxSpan = 1 << 19 * 3600
)

// findBulk splits times into the bulk and the outliers. A record is an
// outlier when it lies further from the central 98% of the records than
// that central span is long, and at least a year from it; when what remains
// still spans more than about 60 years (two logs centuries apart), the bulk
// is the 60-year window that holds the most records. Logs spanning less
// than 400 days have no outliers, and cost one pass.
func findBulk(times []int64) timeBulk {
	if len(times) == 0 {
		return timeBulk{}
	}
	lo, hi := slices.Min(times), slices.Max(times)
	if hi-lo <= bulkMinSpan {
		return timeBulk{Lo: lo, Hi: hi, N: len(times)}
	}
	s := slices.Clone(times)
	slices.Sort(s)
	n := len(s)
	qlo, qhi := s[n/100], s[n-1-n/100]
	pad := max(qhi-qlo, bulkMinPad)
	a, _ := slices.BinarySearch(s, qlo-pad)
	z, _ := slices.BinarySearch(s, qhi+pad+1) // one past the last in the bulk
	if s[z-1]-s[a] > bulkMaxSpan {
		bestA, bestZ := a, a
		for i, j := a, a; i < z; i++ {
			for j < z && s[j]-s[i] <= bulkMaxSpan {
				j++
			}
			if j-i > bestZ-bestA {
				bestA, bestZ = i, j
			}
		}
		a, z = bestA, bestZ
	}
	b := timeBulk{Lo: s[a], Hi: s[z-1], N: z - a}
	b.Outliers = append(append(b.Outliers, s[:a]...), s[z:]...)
	return b
}

// In tells whether t lies in the bulk.
func (b timeBulk) In(t int64) bool { return t >= b.Lo && t <= b.Hi }

// completeDays tells, for each local day of b, whether the log covers at
// least 23 hours of it (from the first record of the bulk to its last).
func (b timeBuckets) completeDays(clock *frame.Clock) []bool {
	fl, ll := clock.Local(b.bulk.Lo), clock.Local(b.bulk.Hi)
	complete := make([]bool, len(b.days))
	for i := range b.days {
		start := (b.firstDay + int64(i)) * 86400
		complete[i] = min(ll+1, start+86400)-max(fl, start) >= 23*3600
	}
	return complete
}

// minHourOfDay is the fewest requests per hour of the day, on average, for
// the busiest and quietest hours of the day to be told.
const minHourOfDay = 5

// daySentences says how many requests the log holds over how many days,
// the busiest and quietest complete days, and the busiest hour.
func daySentences(s *Section, b timeBuckets, complete []bool) {
	peak := 0
	for i, n := range b.hours {
		if n > b.hours[peak] {
			peak = i
		}
	}
	hour := fmt.Sprintf("the busiest hour began at %s with %s", frame.HourString(b.firstHour+int64(peak)), Count(b.hours[peak], "request"))
	day := func(i int) string { return frame.DayString(b.firstDay + int64(i)) }
	last := len(b.days) - 1
	if last == 0 {
		if b.bulk.N == 1 {
			// Neither "all 1 request" nor a busiest hour of one.
			s.Conclude(fmt.Sprintf("The one request arrived on %s, in the hour that began at %s.", day(0), frame.HourString(b.firstHour+int64(peak))))
			return
		}
		s.Conclude(fmt.Sprintf("All %s arrived on %s; %s.", Count(b.bulk.N, "request"), day(0), hour))
		return
	}
	var full []int // complete days with requests
	busy := 0
	for i, n := range b.days {
		if n > 0 {
			busy++
			if complete[i] {
				full = append(full, i)
			}
		}
	}
	sparse := busy*2 < len(b.days)
	switch {
	case sparse:
		s.Conclude(fmt.Sprintf("The log spans %s, from %s to %s, but only %s of them %s requests: %s in all.",
			Count(len(b.days), "day"), day(0), day(last), Int(busy), verb(busy, "has", "have"), Int(b.bulk.N)))
	case len(full) == 0:
		s.Conclude(fmt.Sprintf("The log holds %s over parts of %s, from %s to %s.", Count(b.bulk.N, "request"), Count(len(b.days), "day"), day(0), day(last)))
	case complete[0] && complete[last]:
		s.Conclude(fmt.Sprintf("Over %s the log holds %s, %s a day on average.",
			Count(len(b.days), "day"), Count(b.bulk.N, "request"), roundInt(float64(b.bulk.N)/float64(len(b.days)))))
	default:
		inFull := 0
		for _, i := range full {
			inFull += b.days[i]
		}
		held := fmt.Sprintf("its %s held %s a day on average", Count(len(full), "complete day"), roundInt(float64(inFull)/float64(len(full))))
		if len(full) == 1 {
			held = fmt.Sprintf("its one complete day, %s, held %s", day(full[0]), Count(inFull, "request"))
		}
		s.Conclude(fmt.Sprintf("Over %s, from %s to %s, the log holds %s; %s (%s).",
			Count(len(b.days), "day"), day(0), day(last), Count(b.bulk.N, "request"), held, partialDays(complete)))
	}
	busiest := 0
	for i, n := range b.days {
		if n > b.days[busiest] {
			busiest = i
		}
	}
	if sparse {
		s.Conclude(fmt.Sprintf("The busiest day was %s with %s; %s.", day(busiest), Count(b.days[busiest], "request"), hour))
		return
	}
	if len(full) >= 2 {
		hi, lo := full[0], full[0]
		for _, i := range full {
			if b.days[i] > b.days[hi] {
				hi = i
			}
			if b.days[i] < b.days[lo] {
				lo = i
			}
		}
		switch {
		case float64(b.days[lo]) >= 0.9*float64(b.days[hi]) && len(full) < 3:
			// the average above says it
		case float64(b.days[lo]) >= 0.9*float64(b.days[hi]):
			s.Conclude(fmt.Sprintf("The %s held about as many requests each: between %s and %s.", Count(len(full), "complete day"), Int(b.days[lo]), Int(b.days[hi])))
		case len(full) == len(b.days):
			s.Conclude(fmt.Sprintf("The busiest day was %s with %s; the quietest was %s with %s.",
				day(hi), Count(b.days[hi], "request"), day(lo), Count(b.days[lo], "request")))
		default:
			s.Conclude(fmt.Sprintf("The busiest day was %s with %s; of the complete days, the quietest was %s with %s.",
				day(busiest), Count(b.days[busiest], "request"), day(lo), Count(b.days[lo], "request")))
		}
	}
	s.Conclude(strings.ToUpper(hour[:1]) + hour[1:] + ".")
}

// partialDays says which of the first and last days the log covers only in part.
func partialDays(complete []bool) string {
	first, last := !complete[0], !complete[len(complete)-1]
	switch {
	case first && last:
		return "the first and last days are partial"
	case first:
		return "the first day is partial"
	case last:
		return "the last day is partial"
	}
	return "every day is complete"
}

// outlierDates says which records lie far outside the bulk of the log.
func outlierDates(s *Section, b timeBuckets, in *Input) {
	out := b.bulk.Outliers
	if len(out) == 0 {
		return
	}
	var days []string
	for _, t := range out {
		if d := time.Unix(t, 0).In(in.Loc).Format(time.DateOnly); len(days) == 0 || days[len(days)-1] != d {
			days = append(days, d)
		}
	}
	list := days
	if len(days) > 4 {
		list = append(slices.Clone(days[:3]), fmt.Sprintf("%s more days", Int(len(days)-3)))
	}
	dates := list[0]
	if len(list) > 1 {
		dates = strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
	}
	lo, hi := time.Unix(b.bulk.Lo, 0).In(in.Loc).Format(time.DateOnly), time.Unix(b.bulk.Hi, 0).In(in.Loc).Format(time.DateOnly)
	when := lo + " to " + hi
	if lo == hi {
		when = "on " + lo
	}
	msg := fmt.Sprintf("%s %s dated far from the other %s (%s): %s. %s left out of the counts per day and hour, the plots and the search for gaps.",
		Count(len(out), "record"), verb(len(out), "is", "are"), Count(b.bulk.N, "record"), when,
		verb(len(out), "it is dated "+dates, "they are dated "+dates), verb(len(out), "It is", "They are"))
	s.Conclude(msg)
	s.Find("traffic_outlier_dates", SevNotice, len(out), msg)
}

// hourSample is what sampledMinutes found.
type hourSample struct {
	sampled bool
	minutes []int // the minutes of the hour holding the records, in order
	outside int   // records in other minutes
}

// Thresholds of sampledMinutes.
const (
	sampleMinRecords = 600   // with 600 records spread evenly, a minute of the hour is empty with odds of e^-10
	sampleMinHours   = 3     // distinct hours with requests
	sampleShare      = 0.995 // of the records in the minutes found
)

// sampledMinutes tells whether the log is a sample of each hour: at least
// 600 records over three hours or more, and 99.5% of them in at most half
// of the minutes of the hour (spread evenly, each minute would hold about
// 1/60 of them, and none would be empty). Such a log has no gaps to tell:
// the minutes between samples are empty by design.
//
// mc is the bulk's requests per UTC minute (countMinutes).
func sampledMinutes(mc []minuteCount, b timeBuckets, clock *frame.Clock) hourSample {
	var by [60]int
	n := 0
	for _, c := range mc {
		by[floorMod(floorDiv(clock.Local(c.Minute*60), 60), 60)] += int(c.N)
		n += int(c.N)
	}
	hours := 0
	for _, c := range b.hours {
		if c > 0 {
			hours++
		}
	}
	if n < sampleMinRecords || hours < sampleMinHours {
		return hourSample{}
	}
	order := make([]int, 60)
	for m := range order {
		order[m] = m
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(by[y], by[x]) })
	var h hourSample
	kept := 0
	for _, m := range order {
		if float64(kept) >= sampleShare*float64(n) {
			break
		}
		h.minutes = append(h.minutes, m)
		kept += by[m]
	}
	if len(h.minutes) > 30 {
		return hourSample{}
	}
	slices.Sort(h.minutes)
	h.outside, h.sampled = n-kept, true
	return h
}

// sentence says which minutes of the hour the records fall in.
func (h hourSample) sentence() string {
	m := h.minutes
	where := fmt.Sprintf("minute :%02d", m[0])
	if len(m) > 1 && m[len(m)-1]-m[0] == len(m)-1 {
		where = fmt.Sprintf("minutes :%02d–:%02d", m[0], m[len(m)-1])
	} else if len(m) > 1 {
		var l []string
		for _, x := range m[:min(len(m), 4)] {
			l = append(l, fmt.Sprintf(":%02d", x))
		}
		more := ""
		if len(m) > 4 {
			more = fmt.Sprintf(" and %d more", len(m)-4)
		}
		where = fmt.Sprintf("%d of the 60 minutes (%s%s)", len(m), strings.Join(l, ", "), more)
	}
	who := "Every record falls in " + where + " of its hour"
	if h.outside > 0 {
		who = fmt.Sprintf("All but %s fall in %s of their hour", Count(h.outside, "record"), where)
	}
	return who + ": this log looks like a sample of each hour, so the empty minutes between samples are not taken for gaps in traffic."
}
