package carrier

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/internal/sized"
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
var ErrNotImage = errkind.New(errkind.BadInput, "not a PNG or SVG image")

// NotImageError says what the input looks like instead.
type NotImageError struct {
	LooksLike string // "a JPEG image", "JSON text", "an empty file", …
}

func (e *NotImageError) Error() string {
	switch e.LooksLike {
	case "":
		return ErrNotImage.Error()
	case magic.Empty:
		// Nothing to convert: say so plainly.
		return "empty file"
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

	head      *[]byte // pooled buffer of a prefetched PNG head, for Close
	doc       *[]byte // SVG's buffer, for Close
	unchecked bool    // SVG from OpenUnchecked: see Err
}

// Close gives back the buffer Open may have read the head of a PNG into.
// PNG must not be read after Close; calling Close is optional.
//
// For an SVG, Close also gives back the document's buffer,
// so that unbaking a folder of drawings does not allocate (and collect) one
// per drawing: SVG must not be used after Close, nor anything that still
// points into it. Results of svg.Find and svg.Bake do not.
func (s *Source) Close() {
	if s.head != nil {
		headPool.Put(s.head)
		s.head, s.PNG = nil, nil
	}
	if s.doc != nil {
		if cap(*s.doc) <= maxPooledDoc {
			docPool.Put(s.doc)
		}
		s.doc, s.SVG = nil, nil
	}
}

// maxPooledDoc is the largest document buffer Close keeps for reuse.
const maxPooledDoc = 4 << 20

// docPool holds *[]byte document buffers of any capacity.
var docPool sync.Pool

// docBuffer returns a buffer of length n, from docPool when one is large
// enough, and the pointer Close gives back.
func docBuffer(n int64) (*[]byte, []byte) {
	if n <= maxPooledDoc {
		if p, ok := docPool.Get().(*[]byte); ok {
			if int64(cap(*p)) >= n {
				return p, (*p)[:n]
			}
			docPool.Put(p) // too small for this one; keep it for a smaller one
		}
	}
	b := make([]byte, n)
	return &b, b
}

var headPool = sync.Pool{New: func() any {
	b := make([]byte, prefetchSize)
	return &b
}}

// Open reads just enough of r to tell its format. An SVG is read whole, up
// to maxSVG bytes (svg.DefaultMaxSize when 0). A larger SVG is refused with
// an *svg.Error matching svg.ErrTooLarge (a larger document that does not
// look like an SVG with a *NotImageError), after reading its first 64 KiB
// when its size is known, its first maxSVG+1 bytes otherwise.
//
// When r is an io.ReaderAt whose size is known without reading (see
// sized.ReaderAt), Open reads with ReadAt and leaves r's position alone, so a
// PNG goes on as r itself (or, for an *io.SectionReader, as r with its first
// bytes already read), and an SVG is read with one ReadAt into a buffer of
// its size, which Source.Close gives back for the next one.
func Open(r io.Reader, maxSVG int64) (*Source, error) {
	return open(r, maxSVG, false)
}

// OpenUnchecked is Open, except that a document that is not a PNG is not
// checked with svg.Sniff (its size limit is): Format SVG then only means
// "not a PNG". The caller must pass every error it gets while handling that
// document (from svg.Find, svg.Bake or anything before them) through
// Source.Err, which turns it into the *NotImageError Open would have
// returned if the document is not an SVG at all. Since svg.Find and
// svg.Bake succeed only on documents svg.Sniff accepts, the results are
// Open's, and the prolog and root tag are parsed once instead of twice
// (svg.Sniff costs as much as that part of svg.Find: encoding/xml is slow).
func OpenUnchecked(r io.Reader, maxSVG int64) (*Source, error) {
	return open(r, maxSVG, true)
}

// Err returns the error to report for err, met while handling the document
// of an SVG source from OpenUnchecked: a *NotImageError if the document is
// not an SVG, as Open would have said, else err. nil stays nil.
func (s *Source) Err(err error) error {
	if err == nil || s.Format != SVG || !s.unchecked || svg.Sniff(s.SVG) {
		return err
	}
	return &NotImageError{LooksLike: Describe(s.SVG)}
}

func open(r io.Reader, maxSVG int64, unchecked bool) (*Source, error) {
	if maxSVG <= 0 {
		maxSVG = svg.DefaultMaxSize
	}
	if ra, _, start, size, ok := sized.ReaderAt(r); ok {
		return openAt(r, ra, start, size, maxSVG, unchecked)
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
	pooledDoc, doc, err := readAllLimited(io.MultiReader(bytes.NewReader(head), r), maxSVG)
	if err != nil {
		return nil, err
	}
	src, err := svgSource(doc, unchecked)
	if err != nil {
		return nil, err
	}
	src.doc = pooledDoc
	return src, nil
}

// readChunk is the size of the pieces readAllLimited reads a stream in.
const readChunk = 1 << 20

// readAllLimited reads r to its end into a buffer of its size from
// docBuffer, or, when r holds more than limit bytes, stops there and
// returns an error for the oversized document. The stream is read in
// pieces of readChunk bytes that are copied once into the buffer when
// the size is known: the peak is twice the document and a piece, where
// io.ReadAll's growing buffer peaks higher and leaves more garbage.
func readAllLimited(r io.Reader, limit int64) (*[]byte, []byte, error) {
	var (
		pieces [][]byte
		total  int64
	)
	for {
		piece := make([]byte, readChunk)
		n, err := io.ReadFull(r, piece)
		if n > 0 {
			pieces = append(pieces, piece[:n])
			total += int64(n)
		}
		if total > limit {
			return nil, nil, tooLarge(pieces[0], limit)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
	}
	pooled, doc := docBuffer(total)
	k := 0
	for _, p := range pieces {
		k += copy(doc[k:], p)
	}
	return pooled, doc, nil
}

// sniffHead is how much of an oversized document is read to tell an SVG
// from anything else.
const sniffHead = 64 << 10

// tooLarge returns the error for a document larger than maxSVG bytes that
// starts with head: an svg.ErrTooLarge if head looks like an SVG document,
// else a *NotImageError. (The size is not in the message, so that a file
// and a stream, whose size is not read, get the same error.)
func tooLarge(head []byte, maxSVG int64) error {
	head = head[:min(len(head), sniffHead)]
	if !svg.Sniff(head) {
		return &NotImageError{LooksLike: Describe(head)}
	}
	return &svg.Error{Kind: svg.ErrTooLarge, Msg: fmt.Sprintf("document is larger than the %d-byte limit", maxSVG)}
}

// Sized returns r as an *io.SectionReader from its position to its end when
// r is a file that Open (and the png package) would read with ReadAt, so that
// they learn its size and position without a syscall each; otherwise r as it
// is. It costs one lseek and one fstat, where Open and png.NewReader make
// both each. Only for readers that are just read: png.Reader.CopyRaw can hand
// a copy to the kernel from an *os.File, not from a SectionReader.
func Sized(r io.Reader) io.Reader {
	if _, ok := r.(interface{ Size() int64 }); ok {
		return r // in memory, or sized already
	}
	if ra, _, start, size, ok := sized.ReaderAt(r); ok {
		return io.NewSectionReader(ra, start, size)
	}
	return r
}

// prefetchSize is how much of an *io.SectionReader Open reads at once: as
// much as the png Reader's first read, so that a PNG's head costs one read.
const prefetchSize = 2 << 10

// openAt is Open for a source read with ReadAt. It reads the 8-byte head,
// and for an SVG the document in one read into a buffer of its size.
//
// An *io.SectionReader (what Sized makes of a file) gets more: Open reads
// its first prefetchSize bytes at once and, for a PNG, hands them on with it
// in a prefetched, so the png Reader's first read costs no syscall. Nothing
// is lost by wrapping it: a SectionReader's copies cannot go to the kernel
// anyway. Other readers are handed on as they are, for that reason.
func openAt(r io.Reader, ra io.ReaderAt, start, size, maxSVG int64, unchecked bool) (*Source, error) {
	sr, isSection := r.(*io.SectionReader)
	var (
		head   []byte
		pooled *[]byte
		sig    [len(png.Signature)]byte
	)
	if isSection {
		pooled = headPool.Get().(*[]byte)
		head = (*pooled)[:min(size, prefetchSize)]
	} else {
		head = sig[:min(size, int64(len(sig)))]
	}
	n, err := readAt(ra, head, start)
	if err != nil {
		if pooled != nil {
			headPool.Put(pooled)
		}
		return nil, err
	}
	short := n < len(head) // the source is shorter than its size said
	head = head[:n]
	if n >= len(png.Signature) && string(head[:len(png.Signature)]) == png.Signature {
		if isSection {
			return &Source{Format: PNG, PNG: &prefetched{SectionReader: sr, start: start, head: head}, head: pooled}, nil
		}
		return &Source{Format: PNG, PNG: r}, nil
	}
	if pooled != nil {
		defer headPool.Put(pooled) // head is copied below
	}
	if size > maxSVG {
		// Refused unread: its head tells an SVG from anything else.
		h := make([]byte, min(size, sniffHead))
		k := copy(h, head)
		if !short && k < len(h) {
			m, err := readAt(ra, h[k:], start+int64(k))
			if err != nil {
				return nil, err
			}
			k += m
		}
		return nil, tooLarge(h[:k], maxSVG)
	}
	pooledDoc, doc := docBuffer(size)
	want := len(doc)
	k := copy(doc, head)
	doc = doc[:k]
	if !short && k < want {
		m, err := readAt(ra, doc[k:want], start+int64(k))
		if err != nil {
			return nil, err
		}
		doc = doc[:k+m]
	}
	src, err := svgSource(doc, unchecked)
	if err != nil {
		return nil, err
	}
	src.doc = pooledDoc
	return src, nil
}

// prefetched is an *io.SectionReader whose bytes [start, start+len(head))
// were read already: ReadAt serves them from head. Read, Seek and Size are
// the SectionReader's.
type prefetched struct {
	*io.SectionReader
	start int64
	head  []byte
}

func (p *prefetched) ReadAt(b []byte, off int64) (int, error) {
	i := off - p.start
	if i < 0 || i >= int64(len(p.head)) {
		return p.SectionReader.ReadAt(b, off)
	}
	n := copy(b, p.head[i:])
	if n == len(b) {
		return n, nil
	}
	m, err := p.SectionReader.ReadAt(b[n:], off+int64(n))
	return n + m, err
}

// readAt reads len(p) bytes at off, or fewer if the source is shorter than
// it said; io.EOF is no error.
func readAt(ra io.ReaderAt, p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := ra.ReadAt(p, off)
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// svgSource checks that doc, which is not a PNG and is within the size
// limit, is an SVG; unchecked leaves that check to Source.Err.
func svgSource(doc []byte, unchecked bool) (*Source, error) {
	if !unchecked && !svg.Sniff(doc) {
		return nil, &NotImageError{LooksLike: Describe(doc)}
	}
	return &Source{Format: SVG, SVG: doc, unchecked: unchecked}, nil
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
