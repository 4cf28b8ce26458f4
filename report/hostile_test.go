package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/ingest"
)

// The hostile sample, and a hand-made section that puts the same kind of
// payloads into every place a renderer shows a string: titles, docs, prose,
// table cells and index, plot labels, legends, conclusions, findings,
// skip and error messages.
const hostileLog = "../samples/hostile/access.log"

var payloads = append(slices.Clone(hostileText),
	"<script>window.__pwned=true;alert(1)</script>",
	`"><img src=x onerror="window.__pwned=true">`,
	"<svg/onload=window.__pwned=true>",
	"</style></title></textarea></svg><script>window.__pwned=true</script>",
	"<a href=\"javascript:window.__pwned=true\">x</a>",
	"<iframe src=https://evil.example/></iframe>",
	"<base href=https://evil.example/>",
	"{% endraw %}{{ site }}{% include x %}",
	"bad \xff\xfe utf-8 \x00 nul \x1b[31m ansi",
	strings.Repeat("long|*_`[", 700),
)

func hostileSection() []*analysis.Section {
	s := &analysis.Section{ID: "hostile-values", Title: "Hostile <b>values</b> | *x*", Doc: "A doc with <script>window.__pwned=true</script> and [x](javascript:alert(1))."}
	var quoted []string
	for _, p := range payloads {
		quoted = append(quoted, analysis.Code(p))
	}
	s.Prose("Values quoted as code: " + strings.Join(quoted, ", ") + ".")
	tab := analysis.NewTable("payloads", "Payloads <i>title</i>",
		analysis.Column{Name: "value<script>", Kind: analysis.Text}, analysis.Column{Name: "n", Kind: analysis.Integer},
		analysis.Column{Name: "share", Kind: analysis.Share})
	byValue := analysis.NewTable("by_value", "By value",
		analysis.Column{Name: "value", Kind: analysis.Text}, analysis.Column{Name: "requests", Kind: analysis.Integer})
	byValue.Index = 0
	plot := &analysis.Plot{ID: "payloads<script>", Title: "Payloads <script>alert(1)</script>", Kind: analysis.Bars, XLabel: "<b>x</b>"}
	lines := &analysis.Plot{ID: "payload_lines", Title: "Lines", Kind: analysis.Lines, XLabel: "hour", YLabel: "<i>y</i>"}
	vals := make([]float64, len(payloads))
	for i, p := range payloads {
		tab.Add(p, i, float64(i)/float64(len(payloads)))
		byValue.Add(p, i)
		plot.Labels = append(plot.Labels, p)
		lines.Labels = append(lines.Labels, p)
		vals[i] = float64(i + 1)
	}
	plot.Series = []analysis.Series{{Name: payloads[1], Values: vals}}
	lines.Series = []analysis.Series{{Name: payloads[1], Values: vals}, {Name: payloads[2], Values: vals}}
	s.Compute("requests.value.value_counts()  # "+payloads[1], analysis.Output{Table: tab})
	s.Compute("requests.groupby(\"value\").size()", analysis.Output{Table: byValue}, analysis.Output{Plot: plot}, analysis.Output{Plot: lines})
	for _, p := range payloads {
		s.Conclude("The value " + analysis.Code(p) + " was seen.")
	}
	// An analysis that forgot to quote: the renderers must still hold.
	s.Conclude("Unquoted: " + strings.Join(payloads[:len(payloads)-3], " "))
	s.Find("hostile_value", analysis.SevWarning, payloads[1], "Value "+analysis.Code(payloads[1])+" was seen.")
	skipped := &analysis.Section{ID: "hostile-skipped", Title: "Skipped", Doc: "d", Skipped: "skipped: <script>window.__pwned=true</script> [x](javascript:alert(1))"}
	failed := &analysis.Section{ID: "hostile-failed", Title: "Failed", Doc: "d", Error: "internal error: <img src=x onerror=window.__pwned=true> {% endraw %}"}
	return []*analysis.Section{s, skipped, failed}
}

// hostileReport is the report of the hostile sample, with the hand-made
// sections added at the end.
func hostileReport(t testing.TB) *Report {
	t.Helper()
	r := readReport(t, ingest.Options{}, hostileLog)
	if r.Records == 0 {
		t.Fatalf("%s: no records", hostileLog)
	}
	r.Title = "Hostile <script>window.__pwned=true</script> report"
	r.Sections = append(r.Sections, hostileSection()...)
	return r
}

var (
	anyTagRE = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>`)
	attrRE   = regexp.MustCompile(`([^\s=/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?`)
)

type markupRules struct {
	tags map[string]bool
	// attr reports whether an attribute is allowed on a tag; on* event
	// handlers never are.
	attr func(tag, name, value string) bool
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var svgTags = "svg g path text rect"

func svgAttr(tag, name, value string) bool {
	switch name {
	case "width", "height", "viewbox", "xmlns", "xmlns:xlink", "transform", "d", "x", "y", "style":
		return true
	case "text-anchor": // the HTML's plots anchor their labels
		return tag == "text" && (value == "middle" || value == "end")
	}
	return false
}

// markupProblems lists the tags and attributes of doc the rules do not
// allow, any <script, and any event-handler attribute.
func markupProblems(doc string, rules markupRules) []string {
	var out []string
	if i := strings.Index(strings.ToLower(doc), "<script"); i >= 0 {
		out = append(out, fmt.Sprintf("raw <script at byte %d: %q", i, excerpt(doc, i)))
	}
	for _, m := range anyTagRE.FindAllStringSubmatchIndex(doc, -1) {
		tag := strings.ToLower(doc[m[4]:m[5]])
		if !rules.tags[tag] {
			out = append(out, fmt.Sprintf("unexpected <%s> at byte %d: %q", tag, m[0], excerpt(doc, m[0])))
		}
		for _, a := range attrRE.FindAllStringSubmatch(doc[m[6]:m[7]], -1) {
			name := strings.ToLower(a[1])
			value := strings.Trim(a[2], `"'`)
			if strings.HasPrefix(name, "on") || !rules.attr(tag, name, value) {
				out = append(out, fmt.Sprintf("attribute %s=%q on <%s> at byte %d", name, value, tag, m[0]))
			}
		}
	}
	return out
}

func checkMarkup(t *testing.T, what, doc string, rules markupRules) {
	t.Helper()
	for i, p := range markupProblems(doc, rules) {
		if i == 10 {
			t.Errorf("%s: and more", what)
			break
		}
		t.Errorf("%s: %s", what, p)
	}
}

func excerpt(s string, i int) string {
	return s[max(0, i-60):min(len(s), i+100)]
}

var htmlRules = markupRules{
	tags: set("html head meta title style body main header h1 h2 h3 p nav strong em del ol ul li a section span div pre code " +
		"figure table caption thead tbody tr th td details summary footer blockquote hr br " + svgTags),
	attr: func(tag, name, value string) bool {
		switch name {
		case "class", "id", "lang", "charset", "name", "content", "aria-label", "open":
			return true
		case "http-equiv":
			return value == "Content-Security-Policy"
		case "href":
			return tag == "a" && strings.HasPrefix(value, "#")
		}
		return set(svgTags)[tag] && svgAttr(tag, name, value)
	},
}

func TestHostileHTML(t *testing.T) {
	r := hostileReport(t)
	out, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(out)
	checkMarkup(t, "report.html", doc, htmlRules)
	// The payloads are there, as text.
	for _, want := range []string{"&lt;script&gt;window.__pwned=true;alert(1)&lt;/script&gt;", "javascript:alert(1)"} {
		if !strings.Contains(doc, want) {
			t.Errorf("report.html does not show %q as text", want)
		}
	}
	if !strings.Contains(doc, `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:`) {
		t.Errorf("report.html has lost its Content-Security-Policy")
	}
}

var mdRules = func(dir string) markupRules {
	img := regexp.MustCompile(`^(\.\./)?` + regexp.QuoteMeta(dir) + `/plot-[A-Za-z0-9_-]+\.svg$`)
	return markupRules{
		tags: set("h1 h2 h3 p strong em del a ol ul li table thead tbody tr th td pre code img hr blockquote"),
		attr: func(tag, name, value string) bool {
			switch {
			case tag == "a" && name == "href":
				return strings.HasPrefix(value, "#")
			case tag == "img" && name == "src":
				return img.MatchString(value)
			case tag == "img" && name == "alt", tag == "code" && name == "class", name == "style" && (tag == "th" || tag == "td"):
				return true
			}
			return false
		},
	}
}

func TestHostileMarkdown(t *testing.T) {
	r := hostileReport(t)
	dir := t.TempDir()
	for _, fm := range []string{"none", "jekyll", "hugo"} {
		t.Run(fm, func(t *testing.T) {
			path := filepath.Join(dir, "report-"+fm+".md")
			if err := WriteFile(path, markdownFormat(t), r, Options{FrontMatter: fm}); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			md := string(data)
			switch fm {
			case "jekyll":
				if n := strings.Count(md, "{%"); n != 2 || !strings.Contains(md, "\n{% raw %}\n") || !strings.HasSuffix(md, "{% endraw %}\n") {
					t.Errorf("Liquid tags in the Jekyll page: %d, want only the raw block's two", n)
				}
			case "hugo":
				if strings.Contains(md, "{{<") || strings.Contains(md, "{{%") {
					t.Errorf("a Hugo shortcode opening is left in the page")
				}
			}
			body := md
			if strings.HasPrefix(body, "---\n") {
				body = body[strings.Index(body[4:], "\n---\n")+9:]
			}
			out := renderGFM(t, body)
			if strings.Contains(out, "raw HTML omitted") {
				i := strings.Index(out, "raw HTML omitted")
				t.Errorf("the Markdown holds raw HTML: %q", excerpt(out, i))
			}
			checkMarkup(t, filepath.Base(path)+" rendered", out, mdRules(FilesDir(path)))
			if !strings.Contains(out, "&lt;script&gt;window.__pwned=true;alert(1)&lt;/script&gt;") {
				t.Errorf("the rendered page does not show the script payload as text")
			}
			svgs, _ := filepath.Glob(filepath.Join(dir, FilesDir(path), "*.svg"))
			if len(svgs) == 0 {
				t.Fatalf("no plot files beside %s", path)
			}
			for _, p := range svgs {
				svg, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				checkMarkup(t, filepath.Base(p), string(svg), markupRules{tags: set(svgTags), attr: svgAttr})
			}
		})
	}
}

var (
	nbHTMLRules = markupRules{
		tags: set("div table caption thead tbody tr th td p"),
		attr: func(tag, name, value string) bool {
			return name == "class" || tag == "table" && name == "border" || tag == "tr" && name == "style" && value == "text-align: right;"
		},
	}
	nbMarkdownRules = markupRules{
		tags: set("h1 h2 h3 p strong em del ul ol li pre code blockquote"),
		attr: func(tag, name, value string) bool { return false },
	}
)

func TestHostileNotebook(t *testing.T) {
	r := hostileReport(t)
	data, err := Notebook(r)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Type    string   `json:"cell_type"`
			ID      string   `json:"id"`
			Source  []string `json:"source"`
			Outputs []struct {
				Data map[string][]string `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	sawPayload := false
	for _, c := range nb.Cells {
		src := strings.Join(c.Source, "")
		if c.Type == "markdown" {
			// Jupyter passes raw HTML in Markdown through; there must be none.
			out := renderGFM(t, src)
			if strings.Contains(out, "raw HTML omitted") {
				t.Errorf("markdown cell %s holds raw HTML: %q", c.ID, src)
			}
			checkMarkup(t, "markdown cell "+c.ID, out, nbMarkdownRules)
			sawPayload = sawPayload || strings.Contains(out, "&lt;script&gt;window.__pwned=true;alert(1)&lt;/script&gt;")
		}
		for k, o := range c.Outputs {
			what := fmt.Sprintf("cell %s output %d", c.ID, k)
			if h, ok := o.Data["text/html"]; ok {
				checkMarkup(t, what+" text/html", strings.Join(h, ""), nbHTMLRules)
			}
			if s, ok := o.Data["image/svg+xml"]; ok {
				checkMarkup(t, what+" image/svg+xml", strings.Join(s, ""), markupRules{tags: set(svgTags), attr: svgAttr})
			}
		}
	}
	if !sawPayload {
		t.Errorf("no markdown cell shows the script payload as text")
	}
	p := filepath.Join(t.TempDir(), "hostile.ipynb")
	if err := WriteFileAtomic(p, data); err != nil {
		t.Fatal(err)
	}
	validateNotebooks(t, p)
}

// TestHostileJSON checks that the machine output keeps log values whole.
func TestHostileJSON(t *testing.T) {
	r := readReport(t, ingest.Options{}, hostileLog)
	data, err := JSON(r)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Sections []struct {
			ID     string `json:"id"`
			Tables []struct {
				ID   string  `json:"id"`
				Rows [][]any `json:"rows"`
			} `json:"tables"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	want := "/<script>window.__pwned=true;alert(1)</script>"
	for _, s := range out.Sections {
		for _, tab := range s.Tables {
			if tab.ID != "uri_stem_share" {
				continue
			}
			for _, row := range tab.Rows {
				if row[0] == want {
					return
				}
			}
		}
	}
	t.Errorf("the JSON output has no uri_stem %q", want)
}

// TestCheckMarkupCatches makes sure the checks above are not vacuous.
func TestCheckMarkupCatches(t *testing.T) {
	for _, doc := range []string{
		`<p>x<script>alert(1)</script></p>`,
		`<p><img src=x onerror=alert(1)></p>`,
		`<p><a href="javascript:alert(1)">x</a></p>`,
		`<p onclick="x">y</p>`,
		`<p><iframe src="https://evil.example"></iframe></p>`,
	} {
		if len(markupProblems(doc, htmlRules)) == 0 {
			t.Errorf("checkMarkup passed %q", doc)
		}
	}
}
