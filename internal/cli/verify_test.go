package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgebake/badgebake/internal/testkit/examples"
)

// badgeHost serves a hosted OB 2.0 badge on loopback: assertion, badge
// class, issuer and image. revoked makes the assertion answer 410.
type badgeHost struct {
	*httptest.Server
	requests atomic.Int64
	revoked  atomic.Bool
}

func newBadgeHost(t *testing.T) *badgeHost {
	h := &badgeHost{}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *badgeHost) assertionURL() string { return h.URL + "/assertions/1" }

func (h *badgeHost) serve(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	base := h.URL
	docs := map[string]map[string]any{
		"/assertions/1": {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": base + "/assertions/1",
			"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
			"badge":     base + "/badges/robotics", "verification": map[string]any{"type": "hosted"},
			"issuedOn": "2024-01-01T00:00:00Z"},
		"/badges/robotics": {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": base + "/badges/robotics",
			"name": "Robotics", "description": "Built a robot.", "image": base + "/badges/robotics.png",
			"criteria": base + "/badges/robotics.html", "issuer": base + "/issuer"},
		"/issuer": {"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": base + "/issuer",
			"name": "Example Issuer", "url": base, "email": "badges@example.org"},
	}
	switch {
	case r.URL.Path == "/badges/robotics.png":
		w.Header().Set("Content-Type", "image/png")
		w.Write(examples.PNG())
	case r.URL.Path == "/assertions/1" && h.revoked.Load():
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, `{"revoked": true, "revocationReason": "issued by mistake"}`)
	case docs[r.URL.Path] != nil:
		w.Header().Set("Content-Type", "application/ld+json")
		json.NewEncoder(w).Encode(docs[r.URL.Path])
	default:
		http.NotFound(w, r)
	}
}

func TestVerifyCommand(t *testing.T) {
	h := newBadgeHost(t)
	code, stdout, stderr := run(t, "verify", h.assertionURL())
	if code != ExitOK || !strings.HasPrefix(stdout, "VALID  \"") || !strings.Contains(stdout, "\n  "+h.assertionURL()+" (Open Badges 2.0)\n") || stderr != "" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	code, stdout, _ = run(t, "verify", "--json", "--recipient", `{"email": "alice@example.org"}`, h.assertionURL())
	var res struct {
		Report map[string]any   `json:"report"`
		Input  map[string]any   `json:"input"`
		Graph  []map[string]any `json:"graph"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != ExitOK {
		t.Fatalf("exit %d, %v: %s", code, err, stdout)
	}
	if res.Report["valid"] != true || len(res.Graph) != 4 || res.Input["input_type"] != "url" ||
		fmt.Sprint(res.Report["recipientProfile"]) != "map[email:alice@example.org]" {
		t.Fatalf("report: %s", stdout)
	}

	// A baked image file verifies through its assertion URL.
	dir := t.TempDir()
	baked := filepath.Join(dir, "baked.png")
	if code, _, stderr := run(t, "bake", filepath.Join("..", "..", "testdata", "badge.png"), h.assertionURL(), "-o", baked); code != ExitOK ||
		!strings.Contains(stderr, "\nverified: valid; baked Open Badges 2.0 hosted URL into PNG: ") || !strings.HasSuffix(stderr, ", written to "+baked+"\n") {
		t.Fatalf("bake with verification: exit %d: %s", code, stderr)
	}
	if code, stdout, _ := run(t, "verify", baked); code != ExitOK || !strings.HasPrefix(stdout, "VALID") {
		t.Fatalf("verify baked.png: exit %d: %s", code, stdout)
	}

	// Revoked: exit 1, and bake refuses it, writing nothing.
	h.revoked.Store(true)
	code, stdout, _ = run(t, "verify", h.assertionURL())
	if code != ExitBad || !strings.HasPrefix(stdout, "REVOKED") || !strings.Contains(stdout, "is revoked: its host answers 410 Gone: issued by mistake") {
		t.Fatalf("revoked: exit %d: %s", code, stdout)
	}
	out := filepath.Join(dir, "refused.png")
	code, _, stderr = run(t, "bake", filepath.Join("..", "..", "testdata", "badge.png"), h.assertionURL(), "-o", out)
	if code != ExitBad || !strings.Contains(stderr, "payload refused: the verifier found 1 error(s): PROCESS_410_GONE") {
		t.Fatalf("bake of a revoked badge: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a refused bake left a file")
	}
}

func TestVerifyInputErrors(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.png")
	os.WriteFile(plain, examples.PNG(), 0o644)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify"}, ExitUsage, "verify needs an INPUT"},
		{[]string{"verify", "a", "b"}, ExitUsage, "no such file"},
		{[]string{"verify", "--data", "x", "y"}, ExitUsage, "either INPUT or --data"},
		{[]string{"verify", "nothere.png"}, ExitUsage, "no such file"},
		{[]string{"verify", `{"a":1}`}, ExitUsage, "use --data"},
		{[]string{"verify", "--recipient", "alice", "--data", "x"}, ExitUsage, "--recipient is not a JSON object"},
		{[]string{"verify", plain}, ExitBad, "DETECT_INPUT_TYPE\n          no Open Badges data in image"},
		{[]string{"verify", "--data", "hello world"}, ExitBad, "DETECT_INPUT_TYPE"},
		{[]string{"verify", "--offline", "https://example.org/assertions/1"}, ExitIndeterminate, "offline"},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("%q: exit %d, want %d with %q\nstdout %s\nstderr %s", tt.args, code, tt.code, tt.want, stdout, stderr)
		}
	}
}

// TestVerifyCacheDir: a second run with the same --cache-dir sends no
// request, --offline is answered from it, and an expired entry is fetched
// again.
func TestVerifyCacheDir(t *testing.T) {
	h := newBadgeHost(t)
	cache := t.TempDir()
	if code, stdout, stderr := run(t, "verify", "--cache-dir", cache, h.assertionURL()); code != ExitOK {
		t.Fatalf("first run: exit %d: %s%s", code, stdout, stderr)
	}
	first := h.requests.Load()
	if first != 4 {
		t.Fatalf("first run: %d requests, want 4", first)
	}
	for _, args := range [][]string{
		{"verify", "--cache-dir", cache, h.assertionURL()},
		{"verify", "--offline", "--cache-dir", cache, h.assertionURL()},
	} {
		if code, stdout, stderr := run(t, args...); code != ExitOK || !strings.HasPrefix(stdout, "VALID") {
			t.Fatalf("%v: exit %d: %s%s", args, code, stdout, stderr)
		}
	}
	if got := h.requests.Load(); got != first {
		t.Fatalf("runs from the cache sent %d requests", got-first)
	}
	// Without the cache, offline fails.
	if code, _, _ := run(t, "verify", "--offline", h.assertionURL()); code == ExitOK {
		t.Fatal("offline without a cache verified")
	}
	// A tiny TTL: everything is fetched again.
	time.Sleep(5 * time.Millisecond)
	if code, _, stderr := run(t, "verify", "--cache-dir", cache, "--cache-ttl", "1ms", h.assertionURL()); code != ExitOK {
		t.Fatalf("expired: exit %d: %s", code, stderr)
	}
	if got := h.requests.Load(); got != 2*first {
		t.Fatalf("expired run: %d requests, want %d", got-first, first)
	}
	if code, _, stderr := run(t, "verify", "--cache-ttl", "0s", h.assertionURL()); code != ExitUsage || !strings.Contains(stderr, "--cache-ttl") {
		t.Fatalf("--cache-ttl 0: exit %d: %s", code, stderr)
	}
}

// TestVerifyDenyPrivate: --deny-private (or BADGEBAKE_DENY_PRIVATE) refuses
// a badge on a loopback address before anything is sent, says who asked for
// that, and leaves the default (fetch anything) alone.
func TestVerifyDenyPrivate(t *testing.T) {
	h := newBadgeHost(t)
	refused := "refused to connect to 127.0.0.1 (loopback address): --deny-private told badgebake not to fetch from loopback, private, link-local"
	code, stdout, stderr := run(t, "verify", "--deny-private", h.assertionURL())
	if code != ExitBad || !strings.HasPrefix(stdout, "INVALID") || !strings.Contains(stdout, "ERROR   FETCH_HTTP_NODE") ||
		!strings.Contains(stdout, refused) || !strings.Contains(stdout, "(leave out --deny-private to fetch them, or open a range with --allow-net CIDR)") {
		t.Fatalf("--deny-private: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	// The tests run with HTTP_PROXY set: the user is told the proxy resolves names.
	if !strings.Contains(stderr, "badgebake: warning: --deny-private: a proxy is set") {
		t.Errorf("no proxy warning: %q", stderr)
	}
	if n := h.requests.Load(); n != 0 {
		t.Fatalf("the refused host got %d requests", n)
	}

	// Without the flag, the same badge verifies.
	if code, stdout, _ := run(t, "verify", h.assertionURL()); code != ExitOK || !strings.HasPrefix(stdout, "VALID") {
		t.Fatalf("without --deny-private: exit %d: %s", code, stdout)
	}
	// An allowed range lets it through.
	if code, stdout, stderr := run(t, "verify", "--deny-private", "--allow-net", "127.0.0.0/8", h.assertionURL()); code != ExitOK {
		t.Fatalf("--allow-net 127.0.0.0/8: exit %d: %s%s", code, stdout, stderr)
	}
	before := h.requests.Load()

	// bake's verification is refused the same way; nothing is written.
	out := filepath.Join(t.TempDir(), "baked.png")
	code, _, stderr = run(t, "bake", "--deny-private", filepath.Join("..", "..", "testdata", "badge.png"), h.assertionURL(), "-o", out)
	if code != ExitBad || !strings.Contains(stderr, "payload refused") || !strings.Contains(stderr, refused) {
		t.Fatalf("bake --deny-private: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a refused bake left a file")
	}

	// The environment variable, and the flag overriding it.
	t.Setenv("BADGEBAKE_DENY_PRIVATE", "1")
	code, stdout, _ = run(t, "verify", h.assertionURL())
	if code != ExitBad || !strings.Contains(stdout, "refused to connect to 127.0.0.1 (loopback address): BADGEBAKE_DENY_PRIVATE told badgebake") ||
		!strings.Contains(stdout, "unset BADGEBAKE_DENY_PRIVATE or pass --deny-private=false to fetch them") {
		t.Fatalf("BADGEBAKE_DENY_PRIVATE=1: exit %d: %s", code, stdout)
	}
	if n := h.requests.Load(); n != before {
		t.Fatalf("refused runs sent %d requests", n-before)
	}
	if code, stdout, _ := run(t, "verify", "--deny-private=false", h.assertionURL()); code != ExitOK {
		t.Fatalf("--deny-private=false over the variable: exit %d: %s", code, stdout)
	}
	for _, v := range []string{"TRUE", "yes", "on"} {
		t.Setenv("BADGEBAKE_DENY_PRIVATE", v)
		if code, _, _ := run(t, "verify", h.assertionURL()); code != ExitBad {
			t.Errorf("BADGEBAKE_DENY_PRIVATE=%s: exit %d, want 1", v, code)
		}
	}
	for _, v := range []string{"0", "false", "off", ""} {
		t.Setenv("BADGEBAKE_DENY_PRIVATE", v)
		if code, _, _ := run(t, "verify", h.assertionURL()); code != ExitOK {
			t.Errorf("BADGEBAKE_DENY_PRIVATE=%q: exit %d, want 0", v, code)
		}
	}

	// Usage errors: exit 2.
	for _, tt := range []struct {
		env  string
		args []string
		want string
	}{
		{"maybe", []string{"verify", h.assertionURL()}, `BADGEBAKE_DENY_PRIVATE="maybe" is not a yes or no: use 1, true, yes or on`},
		{"maybe", []string{"bake", "--no-verify=false", filepath.Join("..", "..", "testdata", "badge.png"), h.assertionURL(), "-o", out}, `BADGEBAKE_DENY_PRIVATE="maybe"`},
		{"", []string{"verify", "--allow-net", "10.0.0.0/8", h.assertionURL()}, "without --deny-private (or BADGEBAKE_DENY_PRIVATE=1) every address is fetched already"},
		{"", []string{"verify", "--deny-private", "--allow-net", "10.0.0.0/33", h.assertionURL()}, `--allow-net "10.0.0.0/33" is not an address range`},
		{"", []string{"verify", "--deny-private=maybe", h.assertionURL()}, `"maybe" is not true or false`},
	} {
		t.Setenv("BADGEBAKE_DENY_PRIVATE", tt.env)
		code, stdout, stderr := run(t, tt.args...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s %q: exit %d, want 2 with %q\n%s%s", tt.env, tt.args, code, tt.want, stdout, stderr)
		}
	}
}

// TestVerifyTooDeepJSON: JSON nested 20,000 levels deep, hosted or given
// directly, is reported as nested too deep, not as "not JSON".
func TestVerifyTooDeepJSON(t *testing.T) {
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/ld+json")
		if r.URL.Path == "/assertions/own-context" {
			// A document whose JSON-LD context (not one built in) is the deep one.
			fmt.Fprintf(w, `{"@context": "%s/context", "type": "Assertion", "id": "%s/assertions/own-context"}`, srv.URL, srv.URL)
			return
		}
		fmt.Fprint(w, deep)
	}))
	t.Cleanup(srv.Close)
	url := srv.URL + "/assertions/deep"
	code, stdout, stderr := run(t, "verify", url)
	want := "Response from " + url + " is JSON nested more than 1000 levels deep (at byte 1001; no badge needs that many): not read"
	if code != ExitBad || !strings.Contains(stdout, "ERROR   FETCH_HTTP_NODE") || !strings.Contains(stdout, want) || strings.Contains(stdout, "not JSON") {
		t.Errorf("hosted: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	code, stdout, stderr = run(t, "verify", srv.URL+"/assertions/own-context")
	want = "Could not load the JSON-LD context " + srv.URL + "/context named in Assertion " + srv.URL + "/assertions/own-context: " +
		"the response is JSON nested more than 1000 levels deep (at byte 1001; no badge needs that many)"
	if code != ExitBad || !strings.Contains(stdout, want) {
		t.Errorf("a context nested too deep: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	object := `{"@context": "https://w3id.org/openbadges/v2", "a": ` + deep + `}`
	file := filepath.Join(t.TempDir(), "deep.json")
	os.WriteFile(file, []byte(object), 0o644)
	arrayFile := filepath.Join(t.TempDir(), "deep-array.json")
	os.WriteFile(arrayFile, []byte(deep), 0o644)
	for _, args := range [][]string{{"verify", "--data", object}, {"verify", file}, {"verify", arrayFile}} {
		code, stdout, stderr := run(t, args...)
		if code != ExitBad || !strings.Contains(stdout, "DETECT_INPUT_TYPE") ||
			!strings.Contains(stdout, "Could not tell what the input is: ") || !strings.Contains(stdout, "the payload is JSON nested more than 1000 levels deep (at byte ") {
			t.Errorf("%.40q: exit %d\nstdout %.2000s\nstderr %s", args, code, stdout, stderr)
		}
	}

	// bake refuses such a payload, and --recipient such a profile.
	out := filepath.Join(t.TempDir(), "baked.png")
	code, _, stderr = run(t, "bake", "--no-verify", filepath.Join("..", "..", "testdata", "badge.png"), "@"+file, "-o", out)
	if code != ExitBad || !strings.Contains(stderr, "the payload is JSON nested more than 1000 levels deep") {
		t.Errorf("bake: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, "verify", "--recipient", `{"email": `+deep+`}`, url)
	if code != ExitUsage || !strings.Contains(stderr, "--recipient is not a JSON object (JSON nested more than 1000 levels deep") {
		t.Errorf("--recipient: exit %d: %s", code, stderr)
	}
}

// TestVerifyColorTerminal: with --color auto, the verdict is coloured when
// standard output is a terminal, and not when NO_COLOR is set and not
// empty (https://no-color.org); an empty NO_COLOR changes nothing.
func TestVerifyColorTerminal(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "assertion.json")
	for _, tc := range []struct {
		noColor string
		want    bool
	}{{"", true}, {"1", false}} {
		t.Setenv("NO_COLOR", tc.noColor)
		var out, errOut bytes.Buffer
		code := Main([]string{"verify", "--offline", file}, IO{In: strings.NewReader(""), Out: &out, Err: &errOut, OutIsTerminal: true})
		if code != ExitIndeterminate {
			t.Fatalf("NO_COLOR=%q: exit %d, stderr %q", tc.noColor, code, errOut.String())
		}
		if got := strings.HasPrefix(out.String(), "\x1b[1;33mNOT CHECKED\x1b[0m  "); got != tc.want {
			t.Errorf("NO_COLOR=%q: coloured %v, want %v:\n%q", tc.noColor, got, tc.want, out.String())
		}
	}
}
