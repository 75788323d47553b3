package ob2_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/verify/ob2"
)

// FuzzVerifyJWS feeds arbitrary text to VerifyJWS with an offline client.
// Nothing can be fetched, so no key can be had: whatever the text, the
// verifier must not panic, must not report it valid, and must say why
// (an ERROR) when it is not.
func FuzzVerifyJWS(f *testing.F) {
	valid := (&conformance.Signed{Payload: signedPayload(nil)}).Token(f)
	f.Add(valid)
	f.Add((&conformance.Signed{Payload: signedPayload(nil), Tamper: json.RawMessage("true")}).Token(f))
	f.Add((&conformance.Signed{Alg: "none", Payload: signedPayload(nil)}).Token(f))
	f.Add((&conformance.Signed{Alg: "HS256", Payload: signedPayload(nil)}).Token(f))
	f.Add((&conformance.Signed{Payload: signedPayload(map[string]any{"id": nil, "@context": "https://w3id.org/openbadges/v1"})}).Token(f))
	f.Add((&conformance.Signed{Payload: signedPayload(map[string]any{"badge": map[string]any{"id": "urn:uuid:6cd431ae-3155-4a81-b404-3bdc4d64b10d",
		"type": "BadgeClass", "issuer": map[string]any{"id": "_:b0", "publicKeyPem": "x"}}, "verification": map[string]any{"type": "signed", "creator": "_:b0"}})}).Token(f))
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	v := ob2.New(ob2.Options{Client: fetch.New(fetch.Options{Offline: true})})
	f.Fuzz(func(t *testing.T, token string) {
		res := v.VerifyJWS(context.Background(), token, nil)
		if res.Report.Valid {
			t.Fatalf("offline, %q is valid: %+v", token, res.Report)
		}
		if res.Report.ErrorCount == 0 {
			t.Fatalf("%q is not valid, and no ERROR says why: %+v", token, res.Report)
		}
	})
}
