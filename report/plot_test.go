package report

import (
	"bytes"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/logbook/logbook/analysis"
)

// heatPlot is a day × hour heat map of two days, with one busy cell.
func heatPlot() *analysis.Plot {
	rows := [][]float64{make([]float64, 24), make([]float64, 24)}
	for h := range 24 {
		rows[0][h], rows[1][h] = float64(h*10), float64(h*5)
	}
	rows[1][16] = 1234
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = string(rune('0'+h/10)) + string(rune('0'+h%10))
	}
	return &analysis.Plot{ID: "requests_by_day_and_hour", Title: "Requests per day and hour of the day", Kind: analysis.Heatmap,
		XLabel: "hour of the day", YLabel: "day", Labels: hours, YLabels: []string{"2024-03-04", "2024-03-05"}, Grid: rows}
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return 0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)
}

// TestHeatScale: zero is the lightest shade, the busiest the darkest, and
// the shades darken steadily between.
func TestHeatScale(t *testing.T) {
	s := newHeatScale(heatPlot().Grid)
	if s.Min() != 0 || s.Max() != 1234 {
		t.Fatalf("scale %v–%v, want 0–1234", s.Min(), s.Max())
	}
	prev := 1e18
	for i := range 11 {
		c, _ := s.At(1234 * float64(i) / 10)
		l := luminance(c)
		if l >= prev {
			t.Errorf("shade %d (%v) is not darker than the one before", i, c)
		}
		prev = l
	}
	if c, _ := s.At(0); luminance(c) < 0.9*65535 {
		t.Errorf("zero is %v, want near white", c)
	}
}

// TestHeatMapLegend: the SVG has a colour scale whose ticks show the count
// range, from 0 to 1,200 for a busiest cell of 1,234.
func TestHeatMapLegend(t *testing.T) {
	svg, err := SVG(heatPlot())
	if err != nil {
		t.Fatal(err)
	}
	text := string(svg)
	for _, want := range []string{">requests<", ">0<", ">1,200<", "fill:#F7FBFF", "fill:#08306B"} {
		if !strings.Contains(text, want) {
			t.Errorf("heat map SVG lacks %q", want)
		}
	}
	// With LOGBOOK_PLOT_PNG=dir, the plot is also drawn as a PNG there, to look at.
	if dir := os.Getenv("LOGBOOK_PLOT_PNG"); dir != "" {
		var c *vgimg.Canvas
		if err := drawPlot(heatPlot(), func(w, h vg.Length) vg.CanvasSizer { c = vgimg.New(w, h); return c }); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "heatmap.png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
