package keyfile

import (
	"errors"
	"fmt"
	"os"

	"github.com/badgebake/badgebake/errkind"
)

// Every error of this package is errkind.Usage: a key that cannot be used
// is a mistake in what the command was given, and nothing was signed.

// PermissionError is a key file whose mode lets the group or others in.
type PermissionError struct {
	Path string
	Mode os.FileMode
}

func (e *PermissionError) Error() string {
	what := "readable"
	if e.Mode&0o044 == 0 {
		what = "accessible"
	}
	return fmt.Sprintf("%s is %s by others (mode %04o): chmod 600 %s", e.Path, what, uint32(e.Mode.Perm()), e.Path)
}

func (e *PermissionError) ErrorKind() errkind.Kind { return errkind.Usage }

// FormatError is input that holds no readable private key. Source is the
// file or environment variable it came from ("" from Parse).
type FormatError struct {
	Source string
	Reason string
}

func (e *FormatError) Error() string { return source(e.Source) + " " + e.Reason }

func (e *FormatError) ErrorKind() errkind.Kind { return errkind.Usage }

// PublicKeyError is a public key or certificate given where the private
// key is needed.
type PublicKeyError struct {
	Source string
	Block  string // the PEM block type found, e.g. "PUBLIC KEY"
}

func (e *PublicKeyError) Error() string {
	return fmt.Sprintf("%s holds a %s, not a private key: signing needs the private key (badgebake keygen writes it to key.pem)", source(e.Source), e.Block)
}

func (e *PublicKeyError) ErrorKind() errkind.Kind { return errkind.Usage }

// UnsupportedError is a key (or key type, or size) badgebake does not
// sign with. What names it; Hint says what to use instead.
type UnsupportedError struct {
	Source string
	What   string
	Hint   string
}

func (e *UnsupportedError) Error() string {
	s := e.What + " is not supported"
	if e.Source != "" {
		s = e.Source + " holds " + e.What + ", which is not supported"
	}
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

func (e *UnsupportedError) ErrorKind() errkind.Kind { return errkind.Usage }

// KeyTypeError is an operation the key's type cannot do, such as writing
// an RSA key as a did:key.
type KeyTypeError struct {
	Type   Type
	Reason string
}

func (e *KeyTypeError) Error() string { return fmt.Sprintf("a %s key %s", e.Type, e.Reason) }

func (e *KeyTypeError) ErrorKind() errkind.Kind { return errkind.Usage }

func source(s string) string {
	if s == "" {
		return "the input"
	}
	return s
}

// withSource names where a Parse error's input came from.
func withSource(err error, src string) error {
	var fe *FormatError
	var pe *PublicKeyError
	var ue *UnsupportedError
	switch {
	case errors.As(err, &fe):
		fe.Source = src
	case errors.As(err, &pe):
		pe.Source = src
	case errors.As(err, &ue):
		ue.Source = src
	}
	return err
}
