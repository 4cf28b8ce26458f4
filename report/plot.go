package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
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
func SVG(p *analysis.Plot) ([]byte, error) { return svgStyled(p, fileStyle) }

func svgStyled(p *analysis.Plot, st plotStyle) ([]byte, error) {
	var c *vgsvg.Canvas
	var aligns []text.XAlignment
	if st.anchored {
		st.handler = anchoredText{Plain: plot.DefaultTextHandler.(text.Plain), widen: st.widen, aligns: &aligns}
	}
	err := drawPlotStyled(p, st, func(w, h vg.Length) vg.CanvasSizer {
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
	out := buf.Bytes()
	if st.anchored {
		if out, err = anchorSVG(out, aligns); err != nil {
			return nil, fmt.Errorf("plot %s: %w", p.ID, err)
		}
	}
	// The text is laid out with Liberation Sans metrics; Arial and
	// Helvetica share them, so a viewer without Liberation still fits.
	return bytes.ReplaceAll(out, []byte("font-family:Liberation Sans;"), []byte(svgFonts)), nil
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

// A plotStyle is the size a plot is drawn at and the sizes of its text.
type plotStyle struct {
	width, height        vg.Length // the plot's; bar charts and heat maps take the height their rows need
	legendWidth          vg.Length // the room a heat map's colour scale takes on the right
	title, label, tick   vg.Length // font sizes: the title, the axis labels, the tick labels
	legend, scaleTitle   vg.Length // the legend's font size; the heat map scale's title
	barPitch, barWidth   vg.Length // a bar chart's distance between bars, and a bar's width
	heatRow, heatMinimum vg.Length // a heat map's row height, and its least height
	// anchored marks each SVG text with the point it is aligned on
	// (text-anchor), so that a browser drawing it in another font than the
	// one measured keeps it right-aligned or centred there, and lays the
	// plot out for text wider by the share widen: a browser with no
	// Liberation Sans, Arial or Helvetica draws it in DejaVu Sans, whose
	// digits are 14% wider.
	anchored bool
	widen    float64
	handler  text.Handler // the text handler, when not gonum's default
}

// fileStyle is the style of the plot files (the Markdown's SVG, the
// notebook's SVG and PNG): 8 inches wide with gonum's text sizes.
var fileStyle = plotStyle{width: 8 * vg.Inch, height: 4 * vg.Inch, legendWidth: vg.Inch, title: 13, label: 12, tick: 10, legend: 12, scaleTitle: 9,
	barPitch: 14, barWidth: 10, heatRow: 12, heatMinimum: 3 * vg.Inch}

// screenStyle is the style of the HTML report's inline SVG: 5.75 inches
// (552 CSS px) wide with 12-point (16 px) text, so that drawn at full size
// its labels are about the page's text size, and shrunk into a phone's
// column (366 px, 354 px inside the plot's padding) they stay above 10 px:
// 16 × 354 / 552 = 10.3 (style.css and TestBrowserReport hold to this).
var screenStyle = plotStyle{width: 5.75 * vg.Inch, height: 3.5 * vg.Inch, legendWidth: 1.1 * vg.Inch, anchored: true, widen: 0.14, title: 13, label: 12, tick: 12, legend: 12, scaleTitle: 12,
	barPitch: 18, barWidth: 12, heatRow: 15, heatMinimum: 3 * vg.Inch}

// htmlSVG draws a plot for the HTML report, in screenStyle.
func htmlSVG(p *analysis.Plot) ([]byte, error) { return svgStyled(p, screenStyle) }

// drawPlot draws p in fileStyle on the canvas that newCanvas makes at the
// size p needs.
func drawPlot(p *analysis.Plot, newCanvas func(w, h vg.Length) vg.CanvasSizer) error {
	return drawPlotStyled(p, fileStyle, newCanvas)
}

// drawPlotStyled draws p in style st on the canvas that newCanvas makes at
// the size p needs.
func drawPlotStyled(p *analysis.Plot, st plotStyle, newCanvas func(w, h vg.Length) vg.CanvasSizer) error {
	pl := plot.New()
	pl.Title.Text = analysis.Clean(p.Title, 0)
	pl.X.Label.Text = analysis.Clean(p.XLabel, 0)
	pl.Y.Label.Text = analysis.Clean(p.YLabel, 0)
	pl.Title.TextStyle.Font.Size = st.title
	pl.X.Label.TextStyle.Font.Size = st.label
	pl.Y.Label.TextStyle.Font.Size = st.label
	pl.X.Tick.Label.Font.Size = st.tick
	pl.Y.Tick.Label.Font.Size = st.tick
	pl.Legend.TextStyle.Font.Size = st.legend
	if st.handler != nil {
		for _, ts := range []*text.Style{&pl.Title.TextStyle, &pl.X.Label.TextStyle, &pl.Y.Label.TextStyle,
			&pl.X.Tick.Label, &pl.Y.Tick.Label, &pl.Legend.TextStyle} {
			ts.Handler = st.handler
		}
	}
	width, height, legendWidth := st.width, st.height, st.legendWidth
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
		bars, err := plotter.NewBarChart(vals, st.barWidth)
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
		height = vg.Length(len(labels))*st.barPitch + vg.Inch
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
		pl.X.Tick.Marker = labelTicks{labels: p.Labels, style: pl.X.Tick.Label, room: width - vg.Inch, asDrawn: st.anchored}
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
		pl.X.Tick.Marker = labelTicks{labels: p.Labels, style: pl.X.Tick.Label, room: width - legendWidth - 1.5*vg.Inch, asDrawn: st.anchored}
		pl.Y.Tick.Marker = labelTicks{labels: p.YLabels, style: pl.Y.Tick.Label, vertical: true}
		height = max(vg.Length(len(p.Grid))*st.heatRow+vg.Inch, st.heatMinimum)
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
	bar.Title.TextStyle.Font.Size = st.scaleTitle
	bar.Y.Tick.Label.Font.Size = st.tick
	if st.handler != nil {
		bar.Title.TextStyle.Handler, bar.Y.Tick.Label.Handler = st.handler, st.handler
	}
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
	asDrawn  bool // count the labels that fit as drawn, dates without their " 00:00"
}

func (l labelTicks) Ticks(_, _ float64) []plot.Tick {
	n := len(l.labels)
	if n == 0 {
		return nil
	}
	fit := 12
	if !l.vertical && l.room > 0 {
		fit = l.fit(func(s string) (string, bool) { return s, true })
	}
	stride := l.stride(fit, nil)
	offset, dates := l.place(stride)
	if l.asDrawn && !l.vertical && l.room > 0 {
		// Labels that turn out whole days apart are drawn without their
		// " 00:00": as many as fit at that width, if they do.
		date := func(s string) (string, bool) { return strings.CutSuffix(s, " 00:00") }
		days := l.stride(l.fit(date), []int{24, 48, 72, 168})
		if o, d := l.place(days); days < stride && d {
			stride, offset, dates = days, o, d
		}
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

// fit is how many labels fit side by side in the room, of those that
// shown says may be shown, as it shows them.
func (l labelTicks) fit(shown func(string) (string, bool)) int {
	widest := vg.Length(0)
	for _, s := range l.labels {
		if s, ok := shown(s); ok {
			widest = vg.Length(math.Max(float64(widest), float64(l.style.Width(axisLabel(s)))))
		}
	}
	return max(1, int(l.room/(widest+vg.Points(12))))
}

// stride is the step between labelled positions for fit labels: the
// first of strides (by default the divisors and multiples of a day of
// hours) that is long enough, or the step itself when none is.
func (l labelTicks) stride(fit int, strides []int) int {
	stride := int(math.Ceil(float64(len(l.labels)) / float64(fit)))
	if strides == nil {
		strides = []int{1, 2, 3, 4, 6, 12, 24, 48, 72, 168}
	}
	for _, s := range strides {
		if s >= stride {
			return s
		}
	}
	return stride
}

// place is the position of the first label at stride, chosen so that
// most labels fall at midnight, and whether every label shown does and
// they are whole days apart, so that they need no time.
func (l labelTicks) place(stride int) (offset int, dates bool) {
	n := len(l.labels)
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
	dates = stride%24 == 0
	for i := offset; i < n && dates; i += stride {
		dates = strings.HasSuffix(l.labels[i], " 00:00")
	}
	return offset, dates
}

// grid adapts rows of values to plotter.GridXYZ: column c is x, row r is y.
type grid struct{ rows [][]float64 }

func (g grid) Dims() (c, r int)   { return len(g.rows[0]), len(g.rows) }
func (g grid) Z(c, r int) float64 { return g.rows[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// heatColors is the number of shades a heat map uses.
const heatColors = 64

// heatRamp is ColorBrewer's sequential "Blues" scheme, 9 classes
// (Cynthia Brewer, colorbrewer2.org), from the lightest to the darkest:
// zero is near white, the busiest cell dark blue. Its lightness falls
// steadily, so it reads in grey too. The HTML draws it on a white panel
// in the dark colour scheme as well, so darker means more there too.
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

// anchoredText is a text handler that lays text out as gonum's plain one
// does but draws each line at the point it is aligned on, and records that
// alignment, in drawing order, for anchorSVG. gonum places a right-aligned
// label by subtracting its width in the font it measures (Liberation Sans);
// a browser without that font (or Arial or Helvetica) draws a wider one,
// and the label would run into the axis. Anchored, it ends at the axis in
// any font, and the widened Box keeps room for it on the left.
type anchoredText struct {
	text.Plain
	widen  float64 // the share by which Box makes text wider than it is in the font measured
	aligns *[]text.XAlignment
}

// Box is the plain handler's box, widened: the room gonum leaves for
// labels, and labelTicks counts on, is the room of a wider font.
func (h anchoredText) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	width, height, depth = h.Plain.Box(txt, fnt)
	return width * vg.Length(1+h.widen), height, depth
}

func (h anchoredText) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	h.Plain.Draw(anchorCanvas{Canvas: c, align: sty.XAlign, aligns: h.aligns}, txt, sty, pt)
}

// anchorCanvas takes back the shift by which gonum aligned a line (its
// alignment times its width) and draws it at its anchor instead.
type anchorCanvas struct {
	vg.Canvas
	align  text.XAlignment
	aligns *[]text.XAlignment
}

func (c anchorCanvas) FillString(f font.Face, pt vg.Point, s string) {
	pt.X -= vg.Length(c.align) * f.Width(s)
	c.Canvas.FillString(f, pt, s)
	*c.aligns = append(*c.aligns, c.align)
}

// anchorSVG gives the SVG's text elements, which vgsvg writes one per
// FillString in drawing order, the text-anchor of their alignment.
func anchorSVG(svg []byte, aligns []text.XAlignment) ([]byte, error) {
	const open = "<text "
	if n := bytes.Count(svg, []byte(open)); n != len(aligns) {
		return nil, fmt.Errorf("%d text elements for %d lines of text drawn", n, len(aligns))
	}
	var out bytes.Buffer
	out.Grow(len(svg) + 22*len(aligns))
	for _, a := range aligns {
		i := bytes.Index(svg, []byte(open)) + len(open)
		out.Write(svg[:i])
		svg = svg[i:]
		switch a {
		case text.XCenter:
			out.WriteString(`text-anchor="middle" `)
		case text.XRight:
			out.WriteString(`text-anchor="end" `)
		}
	}
	out.Write(svg)
	return out.Bytes(), nil
}
