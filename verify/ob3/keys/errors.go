package keys

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"

	"github.com/badgebake/badgebake/errkind"
)

// UnavailableError is the error of a key that could not be resolved now:
// its document could not be fetched (no network, DNS, TLS, a timeout, …),
// answered with a status other than 2xx, or needs a DID method this
// package does not resolve. It says nothing of the credential: a verifier
// reports the credential as indeterminate.
type UnavailableError struct {
	ID  string // the key id (or issuer id) being resolved
	Err error  // why: a *fetch.Error, a *StatusError or ErrOffline
}

func (e *UnavailableError) Error() string {
	return display(e.ID) + ": cannot be resolved now: " + e.Err.Error()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// ErrorKind is errkind.Indeterminate.
func (e *UnavailableError) ErrorKind() errkind.Kind { return errkind.Indeterminate }

// StatusError is a fetched document answered with a status other than
// 2xx; it is the Err of an *UnavailableError.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered HTTP %d", display(e.URL), e.Status)
}

var (
	// ErrOffline is the Err of an *UnavailableError from a Resolver
	// without a fetch client, for a key that needs the network.
	ErrOffline = errors.New("no network access: only did:key and keys written in the URL resolve offline")
	// ErrUnsupportedDID is the Err of a *KeyError for a DID of a method
	// other than did:key and did:web.
	ErrUnsupportedDID = errors.New("only did:key and did:web identifiers are resolved")
	// ErrPrivateKey is the Err of a *KeyError for a key published with
	// its private part.
	ErrPrivateKey = errors.New("the key is published with its private part")
)

// KeyError is the error of a key that was found wanting: its document
// was fetched (or it needs none) but the key is missing, malformed, of an
// unsupported type, published with its private part, or not its
// controller's. A credential signed with it is invalid.
type KeyError struct {
	ID     string // the key id as given
	Reason string // what is wrong, for a person
	Err    error  // a sentinel such as ErrPrivateKey, or nil
}

func (e *KeyError) Error() string {
	if e.ID == "" {
		return e.Reason
	}
	return display(e.ID) + ": " + e.Reason
}

func (e *KeyError) Unwrap() error { return e.Err }

// ErrorKind is errkind.NotVerified.
func (e *KeyError) ErrorKind() errkind.Kind { return errkind.NotVerified }

// IssuerError says that a key, valid in itself, is not shown to belong to
// the credential's issuer. A verifier reports it as a warning
// (CHECK_ISSUER).
type IssuerError struct {
	KeyID    string
	IssuerID string
	Reason   string
}

func (e *IssuerError) Error() string {
	return "the key " + display(e.KeyID) + " is not shown to be the issuer's (" + display(e.IssuerID) + "): " + e.Reason
}

// ErrorKind is errkind.NotVerified.
func (e *IssuerError) ErrorKind() errkind.Kind { return errkind.NotVerified }

// display makes an identifier from a credential fit to print: shortened
// and quoted when it is long or holds unprintable characters.
func display(s string) string {
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	if s == "" {
		return `""`
	}
	for _, r := range s {
		if r == ' ' || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
