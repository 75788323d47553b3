package dataintegrity

import (
	"context"
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/errkind"
)

// ErrNoProof is returned by Verify when the credential has no proof at
// all: no "proof" property, null, or an empty array.
var ErrNoProof = errkind.New(errkind.NotVerified, "the credential has no embedded proof")

// Reason is the kind of failure of one proof.
type Reason string

const (
	// UnsupportedType: the proof's type is not one this package checks.
	UnsupportedType Reason = "unsupported proof type"
	// UnsupportedCryptosuite: a DataIntegrityProof whose cryptosuite is
	// missing or not an EdDSA RDFC one.
	UnsupportedCryptosuite Reason = "unsupported cryptosuite"
	// MalformedProof: the proof is not an object; its proofValue,
	// created, proofPurpose, verificationMethod, @context or
	// previousProof is missing or invalid; or it is beyond the number of
	// proofs checked.
	MalformedProof Reason = "malformed proof"
	// WrongPurpose: proofPurpose is not assertionMethod, the purpose an
	// issuer's signature on a credential has.
	WrongPurpose Reason = "wrong proof purpose"
	// KeyNotForPurpose: the key's controller document, fetched by the
	// resolver, does not list it under assertionMethod.
	KeyNotForPurpose Reason = "key not authorized for assertionMethod"
	// KeyType: the key is not an Ed25519 public key.
	KeyType Reason = "wrong key type"
	// SignatureMismatch: the signature does not verify over the
	// credential as it is.
	SignatureMismatch Reason = "signature mismatch"
	// Canonicalization: the Canonicalizer failed; Err is its error.
	Canonicalization Reason = "canonicalization failed"
	// Key: the KeyResolver failed; Err is its error.
	Key Reason = "key resolution failed"
)

// rank orders reasons by how much they say about the credential, so that
// when several proofs fail the error reports the most telling one: a
// signature checked and found wrong says more than a proof type that was
// not understood.
func (r Reason) rank() int {
	switch r {
	case SignatureMismatch:
		return 9
	case KeyNotForPurpose:
		return 8
	case KeyType:
		return 7
	case WrongPurpose:
		return 6
	case MalformedProof:
		return 5
	case Canonicalization:
		return 4
	case Key:
		return 3
	case UnsupportedCryptosuite:
		return 2
	case UnsupportedType:
		return 1
	}
	return 0
}

// ProofError is why one proof did not verify.
type ProofError struct {
	// Index is the proof's position in the credential's proof array (0
	// when proof is a single object).
	Index int
	// Reason is the kind of failure.
	Reason Reason
	// Detail says what is wrong, in words.
	Detail string
	// Err is the underlying error, for Canonicalization and Key (the
	// canonicalizer's or resolver's error), else nil.
	Err error
}

func (e *ProofError) Error() string {
	msg := fmt.Sprintf("proof %d: %s", e.Index, e.Detail)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ProofError) Unwrap() error { return e.Err }

// ErrorKind: a proof that could not be checked (an unsupported suite, a
// key that could not be found, work cut short by the context) leaves the
// credential indeterminate; the other reasons mean it is not verified. A
// wrapped error that knows its kind decides for Key and Canonicalization.
func (e *ProofError) ErrorKind() errkind.Kind {
	switch e.Reason {
	case Key, Canonicalization:
		if k := errkind.Of(e.Err); k != errkind.Unknown {
			return k
		}
		if e.Reason == Key || errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
			return errkind.Indeterminate
		}
		return errkind.NotVerified
	case UnsupportedType, UnsupportedCryptosuite:
		return errkind.Indeterminate
	}
	return errkind.NotVerified
}
