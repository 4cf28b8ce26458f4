package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/templates"
)

func init() {
	registerFormat(Format{Name: "ipynb", Ext: ".ipynb", Render: func(w io.Writer, r *Report, opt Options) ([]CompanionFile, error) {
		data, err := notebookIn(r, opt.Dir)
		if err != nil {
			return nil, err
		}
		_, err = w.Write(data)
		return nil, err
	}})
}

// The notebook is nbformat 4.5 JSON, with keys in the order Jupyter writes
// them (sorted), so that saving it in Jupyter changes little.

type nbNotebook struct {
	Cells         []any      `json:"cells"`
	Metadata      nbMetadata `json:"metadata"`
	NBFormat      int        `json:"nbformat"`
	NBFormatMinor int        `json:"nbformat_minor"`
}

type nbMetadata struct {
	Kernelspec   nbKernelspec   `json:"kernelspec"`
	LanguageInfo nbLanguageInfo `json:"language_info"`
	Logbook      nbLogbook      `json:"logbook"`
}

type nbKernelspec struct {
	DisplayName string `json:"display_name"`
	Language    string `json:"language"`
	Name        string `json:"name"`
}

type nbLanguageInfo struct {
	CodemirrorMode    nbCodemirror `json:"codemirror_mode"`
	FileExtension     string       `json:"file_extension"`
	Mimetype          string       `json:"mimetype"`
	Name              string       `json:"name"`
	NbconvertExporter string       `json:"nbconvert_exporter"`
	PygmentsLexer     string       `json:"pygments_lexer"`
}

type nbCodemirror struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
}

type nbLogbook struct {
	Generated string `json:"generated"`
	Version   string `json:"version"`
}

type nbMarkdownCell struct {
	CellType string         `json:"cell_type"` // "markdown"
	ID       string         `json:"id"`
	Metadata map[string]any `json:"metadata"`
	Source   []string       `json:"source"`
}

type nbCodeCell struct {
	CellType       string         `json:"cell_type"` // "code"
	ExecutionCount int            `json:"execution_count"`
	ID             string         `json:"id"`
	Metadata       map[string]any `json:"metadata"`
	Outputs        []nbOutput     `json:"outputs"`
	Source         []string       `json:"source"`
}

type nbOutput struct {
	Data           map[string][]string `json:"data"`
	ExecutionCount *int                `json:"execution_count,omitempty"` // execute_result only
	Metadata       map[string]any      `json:"metadata"`
	OutputType     string              `json:"output_type"`
}

// nbLines splits text into the list of lines nbformat stores, each but the
// last ending in a newline.
func nbLines(s string) []string {
	out := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

type nbWriter struct {
	nb  nbNotebook
	ids map[string]bool
}

// id returns a cell id from base that is unique in the notebook, so that
// the same report always gets the same ids.
func (w *nbWriter) id(base string) string {
	base = fileSafe(base)
	if len(base) > 56 {
		base = base[:56]
	}
	return uniqueName(w.ids, base, "")
}

func (w *nbWriter) markdown(id, src string) {
	w.nb.Cells = append(w.nb.Cells, nbMarkdownCell{CellType: "markdown", ID: w.id(id),
		Metadata: map[string]any{}, Source: nbLines(strings.TrimSpace(src))})
}

func (w *nbWriter) code(id string, n int, src string, outs []nbOutput) {
	if outs == nil {
		outs = []nbOutput{}
	}
	w.nb.Cells = append(w.nb.Cells, nbCodeCell{CellType: "code", ExecutionCount: n, ID: w.id(id),
		Metadata: map[string]any{}, Outputs: outs, Source: nbLines(strings.TrimRight(src, "\n"))})
}

// Notebook renders r as a Jupyter notebook: Markdown cells for the prose,
// one code cell per computation in pandas form with its tables and plots as
// outputs, and a first code cell that loads the logs into the DataFrame
// requests the others use.
func Notebook(r *Report) ([]byte, error) { return notebookIn(r, "") }

// notebookIn is Notebook for a notebook written in the folder dir: its
// parameter cell names the sources relative to dir.
func notebookIn(r *Report, dir string) ([]byte, error) {
	w := &nbWriter{ids: map[string]bool{}}
	w.nb = nbNotebook{
		Cells: []any{},
		Metadata: nbMetadata{
			Kernelspec: nbKernelspec{DisplayName: "Python 3 (ipykernel)", Language: "python", Name: "python3"},
			LanguageInfo: nbLanguageInfo{CodemirrorMode: nbCodemirror{Name: "ipython", Version: 3},
				FileExtension: ".py", Mimetype: "text/x-python", Name: "python",
				NbconvertExporter: "python", PygmentsLexer: "ipython3"},
			Logbook: nbLogbook{Generated: r.Generated.Format(time.RFC3339), Version: Version},
		},
		NBFormat: 4, NBFormatMinor: 5,
	}
	w.markdown("title", fmt.Sprintf("# %s\n\n%s\n\nGenerated %s by logbook %s. Every table, with all its rows, is in the JSON output (`-o report.json`).",
		nbLine(r.Title), nbLine(r.Summary()), r.Generated.Format(time.RFC3339), Version))
	var kf strings.Builder
	kf.WriteString("## Key findings\n\n")
	if kfs := r.KeyFindings(); len(kfs) > 0 {
		for _, f := range kfs {
			fmt.Fprintf(&kf, "- **%s:** %s (%s)\n", severityWord(f.Severity), oneLine(safeMarkdown(f.Message)), nbText(f.Section.Title))
		}
	} else {
		kf.WriteString("Nothing needs attention: no section raised a notice or a warning.")
	}
	w.markdown("key-findings", kf.String())

	params, load, err := notebookLoad(r, dir)
	if err != nil {
		return nil, err
	}
	w.markdown("loading", "## The data\n\nThe next cell reads the logs into the DataFrame `requests`, one row per request, with pandas. "+
		"Each cell after it shows, in pandas form, a computation logbook ran, with logbook's results as its outputs.")
	w.code("parameters", 1, params, nil)
	w.nb.Cells[len(w.nb.Cells)-1].(nbCodeCell).Metadata["tags"] = []string{"parameters"}
	w.code("load-requests", 2, load, nil)

	// A code cell is added once its outputs are known: at the next item
	// that is not one of them.
	var code *item
	var outs []nbOutput
	valued := false // the cell has a value: its first table
	flush := func() {
		if code != nil {
			w.code(fmt.Sprintf("%s-%d", code.Section.ID, code.Cell+1), code.N, code.Text, outs)
			code, outs, valued = nil, nil, false
		}
	}
	items := walkReport(r, 2) // the parameters and loading cells are In [1] and [2]
	for i := range items {
		it := &items[i]
		if it.Kind != itemTable && it.Kind != itemPlot {
			flush()
		}
		switch it.Kind {
		case itemSection:
			s := it.Section
			head := "## " + nbLine(s.Title)
			if s.Doc != "" {
				head += "\n\n*" + strings.TrimSpace(nbText(s.Doc)) + "*"
			}
			switch {
			case s.Skipped != "":
				head += "\n\n> " + nbLine(s.Skipped)
			case s.Error != "":
				head += "\n\n> **This section failed:** " + nbText(s.Error)
			}
			w.markdown(s.ID, head)
		case itemProse:
			w.markdown(fmt.Sprintf("%s-%d", it.Section.ID, it.Cell+1), safeMarkdown(it.Text))
		case itemCode:
			code = it
		case itemTable:
			st := showTable(it.Table, false)
			out := nbOutput{OutputType: "display_data", Metadata: map[string]any{},
				Data: map[string][]string{"text/html": nbLines(dataFrameHTML(st)), "text/plain": nbLines(dataFramePlain(st))}}
			if !valued { // the value of the cell, as Jupyter shows it
				count := it.N
				out.OutputType, out.ExecutionCount = "execute_result", &count
				valued = true
			}
			outs = append(outs, out)
		case itemPlot:
			svg, err := SVG(it.Plot)
			if err != nil {
				return nil, err
			}
			// A PNG beside the SVG: GitHub, VS Code and newer Jupyter
			// show the SVG, Debian's nbconvert 6.5 strips inline SVG and
			// shows the PNG.
			png, err := PNG(it.Plot)
			if err != nil {
				return nil, err
			}
			outs = append(outs, nbOutput{OutputType: "display_data", Metadata: map[string]any{},
				Data: map[string][]string{"image/svg+xml": nbLines(inlineSVG(svg)),
					"image/png":  {base64.StdEncoding.EncodeToString(png)},
					"text/plain": {fmt.Sprintf("<Figure: %s>", analysis.Clean(it.Plot.Title, 0))}}})
		case itemConclusions:
			var b strings.Builder
			b.WriteString("### Conclusions\n")
			for _, c := range it.Section.Conclusions {
				b.WriteString("\n" + strings.TrimSpace(safeMarkdown(c)) + "\n")
			}
			w.markdown(it.Section.ID+"-conclusions", b.String())
		}
	}
	flush()

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(w.nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// loadCell is the notebook's parameter cell and its loading cell in one
// piece of Python, with the sources named as the report names them.
func loadCell(r *Report) (string, error) {
	params, load, err := notebookLoad(r, "")
	return params + "\n" + load, err
}

// notebookLoad returns the notebook's first two code cells: the parameter
// cell (tagged "parameters", as papermill expects), which names the
// sources relative to dir, the notebook's folder, when dir is known; and
// the loading cell: pandas readers for the log formats, the helpers the
// other cells use, and the DataFrame requests.
func notebookLoad(r *Report, dir string) (params, load string, err error) {
	readers, err := templates.FS.ReadFile("requests.py")
	if err != nil {
		return "", "", err
	}
	var p strings.Builder
	p.WriteString("# Parameters: the logs this report was made from, as (path, log format), with paths\n" +
		"# relative to NOTEBOOK_DIR, the notebook's folder (Jupyter runs a notebook there).\n" +
		"# Point them at your own copies; papermill -p replaces this cell's values.\n")
	p.WriteString("import datetime\n\nNOTEBOOK_DIR = \".\"\nSOURCES = [\n")
	for _, s := range r.Sources {
		switch {
		case s.Format == "":
			fmt.Fprintf(&p, "    # %s: not read (%s)\n", pyComment(s.Name), pyComment(s.Skipped+s.Err+s.Note))
		case s.Name == "stdin" || s.Name == "-":
			fmt.Fprintf(&p, "    # standard input was read as %s; save it to a file and name it here\n", pyComment(s.Format))
		case strings.Contains(s.Name, "://") || strings.HasPrefix(s.Name, "sql:"):
			fmt.Fprintf(&p, "    # %s was read as %s; save it to a file and name it here\n", pyComment(s.Name), pyComment(s.Format))
		default:
			fmt.Fprintf(&p, "    (%s, %s),\n", pyString(nbSourcePath(s.Name, dir)), pyString(s.Format))
		}
	}
	p.WriteString("]\n")
	fmt.Fprintf(&p, "TIME_ZONE = %s  # days and hours are counted here\n", pyZone(r))

	var b strings.Builder
	b.WriteString("# Loads the logs named above into `requests`, one row per request, with the columns\n" +
		"# the cells below use, and defines the helpers they call.\n")
	b.Write(readers)
	b.WriteString(`

requests = read_sources(SOURCES)
requests["time"] = requests.time.dt.tz_convert(TIME_ZONE)
requests["status"] = requests.status.astype(str)
for col in ("user_agent", "referer", "query", "uri_stem"):
    requests[col] = requests[col].fillna("") if col in requests else ""
for col in ("time_taken", "time_to_first_byte", "upstream_time", "target_status", "backend"):
    if col not in requests:
        requests[col] = float("nan")  # not in the logs this cell read
requests["visitor"] = (requests.ip + " " + requests.user_agent).where(~requests.status.str.fullmatch(r"4\d\d"))  # GoAccess leaves 4xx out
is_ai_crawler = requests.user_agent.str.contains(AI_CRAWLERS)
is_crawler = is_ai_crawler | requests.user_agent.str.contains(BOTS)
requests["subscribers"] = pd.to_numeric(requests.user_agent.str.extract(SUBSCRIBERS)[0])
is_feed_reader = requests.subscribers.notna()
requests["crawler"] = requests.user_agent.str.extract(CRAWLER_NAME)[0].fillna(requests.user_agent.str.split(r"[/;( ]").str[0]).where(is_crawler | is_feed_reader)
requests["kind"] = pd.Series("crawler", index=requests.index).where(~is_ai_crawler, "AI crawler").where(~is_feed_reader, "feed reader")
requests["feed_reader"] = requests.crawler.where(is_feed_reader)
requests["feed"] = requests.user_agent.str.extract(r"feed-id=(\S+)")[0].fillna("")
robots_clients = requests.ip[requests.uri_stem == "/robots.txt"].unique()
is_bot = is_crawler | requests.ip.isin(robots_clients) | (requests.user_agent.map(browser_family) == "Other")
own = requests.iloc[0:0]  # paths scanners try that are the site's own: none assumed here
`)
	return p.String(), b.String(), nil
}

// nbSourcePath is a source's path as the notebook in dir names it:
// relative to dir when both are local paths, else as given.
func nbSourcePath(name, dir string) string {
	if dir == "" {
		return name
	}
	src, err1 := filepath.Abs(name)
	at, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return name
	}
	rel, err := filepath.Rel(at, src)
	if err != nil {
		return src
	}
	return filepath.ToSlash(rel)
}

// pyString quotes s as a Python string literal (a JSON string is one).
func pyString(s string) string { return yamlString(s) }

// pyComment makes s safe to end a Python comment line.
func pyComment(s string) string { return analysis.Clean(s, 200) }

func pyZone(r *Report) string {
	loc := r.Loc
	if loc == nil || loc == time.UTC {
		return `"UTC"`
	}
	if name := loc.String(); name != "" && name != "Local" && name[0] != '+' && name[0] != '-' {
		if _, err := time.LoadLocation(name); err == nil {
			return pyString(name)
		}
	}
	at := r.First
	if at.IsZero() {
		at = r.Generated
	}
	_, off := at.In(loc).Zone()
	return fmt.Sprintf("datetime.timezone(datetime.timedelta(seconds=%d))", off)
}

// Tables in notebook outputs look like pandas' own: head and tail of a long
// table with an ellipsis row between, and the shape below.

// maxPlainRunes is pandas' display.max_colwidth.
const maxPlainRunes = 50

// dataFrameRows lays out the shown table t as the notebook's two table
// outputs show it: index first in the header and in every row, and nil for
// the ellipsis row.
func dataFrameRows(t *shownTable) (header []string, rows [][]string, right []bool) {
	header = []string{t.Index.Name}
	right = []bool{t.Index.Right}
	for _, c := range t.Columns {
		header = append(header, c.Name)
		right = append(right, c.Right)
	}
	row := func(r shownRow) []string { return append([]string{r.Index}, r.Cells...) }
	for _, r := range t.Head {
		rows = append(rows, row(r))
	}
	if t.Omitted > 0 {
		rows = append(rows, nil)
		for _, r := range t.Tail {
			rows = append(rows, row(r))
		}
	}
	return header, rows, right
}

func dataFrameHTML(t *shownTable) string {
	header, rows, _ := dataFrameRows(t)
	e := html.EscapeString
	var b strings.Builder
	// As pandas does with display.html.use_mathjax off: Jupyter must not
	// typeset a $ from a log as math.
	b.WriteString("<div class=\"tex2jax_ignore mathjax_ignore\">\n<table border=\"1\" class=\"dataframe tex2jax_ignore\">\n")
	if t.Title != "" {
		fmt.Fprintf(&b, "  <caption>%s</caption>\n", e(t.Title))
	}
	b.WriteString("  <thead>\n    <tr style=\"text-align: right;\">\n")
	for _, h := range header {
		fmt.Fprintf(&b, "      <th>%s</th>\n", e(h))
	}
	b.WriteString("    </tr>\n  </thead>\n  <tbody>\n")
	for _, r := range rows {
		b.WriteString("    <tr>\n")
		if r == nil {
			for i := range header {
				if i == 0 {
					b.WriteString("      <th>...</th>\n")
				} else {
					b.WriteString("      <td>...</td>\n")
				}
			}
		}
		for i, v := range r {
			if i == 0 {
				fmt.Fprintf(&b, "      <th>%s</th>\n", e(v))
			} else {
				fmt.Fprintf(&b, "      <td>%s</td>\n", e(v))
			}
		}
		b.WriteString("    </tr>\n")
	}
	fmt.Fprintf(&b, "  </tbody>\n</table>\n<p>%d rows × %d columns</p>\n", t.NRows, t.NCols)
	if cut := t.Cut(); cut != "" {
		fmt.Fprintf(&b, "<p>%s</p>\n", e(cut))
	}
	b.WriteString("</div>")
	return b.String()
}

func dataFramePlain(t *shownTable) string {
	header, rows, right := dataFrameRows(t)
	cut := func(s string) string {
		if utf8.RuneCountInString(s) <= maxPlainRunes {
			return s
		}
		return string([]rune(s)[:maxPlainRunes-3]) + "..."
	}
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i := range width {
			if r == nil {
				width[i] = max(width[i], 3) // the ellipsis
				continue
			}
			width[i] = max(width[i], utf8.RuneCountInString(cut(r[i])))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i, c := range cells {
			c = cut(c)
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				l.WriteString("  ")
			}
			if right[i] || i > 0 {
				l.WriteString(pad + c) // pandas right-aligns every column
			} else {
				l.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(header)
	for _, r := range rows {
		if r == nil {
			dots := make([]string, len(header))
			for i := range dots {
				dots[i] = "..."
			}
			line(dots)
			continue
		}
		line(r)
	}
	fmt.Fprintf(&b, "\n[%d rows x %d columns]", t.NRows, t.NCols)
	if cut := t.Cut(); cut != "" {
		b.WriteString("\n" + cut)
	}
	return b.String()
}
