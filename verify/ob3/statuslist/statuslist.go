package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MinBits is the specification's minimum length of a status list's
// bitstring: 16 KiB, 131,072 one-bit entries. Lists are at least this long so
// that a single entry says little about which credential it belongs to.
const MinBits = 131072

// DefaultMaxBytes caps the decompressed bitstring when Decode is given no
// cap: 16 MiB, 128 times the specification's minimum, i.e. 134 million
// one-bit entries, far more than any issuer publishes. The cap bounds the
// memory and time one list can cost: encodedList comes from a document an
// attacker may write, and GZIP compresses zeros about a thousand to one.
const DefaultMaxBytes = 16 << 20

// MaxStatusSize is the widest entry this package reads: the width of the
// uint64 List.Status returns. The specification only asks for a positive
// integer.
const MaxStatusSize = 64

// Errors Decode returns, wrapped with detail; test with errors.Is.
var (
	// ErrMultibase: encodedList does not start with 'u', the multibase
	// prefix of base64url without padding.
	ErrMultibase = errors.New("statuslist: encodedList is not multibase base64url (no 'u' prefix)")
	// ErrBase64: the text after 'u' is not base64url without padding.
	ErrBase64 = errors.New("statuslist: encodedList is not valid base64url")
	// ErrNotGzip: the decoded bytes are not a complete GZIP stream.
	ErrNotGzip = errors.New("statuslist: encodedList is not GZIP-compressed")
)

// TooLargeError reports a list whose compressed or decompressed size passes
// the cap given to Decode.
type TooLargeError struct {
	Max int // the cap in bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("statuslist: encodedList decompresses to more than %d bytes", e.Max)
}

// ShortError reports a list shorter than MinBits. Decode returns the list as
// well, so a caller may warn instead of failing.
type ShortError struct {
	Bits int // the list's length in bits
}

func (e *ShortError) Error() string {
	return fmt.Sprintf("statuslist: list has %d bits, fewer than the minimum %d", e.Bits, MinBits)
}

// IndexError reports an entry that lies outside the list, or a bad entry
// width or value.
type IndexError struct {
	Index, Size int // the entry asked for and its width in bits
	Bits        int // the list's length in bits
	Reason      string
}

func (e *IndexError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("statuslist: entry %d (size %d): %s", e.Index, e.Size, e.Reason)
	}
	return fmt.Sprintf("statuslist: entry %d (size %d) is outside the list of %d bits", e.Index, e.Size, e.Bits)
}

// List is a decoded status list bitstring.
type List struct {
	bits []byte
}

// New returns a list of n bits, all zero, rounded up to whole bytes. Issuers
// should ask for at least MinBits.
func New(n int) *List {
	if n < 0 {
		n = 0
	}
	return &List{bits: make([]byte, (n+7)/8)}
}

// Len is the list's length in bits.
func (l *List) Len() int { return len(l.bits) * 8 }

// Bytes returns the bitstring itself (not a copy).
func (l *List) Bytes() []byte { return l.bits }

// Decode reads an encodedList value: multibase 'u' base64url, then GZIP,
// decompressing at most maxBytes bytes (DefaultMaxBytes if maxBytes <= 0).
// A list shorter than MinBits comes back with a *ShortError.
func Decode(encodedList string, maxBytes int) (*List, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	text, ok := strings.CutPrefix(encodedList, "u")
	if !ok {
		return nil, ErrMultibase
	}
	// DEFLATE expands incompressible input by a few bytes per 64 KiB block;
	// anything much longer than the cap cannot decompress to within it, so
	// refuse it before decoding.
	if base64.RawURLEncoding.DecodedLen(len(text)) > maxBytes+maxBytes/64+1024 {
		return nil, &TooLargeError{Max: maxBytes}
	}
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBase64, err)
	}
	bits, err := gunzip(bytes.NewReader(raw), maxBytes)
	if err != nil {
		return nil, err
	}
	l := &List{bits: bits}
	if l.Len() < MinBits {
		return l, &ShortError{Bits: l.Len()}
	}
	return l, nil
}

// gunzip decompresses r, refusing output past max bytes. It reads straight
// into its buffer and doubles the buffer only when full, never past max, so
// it allocates less than twice max in all (append's gentler growth would
// allocate about five times the final size), and it stops reading r as
// soon as the cap is passed.
func gunzip(r io.Reader, max int) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotGzip, err)
	}
	out := make([]byte, 0, min(32<<10, max))
	var probe [1]byte
	for {
		if len(out) == cap(out) {
			if len(out) == max {
				// Full: one more byte of output is one too many.
				n, err := io.ReadFull(zr, probe[:])
				if n > 0 {
					return nil, &TooLargeError{Max: max}
				}
				if err == io.EOF {
					return out, nil
				}
				return nil, fmt.Errorf("%w: %v", ErrNotGzip, err)
			}
			grown := make([]byte, len(out), min(2*cap(out)+1, max))
			copy(grown, out)
			out = grown
		}
		n, err := zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotGzip, err)
		}
	}
}

// Encode returns the list in the specification's encoding: GZIP, then
// base64url without padding, behind the multibase prefix 'u'.
func (l *List) Encode() (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(l.bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// span checks entry index of width size and returns its first bit.
func (l *List) span(index, size int) (int, error) {
	if size < 1 || size > MaxStatusSize {
		return 0, &IndexError{Index: index, Size: size, Bits: l.Len(), Reason: fmt.Sprintf("size must be 1 to %d bits", MaxStatusSize)}
	}
	if index < 0 || index > (l.Len()-size)/size || l.Len() < size {
		return 0, &IndexError{Index: index, Size: size, Bits: l.Len()}
	}
	return index * size, nil
}

// Status returns the value of entry index, size bits wide, read most
// significant bit first. For the usual one-bit revocation or suspension
// list, 1 means revoked or suspended.
func (l *List) Status(index, size int) (uint64, error) {
	first, err := l.span(index, size)
	if err != nil {
		return 0, err
	}
	var v uint64
	for b := first; b < first+size; b++ {
		v = v<<1 | uint64(l.bits[b/8]>>(7-b%8)&1)
	}
	return v, nil
}

// Set stores value in entry index, size bits wide, most significant bit
// first. The value must fit in size bits.
func (l *List) Set(index, size int, value uint64) error {
	first, err := l.span(index, size)
	if err != nil {
		return err
	}
	if size < 64 && value>>size != 0 {
		return &IndexError{Index: index, Size: size, Bits: l.Len(), Reason: fmt.Sprintf("value %d does not fit", value)}
	}
	for i := range size {
		b := first + i
		mask := byte(1) << (7 - b%8)
		if value>>(size-1-i)&1 == 1 {
			l.bits[b/8] |= mask
		} else {
			l.bits[b/8] &^= mask
		}
	}
	return nil
}
