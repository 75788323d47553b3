package didkey

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
)

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func readHex(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h
}

// privateSeed reads a multibase private key: "z", base58btc, the
// multicodec ed25519-priv (0x1300) and the seed, or seed ‖ public key.
func privateSeed(t *testing.T, mb string) []byte {
	t.Helper()
	raw, _, ok := decodeBase58(strings.TrimPrefix(mb, "z"))
	if !ok || !strings.HasPrefix(mb, "z") {
		t.Fatalf("private key %s is not base58btc multibase", mb)
	}
	codec, n, bad := readUvarint(raw)
	if bad != "" || codec != 0x1300 {
		t.Fatalf("private key %s: multicodec %#x %s, want 0x1300", mb, codec, bad)
	}
	return raw[n : n+ed25519.SeedSize]
}

// The W3C eddsa-rdfc-2022 vectors: the did:key of the proof's
// verificationMethod is the key pair's public key, the key the private
// seed derives, and it verifies the vectors' signature.
func TestW3CEddsaVectors(t *testing.T) {
	dir := filepath.Join(testcorpus.Dir(t), "ob3", "w3c-vc-di-eddsa")
	var pair struct{ PublicKeyMultibase, PrivateKeyMultibase string }
	readJSON(t, filepath.Join(dir, "keyPair.json"), &pair)
	for _, name := range []string{"eddsa-rdfc-2022", "eddsa-rdfc-2022/employ"} {
		var signed struct {
			Proof struct{ VerificationMethod string }
		}
		readJSON(t, filepath.Join(dir, name, "signedDataInt.json"), &signed)
		k, err := Parse(signed.Proof.VerificationMethod)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if k.Type != Ed25519 || k.Multibase != pair.PublicKeyMultibase || k.Fragment != pair.PublicKeyMultibase || k.VerificationMethodID != signed.Proof.VerificationMethod {
			t.Errorf("%s: Parse(%s) = %+v", name, signed.Proof.VerificationMethod, k)
		}
		priv := ed25519.NewKeyFromSeed(privateSeed(t, pair.PrivateKeyMultibase))
		if !priv.Public().(ed25519.PublicKey).Equal(k.Public) {
			t.Errorf("%s: the did:key is not the public key of the vectors' private key", name)
		}
		data := readHex(t, filepath.Join(dir, name, "combinedHashDataInt.txt"))
		sig := readHex(t, filepath.Join(dir, name, "sigHexDataInt.txt"))
		if !ed25519.Verify(k.Public.(ed25519.PublicKey), data, sig) {
			t.Errorf("%s: the signature does not verify with the did:key's key", name)
		}
		if did, err := FromPublicKey(k.Public); err != nil || did != k.DID {
			t.Errorf("%s: FromPublicKey = %s, %v; want %s", name, did, err, k.DID)
		}
	}
}

// The 1EdTech OB 3.0 vector names its key by an https URL whose fragment
// is the multibase key; read as a did:key that is the key pair's public
// key, and it verifies the vector's signature.
func TestOB3Vector(t *testing.T) {
	dir := filepath.Join(testcorpus.Dir(t), "ob3", "1edtech-ob-v3p0-test-vector")
	var pair struct {
		ID, PublicKeyMultibase, SecretKeyMultibase, PublicKeyHex string
	}
	readJSON(t, filepath.Join(dir, "key-pair.json"), &pair)
	_, frag, _ := strings.Cut(pair.ID, "#")
	if frag != pair.PublicKeyMultibase {
		t.Fatalf("key id %s: fragment is not publicKeyMultibase %s", pair.ID, pair.PublicKeyMultibase)
	}
	k, err := Parse(Prefix + frag)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := hex.DecodeString(pair.PublicKeyHex)
	if k.Type != Ed25519 || !bytes.Equal(k.Public.(ed25519.PublicKey), pub) {
		t.Errorf("Parse(did:key:%s) = %+v, want public key %s", frag, k, pair.PublicKeyHex)
	}
	priv := ed25519.NewKeyFromSeed(privateSeed(t, pair.SecretKeyMultibase))
	if !priv.Public().(ed25519.PublicKey).Equal(k.Public) {
		t.Error("the did:key is not the public key of the vector's secret key")
	}
	var want struct{ DataToSignHex, SignatureHex string }
	readJSON(t, filepath.Join(dir, "expected-values.json"), &want)
	data, _ := hex.DecodeString(want.DataToSignHex)
	sig, _ := hex.DecodeString(want.SignatureHex)
	if !ed25519.Verify(k.Public.(ed25519.PublicKey), data, sig) {
		t.Error("the vector's signature does not verify with the did:key's key")
	}
}
