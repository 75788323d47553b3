package bake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/svg"
)

// Validator decides whether a payload may be baked. It returns warnings to
// show, and a non-nil error to refuse the payload.
type Validator interface {
	Validate(ctx context.Context, p *payload.Payload) (warnings []string, err error)
}

// StructureValidator checks the payload's structure without the network.
type StructureValidator struct{}

// Validate implements Validator.
func (StructureValidator) Validate(_ context.Context, p *payload.Payload) ([]string, error) {
	return p.CheckStructure()
}

// Options tune Bake. The zero value overwrites an existing badge and
// checks the payload's structure.
type Options struct {
	// NoOverwrite refuses an image that already carries a badge.
	NoOverwrite bool
	// Lenient accepts PNG text chunks with a wrong CRC (they are copied
	// as they are, or removed when they are badge carriers).
	Lenient bool
	// Validator checks the payload before anything is written;
	// StructureValidator when nil.
	Validator Validator
	// MaxTextSize caps PNG text chunks (png.DefaultMaxTextSize when 0),
	// and the text of the badge elements of an SVG (svg.DefaultMaxTextSize,
	// the same 8 MiB, when 0).
	MaxTextSize int64
	// MaxSVGSize caps SVG documents (svg.DefaultMaxSize when 0).
	MaxSVGSize int64
}

// Result describes a bake.
type Result struct {
	Format     carrier.Format
	Generation payload.Generation
	// Carrier is what now holds the badge, e.g. `iTXt chunk "openbadges"`.
	Carrier string
	// Replaced lists the badge carriers that were removed.
	Replaced []string
	// Warnings from the validator.
	Warnings []string
}

var (
	// ErrAlreadyBaked is returned with Options.NoOverwrite.
	ErrAlreadyBaked = errkind.New(errkind.BadInput, "the image already carries a badge")
	// ErrNoHostedURL: an OB 2.0 assertion JSON baked into SVG needs an
	// http(s) URL for the verify attribute.
	ErrNoHostedURL = errkind.New(errkind.BadInput, "an OB 2.0 assertion baked into SVG needs a verify URL, but its id is not an http(s) URL and it has no verify.url")
)

// ValidationError is returned when the Validator refuses the payload.
type ValidationError struct {
	Err      error
	Warnings []string
}

func (e *ValidationError) Error() string { return "payload refused: " + e.Err.Error() }
func (e *ValidationError) Unwrap() error { return e.Err }

// ErrorKind is the Validator's error's kind when it has one (a payload the
// verifier could not check for want of the network is Indeterminate), else
// errkind.BadInput: the payload is not to be baked.
func (e *ValidationError) ErrorKind() errkind.Kind {
	if k := errkind.Of(e.Err); k != errkind.Unknown {
		return k
	}
	return errkind.BadInput
}

// Bake writes the image from src to dst with p baked in.
func Bake(ctx context.Context, dst io.Writer, src io.Reader, p *payload.Payload, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	v := opts.Validator
	if v == nil {
		v = StructureValidator{}
	}
	warnings, err := v.Validate(ctx, p)
	if err != nil {
		return nil, &ValidationError{Err: err, Warnings: warnings}
	}
	s, err := carrier.OpenUnchecked(src, opts.MaxSVGSize)
	if err != nil {
		return nil, err
	}
	defer s.Close() // nothing returned points into its buffers
	var res *Result
	if s.Format == carrier.PNG {
		res, err = bakePNG(dst, s.PNG, p, opts)
	} else {
		res, err = bakeSVG(dst, s, p, opts)
	}
	if err != nil {
		return nil, err
	}
	res.Warnings = warnings
	return res, nil
}

func isBadgeKeyword(k string) bool {
	_, ok := carrier.GenerationOfKeyword(k)
	return ok
}

func bakePNG(dst io.Writer, src io.Reader, p *payload.Payload, opts *Options) (*Result, error) {
	maxText := opts.MaxTextSize
	if maxText <= 0 {
		maxText = png.DefaultMaxTextSize
	}
	r, err := png.NewReader(src, &png.ReadOptions{Lenient: opts.Lenient, MaxTextSize: maxText})
	if err != nil {
		return nil, err
	}
	keyword := carrier.Keyword(p.Generation)
	res := &Result{Format: carrier.PNG, Generation: p.Generation, Carrier: fmt.Sprintf("iTXt chunk %q after IHDR", keyword)}
	// The signature, IHDR (always the first chunk: the Reader checks it) and
	// the new iTXt chunk go out in one Write.
	var head bytes.Buffer
	head.Grow(len(png.Signature) + 25 + 12 + len(keyword) + 5 + len(p.Raw))
	head.WriteString(png.Signature)
	if _, err := r.Next(); err != nil {
		return nil, err
	}
	if err := copyIHDR(&head, r, keyword, p); err != nil {
		return nil, err
	}
	if _, err := dst.Write(head.Bytes()); err != nil {
		return nil, err
	}
	// Everything else is copied byte for byte except badge carriers. Runs of
	// chunks that are not text go to dst with one io.Copy each (between two
	// files, one copy_file_range).
	for {
		c, err := r.CopyRawUntil(dst, stopAt)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return nil, err
		}
		if c.Type == png.TypeIHDR {
			// A second IHDR is not the Reader's business, and gets a badge
			// after it as the first one did.
			if err := copyIHDR(dst, r, keyword, p); err != nil {
				return nil, err
			}
			continue
		}
		data, err := r.ReadData(maxText)
		if errors.Is(err, png.ErrChunkTooLarge) {
			// Larger than any badge could be: copy it as it is.
			if _, err := r.CopyRaw(dst); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if kw, _ := png.Keyword(data); isBadgeKeyword(kw) {
			old := fmt.Sprintf("%s chunk %q at offset %d", c.Type, kw, c.Offset)
			if opts.NoOverwrite {
				return nil, fmt.Errorf("%w: %s", ErrAlreadyBaked, old)
			}
			res.Replaced = append(res.Replaced, old)
			continue
		}
		// Other text is kept: length, type, data and stored CRC as they were.
		if _, err := r.CopyRaw(dst); err != nil {
			return nil, err
		}
	}
}

// stopAt stops CopyRawUntil at the chunks bakePNG must look at.
func stopAt(c png.Chunk) bool { return c.Type.IsText() || c.Type == png.TypeIHDR }

// copyIHDR copies the current chunk, an IHDR, to w and writes the badge
// chunk after it.
func copyIHDR(w io.Writer, r *png.Reader, keyword string, p *payload.Payload) error {
	if _, err := r.CopyRaw(w); err != nil {
		return err
	}
	return png.WriteChunk(w, png.TypeITXt, png.ITXtData(keyword, p.Raw))
}

// bakeSVG bakes into a document that is not a PNG. Every error goes through
// s.Err, which reports a document that is not an SVG as carrier.Open would
// have (see carrier.OpenUnchecked): svg.Find and svg.Bake parse the prolog and
// root tag anyway, and succeed only on what svg.Sniff accepts.
func bakeSVG(dst io.Writer, s *carrier.Source, p *payload.Payload, opts *Options) (*Result, error) {
	doc := s.SVG
	el, err := svgElement(p)
	if err != nil {
		return nil, s.Err(err)
	}
	svgOpts := &svg.Options{MaxSize: opts.MaxSVGSize, MaxTextSize: opts.MaxTextSize}
	if opts.NoOverwrite {
		existing, err := svg.Find(doc, svgOpts)
		if err != nil {
			return nil, s.Err(err)
		}
		if len(existing) > 0 {
			return nil, fmt.Errorf("%w: <%s> at line %d", ErrAlreadyBaked, existing[0].Local, existing[0].Line)
		}
	}
	removed, err := svg.Bake(dst, doc, el, svgOpts)
	if err != nil {
		return nil, s.Err(err)
	}
	local := "assertion"
	if p.Generation == payload.OB3 {
		local = "credential"
	}
	res := &Result{Format: carrier.SVG, Generation: p.Generation, Carrier: fmt.Sprintf("<%s> element (%s) first in <svg>", local, el.Namespace)}
	for _, e := range removed {
		res.Replaced = append(res.Replaced, fmt.Sprintf("<%s> (%s) at line %d", e.Local, e.Namespace, e.Line))
	}
	return res, nil
}

// svgElement lays the payload out the way the baking specifications show.
func svgElement(p *payload.Payload) (svg.NewElement, error) {
	text := string(p.Raw)
	switch {
	case p.Generation == payload.OB3 && p.Kind == payload.KindJSON:
		return svg.NewElement{Namespace: svg.NamespaceOB3, Body: text}, nil
	case p.Generation == payload.OB3:
		return svg.NewElement{Namespace: svg.NamespaceOB3, Verify: text}, nil
	case p.Kind == payload.KindJSON:
		u := p.HostedURL()
		if u == "" {
			return svg.NewElement{}, ErrNoHostedURL
		}
		return svg.NewElement{Namespace: svg.NamespaceOB2, Verify: u, Body: text}, nil
	default: // OB 2.0 URL or signed assertion
		return svg.NewElement{Namespace: svg.NamespaceOB2, Verify: text}, nil
	}
}
