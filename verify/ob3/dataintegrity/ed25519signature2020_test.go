package dataintegrity

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

const ed2020Dir = "testdata/w3c-ed25519signature2020"

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ed2020Dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readTestdataJSON(t testing.TB, name string) map[string]any {
	t.Helper()
	return readJSONFile(t, filepath.Join(ed2020Dir, name))
}

// The W3C Ed25519Signature2020 vectors: Sign adds the suite context to the
// credential and reproduces the signed credential; Verify accepts it.
func TestW3CEd25519Signature2020Vector(t *testing.T) {
	gold := newGold(t)
	ctx := context.Background()
	priv, key := w3cKey(t)
	unsignedCred := readTestdataJSON(t, "unsigned.json")
	config := readTestdataJSON(t, "proofConfigEdSig.json")
	signedCred := readTestdataJSON(t, "signedEdSig.json")

	// The vector's document is the unsigned credential with the suite
	// context appended.
	withSuite := unsecured(signedCred, signedCred["@context"], nil)
	checkVector(t, gold, withSuite, config, vectorFiles{
		canonDoc:   readTestdata(t, "canonDocEdSig.txt"),
		canonProof: readTestdata(t, "proofCanonEdSig.txt"),
		hashData:   readTestdata(t, "combinedHashEdSig.txt"),
		sigHex:     readTestdata(t, "sigHexEdSig.txt"),
		sigBTC58:   readTestdata(t, "sigBTC58EdSig.txt"),
	})

	signed, err := Sign(ctx, unsignedCred, SignOptions{
		Type:               TypeEd25519Signature2020,
		VerificationMethod: config["verificationMethod"].(string),
		Created:            config["created"].(string),
	}, priv, gold)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, signed, signedCred)

	res, err := Verify(ctx, signedCred, gold, didKeyResolver{})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if v := res.Valid; v.Type != TypeEd25519Signature2020 || v.Cryptosuite != "" || v.Key.ID != key.ID {
		t.Errorf("proof result %+v", v)
	}

	// Tampering is caught as for eddsa-rdfc-2022.
	tampered := cloneJSON(t, signedCred)
	tampered["credentialSubject"].(map[string]any)["alumniOf"] = "The School of Counterexamples"
	_, err = Verify(ctx, tampered, gold, didKeyResolver{})
	assertReason(t, err, SignatureMismatch)
}

// A credential signed with Ed25519Signature2020 by Sign on an OB 3.0
// credential verifies, and only with its own key.
func TestEd25519Signature2020RoundTrip(t *testing.T) {
	gold := newGold(t)
	ctx := context.Background()
	cred := readJSON(t, "ob3/1edtech-ob-v3p0-test-vector/credential-unsigned.json")
	priv := testKey(1)
	signed, err := Sign(ctx, cred, SignOptions{
		Type:               TypeEd25519Signature2020,
		VerificationMethod: "https://example.edu/issuers/565049#key-1",
		Created:            "2024-05-01T10:00:00Z",
	}, priv, gold)
	if err != nil {
		t.Fatal(err)
	}
	ctxs := signed["@context"].([]any)
	if len(ctxs) != 3 || ctxs[2] != contextEd25519_2020 {
		t.Errorf("@context %v", ctxs)
	}
	if len(cred["@context"].([]any)) != 2 {
		t.Error("Sign changed the input's @context")
	}
	if _, err := Verify(ctx, signed, gold, staticResolver{testPublic(priv)}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	_, err = Verify(ctx, signed, gold, staticResolver{testPublic(testKey(2))})
	assertReason(t, err, SignatureMismatch)
}
