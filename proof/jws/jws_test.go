package jws

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// sign makes a real RS256 JWS over payload with go-jose.
func sign(t testing.TB, key *rsa.PrivateKey, payload string, extra map[jose.HeaderKey]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, &jose.SignerOptions{ExtraHeaders: extra})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParse(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, key, `{"id":"urn:x"}`, map[jose.HeaderKey]any{"kid": "k1", "typ": "JWT", "crit": []string{"exp"}, "exp": 1})
	j, err := Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	h := j.Header
	if h.Alg != "RS256" || h.Kid != "k1" || h.Typ != "JWT" || len(h.Crit) != 1 || h.Crit[0] != "exp" || h.Params["exp"] == nil {
		t.Errorf("header %+v", h)
	}
	if string(j.Payload) != `{"id":"urn:x"}` || len(j.Signature) != 256 || j.Compact != tok {
		t.Errorf("payload %q, %d signature bytes", j.Payload, len(j.Signature))
	}
	if !strings.Contains(string(h.JSON), `"kid":"k1"`) {
		t.Errorf("header JSON %s", h.JSON)
	}

	// Padding is tolerated, and go-jose is given the unpadded form.
	parts := strings.Split(sign(t, key, `{"id":"urn:x"}`, nil), ".")
	padded, err := Parse(parts[0] + "==." + parts[1] + "=." + parts[2])
	if err != nil {
		t.Fatal(err)
	}
	if string(padded.Payload) != string(j.Payload) {
		t.Errorf("padded payload %q", padded.Payload)
	}
	sig, err := padded.Signed([]jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("Signed: %v", err)
	}
	if _, err := sig.Verify(&key.PublicKey); err != nil {
		t.Errorf("padded: %v", err)
	}
}

func TestSigned(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	j, err := Parse(sign(t, key, "hello", nil))
	if err != nil {
		t.Fatal(err)
	}
	rs256 := []jose.SignatureAlgorithm{jose.RS256}
	sig, err := j.Signed(rs256)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sig.Verify(&key.PublicKey); err != nil || string(got) != "hello" {
		t.Errorf("Verify: %q, %v", got, err)
	}
	if again, _ := j.Signed(rs256); again != sig {
		t.Error("asked again with the same algorithms, Signed parsed again")
	}
	_, err = j.Signed([]jose.SignatureAlgorithm{jose.ES256, jose.EdDSA})
	var algErr *AlgorithmError
	if !errors.As(err, &algErr) || algErr.Alg != "RS256" || len(algErr.Allowed) != 2 {
		t.Fatalf("ES256/EdDSA only: %v", err)
	}
	if want := `the JWS algorithm "RS256" is not allowed (allowed: ES256, EdDSA)`; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}

	noAlg, err := Parse(b64(`{"typ":"JWT"}`) + "." + b64("x") + "." + b64("sig"))
	if err != nil {
		t.Fatalf("Parse leaves a missing alg to the verifier: %v", err)
	}
	if _, err := noAlg.Signed(rs256); !errors.As(err, &algErr) || algErr.Alg != "" {
		t.Errorf("no alg: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		segment  Segment
		want     string
	}{
		{"one segment", "hello", "", "a compact JWS has 3 dot-separated segments, this has 1"},
		{"four segments", "a.b.c.d", "", "a compact JWS has 3 dot-separated segments, this has 4"},
		{"header not base64", "!!!.e30.c2ln", SegmentHeader, "the JWS header is not base64url: illegal base64 data at input byte 0"},
		{"header not json", b64("nope") + ".e30.c2ln", SegmentHeader, "the JWS header is not a JSON object: invalid character"},
		{"header an array", b64("[1]") + ".e30.c2ln", SegmentHeader, "the JWS header is not a JSON object: the JSON value is a array, not an object"},
		{"header too deep", b64(strings.Repeat("[", 1001)) + ".e30.c2ln", SegmentHeader, "the JWS header is not a JSON object: JSON nested more than 1000 levels deep"},
		{"payload not base64", b64(`{"alg":"RS256"}`) + ".e30*.c2ln", SegmentPayload, "the JWS payload is not base64url"},
		{"signature not base64", b64(`{"alg":"RS256"}`) + ".e30.c2ln?", SegmentSignature, "the JWS signature is not base64url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j, err := Parse(tt.in)
			var fe *FormatError
			if !errors.As(err, &fe) || j != nil {
				t.Fatalf("Parse(%q) = %v, %v; want a *FormatError", tt.in, j, err)
			}
			if fe.Segment != tt.segment || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("segment %q, %q; want %q, %q", fe.Segment, err, tt.segment, tt.want)
			}
		})
	}
}

// What Parse leaves to verifiers: the payload need not be JSON, the
// signature may be empty (an unsecured JWS).
func TestParseLenient(t *testing.T) {
	j, err := Parse(b64(`{"alg":"none"}`) + "." + b64("not json") + ".")
	if err != nil {
		t.Fatal(err)
	}
	if j.Header.Alg != "none" || string(j.Payload) != "not json" || len(j.Signature) != 0 {
		t.Errorf("%+v", j)
	}
}
