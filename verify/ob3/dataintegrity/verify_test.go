package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// jsonCanon stands in for JSON-LD canonicalization where the RDF does not
// matter: Go's JSON encoding of a map is deterministic (sorted keys) and
// changes with any change of the document.
type jsonCanon struct{ calls int }

func (c *jsonCanon) Canonicalize(_ context.Context, doc map[string]any) ([]byte, error) {
	c.calls++
	return json.Marshal(doc)
}

// failingCanon fails as a canonicalizer with a work limit would.
type failingCanon struct{ err error }

func (c failingCanon) Canonicalize(context.Context, map[string]any) ([]byte, error) {
	return nil, c.err
}

// unavailableError is a resolver's typed error, as a DID document that
// could not be fetched.
type unavailableError struct{ url string }

func (e *unavailableError) Error() string { return e.url + " is unavailable" }

type failingResolver struct{ err error }

func (r failingResolver) Resolve(context.Context, string) (*keys.Key, error) { return nil, r.err }

// testKey is a deterministic Ed25519 key.
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// testPublic is priv's public key as a did:key resolver would give it.
func testPublic(priv ed25519.PrivateKey) *keys.Key {
	return &keys.Key{ID: "did:example:issuer#key-1", Controller: "did:example:issuer", Public: priv.Public(),
		Source: keys.SourceDIDKey, Authenticated: true, AssertionMethod: true}
}

func cloneJSON(t testing.TB, v map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func assertReason(t *testing.T, err error, want Reason) *ProofError {
	t.Helper()
	var pe *ProofError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *ProofError %q", err, err, want)
	}
	if pe.Reason != want {
		t.Fatalf("reason %q (%v), want %q", pe.Reason, err, want)
	}
	return pe
}

// smallCredential is a credential for tests that need no JSON-LD.
func smallCredential() map[string]any {
	return map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":   map[string]any{"id": "did:example:issuer", "type": []any{"Profile"}, "name": "Example"},
		"credentialSubject": map[string]any{
			"type":        []any{"AchievementSubject"},
			"achievement": map[string]any{"type": []any{"Achievement"}, "name": "Teamwork"},
		},
	}
}

// signedSmall signs smallCredential with testKey(1) through jsonCanon.
func signedSmall(t testing.TB) map[string]any {
	t.Helper()
	signed, err := Sign(context.Background(), smallCredential(), SignOptions{
		VerificationMethod: "did:example:issuer#key-1", Created: "2024-01-02T03:04:05Z",
	}, testKey(1), &jsonCanon{})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestVerifyFailures(t *testing.T) {
	good := testPublic(testKey(1))
	tests := []struct {
		name   string
		edit   func(cred, proof map[string]any)
		r      KeyResolver
		reason Reason
		kind   errkind.Kind
		detail string
	}{
		{name: "tampered claim", edit: func(cred, _ map[string]any) {
			cred["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Leadership"
		}, reason: SignatureMismatch, kind: errkind.NotVerified, detail: "signature does not match"},
		{name: "proof field changed", edit: func(_, proof map[string]any) { proof["created"] = "2024-01-02T03:04:06Z" },
			reason: SignatureMismatch, kind: errkind.NotVerified},
		{name: "wrong key", r: staticResolver{testPublic(testKey(2))}, reason: SignatureMismatch, kind: errkind.NotVerified},
		{name: "purpose authentication", edit: func(_, proof map[string]any) { proof["proofPurpose"] = "authentication" },
			reason: WrongPurpose, kind: errkind.NotVerified, detail: `"authentication"`},
		{name: "no purpose", edit: func(_, proof map[string]any) { delete(proof, "proofPurpose") }, reason: MalformedProof},
		{name: "relative verificationMethod", edit: func(_, proof map[string]any) {
			proof["verificationMethod"] = "z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x"
		},
			reason: Key, kind: errkind.NotVerified, detail: "cannot get the key"},
		{name: "proofValue not base58", edit: func(_, proof map[string]any) { proof["proofValue"] = "z0OIl" },
			reason: MalformedProof, kind: errkind.NotVerified, detail: "base58btc"},
		{name: "proofValue base64", edit: func(_, proof map[string]any) { proof["proofValue"] = "uAAAA" }, reason: MalformedProof, detail: "multibase"},
		{name: "proofValue short", edit: func(_, proof map[string]any) { proof["proofValue"] = "z3yQ" }, reason: MalformedProof, detail: "64-byte"},
		{name: "proofValue long", edit: func(_, proof map[string]any) { proof["proofValue"] = "z" + strings.Repeat("2", 200) }, reason: MalformedProof},
		{name: "proofValue empty", edit: func(_, proof map[string]any) { proof["proofValue"] = "" }, reason: MalformedProof},
		{name: "no proofValue", edit: func(_, proof map[string]any) { delete(proof, "proofValue") }, reason: MalformedProof},
		{name: "jws instead", edit: func(_, proof map[string]any) { delete(proof, "proofValue"); proof["jws"] = "eyJ..sig" }, reason: MalformedProof},
		{name: "created not a dateTime", edit: func(_, proof map[string]any) { proof["created"] = "2024-01-02" },
			reason: MalformedProof, detail: "xsd:dateTime"},
		{name: "created a number", edit: func(_, proof map[string]any) { proof["created"] = 1.7e9 }, reason: MalformedProof},
		{name: "no verificationMethod", edit: func(_, proof map[string]any) { delete(proof, "verificationMethod") }, reason: MalformedProof},
		{name: "unsupported cryptosuite", edit: func(_, proof map[string]any) { proof["cryptosuite"] = "ecdsa-rdfc-2019" },
			reason: UnsupportedCryptosuite, kind: errkind.Indeterminate, detail: "ecdsa-rdfc-2019"},
		{name: "no cryptosuite", edit: func(_, proof map[string]any) { delete(proof, "cryptosuite") }, reason: UnsupportedCryptosuite},
		{name: "unsupported type", edit: func(_, proof map[string]any) { proof["type"] = "RsaSignature2018" },
			reason: UnsupportedType, kind: errkind.Indeterminate},
		{name: "no type", edit: func(_, proof map[string]any) { delete(proof, "type") }, reason: UnsupportedType},
		{name: "proof context not the document's", edit: func(_, proof map[string]any) { proof["@context"] = "https://w3id.org/security/v2" },
			reason: MalformedProof, detail: "@context"},
		{name: "no document context", edit: func(cred, _ map[string]any) { delete(cred, "@context") }, reason: MalformedProof},
		{name: "key not for assertion", r: staticResolver{&keys.Key{ID: good.ID, Public: good.Public, Source: keys.SourceDIDWeb, Authenticated: true}},
			reason: KeyNotForPurpose, kind: errkind.NotVerified},
		{name: "P-256 key", r: staticResolver{&keys.Key{ID: good.ID, Public: p256Key(t), Source: keys.SourceDIDKey, Authenticated: true, AssertionMethod: true}},
			reason: KeyType, detail: "ecdsa"},
		{name: "nil key", r: nilResolver{}, reason: Key},
		{name: "previousProof unknown", edit: func(_, proof map[string]any) { proof["previousProof"] = "urn:uuid:1" },
			reason: MalformedProof, detail: "urn:uuid:1"},
		{name: "previousProof itself", edit: func(_, proof map[string]any) { proof["id"] = "urn:uuid:1"; proof["previousProof"] = "urn:uuid:1" },
			reason: MalformedProof},
		{name: "previousProof null", edit: func(_, proof map[string]any) { proof["previousProof"] = nil }, reason: MalformedProof},
		{name: "previousProof empty", edit: func(_, proof map[string]any) { proof["previousProof"] = []any{} }, reason: MalformedProof},
		{name: "previousProof number", edit: func(_, proof map[string]any) { proof["previousProof"] = 1.0 }, reason: MalformedProof},
		{name: "previousProof array of numbers", edit: func(_, proof map[string]any) { proof["previousProof"] = []any{1.0} }, reason: MalformedProof},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred := cloneJSON(t, signedSmall(t))
			if tt.edit != nil {
				tt.edit(cred, cred["proof"].(map[string]any))
			}
			r := tt.r
			if r == nil {
				r = staticResolver{good}
			}
			res, err := Verify(context.Background(), cred, &jsonCanon{}, r)
			pe := assertReason(t, err, tt.reason)
			if tt.kind != errkind.Unknown && errkind.Of(err) != tt.kind {
				t.Errorf("kind %v, want %v", errkind.Of(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q does not say %q", err, tt.detail)
			}
			if pe.Index != 0 || res == nil || res.Valid != nil || len(res.Proofs) != 1 || res.Proofs[0].Err != err {
				t.Errorf("result %+v, error index %d", res, pe.Index)
			}
		})
	}
}

type nilResolver struct{}

func (nilResolver) Resolve(context.Context, string) (*keys.Key, error) { return nil, nil }

func p256Key(t *testing.T) *ecdsa.PublicKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), bytes.NewReader(bytes.Repeat([]byte{7}, 128)))
	if err != nil {
		t.Fatal(err)
	}
	return &k.PublicKey
}

func TestVerifySmallRoundTrip(t *testing.T) {
	signed := signedSmall(t)
	canon := &jsonCanon{}
	res, err := Verify(context.Background(), signed, canon, staticResolver{testPublic(testKey(1))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid == nil || res.Valid.Created != "2024-01-02T03:04:05Z" || res.Valid.Cryptosuite != CryptosuiteEdDSARDFC2022 {
		t.Errorf("result %+v", res.Valid)
	}
	if canon.calls != 2 {
		t.Errorf("%d canonicalizations, want 2 (document and proof)", canon.calls)
	}
	// The data integrity context is added only when the credential's
	// does not define DataIntegrityProof.
	if len(signed["@context"].([]any)) != 2 {
		t.Errorf("@context %v", signed["@context"])
	}
}

func TestVerifyNoProof(t *testing.T) {
	for name, proof := range map[string]any{"absent": nil, "null": "null", "empty array": []any{}} {
		t.Run(name, func(t *testing.T) {
			cred := smallCredential()
			if proof == "null" {
				cred["proof"] = nil
			} else if proof != nil {
				cred["proof"] = proof
			}
			res, err := Verify(context.Background(), cred, &jsonCanon{}, staticResolver{testPublic(testKey(1))})
			if !errors.Is(err, ErrNoProof) {
				t.Fatalf("error %v, want ErrNoProof", err)
			}
			if errkind.Of(err) != errkind.NotVerified || res == nil || len(res.Proofs) != 0 || res.Valid != nil {
				t.Errorf("kind %v, result %+v", errkind.Of(err), res)
			}
		})
	}
}

// 1EdTech's simple-multiple-proofs: one good proof and one of an unknown
// type; any valid proof suffices, in either order.
func TestVerifyMultipleProofs(t *testing.T) {
	signed := signedSmall(t)
	good := signed["proof"]
	unknown := map[string]any{"type": "SomeProofType", "proofPurpose": "assertionMethod"}
	for _, order := range [][]any{{unknown, good}, {good, unknown}} {
		cred := cloneJSON(t, signed)
		cred["proof"] = order
		res, err := Verify(context.Background(), cred, &jsonCanon{}, staticResolver{testPublic(testKey(1))})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Proofs) != 2 || res.Valid == nil || res.Valid.Type != TypeDataIntegrityProof {
			t.Fatalf("result %+v", res)
		}
		bad := &res.Proofs[1-res.Valid.Index]
		var pe *ProofError
		if !errors.As(bad.Err, &pe) || pe.Reason != UnsupportedType || pe.Index != bad.Index || bad.Type != "SomeProofType" {
			t.Errorf("unknown proof's result %+v", bad)
		}
	}
}

// When no proof verifies, the error is the most telling failure, not the
// first.
func TestVerifyMostTellingFailure(t *testing.T) {
	signed := signedSmall(t)
	forged := cloneJSON(t, signed)["proof"].(map[string]any)
	forged["verificationMethod"] = "did:example:issuer#key-2" // changes the signed proof configuration
	cred := cloneJSON(t, signed)
	cred["proof"] = []any{
		map[string]any{"type": "SomeProofType"},
		"not an object",
		forged,
		map[string]any{"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"},
	}
	res, err := Verify(context.Background(), cred, &jsonCanon{}, staticResolver{testPublic(testKey(1))})
	pe := assertReason(t, err, SignatureMismatch)
	if pe.Index != 2 || len(res.Proofs) != 4 {
		t.Errorf("error %v, result %+v", err, res)
	}
	wantReasons := []Reason{UnsupportedType, MalformedProof, SignatureMismatch, UnsupportedCryptosuite}
	for i, pr := range res.Proofs {
		var pe *ProofError
		if !errors.As(pr.Err, &pe) || pe.Reason != wantReasons[i] || pe.Index != i {
			t.Errorf("proof %d: %v, want %q", i, pr.Err, wantReasons[i])
		}
	}
}

func TestVerifyTooManyProofs(t *testing.T) {
	signed := signedSmall(t)
	var proofs []any
	for range maxProofs {
		proofs = append(proofs, map[string]any{"type": "SomeProofType"})
	}
	cred := cloneJSON(t, signed)
	cred["proof"] = append(proofs, signed["proof"])
	res, err := Verify(context.Background(), cred, &jsonCanon{}, staticResolver{testPublic(testKey(1))})
	pe := assertReason(t, err, MalformedProof)
	if pe.Index != maxProofs || len(res.Proofs) != maxProofs+1 || !strings.Contains(err.Error(), "not checked") {
		t.Errorf("error %v", err)
	}
}

func TestVerifyResolverErrorPassesThrough(t *testing.T) {
	cause := &unavailableError{url: "https://issuer.example/.well-known/did.json"}
	_, err := Verify(context.Background(), signedSmall(t), &jsonCanon{}, failingResolver{cause})
	assertReason(t, err, Key)
	var ue *unavailableError
	if !errors.As(err, &ue) || ue != cause {
		t.Fatalf("errors.As does not find the resolver's error in %v", err)
	}
	if errkind.Of(err) != errkind.Indeterminate {
		t.Errorf("kind %v, want indeterminate", errkind.Of(err))
	}
	// A resolver error that knows its kind keeps it.
	_, err = Verify(context.Background(), signedSmall(t), &jsonCanon{}, failingResolver{errkind.New(errkind.NotVerified, "revoked key")})
	if errkind.Of(err) != errkind.NotVerified {
		t.Errorf("kind %v, want the resolver's", errkind.Of(err))
	}
}

func TestVerifyCanonicalizerErrorPassesThrough(t *testing.T) {
	limit := errors.New("canonicalization work limit exceeded")
	resolved := false
	res, err := Verify(context.Background(), signedSmall(t), failingCanon{limit}, resolverFunc(func() { resolved = true }))
	assertReason(t, err, Canonicalization)
	if !errors.Is(err, limit) {
		t.Fatalf("errors.Is does not find the canonicalizer's error in %v", err)
	}
	if resolved || res.Proofs[0].Key != nil {
		t.Error("the key was resolved for a credential that does not canonicalize")
	}
	if errkind.Of(err) != errkind.NotVerified {
		t.Errorf("kind %v", errkind.Of(err))
	}
	_, err = Verify(context.Background(), signedSmall(t), failingCanon{context.DeadlineExceeded}, staticResolver{testPublic(testKey(1))})
	if errkind.Of(err) != errkind.Indeterminate {
		t.Errorf("timed-out canonicalization: kind %v, want indeterminate", errkind.Of(err))
	}
}

type resolverFunc func()

func (f resolverFunc) Resolve(context.Context, string) (*keys.Key, error) {
	f()
	return nil, errors.New("not expected")
}

// The document is canonicalized once however many proofs there are.
func TestVerifyCanonicalizesDocumentOnce(t *testing.T) {
	signed := signedSmall(t)
	second, err := Sign(context.Background(), signed, SignOptions{
		VerificationMethod: "did:example:issuer#key-2", Created: "2024-01-02T03:04:05Z",
	}, testKey(2), &jsonCanon{})
	if err != nil {
		t.Fatal(err)
	}
	proofs, ok := second["proof"].([]any)
	if !ok || len(proofs) != 2 {
		t.Fatalf("proof %v", second["proof"])
	}
	canon := &jsonCanon{}
	// Only key 2 resolves to the right key: the second proof verifies,
	// which shows the first proof is not part of what it signs.
	res, err := Verify(context.Background(), second, canon, staticResolver{testPublic(testKey(2))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid.Index != 1 || canon.calls != 3 {
		t.Errorf("valid %d, %d canonicalizations, want 1 and 3", res.Valid.Index, canon.calls)
	}
	assertReason(t, res.Proofs[0].Err, SignatureMismatch)
}

// A proof's own @context, allowed when it starts the document's, is used
// for both canonicalizations.
func TestVerifyProofContext(t *testing.T) {
	cred := smallCredential()
	proof := map[string]any{"@context": cred["@context"], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
		"verificationMethod": "did:example:issuer#key-1", "proofPurpose": "assertionMethod"}
	hashData, err := HashData(context.Background(), cred, proof, &jsonCanon{})
	if err != nil {
		t.Fatal(err)
	}
	proof["proofValue"] = encodeProofValue(ed25519.Sign(testKey(1), hashData))
	cred["proof"] = proof
	if _, err := Verify(context.Background(), cred, &jsonCanon{}, staticResolver{testPublic(testKey(1))}); err != nil {
		t.Fatal(err)
	}
	proof["@context"] = []any{"https://www.w3.org/ns/credentials/v2"} // a prefix: allowed, and signs something else
	_, err = Verify(context.Background(), cred, &jsonCanon{}, staticResolver{testPublic(testKey(1))})
	assertReason(t, err, SignatureMismatch)
}

func TestSign(t *testing.T) {
	ctx := context.Background()
	priv := testKey(1)
	if _, err := Sign(ctx, smallCredential(), SignOptions{}, priv, &jsonCanon{}); err == nil {
		t.Error("no verification method: no error")
	}
	for name, opts := range map[string]SignOptions{
		"bad type":        {Type: "RsaSignature2018"},
		"bad cryptosuite": {Cryptosuite: "ecdsa-rdfc-2019"},
		"2020 with suite": {Type: TypeEd25519Signature2020, Cryptosuite: "eddsa-rdfc-2022"},
		"bad created":     {Created: "yesterday"},
	} {
		opts.VerificationMethod = "did:example:issuer#key-1"
		if _, err := Sign(ctx, smallCredential(), opts, priv, &jsonCanon{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Sign(ctx, smallCredential(), SignOptions{VerificationMethod: "x"}, priv[:32], &jsonCanon{}); err == nil {
		t.Error("short key: no error")
	}
	noContext := smallCredential()
	delete(noContext, "@context")
	if _, err := Sign(ctx, noContext, SignOptions{VerificationMethod: "x"}, priv, &jsonCanon{}); err == nil {
		t.Error("no @context: no error")
	}
	limit := errors.New("limit")
	if _, err := Sign(ctx, smallCredential(), SignOptions{VerificationMethod: "x"}, priv, failingCanon{limit}); !errors.Is(err, limit) {
		t.Errorf("canonicalizer error lost: %v", err)
	}

	// Defaults, a VC 1.1 credential (gets the data integrity context) and
	// eddsa-2022.
	v1 := map[string]any{"@context": "https://www.w3.org/2018/credentials/v1", "type": "VerifiableCredential"}
	signed, err := Sign(ctx, v1, SignOptions{VerificationMethod: "did:example:issuer#key-1", Cryptosuite: CryptosuiteEdDSA2022}, priv, &jsonCanon{})
	if err != nil {
		t.Fatal(err)
	}
	if got := signed["@context"].([]any); len(got) != 2 || got[1] != contextDataIntegrityV2 {
		t.Errorf("@context %v", got)
	}
	proof := signed["proof"].(map[string]any)
	if proof["proofPurpose"] != PurposeAssertionMethod || proof["type"] != TypeDataIntegrityProof || !validDateTime(proof["created"].(string)) {
		t.Errorf("proof %v", proof)
	}
	res, err := Verify(ctx, signed, &jsonCanon{}, staticResolver{testPublic(priv)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid.Cryptosuite != CryptosuiteEdDSA2022 {
		t.Errorf("cryptosuite %q", res.Valid.Cryptosuite)
	}
}
