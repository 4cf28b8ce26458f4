package report

import (
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// kramdownProse is prose as analyses write it, with what kramdown reads as
// syntax where GFM does not.
var kramdownProse = []string{
	"An IP with a large |z| over many requests is a heavy client.",
	"278 IPs are beyond |z| ≥ 3, the furthest `1.2.3.4` (z = 8.19).",
	"Attributes *x*{: .cls} and {:#id} stay text.",
	"Money $$x$$ is not math, nor `$$y$$`.",
	"Two lines\n: not a definition",
	"Already escaped \\| stays, and a code span `a|b` too.",
}

// TestKramdownSafeGFM holds the kramdown escapes invisible to GFM readers:
// goldmark renders the escaped prose exactly as the prose.
func TestKramdownSafeGFM(t *testing.T) {
	for _, in := range kramdownProse {
		if got, want := renderGFM(t, kramdownSafe(safeMarkdown(in))), renderGFM(t, safeMarkdown(in)); got != want {
			t.Errorf("%q: GFM shows\n%s\nwant\n%s", in, got, want)
		}
	}
}

// TestKramdownSafe renders the escaped prose with kramdown's GFM parser,
// as Jekyll does: each is one paragraph, with no table, no math, no
// attribute taken, and the text as written.
func TestKramdownSafe(t *testing.T) {
	ruby, err := exec.LookPath("ruby")
	if err != nil || exec.Command(ruby, "-e", `require "kramdown"; require "kramdown-parser-gfm"`).Run() != nil {
		missingTool(t, "ruby with kramdown-parser-gfm is not installed (apt-get install jekyll)")
	}
	text := regexp.MustCompile(`<[^>]*>`)
	for _, in := range kramdownProse {
		cmd := exec.Command(ruby, "-e", `require "kramdown"; require "kramdown-parser-gfm"; print Kramdown::Document.new($stdin.read, input: "GFM").to_html`)
		cmd.Stdin = strings.NewReader(kramdownSafe(safeMarkdown(in)) + "\n")
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		h := strings.TrimSpace(string(out))
		if strings.Count(h, "<p>") != 1 || !strings.HasPrefix(h, "<p>") {
			t.Errorf("%q: kramdown made more than a paragraph:\n%s", in, h)
		}
		for _, bad := range []string{"<table", "<dl", "class=", "id=", `\(`} {
			if strings.Contains(h, bad) {
				t.Errorf("%q: kramdown made %s:\n%s", in, bad, h)
			}
		}
		plain := strings.NewReplacer("`", "", "*", "", "\\|", "|").Replace(in)
		if got := strings.ReplaceAll(html.UnescapeString(text.ReplaceAllString(h, "")), "’", "'"); got != plain {
			t.Errorf("%q: kramdown shows %q, want %q", in, got, plain)
		}
	}
}

func TestSitePath(t *testing.T) {
	for _, tc := range []struct{ path, fm, want string }{
		{"content/posts/weekly.md", "hugo", "content/posts/weekly/index.md"},
		{"content/posts/weekly/index.md", "hugo", "content/posts/weekly/index.md"},
		{"content/posts/_index.md", "hugo", "content/posts/_index.md"},
		{"content/posts/weekly.md", "jekyll", "content/posts/weekly.md"},
		{"weekly.md", "none", "weekly.md"},
	} {
		if got := SitePath(tc.path, tc.fm); got != filepath.FromSlash(tc.want) {
			t.Errorf("SitePath(%q, %q) = %q, want %q", tc.path, tc.fm, got, tc.want)
		}
	}
}

// TestJekyllPostAssets writes a post into _posts with no option but the
// front matter: its plots go in the site's assets/NAME, linked through
// relative_url, and a second run removes the plots the first left there
// and this one did not draw.
func TestJekyllPostAssets(t *testing.T) {
	r := hostileReport(t)
	site := t.TempDir()
	post := filepath.Join(site, "_posts", "2025-06-09-weekly.md")
	if err := os.Mkdir(filepath.Dir(post), 0o777); err != nil {
		t.Fatal(err)
	}
	assets := filepath.Join(site, "assets", "2025-06-09-weekly")
	if err := os.MkdirAll(assets, 0o777); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(assets, "plot-gone.svg")
	if err := os.WriteFile(stale, []byte("<svg/>"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(post, markdownFormat(t), r, Options{FrontMatter: "jekyll"}); err != nil {
		t.Fatal(err)
	}
	plots, _ := filepath.Glob(filepath.Join(assets, "plot-*.svg"))
	if len(plots) == 0 {
		t.Fatalf("no plots in %s", assets)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("the stale plot %s is left", stale)
	}
	if _, err := os.Stat(filepath.Join(site, "_posts", "2025-06-09-weekly_files")); err == nil {
		t.Errorf("a _files folder was made in _posts")
	}
	data, err := os.ReadFile(post)
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	if fm := md[:strings.Index(md[4:], "\n---\n")+4]; strings.Contains(fm, "\ndate:") {
		t.Errorf("the post's front matter has a date, which would override the file name's:\n%s", fm)
	}
	for _, p := range plots {
		link := "({% endraw %}{{ '/assets/2025-06-09-weekly/" + filepath.Base(p) + "' | relative_url }}{% raw %})"
		if !strings.Contains(md, link) {
			t.Errorf("the post does not link %s as %s", filepath.Base(p), link)
		}
	}
	// Only logbook's own tags: the raw block's two and two per plot.
	if n, want := strings.Count(md, "{%"), 2+2*len(plots); n != want {
		t.Errorf("%d Liquid tags in the post, want %d", n, want)
	}
}

// TestAssetsDirAndBaseURL puts the plots in a folder outside the report's
// and links them at the URL given, escaped as a link destination; with no
// URL, by the relative path.
func TestAssetsDirAndBaseURL(t *testing.T) {
	r := hostileReport(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "docs", "weekly.md")
	assets := filepath.Join(dir, "static", "weekly plots")
	if err := os.Mkdir(filepath.Dir(page), 0o777); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ base, want string }{
		{"https://example.org/a b)/", "](https://example.org/a%20b%29/plot-"},
		{"", "](../static/weekly%20plots/plot-"},
	} {
		if err := WriteFile(page, markdownFormat(t), r, Options{FrontMatter: "none", AssetsDir: assets, BaseURL: tc.base}); err != nil {
			t.Fatal(err)
		}
		plots, _ := filepath.Glob(filepath.Join(assets, "plot-*.svg"))
		if len(plots) == 0 {
			t.Fatalf("no plots in %s", assets)
		}
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(data), tc.want); n != len(plots) {
			t.Errorf("base URL %q: %d links start %q, want %d", tc.base, n, tc.want, len(plots))
		}
		if _, err := os.Stat(filepath.Join(dir, "docs", "weekly_files")); err == nil {
			t.Errorf("plots were also written to weekly_files")
		}
	}
}

func TestSiteOptions(t *testing.T) {
	site := t.TempDir()
	post := filepath.Join(site, "_posts", "2025-06-09-weekly.md")
	for _, tc := range []struct {
		name, path string
		in         Options
		assets     string // "" for none
		base       string
		siteRoot   bool
		err        string
	}{
		{"post", post, Options{FrontMatter: "jekyll"}, filepath.Join(site, "assets", "2025-06-09-weekly"), "/assets/2025-06-09-weekly", true, ""},
		{"post with a base URL", post, Options{FrontMatter: "jekyll", BaseURL: "https://cdn.example/w"}, filepath.Join(site, "assets", "2025-06-09-weekly"), "https://cdn.example/w", false, ""},
		{"post with an assets folder", post, Options{FrontMatter: "jekyll", AssetsDir: filepath.Join(site, "img", "w 1")}, filepath.Join(site, "img", "w 1"), "/img/w%201", true, ""},
		{"post with an assets folder outside the site", post, Options{FrontMatter: "jekyll", AssetsDir: filepath.Join(site, "..", "elsewhere")}, "", "", false, "must be inside the site"},
		{"post without a date", filepath.Join(site, "_posts", "weekly.md"), Options{FrontMatter: "jekyll"}, "", "", false, "begins with its date"},
		{"post with a bad date", filepath.Join(site, "_posts", "2025-13-09-weekly.md"), Options{FrontMatter: "jekyll"}, "", "", false, "begins with its date"},
		{"post without Jekyll front matter", post, Options{FrontMatter: "none"}, "", "", false, ""},
		{"page", filepath.Join(site, "notes", "w.md"), Options{FrontMatter: "jekyll"}, "", "", false, ""},
		{"page with an assets folder", filepath.Join(site, "notes", "w.md"), Options{AssetsDir: filepath.Join(site, "static", "w")}, filepath.Join(site, "static", "w"), "../static/w", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SiteOptions(tc.path, tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AssetsDir != tc.assets || got.BaseURL != tc.base || got.SiteRoot != tc.siteRoot {
				t.Errorf("got assets %q, base URL %q, site root %v; want %q, %q, %v", got.AssetsDir, got.BaseURL, got.SiteRoot, tc.assets, tc.base, tc.siteRoot)
			}
		})
	}
}

// TestAssetsDirOnlyMarkdown: the CSV format keeps its table files beside
// it whatever AssetsDir says, and a report other than Markdown in _posts
// is not a post.
func TestAssetsDirOnlyMarkdown(t *testing.T) {
	r := hostileReport(t)
	dir := t.TempDir()
	posts := filepath.Join(dir, "_posts")
	if err := os.Mkdir(posts, 0o777); err != nil {
		t.Fatal(err)
	}
	csv, _ := LookupFormat("csv")
	if err := WriteFile(filepath.Join(posts, "weekly.csv"), csv, r, Options{FrontMatter: "jekyll", AssetsDir: filepath.Join(dir, "assets")}); err != nil {
		t.Fatal(err)
	}
	if tables, _ := filepath.Glob(filepath.Join(posts, "weekly_files", "table-*.csv")); len(tables) == 0 {
		t.Errorf("no table files beside weekly.csv")
	}
	if _, err := os.Stat(filepath.Join(dir, "assets")); err == nil {
		t.Errorf("the CSV format wrote into the assets folder")
	}
}
