package keyfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"strings"

	"github.com/badgebake/badgebake/proof/didkey"
)

// Contexts of the documents an issuer publishes.
const (
	ContextDID        = "https://www.w3.org/ns/did/v1"
	ContextMultikey   = "https://w3id.org/security/multikey/v1"
	ContextJWS2020    = "https://w3id.org/security/suites/jws-2020/v1"
	ContextOpenBadges = "https://w3id.org/openbadges/v2"
)

// DIDWebFragment is the fragment of the one verification method
// DIDWebDocument writes: "did:web:example.org#key-1".
const DIDWebFragment = "key-1"

// jwkMembers are the public members of the key's JWK, in the order RFC
// 7638 hashes them (lexicographic) for the thumbprint.
func (k *Key) jwkMembers() [][2]string {
	b64 := base64.RawURLEncoding.EncodeToString
	switch pub := k.Public().(type) {
	case ed25519.PublicKey:
		return [][2]string{{"crv", "Ed25519"}, {"kty", "OKP"}, {"x", b64(pub)}}
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		return [][2]string{{"crv", "P-256"}, {"kty", "EC"}, {"x", b64(pub.X.FillBytes(make([]byte, size)))}, {"y", b64(pub.Y.FillBytes(make([]byte, size)))}}
	case *rsa.PublicKey:
		return [][2]string{{"e", b64(big.NewInt(int64(pub.E)).Bytes())}, {"kty", "RSA"}, {"n", b64(pub.N.Bytes())}}
	}
	return nil
}

// Thumbprint is the key's RFC 7638 JWK thumbprint (SHA-256, base64url):
// the "kid" of PublicJWK.
func (k *Key) Thumbprint() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range k.jwkMembers() {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", m[0], m[1])
	}
	b.WriteByte('}')
	sum := sha256.Sum256([]byte(b.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// PublicJWK is the public key as a JWK: the key's public members, "kid"
// (its RFC 7638 thumbprint), "alg" and "use": "sig". It has no private
// member.
func (k *Key) PublicJWK() map[string]any {
	jwk := map[string]any{"kid": k.Thumbprint(), "alg": k.Alg(), "use": "sig"}
	for _, m := range k.jwkMembers() {
		jwk[m[0]] = m[1]
	}
	return jwk
}

// DIDKey is the key's did:key, without fragment. Only Ed25519 and P-256
// keys have one; an RSA key gives a *KeyTypeError.
func (k *Key) DIDKey() (string, error) {
	if k.Type == RSA {
		return "", &KeyTypeError{Type: RSA, Reason: "has no did:key here (only Ed25519 and P-256 keys do): name it by a did:web or https verification method"}
	}
	return didkey.FromPublicKey(k.Public())
}

// DIDKeyMethod is the id of the did:key's one verification method,
// "did:key:<multibase>#<multibase>": the verificationMethod of a Data
// Integrity proof, the kid of a VC-JWT.
func (k *Key) DIDKeyMethod() (string, error) {
	did, err := k.DIDKey()
	if err != nil {
		return "", err
	}
	return did + "#" + strings.TrimPrefix(did, didkey.Prefix), nil
}

// DIDWebDocument is a DID document for didWeb ("did:web:host[:path]"),
// to serve at the address the did:web names (https://host/.well-known/
// did.json, or https://host/path/did.json). It has one verification
// method, didWeb+"#key-1" — a Multikey for Ed25519 and P-256, a
// JsonWebKey2020 for RSA (Multikey has no RSA form) — listed under
// assertionMethod (signing credentials) and authentication.
func (k *Key) DIDWebDocument(didWeb string) ([]byte, error) {
	if err := checkDIDWeb(didWeb); err != nil {
		return nil, err
	}
	vmID := didWeb + "#" + DIDWebFragment
	vm := map[string]any{"id": vmID, "controller": didWeb}
	contexts := []string{ContextDID}
	if k.Type == RSA {
		jwk := map[string]any{}
		for _, m := range k.jwkMembers() {
			jwk[m[0]] = m[1]
		}
		vm["type"] = "JsonWebKey2020"
		vm["publicKeyJwk"] = jwk
		contexts = append(contexts, ContextJWS2020)
	} else {
		did, err := k.DIDKey()
		if err != nil {
			return nil, err
		}
		vm["type"] = "Multikey"
		vm["publicKeyMultibase"] = strings.TrimPrefix(did, didkey.Prefix)
		contexts = append(contexts, ContextMultikey)
	}
	doc := struct {
		Context            []string         `json:"@context"`
		ID                 string           `json:"id"`
		VerificationMethod []map[string]any `json:"verificationMethod"`
		AssertionMethod    []string         `json:"assertionMethod"`
		Authentication     []string         `json:"authentication"`
	}{contexts, didWeb, []map[string]any{vm}, []string{vmID}, []string{vmID}}
	return json.MarshalIndent(doc, "", "  ")
}

// DIDWebError is text that cannot be made into, or is not, a did:web.
type DIDWebError struct {
	Input  string
	Reason string
}

func (e *DIDWebError) Error() string { return fmt.Sprintf("%q %s", e.Input, e.Reason) }

func checkDIDWeb(did string) error {
	msid, ok := strings.CutPrefix(did, "did:web:")
	if !ok {
		return &DIDWebError{did, "is not a did:web (did:web:host[:path])"}
	}
	for i, part := range strings.Split(msid, ":") {
		if part == "" {
			return &DIDWebError{did, "has an empty part"}
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-_%", c)) {
				return &DIDWebError{did, fmt.Sprintf("has the character %q, which a did:web cannot hold", c)}
			}
		}
		if i == 0 {
			host, err := url.PathUnescape(part)
			if err != nil {
				return &DIDWebError{did, "has a host that is not well percent-encoded"}
			}
			if reason := checkHost(host); reason != "" {
				return &DIDWebError{did, reason}
			}
		} else if seg, err := url.PathUnescape(part); err != nil || seg == "." || seg == ".." || strings.ContainsAny(seg, "/?#\\") {
			return &DIDWebError{did, "has a path part that is not a plain path segment"}
		}
	}
	return nil
}

// checkHost checks a did:web host (decoded): a host name or IPv4
// address, and an optional port from 1 to 65535, as verifiers resolve it.
func checkHost(host string) string {
	name, port, hasPort := strings.Cut(host, ":")
	if name == "" {
		return "names no host"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Sprintf("has a host with %q, which a host name cannot hold", c)
		}
	}
	if strings.HasPrefix(name, ".") || strings.Contains(name, "..") {
		return fmt.Sprintf("has the host %q, which is not a host name", name)
	}
	if hasPort {
		// Digits only: Atoi alone would take a sign ("+1"), which a
		// did:web cannot hold.
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] < '1' || port[0] > '9' {
			return fmt.Sprintf("has the port %q, which is not a port number", port)
		}
	}
	return ""
}

// DIDWebFromHost writes the did:web of the host and optional path where
// the DID document will be served: "example.org" → "did:web:example.org"
// (document at https://example.org/.well-known/did.json),
// "example.org/issuers/1" → "did:web:example.org:issuers:1" (document at
// https://example.org/issuers/1/did.json), a port as "%3A":
// "localhost:8443" → "did:web:localhost%3A8443". An "https://" in front
// is dropped; a did:web is returned as it is when valid.
func DIDWebFromHost(hostPath string) (string, error) {
	in := hostPath
	if strings.HasPrefix(hostPath, "did:web:") {
		if err := checkDIDWeb(hostPath); err != nil {
			return "", err
		}
		return hostPath, nil
	}
	s := strings.TrimPrefix(hostPath, "https://")
	if strings.Contains(s, "://") {
		return "", &DIDWebError{in, "is not a host and path: a did:web document is served over https"}
	}
	s = strings.TrimSuffix(s, "/did.json")
	s = strings.TrimSuffix(s, "/.well-known")
	s = strings.Trim(s, "/")
	if s == "" {
		return "", &DIDWebError{in, "names no host"}
	}
	segs := strings.Split(s, "/")
	host := segs[0]
	if reason := checkHost(host); reason != "" {
		return "", &DIDWebError{in, reason}
	}
	name, port, hasPort := strings.Cut(host, ":")
	out := "did:web:" + strings.ToLower(name)
	if hasPort {
		out += "%3A" + port
	}
	for _, seg := range segs[1:] {
		if seg == "" || seg == "." || seg == ".." {
			return "", &DIDWebError{in, "has an empty or relative path segment"}
		}
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
				return "", &DIDWebError{in, fmt.Sprintf("has a path with %q; use letters, digits, '.', '-' and '_'", c)}
			}
		}
		out += ":" + seg
	}
	return out, nil
}

// CryptographicKey is the Open Badges 2.0 CryptographicKey document of
// the key, to serve at keyURL: the verification.creator of signed
// assertions, whose publicKeyPem a verifier checks them with. owner, the
// Issuer profile's URL, may be empty (the profile's publicKey then must
// list keyURL). Open Badges 2.0 signs with RS256 only, so only an RSA key
// has one; others give a *KeyTypeError.
func (k *Key) CryptographicKey(keyURL, owner string) ([]byte, error) {
	if k.Type != RSA {
		return nil, &KeyTypeError{Type: k.Type, Reason: "cannot sign Open Badges 2.0 assertions, which are RS256: make an RSA key (keygen --type rsa) for a CryptographicKey"}
	}
	for i, u := range []string{keyURL, owner} {
		if i == 1 && u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
			return nil, fmt.Errorf("%q is not an http(s) URL: an Open Badges 2.0 key and its owner are hosted documents", u)
		}
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, err
	}
	doc := struct {
		Context      string `json:"@context"`
		Type         string `json:"type"`
		ID           string `json:"id"`
		Owner        string `json:"owner,omitempty"`
		PublicKeyPem string `json:"publicKeyPem"`
	}{ContextOpenBadges, "CryptographicKey", keyURL, owner, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
	return json.MarshalIndent(doc, "", "  ")
}

// ErrMismatch is returned by Matches for a public key that is not the key's.
var ErrMismatch = errors.New("keyfile: the public key is not this key's")

// Matches reports (nil) whether pub is the public half of k.
func (k *Key) Matches(pub crypto.PublicKey) error {
	type equaler interface{ Equal(x crypto.PublicKey) bool }
	if e, ok := k.Public().(equaler); ok && e.Equal(pub) {
		return nil
	}
	return ErrMismatch
}
