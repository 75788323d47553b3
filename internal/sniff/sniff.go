// Package sniff tells PNG from SVG by content, never by file name, and opens
// a source for the package that handles its format.
package sniff

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/svg"
)

// Format is an image format that can carry a badge.
type Format string

const (
	PNG Format = "png"
	SVG Format = "svg"
)

// ErrNotImage is wrapped by errors for input that is neither PNG nor SVG.
var ErrNotImage = errors.New("not a PNG or SVG image")

// NotImageError says what the input looks like instead.
type NotImageError struct {
	LooksLike string // "a JPEG image", "JSON text", "an empty file", …
}

func (e *NotImageError) Error() string {
	if e.LooksLike == "" {
		return ErrNotImage.Error()
	}
	return fmt.Sprintf("%s: it looks like %s", ErrNotImage, e.LooksLike)
}

func (e *NotImageError) Unwrap() error { return ErrNotImage }

// Source is an opened image: for PNG a reader positioned at the start of
// the file (still an io.ReadSeeker when the input was one, so chunk data
// can be skipped by seeking), for SVG the whole document.
type Source struct {
	Format Format
	PNG    io.Reader
	SVG    []byte
}

// Open reads just enough of r to tell its format. An SVG is read whole, up
// to maxSVG bytes (svg.DefaultMaxSize when 0).
func Open(r io.Reader, maxSVG int64) (*Source, error) {
	if maxSVG <= 0 {
		maxSVG = svg.DefaultMaxSize
	}
	head := make([]byte, len(png.Signature))
	n, err := io.ReadFull(r, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if string(head) == png.Signature {
		if s, ok := r.(io.Seeker); ok {
			if _, err := s.Seek(-int64(n), io.SeekCurrent); err == nil {
				return &Source{Format: PNG, PNG: r}, nil
			}
		}
		return &Source{Format: PNG, PNG: io.MultiReader(bytes.NewReader(head), r)}, nil
	}
	doc, err := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head), r), maxSVG+1))
	if err != nil {
		return nil, err
	}
	if int64(len(doc)) > maxSVG {
		if svg.Sniff(doc) {
			return nil, fmt.Errorf("svg: document is larger than the %d-byte limit", maxSVG)
		}
		return nil, &NotImageError{LooksLike: Describe(doc)}
	}
	if !svg.Sniff(doc) {
		return nil, &NotImageError{LooksLike: Describe(doc)}
	}
	return &Source{Format: SVG, SVG: doc}, nil
}

// Describe names what some bytes look like, for error messages.
func Describe(b []byte) string {
	switch d := magic.Describe(b); d {
	case "":
		return "neither (unknown content)"
	case "an XML document":
		return "an XML document whose root element is not <svg>"
	default:
		return d
	}
}
