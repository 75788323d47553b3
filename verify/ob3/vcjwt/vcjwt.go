// Package vcjwt verifies and signs Open Badges 3.0 credentials secured as
// VC-JWTs: a compact JWS whose payload is the credential (VCDM 2.0) or
// holds it under a "vc" claim (VCDM 1.1), with the JWT claims iss, jti,
// nbf, exp and sub repeating the credential's issuer, id, validFrom,
// validUntil and subject.
//
// [Verify] refuses what a verifier must never accept (an unsigned or HMAC
// token, a private key in the header, an algorithm that does not fit the
// key), finds the key through a [KeyResolver] (a *keys.Resolver), checks
// the signature and that the claims agree with the credential. It does
// not look at the clock: the validity period is returned for the caller,
// which also decides whether the key belongs to the issuer
// (keys.Resolver.CheckIssuer). [Sign] makes such a token.
package vcjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/proof/jws"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// Algorithms are the signature algorithms Verify accepts: RS256 (the one
// Open Badges 3.0 requires), PS256, ES256, ES384 and EdDSA (Ed25519).
var Algorithms = []string{"RS256", "PS256", "ES256", "ES384", "EdDSA"}

var allowed = func() []jose.SignatureAlgorithm {
	a := make([]jose.SignatureAlgorithm, len(Algorithms))
	for i, s := range Algorithms {
		a[i] = jose.SignatureAlgorithm(s)
	}
	return a
}()

// KeyResolver finds the key a kid names; a *keys.Resolver is one.
type KeyResolver interface {
	Resolve(ctx context.Context, id string) (*keys.Key, error)
}

// Result is a verified VC-JWT.
type Result struct {
	// Credential is the credential: the payload itself, or its "vc"
	// claim. Numbers are json.Number.
	Credential map[string]any
	// Claims is the whole payload.
	Claims map[string]any
	// Alg, Kid and Typ are the header's ("" when absent).
	Alg, Kid, Typ string
	// Key is the key that verified the signature: resolved from Kid, or
	// the header's inline jwk (Source keys.SourceInline, not
	// Authenticated).
	Key *keys.Key
	// InVC is true when the credential came under a "vc" claim (VCDM 1.1).
	InVC bool
	// NotBefore and Expires are the validity period, from nbf and exp or
	// else from the credential's validFrom (issuanceDate) and validUntil
	// (expirationDate); nil when neither says. Verify does not compare
	// them with the clock.
	NotBefore, Expires *time.Time
}

// Verify checks the VC-JWT token, finding its key with r (nil: only an
// inline jwk can be used).
//
// The header must have an accepted alg (see Algorithms) that fits the
// key, exactly one of kid and jwk, no crit, and a typ, if any, of "JWT" or
// "vc+jwt" (the VC-JOSE-COSE value, accepted too). Other header
// parameters are ignored; in particular jku and x5u are never fetched. A
// kid "#frag" is resolved against the iss claim.
//
// Each of the claims iss, jti, nbf, exp and sub is compared with the
// credential when both are present; a missing claim is not an error (the
// 1EdTech validator does not require sub, and VCDM 2.0 tokens may carry
// none). Errors:
// *jws.FormatError (not a compact JWS), *HeaderError, *PayloadError,
// *SignatureError, *ClaimError, and r's errors unchanged
// (*keys.UnavailableError, *keys.KeyError).
func Verify(ctx context.Context, token string, r KeyResolver) (*Result, error) {
	j, err := jws.Parse(strings.TrimSpace(token))
	if err != nil {
		return nil, err
	}
	return VerifyParsed(ctx, j, nil, r)
}

// VerifyParsed is Verify for a token already read with jws.Parse, and
// its payload already decoded (claims, with numbers as json.Number, as
// payload.Parse gives them; nil: decoded here), so a verifier that has
// read the input once does not read it again.
func VerifyParsed(ctx context.Context, j *jws.JWS, claims map[string]any, r KeyResolver) (*Result, error) {
	h := j.Header
	res := &Result{Alg: h.Alg, Kid: h.Kid, Typ: h.Typ}
	if err := checkHeader(h); err != nil {
		return nil, err
	}
	if claims == nil {
		var err error
		if claims, err = jsonin.DecodeObject(j.Payload); err != nil {
			return nil, &PayloadError{Reason: "is not a JSON object", Err: err}
		}
	}
	res.Claims = claims
	if vc, ok := claims["vc"].(map[string]any); ok {
		res.Credential, res.InVC = vc, true
	} else if _, ok := claims["@context"]; ok {
		res.Credential = withoutRegisteredClaims(claims)
	} else {
		return nil, &PayloadError{Reason: `holds no credential: it has neither "@context" nor a "vc" object`}
	}

	key, err := headerKey(ctx, h, claims, r)
	if err != nil {
		return nil, err
	}
	res.Key = key
	if reason := algFits(h.Alg, key.Public); reason != "" {
		return nil, &HeaderError{Param: "alg", Reason: reason}
	}
	if key.Alg != "" && key.Alg != h.Alg {
		return nil, &HeaderError{Param: "alg", Reason: "alg is " + strconv.Quote(h.Alg) + " but the key is for " + strconv.Quote(key.Alg)}
	}
	sig, err := j.Signed(allowed)
	if err != nil {
		return nil, &HeaderError{Reason: "cannot be read: " + err.Error(), Err: err}
	}
	if _, err := sig.Verify(key.Public); err != nil {
		return nil, &SignatureError{KeyID: h.Kid, Err: err}
	}
	if err := checkClaims(res); err != nil {
		return nil, err
	}
	return res, nil
}

// checkHeader applies the rules that need no key.
func checkHeader(h jws.Header) error {
	switch alg := h.Alg; {
	case alg == "":
		return &HeaderError{Param: "alg", Reason: `has no "alg"`}
	case strings.EqualFold(alg, "none"):
		return &HeaderError{Param: "alg", Reason: `says "alg": "none": an unsigned JWT proves nothing`}
	case strings.HasPrefix(alg, "HS"):
		return &HeaderError{Param: "alg", Reason: "says " + strconv.Quote(alg) + ": an HMAC is made with a shared secret and cannot show who issued a credential"}
	case !isAllowed(alg):
		return &HeaderError{Param: "alg", Reason: "algorithm " + strconv.Quote(alg) + " is not accepted (accepted: " + strings.Join(Algorithms, ", ") + ")"}
	}
	if _, ok := h.Params["crit"]; ok {
		return &HeaderError{Param: "crit", Reason: `has "crit": no header extension is understood here`}
	}
	if _, ok := h.Params["typ"]; ok {
		typ, isString := h.Params["typ"].(string)
		t := strings.ToLower(strings.TrimPrefix(strings.ToLower(typ), "application/"))
		if !isString || (t != "jwt" && t != "vc+jwt") {
			return &HeaderError{Param: "typ", Reason: `"typ" must be "JWT" or "vc+jwt"`}
		}
	}
	_, hasKid := h.Params["kid"]
	_, hasJWK := h.Params["jwk"]
	switch {
	case hasKid && hasJWK:
		return &HeaderError{Param: "jwk", Reason: `has both "kid" and "jwk"; it must name its key one way`}
	case !hasKid && !hasJWK:
		return &HeaderError{Param: "kid", Reason: `has neither "kid" nor "jwk": there is no key to verify with`}
	case hasKid && h.Kid == "":
		return &HeaderError{Param: "kid", Reason: `"kid" is not a non-empty string`}
	}
	return nil
}

func isAllowed(alg string) bool {
	for _, a := range Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}

// headerKey is the key the header names.
func headerKey(ctx context.Context, h jws.Header, claims map[string]any, r KeyResolver) (*keys.Key, error) {
	if raw, ok := h.Params["jwk"]; ok {
		jwk, ok := raw.(map[string]any)
		if !ok {
			return nil, &HeaderError{Param: "jwk", Reason: `"jwk" is not a JSON object`}
		}
		k, err := keys.InlineJWK(jwk)
		if errors.Is(err, keys.ErrPrivateKey) {
			return nil, &HeaderError{Param: "jwk", Reason: "carries a private key", Err: err}
		}
		if err != nil {
			return nil, &HeaderError{Param: "jwk", Reason: "has an unusable jwk: " + err.Error(), Err: err}
		}
		return k, nil
	}
	kid := h.Kid
	if strings.HasPrefix(kid, "#") {
		iss, _ := claims["iss"].(string)
		if iss == "" {
			return nil, &HeaderError{Param: "kid", Reason: "kid " + strconv.Quote(kid) + ` is relative and there is no "iss" to resolve it against`}
		}
		kid = strings.SplitN(iss, "#", 2)[0] + kid
	}
	if r == nil {
		return nil, &keys.UnavailableError{ID: kid, Err: keys.ErrOffline}
	}
	return r.Resolve(ctx, kid)
}

// algFits says why alg cannot be used with pub, or "".
func algFits(alg string, pub crypto.PublicKey) string {
	var ok bool
	switch k := pub.(type) {
	case ed25519.PublicKey:
		ok = alg == "EdDSA"
	case *ecdsa.PublicKey:
		ok = alg == "ES256" && k.Curve == elliptic.P256() || alg == "ES384" && k.Curve == elliptic.P384()
	case *rsa.PublicKey:
		ok = alg == "RS256" || alg == "PS256"
	}
	if ok {
		return ""
	}
	return "algorithm " + strconv.Quote(alg) + " does not fit the key, " + keyKind(pub)
}

func keyKind(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return "an Ed25519 key (EdDSA)"
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P384() {
			return "a P-384 key (ES384)"
		}
		return "a " + k.Curve.Params().Name + " key (ES256)"
	case *rsa.PublicKey:
		return "an RSA key (RS256, PS256)"
	}
	return "of an unsupported type"
}

// checkClaims compares the JWT claims with the credential and fills in
// the validity period.
func checkClaims(res *Result) error {
	c, cred := res.Claims, res.Credential
	if iss, ok := c["iss"]; ok {
		if want := issuerID(cred); want != "" && iss != want {
			return &ClaimError{Claim: "iss", Want: want, Got: show(iss)}
		}
	}
	if jti, ok := c["jti"]; ok {
		if want, _ := cred["id"].(string); want != "" && jti != want {
			return &ClaimError{Claim: "jti", Want: want, Got: show(jti)}
		}
	}
	if sub, ok := c["sub"]; ok {
		if want := subjectID(cred); want != "" && sub != want {
			return &ClaimError{Claim: "sub", Want: want, Got: show(sub)}
		}
	}
	var err error
	if res.NotBefore, err = period(c, cred, "nbf", "validFrom", "issuanceDate"); err != nil {
		return err
	}
	if res.Expires, err = period(c, cred, "exp", "validUntil", "expirationDate"); err != nil {
		return err
	}
	return nil
}

// period reads the NumericDate claim and the credential's date (the VCDM
// 2.0 property, else the 1.1 one), checks they are the same second, and
// returns whichever is there.
func period(c, cred map[string]any, claim, prop, oldProp string) (*time.Time, error) {
	name := prop
	raw, ok := cred[prop]
	if !ok {
		name, raw, ok = oldProp, cred[oldProp], cred[oldProp] != nil
	}
	var date *time.Time
	if ok {
		s, _ := raw.(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if _, has := c[claim]; has {
				return nil, &ClaimError{Claim: claim, Want: name + " " + show(raw) + ", which is not a date and time", Got: show(c[claim])}
			}
		} else {
			date = &t
		}
	}
	v, has := c[claim]
	if !has {
		return date, nil
	}
	n, isNum := v.(json.Number)
	f, err := n.Float64()
	if !isNum || err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1<<53 {
		return nil, &ClaimError{Claim: claim, Want: "a NumericDate (seconds since 1970)", Got: show(v)}
	}
	sec := int64(math.Floor(f))
	if date != nil && date.Unix() != sec {
		return nil, &ClaimError{Claim: claim, Want: strconv.FormatInt(date.Unix(), 10) + " (" + name + " " + date.Format(time.RFC3339) + ")", Got: n.String()}
	}
	if date != nil {
		return date, nil
	}
	t := time.Unix(sec, 0).UTC()
	return &t, nil
}

// issuerID is the credential's issuer id: the issuer itself when it is a
// string, else its "id".
func issuerID(cred map[string]any) string { return jsonin.Ref(cred["issuer"]) }

// subjectID is the id of the credential's one subject, or "".
func subjectID(cred map[string]any) string {
	s := cred["credentialSubject"]
	if arr, ok := s.([]any); ok && len(arr) == 1 {
		s = arr[0]
	}
	m, _ := s.(map[string]any)
	id, _ := m["id"].(string)
	return id
}

// show writes a claim value for a message.
func show(v any) string {
	if v == nil {
		return "null"
	}
	if s, ok := v.(string); ok {
		if len(s) > 200 {
			s = s[:197] + "..."
		}
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	if len(b) > 200 {
		b = append(b[:197], "..."...)
	}
	return string(b)
}

// registeredClaims are the JWT claims (RFC 7519) a VC-JWT sets beside the
// credential's own properties. They are not credential terms: no context
// defines them, and a JSON-LD check of the credential (an embedded proof
// inside the JWT, safe mode) must not see them.
var registeredClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}

// withoutRegisteredClaims is the credential a VC-JWT payload holds: the
// payload without its registered claims (a copy when it has any).
func withoutRegisteredClaims(claims map[string]any) map[string]any {
	var out map[string]any
	for _, c := range registeredClaims {
		if _, ok := claims[c]; ok {
			if out == nil {
				out = maps.Clone(claims)
			}
			delete(out, c)
		}
	}
	if out == nil {
		return claims
	}
	return out
}
