package vcjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// SignOptions say how Sign writes the token.
type SignOptions struct {
	// Alg is the algorithm; "" picks the key's: EdDSA, ES256, ES384 or
	// RS256.
	Alg string
	// Kid is the header's "kid": the key's id (a DID URL or an https URL).
	Kid string
	// EmbedJWK puts the public key in the header as "jwk" instead of a
	// kid. Exactly one of Kid and EmbedJWK must be set.
	EmbedJWK bool
	// Typ is the header's "typ"; "" writes "JWT".
	Typ string
	// UnderVC puts the credential under a "vc" claim (VCDM 1.1) instead
	// of making it the payload.
	UnderVC bool
}

// Sign makes a VC-JWT of credential with key (ed25519.PrivateKey,
// *ecdsa.PrivateKey of P-256 or P-384, *rsa.PrivateKey, or any
// crypto.Signer over such a key). The claims iss, jti, nbf, exp and sub
// are set from the credential's issuer, id, validFrom (issuanceDate),
// validUntil (expirationDate) and subject id, when it has them. The
// credential is not changed.
func Sign(credential map[string]any, key crypto.Signer, opts SignOptions) (string, error) {
	pub := key.Public()
	alg := opts.Alg
	if alg == "" {
		alg = defaultAlg(pub)
	}
	if !isAllowed(alg) {
		return "", fmt.Errorf("vcjwt: algorithm %q is not one of %v", alg, Algorithms)
	}
	if reason := algFits(alg, pub); reason != "" {
		return "", errors.New("vcjwt: " + reason)
	}
	typ := opts.Typ
	if typ == "" {
		typ = "JWT"
	}
	header := map[string]any{"alg": alg, "typ": typ}
	switch {
	case opts.Kid != "" && opts.EmbedJWK:
		return "", errors.New("vcjwt: set Kid or EmbedJWK, not both")
	case opts.Kid != "":
		header["kid"] = opts.Kid
	case opts.EmbedJWK:
		header["jwk"] = jose.JSONWebKey{Key: pub}
	default:
		return "", errors.New("vcjwt: set Kid or EmbedJWK: a verifier needs to find the key")
	}
	var claims map[string]any
	if opts.UnderVC {
		claims = map[string]any{"vc": credential}
	} else {
		claims = maps.Clone(credential)
	}
	if err := setClaims(claims, credential); err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("vcjwt: the credential cannot be written as JSON: %w", err)
	}
	return signCompact(header, payload, key, alg)
}

func defaultAlg(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return "EdDSA"
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P384() {
			return "ES384"
		}
		return "ES256"
	case *rsa.PublicKey:
		return "RS256"
	}
	return ""
}

func setClaims(claims, cred map[string]any) error {
	if iss := issuerID(cred); iss != "" {
		claims["iss"] = iss
	}
	if id, _ := cred["id"].(string); id != "" {
		claims["jti"] = id
	}
	if sub := subjectID(cred); sub != "" {
		claims["sub"] = sub
	}
	for _, d := range [][3]string{{"nbf", "validFrom", "issuanceDate"}, {"exp", "validUntil", "expirationDate"}} {
		v, ok := cred[d[1]]
		if !ok {
			v, ok = cred[d[2]]
		}
		if !ok {
			continue
		}
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("vcjwt: the credential's %s %v is not a date and time", d[1], v)
		}
		claims[d[0]] = t.Unix()
	}
	return nil
}

// signCompact writes the compact JWS of header and payload.
func signCompact(header map[string]any, payload []byte, key crypto.Signer, alg string) (string, error) {
	hb, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("vcjwt: header: %w", err)
	}
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sig, err := signBytes([]byte(input), key, alg)
	if err != nil {
		return "", fmt.Errorf("vcjwt: signing: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func signBytes(msg []byte, key crypto.Signer, alg string) ([]byte, error) {
	switch alg {
	case "EdDSA":
		return key.Sign(rand.Reader, msg, crypto.Hash(0))
	case "RS256":
		d := sha256.Sum256(msg)
		return key.Sign(rand.Reader, d[:], crypto.SHA256)
	case "PS256":
		d := sha256.Sum256(msg)
		return key.Sign(rand.Reader, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	case "ES256", "ES384":
		var digest []byte
		var h crypto.Hash
		size := 32
		if alg == "ES256" {
			d := sha256.Sum256(msg)
			digest, h = d[:], crypto.SHA256
		} else {
			d := sha512.Sum384(msg)
			digest, h, size = d[:], crypto.SHA384, 48
		}
		der, err := key.Sign(rand.Reader, digest, h)
		if err != nil {
			return nil, err
		}
		// JWS wants r and s as fixed-size big-endian halves, not ASN.1.
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(der, &rs); err != nil {
			return nil, err
		}
		out := make([]byte, 2*size)
		rs.R.FillBytes(out[:size])
		rs.S.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("algorithm %q", alg)
}
