package sign

import (
	"github.com/badgebake/badgebake/errkind"
)

// IssuerMismatchError is a credential whose issuer the key cannot speak
// for: signed, no verifier would tie the signature to the issuer.
type IssuerMismatchError struct {
	IssuerID           string
	VerificationMethod string
	Reason             string // what does not agree
	Hint               string // what to do about it
}

func (e *IssuerMismatchError) Error() string {
	s := "the key does not match the issuer: " + e.Reason
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// ErrorKind is errkind.BadInput: the credential and the key disagree.
func (e *IssuerMismatchError) ErrorKind() errkind.Kind { return errkind.BadInput }

// FormatError is a format that does not suit the input or the key, or an
// input that cannot be signed as asked.
type FormatError struct {
	Reason string
}

func (e *FormatError) Error() string { return "cannot sign: " + e.Reason }

// ErrorKind is errkind.Usage: what was asked cannot be done.
func (e *FormatError) ErrorKind() errkind.Kind { return errkind.Usage }
