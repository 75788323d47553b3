package keys_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

func base58(b []byte) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, base := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append([]byte{alphabet[mod.Int64()]}, out...)
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append([]byte{'1'}, out...)
	}
	return string(out)
}

const web = "did:web:example.com"

// didWebDoc is the DID document of did:web:example.com.
func didWebDoc() map[string]any {
	k := testKeys()
	vm := func(frag, typ string, extra map[string]any) map[string]any {
		m := map[string]any{"id": web + "#" + frag, "type": typ, "controller": web}
		for key, v := range extra {
			m[key] = v
		}
		return m
	}
	return map[string]any{
		"@context": []any{"https://www.w3.org/ns/did/v1"},
		"id":       web,
		"verificationMethod": []any{
			vm("key-1", "Multikey", map[string]any{"publicKeyMultibase": multibase(k.ed.Public())}),
			vm("key-2", "Ed25519VerificationKey2020", map[string]any{"publicKeyMultibase": multibase(k.p256.Public())}),
			vm("key-3", "JsonWebKey2020", map[string]any{"publicKeyJwk": jwkOf(k.p256.Public(), "")}),
			vm("key-4", "Ed25519VerificationKey2018", map[string]any{"publicKeyBase58": base58(k.ed2.Public().(ed25519.PublicKey))}),
			vm("key-5", "JsonWebKey2020", map[string]any{"publicKeyJwk": jwkOf(k.rsa.Public(), "")}),
			vm("key-6", "JsonWebKey2020", map[string]any{"publicKeyJwk": jwkOf(k.p256, "")}),
			vm("key-8", "Multikey", map[string]any{"controller": "did:web:elsewhere.example", "publicKeyMultibase": multibase(k.ed.Public())}),
			vm("key-9", "JsonWebKey2020", map[string]any{"publicKeyJwk": jwkOf(k.rsa1k.Public(), "")}),
			map[string]any{"id": "#key-10", "type": "Multikey", "controller": web, "publicKeyMultibase": multibase(k.ed2.Public())},
			vm("key-11", "Multikey", map[string]any{"publicKeyMultibase": multibase(k.ed.Public()), "secretKeyMultibase": "zrv"}),
			vm("key-12", "Multikey", map[string]any{"publicKeyMultibase": "zNotAKey0"}),
		},
		"assertionMethod": []any{
			"#key-1", web + "#key-4", web + "#key-5", "#key-10",
			map[string]any{"id": web + "#key-7", "type": "JsonWebKey2020", "controller": web, "publicKeyJwk": jwkOf(k.p384.Public(), "")},
		},
	}
}

func TestResolveDIDKey(t *testing.T) {
	k := testKeys()
	r := keys.NewResolver(nil)
	mb := multibase(k.ed.Public())
	for _, id := range []string{"did:key:" + mb, "did:key:" + mb + "#" + mb} {
		key, err := r.Resolve(context.Background(), id)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", id, err)
		}
		if !key.Public.(ed25519.PublicKey).Equal(k.ed.Public()) || key.Source != keys.SourceDIDKey ||
			!key.Authenticated || !key.AssertionMethod || key.Controller != "did:key:"+mb || key.ID != id {
			t.Errorf("Resolve(%s) = %+v", id, key)
		}
	}
	_, err := r.Resolve(context.Background(), "did:key:"+mb+"#key-1")
	var ke *keys.KeyError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "fragment") {
		t.Errorf("did:key with a foreign fragment: %v", err)
	}
}

func TestResolveDIDWeb(t *testing.T) {
	k := testKeys()
	w, client := newFakeWeb(t)
	w.put("example.com/.well-known/did.json", didWebDoc())
	r := keys.NewResolver(client)
	ctx := context.Background()

	good := []struct {
		frag      string
		want      any
		assertion bool
	}{
		{"key-1", k.ed.Public(), true},
		{"key-3", k.p256.Public(), false},
		{"key-4", k.ed2.Public(), true},
		{"key-5", k.rsa.Public(), true},
		{"key-7", k.p384.Public(), true}, // embedded in assertionMethod
		{"key-10", k.ed2.Public(), true}, // relative method id
	}
	for _, c := range good {
		id := web + "#" + c.frag
		key, err := r.Resolve(ctx, id)
		if err != nil {
			t.Errorf("Resolve(%s): %v", id, err)
			continue
		}
		if !sameKey(key.Public, c.want) {
			t.Errorf("Resolve(%s): wrong key %T", id, key.Public)
		}
		if key.Source != keys.SourceDIDWeb || !key.Authenticated || key.AssertionMethod != c.assertion ||
			key.Controller != web || key.URL != "https://example.com/.well-known/did.json" {
			t.Errorf("Resolve(%s) = %+v", id, key)
		}
	}

	bad := []struct {
		frag, want string
		private    bool
	}{
		{"key-2", "type is Ed25519VerificationKey2020 but its key is an ECDSA P-256 key", false},
		{"key-6", "private key", true},
		{"key-8", "controller mismatch", false},
		{"key-9", "RSA key of 1024 bits", false},
		{"key-11", "secretKeyMultibase", true},
		{"key-12", "publicKeyMultibase is not a supported key", false},
		{"nope", "has no verification method with that id", false},
	}
	for _, c := range bad {
		id := web + "#" + c.frag
		_, err := r.Resolve(ctx, id)
		var ke *keys.KeyError
		if !errors.As(err, &ke) || !strings.Contains(err.Error(), c.want) || errors.Is(err, keys.ErrPrivateKey) != c.private {
			t.Errorf("Resolve(%s) error = %v, want a *KeyError saying %q", id, err, c.want)
		}
	}
	_, err := r.Resolve(ctx, web+"#nope")
	want := "did:web:example.com#nope: the DID document at https://example.com/.well-known/did.json has no verification method with that id"
	if err == nil || err.Error() != want {
		t.Errorf("message:\n got %v\nwant %s", err, want)
	}
	for _, h := range w.accept {
		if h != keys.Accept {
			t.Errorf("Accept sent: %q", h)
		}
	}
}

func TestResolveDIDWebPathPortAndIdentity(t *testing.T) {
	k := testKeys()
	w, client := newFakeWeb(t)
	alice := "did:web:example.com:users:alice"
	w.put("example.com/users/alice/did.json", map[string]any{
		"id":                 alice,
		"verificationMethod": []any{map[string]any{"id": alice + "#k", "type": "Multikey", "controller": alice, "publicKeyMultibase": multibase(k.ed.Public())}},
	})
	port := "did:web:example.com%3A8443"
	w.put("example.com:8443/.well-known/did.json", map[string]any{
		"id":                 port,
		"verificationMethod": []any{map[string]any{"id": port + "#k", "type": "Multikey", "controller": port, "publicKeyMultibase": multibase(k.p256.Public())}},
	})
	w.put("example.com:9443/.well-known/did.json", map[string]any{"id": "did:web:example.org", "verificationMethod": []any{}})
	r := keys.NewResolver(client)
	ctx := context.Background()
	for _, id := range []string{alice + "#k", port + "#k", alice} {
		key, err := r.Resolve(ctx, id)
		if err != nil || !key.Authenticated || key.AssertionMethod {
			t.Errorf("Resolve(%s) = %+v, %v", id, key, err)
		}
	}
	_, err := r.Resolve(ctx, "did:web:example.com%3A9443#k")
	if !strings.Contains(errString(err), "is for did:web:example.org, not did:web:example.com%3A9443") {
		t.Errorf("DID document of another DID: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestResolveHTTPS(t *testing.T) {
	k := testKeys()
	w, client := newFakeWeb(t)
	issuer := "https://example.com/issuer"
	w.put("example.com/issuer", map[string]any{
		"id": issuer, "type": "Profile",
		"verificationMethod": []any{"https://example.com/keys/1", map[string]any{"id": issuer + "#k2", "type": "Multikey", "controller": issuer, "publicKeyMultibase": multibase(k.p256.Public())}},
		"assertionMethod":    []any{"https://example.com/keys/1"},
	})
	w.put("example.com/keys/1", map[string]any{"id": "https://example.com/keys/1", "type": "Multikey", "controller": issuer, "publicKeyMultibase": multibase(k.ed.Public())})
	w.put("example.com/keys/orphan", map[string]any{"id": "https://example.com/keys/orphan", "type": "Multikey", "controller": issuer, "publicKeyMultibase": multibase(k.ed.Public())})
	w.put("example.com/keys/nocontroller", map[string]any{"type": "Multikey", "publicKeyMultibase": multibase(k.ed.Public())})
	w.put("example.com/jwk", jwkOf(k.p256.Public(), ""))
	w.put("example.com/private-jwk", jwkOf(k.rsa, ""))
	w.put("example.com/jwks", map[string]any{"keys": []any{jwkOf(k.rsa.Public(), "rsa-1"), jwkOf(k.p256.Public(), "ec-1")}})
	w.put("example.com/one-jwks", map[string]any{"keys": []any{jwkOf(k.p384.Public(), "only")}})
	w.put("example.com/not-json", "<html>")
	// A document claiming to speak for another origin, or listing a key
	// whose controller is someone else.
	w.put("example.com/impostor", map[string]any{"id": "https://victim.example/issuer",
		"verificationMethod": []any{map[string]any{"id": "https://victim.example/issuer#k", "controller": "https://victim.example/issuer", "type": "Multikey", "publicKeyMultibase": multibase(k.ed.Public())}}})
	w.put("example.com/claims", map[string]any{
		"verificationMethod": []any{map[string]any{"id": "#k", "controller": "https://victim.example/issuer", "type": "Multikey", "publicKeyMultibase": multibase(k.ed.Public())}}})
	r := keys.NewResolver(client)
	ctx := context.Background()

	good := []struct {
		id         string
		want       any
		controller string
		assertion  bool
	}{
		{"https://example.com/keys/1", k.ed.Public(), issuer, true},
		{issuer + "#k2", k.p256.Public(), issuer, false},
		{"https://example.com/jwk", k.p256.Public(), "https://example.com/jwk", false},
		{"https://example.com/jwks#rsa-1", k.rsa.Public(), "https://example.com/jwks", false},
		{"https://example.com/jwks#ec-1", k.p256.Public(), "https://example.com/jwks", false},
		{"https://example.com/one-jwks", k.p384.Public(), "https://example.com/one-jwks", false},
	}
	for _, c := range good {
		key, err := r.Resolve(ctx, c.id)
		if err != nil {
			t.Errorf("Resolve(%s): %v", c.id, err)
			continue
		}
		if !sameKey(key.Public, c.want) || key.Source != keys.SourceHTTPS || !key.Authenticated ||
			key.Controller != c.controller || key.AssertionMethod != c.assertion {
			t.Errorf("Resolve(%s) = %+v", c.id, key)
		}
	}
	bad := []struct{ id, want string }{
		{"https://example.com/keys/orphan", "controller mismatch"},
		{"https://example.com/keys/nocontroller", "without a controller"},
		{"https://example.com/private-jwk", "private key"},
		{"https://example.com/jwks", "has 2 keys and the URL names none"},
		{"https://example.com/jwks#missing", "has no key with kid missing"},
		{"https://example.com/not-json", "is not a JSON object"},
		{issuer + "#k9", "has no verification method with that id"},
		{"http://example.com/jwk", "only fetched over https"},
		{"urn:uuid:1234", "neither a DID nor an https URL"},
		{"https://example.com/impostor#k", "says it is https://victim.example/issuer, on another origin"},
		{"https://example.com/claims#k", "controller mismatch"},
	}
	for _, c := range bad {
		_, err := r.Resolve(ctx, c.id)
		var ke *keys.KeyError
		if !errors.As(err, &ke) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Resolve(%s) error = %v, want a *KeyError saying %q", c.id, err, c.want)
		}
	}
}

func TestResolveFragmentKey(t *testing.T) {
	k := testKeys()
	mb := multibase(k.ed.Public())
	w, client := newFakeWeb(t)
	w.put("example.com/profile", map[string]any{"id": "https://example.com/profile", "type": "Profile"})
	w.put("example.com/listed", map[string]any{"id": "https://example.com/listed",
		"verificationMethod": []any{map[string]any{"id": "https://example.com/listed#" + mb, "type": "Multikey", "controller": "https://example.com/listed", "publicKeyMultibase": mb}},
		"assertionMethod":    []any{"https://example.com/listed#" + mb}})
	w.put("example.com/liar", map[string]any{"id": "https://example.com/liar",
		"verificationMethod": []any{map[string]any{"id": "#" + mb, "type": "Multikey", "publicKeyMultibase": multibase(k.ed2.Public())}}})
	w.putStatus("example.com/down", 503, "busy")
	ctx := context.Background()

	unauth := func(r *keys.Resolver, id string) {
		t.Helper()
		key, err := r.Resolve(ctx, id)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", id, err)
		}
		if key.Source != keys.SourceFragment || key.Authenticated || key.AssertionMethod ||
			!key.Public.(ed25519.PublicKey).Equal(k.ed.Public()) || key.Controller != strings.Split(id, "#")[0] {
			t.Errorf("Resolve(%s) = %+v, want the unauthenticated fragment key", id, key)
		}
	}
	unauth(keys.NewResolver(nil), "https://example.com/listed#"+mb)
	r := keys.NewResolver(client)
	unauth(r, "https://example.com/profile#"+mb)
	unauth(r, "https://example.com/down#"+mb)
	unauth(r, "https://example.com/missing#"+mb)

	key, err := r.Resolve(ctx, "https://example.com/listed#"+mb)
	if err != nil || key.Source != keys.SourceHTTPS || !key.Authenticated || !key.AssertionMethod {
		t.Errorf("listed fragment key = %+v, %v", key, err)
	}
	_, err = r.Resolve(ctx, "https://example.com/liar#"+mb)
	var ke *keys.KeyError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "another key") {
		t.Errorf("document contradicting the fragment: %v", err)
	}
}

func TestResolveUnavailable(t *testing.T) {
	w, client := newFakeWeb(t)
	w.putStatus("example.com/.well-known/did.json", 500, "oops")
	ctx := context.Background()

	_, err := keys.NewResolver(client).Resolve(ctx, web+"#key-1")
	var ue *keys.UnavailableError
	var se *keys.StatusError
	if !errors.As(err, &ue) || !errors.As(err, &se) || se.Status != 500 {
		t.Errorf("500: %v", err)
	}
	_, err = keys.NewResolver(client).Resolve(ctx, "https://example.com/absent#k")
	if !errors.As(err, &se) || se.Status != 404 {
		t.Errorf("404: %v", err)
	}

	// A port nothing listens on.
	l := w.srv.Listener.Addr().String()
	w.srv.Close()
	dead := fetch.New(fetch.Options{})
	_, err = keys.NewResolver(dead).Resolve(ctx, "https://"+l+"/key")
	var fe *fetch.Error
	if !errors.As(err, &ue) || !errors.As(err, &fe) || fe.Kind != fetch.KindConnect {
		t.Errorf("connection refused: %v", err)
	}

	_, err = keys.NewResolver(nil).Resolve(ctx, web+"#key-1")
	if !errors.As(err, &ue) || !errors.Is(err, keys.ErrOffline) {
		t.Errorf("offline: %v", err)
	}
	// A DID method badgebake cannot resolve is no failure of the
	// network: the key is refused, not left for later.
	_, err = keys.NewResolver(nil).Resolve(ctx, "did:example:123#k")
	var ke *keys.KeyError
	if errors.As(err, &ue) || !errors.As(err, &ke) || !errors.Is(err, keys.ErrUnsupportedDID) {
		t.Errorf("did:example: %v", err)
	}
}

func TestResolveCache(t *testing.T) {
	w, client := newFakeWeb(t)
	w.put("example.com/.well-known/did.json", didWebDoc())
	r := keys.NewResolver(client)
	ctx := context.Background()
	for range 3 {
		for _, frag := range []string{"key-1", "key-3", "nope"} {
			r.Resolve(ctx, web+"#"+frag)
		}
	}
	if n := w.hitCount("example.com/.well-known/did.json"); n != 1 {
		t.Errorf("the DID document was fetched %d times, want 1", n)
	}
	if s := client.Stats(); s.Requests != 1 || s.CacheHits != 0 {
		t.Errorf("fetch stats %+v: the resolver should ask the client once", s)
	}
	// A Key returned is the caller's: changing it changes nothing cached.
	k1, _ := r.Resolve(ctx, web+"#key-1")
	k1.Controller = "changed"
	k2, _ := r.Resolve(ctx, web+"#key-1")
	if k2.Controller != web {
		t.Errorf("cached key changed through a returned copy: %q", k2.Controller)
	}
}

func TestResolveConcurrent(t *testing.T) {
	w, client := newFakeWeb(t)
	w.put("example.com/.well-known/did.json", didWebDoc())
	r := keys.NewResolver(client)
	ctx := context.Background()
	done := make(chan error)
	for i := range 16 {
		go func() {
			var err error
			for j := range 50 {
				id := web + "#key-" + []string{"1", "3", "4", "7"}[(i+j)%4]
				var k *keys.Key
				if k, err = r.Resolve(ctx, id); err == nil {
					err = r.CheckIssuer(ctx, k, web)
					if id == web+"#key-3" {
						err = nil // listed, but not under assertionMethod
					}
				}
				if err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if n := w.hitCount("example.com/.well-known/did.json"); n != 1 {
		t.Errorf("fetched %d times, want 1", n)
	}
}

func BenchmarkResolveDIDWebCached(b *testing.B) {
	w, client := newFakeWeb(b)
	w.put("example.com/.well-known/did.json", didWebDoc())
	r := keys.NewResolver(client)
	ctx := context.Background()
	if _, err := r.Resolve(ctx, web+"#key-1"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.Resolve(ctx, web+"#key-1")
	}
}

func BenchmarkResolveDIDKey(b *testing.B) {
	r := keys.NewResolver(nil)
	id := "did:key:" + multibase(testKeys().ed.Public())
	for b.Loop() {
		r.Resolve(context.Background(), id)
	}
}
