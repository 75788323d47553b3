package keyfile

import (
	"errors"
	"testing"
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
