package vcjwt

import (
	"context"
	"errors"
	"testing"

	"github.com/badgebake/badgebake/proof/jws"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// anyKeyResolver gives the same key for every id but "bad".
type anyKeyResolver struct{ key *keys.Key }

func (a anyKeyResolver) Resolve(_ context.Context, id string) (*keys.Key, error) {
	if id == "bad" {
		return nil, &keys.KeyError{ID: id, Reason: "bad"}
	}
	k := *a.key
	k.ID = id
	return &k, nil
}

// FuzzVerify: any text given as a token never panics, and every failure
// is one of the documented error types.
func FuzzVerify(f *testing.F) {
	k := testKeys()
	issuer := "https://issuer.example/profile"
	for _, opts := range []SignOptions{{Kid: issuer + "#k"}, {EmbedJWK: true}, {Kid: "#k", UnderVC: true, Typ: "vc+jwt"}} {
		tok, err := Sign(credential(issuer), k.ed, opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
	}
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	r := anyKeyResolver{&keys.Key{Public: k.ed.Public(), Source: keys.SourceHTTPS}}
	f.Fuzz(func(t *testing.T, token string) {
		res, err := Verify(context.Background(), token, r)
		if err == nil {
			if res.Credential == nil || res.Key == nil {
				t.Fatalf("verified without a credential or key: %+v", res)
			}
			return
		}
		var (
			fe *jws.FormatError
			he *HeaderError
			pe *PayloadError
			se *SignatureError
			ce *ClaimError
			ke *keys.KeyError
			ue *keys.UnavailableError
		)
		if !errors.As(err, &fe) && !errors.As(err, &he) && !errors.As(err, &pe) && !errors.As(err, &se) &&
			!errors.As(err, &ce) && !errors.As(err, &ke) && !errors.As(err, &ue) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}
