package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// The 1EdTech OB 3.0 Data Integrity test vector (linked-data-proof-ob):
// every intermediate value and the signed credential are reproduced.
func TestOB3Vector(t *testing.T) {
	gold := newGold(t)
	ctx := context.Background()
	const dir = "ob3/1edtech-ob-v3p0-test-vector"
	unsignedCred := readJSON(t, dir, "credential-unsigned.json")
	options := readJSON(t, dir, "proof-options.json")
	signedCred := readJSON(t, dir, "signed-credential.json")
	var pair struct {
		ID, Controller, PublicKeyHex, PrivateKeyHex string
	}
	if err := json.Unmarshal(readFile(t, dir, "key-pair.json"), &pair); err != nil {
		t.Fatal(err)
	}
	var want struct {
		DocumentHashHex, ProofHashHex, DataToSignHex, SignatureHex, ProofValue string
	}
	if err := json.Unmarshal(readFile(t, dir, "expected-values.json"), &want); err != nil {
		t.Fatal(err)
	}
	priv := ed25519.PrivateKey(mustHex(t, pair.PrivateKeyHex))

	docContext := unsignedCred["@context"]
	canonDoc, err := gold.Canonicalize(ctx, unsecured(unsignedCred, docContext, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(canonDoc), string(readFile(t, dir, "document-canon.txt")); got != want {
		t.Errorf("canonical document:\n%s\nwant:\n%s", got, want)
	}
	canonProof, err := gold.Canonicalize(ctx, proofConfig(options, docContext))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(canonProof), string(readFile(t, dir, "proof-canon.txt")); got != want {
		t.Errorf("canonical proof configuration:\n%s\nwant:\n%s", got, want)
	}

	hashData, err := HashData(ctx, unsignedCred, options, gold)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(hashData); got != want.DataToSignHex {
		t.Errorf("hash data %s, want %s", got, want.DataToSignHex)
	}
	if got := hex.EncodeToString(hashData[:32]); got != want.ProofHashHex {
		t.Errorf("proof hash %s, want %s", got, want.ProofHashHex)
	}
	if got := hex.EncodeToString(hashData[32:]); got != want.DocumentHashHex {
		t.Errorf("document hash %s, want %s", got, want.DocumentHashHex)
	}

	signed, err := Sign(ctx, unsignedCred, SignOptions{
		VerificationMethod: options["verificationMethod"].(string),
		Created:            options["created"].(string),
	}, priv, gold)
	if err != nil {
		t.Fatal(err)
	}
	proof := signed["proof"].(map[string]any)
	if proof["proofValue"] != want.ProofValue {
		t.Errorf("proofValue %v, want %s", proof["proofValue"], want.ProofValue)
	}
	sig, err := decodeProofValue(want.ProofValue)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sig); got != want.SignatureHex {
		t.Errorf("signature %s, want %s", got, want.SignatureHex)
	}
	assertSameJSON(t, signed, signedCred)
	if _, ok := unsignedCred["proof"]; ok {
		t.Error("Sign changed its input")
	}

	// The verification method's fragment is the key: the resolver the
	// verifier uses reads it without fetching, and says so.
	res, err := Verify(ctx, signedCred, gold, staticResolver{&keys.Key{
		ID: pair.ID, Controller: pair.Controller, Public: priv.Public(), Source: keys.SourceFragment,
	}})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.Valid == nil || res.Valid.Index != 0 || len(res.Proofs) != 1 || res.Valid != &res.Proofs[0] {
		t.Fatalf("result %+v", res)
	}
	v := res.Valid
	if v.Type != TypeDataIntegrityProof || v.Cryptosuite != CryptosuiteEdDSARDFC2022 || v.VerificationMethod != pair.ID ||
		v.ProofPurpose != PurposeAssertionMethod || v.Created != "2010-01-01T19:23:24Z" || v.Key == nil || v.Key.ID != pair.ID {
		t.Errorf("proof result %+v", v)
	}
}

// w3cKey reads the W3C vectors' key pair: the private key is multicodec
// ed25519-priv (varint 0x1300) + the 32-byte seed.
func w3cKey(t testing.TB) (ed25519.PrivateKey, *keys.Key) {
	t.Helper()
	pair := readJSON(t, "ob3/w3c-vc-di-eddsa/keyPair.json")
	raw, ok := decodeBase58(strings.TrimPrefix(pair["privateKeyMultibase"].(string), "z"))
	if !ok || len(raw) != 34 || raw[0] != 0x80 || raw[1] != 0x26 {
		t.Fatalf("unexpected private key encoding % x", raw)
	}
	priv := ed25519.NewKeyFromSeed(raw[2:])
	pub := pair["publicKeyMultibase"].(string)
	dk, err := didkey.Parse("did:key:" + pub + "#" + pub)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dk.Public, priv.Public()) {
		t.Fatal("the W3C private key does not match its public key")
	}
	return priv, &keys.Key{ID: dk.VerificationMethodID, Controller: dk.DID, Public: dk.Public,
		Source: keys.SourceDIDKey, Authenticated: true, AssertionMethod: true}
}

// The W3C VC-DI-EdDSA eddsa-rdfc-2022 vectors, AlumniCredential.
func TestW3CEddsaRdfc2022Vector(t *testing.T) {
	gold := newGold(t)
	ctx := context.Background()
	const dir = "ob3/w3c-vc-di-eddsa/eddsa-rdfc-2022"
	priv, key := w3cKey(t)
	unsignedCred := readJSON(t, "ob3/w3c-vc-di-eddsa/unsigned.json")
	config := readJSON(t, dir, "proofConfigDataInt.json")
	signedCred := readJSON(t, dir, "signedDataInt.json")

	checkVector(t, gold, unsignedCred, config, vectorFiles{
		canonDoc:   readFile(t, dir, "canonDocDataInt.txt"),
		canonProof: readFile(t, dir, "proofCanonDataInt.txt"),
		hashData:   readFile(t, dir, "combinedHashDataInt.txt"),
		sigHex:     readFile(t, dir, "sigHexDataInt.txt"),
		sigBTC58:   readFile(t, dir, "sigBTC58DataInt.txt"),
	})
	signed, err := Sign(ctx, unsignedCred, SignOptions{
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
	if res.Valid.Key.ID != key.ID {
		t.Errorf("key %+v", res.Valid.Key)
	}
}

type vectorFiles struct {
	canonDoc, canonProof, hashData, sigHex, sigBTC58 []byte
}

// checkVector compares each intermediate value with a vector's files.
func checkVector(t *testing.T, gold Canonicalizer, unsignedCred, config map[string]any, want vectorFiles) {
	t.Helper()
	ctx := context.Background()
	docContext, err := documentContext(unsignedCred, config)
	if err != nil {
		t.Fatal(err)
	}
	canonDoc, err := gold.Canonicalize(ctx, unsecured(unsignedCred, docContext, nil))
	if err != nil {
		t.Fatal(err)
	}
	if string(canonDoc) != string(want.canonDoc) {
		t.Errorf("canonical document:\n%s\nwant:\n%s", canonDoc, want.canonDoc)
	}
	canonProof, err := gold.Canonicalize(ctx, proofConfig(config, docContext))
	if err != nil {
		t.Fatal(err)
	}
	if string(canonProof) != string(want.canonProof) {
		t.Errorf("canonical proof configuration:\n%s\nwant:\n%s", canonProof, want.canonProof)
	}
	hashData, err := HashData(ctx, unsignedCred, config, gold)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(hashData); got != strings.TrimSpace(string(want.hashData)) {
		t.Errorf("hash data %s, want %s", got, want.hashData)
	}
	sig, err := decodeProofValue(strings.TrimSpace(string(want.sigBTC58)))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sig); got != strings.TrimSpace(string(want.sigHex)) {
		t.Errorf("signature %s, want %s", got, want.sigHex)
	}
	if got := encodeProofValue(sig); got != strings.TrimSpace(string(want.sigBTC58)) {
		t.Errorf("proofValue %s, want %s", got, want.sigBTC58)
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertSameJSON compares two JSON values by their encoding.
func assertSameJSON(t *testing.T, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("got  %s\nwant %s", g, w)
	}
}

// staticResolver returns its key for any id.
type staticResolver struct{ key *keys.Key }

func (r staticResolver) Resolve(_ context.Context, id string) (*keys.Key, error) {
	k := *r.key
	return &k, nil
}

// didKeyResolver resolves did:key verification methods, as the verifier's
// resolver does.
type didKeyResolver struct{}

func (didKeyResolver) Resolve(_ context.Context, id string) (*keys.Key, error) {
	dk, err := didkey.Parse(id)
	if err != nil {
		return nil, err
	}
	return &keys.Key{ID: dk.VerificationMethodID, Controller: dk.DID, Public: dk.Public,
		Source: keys.SourceDIDKey, Authenticated: true, AssertionMethod: true}, nil
}
