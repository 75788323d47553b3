package vcjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/proof/jws"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

type testKeySet struct {
	ed, ed2 ed25519.PrivateKey
	p256    *ecdsa.PrivateKey
	p384    *ecdsa.PrivateKey
	rsa     *rsa.PrivateKey
}

// testKeys are generated once per test binary.
var testKeys = sync.OnceValue(func() testKeySet {
	var k testKeySet
	var err error
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	if _, k.ed2, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	if k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		panic(err)
	}
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	return k
})

func didKeyOf(pub crypto.PublicKey) string {
	did, err := didkey.FromPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return did
}

// credential is an OB 3.0 credential issued by issuer.
func credential(issuer string) map[string]any {
	return map[string]any{
		"@context":   []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":         "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
		"type":       []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":     map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Example University"},
		"validFrom":  "2024-01-01T00:00:00Z",
		"validUntil": "2030-01-01T00:00:00Z",
		"name":       "Teamwork",
		"credentialSubject": map[string]any{
			"id":   "did:example:alice",
			"type": []any{"AchievementSubject"},
		},
	}
}

// stubResolver answers from a map and records what it was asked.
type stubResolver struct {
	keys  map[string]*keys.Key
	err   error
	asked []string
}

func (s *stubResolver) Resolve(_ context.Context, id string) (*keys.Key, error) {
	s.asked = append(s.asked, id)
	if s.err != nil {
		return nil, s.err
	}
	if k, ok := s.keys[id]; ok {
		return k, nil
	}
	return nil, &keys.KeyError{ID: id, Reason: "unknown to the stub"}
}

func stubKey(id string, pub crypto.PublicKey) *keys.Key {
	return &keys.Key{ID: id, Public: pub, Source: keys.SourceHTTPS, Authenticated: true}
}

// craft signs header and claims as they are, for tokens Sign would not make.
func craft(t *testing.T, header, claims map[string]any, key crypto.Signer, alg string) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := signCompact(header, payload, key, alg)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mustSign(t *testing.T, cred map[string]any, key crypto.Signer, opts SignOptions) string {
	t.Helper()
	tok, err := Sign(cred, key, opts)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

func TestVerifyDIDKeyOffline(t *testing.T) {
	k := testKeys()
	r := keys.NewResolver(nil)
	for _, c := range []struct {
		name string
		key  crypto.Signer
		alg  string
	}{{"Ed25519", k.ed, "EdDSA"}, {"P-256", k.p256, "ES256"}} {
		did := didKeyOf(c.key.Public())
		mb := strings.TrimPrefix(did, didkey.Prefix)
		for _, kid := range []string{did, did + "#" + mb} {
			cred := credential(did)
			tok := mustSign(t, cred, c.key, SignOptions{Kid: kid})
			res, err := Verify(context.Background(), tok, r)
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, kid, err)
			}
			if res.Alg != c.alg || res.Kid != kid || res.Typ != "JWT" || res.InVC || res.Key.Source != keys.SourceDIDKey ||
				!res.Key.Authenticated || res.Credential["name"] != "Teamwork" || res.Claims["iss"] != did {
				t.Errorf("%s %s: result %+v", c.name, kid, res)
			}
			if res.NotBefore == nil || !res.NotBefore.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) ||
				res.Expires == nil || !res.Expires.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%s: validity %v – %v", c.name, res.NotBefore, res.Expires)
			}
			if err := r.CheckIssuer(context.Background(), res.Key, did); err != nil {
				t.Errorf("%s: CheckIssuer: %v", c.name, err)
			}
			// The registered claims are the JWT's, not credential terms.
			for _, claim := range []string{"iss", "jti", "nbf", "exp", "sub"} {
				if _, ok := res.Credential[claim]; ok {
					t.Errorf("%s: the credential carries the JWT claim %q", c.name, claim)
				}
				if _, ok := res.Claims[claim]; !ok {
					t.Errorf("%s: claim %q missing from Claims", c.name, claim)
				}
			}
			if _, ok := cred["iss"]; ok {
				t.Errorf("%s: Sign changed the caller's credential", c.name)
			}
		}
	}
}

func TestVerifyJWKSOverHTTPS(t *testing.T) {
	k := testKeys()
	set := map[string]any{"keys": []any{
		jose.JSONWebKey{Key: k.rsa.Public(), KeyID: "rsa-1", Algorithm: "RS256"},
		jose.JSONWebKey{Key: k.p256.Public(), KeyID: "ec-1"},
	}}
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/jwks" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(body)
	}))
	defer srv.Close()
	r := keys.NewResolver(fetch.New(fetch.Options{Transport: srv.Client().Transport}))
	issuer := srv.URL + "/issuer"

	tok := mustSign(t, credential(issuer), k.rsa, SignOptions{Kid: srv.URL + "/jwks#rsa-1"})
	res, err := Verify(context.Background(), tok, r)
	if err != nil {
		t.Fatalf("RS256: %v", err)
	}
	if res.Alg != "RS256" || res.Key.Source != keys.SourceHTTPS || !res.Key.Authenticated {
		t.Errorf("RS256: %+v", res)
	}
	if err := r.CheckIssuer(context.Background(), res.Key, issuer); err != nil {
		t.Errorf("CheckIssuer, same origin: %v", err)
	}

	// The JWK says RS256: PS256 with it is refused.
	tok = mustSign(t, credential(issuer), k.rsa, SignOptions{Alg: "PS256", Kid: srv.URL + "/jwks#rsa-1"})
	_, err = Verify(context.Background(), tok, r)
	var he *HeaderError
	if !errors.As(err, &he) || he.Param != "alg" {
		t.Errorf("PS256 with an RS256 JWK: %v", err)
	}

	tok = mustSign(t, credential(issuer), k.p256, SignOptions{Kid: srv.URL + "/jwks#ec-1", Typ: "vc+jwt"})
	if res, err = Verify(context.Background(), tok, r); err != nil || res.Typ != "vc+jwt" {
		t.Errorf("ES256 vc+jwt: %v", err)
	}

	// An unknown kid is the resolver's *keys.KeyError, unchanged.
	tok = mustSign(t, credential(issuer), k.p256, SignOptions{Kid: srv.URL + "/jwks#nope"})
	_, err = Verify(context.Background(), tok, r)
	var ke *keys.KeyError
	if !errors.As(err, &ke) {
		t.Errorf("unknown kid: %v", err)
	}
}

func TestVerifyForms(t *testing.T) {
	k := testKeys()
	issuer := "https://issuer.example/profile"
	stub := &stubResolver{keys: map[string]*keys.Key{
		issuer + "#ed":  stubKey(issuer+"#ed", k.ed.Public()),
		issuer + "#ps":  stubKey(issuer+"#ps", k.rsa.Public()),
		issuer + "#384": stubKey(issuer+"#384", k.p384.Public()),
	}}
	ctx := context.Background()

	for _, c := range []struct {
		key  crypto.Signer
		opts SignOptions
		alg  string
	}{
		{k.rsa, SignOptions{Alg: "PS256", Kid: issuer + "#ps"}, "PS256"},
		{k.p384, SignOptions{Kid: issuer + "#384"}, "ES384"},
	} {
		res, err := Verify(ctx, mustSign(t, credential(issuer), c.key, c.opts), stub)
		if err != nil || res.Alg != c.alg {
			t.Errorf("%s: %v", c.alg, err)
		}
	}

	// VCDM 1.1: under "vc", with issuanceDate and expirationDate and a
	// string issuer.
	old := credential(issuer)
	delete(old, "validFrom")
	delete(old, "validUntil")
	old["issuanceDate"] = "2020-05-01T12:00:00Z"
	old["expirationDate"] = "2021-05-01T12:00:00Z"
	old["issuer"] = issuer
	tok := mustSign(t, old, k.ed, SignOptions{Kid: issuer + "#ed", UnderVC: true})
	res, err := Verify(ctx, tok, stub)
	if err != nil {
		t.Fatalf("vc claim: %v", err)
	}
	if !res.InVC || res.Credential["issuer"] != issuer || res.Claims["vc"] == nil ||
		!res.NotBefore.Equal(time.Date(2020, 5, 1, 12, 0, 0, 0, time.UTC)) || !res.Expires.Equal(time.Date(2021, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("vc claim: %+v", res)
	}

	// Inline jwk: verified, not authenticated.
	tok = mustSign(t, credential(issuer), k.ed, SignOptions{EmbedJWK: true})
	res, err = Verify(ctx, tok, nil)
	if err != nil {
		t.Fatalf("inline jwk: %v", err)
	}
	if res.Key.Source != keys.SourceInline || res.Key.Authenticated || !res.Key.Public.(ed25519.PublicKey).Equal(k.ed.Public()) {
		t.Errorf("inline jwk key %+v", res.Key)
	}

	// A relative kid is resolved against iss.
	stub.asked = nil
	tok = mustSign(t, credential(issuer), k.ed, SignOptions{Kid: "#ed"})
	if _, err := Verify(ctx, tok, stub); err != nil || len(stub.asked) != 1 || stub.asked[0] != issuer+"#ed" {
		t.Errorf("relative kid: %v, asked %v", err, stub.asked)
	}

	// No typ; no validity; subject array; no sub claim: all accepted.
	cred := credential(issuer)
	delete(cred, "validUntil")
	cred["credentialSubject"] = []any{map[string]any{"id": "did:example:bob"}}
	claims := map[string]any{}
	for key, v := range cred {
		claims[key] = v
	}
	claims["iss"] = issuer
	tok = craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#ed"}, claims, k.ed, "EdDSA")
	res, err = Verify(ctx, tok, stub)
	if err != nil || res.Typ != "" || res.Expires != nil || res.NotBefore == nil {
		t.Errorf("minimal token: %+v, %v", res, err)
	}
	// Sign puts sub from a one-element subject array.
	tok = mustSign(t, cred, k.ed, SignOptions{Kid: issuer + "#ed"})
	if res, err = Verify(ctx, tok, stub); err != nil || res.Claims["sub"] != "did:example:bob" {
		t.Errorf("sub from array: %v %v", err, res.Claims["sub"])
	}
}

func b64(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestVerifyHeaderRules(t *testing.T) {
	k := testKeys()
	issuer := "https://issuer.example/profile"
	stub := &stubResolver{keys: map[string]*keys.Key{
		issuer + "#ed":     stubKey(issuer+"#ed", k.ed.Public()),
		issuer + "#p256":   stubKey(issuer+"#p256", k.p256.Public()),
		issuer + "#rsa":    stubKey(issuer+"#rsa", k.rsa.Public()),
		issuer + "#es256k": {ID: issuer + "#es256k", Public: k.p256.Public(), Alg: "ES256K"},
	}}
	cred := credential(issuer)
	claims := map[string]any{}
	for key, v := range cred {
		claims[key] = v
	}
	claims["iss"] = issuer
	edJWK := jose.JSONWebKey{Key: k.ed.Public()}
	privJWK := jose.JSONWebKey{Key: k.ed}
	payload := b64(claims)

	cases := []struct {
		name, token, param, want string
	}{
		{"alg none", b64(map[string]any{"alg": "none", "kid": issuer + "#ed"}) + "." + payload + ".", "alg", `"none"`},
		{"HS256", b64(map[string]any{"alg": "HS256", "kid": issuer + "#ed"}) + "." + payload + ".c2ln", "alg", "HMAC"},
		{"ES512", b64(map[string]any{"alg": "ES512", "kid": issuer + "#ed"}) + "." + payload + ".c2ln", "alg", "not accepted"},
		{"no alg", b64(map[string]any{"kid": issuer + "#ed"}) + "." + payload + ".c2ln", "alg", `no "alg"`},
		{"kid and jwk", craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#ed", "jwk": edJWK}, claims, k.ed, "EdDSA"), "jwk", "both"},
		{"no key", craft(t, map[string]any{"alg": "EdDSA"}, claims, k.ed, "EdDSA"), "kid", "neither"},
		{"kid not a string", craft(t, map[string]any{"alg": "EdDSA", "kid": 7}, claims, k.ed, "EdDSA"), "kid", "non-empty string"},
		{"private jwk", craft(t, map[string]any{"alg": "EdDSA", "jwk": privJWK}, claims, k.ed, "EdDSA"), "jwk", "carries a private key"},
		{"jwk not an object", craft(t, map[string]any{"alg": "EdDSA", "jwk": "x"}, claims, k.ed, "EdDSA"), "jwk", "not a JSON object"},
		{"typ JWS", craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#ed", "typ": "JOSE"}, claims, k.ed, "EdDSA"), "typ", `"typ" must be`},
		{"crit", craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#ed", "crit": []string{"b64"}, "b64": false}, claims, k.ed, "EdDSA"), "crit", "crit"},
		{"EdDSA with P-256 key", craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#p256"}, claims, k.ed, "EdDSA"), "alg", "does not fit the key, a P-256 key"},
		{"RS256 with Ed25519 key", craft(t, map[string]any{"alg": "RS256", "kid": issuer + "#ed"}, claims, k.rsa, "RS256"), "alg", "does not fit the key, an Ed25519 key"},
		{"ES256 with RSA key", craft(t, map[string]any{"alg": "ES256", "kid": issuer + "#rsa"}, claims, k.p256, "ES256"), "alg", "does not fit"},
		{"key restricted to another alg", craft(t, map[string]any{"alg": "ES256", "kid": issuer + "#es256k"}, claims, k.p256, "ES256"), "alg", `the key is for "ES256K"`},
		{"relative kid without iss", craft(t, map[string]any{"alg": "EdDSA", "kid": "#ed"}, cred, k.ed, "EdDSA"), "kid", "relative"},
	}
	for _, c := range cases {
		_, err := Verify(context.Background(), c.token, stub)
		var he *HeaderError
		if !errors.As(err, &he) || he.Param != c.param || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want a *HeaderError on %s saying %q", c.name, err, c.param, c.want)
		}
	}
	// typ is case-insensitive and may carry "application/".
	for _, typ := range []string{"jwt", "application/vc+jwt", "VC+JWT"} {
		tok := craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#ed", "typ": typ}, claims, k.ed, "EdDSA")
		if _, err := Verify(context.Background(), tok, stub); err != nil {
			t.Errorf("typ %q: %v", typ, err)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	k := testKeys()
	issuer := "https://issuer.example/profile"
	stub := &stubResolver{keys: map[string]*keys.Key{issuer + "#ed": stubKey(issuer+"#ed", k.ed.Public())}}
	tok := mustSign(t, credential(issuer), k.ed, SignOptions{Kid: issuer + "#ed"})

	// Change the payload after signing.
	parts := strings.Split(tok, ".")
	changed := credential(issuer)
	changed["name"] = "Leadership"
	var claims map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(raw, &claims)
	claims["name"] = "Leadership"
	parts[1] = b64(claims)
	tampered := strings.Join(parts, ".")

	other := mustSign(t, credential(issuer), k.ed2, SignOptions{Kid: issuer + "#ed"})
	for name, token := range map[string]string{"changed payload": tampered, "another key": other} {
		_, err := Verify(context.Background(), token, stub)
		var se *SignatureError
		if !errors.As(err, &se) || se.KeyID != issuer+"#ed" ||
			err.Error() != "signature does not match: the credential was changed after signing, or signed with another key" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestVerifyClaims(t *testing.T) {
	k := testKeys()
	issuer := "https://issuer.example/profile"
	stub := &stubResolver{keys: map[string]*keys.Key{issuer + "#ed": stubKey(issuer+"#ed", k.ed.Public())}}
	good := func() map[string]any {
		tok := mustSign(t, credential(issuer), k.ed, SignOptions{Kid: issuer + "#ed"})
		raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		var c map[string]any
		json.Unmarshal(raw, &c)
		return c
	}
	if c := good(); c["iss"] != issuer || c["jti"] != "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002" ||
		c["nbf"] != float64(1704067200) || c["exp"] != float64(1893456000) || c["sub"] != "did:example:alice" {
		t.Fatalf("Sign set claims %v %v %v %v %v", c["iss"], c["jti"], c["nbf"], c["exp"], c["sub"])
	}
	cases := []struct {
		claim string
		set   any
		want  string
	}{
		{"iss", "https://evil.example/profile", issuer},
		{"jti", "urn:uuid:other", "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002"},
		{"nbf", 1704067201, "1704067200 (validFrom 2024-01-01T00:00:00Z)"},
		{"nbf", "2024-01-01", "a NumericDate (seconds since 1970)"},
		{"exp", 1893456001, "1893456000 (validUntil 2030-01-01T00:00:00Z)"},
		{"sub", "did:example:mallory", "did:example:alice"},
	}
	for _, c := range cases {
		claims := good()
		claims[c.claim] = c.set
		tok := craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#ed"}, claims, k.ed, "EdDSA")
		_, err := Verify(context.Background(), tok, stub)
		var ce *ClaimError
		if !errors.As(err, &ce) || ce.Claim != c.claim || ce.Want != c.want {
			t.Errorf("%s = %v: error %v, want a *ClaimError wanting %q", c.claim, c.set, err, c.want)
		}
	}
	// nbf with a fraction of a second is the same second.
	claims := good()
	claims["nbf"] = 1704067200.5
	tok := craft(t, map[string]any{"alg": "EdDSA", "kid": issuer + "#ed"}, claims, k.ed, "EdDSA")
	if _, err := Verify(context.Background(), tok, stub); err != nil {
		t.Errorf("fractional nbf: %v", err)
	}
	// The clock is not looked at: an expired credential verifies.
	cred := credential(issuer)
	cred["validUntil"] = "2001-01-01T00:00:00Z"
	res, err := Verify(context.Background(), mustSign(t, cred, k.ed, SignOptions{Kid: issuer + "#ed"}), stub)
	if err != nil || res.Expires.Year() != 2001 {
		t.Errorf("expired credential: %v", err)
	}
}

func TestVerifyPayloadAndFormat(t *testing.T) {
	k := testKeys()
	issuer := "https://issuer.example/profile"
	stub := &stubResolver{keys: map[string]*keys.Key{issuer + "#ed": stubKey(issuer+"#ed", k.ed.Public())}}
	header := map[string]any{"alg": "EdDSA", "kid": issuer + "#ed"}
	notJSON, err := signCompact(header, []byte("not json"), k.ed, "EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	noCred := craft(t, header, map[string]any{"iss": issuer, "name": "x"}, k.ed, "EdDSA")
	for name, tok := range map[string]string{"not JSON": notJSON, "no credential": noCred} {
		_, err := Verify(context.Background(), tok, stub)
		var pe *PayloadError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v", name, err)
		}
	}
	var fe *jws.FormatError
	if _, err := Verify(context.Background(), "not.a-token", stub); !errors.As(err, &fe) {
		t.Errorf("not a JWS: %v", err)
	}
}

func TestVerifyResolverErrorsPassThrough(t *testing.T) {
	k := testKeys()
	issuer := "https://issuer.example/profile"
	tok := mustSign(t, credential(issuer), k.ed, SignOptions{Kid: issuer + "#ed"})
	unavailable := &keys.UnavailableError{ID: issuer + "#ed", Err: keys.ErrOffline}
	_, err := Verify(context.Background(), tok, &stubResolver{err: unavailable})
	var ue *keys.UnavailableError
	if !errors.As(err, &ue) || ue != unavailable {
		t.Errorf("unavailable: %v", err)
	}
	_, err = Verify(context.Background(), tok, &stubResolver{})
	var ke *keys.KeyError
	if !errors.As(err, &ke) {
		t.Errorf("key error: %v", err)
	}
	// Offline did:web through a real resolver.
	tok = mustSign(t, credential("did:web:issuer.example"), k.ed, SignOptions{Kid: "did:web:issuer.example#key-1"})
	if _, err = Verify(context.Background(), tok, keys.NewResolver(nil)); !errors.As(err, &ue) {
		t.Errorf("offline did:web: %v", err)
	}
}

func TestSignRefuses(t *testing.T) {
	k := testKeys()
	cred := credential("https://issuer.example/profile")
	for name, opts := range map[string]SignOptions{
		"kid and jwk":     {Kid: "https://issuer.example/k", EmbedJWK: true},
		"neither":         {},
		"wrong alg":       {Alg: "ES256", Kid: "https://issuer.example/k"},
		"HS256":           {Alg: "HS256", Kid: "https://issuer.example/k"},
		"unparsable date": {Kid: "https://issuer.example/k"},
	} {
		c := cred
		if name == "unparsable date" {
			c = credential("https://issuer.example/profile")
			c["validFrom"] = "yesterday"
		}
		if _, err := Sign(c, k.ed, opts); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
	}
	// The credential given is not changed.
	before, _ := json.Marshal(cred)
	mustSign(t, cred, k.ed, SignOptions{Kid: "https://issuer.example/k"})
	after, _ := json.Marshal(cred)
	if string(before) != string(after) {
		t.Errorf("Sign changed the credential")
	}
}

func BenchmarkVerify(b *testing.B) {
	k := testKeys()
	r := keys.NewResolver(nil)
	for _, c := range []struct {
		name string
		key  crypto.Signer
	}{{"EdDSA", k.ed}, {"ES256", k.p256}} {
		did := didKeyOf(c.key.Public())
		tok, err := Sign(credential(did), c.key, SignOptions{Kid: did})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/did:key", func(b *testing.B) {
			for b.Loop() {
				if _, err := Verify(context.Background(), tok, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	tok, err := Sign(credential("https://issuer.example/p"), k.rsa, SignOptions{EmbedJWK: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("RS256/jwk", func(b *testing.B) {
		for b.Loop() {
			if _, err := Verify(context.Background(), tok, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
