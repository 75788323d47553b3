package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/verify"
)

// chromiumPath is Debian's Chromium, which CI installs when it can. The
// test never downloads a browser.
const chromiumPath = "/usr/bin/chromium"

// browserBadgeName is distinctive, so that finding it on the page proves
// the page shows this badge.
const browserBadgeName = "Browser Test Badge"

// TestBrowser drives a real, headless Chromium through the HTML service:
// a person uploads a baked badge and sees the card. The form and the card
// must work with JavaScript off (the pages carry none, and the
// Content-Security-Policy allows none), and the policy must not block the
// stylesheet or the inline badge image.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no browser at %s (%v): install Debian's chromium package to run the browser test", chromiumPath, err)
	}

	host := badgehost.Start(badgehost.Options{BadgeName: browserBadgeName})
	t.Cleanup(host.Close)
	client := fetch.New(fetch.Options{}) // no guard: the issuer is on loopback
	handler := New(Options{
		Verifier: verify.New(verify.Config{Client: client}),
		Fetch:    client,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Version:  "test",
	})
	var cssRequests atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/static/style.css" {
			cssRequests.Add(1)
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)

	tmp := t.TempDir()
	validPNG := writeTemp(t, tmp, "valid.png", bakedBadge(t, host, "1"))
	revokedPNG := writeTemp(t, tmp, "revoked.png", bakedBadge(t, host, badgehost.Revoked))
	artifacts := artifactDir(t)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	// Chromium's own output, shown when the browser cannot start.
	var chromeOut bytes.Buffer
	chromeMu := &sync.Mutex{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-proxy-server", true), // every page is on loopback
		chromedp.WindowSize(1024, 768),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.CombinedOutput(lockedWriter{&chromeOut, chromeMu}),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil { // starts the browser
		chromeMu.Lock()
		defer chromeMu.Unlock()
		t.Fatalf("starting %s: %v\nbrowser output:\n%s", chromiumPath, err, chromeOut.String())
	}

	// Scenarios 1 and 3: a valid badge, with JavaScript off.
	t.Run("valid badge without JavaScript", func(t *testing.T) {
		tab := newTab(t, browserCtx, false)
		tab.submitImage(ts.URL, validPNG)
		if v := tab.text("#verdict"); !strings.Contains(v, "Valid") {
			tab.failf("verdict %q, want it to say Valid", v)
		}
		if name := tab.text("#badge-name"); name != browserBadgeName {
			tab.failf("badge name %q, want %q", name, browserBadgeName)
		}
		if src := tab.attribute("#card img", "src"); !strings.HasPrefix(src, "data:image/png;base64,") {
			tab.failf("card image src %.60q, want a data:image/png;base64, URI", src)
		}
		tab.screenshot(artifacts, "browser-valid.png")

		// The raw JSON report is one click away, with no script: <details>.
		tab.do("opening the raw JSON", chromedp.Click(chromedp.CSS("#raw summary")), chromedp.WaitVisible(chromedp.CSS("#raw pre")))
		if raw := tab.text("#raw pre"); !strings.Contains(raw, `"valid": true`) {
			tab.failf("raw JSON lacks \"valid\": true:\n%s", raw)
		}
		tab.screenshot(artifacts, "browser-valid-raw.png")
	})

	// Scenario 2: a revoked badge, with JavaScript off.
	t.Run("revoked badge without JavaScript", func(t *testing.T) {
		tab := newTab(t, browserCtx, false)
		tab.submitImage(ts.URL, revokedPNG)
		if v := tab.text("#verdict"); !strings.Contains(v, "Revoked") {
			tab.failf("verdict %q, want it to say Revoked", v)
		}
		if body := tab.text("body"); !strings.Contains(body, "PROCESS_410_GONE") {
			tab.failf("the page does not mention PROCESS_410_GONE")
		}
		tab.screenshot(artifacts, "browser-revoked.png")
	})

	// Scenario 4: ?url= pre-fills the form, as in the reference.
	t.Run("url parameter fills the form", func(t *testing.T) {
		tab := newTab(t, browserCtx, false)
		want := "https://example.org/assertions/1"
		tab.do("opening the form", chromedp.Navigate(ts.URL+"/?url="+url.QueryEscape(want)), chromedp.WaitVisible(chromedp.ID("data")))
		got, err := runStep(tab.ctx, chromedp.Value(chromedp.ID("data")))
		if err != nil {
			tab.failf("reading #data: %v", err)
		}
		if got != want {
			tab.failf("#data holds %q, want %q", got, want)
		}
	})

	// The Content-Security-Policy lets the page have what it needs: in a tab
	// with JavaScript on (to ask the page), the stylesheet was loaded and
	// applied, and the inline badge image was decoded.
	t.Run("CSP allows the stylesheet and the image", func(t *testing.T) {
		tab := newTab(t, browserCtx, true)
		tab.submitImage(ts.URL, validPNG)
		ok, err := runStep(tab.ctx, chromedp.Poll[bool](`(() => {
			const card = document.querySelector('.card'), img = document.querySelector('#card img');
			return document.styleSheets.length >= 1 &&
				getComputedStyle(card).borderTopStyle === 'solid' &&
				img !== null && img.complete && img.naturalWidth > 0;
		})()`, chromedp.WithPollingTimeout(stepTimeout/2)))
		if err != nil || !ok {
			state, _ := runStep(tab.ctx, chromedp.Evaluate[string](`JSON.stringify({
				styleSheets: document.styleSheets.length,
				borderTopStyle: getComputedStyle(document.querySelector('.card')).borderTopStyle,
				imgComplete: document.querySelector('#card img')?.complete,
				imgWidth: document.querySelector('#card img')?.naturalWidth,
			})`))
			tab.failf("the stylesheet or the image was blocked or not applied (%v): %s", err, state)
		}
		if n := cssRequests.Load(); n < 1 {
			t.Errorf("the browser requested /static/style.css %d times", n)
		}
	})
}

// tab is one browser tab of TestBrowser.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// newTab opens a tab in the browser of parent, with JavaScript on or off;
// it is closed when the test ends.
func newTab(t *testing.T, parent context.Context, javaScript bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent)
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx}
	// The first run opens the tab and binds it to the context it is given,
	// so it must not be a step's: the tab would go with the step's timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	if !javaScript {
		// The override holds for every page the tab loads from now on.
		if _, err := runStep(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})); err != nil {
			t.Fatalf("turning JavaScript off: %v", err)
		}
	}
	return tb
}

// stepTimeout bounds one step, so that a page that never shows what a step
// waits for fails with the page's HTML before the test's overall deadline.
const stepTimeout = 20 * time.Second

// runStep runs one action within stepTimeout.
func runStep[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// do runs actions, failing the test with the page's HTML when one fails.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if _, err := runStep(tb.ctx, chromedp.Steps(actions...)); err != nil {
		tb.failf("%s: %v", what, err)
	}
}

// failf fails the test at once, with the body of the page the tab shows.
func (tb *tab) failf(format string, args ...any) {
	tb.t.Helper()
	tb.t.Errorf(format, args...)
	if loc, err := runStep(tb.ctx, chromedp.Location()); err == nil {
		tb.t.Logf("page: %s", loc)
	}
	if html, err := runStep(tb.ctx, chromedp.OuterHTML(chromedp.CSS("body"))); err == nil {
		tb.t.Logf("body:\n%s", html)
	} else {
		tb.t.Logf("the page's body cannot be read: %v", err)
	}
	tb.t.FailNow()
}

// submitImage opens the form at base, uploads the image file and submits,
// and waits for the result page's verdict.
func (tb *tab) submitImage(base, path string) {
	tb.t.Helper()
	tb.do("opening the form",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.SetUploadFiles(chromedp.ID("image"), []string{path}),
	)
	tb.do("submitting the form",
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("verdict")),
		chromedp.WaitReady(chromedp.ID("badge-name")),
	)
}

// text is the rendered text of the first element matching the CSS
// selector.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := runStep(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.failf("reading the text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// attribute is an attribute of the first element matching the CSS
// selector.
func (tb *tab) attribute(sel, name string) string {
	tb.t.Helper()
	res, err := runStep(tb.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		tb.failf("reading %s's %s: %v", sel, name, err)
	}
	if !res.Exists {
		tb.failf("%s has no attribute %s", sel, name)
	}
	return res.Value
}

// screenshot saves a PNG of the whole page in dir, as a test artifact.
func (tb *tab) screenshot(dir, name string) {
	tb.t.Helper()
	png, err := runStep(tb.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		tb.failf("screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		tb.failf("the screenshot is not a PNG (%d bytes)", len(png))
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// artifactDir is where screenshots go: $BADGEBAKE_ARTIFACTS when set (made
// if missing), else a directory removed after the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BADGEBAKE_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("BADGEBAKE_ARTIFACTS: %v", err)
	}
	return dir
}

func bakedBadge(t *testing.T, h *badgehost.Host, id string) []byte {
	t.Helper()
	b, err := h.Baked(id, false)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeTemp(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
