package analysis

import (
	"context"
	"fmt"
	"slices"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "traffic",
		Title: "Traffic over time",
		Doc:   "How many requests arrived per day and per hour, in the log's time zone.",
		Order: 200,
		New:   func() Analysis { return traffic{} },
	})
}

type traffic struct{}

// maxPlotPoints is the most points a time-series plot draws; longer spans
// are plotted in coarser buckets.
const maxPlotPoints = 2000

var _ Analysis = traffic{}

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

func (traffic) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	s := &Section{}
	s.Prose(fmt.Sprintf("When did the requests arrive? Days and hours are counted in %s.", Code(in.Loc.String())))
	b := bucketTimes(f, in)

	byDay := NewTable("requests_by_day", "Requests per day", Column{"day", Text}, Column{"requests", Integer})
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
			Count(len(b.days), "day"), Count(f.Len(), "request"), Float(float64(f.Len())/float64(len(b.days)), 0),
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
	return s, nil
}
