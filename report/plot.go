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
func SVG(p *analysis.Plot) ([]byte, error) { return renderPlot(p, "svg") }

// PNG draws a plot as a PNG image at 96 dots per inch, for viewers that
// show no inline SVG (older nbconvert strips it).
func PNG(p *analysis.Plot) ([]byte, error) { return renderPlot(p, "png") }

// renderPlot draws a plot with gonum plot into an SVG or PNG document.
func renderPlot(p *analysis.Plot, format string) ([]byte, error) {
	pl := plot.New()
	pl.Title.Text = analysis.Clean(p.Title, 0)
	pl.X.Label.Text = analysis.Clean(p.XLabel, 0)
	pl.Y.Label.Text = analysis.Clean(p.YLabel, 0)
	pl.Title.TextStyle.Font.Size = vg.Points(13)
	width, height := 8*vg.Inch, 4*vg.Inch

	switch p.Kind {
	case analysis.Bars:
		if len(p.Series) == 0 || len(p.Labels) == 0 {
			return nil, fmt.Errorf("plot %s: no data", p.ID)
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
			return nil, fmt.Errorf("plot %s: %w", p.ID, err)
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
				return nil, fmt.Errorf("plot %s: %w", p.ID, err)
			}
			line.Color = seriesColors[i%len(seriesColors)]
			line.Width = vg.Points(1.2)
			pl.Add(line)
			if len(pts) < 3 {
				// Too few points to see a line: mark each one.
				dots, err := plotter.NewScatter(pts)
				if err != nil {
					return nil, fmt.Errorf("plot %s: %w", p.ID, err)
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
			return nil, fmt.Errorf("plot %s: no data", p.ID)
		}
		hm := plotter.NewHeatMap(grid{p.Grid}, palette.Heat(64, 1))
		pl.Add(hm)
		pl.X.Tick.Marker = labelTicks{labels: p.Labels, style: pl.X.Tick.Label, room: width - 1.5*vg.Inch}
		pl.Y.Tick.Marker = labelTicks{labels: p.YLabels, style: pl.Y.Tick.Label, vertical: true}
		height = vg.Length(len(p.Grid))*vg.Points(12) + vg.Inch
		if height < 3*vg.Inch {
			height = 3 * vg.Inch
		}
	default:
		return nil, fmt.Errorf("plot %s: unknown kind %d", p.ID, p.Kind)
	}

	if format == "png" {
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(96))
		pl.Draw(draw.New(c))
		var buf bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("plot %s: %w", p.ID, err)
		}
		return buf.Bytes(), nil
	}
	c := vgsvg.New(width, height)
	pl.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot %s: %w", p.ID, err)
	}
	// The text is laid out with Liberation Sans metrics; Arial and
	// Helvetica share them, so a viewer without Liberation still fits.
	return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts)), nil
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
