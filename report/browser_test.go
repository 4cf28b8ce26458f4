package report

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
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

// TestBrowserLooks keeps screenshots of the report of the samples in the
// light and dark colour schemes and as printed, for people to look at, and
// checks that the plots are drawn at a readable size.
func TestBrowserLooks(t *testing.T) {
	ctx := browser(t)
	inputs := "../samples"
	if _, err := os.Stat(inputs); err != nil {
		t.Skip("no samples")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "samples.html")
	if err := WriteFileAtomic(path, mustHTML(t, readReport(t, ingest.Options{}, inputs))); err != nil {
		t.Fatal(err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: path}).String()
	for _, look := range []struct {
		name  string
		media string
		dark  bool
	}{{"light", "screen", false}, {"dark", "screen", true}, {"print", "print", false}} {
		scheme := "light"
		if look.dark {
			scheme = "dark"
		}
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: look.media,
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		if err == nil {
			err = chromedp.Do(ctx, chromedp.Navigate(pageURL), chromedp.WaitReady(chromedp.CSS("footer")))
		}
		if err != nil {
			t.Fatalf("%s: %v", look.name, err)
		}
		plotWidth := eval[float64](t, ctx, `(() => { const s = document.querySelector('.plot svg'); return s ? s.getBoundingClientRect().width : 0 })()`)
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
		if err != nil {
			t.Fatalf("%s: %v", look.name, err)
		}
		if plotWidth != 0 && plotWidth < 500 {
			t.Errorf("%s: the first plot is drawn %.0f px wide; its labels would be too small", look.name, plotWidth)
		}
		saveArtifact(t, "samples-report-"+look.name+".jpg", shot)
	}
}

func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	p := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}
