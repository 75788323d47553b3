package vcjwt_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/verify/ob3/keys"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

func Example() {
	// An issuer whose DID is a did:key signs a credential as a VC-JWT.
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	issuer, _ := didkey.FromPublicKey(priv.Public())
	credential := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":                "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58",
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            map[string]any{"id": issuer, "type": []any{"Profile"}},
		"validFrom":         "2024-06-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:alice", "type": []any{"AchievementSubject"}},
	}
	token, err := vcjwt.Sign(credential, priv, vcjwt.SignOptions{Kid: issuer})
	if err != nil {
		panic(err)
	}

	// A verifier, offline: did:key needs no network.
	r := keys.NewResolver(nil)
	res, err := vcjwt.Verify(context.Background(), token, r)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Alg, res.Typ, res.Key.Source, res.Key.Authenticated)
	fmt.Println(res.Claims["iss"] == issuer, res.NotBefore.Format("2006-01-02"))
	fmt.Println(r.CheckIssuer(context.Background(), res.Key, issuer))

	// The same token with its signature cut off is refused.
	_, err = vcjwt.Verify(context.Background(), token[:len(token)-4], r)
	var sigErr *vcjwt.SignatureError
	fmt.Println(errors.As(err, &sigErr))
	// Output:
	// EdDSA JWT did:key true
	// true 2024-06-01
	// <nil>
	// true
}
