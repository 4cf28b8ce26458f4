package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
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

// TestHTMLPlotAnchorsText: the HTML report's plots mark each label with
// the point it is aligned on, so a browser drawing them in a wider font
// than Liberation Sans keeps them in place: a bar chart's category labels
// all end at one x, its title is centred on the plot; the plot files'
// SVG is left as gonum writes it.
func TestHTMLPlotAnchorsText(t *testing.T) {
	p := &analysis.Plot{ID: "top", Title: "Share of traffic per URI stem", Kind: analysis.Bars, XLabel: "share of requests",
		Labels: []string{"/", "/static/css/main.3f9a1c2e.css", "/api"}, Series: []analysis.Series{{Name: "share", Values: []float64{3, 2, 1}}}}
	svg, err := htmlSVG(p)
	if err != nil {
		t.Fatal(err)
	}
	texts := regexp.MustCompile(`<text (text-anchor="(\w+)" )?x="([-\d.e+]+)"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(string(svg), -1)
	if n := strings.Count(string(svg), "<text "); n != len(texts) || n == 0 {
		t.Fatalf("%d text elements, %d of them parsed", n, len(texts))
	}
	ends := map[string]bool{}
	for _, m := range texts {
		anchor, x, label := m[2], m[3], m[4]
		switch label {
		case "/", "/static/css/main.3f9a1c2e.css", "/api":
			if anchor != "end" {
				t.Errorf("category label %q is anchored %q, want end", label, anchor)
			}
			ends[x] = true
		case p.Title:
			if xf, _ := strconv.ParseFloat(x, 64); anchor != "middle" || math.Abs(xf-float64(screenStyle.width)/2) > float64(screenStyle.width)/10 {
				t.Errorf("the title is anchored %q at x=%s, want middle near %v", anchor, x, float64(screenStyle.width)/2)
			}
		}
	}
	if len(ends) != 1 {
		t.Errorf("the category labels end at %d different x, want one: %v", len(ends), ends)
	}
	file, err := SVG(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(file), "text-anchor") {
		t.Errorf("the plot file's SVG has text anchors; it should be as gonum writes it")
	}
}

// TestLabelTicksAsDrawn: a week of hourly labels on the HTML plot's axis
// is labelled every other midnight, as dates, since dates without their
// " 00:00" are narrower than the labels with it; measured with the time,
// fewer fit.
func TestLabelTicksAsDrawn(t *testing.T) {
	var labels []string
	for d := 4; d <= 10; d++ {
		for h := range 24 {
			labels = append(labels, fmt.Sprintf("2024-03-%02d %02d:00", d, h))
		}
	}
	style := plot.New().X.Tick.Label
	style.Font.Size = screenStyle.tick
	style.Handler = anchoredText{Plain: plot.DefaultTextHandler.(text.Plain), widen: screenStyle.widen, aligns: new([]text.XAlignment)}
	shown := func(asDrawn bool) []string {
		var out []string
		for _, tk := range (labelTicks{labels: labels, style: style, room: screenStyle.width - vg.Inch, asDrawn: asDrawn}).Ticks(0, 0) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	want := []string{"2024-03-04", "2024-03-06", "2024-03-08", "2024-03-10"}
	if got := shown(true); !slices.Equal(got, want) {
		t.Errorf("labels as drawn: %q, want %q", got, want)
	}
	if got := shown(false); len(got) >= len(want) {
		t.Errorf("labels measured with their time: %q; the check above checked nothing", got)
	}
}
