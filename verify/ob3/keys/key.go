// Package keys finds the public key an Open Badges 3.0 proof names and
// says whether it belongs to the credential's issuer: did:key (from the
// identifier itself), did:web and HTTPS controller documents (fetched
// through the verifier's fetch client, with its SSRF rules and cache),
// HTTPS URLs serving a JWK or JWKS, and keys that are only written in a
// URL fragment or inline in a JWT header, which prove integrity but not
// who signed.
package keys

import "crypto"

// Source says where a key came from.
type Source string

const (
	SourceDIDKey   Source = "did:key"  // the identifier is the key
	SourceDIDWeb   Source = "did:web"  // a fetched did:web DID document
	SourceHTTPS    Source = "https"    // a fetched key or controller document, or JWK/JWKS
	SourceFragment Source = "fragment" // a multibase key in a URL fragment, not fetched
	SourceInline   Source = "inline"   // a JWT header's jwk
)

// Key is a resolved public key.
type Key struct {
	// ID is the verification method id (or JWT kid) as the proof names it.
	ID string
	// Controller is the DID or URL that controls the key, as its
	// document says (for a did:key, the DID; for a fragment key, the URL
	// before '#').
	Controller string
	// Public is ed25519.PublicKey, *ecdsa.PublicKey or *rsa.PublicKey.
	Public crypto.PublicKey
	// Source is where the key came from.
	Source Source
	// Authenticated is true when a controller document the verifier
	// resolved itself (a did:key, a fetched DID or controller document)
	// vouches for the key; false for SourceFragment and SourceInline keys,
	// which prove integrity but not who signed.
	Authenticated bool
	// AssertionMethod is true when the controller document lists the key
	// under assertionMethod (always for did:key).
	AssertionMethod bool
	// URL is the address the key's document was fetched from, without
	// fragment (SourceDIDWeb and SourceHTTPS); "" for keys that needed
	// no fetch.
	URL string
	// Alg is the "alg" of a key that came as a JWK naming one; "" when
	// the key does not restrict its algorithm.
	Alg string
}
