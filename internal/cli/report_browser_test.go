package cli

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// chromium runs headless Chromium on url with extra arguments (a fresh
// profile, no network beyond what the page loads) and returns its stdout.
func chromium(t *testing.T, target string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=2000"}
	cmd := exec.CommandContext(ctx, chromiumPath, append(append(base, args...), target)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

var (
	domRow  = regexp.MustCompile(`(?s)<tr id="row-\d+" class="([^"]*)"[^>]*>(.*?)</tr>`)
	domFile = regexp.MustCompile(`<div class="file">([^<]*)</div>`)
)

// visibleRows splits the rows of a dumped report into visible and hidden
// files (paths relative to dir, sorted).
func visibleRows(t *testing.T, dom, dir string) (visible, hidden []string) {
	t.Helper()
	for _, m := range domRow.FindAllStringSubmatch(dom, -1) {
		f := domFile.FindStringSubmatch(m[2])
		if f == nil {
			t.Fatalf("a row without a file: %s", m[0])
		}
		rel, err := filepath.Rel(dir, html.UnescapeString(f[1]))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(" "+m[1]+" ", " hidden ") {
			hidden = append(hidden, filepath.ToSlash(rel))
		} else {
			visible = append(visible, filepath.ToSlash(rel))
		}
	}
	sort.Strings(visible)
	sort.Strings(hidden)
	return visible, hidden
}

// TestVerifyReportInBrowser writes the HTML report of a mixed folder and
// loads it in headless Chromium: with the failures filter on (?failures)
// exactly the failing files stay visible; without it every row is.
func TestVerifyReportInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless Chromium not installed (%s: %v); install the Debian package chromium to run this test", chromiumPath, err)
	}
	h := newBatchHost(t)
	dir, want := batchFolder(t, h)
	out := filepath.Join(t.TempDir(), "report.html")
	code, stdout, stderr := run(t, "verify", "--report", out, dir)
	if code != ExitBad {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var wantFailing, wantValid []string
	for rel, status := range want {
		if status == "valid" {
			wantValid = append(wantValid, rel)
		} else {
			wantFailing = append(wantFailing, rel)
		}
	}
	sort.Strings(wantFailing)
	sort.Strings(wantValid)

	page := url.URL{Scheme: "file", Path: out}
	filtered := page
	filtered.RawQuery = "failures"

	dom := chromium(t, filtered.String(), "--dump-dom")
	visible, hidden := visibleRows(t, dom, dir)
	if fmt.Sprint(visible) != fmt.Sprint(wantFailing) || fmt.Sprint(hidden) != fmt.Sprint(wantValid) {
		t.Errorf("?failures:\n visible %v\n    want %v\n  hidden %v\n    want %v", visible, wantFailing, hidden, wantValid)
	}
	if !regexp.MustCompile(`<input type="checkbox" id="failures-only"[^>]*>`).MatchString(dom) {
		t.Error("no failures checkbox in the DOM")
	}
	// The thumbnails are data: images (PNG and SVG), and the names come
	// from the graph.
	for _, s := range []string{`src="data:image/png;base64,`, `src="data:image/svg+xml;base64,`, "Robotics", "Example Issuer", "PROCESS_410_GONE", ">revoked<", ">no badge<", ">unreadable<"} {
		if !strings.Contains(dom, s) {
			t.Errorf("the DOM lacks %s", s)
		}
	}

	// Without the filter every file is visible.
	visible, hidden = visibleRows(t, chromium(t, page.String(), "--dump-dom"), dir)
	if len(visible) != len(want) || len(hidden) != 0 {
		t.Errorf("unfiltered: visible %v, hidden %v", visible, hidden)
	}

	// A screenshot of the filtered report, kept as a test artifact in
	// $BADGEBAKE_ARTIFACTS (CI sets it).
	artifacts := os.Getenv("BADGEBAKE_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatalf("BADGEBAKE_ARTIFACTS: %v", err)
	}
	shot := filepath.Join(artifacts, "report-failures.png")
	chromium(t, filtered.String(), "--screenshot="+shot, "--window-size=1200,1400", "--hide-scrollbars")
	b, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("no PNG screenshot at %s: %v", shot, err)
	}
	t.Logf("screenshot of the filtered report: %s (%d bytes)", shot, len(b))
}
