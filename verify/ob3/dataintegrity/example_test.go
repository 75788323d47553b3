package dataintegrity_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// jsonCanonicalizer stands in for JSON-LD canonicalization (jsonld's
// safe-mode ToRDF and rdfc's RDFC-1.0 in the verifier), to keep the
// example self-contained.
type jsonCanonicalizer struct{}

func (jsonCanonicalizer) Canonicalize(_ context.Context, doc map[string]any) ([]byte, error) {
	return json.Marshal(doc)
}

// oneKey resolves every verification method to the same key.
type oneKey struct{ key *keys.Key }

func (r oneKey) Resolve(context.Context, string) (*keys.Key, error) { return r.key, nil }

func Example() {
	ctx := context.Background()
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	credential := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"type":              []any{"VerifiableCredential"},
		"issuer":            "did:example:issuer",
		"credentialSubject": map[string]any{"name": "Ada"},
	}
	signed, err := dataintegrity.Sign(ctx, credential, dataintegrity.SignOptions{
		VerificationMethod: "did:example:issuer#key-1",
		Created:            "2024-01-01T00:00:00Z",
	}, priv, jsonCanonicalizer{})
	if err != nil {
		fmt.Println(err)
		return
	}
	resolver := oneKey{&keys.Key{ID: "did:example:issuer#key-1", Public: priv.Public(),
		Source: keys.SourceDIDKey, Authenticated: true, AssertionMethod: true}}

	res, err := dataintegrity.Verify(ctx, signed, jsonCanonicalizer{}, resolver)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verified:", res.Valid.Type, res.Valid.Cryptosuite, res.Valid.VerificationMethod)

	signed["credentialSubject"] = map[string]any{"name": "Eve"}
	_, err = dataintegrity.Verify(ctx, signed, jsonCanonicalizer{}, resolver)
	var pe *dataintegrity.ProofError
	if errors.As(err, &pe) {
		fmt.Println(pe.Reason)
	}
	// Output:
	// verified: DataIntegrityProof eddsa-rdfc-2022 did:example:issuer#key-1
	// signature mismatch
}
