package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/verify"
)

// hosts is a Resolver with fixed answers.
type hosts map[string][]netip.Addr

func (h hosts) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := h[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// guardedFixture is a server as badgebake serve runs it by default: the
// fetch guard on. The issuer it is pointed at lives on 127.0.0.1, a private
// address as far as the guard is concerned; 127.0.0.2 plays a public host.
func guardedFixture(t *testing.T) (*fixture, *httptest.Server, *atomic.Int32) {
	t.Helper()
	f := newFixture(t, badgehost.Options{}, Options{})
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2 (needed to play a public host): %v", err)
	}
	var publicHits atomic.Int32
	public := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		publicHits.Add(1)
		if r.URL.Path == "/inside" {
			// A public assertion whose badge class lives inside.
			w.Header().Set("Content-Type", "application/ld+json")
			fmt.Fprintf(w, `{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "http://%s/inside",
				"recipient": {"type": "email", "hashed": false, "identity": "alice@example.org"},
				"badge": "http://intranet.example/badge", "verification": {"type": "hosted"}, "issuedOn": "2024-01-01T00:00:00Z"}`, r.Host)
			return
		}
		// A public-looking badge URL that redirects into the private network.
		http.Redirect(w, r, f.host.AssertionURL("1"), http.StatusFound)
	})}}
	public.Start()
	t.Cleanup(public.Close)
	guard := &fetch.Guard{
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
		Resolver: hosts{
			"badges.internal.example": {netip.MustParseAddr("127.0.0.1")},
			"intranet.example":        {netip.MustParseAddr("10.0.0.7")},
			"public.example":          {netip.MustParseAddr("127.0.0.2")},
		},
		Hint: "the operator can allow them with --allow-private or --allow-net",
	}
	client := fetch.New(fetch.Options{Guard: guard})
	f.client = client
	f.srv = New(Options{Verifier: verify.New(verify.Config{Client: client}), Fetch: client, Logger: f.srv.opts.Logger, Version: "test"})
	return f, public, &publicHits
}

// Verification never fetches from a private address a stranger names:
// each attempt is refused with a clear message, and the target gets
// nothing.
func TestSSRFRefused(t *testing.T) {
	f, public, publicHits := guardedFixture(t)
	port := f.host.Listener.Addr().(*net.TCPAddr).Port
	_, publicPort, _ := net.SplitHostPort(public.Listener.Addr().String())
	for _, c := range []struct {
		name, data string
		want       string
	}{
		{"loopback address", f.host.AssertionURL("1"), "refused to connect to 127.0.0.1 (loopback address)"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "refused to connect to 169.254.169.254 (link-local cloud metadata address)"},
		{"name resolving to loopback", "http://badges.internal.example:" + itoa(port) + "/assertions/1", `refused to connect to 127.0.0.1 (loopback address) for host "badges.internal.example"`},
		{"name resolving to a private address", "http://intranet.example/assertions/1", `refused to connect to 10.0.0.7 (private address) for host "intranet.example"`},
		{"public URL redirecting to a private one", "http://public.example:" + publicPort + "/assertions/1", "after redirect to " + f.host.AssertionURL("1")},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, _ := json.Marshal(map[string]string{"data": c.data})
			rec := f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(b))
			if rec.Code != 200 || rec.Header().Get("Badgebake-Verdict") != "invalid" {
				t.Fatalf("status %d, verdict %q", rec.Code, rec.Header().Get("Badgebake-Verdict"))
			}
			msg := firstError(t, rec.Body.Bytes())
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, "--allow-private") {
				t.Errorf("message %q\nwant it to contain %q and the hint", msg, c.want)
			}
		})
	}
	if n := f.host.Total(); n != 0 {
		t.Errorf("the private issuer got %d requests", n)
	}
	if n := publicHits.Load(); n != 1 {
		t.Errorf("the public host got %d requests, want 1 (the redirect)", n)
	}
	if st := f.client.Stats(); st.Blocked != 5 {
		t.Errorf("Stats.Blocked = %d, want 5", st.Blocked)
	}
	if got := metricValue(t, f, "badgebake_fetch_blocked_total"); got != 5 {
		t.Errorf("badgebake_fetch_blocked_total = %v, want 5", got)
	}
}

// The guard covers every fetch of a verification, not only the first: a
// baked image pointing inside, and assertion JSON whose badge class lives
// inside.
func TestSSRFRefusedInsideBadges(t *testing.T) {
	f, public, _ := guardedFixture(t)
	ct, body := multipartBody(t, nil, "badge.png", f.baked("1", false))
	rec := f.do("POST", "/results", ct, acceptJSON, body)
	if msg := firstError(t, rec.Body.Bytes()); !strings.Contains(msg, "refused to connect to 127.0.0.1") {
		t.Errorf("baked image: %q", msg)
	}
	_, publicPort, _ := net.SplitHostPort(public.Listener.Addr().String())
	b, _ := json.Marshal(map[string]string{"data": "http://public.example:" + publicPort + "/inside"})
	rec = f.do("POST", "/results", "application/json", acceptJSON, bytes.NewReader(b))
	if body := rec.Body.String(); !strings.Contains(body, "refused to connect to 10.0.0.7") {
		t.Errorf("badge class inside: %s", body)
	}
	if n := f.host.Total(); n != 0 {
		t.Errorf("the private issuer got %d requests", n)
	}
}

func firstError(t *testing.T, body []byte) string {
	t.Helper()
	var res struct {
		Report struct {
			Messages []struct {
				Result       string `json:"result"`
				MessageLevel string `json:"messageLevel"`
			} `json:"messages"`
		} `json:"report"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("not a report: %v\n%s", err, body)
	}
	for _, m := range res.Report.Messages {
		if m.MessageLevel == "ERROR" {
			return m.Result
		}
	}
	t.Fatalf("no ERROR in %s", body)
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
