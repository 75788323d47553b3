package keyfile

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/proof/didkey"
)

// RSA keys are slow to make: one per test binary, shared.
var testRSA = sync.OnceValue(func() *Key {
	k, err := Generate(RSA, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func testKey(t *testing.T, typ Type) *Key {
	t.Helper()
	if typ == RSA {
		return testRSA()
	}
	k, err := Generate(typ, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestGenerateParseRoundTrip(t *testing.T) {
	for _, typ := range Types {
		t.Run(string(typ), func(t *testing.T) {
			k := testKey(t, typ)
			if k.Type != typ {
				t.Fatalf("Type = %q", k.Type)
			}
			b, err := k.PEM()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("-----BEGIN PRIVATE KEY-----\n")) {
				t.Fatalf("PEM does not start with a PKCS#8 block:\n%.40s", b)
			}
			back, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if back.Type != typ || back.Matches(k.Public()) != nil {
				t.Fatalf("Parse(PEM()) is a %s key that is not the one written", back.Type)
			}
			if back.Thumbprint() != k.Thumbprint() {
				t.Fatal("thumbprint changed across PEM")
			}
		})
	}
}

func TestGenerateRefuses(t *testing.T) {
	for _, c := range []struct {
		typ  Type
		bits int
		want string
	}{
		{RSA, 1024, "an RSA key of 1024 bits is not supported: RSA keys have 2048 bits or more"},
		{Ed25519, 2048, "only RSA keys take a size"},
		{"dsa", 0, `key type "dsa" is not supported`},
	} {
		_, err := Generate(c.typ, c.bits)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Generate(%s, %d) = %v, want %q", c.typ, c.bits, err, c.want)
		}
		if errkind.Of(err) != errkind.Usage {
			t.Errorf("Generate(%s, %d): kind %v", c.typ, c.bits, errkind.Of(err))
		}
	}
	if testing.Short() {
		return
	}
	k, err := Generate(RSA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := k.Signer.(*rsa.PrivateKey).N.BitLen(); n != DefaultRSABits {
		t.Fatalf("default RSA size %d", n)
	}
}

func TestAlg(t *testing.T) {
	want := map[Type]string{Ed25519: "EdDSA", P256: "ES256", RSA: "RS256"}
	for _, typ := range Types {
		if got := testKey(t, typ).Alg(); got != want[typ] {
			t.Errorf("%s: Alg() = %q", typ, got)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	k := testKey(t, Ed25519)
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o, want 0600", fi.Mode().Perm())
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Matches(k.Public()) != nil {
		t.Fatal("Load read another key")
	}
	// Never replaced.
	err = testKey(t, Ed25519).Save(path)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Save: %v", err)
	}
	if again, _ := Load(path); again.Matches(k.Public()) != nil {
		t.Fatal("the second Save replaced the key")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left files behind: %v", entries)
	}
}

func TestLoadRefusesOpenModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	if err := testKey(t, Ed25519).Save(path); err != nil {
		t.Fatal(err)
	}
	for mode, want := range map[os.FileMode]string{
		0o644: "key.pem is readable by others (mode 0644): chmod 600 ",
		0o640: "(mode 0640)",
		0o604: "(mode 0604)",
		0o620: "key.pem is accessible by others (mode 0620)",
	} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		var pe *PermissionError
		if !errors.As(err, &pe) || pe.Mode != mode || pe.Path != path || !strings.Contains(err.Error(), want) {
			t.Errorf("mode %04o: %v", mode, err)
		}
		if errkind.Of(err) != errkind.Usage {
			t.Errorf("mode %04o: kind %v", mode, errkind.Of(err))
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		os.Chmod(path, mode)
		if _, err := Load(path); err != nil {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	// The message is the one the issue asks for, with the path as given.
	os.Chmod(path, 0o644)
	t.Chdir(dir)
	_, err := Load("key.pem")
	if got := err.Error(); got != "key.pem is readable by others (mode 0644): chmod 600 key.pem" {
		t.Errorf("message %q", got)
	}
}

func TestParseOlderForms(t *testing.T) {
	rk := testRSA().Signer.(*rsa.PrivateKey)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ek)
	params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}})
	for name, c := range map[string]struct {
		pem  []byte
		want Type
	}{
		"PKCS#1": {pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}), RSA},
		"SEC 1":  {append(params, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})...), P256},
	} {
		k, err := Parse(c.pem)
		if err != nil || k.Type != c.want {
			t.Errorf("%s: %v, %v", name, k, err)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	rk := testRSA()
	pubDER, _ := x509.MarshalPKIXPublicKey(rk.Public())
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalPKCS8PrivateKey(p384)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)
	broken := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 3, 2, 1, 7}})

	var pk *PublicKeyError
	var ue *UnsupportedError
	var fe *FormatError
	for name, c := range map[string]struct {
		pem    []byte
		target any
		want   string
	}{
		"public key":   {pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), &pk, "holds a PUBLIC KEY, not a private key"},
		"P-384":        {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p384DER}), &ue, "an ECDSA key on curve P-384 is not supported: only P-256"},
		"RSA 1024":     {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: smallDER}), &ue, "an RSA key of 1024 bits is not supported"},
		"encrypted":    {pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}}), &ue, "an encrypted private key is not supported: decrypt it first"},
		"not PEM":      {[]byte("hello"), &fe, "holds no PEM private key"},
		"empty":        {nil, &fe, "holds no PEM private key"},
		"broken PKCS8": {broken, &fe, "not PKCS#8"},
	} {
		k, err := Parse(c.pem)
		if k != nil || err == nil || !errors.As(err, c.target) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, %v; want %q", name, k, err, c.want)
			continue
		}
		if errkind.Of(err) != errkind.Usage {
			t.Errorf("%s: kind %v", name, errkind.Of(err))
		}
	}
}

// No error text holds any line of the key file.
func TestErrorsHoldNoKeyMaterial(t *testing.T) {
	good, _ := testRSA().PEM()
	lines := strings.Split(string(good), "\n")
	mangled := []byte(strings.Join(append(lines[:3], lines[4:]...), "\n"))
	_, err := Parse(mangled)
	if err == nil {
		t.Fatal("a PEM with a line missing parsed")
	}
	for _, l := range lines[1 : len(lines)-2] {
		if len(l) > 8 && strings.Contains(err.Error(), l[:16]) {
			t.Fatalf("error holds key material: %v", err)
		}
	}
	if s := testRSA().String(); strings.Contains(s, lines[2][:16]) || !strings.HasPrefix(s, "rsa key ") {
		t.Fatalf("String() = %q", s)
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvVar, "")
	if k, ok, err := FromEnv(); k != nil || ok || err != nil {
		t.Fatalf("unset: %v %v %v", k, ok, err)
	}
	want := testKey(t, P256)
	b, _ := want.PEM()
	t.Setenv(EnvVar, string(b))
	k, ok, err := FromEnv()
	if err != nil || !ok || k.Matches(want.Public()) != nil {
		t.Fatalf("set: %v %v %v", k, ok, err)
	}
	t.Setenv(EnvVar, "not a key")
	_, ok, err = FromEnv()
	if !ok || err == nil || !strings.HasPrefix(err.Error(), "BADGEBAKE_KEY holds no PEM private key") {
		t.Fatalf("bad: %v %v", ok, err)
	}
}

func TestPublicJWK(t *testing.T) {
	for _, typ := range Types {
		k := testKey(t, typ)
		jwk := k.PublicJWK()
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := jwk[private]; ok {
				t.Fatalf("%s: JWK has private member %q", typ, private)
			}
		}
		b, _ := json.Marshal(jwk)
		var parsed jose.JSONWebKey
		if err := parsed.UnmarshalJSON(b); err != nil {
			t.Fatalf("%s: go-jose cannot read the JWK: %v", typ, err)
		}
		if !parsed.IsPublic() || k.Matches(parsed.Key) != nil {
			t.Fatalf("%s: the JWK is not the public key", typ)
		}
		// The kid is the RFC 7638 thumbprint, as go-jose computes it.
		tp, err := parsed.Thumbprint(crypto256)
		if err != nil {
			t.Fatal(err)
		}
		if jwk["kid"] != b64(tp) || jwk["alg"] != k.Alg() {
			t.Fatalf("%s: kid %v alg %v, thumbprint %s", typ, jwk["kid"], jwk["alg"], b64(tp))
		}
	}
}

func TestDIDKey(t *testing.T) {
	for _, typ := range []Type{Ed25519, P256} {
		k := testKey(t, typ)
		did, err := k.DIDKey()
		if err != nil {
			t.Fatal(err)
		}
		vm, err := k.DIDKeyMethod()
		if err != nil {
			t.Fatal(err)
		}
		dk, err := didkey.Parse(vm)
		if err != nil {
			t.Fatal(err)
		}
		if dk.DID != did || dk.VerificationMethodID != vm || k.Matches(dk.Public) != nil {
			t.Fatalf("%s: %s / %s is not the key", typ, did, vm)
		}
	}
	_, err := testRSA().DIDKey()
	var kt *KeyTypeError
	if !errors.As(err, &kt) || !strings.Contains(err.Error(), "has no did:key") {
		t.Fatalf("RSA DIDKey: %v", err)
	}
	if _, err := testRSA().DIDKeyMethod(); err == nil {
		t.Fatal("RSA DIDKeyMethod: no error")
	}
}

func TestDIDWebFromHost(t *testing.T) {
	for in, want := range map[string]string{
		"example.org":                              "did:web:example.org",
		"Example.ORG/":                             "did:web:example.org",
		"example.org/issuers/1":                    "did:web:example.org:issuers:1",
		"https://example.org/issuers/1/":           "did:web:example.org:issuers:1",
		"localhost:8443":                           "did:web:localhost%3A8443",
		"localhost:8443/a/b":                       "did:web:localhost%3A8443:a:b",
		"example.org/.well-known":                  "did:web:example.org",
		"example.org/u/alice/did.json":             "did:web:example.org:u:alice",
		"did:web:example.org:issuers:1":            "did:web:example.org:issuers:1",
		"https://example.org/.well-known/did.json": "did:web:example.org",
	} {
		got, err := DIDWebFromHost(in)
		if err != nil || got != want {
			t.Errorf("DIDWebFromHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/", "http://example.org", "exa mple.org", "example.org:x", "example.org/a b", "example.org//a", "example.org/../a", ":80", "did:web:", "did:web:a::b"} {
		if got, err := DIDWebFromHost(in); err == nil {
			t.Errorf("DIDWebFromHost(%q) = %q, want an error", in, got)
		}
	}
}

func TestCryptographicKey(t *testing.T) {
	k := testRSA()
	b, err := k.CryptographicKey("https://example.org/keys/1", "https://example.org/issuer")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["@context"] != ContextOpenBadges || doc["type"] != "CryptographicKey" || doc["id"] != "https://example.org/keys/1" || doc["owner"] != "https://example.org/issuer" {
		t.Fatalf("document %s", b)
	}
	block, _ := pem.Decode([]byte(doc["publicKeyPem"].(string)))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("publicKeyPem %q", doc["publicKeyPem"])
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil || k.Matches(pub) != nil {
		t.Fatalf("publicKeyPem is not the key: %v", err)
	}
	if bytes.Contains(b, []byte("PRIVATE")) {
		t.Fatal("private key in the document")
	}
	noOwner, err := k.CryptographicKey("https://example.org/keys/1", "")
	if err != nil || bytes.Contains(noOwner, []byte("owner")) {
		t.Fatalf("without owner: %s, %v", noOwner, err)
	}
	if _, err := k.CryptographicKey("urn:x", ""); err == nil {
		t.Fatal("a urn key URL was accepted")
	}
	_, err = testKey(t, Ed25519).CryptographicKey("https://example.org/keys/1", "")
	var kt *KeyTypeError
	if !errors.As(err, &kt) || !strings.Contains(err.Error(), "RS256") {
		t.Fatalf("Ed25519: %v", err)
	}
}
