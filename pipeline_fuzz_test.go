package logbook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/logbook/logbook/report"
)

// FuzzPipeline drives a fuzzed log through the whole pipeline (detection,
// every section) into the HTML report, the Markdown report (as a static
// site would render it, raw HTML allowed) and the notebook (its Markdown
// cells as Jupyter renders them, and its HTML and SVG outputs), and fails
// on any tag logbook does not write, any event handler attribute, and any
// link or source that leaves the report. Log content is hostile: whatever
// it holds must arrive as text.
func FuzzPipeline(f *testing.F) {
	for _, p := range []string{"samples/hostile/access.log", "samples/apache/access.log"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		f.Add(bytes.Join(lines[:min(len(lines), 60)], nil))
	}
	f.Add([]byte(`#Version: 1.0
#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query
2024-03-04	10:00:00	FRA2	100	192.0.2.1	GET	d1.cloudfront.net	/<script>alert(1)</script>	404	javascript:alert(1)	<img%20src=x%20onerror=alert(1)>	q=%3Csvg%20onload=x%3E
`))
	f.Add([]byte(`{"time":"2024-03-04T10:00:00Z","remote_addr":"192.0.2.9","request":"GET /<b onmouseover=x>hi</b> HTTP/1.1","status":200,"body_bytes_sent":1,"http_user_agent":"<a href=//evil.example>x</a>","http_referer":"https://evil.example/<iframe>"}
`))
	f.Add([]byte("time:[04/Mar/2024:10:00:00 +0000]\thost:192.0.2.10\treq:GET /<script>alert(1)</script>?q=<svg/onload=x> HTTP/1.1\tstatus:404\tsize:1\treferer:javascript:alert(1)\tua:<img src=x onerror=alert(1)>\tvhost:[evil](https://evil.example)\n"))
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	formats := map[string]report.Format{}
	for _, name := range []string{"html", "md", "ipynb"} {
		ft, ok := report.LookupFormat(name)
		if !ok {
			f.Fatalf("no %s format", name)
		}
		formats[name] = ft
	}
	f.Fuzz(func(t *testing.T, log []byte) {
		out, err := Run(context.Background(), Config{Inputs: []string{"-"}, Stdin: bytes.NewReader(log)})
		if err != nil {
			return // nothing to read: no report
		}
		render := func(name string) string {
			var buf bytes.Buffer
			if _, err := formats[name].Render(&buf, out.Report, report.Options{FilesDir: "report_files"}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return buf.String()
		}
		if err := checkMarkup("html", render("html")); err != nil {
			t.Fatal(err)
		}
		var mdHTML bytes.Buffer
		if err := md.Convert([]byte(render("md")), &mdHTML); err != nil {
			t.Fatal(err)
		}
		if err := checkMarkup("md", mdHTML.String()); err != nil {
			t.Fatal(err)
		}
		var nb struct {
			Cells []struct {
				CellType string          `json:"cell_type"`
				Source   json.RawMessage `json:"source"`
				Outputs  []struct {
					Data map[string]json.RawMessage `json:"data"`
				} `json:"outputs"`
			} `json:"cells"`
		}
		if err := json.Unmarshal([]byte(render("ipynb")), &nb); err != nil {
			t.Fatalf("ipynb: %v", err)
		}
		for _, c := range nb.Cells {
			if c.CellType == "markdown" {
				var cell bytes.Buffer
				if err := md.Convert([]byte(nbText(t, c.Source)), &cell); err != nil {
					t.Fatal(err)
				}
				if err := checkMarkup("ipynb markdown", cell.String()); err != nil {
					t.Fatal(err)
				}
			}
			for _, o := range c.Outputs {
				for _, mime := range []string{"text/html", "image/svg+xml"} {
					if v, ok := o.Data[mime]; ok {
						if err := checkMarkup("ipynb "+mime, nbText(t, v)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		}
	})
}

// nbText is a notebook string field: a string or a list of lines.
func nbText(t *testing.T, raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		t.Fatalf("notebook text %s: %v", raw, err)
	}
	return strings.Join(lines, "")
}

// markupTags are the tags logbook's outputs hold: the HTML template, the
// tables, goldmark's Markdown and gonum plot's SVG.
var markupTags = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`html head meta title style body header main nav footer section div span p a ul ol li
		h1 h2 h3 h4 h5 h6 strong em code pre blockquote hr br del details summary figure figcaption caption
		table thead tbody tr th td img
		svg g path text tspan rect circle line polyline polygon defs clippath`) {
		markupTags[t] = true
	}
}

// linkAttrs are the attributes that fetch or navigate.
var linkAttrs = map[string]bool{"href": true, "src": true, "xlink:href": true, "action": true, "formaction": true,
	"srcset": true, "poster": true, "background": true, "data": true}

// checkMarkup fails on a tag logbook does not write, an on* attribute, or
// a link that leaves the report (a scheme such as javascript: or https:,
// or //host). Log text is escaped, so every '<' that opens a tag is
// logbook's own; attributes are read with their quoting, so that a log
// value inside a title="..." is not taken for an attribute.
func checkMarkup(where, doc string) error {
	for i := 0; i < len(doc); i++ {
		if doc[i] != '<' {
			continue
		}
		j := i + 1
		if j < len(doc) && (doc[j] == '/' || doc[j] == '!' || doc[j] == '?') {
			continue
		}
		k := j
		for k < len(doc) && (isAlnum(doc[k]) || doc[k] == '-' || doc[k] == ':') {
			k++
		}
		if k == j {
			continue // a lone '<' in text (goldmark keeps "a < b" as text)
		}
		name := strings.ToLower(doc[j:k])
		if !markupTags[name] {
			return fmt.Errorf("%s: a <%s> tag logbook does not write: %.200q", where, name, doc[i:])
		}
		// Attributes, up to the tag's end.
		for k < len(doc) && doc[k] != '>' {
			for k < len(doc) && (doc[k] == ' ' || doc[k] == '\t' || doc[k] == '\n' || doc[k] == '\r' || doc[k] == '/') {
				k++
			}
			a := k
			for k < len(doc) && !strings.ContainsRune(" \t\n\r=>/", rune(doc[k])) {
				k++
			}
			attr := strings.ToLower(doc[a:k])
			val := ""
			if k < len(doc) && doc[k] == '=' {
				k++
				if k < len(doc) && (doc[k] == '"' || doc[k] == '\'') {
					q := doc[k]
					end := strings.IndexByte(doc[k+1:], q)
					if end < 0 {
						return fmt.Errorf("%s: an attribute quote that does not close: %.200q", where, doc[i:])
					}
					val, k = doc[k+1:k+1+end], k+2+end
				} else {
					v := k
					for k < len(doc) && !strings.ContainsRune(" \t\n\r>", rune(doc[k])) {
						k++
					}
					val = doc[v:k]
				}
			}
			if attr == "" {
				if k < len(doc) && doc[k] != '>' {
					k++
				}
				continue
			}
			if strings.HasPrefix(attr, "on") {
				return fmt.Errorf("%s: an event handler %s= on <%s>: %.200q", where, attr, name, doc[i:])
			}
			if linkAttrs[attr] && leaves(val) {
				return fmt.Errorf("%s: <%s %s=%q> leaves the report", where, name, attr, val)
			}
		}
	}
	return nil
}

// leaves reports whether a link or source goes outside the report: it
// has a scheme (javascript:, data:, https:) or names a host (//host).
func leaves(v string) bool {
	v = strings.TrimSpace(strings.ToLower(v))
	if strings.HasPrefix(v, "//") || strings.HasPrefix(v, `\\`) {
		return true
	}
	if i := strings.IndexAny(v, ":/?#"); i >= 0 && v[i] == ':' {
		return true
	}
	return strings.Contains(v, "&#") || strings.Contains(v, "&colon")
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// TestCheckMarkup: the check of FuzzPipeline finds each kind of escape,
// and lets escaped text and quoted attribute values through.
func TestCheckMarkup(t *testing.T) {
	for doc, bad := range map[string]bool{
		`<p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=x</p>`: false,
		`<a href="#traffic" title="x onclick=y">t</a>`:           false,
		`<img src="report_files/plot-a.svg" alt="a">`:            false,
		`<p>a < b</p>`:                                false,
		`<script>alert(1)</script>`:                   true,
		`<p><img src=x onerror=alert(1)></p>`:         true,
		`<a href="javascript:alert(1)">x</a>`:         true,
		`<a href=//evil.example>x</a>`:                true,
		`<img src="https://evil.example/x.png">`:      true,
		`<a href="&#106;avascript:alert(1)">x</a>`:    true,
		`<svg><g onload="x"></g></svg>`:               true,
		`<iframe src="report_files/x.html"></iframe>`: true,
	} {
		if err := checkMarkup("test", doc); (err != nil) != bad {
			t.Errorf("%s: %v, want an error: %v", doc, err, bad)
		}
	}
}
