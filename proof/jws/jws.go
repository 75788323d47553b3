// Package jws reads a JSON Web Signature in the compact serialisation (RFC
// 7515 §7.1) once, for everyone who needs it: payload classifies it, the
// Open Badges 2.0 verifier checks a signed assertion with it, and Open
// Badges 3.0 (a VC-JWT) is read the same way. Nothing in it belongs to a
// generation.
//
// [Parse] splits the three segments, decodes them and reads the protected
// header. It checks the form, not the content: a header without "alg", an
// algorithm nobody allows or an empty signature are left to whoever
// verifies, so that it can refuse them by name. [JWS.Signed] gives the
// go-jose form, parsed with the algorithms the verifier allows, to check
// the signature with.
package jws

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/internal/jsonin"
)

// Segment names a part of a compact JWS.
type Segment string

const (
	SegmentHeader    Segment = "header"    // the protected header
	SegmentPayload   Segment = "payload"   // the payload
	SegmentSignature Segment = "signature" // the signature
)

// JWS is a compact JWS read but not verified.
type JWS struct {
	// Compact is the serialisation as given to Parse.
	Compact string
	// Header is the protected header.
	Header Header
	// Payload is the decoded payload: for a signed assertion or a VC-JWT,
	// the JSON claims.
	Payload []byte
	// Signature is the decoded signature; empty for an unsecured JWS.
	Signature []byte

	token string // Compact without base64url padding, as go-jose reads it

	mu     sync.Mutex
	parsed *jose.JSONWebSignature // from Signature, for algs
	algs   []jose.SignatureAlgorithm
	err    error
}

// Header is the protected header: the registered parameters a verifier
// asks about, and all of them in Params.
type Header struct {
	Alg  string   // "alg", the signature algorithm as written
	Kid  string   // "kid", the key id
	Typ  string   // "typ", e.g. "JWT" or "vc+jwt"
	Cty  string   // "cty", the content type
	Crit []string // "crit", the extensions a verifier must understand
	// Params holds every header parameter, numbers as json.Number.
	Params map[string]any
	// JSON is the decoded header, as signed.
	JSON []byte
}

// FormatError is the error of text that is not a compact JWS. Segment is
// the part at fault ("" when the text does not have three parts).
type FormatError struct {
	Segment Segment
	Reason  string // what is wrong, e.g. "is not base64url"
	Err     error  // the cause, if there is one
}

func (e *FormatError) Error() string {
	var s string
	if e.Segment == "" {
		s = e.Reason
	} else {
		s = "the JWS " + string(e.Segment) + " " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// AlgorithmError is the error of a JWS signed with an algorithm the
// verifier does not allow. Alg is the header's "alg", as written ("" when
// there is none).
type AlgorithmError struct {
	Alg     string
	Allowed []jose.SignatureAlgorithm
}

func (e *AlgorithmError) Error() string {
	if e.Alg == "" {
		return fmt.Sprintf(`the JWS header has no "alg" (allowed: %s)`, joinAlgs(e.Allowed))
	}
	return fmt.Sprintf("the JWS algorithm %q is not allowed (allowed: %s)", e.Alg, joinAlgs(e.Allowed))
}

func joinAlgs(algs []jose.SignatureAlgorithm) string {
	s := make([]string, len(algs))
	for i, a := range algs {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// Parse reads the compact serialisation s: three dot-separated base64url
// segments (padding is tolerated) whose first is a JSON object. Errors are
// *FormatError.
func Parse(s string) (*JWS, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, &FormatError{Reason: fmt.Sprintf("a compact JWS has 3 dot-separated segments, this has %d", len(parts))}
	}
	for i := range parts {
		parts[i] = strings.TrimRight(parts[i], "=")
	}
	j := &JWS{Compact: s, token: strings.Join(parts, ".")}
	header, err := decode(parts[0], SegmentHeader)
	if err != nil {
		return nil, err
	}
	params, err := jsonin.DecodeObject(header)
	if err != nil {
		return nil, &FormatError{Segment: SegmentHeader, Reason: "is not a JSON object", Err: err}
	}
	j.Header = readHeader(params, header)
	if j.Payload, err = decode(parts[1], SegmentPayload); err != nil {
		return nil, err
	}
	if j.Signature, err = decode(parts[2], SegmentSignature); err != nil {
		return nil, err
	}
	return j, nil
}

func decode(seg string, what Segment) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, &FormatError{Segment: what, Reason: "is not base64url", Err: err}
	}
	return b, nil
}

func readHeader(params map[string]any, raw []byte) Header {
	h := Header{Params: params, JSON: raw}
	h.Alg, _ = params["alg"].(string)
	h.Kid, _ = params["kid"].(string)
	h.Typ, _ = params["typ"].(string)
	h.Cty, _ = params["cty"].(string)
	if crit, ok := params["crit"].([]any); ok {
		for _, c := range crit {
			if s, ok := c.(string); ok {
				h.Crit = append(h.Crit, s)
			}
		}
	}
	return h
}

// Signed returns the go-jose form of the JWS, parsed with the signature
// algorithms allowed, to verify with a key. A JWS whose algorithm is not
// one of them gives an *AlgorithmError. The result is kept: asking again
// with the same algorithms parses nothing.
func (j *JWS) Signed(allowed []jose.SignatureAlgorithm) (*jose.JSONWebSignature, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if (j.parsed != nil || j.err != nil) && sameAlgs(j.algs, allowed) {
		return j.parsed, j.err
	}
	sig, err := jose.ParseSignedCompact(j.token, allowed)
	var unexpected *jose.ErrUnexpectedSignatureAlgorithm
	if errors.As(err, &unexpected) {
		err = &AlgorithmError{Alg: string(unexpected.Got), Allowed: allowed}
	}
	j.parsed, j.algs, j.err = sig, append([]jose.SignatureAlgorithm(nil), allowed...), err
	return sig, err
}

func sameAlgs(a, b []jose.SignatureAlgorithm) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
