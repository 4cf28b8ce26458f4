package analysis

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin without a system zoneinfo

	"github.com/logbook/logbook/frame"
)

// synthOptions describe a synthetic access log made in-process, shaped like
// the one genlog.py writes: a daily cycle (trough about 04:30, peak about
// 16:30), quieter weekends, ±10% noise per minute and, optionally, an
// outage of 89 minutes from 03:12 on day min(3, days-1), with 35% of
// responses 5xx in the 15 minutes before it and retries after it.
type synthOptions struct {
	Lines    int
	Days     int
	Start    time.Time // midnight UTC of the first day
	Outage   bool
	Seed     uint64
	Weekends float64                 // weight of Saturdays and Sundays; 0 means 0.7
	Hours    func(hour float64) bool // when not nil, traffic only in these hours
	DayScale func(day int) float64   // when not nil, multiplies each day's weight
}

var synthStart = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC) // a Monday

// outageAt is the first minute of the outage of o, counted from Start.
func (o synthOptions) outageAt() int { return min(3, o.Days-1)*1440 + 3*60 + 12 }

// minutePlan returns the requests per minute, and whether each minute is
// degraded (just before the outage).
func (o synthOptions) minutePlan(rng *rand.Rand) (counts []int, degraded []bool) {
	total := o.Days * 1440
	oStart, oLen := -1, 0
	if o.Outage {
		oStart, oLen = o.outageAt(), 89
	}
	weekend := o.Weekends
	if weekend == 0 {
		weekend = 0.7
	}
	weights := make([]float64, total)
	sum := 0.0
	for m := range weights {
		hour := float64(m%1440) / 60
		w := 0.2 + 0.8*(0.5-0.5*math.Cos(2*math.Pi*(hour-4.5)/24))
		if d := (m / 1440) % 7; d == 5 || d == 6 {
			w *= weekend
		}
		if o.DayScale != nil {
			w *= o.DayScale(m / 1440)
		}
		if o.Hours != nil && !o.Hours(hour) {
			w = 0
		}
		w *= 0.9 + 0.2*rng.Float64()
		switch {
		case oStart <= m && m < oStart+oLen:
			w = 0
		case oStart+oLen <= m && m < oStart+oLen+10:
			w *= 1.6
		}
		weights[m] = w
		sum += w
	}
	counts = make([]int, total)
	degraded = make([]bool, total)
	cum, prev := 0.0, 0
	for m, w := range weights {
		cum += w
		upto := int(float64(o.Lines) * cum / sum)
		if m == total-1 {
			upto = o.Lines
		}
		counts[m] = upto - prev
		prev = upto
		degraded[m] = oStart-15 <= m && m < oStart
	}
	return counts, degraded
}

// synthFrame builds the frame of a synthetic log.
func synthFrame(o synthOptions) *frame.Frame {
	if o.Start.IsZero() {
		o.Start = synthStart
	}
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	counts, degraded := o.minutePlan(rng)
	ips := make([][]byte, 5000)
	for i := range ips {
		ips[i] = []byte(fmtIP(i))
	}
	stems := make([][]byte, 2000)
	for i := range stems {
		stems[i] = []byte("/page/" + Int(i))
	}
	stems[0], stems[1] = []byte("/"), []byte("/old")
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Method, frame.Stem, frame.Status))
	var r frame.Row
	base := o.Start.Unix()
	for m, n := range counts {
		for range n {
			r.Reset()
			r.Time = base + int64(m)*60 + rng.Int64N(60)
			u := rng.Float64()
			r.Str[frame.IP] = ips[int(float64(len(ips))*u*u*u)]
			u = rng.Float64()
			r.Str[frame.Stem] = stems[int(float64(len(stems))*u*u)]
			r.Str[frame.Method] = pick(rng.Float64(), []float64{0.95, 0.98, 0.99, 0.995}, "GET", "POST", "HEAD", "PUT", "DELETE")
			if degraded[m] && rng.Float64() < 0.35 {
				r.Str[frame.Status] = pick(rng.Float64(), []float64{0.4, 0.65, 0.85}, "500", "502", "503", "504")
			} else {
				r.Str[frame.Status] = pick(rng.Float64(), []float64{0.85, 0.91, 0.94, 0.98, 0.995}, "200", "304", "301", "404", "403", "500")
			}
			r.Num[frame.Bytes] = 1000
			b.Add(&r)
		}
	}
	return b.Frame()
}

// pick returns vals[i] for the first cumulative bound u falls under.
func pick(u float64, bounds []float64, vals ...string) []byte {
	for i, b := range bounds {
		if u < b {
			return []byte(vals[i])
		}
	}
	return []byte(vals[len(vals)-1])
}

func fmtIP(i int) string {
	return "10." + Int(i/65536) + "." + Int(i/256%256) + "." + Int(i%256)
}

// runTraffic runs the traffic section on f in UTC.
func runTraffic(t testing.TB, f *frame.Frame) *Section {
	t.Helper()
	s, err := configured(t, "traffic", nil).Run(context.Background(), &Input{Frame: f, Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tableByID(s *Section, id string) *Table {
	for _, t := range s.Tables() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func findingByID(s *Section, id string) *Finding {
	for i := range s.Findings {
		if s.Findings[i].ID == id {
			return &s.Findings[i]
		}
	}
	return nil
}

// TestOutageFound is genlog's outage made in Go: the gap must be found with
// its start and length, and the error burst before it.
func TestOutageFound(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines int
		days  int
	}{
		{"sample size, a week", 20000, 7},
		{"100k, a week", 100000, 7},
		{"two days", 10000, 2},
		{"one day", 50000, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := synthOptions{Lines: tc.lines, Days: tc.days, Outage: true, Seed: 1}
			f := synthFrame(o)
			wantStart := synthStart.Add(time.Duration(o.outageAt()) * time.Minute)

			mc := countMinutes(f.Time, strCol(f, frame.Status))
			gaps := findGaps(mc, nil, defaultGapOptions())
			if len(gaps) != 1 {
				t.Fatalf("found %d gaps, want 1: %+v", len(gaps), gaps)
			}
			g := gaps[0]
			if got := time.Unix(g.Start*60, 0).UTC(); !got.Equal(wantStart) || g.Minutes() != 89 {
				t.Errorf("gap from %s for %d minutes, want from %s for 89", got, g.Minutes(), wantStart)
			}
			if !g.Burst5 {
				t.Errorf("no 5xx burst before the gap: %+v", g.Before)
			}
			if g.Before.share5() < 0.15 || g.Usual.share5() > 0.01 {
				t.Errorf("5xx before %.3f, usually %.3f", g.Before.share5(), g.Usual.share5())
			}

			s := runTraffic(t, f)
			tab := tableByID(s, "traffic_drops")
			if tab == nil || len(tab.Rows) != 1 {
				t.Fatalf("traffic_drops = %+v, want one row", tab)
			}
			row := tab.Rows[0]
			start, end := wantStart, wantStart.Add(89*time.Minute)
			if row[0] != "gap" || row[1] != start || row[2] != end || row[3] != 89 || row[4] != 0 {
				t.Errorf("row = %v, want a gap from %s to %s, 89 minutes, 0 requests", row, start, end)
			}
			if exp := row[5].(float64); exp < 20 {
				t.Errorf("expected requests %v, want at least 20", exp)
			}
			want := "Traffic stopped for 89 minutes on " + wantStart.Format(time.DateOnly) + " from 03:12 to 04:41, when about "
			text := strings.Join(s.Conclusions, "\n")
			if !strings.Contains(text, want) || !strings.Contains(text, "a likely outage") {
				t.Errorf("conclusions lack %q and the outage:\n%s", want, text)
			}
			if fd := findingByID(s, "traffic_gap"); fd == nil || fd.Severity != SevWarning || fd.Value != 89 {
				t.Errorf("traffic_gap finding = %+v", fd)
			}
			for _, fd := range s.Findings {
				if fd.ID != "traffic_gap" {
					t.Errorf("unexpected finding %+v", fd)
				}
			}
		})
	}
}

// TestNoDropsOnSteadyOrSparseLogs: a log without an outage, and logs far
// too sparse for silence to mean anything, produce no drop at all.
func TestNoDropsOnSteadyOrSparseLogs(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    synthOptions
		say  string
	}{
		{"steady week", synthOptions{Lines: 100000, Days: 7, Seed: 2}, "No gaps in traffic"},
		{"steady week, sample size", synthOptions{Lines: 20000, Days: 7, Seed: 3}, "No gaps in traffic"},
		{"steady month", synthOptions{Lines: 200000, Days: 30, Seed: 4}, "No gaps in traffic"},
		{"steady day", synthOptions{Lines: 50000, Days: 1, Seed: 15}, "No gaps in traffic were found; 1 complete day is too few to tell"},
		{"steady two days", synthOptions{Lines: 50000, Days: 2, Seed: 16}, "No gaps in traffic were found; 2 complete days are too few to tell"},
		{"3 a day", synthOptions{Lines: 60, Days: 20, Seed: 5}, "too sparse"},
		{"3 a day with the outage", synthOptions{Lines: 60, Days: 20, Seed: 6, Outage: true}, "too sparse"},
		{"a few an hour", synthOptions{Lines: 1500, Days: 14, Seed: 7, Outage: true}, "too sparse"},
		{"office hours", synthOptions{Lines: 50000, Days: 14, Seed: 8, Weekends: 1,
			Hours: func(h float64) bool { return h >= 8 && h < 18 }}, "No gaps in traffic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runTraffic(t, synthFrame(tc.o))
			if tab := tableByID(s, "traffic_drops"); tab == nil || len(tab.Rows) != 0 {
				t.Errorf("traffic_drops = %+v, want no rows", tab)
			}
			if len(s.Findings) != 0 {
				t.Errorf("findings %+v, want none", s.Findings)
			}
			text := strings.Join(s.Conclusions, "\n")
			if !strings.Contains(text, tc.say) {
				t.Errorf("conclusions do not say %q:\n%s", tc.say, text)
			}
			for _, word := range []string{"stopped", "drop-off", "far below"} {
				if strings.Contains(text, word) {
					t.Errorf("conclusions speak of %q:\n%s", word, text)
				}
			}
		})
	}
}

// TestDropOff: ten days at the usual level, then four at 5%: the section
// says traffic dropped off after the tenth day, and lists no single day.
func TestDropOff(t *testing.T) {
	o := synthOptions{Lines: 105000, Days: 14, Seed: 9, Weekends: 1,
		DayScale: func(d int) float64 { return map[bool]float64{true: 0.05, false: 1}[d >= 10] }}
	s := runTraffic(t, synthFrame(o))
	tab := tableByID(s, "traffic_drops")
	if tab == nil || len(tab.Rows) != 1 || tab.Rows[0][0] != "drop_off" {
		t.Fatalf("traffic_drops = %+v, want one drop_off row", tab)
	}
	if row := tab.Rows[0]; row[1] != utcMinute("2024-03-14 00:00") || row[2] != utcMinute("2024-03-18 00:00") || row[3] != 4*1440 {
		t.Errorf("drop_off row = %v", row)
	}
	text := strings.Join(s.Conclusions, "\n")
	if want := "A significant drop-off in traffic after 2024-03-13 (Wednesday): the 4 complete days since averaged"; !strings.Contains(text, want) {
		t.Errorf("conclusions lack %q:\n%s", want, text)
	}
	if fd := findingByID(s, "traffic_drop_off"); fd == nil || fd.Value != "2024-03-13" {
		t.Errorf("traffic_drop_off finding = %+v", fd)
	}
}

// TestLowDayAndHours: one day at 20% in the middle of ten is a low day; on
// another day, three hours at 10% are low hours.
func TestLowDayAndHours(t *testing.T) {
	o := synthOptions{Lines: 200000, Days: 10, Seed: 10, Weekends: 1,
		DayScale: func(d int) float64 { return map[bool]float64{true: 0.2, false: 1}[d == 5] }}
	f := synthFrame(o)
	// Thin out 2024-03-06 12:00-15:00 to a tenth.
	lo, hi := time.Date(2024, 3, 6, 12, 0, 0, 0, time.UTC).Unix(), time.Date(2024, 3, 6, 15, 0, 0, 0, time.UTC).Unix()
	var b frame.Builder
	b.Begin(f.Columns())
	var r frame.Row
	for i, ts := range f.Time {
		if ts >= lo && ts < hi && i%10 != 0 {
			continue
		}
		r.Reset()
		r.Time = ts
		for _, c := range []frame.StrCol{frame.IP, frame.Method, frame.Stem, frame.Status} {
			r.Str[c] = []byte(f.Str(c).Value(i))
		}
		b.Add(&r)
	}
	s := runTraffic(t, b.Frame())
	tab := tableByID(s, "traffic_drops")
	var kinds []string
	for _, row := range tab.Rows {
		kinds = append(kinds, row[0].(string)+" "+row[1].(time.Time).Format(minuteLayout)+" "+row[2].(time.Time).Format(minuteLayout))
		if loc := row[1].(time.Time).Location(); loc != time.UTC {
			t.Errorf("%s starts in %s, want UTC", row[0], loc)
		}
	}
	want := []string{"low_hours 2024-03-06 12:00 2024-03-06 15:00", "low_days 2024-03-09 00:00 2024-03-10 00:00"}
	if !slices.Equal(kinds, want) {
		t.Errorf("drops = %q, want %q", kinds, want)
	}
	text := strings.Join(s.Conclusions, "\n")
	for _, want := range []string{"2024-03-09 (Saturday) had ", "From 2024-03-06 12:00 to 2024-03-06 15:00, traffic was far below its usual level"} {
		if !strings.Contains(text, want) {
			t.Errorf("conclusions lack %q:\n%s", want, text)
		}
	}
	if findingByID(s, "low_traffic_days") == nil || findingByID(s, "low_traffic_hours") == nil {
		t.Errorf("findings = %+v", s.Findings)
	}
}

// TestQuietWeekendsAreUsual: over three weeks, weekends at a fifth of the
// weekday level are the usual for weekends, not low days.
func TestQuietWeekendsAreUsual(t *testing.T) {
	s := runTraffic(t, synthFrame(synthOptions{Lines: 100000, Days: 21, Seed: 11, Weekends: 0.2}))
	if tab := tableByID(s, "traffic_drops"); len(tab.Rows) != 0 {
		t.Errorf("traffic_drops = %v, want none", tab.Rows)
	}
}

// TestSampledMinutes is a log like the Apache sample: one minute an hour
// kept, so 59 empty minutes every hour that are no outage.
func TestSampledMinutes(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Status))
	var r frame.Row
	for h := range int64(96) {
		for i := range int64(120) {
			r.Reset()
			r.Time = synthStart.Unix() + h*3600 + 5*60 + i%60
			r.Str[frame.IP], r.Str[frame.Status] = []byte("10.0.0.1"), []byte("200")
			b.Add(&r)
		}
	}
	s := runTraffic(t, b.Frame())
	if tab := tableByID(s, "traffic_drops"); len(tab.Rows) != 0 || len(s.Findings) != 0 {
		t.Errorf("traffic_drops = %v, findings %v; want none", tab.Rows, s.Findings)
	}
}

// TestDaylightSaving: counted in Europe/Berlin across the spring change, the
// hour that does not exist is no quiet hour, and no gap appears.
func TestDaylightSaving(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	f := synthFrame(synthOptions{Lines: 100000, Days: 7, Seed: 12, Start: time.Date(2024, 3, 28, 0, 0, 0, 0, time.UTC)})
	s, err := configured(t, "traffic", nil).Run(context.Background(), &Input{Frame: f, Loc: berlin})
	if err != nil {
		t.Fatal(err)
	}
	if tab := tableByID(s, "traffic_drops"); len(tab.Rows) != 0 || len(s.Findings) != 0 {
		t.Errorf("traffic_drops = %v, findings %v; want none", tab.Rows, s.Findings)
	}
}

// TestTwoLogsApart: two busy logs weeks apart leave a hole that is told
// as such, a notice rather than an outage; a quiet log after a busy one
// leaves none.
func TestTwoLogsApart(t *testing.T) {
	f := synthFrame(synthOptions{Lines: 20000, Days: 2, Seed: 13})
	f.Append(synthFrame(synthOptions{Lines: 20000, Days: 2, Seed: 14, Start: synthStart.AddDate(0, 2, 0)}))
	s := runTraffic(t, f)
	tab := tableByID(s, "traffic_drops")
	if len(tab.Rows) != 1 || tab.Rows[0][1] != utcMinute("2024-03-06 00:00") || tab.Rows[0][2] != utcMinute("2024-05-04 00:00") {
		t.Errorf("traffic_drops = %v, want the hole", tab.Rows)
	}
	if fd := findingByID(s, "traffic_missing"); fd == nil || fd.Severity != SevNotice || findingByID(s, "traffic_gap") != nil {
		t.Errorf("findings = %+v", s.Findings)
	}
	if text := strings.Join(s.Conclusions, "\n"); !strings.Contains(text, "No requests were logged for 59 days from 2024-03-06 00:00 to 2024-05-04 00:00") {
		t.Errorf("conclusions:\n%s", text)
	}

	f = synthFrame(synthOptions{Lines: 20000, Days: 2, Seed: 13})
	f.Append(synthFrame(synthOptions{Lines: 20, Days: 2, Seed: 14, Start: synthStart.AddDate(0, 2, 0)}))
	if tab := tableByID(runTraffic(t, f), "traffic_drops"); len(tab.Rows) != 0 {
		t.Errorf("traffic_drops = %v, want none", tab.Rows)
	}
}

func TestCountMinutesDenseAndSorted(t *testing.T) {
	status := frame.NewStrings()
	var times []int64
	add := func(ts int64, code string) {
		times = append(times, ts)
		status.Append([]byte(code))
	}
	add(120, "200")
	add(61, "500")
	add(60, "404")
	add(119, "503")
	add(300, "200")
	add(-1, "200") // the minute before the epoch
	want := []minuteCount{{Minute: -1, N: 1}, {Minute: 1, N: 3, E4: 1, E5: 2}, {Minute: 2, N: 1}, {Minute: 5, N: 1}}
	if got := countMinutes(times, ptr(status.View())); !slices.Equal(got, want) {
		t.Errorf("dense: %+v, want %+v", got, want)
	}
	// A span beyond denseMinutes takes the sorting path.
	add(int64(denseMinutes+10)*60, "502")
	want = append(want, minuteCount{Minute: denseMinutes + 10, N: 1, E5: 1})
	if got := countMinutes(times, ptr(status.View())); !slices.Equal(got, want) {
		t.Errorf("sorted: %+v, want %+v", got, want)
	}
	if got := countMinutes(times, nil); got[1] != (minuteCount{Minute: 1, N: 3}) {
		t.Errorf("without status: %+v", got)
	}
}

// TestFindGapsByHand: 10 requests a minute for three hours each side of a
// 30-minute hole: 300 expected; and a 5-minute hole at 1 a minute is not
// enough (5 expected).
func TestFindGapsByHand(t *testing.T) {
	var mc []minuteCount
	for m := int64(0); m < 800; m++ {
		switch {
		case m >= 180 && m < 210, m >= 600 && m < 605:
			continue
		case m < 400:
			e5 := int32(0)
			if m >= 165 && m < 180 {
				e5 = 5 // half of the 15 minutes before the hole
			}
			mc = append(mc, minuteCount{Minute: m, N: 10, E5: e5})
		default:
			mc = append(mc, minuteCount{Minute: m, N: 1, E4: int32(m % 2)})
		}
	}
	gaps := findGaps(mc, nil, defaultGapOptions())
	if len(gaps) != 1 {
		t.Fatalf("gaps = %+v, want one", gaps)
	}
	g := gaps[0]
	if g.Start != 180 || g.End != 210 || g.Expected != 300 || g.LocalRate != 10 {
		t.Errorf("gap = %+v", g)
	}
	// Usual: 370 minutes at 10 and 395 at 1, less the 150 requests before.
	if g.Before != (errorWindow{N: 150, E5: 75}) || g.Usual != (errorWindow{N: 3700 + 395 - 150, E4: 198}) || !g.Burst5 || g.Burst4 {
		t.Errorf("before %+v, usual %+v, burst %v/%v", g.Before, g.Usual, g.Burst5, g.Burst4)
	}
	// The usual level for those hours of the day caps what is expected.
	gaps = findGaps(mc, func(a, b int64) float64 { return float64(b-a) * 0.5 }, defaultGapOptions())
	if len(gaps) != 0 {
		t.Errorf("with a usual rate of 0.5 a minute: %+v, want none (15 expected)", gaps)
	}
	// A shorter minimum still does not make 5 expected requests a gap, nor
	// does a lower bar make it one when it is shorter than the minimum.
	opt := defaultGapOptions()
	opt.MinExpected = 4
	if gaps := findGaps(mc, nil, opt); len(gaps) != 2 || gaps[1].Start != 600 || gaps[1].Expected != 5 {
		t.Errorf("with a bar of 4 requests: %+v, want the second hole too", gaps)
	}
	opt.MinMinutes = 6
	if gaps := findGaps(mc, nil, opt); len(gaps) != 1 {
		t.Errorf("with 6 minutes at least: %+v, want one", gaps)
	}
}

func TestRobustStatistics(t *testing.T) {
	for _, tc := range []struct {
		in       []float64
		med, mad float64
	}{
		{[]float64{1, 2, 3, 4, 100}, 3, 1},
		{[]float64{4, 1, 3, 2}, 2.5, 1},
		{[]float64{7}, 7, 0},
	} {
		in := slices.Clone(tc.in)
		med, mad := medianMAD(in)
		if med != tc.med || mad != tc.mad || !slices.Equal(in, tc.in) {
			t.Errorf("medianMAD(%v) = %v, %v; want %v, %v (input kept)", tc.in, med, mad, tc.med, tc.mad)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	// P(X ≥ 2) for Binomial(3, 0.5) = 4/8; P(X ≥ 3) for Binomial(10, 0.1).
	if got := binomialTail(2, 3, 0.5); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("binomialTail(2, 3, .5) = %v", got)
	}
	want := 1 - (math.Pow(0.9, 10) + 10*0.1*math.Pow(0.9, 9) + 45*0.01*math.Pow(0.9, 8))
	if got := binomialTail(3, 10, 0.1); math.Abs(got-want) > 1e-12 {
		t.Errorf("binomialTail(3, 10, .1) = %v, want %v", got, want)
	}
	if binomialTail(0, 5, 0.1) != 1 || binomialTail(6, 5, 0.1) != 0 {
		t.Error("binomialTail edges")
	}
	if isBurst(2, 2, 0, 1000) || !isBurst(4, 10, 5, 1000) || isBurst(4, 100, 30, 1000) {
		t.Error("isBurst")
	}
}

func TestLowDaysRules(t *testing.T) {
	all := func(n int) []bool {
		b := make([]bool, n)
		for i := range b {
			b[i] = true
		}
		return b
	}
	// Day 4 at 10%: low. Too few days: nothing.
	days := []int{1000, 1100, 950, 1050, 100, 1000, 1020}
	got := lowDays(days, 19787, all(len(days))) // 2024-03-04
	if len(got.Low) != 1 || got.Low[0].First != 19791 || got.Low[0].Requests != 100 || got.Median != 1000 || got.DropAfter != -1 {
		t.Errorf("lowDays = %+v", got)
	}
	if got := lowDays([]int{1000, 10}, 19787, all(2)); len(got.Low) != 0 || got.DropAfter != -1 {
		t.Errorf("two days: %+v", got)
	}
	// Partial days do not count, even when low.
	c := all(len(days))
	c[4] = false
	if got := lowDays(days, 19787, c); len(got.Low) != 0 {
		t.Errorf("partial day flagged: %+v", got)
	}
	// A sparse log never has low days.
	if got := lowDays([]int{3, 4, 0, 3, 2, 5}, 19787, all(6)); len(got.Low) != 0 || got.DropAfter != -1 {
		t.Errorf("sparse: %+v", got)
	}
	// Drop-off after day 3 (0-based), for the last 3 days.
	days = []int{1000, 1100, 950, 1050, 300, 200, 250}
	got = lowDays(days, 19787, all(len(days)))
	if got.DropAfter != 19790 || got.DropBase != 1025 || got.Drop.Requests != 750 || got.Drop.First != 19791 || got.Drop.Last != 19793 || len(got.Low) != 0 {
		t.Errorf("drop-off: %+v", got)
	}
	// A day at the usual level must end the days before a drop-off; a week
	// without any request after it is a hole in the logs.
	days = []int{1000, 1100, 0, 0, 0, 10}
	if got := lowDays(days, 19787, all(len(days))); got.DropAfter != -1 {
		t.Errorf("drop-off after two days: %+v", got)
	}
	days = []int{1000, 1100, 950, 1050, 0, 0, 0, 0, 0, 0, 0, 3}
	if got := lowDays(days, 19787, all(len(days))); got.DropAfter != -1 {
		t.Errorf("drop-off over a week of nothing: %+v", got)
	}
}

// TestOutageWithoutStatus: a log without status codes still has its gap,
// told without a word about errors.
func TestOutageWithoutStatus(t *testing.T) {
	f := synthFrame(synthOptions{Lines: 20000, Days: 7, Outage: true, Seed: 1})
	s := runTraffic(t, timesFrame(f.Time...))
	tab := tableByID(s, "traffic_drops")
	if len(tab.Rows) != 1 || tab.Rows[0][1] != utcMinute("2024-03-07 03:12") || tab.Rows[0][3] != 89 || tab.Rows[0][6] != "" {
		t.Fatalf("traffic_drops = %v", tab.Rows)
	}
	text := strings.Join(s.Conclusions, "\n")
	if !strings.Contains(text, "from 03:12 to 04:41, when about ") || strings.Contains(text, "5xx") || strings.Contains(text, "outage") {
		t.Errorf("conclusions:\n%s", text)
	}
}

// TestTinyFrames: one record, or many in the same second, run every section
// of this file without a failure or a sentence about drops or peaks.
func TestTinyFrames(t *testing.T) {
	one := []rec{{0, "192.0.2.1", "GET", "/", "200"}}
	same := []rec{{5, "192.0.2.1", "GET", "/", "500"}, {5, "192.0.2.2", "", "", ""}, {5, "192.0.2.1", "HEAD", "/", "301"}}
	for name, recs := range map[string][]rec{"one record": one, "one second": same} {
		t.Run(name, func(t *testing.T) {
			f := handFrame(recs)
			in := &Input{Frame: f, Loc: time.UTC}
			for _, a := range []Analysis{configured(t, "traffic", nil), configured(t, "status_codes", nil), configured(t, "methods", nil)} {
				s, err := a.Run(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				if len(s.Conclusions) == 0 {
					t.Errorf("%T: no conclusions", a)
				}
				text := strings.Join(s.Conclusions, "\n")
				for _, word := range []string{"stopped", "drop-off", "far below", "peaked", "NaN", "n/a"} {
					if strings.Contains(text, word) {
						t.Errorf("%T speaks of %q:\n%s", a, word, text)
					}
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// defaultGapOptions are the detection's options at the traffic section's
// default parameters.
func defaultGapOptions() gapOptions {
	return configured(nil, "traffic", nil).(*traffic).gapOptions()
}

// TestFindCollapse: traffic that stops and does not come back is found by
// the hour on a log too short for days to compare (the API log of the seed
// notebook: a busy day, a morning, then a request a day), and is not
// claimed for a night, an office's weekend, a thin log or a log whose
// traffic comes back.
func TestFindCollapse(t *testing.T) {
	hours := func(parts ...[2]int) []int { // (hours, requests an hour) runs
		var out []int
		for _, p := range parts {
			for range p[0] {
				out = append(out, p[1])
			}
		}
		return out
	}
	notebook := hours([2]int{24, 500}, [2]int{6, 333}, [2]int{103, 0})
	notebook[60], notebook[84], notebook[108], notebook[132] = 1, 1, 1, 1
	c, ok := findCollapse(notebook, 1000)
	if !ok || c.At != 1030 || c.Before != 12000+6*333 || c.After != 4 || c.HoursAfter != 103 {
		t.Errorf("notebook log: %+v, %v; want a collapse at hour 1030 with 4 requests after", c, ok)
	}
	// Local hour 90 is 1970-01-04 18:00, so hour 90+120 is Friday 1970-01-09 18:00.
	for name, h := range map[string][]int{
		"a night at the end":      hours([2]int{48, 300}, [2]int{8, 5}),
		"an office's weekend":     hours([2]int{5 * 24, 200}, [2]int{62, 2}),
		"too thin":                hours([2]int{24, 5}, [2]int{100, 0}),
		"traffic comes back":      hours([2]int{24, 500}, [2]int{80, 0}, [2]int{24, 500}),
		"a slow decline, no fall": hours([2]int{24, 500}, [2]int{24, 200}, [2]int{24, 100}, [2]int{72, 45}),
		"steady":                  hours([2]int{200, 100}),
	} {
		if c, ok := findCollapse(h, 90); ok {
			t.Errorf("%s: collapse %+v", name, c)
		}
	}
	// Less than three days before the end, on weekdays (Tuesday 1970-01-06
	// 18:00 to Thursday 08:00), the same fall is a collapse.
	if c, ok := findCollapse(hours([2]int{5 * 24, 200}, [2]int{38, 2}), 18); !ok || c.At != 138 || c.HoursAfter != 38 {
		t.Errorf("a weekday collapse 38 hours before the end: %+v, %v", c, ok)
	}
	// Shorter than a day, it is not (a night).
	if c, ok := findCollapse(hours([2]int{5 * 24, 200}, [2]int{20, 0}), 18); ok {
		t.Errorf("20 quiet hours at the end: collapse %+v", c)
	}
}

// TestFindStart: a log that begins with a trickle, then traffic, is a start.
func TestFindStart(t *testing.T) {
	h := make([]int, 0, 200)
	for range 80 {
		h = append(h, 1)
	}
	for range 120 {
		h = append(h, 300)
	}
	c, ok := findStart(h, 18) // 1970-01-01 18:00, a Thursday
	if !ok || c.At != 98 || c.Before != 80 || c.HoursBefore != 80 || c.After != 36000 || c.RateAfter != 300 {
		t.Errorf("findStart = %+v, %v", c, ok)
	}
	if c, ok := findStart(h[80:], 98); ok {
		t.Errorf("steady traffic: start %+v", c)
	}
}

// TestTrafficCollapseSentence: the section says it, with the rates, as a
// warning, instead of "no other gap".
func TestTrafficCollapseSentence(t *testing.T) {
	var times []int64
	start := utc(2023, 1, 16, 0, 0, 0)
	for i := range 12000 {
		times = append(times, start+int64(i)*86400/12000)
	}
	for i := range 2000 {
		times = append(times, start+86400+int64(i)*6*3600/2000)
	}
	for d := 2; d < 6; d++ {
		times = append(times, start+int64(d)*86400+12*3600)
	}
	s := runTraffic(t, timesFrame(times...))
	wantConclusions(t, s, "Traffic collapsed at 2023-01-17 06:00 and did not come back before the log ends: 14,000 requests in the 30 hours before (about 470 an hour), 4 requests in the 103 hours after")
	if f := findingByID(s, "traffic_collapse"); f == nil || f.Severity != SevWarning {
		t.Errorf("traffic_collapse finding = %+v", f)
	}
	if text := strings.Join(s.Conclusions, " "); strings.Contains(text, "No other gap") {
		t.Errorf("the collapse is also said to be no gap:\n%s", text)
	}
}
