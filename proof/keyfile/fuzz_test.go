package keyfile

import (
	"errors"
	"testing"

	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// FuzzParse feeds arbitrary bytes to Parse: it returns a key it can write
// back and read again as the same key, or one of its typed errors, never
// both, never neither, and never panics.
func FuzzParse(f *testing.F) {
	for _, typ := range []Type{Ed25519, P256} {
		k, _ := Generate(typ, 0)
		b, _ := k.PEM()
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\n\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := Parse(b)
		if err != nil {
			var fe *FormatError
			var pe *PublicKeyError
			var ue *UnsupportedError
			if k != nil || !(errors.As(err, &fe) || errors.As(err, &pe) || errors.As(err, &ue)) {
				t.Fatalf("Parse = %v, %v", k, err)
			}
			return
		}
		out, err := k.PEM()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(out)
		if err != nil || back.Type != k.Type || back.Matches(k.Public()) != nil {
			t.Fatalf("a key Parse read does not survive PEM: %v", err)
		}
	})
}

// FuzzDIDWebFromHost feeds arbitrary text to DIDWebFromHost: what it
// returns is a did:web the verifier's resolver reads, that DIDWebFromHost
// returns unchanged, and a DID document can be written for.
func FuzzDIDWebFromHost(f *testing.F) {
	for _, s := range []string{"example.org", "example.org/issuers/1", "localhost:8443/a", "https://example.org/.well-known/did.json", "did:web:example.org:u", "a..b", ":80", "x/%41"} {
		f.Add(s)
	}
	k, _ := Generate(Ed25519, 0)
	f.Fuzz(func(t *testing.T, s string) {
		did, err := DIDWebFromHost(s)
		if err != nil {
			var de *DIDWebError
			if did != "" || !errors.As(err, &de) {
				t.Fatalf("DIDWebFromHost(%q) = %q, %v", s, did, err)
			}
			return
		}
		if again, err := DIDWebFromHost(did); err != nil || again != did {
			t.Fatalf("DIDWebFromHost(%q) = %q, then %q, %v", s, did, again, err)
		}
		if _, err := keys.DIDWebURL(did); err != nil {
			t.Fatalf("DIDWebFromHost(%q) = %q, which the resolver refuses: %v", s, did, err)
		}
		if _, err := k.DIDWebDocument(did); err != nil {
			t.Fatalf("DIDWebDocument(%q): %v", did, err)
		}
	})
}
