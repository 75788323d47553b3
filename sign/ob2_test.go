package sign_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/sign"
	"github.com/badgebake/badgebake/verify"
)

func assertion(mods ...func(map[string]any)) map[string]any {
	a := map[string]any{
		"@context":  "https://w3id.org/openbadges/v2",
		"type":      "Assertion",
		"id":        "urn:uuid:2f6a3c3e-9a4f-4c55-8c7e-000000000001",
		"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
		"badge": map[string]any{
			"id": "https://issuer.example/badges/1", "type": "BadgeClass", "name": "Teamwork",
			"issuer": map[string]any{"id": "https://issuer.example/issuer", "type": "Issuer", "name": "Example"},
		},
		"verification": map[string]any{"type": "SignedBadge"},
		"issuedOn":     "2025-01-01T00:00:00Z",
	}
	for _, m := range mods {
		m(a)
	}
	return a
}

func TestSignOB2(t *testing.T) {
	ctx := context.Background()
	k := testRSA()
	const keyURL = "https://issuer.example/keys/1"
	s, err := sign.New(k, sign.Options{VerificationMethod: keyURL})
	if err != nil {
		t.Fatal(err)
	}
	in := assertion()
	got, err := s.Sign(ctx, parse(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if got.Format != sign.FormatJWS || got.Payload.Kind != payload.KindJWS || got.Payload.Generation != payload.OB2 || got.Payload.Header["alg"] != "RS256" {
		t.Fatalf("%s %s %s %v", got.Format, got.Payload.Kind, got.Payload.Generation, got.Payload.Header)
	}
	if !got.Report.Report.Valid || !strings.Contains(got.Report.Report.Messages[0].Result, "checked locally") {
		t.Fatalf("report %+v", got.Report.Report)
	}
	// A standard JOSE library verifies it with the public key.
	sig, err := jose.ParseSigned(string(got.Bytes), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sig.Verify(k.Signer.(*rsa.PrivateKey).Public()); err != nil {
		t.Fatal(err)
	}
	claims := got.Payload.Object
	if v := claims["verification"].(map[string]any); v["creator"] != keyURL || v["type"] != "SignedBadge" {
		t.Fatalf("verification %v", v)
	}
	delete(in, "verification")
	sameMembers(t, in, claims)

	// The creator may come from the input; a different one is refused.
	withCreator := assertion(func(a map[string]any) { a["verification"] = map[string]any{"type": "SignedBadge", "creator": keyURL} })
	plain, _ := sign.New(k, sign.Options{})
	if _, err := plain.Sign(ctx, parse(t, withCreator)); err != nil {
		t.Fatal(err)
	}
	other, _ := sign.New(k, sign.Options{VerificationMethod: "https://issuer.example/keys/2"})
	var me *sign.IssuerMismatchError
	if _, err := other.Sign(ctx, parse(t, withCreator)); !errors.As(err, &me) {
		t.Fatalf("two creators: %v", err)
	}
}

func TestSignOB2Refuses(t *testing.T) {
	ctx := context.Background()
	k := testRSA()
	s, _ := sign.New(k, sign.Options{VerificationMethod: "https://issuer.example/keys/1"})
	var fe *sign.FormatError
	var me *sign.IssuerMismatchError
	for name, c := range map[string]struct {
		signer *sign.Signer
		in     map[string]any
		target any
		want   string
	}{
		"hosted":       {s, assertion(func(a map[string]any) { a["verification"] = map[string]any{"type": "hosted"} }), &fe, "a hosted badge is not signed"},
		"no creator":   {mustNew(t, k, sign.Options{}), assertion(), &fe, "give --verification-method KEY_URL"},
		"key off site": {mustNew(t, k, sign.Options{VerificationMethod: "https://other.example/keys/1"}), assertion(), &me, "is not on the issuer's site https://issuer.example"},
		"vc-jwt":       {mustNew(t, k, sign.Options{Format: sign.FormatVCJWT, VerificationMethod: "https://issuer.example/keys/1"}), assertion(), &fe, "signed as jws, not vc-jwt"},
		"ed25519":      {mustNew(t, mustKey(t, keyfile.Ed25519), sign.Options{VerificationMethod: "https://issuer.example/keys/1"}), assertion(), &fe, "are RS256"},
	} {
		_, err := c.signer.Sign(ctx, parse(t, c.in))
		if !errors.As(err, c.target) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", name, err, c.want)
		}
	}
	// Structure: no recipient.
	_, err := s.Sign(ctx, parse(t, assertion(func(a map[string]any) { delete(a, "recipient") })))
	if err == nil || verify.IsRefused(err) || !strings.Contains(err.Error(), `missing "recipient"`) {
		t.Fatalf("structure: %v", err)
	}
}

func mustNew(t *testing.T, k *keyfile.Key, o sign.Options) *sign.Signer {
	t.Helper()
	s, err := sign.New(k, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustKey(t *testing.T, typ keyfile.Type) *keyfile.Key { return newKey(t, typ) }
