// Package errkind says what kind of failure an error is, so that whoever
// reports it (the command line's exit status, a server's response) can
// decide from the error itself instead of from a list of every package's
// error types. Errors of badgebake's packages carry their kind: an error
// type has an ErrorKind method, a sentinel is made with New. Kind is about
// what went wrong, not about how to report it; mapping kinds to exit codes
// or HTTP statuses is the caller's business.
//
// The package imports nothing of badgebake's, so every package can use it.
package errkind

import (
	"errors"
	"strconv"
)

// Kind is the kind of a failure.
type Kind uint8

const (
	// Unknown is an error that says nothing of its kind: typically one
	// from the operating system or the network, meaning the work could
	// not be done.
	Unknown Kind = iota
	// Usage: the request itself is wrong (a flag, an argument, an option
	// value); nothing was looked at.
	Usage
	// IO: reading or writing failed, so the work could not be done.
	IO
	// BadInput: the input was read and is wrong: not an image, a broken
	// image, no badge, an unreadable payload, a payload refused.
	BadInput
	// NotVerified: the badge was verified and is not valid.
	NotVerified
	// Indeterminate: the badge could not be verified either way (what it
	// depends on could not be fetched, or its generation is not
	// supported).
	Indeterminate
)

var names = [...]string{"unknown", "usage", "io", "bad input", "not verified", "indeterminate"}

// String names the kind, e.g. "bad input".
func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Kinded is an error that knows its kind.
type Kinded interface {
	error
	ErrorKind() Kind
}

// Of returns the kind of err: that of the first error in its tree (in the
// order errors.As visits it) that has an ErrorKind method, or Unknown
// when none has (and for nil).
func Of(err error) Kind {
	var k Kinded
	if errors.As(err, &k) {
		return k.ErrorKind()
	}
	return Unknown
}

// New returns a sentinel error of kind k whose message is text. Each call
// returns a distinct error, to compare with errors.Is.
func New(k Kind, text string) error { return &sentinel{kind: k, text: text} }

type sentinel struct {
	kind Kind
	text string
}

func (e *sentinel) Error() string   { return e.text }
func (e *sentinel) ErrorKind() Kind { return e.kind }

// Mark returns err with kind k: its message is err's, errors.Is and
// errors.As see err through it, and Of returns k. Mark(k, nil) is nil.
func Mark(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &marked{kind: k, err: err}
}

type marked struct {
	kind Kind
	err  error
}

func (e *marked) Error() string   { return e.err.Error() }
func (e *marked) Unwrap() error   { return e.err }
func (e *marked) ErrorKind() Kind { return e.kind }
