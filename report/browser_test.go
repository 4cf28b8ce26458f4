package report

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/logbook/logbook/ingest"
)

// chromium finds a headless-capable Chromium or Chrome.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missingTool(t, "no Chromium found on PATH (apt-get install chromium)")
	return ""
}

// browser starts a headless Chromium and returns a context for one tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("allow-file-access-from-files", false),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		missingTool(t, "cannot start %s: %v", exe, err)
	}
	return bctx
}

// pageEvents records what a page did that it should not have.
type pageEvents struct {
	mu       sync.Mutex
	dialogs  []string
	console  []string
	requests []string
}

func (e *pageEvents) add(list *[]string, s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	*list = append(*list, s)
}

func (e *pageEvents) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		// Runs in the loop that reads the tab's messages: record only.
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			e.add(&e.dialogs, fmt.Sprintf("%s: %q", ev.Type, ev.Message))
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false}) //nolint:errcheck // best effort, so the page goes on
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			e.add(&e.console, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		case *runtime.EventExceptionThrown:
			e.add(&e.console, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			e.add(&e.console, fmt.Sprintf("log %s %s: %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		case *network.EventRequestWillBeSent:
			e.add(&e.requests, ev.Request.URL)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// TestBrowserHostileHTML opens the HTML report of the hostile sample from
// file:// in headless Chromium: no injected script may run, no dialog open,
// nothing be logged to the console, and no request leave for anything but
// the page itself. A screenshot of the first screen is kept as an artefact.
func TestBrowserHostileHTML(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "hostile.html")
	if err := WriteFileAtomic(path, mustHTML(t, hostileReport(t))); err != nil {
		t.Fatal(err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: path}).String()

	var ev pageEvents
	ev.listen(t, ctx)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(pageURL),
		chromedp.WaitReady(chromedp.CSS("footer")),
		chromedp.Sleep(300*time.Millisecond), // let anything deferred fire
	); err != nil {
		t.Fatalf("loading %s: %v", pageURL, err)
	}
	pwned := eval[bool](t, ctx, `window.__pwned === true`)
	scripts := eval[int](t, ctx, `document.scripts.length`)
	handlers := eval[int](t, ctx, `[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length`)
	links := eval[int](t, ctx, `[...document.querySelectorAll('a[href]')].filter(a => !a.getAttribute('href').startsWith('#')).length`)
	embeds := eval[int](t, ctx, `document.querySelectorAll('img, iframe, object, embed, base, link, form, input, textarea, meta[http-equiv="refresh" i]').length`)
	title := eval[string](t, ctx, `document.title`)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if pwned {
		t.Errorf("an injected script ran (window.__pwned is true)")
	}
	if scripts != 0 || handlers != 0 || links != 0 || embeds != 0 {
		t.Errorf("the page holds %d scripts, %d elements with event handlers, %d links leaving the page, %d embedding elements", scripts, handlers, links, embeds)
	}
	if !strings.Contains(title, "<script>") {
		t.Errorf("title %q: the payload should be shown as text", title)
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.dialogs) > 0 {
		t.Errorf("dialogs opened: %v", ev.dialogs)
	}
	if len(ev.console) > 0 {
		t.Errorf("console output:\n%s", strings.Join(ev.console, "\n"))
	}
	for _, u := range ev.requests {
		if u != pageURL {
			t.Errorf("request for %s", u)
		}
	}
	saveArtifact(t, "hostile-report-first-screen.png", shot)
}

func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	p := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// The page the print checks lay the report out on: A4, less the
// stylesheet's @page margins (printableWidth reads them).
const (
	a4WidthMM  = 210.0
	a4HeightMM = 297.0
	pxPerMM    = 96 / 25.4 // CSS px
)

// phoneWidth is the viewport of the phone checks, in CSS px (an iPhone 12
// to 15 held upright), drawn at devicePixelRatio 3.
const phoneWidth = 390

// minReadable is the smallest text, in CSS px, the phone checks accept,
// in the page and in the plots as drawn.
const minReadable = 10.0

// pageMargins are the margins of the stylesheet's @page rule in mm, as
// written: one to four values, top first.
func pageMargins(t *testing.T) []float64 {
	t.Helper()
	_, css, err := loadHTML()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`@page\s*\{[^}]*?margin:\s*([^;}]+)`).FindStringSubmatch(css)
	if m == nil {
		t.Fatal("the stylesheet has no @page rule with a margin")
	}
	var mm []float64
	for _, f := range strings.Fields(m[1]) {
		v, unit := f, 1.0
		switch {
		case strings.HasSuffix(f, "mm"):
			v = strings.TrimSuffix(f, "mm")
		case strings.HasSuffix(f, "cm"):
			v, unit = strings.TrimSuffix(f, "cm"), 10
		default:
			t.Fatalf("@page margin %q: the test reads mm and cm only", m[1])
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("@page margin %q: %v", m[1], err)
		}
		mm = append(mm, x*unit)
	}
	return mm
}

// printableWidth is the width, in CSS px, that Chromium lays a printed
// page out at: A4's width less the left and right margins of the
// stylesheet's @page rule.
func printableWidth(t *testing.T) float64 {
	t.Helper()
	mm := pageMargins(t)
	left, right := mm[0], mm[0]
	switch len(mm) {
	case 2, 3:
		left, right = mm[1], mm[1]
	case 4:
		left, right = mm[3], mm[1]
	}
	return (a4WidthMM - left - right) * pxPerMM
}

// printableHeight is the height of a printed page's content, in CSS px:
// A4's height less the top and bottom margins of the @page rule.
func printableHeight(t *testing.T) float64 {
	t.Helper()
	mm := pageMargins(t)
	top, bottom := mm[0], mm[0]
	if len(mm) >= 3 {
		bottom = mm[2]
	}
	return (a4HeightMM - top - bottom) * pxPerMM
}

// setLook sets the viewport and the emulated media of the tab, then loads
// pageURL afresh.
func setLook(t *testing.T, ctx context.Context, pageURL string, width, height int64, scale float64, mobile bool, media, scheme string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: height, DeviceScaleFactor: scale, Mobile: mobile}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: mobile}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media,
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatalf("loading %s: %v", pageURL, err)
	}
}

// screenshot captures the top of the page, height CSS px of it, as PNG.
func screenshot(t *testing.T, ctx context.Context, width, height float64, scale float64) []byte {
	t.Helper()
	full := eval[float64](t, ctx, `document.documentElement.scrollHeight`)
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		CaptureBeyondViewport: ptrTo(true), FromSurface: ptrTo(true),
		Clip: &page.Viewport{Width: width, Height: min(height, full), Scale: scale}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Data
}

// screenshotOf captures the element that selector finds first, as PNG.
func screenshotOf(t *testing.T, ctx context.Context, selector string, scale float64) []byte {
	t.Helper()
	box := eval[[]float64](t, ctx, `(() => { const e = document.querySelector(`+strconv.Quote(selector)+`); if (!e) return [];
		e.scrollIntoView(); const r = e.getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height] })()`)
	if len(box) != 4 {
		t.Fatalf("no %s in the page", selector)
	}
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		CaptureBeyondViewport: ptrTo(true), FromSurface: ptrTo(true),
		Clip: &page.Viewport{X: box[0], Y: box[1], Width: box[2], Height: box[3], Scale: scale}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Data
}

func ptrTo[T any](v T) *T { return &v }

// A browserReport is the HTML report of one input, written for the
// browser checks.
type browserReport struct {
	name, url string
	report    *Report
}

// TestBrowserReport opens the HTML report of the samples (the big one:
// every section, long tables) and of samples/synthetic/ in headless
// Chromium, printed, on a phone and in the dark colour scheme, measures what
// a reader would see, and keeps screenshots and the PDF as artefacts.
func TestBrowserReport(t *testing.T) {
	if testing.Short() {
		t.Skip("prints and measures two big reports in Chromium")
	}
	for _, in := range []struct{ name, dir string }{{"samples", "../samples"}, {"synthetic", "../samples/synthetic"}} {
		t.Run(in.name, func(t *testing.T) {
			if _, err := os.Stat(in.dir); err != nil {
				t.Skip("no samples")
			}
			r := readReport(t, ingest.Options{}, in.dir)
			path := filepath.Join(t.TempDir(), in.name+".html")
			if err := WriteFileAtomic(path, mustHTML(t, r)); err != nil {
				t.Fatal(err)
			}
			br := browserReport{name: in.name, url: (&url.URL{Scheme: "file", Path: path}).String(), report: r}
			ctx := browser(t)
			t.Run("print", func(t *testing.T) { checkPrint(t, ctx, br) })
			t.Run("phone", func(t *testing.T) { checkPhone(t, ctx, br) })
			t.Run("dark", func(t *testing.T) { checkColours(t, ctx, br) })
		})
	}
}

// artifactName names an artefact of report br: the samples' report keeps
// the plain names (light.png, print-page1.png), the others are prefixed.
func artifactName(br browserReport, name string) string {
	if br.name == "samples" {
		return name
	}
	return br.name + "-" + name
}

// jsDescribe is a JavaScript function naming an element and its section,
// for failure messages.
const jsDescribe = `const describe = e => { const s = e.closest('section');
	const cls = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '';
	return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + cls + (s ? ' in #' + s.id : '') };`

// printLayout is what checkPrint measures in print media emulation.
type printLayout struct {
	PageWidth  float64  `json:"pageWidth"`
	Outside    []string `json:"outside"`    // boxes or content past the page's edges
	Scrollers  []string `json:"scrollers"`  // elements that would print a scrollbar
	Breaks     []string `json:"breaks"`     // forced page breaks
	Splittable []string `json:"splittable"` // plots and tables a page break may cut
	Chrome     []string `json:"chrome"`     // interactive-only elements printed
	Tables     []struct {
		ID       string `json:"id"`
		Shown    bool   `json:"shown"`
		Rows     int    `json:"rows"`     // body rows printed
		Ellipsis bool   `json:"ellipsis"` // the … row between head and tail is printed
	} `json:"tables"`
	FullShown int     `json:"fullShown"` // full views ("show all rows") printed
	Height    float64 `json:"height"`    // the report's height laid out at the page's width
}

const jsPrintLayout = `(() => {` + jsDescribe + `
	const W = document.documentElement.clientWidth, out = {pageWidth: W, outside: [], scrollers: [], breaks: [], splittable: [], chrome: [], tables: [], fullShown: 0};
	const shown = e => e.checkVisibility() && e.getClientRects().length > 0;
	if (document.documentElement.scrollWidth > W + 1) out.outside.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
	for (const e of document.body.querySelectorAll('*')) {
		if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;
		if (!shown(e)) continue;
		const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
		if (r.left < -1 || r.right > W + 1) out.outside.push(describe(e) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + ' px');
		else if (cs.display !== 'inline' && e.scrollWidth > e.clientWidth + 1 && r.left + e.scrollWidth > W + 1) out.outside.push(describe(e) + "'s content reaches " + Math.round(r.left + e.scrollWidth) + ' px');
		const scrolls = v => v === 'scroll' || v === 'auto';
		if (cs.overflowX === 'scroll' || cs.overflowY === 'scroll' ||
			(scrolls(cs.overflowX) && e.scrollWidth > e.clientWidth + 1) || (scrolls(cs.overflowY) && e.scrollHeight > e.clientHeight + 1))
			out.scrollers.push(describe(e));
		if (['page', 'left', 'right', 'recto', 'verso', 'always'].includes(cs.breakBefore) || ['page', 'left', 'right', 'recto', 'verso', 'always'].includes(cs.breakAfter))
			out.breaks.push(describe(e) + ' (before: ' + cs.breakBefore + ', after: ' + cs.breakAfter + ')');
		if ((e.matches('figure.plot') || e.matches('table.df')) && cs.breakInside !== 'avoid' && cs.breakInside !== 'avoid-page') out.splittable.push(describe(e));
		if (e.matches('button, summary, input, select, textarea, nav, details')) out.chrome.push(describe(e));
	}
	for (const t of document.querySelectorAll('table.df')) {
		if (t.closest('details.full')) { if (shown(t)) out.fullShown++; continue; }
		const rows = [...t.tBodies[0].rows].filter(shown);
		const ell = t.querySelector('tr.ellipsis');
		out.tables.push({id: t.id, shown: shown(t), rows: rows.length, ellipsis: !!ell && shown(ell)});
	}
	out.height = document.documentElement.scrollHeight;
	return out;
})()`

// checkPrint prints the report to PDF on A4 and, with print media emulated
// at the printed page's width, checks that nothing reaches past the page's
// edges or prints a scrollbar, that no section forces a page break and
// plots and tables are kept whole, that the tables print the head and tail
// the page shows, and that no interactive-only element is printed.
func checkPrint(t *testing.T, ctx context.Context, br browserReport) {
	width := printableWidth(t)
	setLook(t, ctx, br.url, int64(math.Round(width)), 1000, 1, false, "print", "light")
	l := eval[printLayout](t, ctx, jsPrintLayout)
	if math.Abs(l.PageWidth-width) > 1 {
		t.Fatalf("the page is laid out %.0f px wide, not the printable %.0f px", l.PageWidth, width)
	}
	report := func(what string, list []string) {
		if len(list) > 0 {
			t.Errorf("printed at %.0f px (A4): %d %s, such as:\n%s", width, len(list), what, strings.Join(list[:min(len(list), 12)], "\n"))
		}
	}
	report("elements past the page's edges", l.Outside)
	report("elements that print a scrollbar", l.Scrollers)
	report("forced page breaks", l.Breaks)
	report("plots and tables a page break may cut", l.Splittable)
	report("interactive-only elements printed", l.Chrome)
	if l.FullShown > 0 {
		t.Errorf("%d full views (the rows behind 'show all') are printed", l.FullShown)
	}
	// The tables print as the page shows them: every row of a short
	// table, the head, the ellipsis and the tail of a long one.
	var want []*shownTable
	for _, it := range walkReport(br.report, 0) {
		if it.Kind == itemTable {
			want = append(want, showTable(it.Table, false))
		}
	}
	if len(l.Tables) != len(want) {
		t.Fatalf("%d tables printed, the report has %d", len(l.Tables), len(want))
	}
	cut := 0
	for i, st := range want {
		got := l.Tables[i]
		rows := len(st.Head) + len(st.Tail)
		if st.Omitted > 0 {
			rows++
			cut++
		}
		if got.ID != htmlTableID(st) || !got.Shown || got.Rows != rows || got.Ellipsis != (st.Omitted > 0) {
			t.Errorf("table %s printed: shown %v, %d rows, ellipsis %v; want table %s with %d rows, ellipsis %v",
				got.ID, got.Shown, got.Rows, got.Ellipsis, htmlTableID(st), rows, st.Omitted > 0)
		}
	}
	if br.name == "samples" && cut == 0 {
		t.Errorf("no table of the samples' report is cut to a head and tail; the check of their printing checked nothing")
	}

	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: a4WidthMM / 25.4, PaperHeight: a4HeightMM / 25.4,
		PreferCSSPageSize: ptrTo(true), PrintBackground: ptrTo(true)})
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(res.Data, -1))
	// The pages the report would take if every page were filled to its
	// bottom margin; breaks that keep plots and tables whole and headings
	// with what follows cost some paper, but not a quarter more.
	filled := int(math.Ceil(l.Height / printableHeight(t)))
	t.Logf("%s: %d A4 pages printed, %d if every page were full (%d tables, %d of them cut to head and tail)", br.name, pages, filled, len(want), cut)
	if pages == 0 {
		t.Fatal("the PDF has no page objects")
	}
	if pages > filled*5/4+1 {
		t.Errorf("%d pages printed for %d pages' worth of report: the page breaks waste paper", pages, filled)
	}
	saveArtifact(t, artifactName(br, "report.pdf"), res.Data)
	saveArtifact(t, artifactName(br, "print-page1.png"), firstPDFPage(t, ctx, res.Data, width))
}

// firstPDFPage renders the first page of a PDF as PNG with poppler's
// pdftoppm, or, when it is not installed, screenshots the top page's worth
// of the page in print media emulation (which the caller set) and says so.
func firstPDFPage(t *testing.T, ctx context.Context, pdf []byte, width float64) []byte {
	t.Helper()
	if exe, err := exec.LookPath("pdftoppm"); err == nil {
		dir := t.TempDir()
		in := filepath.Join(dir, "report.pdf")
		if err := os.WriteFile(in, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(exe, "-f", "1", "-l", "1", "-r", "110", "-png", "-singlefile", in, filepath.Join(dir, "page1")).CombinedOutput()
		if err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		png, err := os.ReadFile(filepath.Join(dir, "page1.png"))
		if err != nil {
			t.Fatal(err)
		}
		t.Log("print-page1.png: the PDF's first page, rendered by pdftoppm")
		return png
	}
	t.Log("print-page1.png: no pdftoppm (apt-get install poppler-utils); a screenshot in print media emulation of the first page's height instead")
	height := width * a4HeightMM / a4WidthMM // about a page of it
	return screenshot(t, ctx, width, height, 1)
}

// phoneLayout is what checkPhone measures at phone width.
type phoneLayout struct {
	PageWidth   float64  `json:"pageWidth"`
	ScrollWidth float64  `json:"scrollWidth"`
	MinText     float64  `json:"minText"`
	SmallText   []string `json:"smallText"`
	MinPlotText float64  `json:"minPlotText"`
	SmallPlot   []string `json:"smallPlot"`
	PlotTexts   int      `json:"plotTexts"`
	Unscrolled  []string `json:"unscrolled"` // wide tables and plots with no scrolling box of their own
	Scrolling   int      `json:"scrolling"`  // wide tables and plots that scroll in their own box
}

// jsPhoneLayout measures every text element's font size, every plot
// label's size as drawn (its font size in the SVG times the SVG's scale on
// screen), and for each table and plot wider than the page's width, that
// it sits in a box of its own that scrolls and fits the page.
const jsPhoneLayout = `(() => {` + jsDescribe + `
	const W = document.documentElement.clientWidth;
	const out = {pageWidth: W, scrollWidth: document.documentElement.scrollWidth, minText: 1e9, smallText: [], minPlotText: 1e9, smallPlot: [], plotTexts: 0, unscrolled: [], scrolling: 0};
	const shown = e => e.checkVisibility() && e.getClientRects().length > 0;
	for (const e of document.body.querySelectorAll('*')) {
		if (e.closest('svg') || !shown(e)) continue;
		if (![...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '')) continue;
		const size = parseFloat(getComputedStyle(e).fontSize);
		out.minText = Math.min(out.minText, size);
		if (size < ` + "%[1]g" + `) out.smallText.push(describe(e) + ': ' + size.toFixed(1) + ' px');
	}
	for (const e of document.querySelectorAll('.plot svg text')) {
		if (!shown(e) || e.textContent.trim() === '') continue;
		const m = e.getScreenCTM(), size = parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b);
		out.plotTexts++;
		out.minPlotText = Math.min(out.minPlotText, size);
		if (size < ` + "%[1]g" + `) out.smallPlot.push(describe(e.closest('figure')) + ' "' + e.textContent.trim().slice(0, 30) + '": ' + size.toFixed(1) + ' px');
	}
	for (const e of document.querySelectorAll('table.df, .plot svg')) {
		if (!shown(e)) continue;
		const r = e.getBoundingClientRect();
		let box = e.parentElement;
		for (; box && box !== document.body; box = box.parentElement) {
			const cs = getComputedStyle(box);
			if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') break;
		}
		const clipped = box && box !== document.body ? box.getBoundingClientRect() : null;
		if (r.right <= W + 1 && r.left >= -1 && (!clipped || r.right <= clipped.right + 1)) continue;
		if (!clipped || clipped.right > W + 1 || clipped.left < -1) out.unscrolled.push(describe(e) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + ' px');
		else out.scrolling++;
	}
	return out;
})()`

// checkPhone lays the report out 390 px wide at device scale 3 with mobile
// emulation: every text is at least 10 px, so is every plot label as drawn,
// the page does not scroll sideways, and a table or plot wider than the
// screen scrolls in a box of its own.
func checkPhone(t *testing.T, ctx context.Context, br browserReport) {
	setLook(t, ctx, br.url, phoneWidth, 844, 3, true, "screen", "light")
	l := eval[phoneLayout](t, ctx, fmt.Sprintf(jsPhoneLayout, minReadable))
	t.Logf("%s at %.0f px: smallest text %.1f px, smallest plot label %.1f px (of %d), %d tables and plots scroll in their own box",
		br.name, l.PageWidth, l.MinText, l.MinPlotText, l.PlotTexts, l.Scrolling)
	if l.PageWidth != phoneWidth {
		t.Errorf("the viewport is %.0f px wide, not %d (is the viewport meta tag there?)", l.PageWidth, phoneWidth)
	}
	if l.ScrollWidth > l.PageWidth {
		t.Errorf("the page scrolls sideways: %.0f px wide on a %.0f px screen", l.ScrollWidth, l.PageWidth)
	}
	if len(l.SmallText) > 0 {
		t.Errorf("%d texts smaller than %g px, such as:\n%s", len(l.SmallText), minReadable, strings.Join(l.SmallText[:min(12, len(l.SmallText))], "\n"))
	}
	if l.PlotTexts == 0 && len(br.report.Sections) > 0 {
		t.Errorf("no plot label found to measure")
	}
	if len(l.SmallPlot) > 0 {
		t.Errorf("%d plot labels drawn smaller than %g px, such as:\n%s", len(l.SmallPlot), minReadable, strings.Join(l.SmallPlot[:min(12, len(l.SmallPlot))], "\n"))
	}
	if len(l.Unscrolled) > 0 {
		t.Errorf("%d tables or plots wider than the screen with no scrolling box of their own:\n%s", len(l.Unscrolled), strings.Join(l.Unscrolled[:min(12, len(l.Unscrolled))], "\n"))
	}
	saveArtifact(t, artifactName(br, "phone-390.png"), screenshot(t, ctx, phoneWidth, 1700, 1))
	saveArtifact(t, artifactName(br, "phone-390-plot.png"), screenshotOf(t, ctx, ".output:has(.plot)", 1))
	saveArtifact(t, artifactName(br, "phone-390-heatmap.png"), screenshotOf(t, ctx, `.output:has(figure[id$="_and_hour"])`, 1))
}

// colourLook is what checkColours measures in one colour scheme.
type colourLook struct {
	Filters     []string `json:"filters"`     // plots drawn through a colour filter
	BodyRatio   float64  `json:"bodyRatio"`   // body text against the page
	MinRatio    float64  `json:"minRatio"`    // the lowest of any text
	LowContrast []string `json:"lowContrast"` // texts under 4.5:1
	PlotColours string   `json:"plotColours"` // every plot shape's computed fill and stroke
	PlotPanel   []string `json:"plotPanel"`   // plots whose own background is not the SVG's white
}

// jsColours computes WCAG 2 contrast ratios of every text element's colour
// against the background it sits on (its own or the nearest ancestor's,
// blended when translucent), looks for filters on plots and the boxes
// around them, and lists the colours the plots' shapes are drawn in.
const jsColours = `(() => {` + jsDescribe + `
	const out = {filters: [], bodyRatio: 0, minRatio: 1e9, lowContrast: [], plotColours: '', plotPanel: []};
	const shown = e => e.checkVisibility() && e.getClientRects().length > 0;
	const rgba = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return [0, 0, 0, 0]; const v = m[1].split(/[\s,\/]+/).filter(x => x).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1] };
	const over = (top, bottom) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]) };
	const background = e => { const layers = []; for (let n = e; n; n = n.parentElement) { const c = rgba(getComputedStyle(n).backgroundColor); if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break } }
		let c = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) c = over(layers[i], c); return c };
	const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4) }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]) };
	const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05) };
	const contrast = e => { const bg = background(e); return ratio(over(rgba(getComputedStyle(e).color), bg), bg) };
	out.bodyRatio = contrast(document.body);
	for (const e of document.body.querySelectorAll('*')) {
		if (e.closest('svg') || !shown(e)) continue;
		if (![...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '')) continue;
		const r = contrast(e);
		out.minRatio = Math.min(out.minRatio, r);
		if (r < 4.5) out.lowContrast.push(describe(e) + ': ' + r.toFixed(2) + ':1 (' + getComputedStyle(e).color + ' on ' + background(e).slice(0, 3).join(',') + ')');
	}
	const colours = [];
	for (const svg of document.querySelectorAll('.plot svg')) {
		for (let n = svg; n && n !== document.documentElement; n = n.parentElement) {
			const f = getComputedStyle(n).filter;
			if (f !== 'none' && /invert|hue-rotate|grayscale|sepia|saturate/.test(f)) { out.filters.push(describe(n) + ': ' + f); break }
		}
		for (const s of svg.querySelectorAll('path, rect, line, polygon, circle, text')) { const cs = getComputedStyle(s); colours.push(cs.fill + '/' + cs.stroke) }
		const bg = background(svg);
		if (bg.slice(0, 3).join() !== '255,255,255') out.plotPanel.push(describe(svg.closest('figure')) + ' on ' + bg.slice(0, 3).join(','));
	}
	out.plotColours = colours.join(';');
	return out;
})()`

// checkColours looks at the report in the light and the dark colour
// schemes: no plot is drawn through an inverting or hue-rotating filter,
// every plot is drawn in the same colours in both (so red means 5xx and a
// darker heat-map cell more requests in both), each sits on the white
// panel its labels are drawn for, and every text has a contrast of at
// least 4.5:1 against its background (WCAG 2's AA level for body text).
func checkColours(t *testing.T, ctx context.Context, br browserReport) {
	var colours [2]string
	for i, scheme := range []string{"light", "dark"} {
		setLook(t, ctx, br.url, 1280, 900, 1, false, "screen", scheme)
		c := eval[colourLook](t, ctx, jsColours)
		t.Logf("%s, %s: body text %.2f:1, lowest text contrast %.2f:1", br.name, scheme, c.BodyRatio, c.MinRatio)
		if len(c.Filters) > 0 {
			t.Errorf("%s: plots drawn through a colour filter:\n%s", scheme, strings.Join(c.Filters[:min(12, len(c.Filters))], "\n"))
		}
		if c.BodyRatio < 4.5 {
			t.Errorf("%s: body text has a contrast of %.2f:1 against the page, under 4.5:1", scheme, c.BodyRatio)
		}
		if len(c.LowContrast) > 0 {
			t.Errorf("%s: %d texts under 4.5:1 against their background, such as:\n%s", scheme, len(c.LowContrast), strings.Join(c.LowContrast[:min(12, len(c.LowContrast))], "\n"))
		}
		if len(c.PlotPanel) > 0 {
			t.Errorf("%s: %d plots not on a white panel, such as:\n%s", scheme, len(c.PlotPanel), strings.Join(c.PlotPanel[:min(12, len(c.PlotPanel))], "\n"))
		}
		colours[i] = c.PlotColours
		// On a desktop screen the plots are drawn at least at their
		// natural size, so their labels are as large as drawn.
		if small := eval[[]string](t, ctx, `[...document.querySelectorAll('.plot svg')].filter(s => s.getBoundingClientRect().width < s.viewBox.baseVal.width * 4 / 3 - 1).map(s => s.closest('figure').id)`); len(small) > 0 {
			t.Errorf("%s, 1280 px wide: plots drawn smaller than their natural size: %v", scheme, small)
		}
		saveArtifact(t, artifactName(br, scheme+".png"), screenshot(t, ctx, 1280, 2400, 1))
		saveArtifact(t, artifactName(br, scheme+"-plot.png"), screenshotOf(t, ctx, ".output:has(.plot)", 1))
	}
	if colours[0] == "" {
		t.Errorf("no plot shapes found")
	}
	if colours[0] != colours[1] {
		t.Errorf("the plots are drawn in other colours in the dark scheme than in the light one")
	}
}
