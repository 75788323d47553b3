package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/internal/testkit/examples"
)

// flakyHost answers 503 for its first failures requests, then serves the
// test issuer's documents.
type flakyHost struct {
	*httptest.Server
	failures atomic.Int32
	requests atomic.Int32
}

func newFlakyHost(t *testing.T, failures int32) (*flakyHost, *badgehost.Host) {
	good := badgehost.Start(badgehost.Options{})
	t.Cleanup(good.Close)
	f := &flakyHost{}
	f.failures.Store(failures)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		if f.failures.Add(-1) >= 0 {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, good.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(f.Close)
	return f, good
}

// A badge whose issuer answers 503 could not be checked: exit 3, the
// verdict says so, and the JSON status is indeterminate; a 404 is a
// definite answer (exit 1).
func TestVerifyIndeterminate(t *testing.T) {
	flaky, good := newFlakyHost(t, 1000)
	code, stdout, _ := run(t, "verify", flaky.URL+"/assertions/1")
	if code != ExitIndeterminate || !strings.HasPrefix(stdout, "NOT CHECKED  ") || !strings.Contains(stdout, "HTTP 503") ||
		!strings.Contains(stdout, "try again later") {
		t.Fatalf("503: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "verify", "--json", flaky.URL+"/assertions/1")
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != ExitIndeterminate || res["status"] != "indeterminate" ||
		res["report"].(map[string]any)["valid"] != false {
		t.Fatalf("503 --json: exit %d, %v\n%s", code, err, stdout)
	}
	if code, stdout, _ := run(t, "verify", good.URL+"/nothing/here"); code != ExitBad || !strings.HasPrefix(stdout, "INVALID") {
		t.Errorf("404: exit %d\n%s", code, stdout)
	}
	// A valid badge shows what it is.
	code, stdout, _ = run(t, "verify", good.AssertionURL("1"))
	for _, want := range []string{"VALID  \"Robotics\" by Example Issuer\n  " + good.AssertionURL("1") + " (Open Badges 2.0)\n", "  issuer     " + good.URL + "/issuer\n", "  recipient  email alice@example.org\n", "  issued     1 January 2024\n"} {
		if code != ExitOK || !strings.Contains(stdout, want) {
			t.Errorf("valid: exit %d, no %q in\n%s", code, want, stdout)
		}
	}
	// bake says the network failed, and exits 3.
	out := filepath.Join(t.TempDir(), "baked.png")
	code, _, stderr := run(t, "bake", filepath.Join("..", "..", "testdata", "badge.png"), flaky.URL+"/assertions/1", "-o", out)
	if code != ExitIndeterminate || !strings.Contains(stderr, "could not be verified because a document it depends on could not be fetched") ||
		!strings.Contains(stderr, "--no-verify") {
		t.Errorf("bake: exit %d\n%s", code, stderr)
	}
}

// --retry asks again, with back-off, until the badge can be checked.
func TestVerifyRetry(t *testing.T) {
	flaky, _ := newFlakyHost(t, 1)
	code, stdout, _ := run(t, "verify", "--retry", "2", flaky.URL+"/assertions/1")
	if code != ExitOK || !strings.HasPrefix(stdout, "VALID") || flaky.requests.Load() < 2 {
		t.Errorf("exit %d after %d requests\n%s", code, flaky.requests.Load(), stdout)
	}
	if code, _, stderr := run(t, "verify", "--retry", "11", flaky.URL+"/assertions/1"); code != ExitUsage || !strings.Contains(stderr, "--retry takes") {
		t.Errorf("--retry 11: exit %d: %s", code, stderr)
	}
}

// Batch: a folder whose only failure is an unchecked badge exits 3 and
// counts it; any bad file makes it exit 1; --retry fixes a passing outage.
func TestVerifyBatchIndeterminate(t *testing.T) {
	flaky, good := newFlakyHost(t, 1000)
	dir := t.TempDir()
	png := examples.PNG()
	os.WriteFile(filepath.Join(dir, "ok.png"), conformance.BakeExample(t, png, good.AssertionURL("1")), 0o644)
	os.WriteFile(filepath.Join(dir, "down.png"), conformance.BakeExample(t, png, flaky.URL+"/assertions/2"), 0o644)
	code, stdout, _ := run(t, "verify", "--json", dir)
	files, sum := parseLines(t, stdout)
	if code != ExitIndeterminate || len(files) != 2 || sum["indeterminate"] != 1.0 || sum["valid"] != 1.0 {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "verify", dir)
	if code != ExitIndeterminate || !regexp.MustCompile(`(?m)^could not be checked +1$`).MatchString(stdout) {
		t.Errorf("text: exit %d\n%s", code, stdout)
	}
	os.WriteFile(filepath.Join(dir, "bad.png"), conformance.BakeExample(t, png, good.AssertionURL(badgehost.Bad)), 0o644)
	if code, _, _ := run(t, "verify", dir); code != ExitBad {
		t.Errorf("with an invalid badge too: exit %d, want 1", code)
	}

	flaky.failures.Store(1)
	code, stdout, _ = run(t, "verify", "--json", "--retry", "1", "--exclude", "bad.png", dir)
	_, sum = parseLines(t, stdout)
	if code != ExitOK || sum["valid"] != 2.0 {
		t.Errorf("--retry 1: exit %d\n%s", code, stdout)
	}
}
