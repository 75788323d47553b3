package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/jsonin"
)

// FuzzParseDocument reads arbitrary fetched documents as a DID document,
// controller document, key document, JWK or JWKS: never a panic, and a
// failure is always a *KeyError; a key found is one of the supported types.
func FuzzParseDocument(f *testing.F) {
	f.Add([]byte(`{"id":"did:web:example.com","verificationMethod":[{"id":"#k","type":"Multikey","controller":"did:web:example.com","publicKeyMultibase":"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}],"assertionMethod":["#k"]}`), "did:web:example.com#k", true)
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"a"}]}`), "https://example.com/jwks#a", false)
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}`), "https://example.com/k", false)
	f.Add([]byte(`{"id":"https://example.com/k","type":"Ed25519VerificationKey2018","controller":"https://example.com/i","publicKeyBase58":"H3C2AVvLMv6gmMNam3uVAjZpfkcJCwDwnZn6z3wXmqPV"}`), "https://example.com/k", false)
	f.Add([]byte(`{"keys":[1,{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`), "https://example.com/jwks", false)
	f.Fuzz(func(t *testing.T, body []byte, id string, didDoc bool) {
		doc, err := jsonin.DecodeObject(body)
		if err != nil {
			return
		}
		base, frag, _ := strings.Cut(id, "#")
		got, err := keyFromDocument(id, base, frag, "https://example.com/doc", doc, didDoc)
		if err != nil {
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		switch got.km.public.(type) {
		case ed25519.PublicKey, *ecdsa.PublicKey, *rsa.PublicKey:
		default:
			t.Fatalf("unsupported key %T", got.km.public)
		}
	})
}

// FuzzDIDWebURL: a did:web either maps to an https URL on the host it
// names, or is refused with a *KeyError.
func FuzzDIDWebURL(f *testing.F) {
	for _, s := range []string{"did:web:example.com", "did:web:example.com%3A8443:u:alice", "did:web:a:%2e%2e", "did:web:a%3A", "did:web:x:y%2Fz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, did string) {
		got, err := DIDWebURL(did)
		if err != nil {
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || !strings.HasSuffix(u.Path, "/did.json") {
			t.Fatalf("DIDWebURL(%q) = %q", did, got)
		}
		host, _ := url.PathUnescape(strings.Split(strings.TrimPrefix(did, DIDWebPrefix), ":")[0])
		if u.Host != host {
			t.Fatalf("DIDWebURL(%q) = %q: host %q, want %q", did, got, u.Host, host)
		}
		if strings.Contains(u.Path, "/../") || strings.Contains(u.Path, "/./") || strings.Contains(u.Path, "//") {
			t.Fatalf("DIDWebURL(%q) = %q: path escapes", did, got)
		}
	})
}
