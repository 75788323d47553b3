package ob2_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify/ob2"
)

const (
	signedAssertionID = "urn:uuid:bf8d3c3d-fe60-487c-87a3-06440d0d0163"
	signedIssuerURL   = "https://example.org/issuer"
	signedKeyURL      = "https://example.org/key1"
)

// signedSite serves an issuer's documents for signed-assertion tests.
type signedSite map[string]any // URL → JSON document, or []byte

func (s signedSite) RoundTrip(req *http.Request) (*http.Response, error) {
	doc, ok := s[req.URL.String()]
	status, ct := http.StatusOK, "application/ld+json"
	var body []byte
	switch d := doc.(type) {
	case []byte:
		body, ct = d, "image/png"
	default:
		body, _ = json.Marshal(d)
	}
	if !ok {
		status, ct, body = http.StatusNotFound, "text/plain", []byte("not found")
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: req}, nil
}

// newSignedSite serves a badge class, an issuer listing key1, key1 (test
// key k1) and the badge image.
func newSignedSite(t testing.TB) signedSite {
	ctx := "https://w3id.org/openbadges/v2"
	return signedSite{
		"https://example.org/badge": map[string]any{"@context": ctx, "type": "BadgeClass", "id": "https://example.org/badge",
			"name": "Robotics", "description": "Built a robot.", "image": "https://example.org/badge.png",
			"criteria": "https://example.org/criteria", "issuer": signedIssuerURL},
		signedIssuerURL: map[string]any{"@context": ctx, "type": "Issuer", "id": signedIssuerURL, "name": "Example Issuer",
			"url": "https://example.org", "email": "badges@example.org", "publicKey": signedKeyURL},
		signedKeyURL: map[string]any{"@context": ctx, "type": "CryptographicKey", "id": signedKeyURL, "owner": signedIssuerURL,
			"publicKeyPem": conformance.PublicKeyPEM(t, "k1", "pkix")},
		"https://example.org/badge.png": examples.PNG(),
	}
}

func signedPayload(changes map[string]any) json.RawMessage {
	a := map[string]any{
		"@context":     "https://w3id.org/openbadges/v2",
		"type":         "Assertion",
		"id":           signedAssertionID,
		"recipient":    map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
		"badge":        "https://example.org/badge",
		"verification": map[string]any{"type": "SignedBadge", "creator": signedKeyURL},
		"issuedOn":     "2024-05-01T10:00:00Z",
	}
	for k, v := range changes {
		if v == nil {
			delete(a, k)
		} else {
			a[k] = v
		}
	}
	b, _ := json.Marshal(a)
	return b
}

func verifySigned(t testing.TB, site signedSite, token string) *report.Result {
	t.Helper()
	v := ob2.New(ob2.Options{Client: fetch.New(fetch.Options{Transport: site}),
		Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }})
	return v.VerifyJWS(context.Background(), token, nil)
}

// expectSigned checks validity and the (name, level) pairs of the ERROR and
// WARNING messages, and that each listed phrase appears in some message.
func expectSigned(t *testing.T, res *report.Result, valid bool, names []string, phrases ...string) {
	t.Helper()
	var got []string
	all := ""
	for _, m := range res.Report.Messages {
		if m.MessageLevel != report.Info {
			got = append(got, m.Name)
		}
		all += m.Result + "\n"
	}
	if res.Report.Valid != valid || strings.Join(got, " ") != strings.Join(names, " ") {
		dump, _ := json.MarshalIndent(res.Report, "", "  ")
		t.Fatalf("valid=%v messages %q, want valid=%v %q\n%s", res.Report.Valid, got, valid, names, dump)
	}
	for _, p := range phrases {
		if !strings.Contains(all, p) {
			t.Errorf("no message mentions %q:\n%s", p, all)
		}
	}
}

func TestVerifyJWSValid(t *testing.T) {
	site := newSignedSite(t)
	tok := (&conformance.Signed{Payload: signedPayload(nil)}).Token(t)
	res := verifySigned(t, site, tok)
	expectSigned(t, res, true, nil)
	if res.Input.InputType != report.InputJWS || res.Report.ValidationSubject != signedAssertionID {
		t.Errorf("input %+v subject %q", res.Input, res.Report.ValidationSubject)
	}
}

// Base64url padding (which python-jose accepts, #210) is tolerated.
func TestVerifyJWSPadded(t *testing.T) {
	site := newSignedSite(t)
	tok := (&conformance.Signed{Payload: signedPayload(nil)}).Token(t)
	parts := strings.Split(tok, ".")
	for i, p := range parts {
		parts[i] = p + strings.Repeat("=", (4-len(p)%4)%4)
	}
	expectSigned(t, verifySigned(t, site, strings.Join(parts, ".")), true, nil)
}

// A key embedded in the header (jwk) is never used: the signer's own key
// does not verify against the key the issuer publishes.
func TestVerifyJWSIgnoresHeaderKey(t *testing.T) {
	site := newSignedSite(t)
	k2 := conformance.Key(t, "k2")
	jwk := map[string]any{"kty": "RSA", "n": base64.RawURLEncoding.EncodeToString(k2.N.Bytes()), "e": "AQAB"}
	tok := (&conformance.Signed{Key: "k2", Header: map[string]any{"jwk": jwk}, Payload: signedPayload(nil)}).Token(t)
	expectSigned(t, verifySigned(t, site, tok), false, []string{"VERIFY_JWS"}, "does not match")
}

// The issuer may embed its key objects in publicKey.
func TestVerifyJWSOwnershipEmbeddedKeys(t *testing.T) {
	site := newSignedSite(t)
	iss := site[signedIssuerURL].(map[string]any)
	iss["publicKey"] = []any{map[string]any{"id": "https://example.org/key0"}, map[string]any{"id": signedKeyURL}}
	tok := (&conformance.Signed{Payload: signedPayload(nil)}).Token(t)
	expectSigned(t, verifySigned(t, site, tok), true, nil)
}

// An issuer may embed its revocation list.
func TestVerifyJWSEmbeddedRevocationList(t *testing.T) {
	site := newSignedSite(t)
	iss := site[signedIssuerURL].(map[string]any)
	iss["revocationList"] = map[string]any{"type": "RevocationList", "id": "https://example.org/revoked",
		"revokedAssertions": []any{map[string]any{"id": signedAssertionID, "revocationReason": "Oops"}}}
	tok := (&conformance.Signed{Payload: signedPayload(nil)}).Token(t)
	expectSigned(t, verifySigned(t, site, tok), false, []string{"VERIFY_SIGNED_ASSERTION_NOT_REVOKED"}, "with reason: Oops")
}

// The self-vouching forgery: the payload embeds its badge class and an
// issuer that carries the signer's own key and lists itself as the key.
// Nothing outside the token vouches for anything.
func TestVerifyJWSSelfVouching(t *testing.T) {
	site := newSignedSite(t)
	issuer := "urn:uuid:5e2a7a2a-9d3b-4c8e-8f1a-2b3c4d5e6f70"
	badge := map[string]any{"type": "BadgeClass", "id": "urn:uuid:6cd431ae-3155-4a81-b404-3bdc4d64b10d",
		"name": "Forged", "description": "Forged.", "image": "https://example.org/badge.png", "criteria": map[string]any{"narrative": "None."},
		"issuer": map[string]any{"type": "Issuer", "id": issuer, "name": "Me", "url": "https://example.org", "email": "me@example.org",
			"publicKey": issuer, "publicKeyPem": conformance.PublicKeyPEM(t, "k2", "pkix")}}
	tok := (&conformance.Signed{Key: "k2", Payload: signedPayload(map[string]any{"badge": badge,
		"verification": map[string]any{"type": "SignedBadge", "creator": issuer}})}).Token(t)
	res := verifySigned(t, site, tok)
	if res.Report.Valid {
		t.Fatal("a self-vouching signed assertion is valid")
	}
	expectSigned(t, res, false, []string{"ISSUER_PROPERTY_DEPENDENCIES", "VERIFY_JWS", "VERIFY_KEY_OWNERSHIP"},
		"is not an http(s) URL", "not published at an http(s) URL")
}

func TestVerifyJWSKeyNotRSA(t *testing.T) {
	site := newSignedSite(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	site[signedKeyURL].(map[string]any)["publicKeyPem"] = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	tok := (&conformance.Signed{Payload: signedPayload(nil)}).Token(t)
	expectSigned(t, verifySigned(t, site, tok), false, []string{"VERIFY_JWS"}, "ECDSA key")

	site[signedKeyURL].(map[string]any)["publicKeyPem"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	expectSigned(t, verifySigned(t, site, tok), false, []string{"VERIFY_JWS"}, `"CERTIFICATE", not a public key`)
}

// A critical header parameter go-jose does not understand makes the JWS
// unverifiable (and is not reported as a mismatch).
func TestVerifyJWSUnknownCritical(t *testing.T) {
	site := newSignedSite(t)
	tok := (&conformance.Signed{Header: map[string]any{"crit": []string{"exp"}, "exp": 1}, Payload: signedPayload(nil)}).Token(t)
	expectSigned(t, verifySigned(t, site, tok), false, []string{"VERIFY_JWS"}, "could not be checked", "critical")
}

// Tokens that are not a readable JWS fail PROCESS_JWS_INPUT with an empty
// graph, and never fetch anything.
func TestVerifyJWSUnreadable(t *testing.T) {
	b := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, tok := range map[string]string{
		"two segments":       "eyJhbGciOiJSUzI1NiJ9.e30",
		"four segments":      "a.b.c.d",
		"header not base64":  "!!!.e30.c2ln",
		"header not json":    b("nope") + ".e30.c2ln",
		"payload not json":   b(`{"alg":"RS256"}`) + "." + b("nope") + ".c2ln",
		"payload json array": b(`{"alg":"RS256"}`) + "." + b("[1]") + ".c2ln",
		"payload without id": b(`{"alg":"RS256"}`) + "." + b(`{"@context":"https://w3id.org/openbadges/v2","type":"Assertion"}`) + ".c2ln",
		"empty":              "",
	} {
		t.Run(name, func(t *testing.T) {
			res := verifySigned(t, signedSite{}, tok)
			expectSigned(t, res, false, []string{"PROCESS_JWS_INPUT"})
			if len(res.Graph) != 0 {
				t.Errorf("graph %v", res.Graph)
			}
		})
	}
}

// One Verifier, many signed assertions: each shared document is fetched
// once, and the reports do not leak into each other (the revocation list
// is pruned per report).
func TestVerifyJWSSharedRevocationList(t *testing.T) {
	site := newSignedSite(t)
	counting := &countingSite{site: site, n: map[string]int{}}
	iss := site[signedIssuerURL].(map[string]any)
	iss["revocationList"] = "https://example.org/revoked"
	site["https://example.org/revoked"] = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "RevocationList",
		"id": "https://example.org/revoked", "revokedAssertions": []any{"urn:uuid:00000000-0000-4000-8000-000000000003"}}
	v := ob2.New(ob2.Options{Client: fetch.New(fetch.Options{Transport: counting})})
	for i := range 5 {
		id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-00000000000%d", i)
		tok := (&conformance.Signed{Payload: signedPayload(map[string]any{"id": id})}).Token(t)
		res := v.VerifyJWS(context.Background(), tok, nil)
		if want := i != 3; res.Report.Valid != want {
			t.Fatalf("assertion %d: valid=%v, want %v: %+v", i, res.Report.Valid, want, res.Report.Messages)
		}
	}
	for _, u := range []string{signedKeyURL, signedIssuerURL, "https://example.org/revoked", "https://example.org/badge"} {
		if counting.n[u] != 1 {
			t.Errorf("%s fetched %d times, want once", u, counting.n[u])
		}
	}
}

type countingSite struct {
	site signedSite
	n    map[string]int
}

func (c *countingSite) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n[req.URL.String()]++
	return c.site.RoundTrip(req)
}

// An Open Badges 1.1 signed assertion links its key with verify.url (#227).
func TestVerifyJWSOB11VerifyURL(t *testing.T) {
	site := newSignedSite(t)
	payload := `{"@context":"https://w3id.org/openbadges/v1","type":"Assertion","id":"` + signedAssertionID + `","uid":"abc",` +
		`"recipient":{"type":"email","hashed":false,"identity":"alice@example.org"},"badge":"https://example.org/badge",` +
		`"verify":{"type":"signed","url":"` + signedKeyURL + `"},"issuedOn":"2016-01-01T00:00:00Z"}`
	tok := (&conformance.Signed{Payload: json.RawMessage(payload)}).Token(t)
	res := verifySigned(t, site, tok)
	expectSigned(t, res, true, nil)
	if res.Report.OpenBadgesVersion != "1.1" {
		t.Errorf("openBadgesVersion %q", res.Report.OpenBadgesVersion)
	}
	tampered := (&conformance.Signed{Payload: json.RawMessage(payload), Tamper: json.RawMessage(`{"uid":"abd"}`)}).Token(t)
	expectSigned(t, verifySigned(t, site, tampered), false, []string{"VERIFY_JWS"}, "does not match")
}

// An assertion with an http id that names itself as its key (carrying a
// publicKeyPem of the signer's choosing) is not verified with it.
func TestVerifyJWSCreatorIsAssertion(t *testing.T) {
	site := newSignedSite(t)
	self := "https://example.org/assertions/self"
	site[signedIssuerURL].(map[string]any)["publicKey"] = []any{signedKeyURL, self}
	tok := (&conformance.Signed{Key: "k2", Payload: signedPayload(map[string]any{"id": self,
		"publicKeyPem": conformance.PublicKeyPEM(t, "k2", "pkix"),
		"verification": map[string]any{"type": "SignedBadge", "creator": self}})}).Token(t)
	expectSigned(t, verifySigned(t, site, tok), false, []string{"VERIFY_JWS"}, "is the signed assertion itself")
}
