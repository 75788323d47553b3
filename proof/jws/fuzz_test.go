package jws

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// FuzzParse feeds arbitrary text to Parse. It must return a JWS or a
// *FormatError, never both and never neither; what it returns must agree
// with the text (three segments that decode to Payload and Signature), and
// asking go-jose for the signature must not panic.
func FuzzParse(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
	f.Add("eyJhbGciOiJSUzI1NiJ9==.e30=.c2ln")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("eyJjcml0IjpbImV4cCJdLCJhbGciOiJSUzI1NiJ9.e30.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		j, err := Parse(s)
		if err != nil {
			var fe *FormatError
			if j != nil || !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) = %v, %v", s, j, err)
			}
			return
		}
		if j == nil || j.Compact != s || j.Header.Params == nil {
			t.Fatalf("Parse(%q) = %+v", s, j)
		}
		parts := strings.Split(s, ".")
		if len(parts) != 3 {
			t.Fatalf("%q has %d segments", s, len(parts))
		}
		for i, want := range [][]byte{j.Header.JSON, j.Payload, j.Signature} {
			got, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("segment %d of %q: %q, %v; JWS has %q", i, s, got, err, want)
			}
		}
		_, _ = j.Signed([]jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	})
}
