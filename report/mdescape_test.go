package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// gfm renders like GitHub and Hugo: tables, strikethrough, autolinks of
// bare URLs and e-mail addresses, no raw HTML.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

func renderGFM(t *testing.T, src string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := gfm.Convert([]byte(src), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var hostileText = []string{
	"plain",
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	"[x](javascript:alert(1))",
	"![img](https://evil.example/x.png)",
	"<https://evil.example>",
	"https://evil.example/bare and www.evil.example and WWW.evil.example",
	"evil@evil.example",
	"a|b||c",
	`back\slash \| \*x\* \`,
	"*em* **strong** _u_ __uu__",
	"~~strike~~ ~one~",
	"`code` ``two`` ```",
	"# heading",
	"- item",
	"1. item",
	"> quote",
	"$x^2$ $$y$$",
	"{{template}} {% raw %} {{< sc >}}",
	"&amp; &lt;b&gt; &#60;",
	"[ref]: https://evil.example",
	"a &copy b",
	"/~user/page",
}

// tagRE finds tags in rendered HTML.
var tagRE = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)[^>]*>`)

func TestMDTextInTableCell(t *testing.T) {
	for _, in := range hostileText {
		src := "| h |\n| --- |\n| " + mdText(in) + " |\n"
		out := renderGFM(t, src)
		i := strings.Index(out, "<td>")
		j := strings.LastIndex(out, "</td>")
		if i < 0 || j < i || strings.Count(out, "<td") != 1 {
			t.Errorf("%q: not one cell:\n%s", in, out)
			continue
		}
		cell := out[i+len("<td>") : j]
		if m := tagRE.FindString(cell); m != "" {
			t.Errorf("%q: the cell holds markup %s:\n%s", in, m, out)
		}
		if got := html.UnescapeString(cell); got != in {
			t.Errorf("%q: the cell shows %q", in, got)
		}
	}
}

func TestMDLineAsParagraph(t *testing.T) {
	for _, in := range hostileText {
		out := strings.TrimSpace(renderGFM(t, mdLine(in)+"\n"))
		if !strings.HasPrefix(out, "<p>") || !strings.HasSuffix(out, "</p>") {
			t.Errorf("%q: not a paragraph: %s", in, out)
			continue
		}
		body := strings.TrimSuffix(strings.TrimPrefix(out, "<p>"), "</p>")
		if m := tagRE.FindString(body); m != "" {
			t.Errorf("%q: markup %s in %s", in, m, out)
		}
		if got := html.UnescapeString(body); got != in {
			t.Errorf("%q: shown as %q", in, got)
		}
	}
}

func TestSafeMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a `<b>` c", "a `<b>` c"},
		{"a <b>x</b>", "a &lt;b>x&lt;/b>"},
		{"<https://evil.example>", "&lt;https://evil.example>"},
		{"``a ` <b>`` <i>", "``a ` <b>`` &lt;i>"},
		{"` unclosed <b>", "` unclosed &lt;b>"},
		{`\` + "`not code <b>`", `\` + "`not code &lt;b>`"},
		{"x {{ y }} {% z %} `{{ w }}`", `x \{{ y }} \{% z %} ` + "`{{ w }}`"},
		{"**bold** [link](#a) `x`", "**bold** [link](#a) `x`"},
	} {
		if got := safeMarkdown(tc.in); got != tc.want {
			t.Errorf("safeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
		out := renderGFM(t, safeMarkdown(tc.in))
		for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
			switch m[2] {
			case "p", "code", "strong", "em", "a":
			default:
				t.Errorf("%q renders a <%s>: %s", tc.in, m[2], out)
			}
		}
	}
}

func TestNeutralizeTemplates(t *testing.T) {
	got := neutralizeTemplates("`{% endraw %}` {{< sc >}} {{% sc %}} {{ ok }}")
	for _, bad := range []string{"{%", "{{<", "{{%"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q still holds %q", got, bad)
		}
	}
	if !strings.Contains(got, "{{ ok }}") {
		t.Errorf("%q: a plain {{ was changed", got)
	}
}

func TestCodeFence(t *testing.T) {
	for in, want := range map[string]string{"x": "```", "a ``` b": "````", "````x": "`````"} {
		if got := codeFence(in); got != want {
			t.Errorf("codeFence(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Key findings": "key-findings", "Status codes (5xx)": "status-codes-5xx", "Where traffic goes": "where-traffic-goes"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
