package vcjwt

import (
	"github.com/badgebake/badgebake/errkind"
)

// HeaderError is the error of a JWT header this verifier refuses: an
// algorithm not allowed ("none", HMAC, …), no key or two, a private
// inline key, an unknown typ, an algorithm that does not fit the key.
type HeaderError struct {
	Param  string // the header parameter at fault: "alg", "kid", "jwk", "typ", "crit"
	Reason string
	Err    error // the cause, if any
}

func (e *HeaderError) Error() string {
	return "the JWT header " + e.Reason
}

func (e *HeaderError) Unwrap() error { return e.Err }

// ErrorKind is errkind.NotVerified.
func (e *HeaderError) ErrorKind() errkind.Kind { return errkind.NotVerified }

// SignatureError is the error of a signature that does not verify with
// the key the header names.
type SignatureError struct {
	KeyID string // the kid, or "" for an inline key
	Err   error  // go-jose's error
}

func (e *SignatureError) Error() string {
	return "signature does not match: the credential was changed after signing, or signed with another key"
}

func (e *SignatureError) Unwrap() error { return e.Err }

// ErrorKind is errkind.NotVerified.
func (e *SignatureError) ErrorKind() errkind.Kind { return errkind.NotVerified }

// PayloadError is the error of a payload that holds no credential: not a
// JSON object, or neither a credential (with "@context") nor a "vc" claim.
type PayloadError struct {
	Reason string
	Err    error
}

func (e *PayloadError) Error() string {
	s := "the JWT payload " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *PayloadError) Unwrap() error { return e.Err }

// ErrorKind is errkind.NotVerified.
func (e *PayloadError) ErrorKind() errkind.Kind { return errkind.NotVerified }

// ClaimError is the error of a JWT claim that contradicts the credential
// (or is not of its type): Claim is "iss", "jti", "nbf", "exp" or "sub",
// Want what the credential says, Got what the claim says.
type ClaimError struct {
	Claim string
	Want  string
	Got   string
}

func (e *ClaimError) Error() string {
	return "the JWT claim " + e.Claim + " is " + e.Got + " but the credential says " + e.Want
}

// ErrorKind is errkind.NotVerified.
func (e *ClaimError) ErrorKind() errkind.Kind { return errkind.NotVerified }
