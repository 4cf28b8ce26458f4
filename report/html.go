package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
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
	registerFormat(Format{Name: "html", Ext: ".html", Write: func(path string, r *Report, _ Options) error {
		data, err := HTML(r)
		if err != nil {
			return err
		}
		return WriteFileAtomic(path, data)
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
		return fmt.Sprintf("No records from %s.", analysis.Count(r.LogSources(), "source"))
	}
	const layout = "2006-01-02 15:04"
	return fmt.Sprintf("%s from %s, %s to %s (%s).", analysis.Count(r.Records, "request"),
		analysis.Count(r.LogSources(), "source"), r.First.In(r.Loc).Format(layout), r.Last.In(r.Loc).Format(layout), r.Loc)
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
	// tables, plots and prose do not depend on each other. Cells are
	// numbered across the report, so each section starts where the one
	// before it ends.
	first := make([]int, len(r.Sections))
	n := 0
	for i, s := range r.Sections {
		first[i] = n
		for _, c := range s.Cells {
			if c.Code != "" {
				n++
			}
		}
	}
	v.Sections = make([]htmlSection, len(r.Sections))
	errs := make([]error, len(r.Sections))
	next := make(chan int, len(r.Sections))
	for i := range r.Sections {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(r.Sections)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				v.Sections[i], errs[i] = htmlSectionView(r.Sections[i], first[i])
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

// htmlSectionView renders one section's cells; n is the number of code
// cells before it.
func htmlSectionView(s *analysis.Section, n int) (htmlSection, error) {
	hs := htmlSection{ID: s.ID, Title: s.Title, Doc: s.Doc, Skipped: s.Skipped, Error: s.Error}
	for _, c := range s.Cells {
		if c.Code == "" {
			hs.Cells = append(hs.Cells, htmlCell{Prose: Markdown(c.Markdown)})
			continue
		}
		n++
		hc := htmlCell{N: n, Code: c.Code}
		for _, o := range c.Outputs {
			ho := htmlOutput{N: n}
			if o.Table != nil {
				ho.Table = renderTable(showTable(o.Table, true))
			}
			if o.Plot != nil {
				svg, err := SVG(o.Plot)
				if err != nil {
					return hs, err
				}
				ho.SVG = template.HTML(inlineSVG(svg))
				ho.PlotID, ho.PlotTitle = "plot-"+o.Plot.ID, o.Plot.Title
			}
			hc.Outputs = append(hc.Outputs, ho)
		}
		hs.Cells = append(hs.Cells, hc)
	}
	if len(s.Conclusions) > 0 {
		hs.Conclusions = Markdown(strings.Join(s.Conclusions, "\n\n"))
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
