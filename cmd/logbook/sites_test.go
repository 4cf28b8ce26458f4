package main

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// siteTool finds a static site generator, or skips the test (fails with
// LOGBOOK_REQUIRE_TOOLS=1) when it is not installed.
func siteTool(t *testing.T, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("LOGBOOK_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is not installed (LOGBOOK_REQUIRE_TOOLS=1); apt-get install %s", name, name)
		}
		t.Skipf("%s is not installed (apt-get install %s); skipping (set LOGBOOK_REQUIRE_TOOLS=1 to fail instead)", name, name)
	}
	return bin
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

func siteReport(t *testing.T, sample string, args ...string) {
	t.Helper()
	// Not the post's date: the file name's is the one that counts.
	args = append([]string{"report", "-q", "--now", "2025-06-16T12:00:00Z"}, args...)
	args = append(args, filepath.Join("..", "..", "samples", sample))
	if _, stderr, err := runCLI(t, "", args...); err != nil {
		t.Fatalf("logbook %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
}

func build(t *testing.T, dir string, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no user config or cache
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
}

// TestJekyllSite builds a Jekyll site (served under a baseurl, as a GitHub
// project page is) with a report written into _posts with no flag but
// --front-matter, one written as a page with --assets-dir and --base-url,
// and one as a page with its plots beside it, and checks the built pages;
// with the default permalink style (date) and with pretty, whose URLs end
// in a folder (the page with its plots beside it then needs --base-url, and
// is not tried).
func TestJekyllSite(t *testing.T) {
	jekyll := siteTool(t, "jekyll")
	for _, tc := range []struct{ sample, permalink, post, page string }{
		{"synthetic", "date", "2025/06/09/weekly.html", "reports/weekly.html"},
		{"hostile", "date", "2025/06/09/weekly.html", "reports/weekly.html"},
		{"synthetic", "pretty", "2025/06/09/weekly/index.html", "reports/weekly/index.html"},
	} {
		sample := tc.sample
		t.Run(sample+"-"+tc.permalink, func(t *testing.T) {
			site := t.TempDir()
			writeFiles(t, site, map[string]string{
				"_config.yml":        "title: Logs\nbaseurl: /proj\npermalink: " + tc.permalink + "\n",
				"_layouts/post.html": "<!DOCTYPE html>\n<html><body><main>\n{{ content }}\n</main></body></html>\n",
				"_layouts/page.html": "<!DOCTYPE html>\n<html><body><main>\n{{ content }}\n</main></body></html>\n",
			})
			post := filepath.Join(site, "_posts", "2025-06-09-weekly.md")
			siteReport(t, sample, "-o", post, "--front-matter", "jekyll")
			page := filepath.Join(site, "reports", "weekly.md")
			pageAssets := filepath.Join(site, "static", "weekly")
			siteReport(t, sample, "-o", page, "--front-matter", "jekyll", "--assets-dir", pageAssets, "--base-url", "/proj/static/weekly")
			plain := filepath.Join(site, "notes", "weekly.md") // a page, plots beside it
			siteReport(t, sample, "-o", plain, "--front-matter", "jekyll")
			build(t, site, jekyll, "build", "--quiet")
			built := filepath.Join(site, "_site")
			// The post's URL comes from the date in its name.
			checkBuilt(t, post, filepath.Join(site, "assets", "2025-06-09-weekly"), built, "/proj/", tc.post, sample)
			checkBuilt(t, page, pageAssets, built, "/proj/", tc.page, sample)
			if tc.permalink == "date" {
				checkBuilt(t, plain, filepath.Join(site, "notes", "weekly_files"), built, "/proj/", "notes/weekly.html", sample)
			}
		})
	}
}

// TestHugoSite builds a Hugo site (under a subpath) with a report asked for
// as content/posts/weekly.md with --front-matter hugo: a page bundle.
func TestHugoSite(t *testing.T) {
	hugo := siteTool(t, "hugo")
	for _, sample := range []string{"synthetic", "hostile"} {
		t.Run(sample, func(t *testing.T) {
			site := t.TempDir()
			layout := "<!DOCTYPE html>\n<html><body><main>\n{{ .Content }}\n</main></body></html>\n"
			writeFiles(t, site, map[string]string{
				"config.toml":                  "baseURL = \"https://example.org/proj/\"\ntitle = \"Logs\"\n",
				"layouts/_default/single.html": layout,
				"layouts/_default/list.html":   layout,
			})
			siteReport(t, sample, "-o", filepath.Join(site, "content", "posts", "weekly.md"), "--front-matter", "hugo")
			bundle := filepath.Join(site, "content", "posts", "weekly")
			if _, err := os.Stat(filepath.Join(site, "content", "posts", "weekly.md")); err == nil {
				t.Errorf("content/posts/weekly.md was written; want the page bundle weekly/index.md")
			}
			build(t, site, hugo, "--quiet")
			checkBuilt(t, filepath.Join(bundle, "index.md"), filepath.Join(bundle, "index_files"), filepath.Join(site, "public"),
				"/proj/", "posts/weekly/index.html", sample)
		})
	}
}

var (
	imgSrc    = regexp.MustCompile(`<img [^>]*src="([^"]*)"`)
	delimRow  = regexp.MustCompile(`(?m)^\|(?: (?::--|--:) \|)+$`)
	tableElem = regexp.MustCompile(`(?s)<table[ >].*?</table>`)
	codeElem  = regexp.MustCompile(`(?s)<pre[ >].*?</pre>|<code[ >].*?</code>`)
	tag       = regexp.MustCompile(`<[^>]*>`)
	pipeRow   = regexp.MustCompile(`(?m)^\s*\|.*\|\s*$`)
)

// checkBuilt checks the page built from the Markdown report md, at
// built/page, the site served at prefix: every plot logbook wrote (in
// assets) is shown, every <img src> resolves to a file of the built site,
// every GFM table of the Markdown became a <table> with its header and no
// other table appeared, and no row of pipes was left in the text.
func checkBuilt(t *testing.T, md, assets, built, prefix, page, sample string) {
	t.Helper()
	src, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(built, filepath.FromSlash(page)))
	if err != nil {
		t.Fatalf("the site has no page %s: %v", page, err)
	}
	html := string(data)
	plots, _ := filepath.Glob(filepath.Join(assets, "plot-*.svg"))
	if len(plots) == 0 {
		t.Fatalf("%s: no plot files in %s", md, assets)
	}
	base, err := url.Parse("https://example.org" + prefix + page)
	if err != nil {
		t.Fatal(err)
	}
	imgs := imgSrc.FindAllStringSubmatch(html, -1)
	if len(imgs) != len(plots) {
		t.Errorf("%s: %d images, want the %d plots written", page, len(imgs), len(plots))
	}
	for _, m := range imgs {
		ref, err := url.Parse(m[1])
		if err != nil {
			t.Errorf("%s: img src %q: %v", page, m[1], err)
			continue
		}
		u := base.ResolveReference(ref)
		rest, ok := strings.CutPrefix(u.Path, prefix)
		if u.Host != base.Host || !ok {
			t.Errorf("%s: img src %q points outside the site (%s)", page, m[1], u)
			continue
		}
		if _, err := os.Stat(filepath.Join(built, filepath.FromSlash(rest))); err != nil {
			t.Errorf("%s: img src %q resolves to %s, which the built site does not have", page, m[1], u.Path)
		}
	}
	tables := tableElem.FindAllString(html, -1)
	if want := len(delimRow.FindAll(src, -1)); len(tables) != want || want == 0 {
		t.Errorf("%s: %d tables, want the Markdown's %d", page, len(tables), want)
	}
	for _, tb := range tables {
		if !strings.Contains(tb, "<thead>") {
			t.Errorf("%s: a table with no header (stray, from text): %.300s", page, tb)
		}
	}
	text := tag.ReplaceAllString(codeElem.ReplaceAllString(tableElem.ReplaceAllString(html, ""), ""), "")
	if m := pipeRow.FindString(text); m != "" {
		t.Errorf("%s: a row of pipes in the text: %.200q", page, m)
	}
	if i := strings.Index(text, `\`); sample != "hostile" && i >= 0 {
		// The escapes are for the reader, not to be seen.
		t.Errorf("%s: a backslash shows in the text: %q", page, text[max(0, i-40):min(len(text), i+40)])
	}
	if sample == "hostile" {
		// Template and kramdown syntax in the log stays text.
		for _, want := range []string{"site.github", "include /etc/passw", "{{ .Title }}"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: the log's %q is not shown as text", page, want)
			}
		}
	}
}

// TestJekyllPostErrors: a post Jekyll would not publish (no date in its
// name), or whose --assets-dir is outside the site with no --base-url to
// link it at, is a usage error before anything is read, and nothing is
// written.
func TestJekyllPostErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"2025-06-09-weekly.md", []string{"--assets-dir", "ELSEWHERE"}, "must be inside the site"},
		{"weekly.md", nil, "only if its name begins with its date"},
	} {
		dir := t.TempDir()
		post := filepath.Join(dir, "site", "_posts", tc.name)
		args := []string{"report", "-o", post, "--front-matter", "jekyll"}
		for _, a := range tc.args {
			args = append(args, strings.ReplaceAll(a, "ELSEWHERE", filepath.Join(dir, "elsewhere")))
		}
		_, stderr, err := runCLI(t, "", append(args, filepath.Join("..", "..", "samples", "synthetic"))...)
		if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v (exit %d), stderr %q; want a usage error saying %q", tc.name, err, exitCode(err), stderr, tc.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "site")); err == nil {
			t.Errorf("%s: the site folder was made", tc.name)
		}
	}
}

// TestAssetsDirConfigKeys: assets_dir (relative to the config file) and
// base_url under [output] place and link the Markdown report's plots.
func TestAssetsDirConfigKeys(t *testing.T) {
	sample, err := filepath.Abs("../../samples/synthetic")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := "inputs = [" + strconv.Quote(sample) + "]\n[output]\npath = \"docs/weekly.md\"\nassets_dir = \"static/weekly\"\nbase_url = \"/static/weekly\"\n"
	writeFiles(t, dir, map[string]string{"conf/logbook.toml": conf})
	if _, stderr, err := runCLI(t, "", "report", "-q", "--config", filepath.Join(dir, "conf", "logbook.toml")); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	plots, _ := filepath.Glob(filepath.Join(dir, "conf", "static", "weekly", "plot-*.svg"))
	if len(plots) == 0 {
		t.Fatal("no plots in conf/static/weekly")
	}
	md, err := os.ReadFile(filepath.Join(dir, "conf", "docs", "weekly.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(md), "](/static/weekly/plot-"); n != len(plots) {
		t.Errorf("%d links at /static/weekly, want %d", n, len(plots))
	}
}
