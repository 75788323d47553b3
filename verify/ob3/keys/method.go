package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/proof/didkey"
)

// MinRSABits is the smallest RSA modulus accepted.
const MinRSABits = 2048

// keyMaterial is a public key read from a verification method or JWK,
// and the "alg" its JWK names, if any.
type keyMaterial struct {
	public crypto.PublicKey
	alg    string
}

// failure is what is wrong with a key, in words, and the sentinel if one
// applies.
type failure struct {
	reason string
	err    error
}

// privateMembers are the members that only a private or secret JWK or
// verification method has.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

var privateMethodMembers = []string{"secretKeyMultibase", "privateKeyMultibase", "privateKeyBase58", "privateKeyJwk", "privateKeyHex", "privateKeyPem"}

// methodKey reads the key of verification method vm.
func methodKey(vm map[string]any) (keyMaterial, *failure) {
	for _, m := range privateMethodMembers {
		if _, ok := vm[m]; ok {
			return keyMaterial{}, &failure{"the verification method carries a private key (" + m + "); it must never be published", ErrPrivateKey}
		}
	}
	typ, _ := vm["type"].(string)
	var km keyMaterial
	switch {
	case vm["publicKeyMultibase"] != nil:
		mb, ok := vm["publicKeyMultibase"].(string)
		if !ok {
			return km, &failure{reason: "publicKeyMultibase is not a string"}
		}
		k, err := didkey.Parse(didkey.Prefix + mb)
		if err != nil {
			var de *didkey.Error
			if errors.As(err, &de) {
				return km, &failure{reason: "publicKeyMultibase is not a supported key: " + de.Detail}
			}
			return km, &failure{reason: "publicKeyMultibase is not a supported key"}
		}
		km.public = k.Public
	case vm["publicKeyJwk"] != nil:
		jwk, ok := vm["publicKeyJwk"].(map[string]any)
		if !ok {
			return km, &failure{reason: "publicKeyJwk is not a JSON object"}
		}
		var f *failure
		if km, f = jwkKey(jwk); f != nil {
			f.reason = "publicKeyJwk " + f.reason
			return km, f
		}
	case vm["publicKeyBase58"] != nil:
		s, ok := vm["publicKeyBase58"].(string)
		if !ok {
			return km, &failure{reason: "publicKeyBase58 is not a string"}
		}
		b, err := didkey.DecodeBase58(s)
		if err != nil {
			var de *didkey.Error
			errors.As(err, &de)
			return km, &failure{reason: "publicKeyBase58 is not base58: " + de.Detail}
		}
		if len(b) != ed25519.PublicKeySize {
			return km, &failure{reason: fmt.Sprintf("publicKeyBase58 has %d bytes; only Ed25519 keys (32 bytes) are read from it", len(b))}
		}
		km.public = ed25519.PublicKey(b)
	default:
		return km, &failure{reason: "the verification method has no publicKeyMultibase, publicKeyJwk or publicKeyBase58"}
	}
	switch typ {
	case "Ed25519VerificationKey2020", "Ed25519VerificationKey2018":
		if _, ok := km.public.(ed25519.PublicKey); !ok {
			return km, &failure{reason: "the verification method's type is " + typ + " but its key is " + describeKey(km.public)}
		}
	case "EcdsaSecp256r1VerificationKey2019":
		if k, ok := km.public.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
			return km, &failure{reason: "the verification method's type is " + typ + " but its key is " + describeKey(km.public)}
		}
	}
	return km, nil
}

// jwkKey reads a public JWK. The reason of a failure reads after "the
// JWK" or "publicKeyJwk".
func jwkKey(jwk map[string]any) (keyMaterial, *failure) {
	var km keyMaterial
	for _, m := range privateMembers {
		if _, ok := jwk[m]; ok {
			if m == "k" {
				return km, &failure{"is a secret (symmetric) key, \"k\"; only public keys verify a credential", ErrPrivateKey}
			}
			return km, &failure{"is a private key (it has " + strconv.Quote(m) + "); a private key must never be published", ErrPrivateKey}
		}
	}
	kty, _ := jwk["kty"].(string)
	crv, _ := jwk["crv"].(string)
	switch {
	case kty == "OKP" && crv == "Ed25519":
	case kty == "EC" && (crv == "P-256" || crv == "P-384"):
	case kty == "RSA":
	default:
		return km, &failure{reason: fmt.Sprintf("has kty %q, crv %q: only Ed25519 (OKP), P-256 and P-384 (EC) and RSA keys are supported", kty, crv)}
	}
	raw, err := json.Marshal(jwk)
	if err != nil {
		return km, &failure{reason: "cannot be read: " + err.Error()}
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil {
		return km, &failure{reason: "is malformed: " + err.Error()}
	}
	if !k.IsPublic() {
		return km, &failure{"is a private key; a private key must never be published", ErrPrivateKey}
	}
	switch pub := k.Key.(type) {
	case ed25519.PublicKey:
		km.public = pub
	case *ecdsa.PublicKey:
		km.public = pub
	case *rsa.PublicKey:
		if pub.N.BitLen() < MinRSABits {
			return km, &failure{reason: fmt.Sprintf("is an RSA key of %d bits, fewer than %d", pub.N.BitLen(), MinRSABits)}
		}
		km.public = pub
	default:
		return km, &failure{reason: fmt.Sprintf("holds a %T, not a supported public key", k.Key)}
	}
	km.alg, _ = jwk["alg"].(string)
	return km, nil
}

// describeKey names a key's type for messages: "an Ed25519 key".
func describeKey(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return "an Ed25519 key"
	case *ecdsa.PublicKey:
		return "an ECDSA " + k.Curve.Params().Name + " key"
	case *rsa.PublicKey:
		return "an RSA key"
	}
	return fmt.Sprintf("a %T", pub)
}

// InlineJWK reads the public JWK of a JWT header ("jwk"), as JSON decoded
// into a map: a Key of SourceInline, not Authenticated, whose ID is the
// JWK's "kid" if it has one. Errors are *KeyError; a JWK with a private
// part gives one that wraps ErrPrivateKey.
func InlineJWK(jwk map[string]any) (*Key, error) {
	km, f := jwkKey(jwk)
	if f != nil {
		return nil, &KeyError{Reason: "the JWK " + f.reason, Err: f.err}
	}
	kid, _ := jwk["kid"].(string)
	return &Key{ID: kid, Public: km.public, Source: SourceInline, Alg: km.alg}, nil
}
