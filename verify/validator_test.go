package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/verify"
)

// The pre-bake check verifies Open Badges 2.0 signed assertions (key,
// signature, issuer, revocation list) instead of only their structure.
func TestValidatorVerifiesSignedAssertions(t *testing.T) {
	h := newSignedHost(t)
	val := verify.Validator{Verifier: verify.New(verify.Config{Client: fetch.New(fetch.Options{})})}
	parse := func(s string) *payload.Payload {
		p, err := payload.Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := (&conformance.Signed{Payload: h.assertionJSON(0)}).Token(t)
	if warnings, err := val.Validate(context.Background(), parse(good)); err != nil || len(warnings) != 0 {
		t.Fatalf("a good signed assertion: warnings %q, error %v", warnings, err)
	}
	forged := (&conformance.Signed{Key: "k2", Payload: h.assertionJSON(0)}).Token(t)
	_, err := val.Validate(context.Background(), parse(forged))
	if !verify.IsRefused(err) || !strings.Contains(err.Error(), "VERIFY_JWS") {
		t.Fatalf("a signature by another key: %v, want a refusal naming VERIFY_JWS", err)
	}
	if h.key.Load() != 1 {
		t.Errorf("key fetched %d times, want once", h.key.Load())
	}
}
