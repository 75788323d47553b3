package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/verify"
)

// FuzzVerifyInput feeds arbitrary bytes to Verify with an offline client:
// input detection (URL, JSON, JWS, baked PNG or SVG) and everything after
// it must not panic, an input that is not blank must get a report, and
// with nothing fetchable no badge can be valid.
func FuzzVerifyInput(f *testing.F) {
	token := (&conformance.Signed{Payload: json.RawMessage(`{"@context":"https://w3id.org/openbadges/v2","type":"Assertion",` +
		`"id":"urn:uuid:bf8d3c3d-fe60-487c-87a3-06440d0d0163","recipient":{"type":"email","hashed":false,"identity":"a@example.org"},` +
		`"badge":"https://example.org/badge","verification":{"type":"SignedBadge","creator":"https://example.org/key1"},"issuedOn":"2024-05-01T10:00:00Z"}`)}).Token(f)
	f.Add([]byte(token))
	f.Add([]byte(" " + token + "\n"))
	f.Add([]byte("https://example.org/assertions/1"))
	f.Add([]byte(examples.AssertionJSON))
	f.Add([]byte(`{"@context":"https://w3id.org/openbadges/v2","id":"urn:uuid:1","verification":{"type":"signed"}}`))
	f.Add([]byte("eyJhbGciOiJub25lIn0.e30."))
	f.Add([]byte("hello world"))
	f.Add(conformance.BakeExample(f, examples.PNG(), token))
	f.Add(conformance.BakeExample(f, examples.SVG(), token))
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true})})
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := v.Verify(context.Background(), verify.Input{Data: in, Name: "input"}, nil)
		if err != nil {
			if !errors.Is(err, verify.ErrEmpty) {
				t.Fatalf("Verify(%q): %v", in, err)
			}
			return
		}
		if res.Report.Valid {
			t.Fatalf("offline, %q is valid: %+v", in, res.Report)
		}
	})
}
