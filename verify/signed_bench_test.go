package verify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/verify"
)

// signedHost is an issuer that signs: a badge class, an issuer profile
// that lists one key and a revocation list, the key, the list (50 entries,
// none of them the assertions verified here) and the badge image. Signed
// assertions are not hosted: they are the input.
type signedHost struct {
	*httptest.Server
	total, badge, issuer, key, list, image atomic.Int64
}

func newSignedHost(tb testing.TB) *signedHost {
	h := &signedHost{}
	pemText := conformance.PublicKeyPEM(tb, "k1", "pkix")
	revoked := []any{}
	for i := range 50 {
		revoked = append(revoked, map[string]any{"id": fmt.Sprintf("urn:uuid:00000000-0000-4000-9000-%012d", i), "revocationReason": "Issued in error"})
	}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.total.Add(1)
		base := h.URL
		ctx := "https://w3id.org/openbadges/v2"
		var doc map[string]any
		switch r.URL.Path {
		case "/badge":
			h.badge.Add(1)
			doc = map[string]any{"@context": ctx, "type": "BadgeClass", "id": base + "/badge", "name": "Robotics", "description": "Built a robot.",
				"image": base + "/badge.png", "criteria": base + "/criteria", "issuer": base + "/issuer"}
		case "/issuer":
			h.issuer.Add(1)
			doc = map[string]any{"@context": ctx, "type": "Issuer", "id": base + "/issuer", "name": "Example Issuer", "url": base,
				"email": "badges@example.org", "publicKey": base + "/key", "revocationList": base + "/revocations"}
		case "/key":
			h.key.Add(1)
			doc = map[string]any{"@context": ctx, "type": "CryptographicKey", "id": base + "/key", "owner": base + "/issuer", "publicKeyPem": pemText}
		case "/revocations":
			h.list.Add(1)
			doc = map[string]any{"@context": ctx, "type": "RevocationList", "id": base + "/revocations", "revokedAssertions": revoked}
		case "/badge.png":
			h.image.Add(1)
			w.Write(examples.PNG())
			return
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

// assertionJSON is signed assertion i of the host's badge.
func (h *signedHost) assertionJSON(i int) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
		"id":        fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i),
		"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
		"badge":     h.URL + "/badge", "verification": map[string]any{"type": "SignedBadge", "creator": h.URL + "/key"},
		"issuedOn": "2024-05-01T10:00:00Z"})
	return b
}

// tokens signs n assertions of the host's badge with key k1.
func (h *signedHost) tokens(tb testing.TB, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = (&conformance.Signed{Payload: h.assertionJSON(i)}).Token(tb)
	}
	return out
}

func verifyToken(tb testing.TB, v *verify.Verifier, token string) {
	res, err := v.Verify(context.Background(), verify.Input{Data: []byte(token)}, nil)
	if err != nil || !res.Report.Valid {
		tb.Fatalf("%v %+v", err, res.Report)
	}
}

// BenchmarkVerifySigned: one signed verification (JWS, badge class,
// issuer, key, revocation list, image) against a local server, with a
// fresh client each time so nothing is cached: one signed badge from cold.
func BenchmarkVerifySigned(b *testing.B) {
	h := newSignedHost(b)
	token := h.tokens(b, 1)[0]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		verifyToken(b, verify.New(verify.Config{Client: fetch.New(fetch.Options{})}), token)
	}
	b.StopTimer()
	b.ReportMetric(float64(h.total.Load())/float64(b.N), "requests/op")
}

// BenchmarkVerifySignedShared: b.N signed assertions sharing one key,
// issuer, badge class and revocation list, through one Verifier: each
// shared document is fetched once, so this is the per-assertion cost of a
// run (signature check, compaction and validation of every node).
func BenchmarkVerifySignedShared(b *testing.B) {
	h := newSignedHost(b)
	tokens := h.tokens(b, min(b.N, 1000))
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{})})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		verifyToken(b, v, tokens[i%len(tokens)])
	}
	b.StopTimer()
	if h.key.Load() != 1 || h.issuer.Load() != 1 || h.list.Load() != 1 || h.badge.Load() != 1 {
		b.Fatalf("key/issuer/list/badge fetched %d/%d/%d/%d times, want once", h.key.Load(), h.issuer.Load(), h.list.Load(), h.badge.Load())
	}
	b.ReportMetric(float64(h.total.Load())/float64(b.N), "requests/op")
}

// TestSignedSharedNodesFetchedOnce: 1,000 signed assertions sharing one
// key, issuer, badge class and revocation list cost one request for each
// of those and the image, and none for the assertions, which are the input.
func TestSignedSharedNodesFetchedOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 signatures skipped in -short mode")
	}
	h := newSignedHost(t)
	const n = 1000
	tokens := h.tokens(t, n)
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{})})
	start := time.Now()
	for _, tok := range tokens {
		verifyToken(t, v, tok)
	}
	t.Logf("%d signed assertions verified in %v (%v each)", n, time.Since(start), time.Since(start)/n)
	if got := h.total.Load(); got != 5 {
		t.Fatalf("%d requests for %d signed assertions, want 5 (badge class, issuer, key, revocation list, image once each)", got, n)
	}
}
