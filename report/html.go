package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/templates"
)

func init() {
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	registerFormat(Format{Name: "html", Ext: ".html", Render: func(w io.Writer, r *Report, _ Options) ([]CompanionFile, error) {
		data, err := HTML(r)
		if err != nil {
			return nil, err
		}
		_, err = w.Write(data)
		return nil, err
	}})
}

// md is the one Markdown renderer: GitHub-flavoured, and never passing raw
// HTML through (goldmark's default without WithUnsafe).
var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

// Markdown renders Markdown written by an analysis to safe HTML: goldmark
// drops raw HTML and script URLs, and safeMarkdown keeps a log value that
// reached the prose unquoted from becoming a link.
func Markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(safeMarkdown(src)), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String())
}

var (
	htmlOnce sync.Once
	htmlTmpl *template.Template
	htmlCSS  string
	htmlErr  error
)

func loadHTML() (*template.Template, string, error) {
	htmlOnce.Do(func() {
		htmlTmpl, htmlErr = template.ParseFS(templates.FS, "report.html.tmpl")
		if htmlErr != nil {
			return
		}
		css, err := templates.FS.ReadFile("style.css")
		htmlCSS, htmlErr = string(css), err
	})
	return htmlTmpl, htmlCSS, htmlErr
}

type htmlView struct {
	Title, Version, Generated, Summary, SourceCount string
	CSS                                             template.CSS
	Findings                                        []htmlFinding
	Sections                                        []htmlSection
}

type htmlFinding struct {
	Severity                string
	Message                 template.HTML
	SectionID, SectionTitle string
}

type htmlSection struct {
	ID, Title, Doc, Skipped, Error string
	Cells                          []htmlCell
	Conclusions                    template.HTML
}

type htmlCell struct {
	N       int
	Prose   template.HTML
	Code    string
	Outputs []htmlOutput
}

type htmlOutput struct {
	N                 int
	Table             template.HTML // renderTable's
	SVG               template.HTML
	PlotID, PlotTitle string
}

// inlineMarkdown renders a one-paragraph Markdown message without its <p>.
func inlineMarkdown(src string) template.HTML {
	s := strings.TrimSpace(string(Markdown(src)))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<p>"), "</p>")
	return template.HTML(s)
}

// Summary is the one-line description of what a report covers.
func (r *Report) Summary() string {
	if r.Records == 0 {
		return fmt.Sprintf("No records from %s.", analysis.Count(r.LogSources(), "source")) + r.selectionSummary() + r.anonymizedSummary()
	}
	const layout = "2006-01-02 15:04"
	return fmt.Sprintf("%s from %s, %s to %s (%s).", analysis.Count(r.Records, "request"),
		analysis.Count(r.LogSources(), "source"), r.First.In(r.Loc).Format(layout), r.Last.In(r.Loc).Format(layout), r.Loc) +
		r.selectionSummary() + r.anonymizedSummary()
}

// anonymizedSummary says how client addresses were anonymized, or "".
func (r *Report) anonymizedSummary() string {
	switch r.Anonymized {
	case "truncate":
		return " Client addresses are truncated (IPv4 to /24, IPv6 to /48) and user names left out, so a client here is a network."
	case "hash":
		return " Client addresses are replaced by keyed hashes and user names left out."
	}
	return ""
}

// selectionSummary is what the window and the filters chose, as a
// sentence after the summary, or "".
func (r *Report) selectionSummary() string {
	s := r.Selection
	if s == nil {
		return ""
	}
	out := fmt.Sprintf(" Selected %s of the %s read: %s.", analysis.Int(s.Selected), analysis.Int(s.Read), s.Describe())
	if c := s.Coverage(r.Loc); c != "" {
		out += " Note: " + c + "."
	}
	return out
}

// HTML renders the report as one self-contained page.
func HTML(r *Report) ([]byte, error) {
	tmpl, css, err := loadHTML()
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	v := htmlView{
		Title:       r.Title,
		Version:     Version,
		Generated:   r.Generated.Format(time.RFC3339),
		Summary:     r.Summary(),
		SourceCount: analysis.Count(r.LogSources(), "source"),
		CSS:         template.CSS(css),
	}
	for _, kf := range r.KeyFindings() {
		v.Findings = append(v.Findings, htmlFinding{Severity: string(kf.Severity), Message: inlineMarkdown(kf.Message),
			SectionID: kf.Section.ID, SectionTitle: kf.Section.Title})
	}
	// Sections are rendered side by side, one goroutine per core: their
	// tables, plots and prose do not depend on each other, and the walk
	// has numbered their cells already.
	spans := sectionSpans(walkReport(r, 0))
	v.Sections = make([]htmlSection, len(spans))
	errs := make([]error, len(spans))
	next := make(chan int, len(spans))
	for i := range spans {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(spans)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				v.Sections[i], errs[i] = htmlSectionView(spans[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("rendering HTML: %w", err)
	}
	return buf.Bytes(), nil
}

// htmlSectionView renders one section: its items of the walk, from its
// start to its end.
func htmlSectionView(items []item) (htmlSection, error) {
	var hs htmlSection
	var prev item
	for _, it := range items {
		switch it.Kind {
		case itemSection:
			s := it.Section
			hs = htmlSection{ID: s.ID, Title: s.Title, Doc: s.Doc, Skipped: s.Skipped, Error: s.Error}
		case itemProse:
			hs.Cells = append(hs.Cells, htmlCell{Prose: Markdown(it.Text)})
		case itemCode:
			hs.Cells = append(hs.Cells, htmlCell{N: it.N, Code: it.Text})
		case itemTable, itemPlot:
			hc := &hs.Cells[len(hs.Cells)-1]
			// An output with a table and a plot shows both in one Out.
			if it.Kind == itemTable || prev.Kind != itemTable || prev.Cell != it.Cell || prev.Out != it.Out {
				hc.Outputs = append(hc.Outputs, htmlOutput{N: it.N})
			}
			ho := &hc.Outputs[len(hc.Outputs)-1]
			if it.Table != nil {
				ho.Table = renderTable(showTable(it.Table, true))
			}
			if it.Plot != nil {
				svg, err := htmlSVG(it.Plot)
				if err != nil {
					return hs, err
				}
				ho.SVG = template.HTML(inlineSVG(svg))
				ho.PlotID, ho.PlotTitle = "plot-"+it.Plot.ID, it.Plot.Title
			}
		case itemConclusions:
			hs.Conclusions = Markdown(strings.Join(it.Section.Conclusions, "\n\n"))
		}
		prev = it
	}
	return hs, nil
}

// inlineSVG drops the XML prologue so the SVG can sit inside HTML.
func inlineSVG(svg []byte) string {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return strings.TrimSpace(s)
}
