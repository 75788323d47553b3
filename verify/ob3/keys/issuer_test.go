package keys_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/verify/ob3/keys"
)

func TestCheckIssuer(t *testing.T) {
	k := testKeys()
	w, client := newFakeWeb(t)
	w.put("example.com/.well-known/did.json", didWebDoc())
	didKey := "did:key:" + multibase(k.ed.Public())
	otherDIDKey := "did:key:" + multibase(k.ed2.Public())
	// A did:web issuer that signs with a did:key it lists under assertionMethod.
	w.put("example.com/delegates/did.json", map[string]any{
		"id":              "did:web:example.com:delegates",
		"assertionMethod": []any{didKey + "#" + multibase(k.ed.Public())},
	})
	w.put("example.com/jwks", map[string]any{"keys": []any{jwkOf(k.p256.Public(), "ec-1")}})
	w.put("example.com:8443/jwks", map[string]any{"keys": []any{jwkOf(k.p256.Public(), "ec-1")}})
	r := keys.NewResolver(client)
	ctx := context.Background()
	resolve := func(id string) *keys.Key {
		t.Helper()
		key, err := r.Resolve(ctx, id)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", id, err)
		}
		return key
	}
	mb := multibase(k.ed.Public())
	inline, err := keys.InlineJWK(jwkOf(k.ed.Public(), ""))
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		key    *keys.Key
		issuer string
		want   string // "" for nil, else part of the *IssuerError's reason
	}{
		{"did:key, its DID", resolve(didKey), didKey, ""},
		{"did:key with fragment, its DID", resolve(didKey + "#" + mb), didKey, ""},
		{"did:key, another did:key", resolve(didKey), otherDIDKey, "lists only the issuer's own key"},
		{"did:web assertion key", resolve(web + "#key-1"), web, ""},
		{"did:web embedded assertion key", resolve(web + "#key-7"), web, ""},
		{"did:web key not for assertion", resolve(web + "#key-3"), web, "lists the key, but not under assertionMethod"},
		{"did:key listed by a did:web issuer", resolve(didKey), "did:web:example.com:delegates", ""},
		{"did:key not listed by a did:web issuer", resolve(otherDIDKey), "did:web:example.com:delegates", "does not list the key"},
		{"did:web key, https issuer", resolve(web + "#key-1"), "https://example.com/issuer", "comes from a did:web"},
		{"https key, same origin", resolve("https://example.com/jwks#ec-1"), "https://example.com/issuer", ""},
		{"https key, other port", resolve("https://example.com:8443/jwks#ec-1"), "https://example.com/issuer", "served from https://example.com:8443"},
		{"https key, DID issuer", resolve("https://example.com/jwks#ec-1"), web, "does not list the key"},
		{"fragment key, its URL", resolve("https://example.com/issuer#" + mb), "https://example.com/issuer", ""},
		{"fragment key, another URL", resolve("https://example.com/issuer#" + mb), "https://example.com/other", "not the issuer's id"},
		{"inline key", inline, "https://example.com/issuer", "JWT header itself"},
		{"no issuer", resolve(didKey), "", "names no issuer"},
		{"issuer neither DID nor URL", resolve("https://example.com/jwks#ec-1"), "urn:uuid:1", "neither a DID nor an https URL"},
	}
	for _, c := range cases {
		err := r.CheckIssuer(ctx, c.key, c.issuer)
		var ie *keys.IssuerError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (!errors.As(err, &ie) || !strings.Contains(ie.Reason, c.want) || ie.IssuerID != c.issuer):
			t.Errorf("%s: error %v, want an *IssuerError saying %q", c.name, err, c.want)
		}
	}

	// The issuer's DID document cannot be fetched: indeterminate.
	err = r.CheckIssuer(ctx, resolve(didKey), "did:web:example.com:gone")
	var ue *keys.UnavailableError
	if !errors.As(err, &ue) {
		t.Errorf("unfetchable issuer document: %v", err)
	}
	err = keys.NewResolver(nil).CheckIssuer(ctx, resolve(didKey), web)
	if !errors.As(err, &ue) || !errors.Is(err, keys.ErrOffline) {
		t.Errorf("offline did:web issuer: %v", err)
	}
}

func TestDIDWebURL(t *testing.T) {
	for _, c := range []struct{ did, want string }{
		{"did:web:example.com", "https://example.com/.well-known/did.json"},
		{"did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"},
		{"did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"},
		{"did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"},
		{"did:web:example.com:a%20b", "https://example.com/a%20b/did.json"},
	} {
		got, err := keys.DIDWebURL(c.did)
		if err != nil || got != c.want {
			t.Errorf("DIDWebURL(%s) = %q, %v; want %q", c.did, got, err, c.want)
		}
	}
	for _, did := range []string{
		"did:web:", "did:web:example.com#key-1", "did:web:example.com/path", "did:key:z6Mk",
		"did:web:example.com::a", "did:web:example.com:..", "did:web:example.com:a%2Fb",
		"did:web:example.com%3A0", "did:web:example.com%3A99999", "did:web:example.com%3Ax",
		"did:web:%3A80", "did:web:exa%mple.com", "did:web:user%40example.com", "did:web:.example.com",
	} {
		_, err := keys.DIDWebURL(did)
		var ke *keys.KeyError
		if !errors.As(err, &ke) || ke.ID != did {
			t.Errorf("DIDWebURL(%s) error = %v, want a *KeyError", did, err)
		}
	}
}
