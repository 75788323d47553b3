package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/badgebake/badgebake/errkind"
)

// ErrNotFound is the error (compare with errors.Is) of Lookup, Complete and
// Revoke when no credential has the id or row key asked for.
var ErrNotFound = errkind.New(errkind.BadInput, "ledger: no such credential")

// NotFoundError names the ids or row keys that are not in the ledger. It
// is ErrNotFound (errors.Is).
type NotFoundError struct {
	Ledger string   // the ledger's name, without a password
	Keys   []string // the credential ids or row keys not found
}

func (e *NotFoundError) Error() string {
	quoted := make([]string, len(e.Keys))
	for i, k := range e.Keys {
		quoted[i] = strconv.Quote(k)
	}
	if len(quoted) == 1 {
		return "ledger " + e.Ledger + ": no credential has the id or row key " + quoted[0]
	}
	return "ledger " + e.Ledger + ": no credentials have the ids or row keys " + strings.Join(quoted, ", ")
}

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ErrorKind is errkind.BadInput: the ids asked for are wrong.
func (e *NotFoundError) ErrorKind() errkind.Kind { return errkind.BadInput }

// VersionError is the error of Open for a ledger whose schema is newer
// than this badgebake knows: it was written by a newer badgebake.
type VersionError struct {
	Ledger  string // the ledger's name, without a password
	Version int    // the ledger's schema version
	Known   int    // the newest schema version this badgebake knows
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("ledger %s has schema version %d, but this badgebake knows versions up to %d: it was written by a newer badgebake; use that one (or newer)", e.Ledger, e.Version, e.Known)
}

// ErrorKind is errkind.BadInput: the ledger cannot be used by this
// badgebake.
func (e *VersionError) ErrorKind() errkind.Kind { return errkind.BadInput }

// Error is a failure to use the ledger: it cannot be opened, or the
// database refused or failed an operation.
type Error struct {
	Ledger string // the ledger's name, without a password
	Op     string // what was being done, e.g. "open", "reserve"
	Err    error  // the cause; its message carries no password
}

func (e *Error) Error() string { return "ledger " + e.Ledger + ": " + e.Op + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind is the cause's kind when it has one, else errkind.IO: the
// ledger could not be read or written.
func (e *Error) ErrorKind() errkind.Kind {
	if k := errkind.Of(e.Err); k != errkind.Unknown {
		return k
	}
	return errkind.IO
}

// scrubbed is an error whose message has the secrets replaced; errors.Is
// and errors.As still see the original.
type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

// scrub returns err with every secret in its message replaced.
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}

// usage is an error in what the caller asked for.
func usage(text string) error { return errkind.Mark(errkind.Usage, errors.New(text)) }
