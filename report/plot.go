package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/logbook/logbook/analysis"
)

// seriesColors are the line and bar colours, in series order.
var seriesColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

// maxLabel is the longest axis label drawn, in runes; longer labels are cut.
const maxLabel = 48

// SVG draws a plot with gonum plot and returns the SVG document. The same
// plot always gives the same bytes.
func SVG(p *analysis.Plot) ([]byte, error) {
	var c *vgsvg.Canvas
	err := drawPlot(p, func(w, h vg.Length) vg.CanvasSizer {
		c = vgsvg.New(w, h)
		return c
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot %s: %w", p.ID, err)
	}
	// The text is laid out with Liberation Sans metrics; Arial and
	// Helvetica share them, so a viewer without Liberation still fits.
	return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts)), nil
}

// PNG draws a plot as a PNG image at 96 dots per inch, for viewers that
// show no inline SVG (Debian's nbconvert 6.5 strips it).
func PNG(p *analysis.Plot) ([]byte, error) {
	var c *vgimg.Canvas
	err := drawPlot(p, func(w, h vg.Length) vg.CanvasSizer {
		c = vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96))
		return c
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot %s: %w", p.ID, err)
	}
	return buf.Bytes(), nil
}

// drawPlot draws p on the canvas that newCanvas makes at the size p needs.
func drawPlot(p *analysis.Plot, newCanvas func(w, h vg.Length) vg.CanvasSizer) error {
	pl := plot.New()
	pl.Title.Text = analysis.Clean(p.Title, 0)
	pl.X.Label.Text = analysis.Clean(p.XLabel, 0)
	pl.Y.Label.Text = analysis.Clean(p.YLabel, 0)
	pl.Title.TextStyle.Font.Size = vg.Points(13)
	width, height := 8*vg.Inch, 4*vg.Inch
	var scale *heatScale // the heat map's colours, for its legend

	switch p.Kind {
	case analysis.Bars:
		if len(p.Series) == 0 || len(p.Labels) == 0 {
			return fmt.Errorf("plot %s: no data", p.ID)
		}
		labels := make([]string, len(p.Labels))
		for i, l := range p.Labels {
			labels[len(labels)-1-i] = axisLabel(l) // first bar on top
		}
		vals := make(plotter.Values, len(p.Series[0].Values))
		for i, v := range p.Series[0].Values {
			vals[len(vals)-1-i] = v
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(10))
		if err != nil {
			return fmt.Errorf("plot %s: %w", p.ID, err)
		}
		bars.Horizontal = true
		bars.Color = seriesColors[0]
		bars.LineStyle.Width = 0
		grid := plotter.NewGrid()
		grid.Horizontal.Color = nil // vertical lines only, behind the bars
		pl.Add(grid, bars)
		pl.NominalY(labels...)
		pl.X.Min = 0
		pl.X.Tick.Marker = plainTicks{}
		if p.Percent {
			pl.X.Tick.Marker = percentTicks{}
		}
		height = vg.Length(len(labels))*vg.Points(14) + vg.Inch
	case analysis.Lines:
		for i, s := range p.Series {
			pts := make(plotter.XYs, len(s.Values))
			for j, v := range s.Values {
				pts[j] = plotter.XY{X: float64(j), Y: v}
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("plot %s: %w", p.ID, err)
			}
			line.Color = seriesColors[i%len(seriesColors)]
			line.Width = vg.Points(1.2)
			pl.Add(line)
			if len(pts) < 3 {
				// Too few points to see a line: mark each one.
				dots, err := plotter.NewScatter(pts)
				if err != nil {
					return fmt.Errorf("plot %s: %w", p.ID, err)
				}
				dots.GlyphStyle.Color = line.Color
				dots.GlyphStyle.Shape = draw.CircleGlyph{}
				dots.GlyphStyle.Radius = vg.Points(3)
				pl.Add(dots)
			}
			if len(p.Series) > 1 {
				pl.Legend.Add(analysis.Clean(s.Name, maxLabel), line)
			}
		}
		pl.Legend.Top = true
		pl.Y.Min = 0
		pl.Y.Max *= 1.05 // headroom, so the highest point is not on the frame
		if len(p.Labels) == 1 {
			pl.X.Min, pl.X.Max = -1, 1 // centre a lone point
		}
		pl.X.Tick.Marker = labelTicks{labels: p.Labels, style: pl.X.Tick.Label, room: width - vg.Inch}
		pl.Add(plotter.NewGrid())
		pl.Y.Tick.Marker = plainTicks{}
		if p.Percent {
			pl.Y.Tick.Marker = percentTicks{}
		}
	case analysis.Heatmap:
		if len(p.Grid) == 0 || len(p.Grid[0]) == 0 {
			return fmt.Errorf("plot %s: no data", p.ID)
		}
		scale = newHeatScale(p.Grid)
		hm := plotter.NewHeatMap(grid{p.Grid}, scale.Palette(heatColors))
		hm.Min, hm.Max = scale.Min(), scale.Max()
		pl.Add(hm)
		pl.X.Tick.Marker = labelTicks{labels: p.Labels, style: pl.X.Tick.Label, room: width - legendWidth - 1.5*vg.Inch}
		pl.Y.Tick.Marker = labelTicks{labels: p.YLabels, style: pl.Y.Tick.Label, vertical: true}
		height = vg.Length(len(p.Grid))*vg.Points(12) + vg.Inch
		if height < 3*vg.Inch {
			height = 3 * vg.Inch
		}
	default:
		return fmt.Errorf("plot %s: unknown kind %d", p.ID, p.Kind)
	}

	c := draw.New(newCanvas(width, height))
	if scale == nil {
		pl.Draw(c)
		return nil
	}
	// The heat map, and its colour scale on the right with the counts.
	pl.Draw(draw.Crop(c, 0, -legendWidth, 0, 0))
	bar := plot.New()
	bar.Add(scaleBar{scale})
	bar.HideX()
	bar.X.Padding = 0
	bar.Y.Padding = 0
	bar.Y.Tick.Marker = plainTicks{}
	bar.Title.Text = "requests"
	bar.Title.TextStyle.Font.Size = vg.Points(9)
	bar.Title.Padding = vg.Points(4)
	top := vg.Points(28)
	bar.Draw(draw.Crop(c, width-legendWidth+vg.Points(6), -vg.Points(14), vg.Points(40), -top))
	return nil
}

const svgFonts = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

func axisLabel(l string) string { return analysis.Clean(l, maxLabel) }

// plainTicks labels gonum's default ticks without needless decimals, and
// whole numbers with thousands separators: 25, not 25.00; 12,000.
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i, t := range ticks {
		if t.Label == "" {
			continue
		}
		if t.Value == math.Trunc(t.Value) && math.Abs(t.Value) < 1e15 {
			ticks[i].Label = analysis.Int(int(t.Value))
		} else {
			ticks[i].Label = analysis.Decimal(t.Value, 6)
		}
	}
	return ticks
}

// percentTicks shows fractions as percentages.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strings.TrimSuffix(analysis.Decimal(ticks[i].Value*100, 2), ".00") + "%"
		}
	}
	return ticks
}

// labelTicks labels integer positions with category labels: as many as fit
// side by side in room (about a dozen on a vertical axis), at an even stride
// that divides a day of hours when it can, starting where the labels turn
// to a new day if they are times.
type labelTicks struct {
	labels   []string
	style    text.Style
	room     vg.Length // the axis length; zero for a vertical axis
	vertical bool
}

func (l labelTicks) Ticks(_, _ float64) []plot.Tick {
	n := len(l.labels)
	if n == 0 {
		return nil
	}
	fit := 12
	if !l.vertical && l.room > 0 {
		widest := vg.Length(0)
		for _, s := range l.labels {
			widest = vg.Length(math.Max(float64(widest), float64(l.style.Width(axisLabel(s)))))
		}
		fit = max(1, int(l.room/(widest+vg.Points(12))))
	}
	stride := int(math.Ceil(float64(n) / float64(fit)))
	for _, s := range []int{1, 2, 3, 4, 6, 12, 24, 48, 72, 168} {
		if s >= stride {
			stride = s
			break
		}
	}
	offset := 0
	if stride > 1 {
		best := 0
		for o := 0; o < stride && o < n; o++ {
			midnights := 0
			for i := o; i < n; i += stride {
				if strings.HasSuffix(l.labels[i], " 00:00") {
					midnights++
				}
			}
			if midnights > best {
				best, offset = midnights, o
			}
		}
	}
	// Labels a whole number of days apart, all at midnight, need no time.
	dates := stride%24 == 0
	for i := offset; i < n && dates; i += stride {
		dates = strings.HasSuffix(l.labels[i], " 00:00")
	}
	var ticks []plot.Tick
	for i := 0; i < n; i++ {
		if i%stride == offset {
			label := l.labels[i]
			if dates {
				label = strings.TrimSuffix(label, " 00:00")
			}
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: axisLabel(label)})
		} else if stride <= 24 {
			ticks = append(ticks, plot.Tick{Value: float64(i)})
		}
	}
	return ticks
}

// grid adapts rows of values to plotter.GridXYZ: column c is x, row r is y.
type grid struct{ rows [][]float64 }

func (g grid) Dims() (c, r int)   { return len(g.rows[0]), len(g.rows) }
func (g grid) Z(c, r int) float64 { return g.rows[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// legendWidth is the room a heat map's colour scale takes on the right.
const legendWidth = vg.Inch

// heatColors is the number of shades a heat map uses.
const heatColors = 64

// heatRamp is ColorBrewer's sequential "Blues" scheme, 9 classes
// (Cynthia Brewer, colorbrewer2.org), from the lightest to the darkest:
// zero is near white, the busiest cell dark blue. Its lightness falls
// steadily, so it reads in grey too, and the dark-mode stylesheet's
// inversion keeps the order visible next to the legend.
var heatRamp = []color.RGBA{
	{0xf7, 0xfb, 0xff, 0xff}, {0xde, 0xeb, 0xf7, 0xff}, {0xc6, 0xdb, 0xef, 0xff},
	{0x9e, 0xca, 0xe1, 0xff}, {0x6b, 0xae, 0xd6, 0xff}, {0x42, 0x92, 0xc6, 0xff},
	{0x21, 0x71, 0xb5, 0xff}, {0x08, 0x51, 0x9c, 0xff}, {0x08, 0x30, 0x6b, 0xff},
}

// heatScale maps counts from zero (or the lowest, if negative) to the
// highest onto heatRamp, linearly. It is a palette.ColorMap, which
// plotter.ColorBar draws as the legend.
type heatScale struct {
	lo, hi, alpha float64
}

func newHeatScale(rows [][]float64) *heatScale {
	s := &heatScale{alpha: 1}
	for _, row := range rows {
		for _, v := range row {
			s.lo, s.hi = math.Min(s.lo, v), math.Max(s.hi, v)
		}
	}
	if s.hi == s.lo {
		s.hi = s.lo + 1 // one shade; the legend still spans a range
	}
	return s
}

func (s *heatScale) At(v float64) (color.Color, error) {
	f := (v - s.lo) / (s.hi - s.lo)
	if math.IsNaN(f) {
		f = 0
	}
	f = math.Max(0, math.Min(1, f)) * float64(len(heatRamp)-1)
	i := min(int(f), len(heatRamp)-2)
	a, b, t := heatRamp[i], heatRamp[i+1], f-float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), uint8(math.Round(s.alpha * 255))}, nil
}

func (s *heatScale) Max() float64       { return s.hi }
func (s *heatScale) Min() float64       { return s.lo }
func (s *heatScale) SetMax(v float64)   { s.hi = v }
func (s *heatScale) SetMin(v float64)   { s.lo = v }
func (s *heatScale) Alpha() float64     { return s.alpha }
func (s *heatScale) SetAlpha(a float64) { s.alpha = a }
func (s *heatScale) Palette(n int) palette.Palette {
	cs := make(colors, n)
	for i := range cs {
		cs[i], _ = s.At(s.lo + (s.hi-s.lo)*float64(i)/float64(max(1, n-1)))
	}
	return cs
}

// colors is a palette.Palette of fixed colours.
type colors []color.Color

func (c colors) Colors() []color.Color { return c }

// scaleBar draws a heatScale as a column of shades, one rectangle each
// (plotter.ColorBar draws an embedded raster image, which the report's
// SVGs do not carry), from the lowest count at the bottom to the highest.
type scaleBar struct{ s *heatScale }

func (b scaleBar) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	x0, x1 := tx(0), tx(1)
	step := (b.s.hi - b.s.lo) / heatColors
	for i := range heatColors {
		lo := b.s.lo + float64(i)*step
		col, _ := b.s.At(lo + step/2)
		y0, y1 := ty(lo), ty(math.Min(lo+1.5*step, b.s.hi)) // overlapping, so that no seam shows
		c.FillPolygon(col, c.ClipPolygonY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
	}
}

func (b scaleBar) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, b.s.lo, b.s.hi }
