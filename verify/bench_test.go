package verify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/verify"
)

// issuerHost serves many assertions that share one BadgeClass and Issuer,
// counting requests per path.
type issuerHost struct {
	*httptest.Server
	requests requestCounts
}

type requestCounts struct {
	total, badge, issuer, image atomic.Int64
}

func newIssuerHost(tb testing.TB) *issuerHost {
	h := &issuerHost{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.total.Add(1)
		base := h.URL
		var doc map[string]any
		switch {
		case r.URL.Path == "/badge":
			h.requests.badge.Add(1)
			doc = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": base + "/badge",
				"name": "Robotics", "description": "Built a robot.", "image": base + "/badge.png", "criteria": base + "/criteria", "issuer": base + "/issuer"}
		case r.URL.Path == "/issuer":
			h.requests.issuer.Add(1)
			doc = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": base + "/issuer",
				"name": "Example Issuer", "url": base, "email": "badges@example.org"}
		case r.URL.Path == "/badge.png":
			h.requests.image.Add(1)
			w.Write(examples.PNG())
			return
		case strings.HasPrefix(r.URL.Path, "/assertions/"):
			doc = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": base + r.URL.Path,
				"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
				"badge":     base + "/badge", "verification": map[string]any{"type": "hosted"}, "issuedOn": "2024-05-01T10:00:00Z"}
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/ld+json")
		json.NewEncoder(w).Encode(doc)
	}))
	tb.Cleanup(h.Close)
	return h
}

// BenchmarkVerifyHosted: one hosted verification (assertion, badge class,
// issuer, image) against a local server, with a fresh client each time so
// nothing is cached: the cost of verifying one badge from cold.
func BenchmarkVerifyHosted(b *testing.B) {
	h := newIssuerHost(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		v := verify.New(verify.Config{Client: fetch.New(fetch.Options{})})
		res, err := v.Verify(context.Background(), verify.Input{Data: []byte(h.URL + "/assertions/1")}, nil)
		if err != nil || !res.Report.Valid {
			b.Fatalf("%v %+v", err, res.Report)
		}
	}
}

// BenchmarkVerifySharedIssuer: b.N different assertions that share one
// BadgeClass and Issuer, through one Verifier (one client and cache): the
// shared nodes are fetched once, so this is the per-assertion cost of a
// run.
func BenchmarkVerifySharedIssuer(b *testing.B) {
	h := newIssuerHost(b)
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{})})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := v.Verify(context.Background(), verify.Input{Data: []byte(fmt.Sprintf("%s/assertions/%d", h.URL, i))}, nil)
		if err != nil || !res.Report.Valid {
			b.Fatalf("%v %+v", err, res.Report)
		}
	}
	b.StopTimer()
	if h.requests.badge.Load() != 1 || h.requests.issuer.Load() != 1 || h.requests.image.Load() != 1 {
		b.Fatalf("shared nodes fetched %d/%d/%d times, want once", h.requests.badge.Load(), h.requests.issuer.Load(), h.requests.image.Load())
	}
	b.ReportMetric(float64(h.requests.total.Load())/float64(b.N), "requests/op")
}

// TestSharedNodesFetchedOnce: 1,000 assertions sharing one BadgeClass and
// Issuer cost 1,000 assertion requests plus one each for the shared nodes.
func TestSharedNodesFetchedOnce(t *testing.T) {
	h := newIssuerHost(t)
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{})})
	const n = 1000
	for i := 0; i < n; i++ {
		res, err := v.Verify(context.Background(), verify.Input{Data: []byte(fmt.Sprintf("%s/assertions/%d", h.URL, i))}, nil)
		if err != nil || !res.Report.Valid {
			t.Fatalf("assertion %d: %v %+v", i, err, res.Report)
		}
	}
	if got := h.requests.total.Load(); got != n+3 {
		t.Fatalf("%d requests for %d assertions, want %d (badge class, issuer and image once)", got, n, n+3)
	}
}
