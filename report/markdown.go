package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/logbook/logbook/analysis"
)

func init() {
	registerFormat(Format{Name: "md", Ext: ".md", Render: renderMarkdown, Companions: true, Site: true})
}

// MarkdownDoc is a report as GitHub-flavoured Markdown and the plot files
// it links to, relative to its own directory.
type MarkdownDoc struct {
	Text  []byte
	Files []CompanionFile
}

// renderMarkdown is the Markdown format's Render: the page to w, and its
// plots as companion files in opt.FilesDir.
func renderMarkdown(w io.Writer, r *Report, opt Options) ([]CompanionFile, error) {
	doc, err := RenderMarkdown(r, opt)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(doc.Text); err != nil {
		return nil, err
	}
	return doc.Files, nil
}

const plotFilePrefix = "plot-"

// RenderMarkdown renders r as Markdown whose plots are files in the folder
// opt.FilesDir beside the page (report_files when empty).
//
// Static site generators publish a page at a URL of their own, and the plot
// links follow it:
//   - Jekyll publishes a page (a .md outside _posts) as NAME.html beside its
//     folder, and copies NAME_files; the links are NAME_files/... . Jekyll
//     does not publish folders inside _posts: a post's plots go in the
//     site's assets (see SiteOptions), linked at opt.BaseURL.
//   - Hugo publishes content/x/NAME.md as x/NAME/ and the folder, a resource
//     of the section, as x/NAME_files; the links are ../NAME_files/... . A
//     page bundle, x/NAME/index.md with index_files beside it, is published
//     as x/NAME/ with the folder inside, and links index_files/... ;
//     SitePath makes every Hugo report such a bundle.
//   - Without front matter the links are NAME_files/..., for GitHub and any
//     viewer that opens the file where it lies.
//   - opt.BaseURL, when set, is where the links point, whatever the rest.
func RenderMarkdown(r *Report, opt Options) (*MarkdownDoc, error) {
	dir := opt.FilesDir
	if dir == "" {
		dir = defaultFilesDir
	}
	var head, tail string
	link := url.PathEscape(dir)
	switch opt.FrontMatter {
	case "jekyll":
		// A post for Jekyll's default theme (minima), whose layout shows
		// the title. A post in _posts takes its date (and its URL) from
		// its file name; a page has none but this one.
		date := "date: " + r.Generated.Format("2006-01-02 15:04:05 -0700") + "\n"
		if opt.datedName {
			date = ""
		}
		head = fmt.Sprintf("---\nlayout: post\ntitle: %s\n%sdescription: %s\n---\n\n",
			yamlString(r.Title), date, yamlString(r.Summary()))
	case "hugo":
		head = fmt.Sprintf("---\ntitle: %s\ndate: %s\ndraft: false\ndescription: %s\n---\n\n",
			yamlString(r.Title), r.Generated.Format(time.RFC3339), yamlString(r.Summary()))
		if base := strings.TrimSuffix(dir, "_files"); base != "index" && base != "_index" {
			link = "../" + link
		}
	case "", "none":
		// The page has no layout to show its title.
		head = fmt.Sprintf("# %s\n\n", mdLine(r.Title))
	default:
		return nil, fmt.Errorf("unknown front matter %q (want jekyll, hugo or none)", opt.FrontMatter)
	}
	if opt.BaseURL != "" {
		// The user's URL, kept a link destination: what would end it or
		// be read as Markdown is percent-encoded.
		link = linkURL.Replace(strings.TrimSuffix(opt.BaseURL, "/"))
	}
	// The summary paragraph is the excerpt blogs show in their lists.
	head += neutralizeTemplates(mdLine(r.Summary())) + "\n\n"
	if opt.FrontMatter == "jekyll" {
		// kramdown reads the rest, and Liquid must not run over it.
		head += "{% raw %}\n"
		tail = "{% endraw %}\n"
	}
	w := &mdWriter{link: link, dir: dir, names: map[string]bool{}, liquid: opt.SiteRoot && opt.FrontMatter == "jekyll"}
	b := &w.buf
	fmt.Fprintf(b, "Generated %s by logbook %s.\n\n", r.Generated.Format(time.RFC3339), Version)

	b.WriteString("**Contents**\n\n1. [Key findings](#key-findings)\n")
	for i, s := range r.Sections {
		fmt.Fprintf(b, "%d. [%s](#%s)", i+2, mdText(s.Title), slug(s.Title))
		switch {
		case s.Skipped != "":
			b.WriteString(" (skipped)")
		case s.Error != "":
			b.WriteString(" (failed)")
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Key findings\n\n")
	if kfs := r.KeyFindings(); len(kfs) > 0 {
		for _, kf := range kfs {
			fmt.Fprintf(b, "- **%s:** %s ([%s](#%s))\n", severityWord(kf.Severity),
				oneLine(kramdownSafe(safeMarkdown(kf.Message))), mdText(kf.Section.Title), slug(kf.Section.Title))
		}
	} else {
		b.WriteString("Nothing needs attention: no section raised a notice or a warning.\n")
	}
	b.WriteString("\n")

	for _, it := range walkReport(r, 0) {
		switch it.Kind {
		case itemSection:
			s := it.Section
			fmt.Fprintf(b, "## %s\n\n", mdLine(s.Title))
			if s.Doc != "" {
				fmt.Fprintf(b, "*%s*\n\n", strings.TrimSpace(mdText(s.Doc)))
			}
			switch {
			case s.Skipped != "":
				fmt.Fprintf(b, "> %s\n\n", mdLine(s.Skipped))
			case s.Error != "":
				fmt.Fprintf(b, "> **This section failed:** %s\n\n", mdText(s.Error))
			}
		case itemProse:
			fmt.Fprintf(b, "%s\n\n", strings.TrimSpace(kramdownSafe(safeMarkdown(it.Text))))
		case itemCode:
			fence := codeFence(it.Text)
			fmt.Fprintf(b, "**In [%d]:**\n\n%spython\n%s\n%s\n\n", it.N, fence, strings.TrimRight(it.Text, "\n"), fence)
		case itemTable:
			fmt.Fprintf(b, "**Out[%d]:** %s\n\n", it.N, mdText(it.Table.Title))
			w.table(showTable(it.Table, false))
		case itemPlot:
			if err := w.plot(it.N, it.Plot); err != nil {
				return nil, err
			}
		case itemConclusions:
			b.WriteString("### Conclusions\n\n")
			for _, c := range it.Section.Conclusions {
				fmt.Fprintf(b, "%s\n\n", strings.TrimSpace(kramdownSafe(safeMarkdown(c))))
			}
		}
	}
	fmt.Fprintf(b, "---\n\n*logbook %s · %s · all tables, with every row, are in the JSON output (`-o report.json`).*\n",
		Version, analysis.Count(r.LogSources(), "source"))
	// The template openings in the text are broken, but not the Liquid
	// of the plot links, which go between the pieces.
	var body strings.Builder
	at := 0
	for _, c := range w.cuts {
		body.WriteString(neutralizeTemplates(b.String()[at:c.at]))
		body.WriteString(c.link)
		at = c.at
	}
	body.WriteString(neutralizeTemplates(b.String()[at:]))
	return &MarkdownDoc{Text: []byte(head + body.String() + tail), Files: w.files}, nil
}

type mdWriter struct {
	buf   bytes.Buffer
	link  string // the plot folder as the page links it
	dir   string
	names map[string]bool
	files []CompanionFile
	// liquid links the plots through Jekyll's relative_url, out of the
	// page's raw block; cuts are where those links go in buf.
	liquid bool
	cuts   []liquidLink
}

type liquidLink struct {
	at   int
	link string
}

// table writes t as a GFM table cut to head and tail like the HTML, with the
// index column first.
func (w *mdWriter) table(t *shownTable) {
	b := &w.buf
	if len(t.Head) == 0 {
		// A header with no rows is no table to kramdown, which leaves its
		// pipes as a paragraph: the columns are named in words instead.
		var names []string
		for _, c := range t.Columns {
			names = append(names, mdText(c.Name))
		}
		fmt.Fprintf(b, "*%s", t.Shape())
		if len(names) > 0 {
			fmt.Fprintf(b, ": %s", strings.Join(names, ", "))
		}
		b.WriteString("*\n\n")
		return
	}
	cells := []string{mdText(t.Index.Name)}
	aligns := []bool{t.Index.Right}
	for _, c := range t.Columns {
		cells = append(cells, mdText(c.Name))
		aligns = append(aligns, c.Right)
	}
	mdRow(b, cells)
	seps := make([]string, len(aligns))
	for i, right := range aligns {
		seps[i] = ":--"
		if right {
			seps[i] = "--:"
		}
	}
	mdRow(b, seps)
	out := make([]string, len(cells))
	row := func(r shownRow) {
		out = append(out[:0], mdText(r.Index))
		if text := out[0]; t.HasIndex && text != "" && strings.TrimSpace(text) == text {
			out[0] = "**" + text + "**" // bold, as pandas shows an index
		}
		for _, v := range r.Cells {
			out = append(out, mdText(v))
		}
		mdRow(b, out)
	}
	for _, r := range t.Head {
		row(r)
	}
	if t.Omitted > 0 {
		dots := make([]string, len(cells))
		for i := range dots {
			dots[i] = "…"
		}
		mdRow(b, dots)
		for _, r := range t.Tail {
			row(r)
		}
	}
	fmt.Fprintf(b, "\n*%s", t.Shape())
	if t.Omitted > 0 {
		fmt.Fprintf(b, "; %s not shown here are in the JSON output", analysis.Count(t.Omitted, "row"))
	}
	if cut := t.Cut(); cut != "" {
		fmt.Fprintf(b, ". %s", strings.TrimSuffix(cut, "."))
	}
	b.WriteString("*\n\n")
}

func mdRow(b *bytes.Buffer, cells []string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(c)
		b.WriteString(" |")
	}
	b.WriteString("\n")
}

// plot draws p into a companion SVG file and links it as an image.
func (w *mdWriter) plot(n int, p *analysis.Plot) error {
	svg, err := SVG(p)
	if err != nil {
		return err
	}
	name := uniqueName(w.names, plotFilePrefix+fileSafe(p.ID), ".svg")
	w.files = append(w.files, CompanionFile{Name: w.dir + "/" + name, Data: svg})
	target := w.link + "/" + url.PathEscape(name)
	if !w.liquid {
		fmt.Fprintf(&w.buf, "**Out[%d]:**\n\n![%s](%s)\n\n", n, mdText(p.Title), target)
		return nil
	}
	// The target is percent-encoded: no quote or brace ends the string.
	fmt.Fprintf(&w.buf, "**Out[%d]:**\n\n![%s](", n, mdText(p.Title))
	w.cuts = append(w.cuts, liquidLink{at: w.buf.Len(), link: "{% endraw %}{{ '" + target + "' | relative_url }}{% raw %}"})
	w.buf.WriteString(")\n\n")
	return nil
}

// fileSafe keeps letters, digits, '-' and '_' of an id for a file name.
func fileSafe(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !isWordByte(c) && c != '-' {
			b[i] = '-'
		}
	}
	if len(b) == 0 {
		return "plot"
	}
	return string(b)
}

// uniqueName returns base+ext, or base-2+ext, base-3+ext … if taken.
func uniqueName(taken map[string]bool, base, ext string) string {
	name := base + ext
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
	taken[name] = true
	return name
}

// yamlString quotes s as a YAML double-quoted scalar (a JSON string is one).
func yamlString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

func severityWord(s analysis.Severity) string {
	w := string(s)
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

// oneLine joins the lines of a Markdown message so it stays in its list item.
func oneLine(s string) string {
	return strings.Join(slices.DeleteFunc(strings.Split(s, "\n"), func(l string) bool { return strings.TrimSpace(l) == "" }), " ")
}

var linkURL = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", `\`, "%5C",
	"{", "%7B", "}", "%7D", "|", "%7C", "*", "%2A", "_", "%5F", "`", "%60", "\n", "%0A", "\r", "%0D", "\t", "%09")
