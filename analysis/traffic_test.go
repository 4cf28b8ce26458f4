package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// timesFrame builds a frame with only times (Unix seconds) and one IP.
func timesFrame(times ...int64) *frame.Frame {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP))
	var r frame.Row
	for _, t := range times {
		r.Reset()
		r.Time = t
		r.Str[frame.IP] = []byte("192.0.2.1")
		b.Add(&r)
	}
	return b.Frame()
}

func utc(y int, m time.Month, d, h, min, s int) int64 {
	return time.Date(y, m, d, h, min, s, 0, time.UTC).Unix()
}

func plotByID(s *Section, id string) *Plot {
	for _, c := range s.Cells {
		for _, o := range c.Outputs {
			if o.Plot != nil && o.Plot.ID == id {
				return o.Plot
			}
		}
	}
	return nil
}

// TestTrafficByDayAndHour counts in +0200 across midnight: what pandas gives
// with requests.time.dt.tz_convert("+02:00") and resample/dt.hour.
func TestTrafficByDayAndHour(t *testing.T) {
	f := timesFrame(
		utc(2024, 3, 4, 21, 30, 0),  // 23:30 on the 4th
		utc(2024, 3, 4, 21, 59, 59), // 23:59:59
		utc(2024, 3, 4, 22, 0, 0),   // 00:00 on the 5th
		utc(2024, 3, 5, 8, 15, 0),   // 10:15
		utc(2024, 3, 5, 8, 45, 0),   // 10:45
		utc(2024, 3, 5, 9, 5, 0),    // 11:05
	)
	s, err := configured(t, "traffic", nil).Run(context.Background(), &Input{Frame: f, Loc: time.FixedZone("+0200", 7200)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows(tableByID(s, "requests_by_day")), [][]any{{"2024-03-04", 2}, {"2024-03-05", 4}}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests_by_day = %v, want %v", got, want)
	}
	byHour := make([][]any, 24)
	for h := range byHour {
		byHour[h] = []any{h, 0, 0.0}
	}
	byHour[0] = []any{0, 1, 1.0 / 6}
	byHour[10] = []any{10, 2, 2.0 / 6}
	byHour[11] = []any{11, 1, 1.0 / 6}
	byHour[23] = []any{23, 2, 2.0 / 6}
	if got := rows(tableByID(s, "requests_by_hour_of_day")); !reflect.DeepEqual(got, byHour) {
		t.Errorf("requests_by_hour_of_day = %v", got)
	}

	p := plotByID(s, "requests_by_day_and_hour")
	if p == nil {
		t.Fatal("no heat map")
	}
	grid := [][]float64{make([]float64, 24), make([]float64, 24)}
	grid[0][23], grid[1][0], grid[1][10], grid[1][11] = 2, 1, 2, 1
	if p.Kind != Heatmap || !reflect.DeepEqual(p.Grid, grid) || !reflect.DeepEqual(p.YLabels, []string{"2024-03-04", "2024-03-05"}) ||
		len(p.Labels) != 24 || p.Labels[0] != "00" || p.Labels[23] != "23" {
		t.Errorf("heat map %v %v %v", p.YLabels, p.Labels, p.Grid)
	}
	text := strings.Join(s.Conclusions, "\n")
	if strings.Contains(text, "hour of the day") {
		t.Errorf("less than two days, yet an hour-of-day sentence:\n%s", text)
	}
	if !strings.Contains(text, "too sparse") {
		t.Errorf("six requests, yet no word that traffic is too sparse for gaps:\n%s", text)
	}
}

// TestTrafficHourOfDaySentence names the busiest and quietest hour of the day.
func TestTrafficHourOfDaySentence(t *testing.T) {
	var times []int64
	for d := range 3 {
		for h := range 24 {
			for i := range 1 + h%5 + 10*boolInt(h == 14) {
				times = append(times, utc(2024, 3, 4+d, h, i, 0))
			}
		}
	}
	s := runTraffic(t, timesFrame(times...))
	// Per day: 24 hours with 1+h%5 requests (sum 70) plus 10 at 14:00; 14:00
	// has 1+4+10 = 15 of 80 a day; 00:00 has 1 of 80.
	want := "By hour of the day, the busiest was 14:00–15:00 with 18.75% of requests and the quietest 00:00–01:00 with 1.25%."
	if text := strings.Join(s.Conclusions, "\n"); !strings.Contains(text, want) {
		t.Errorf("conclusions lack %q:\n%s", want, text)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestHeatMapRows: a row a week past 92 days, a row a month past 92 weeks,
// and only the months with requests past 92 months.
func TestHeatMapRows(t *testing.T) {
	for _, tc := range []struct {
		name        string
		times       []int64
		id          string
		rows        int
		first, last string
	}{
		{"half a year", []int64{utc(2024, 1, 3, 5, 0, 0), utc(2024, 6, 30, 6, 0, 0)}, "requests_by_week_and_hour", 26, "week of 2024-01-01", "week of 2024-06-24"},
		{"three years", []int64{utc(2021, 12, 31, 5, 0, 0), utc(2024, 3, 1, 6, 0, 0)}, "requests_by_month_and_hour", 28, "2021-12", "2024-03"},
		{"nine years", []int64{utc(2015, 5, 17, 5, 0, 0), utc(2015, 5, 18, 7, 0, 0), utc(2024, 3, 4, 6, 0, 0)}, "requests_by_month_and_hour", 2, "2015-05", "2024-03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runTraffic(t, timesFrame(tc.times...))
			p := plotByID(s, tc.id)
			if p == nil {
				t.Fatalf("no plot %s", tc.id)
			}
			if len(p.Grid) != tc.rows || len(p.YLabels) != tc.rows || p.YLabels[0] != tc.first || p.YLabels[tc.rows-1] != tc.last {
				t.Errorf("%d rows %q … %q, want %d %q … %q", len(p.Grid), p.YLabels[0], p.YLabels[len(p.YLabels)-1], tc.rows, tc.first, tc.last)
			}
			sum := 0.0
			for _, row := range p.Grid {
				for _, v := range row {
					sum += v
				}
			}
			if sum != float64(len(tc.times)) {
				t.Errorf("grid holds %v requests, want %d", sum, len(tc.times))
			}
		})
	}
}

func TestSkippedHour(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	wall := func(h int) int64 { return utc(2024, 3, 31, h, 0, 0) / 3600 } // local hour numbers
	if !skippedHour(berlin, wall(2)) || skippedHour(berlin, wall(1)) || skippedHour(berlin, wall(3)) || skippedHour(time.UTC, wall(2)) {
		t.Error("skippedHour: only 02:00 on 2024-03-31 is missing in Berlin")
	}
}

func BenchmarkTraffic(b *testing.B) { benchSection(b, "traffic") }

// TestWallTime: a local hour number (frame.Clock's) becomes the instant in
// the report's zone whose wall clock reads it, offset included.
func TestWallTime(t *testing.T) {
	plus2 := time.FixedZone("+0200", 2*3600)
	clock := frame.NewClock(plus2)
	at := time.Date(2024, 3, 4, 23, 30, 0, 0, plus2)
	hour := clock.Hour(at.Unix())
	if got, want := wallTime(hour*3600, plus2), time.Date(2024, 3, 4, 23, 0, 0, 0, plus2); got != want {
		t.Errorf("wallTime(hour) = %v, want %v", got, want)
	}
	if got, want := wallTime(clock.Day(at.Unix())*86400, plus2), time.Date(2024, 3, 4, 0, 0, 0, 0, plus2); got != want {
		t.Errorf("wallTime(day) = %v, want %v", got, want)
	}
}
