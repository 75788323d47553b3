package unbake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/numfmt"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/svg"
)

// Errors. Format-level problems come from the png and svg packages
// (png.ErrBadCRC, svg.ErrEntity, …) and carrier.ErrNotImage.
var (
	// ErrNoBadge: a well-formed image that carries no badge.
	ErrNoBadge = errkind.New(errkind.BadInput, "no Open Badges data in image")
	// ErrNotImage: the input is neither PNG nor SVG.
	ErrNotImage = carrier.ErrNotImage
)

// Options tune Unbake. The zero value is strict and safe.
type Options struct {
	// Lenient accepts PNG chunks with a wrong CRC, reporting a warning.
	// Mozilla's 2011-2012 baker wrote wrong CRCs into real badges.
	Lenient bool
	// MaxTextSize caps a PNG text chunk and its decompressed text
	// (png.DefaultMaxTextSize when 0), and the body and the verify
	// attribute of an SVG badge element (svg.DefaultMaxTextSize, the same
	// 8 MiB, when 0).
	MaxTextSize int64
	// MaxSVGSize caps an SVG document (svg.DefaultMaxSize when 0).
	MaxSVGSize int64
}

// Carrier says what held the payload.
type Carrier struct {
	Chunk     string `json:"chunk,omitempty"`     // PNG: "iTXt", "tEXt" or "zTXt"
	Keyword   string `json:"keyword,omitempty"`   // PNG: "openbadges" or "openbadgecredential"
	Element   string `json:"element,omitempty"`   // SVG: the element name as written, e.g. "openbadges:assertion"
	Namespace string `json:"namespace,omitempty"` // SVG: the element's namespace URI
	Source    string `json:"source,omitempty"`    // SVG: "verify" (the attribute) or "body"
	Offset    int64  `json:"offset"`              // byte offset of the chunk or element in the file
	Line      int    `json:"line,omitempty"`      // SVG: line of the element
}

// String describes the carrier for people.
func (c Carrier) String() string {
	if c.Chunk != "" {
		return fmt.Sprintf("%s chunk %q at offset %d", c.Chunk, c.Keyword, c.Offset)
	}
	return fmt.Sprintf("<%s> (%s) %s at line %d", c.Element, c.Namespace, map[string]string{"verify": "verify attribute", "body": "body"}[c.Source], c.Line)
}

// Result is what an image carries.
type Result struct {
	Format     carrier.Format     `json:"format"`
	Carrier    Carrier            `json:"carrier"`
	Generation payload.Generation `json:"generation"`
	Kind       payload.Kind       `json:"kind"`
	// Payload is the text exactly as stored, without surrounding white space.
	Payload  string   `json:"payload"`
	Warnings []string `json:"warnings"`
	// Parsed is the classified payload (nil with a *PayloadError).
	Parsed *payload.Payload `json:"-"`
}

// PayloadError reports a carrier whose text is not a URL, JSON or JWS. The
// Result is returned with it, so the raw text can still be shown.
type PayloadError struct {
	Carrier Carrier
	Err     error
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("the badge in %s is unreadable: %v", e.Carrier, e.Err)
}

func (e *PayloadError) Unwrap() error { return e.Err }

// ErrorKind is errkind.BadInput: the image carries a badge nobody can read.
func (e *PayloadError) ErrorKind() errkind.Kind { return errkind.BadInput }

// Unbake reads an image from r and returns its badge. An *os.File (any
// io.ReadSeeker) is read by seeking past image data, or with ReadAt when it
// is also an io.ReaderAt of known size, so only chunk headers and text
// chunks are read. A well-formed image without a badge gives ErrNoBadge.
//
// A PNG is walked to IEND even after the badge is found: later badges are
// reported as a warning, and IEND's CRC is checked. With ReadAt this costs at
// most one read per chunk header that the previous reads did not bring in.
func Unbake(r io.Reader, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	src, err := carrier.OpenUnchecked(carrier.Sized(r), opts.MaxSVGSize)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if src.Format == carrier.PNG {
		return unbakePNG(src.PNG, opts)
	}
	return unbakeSVG(src, opts)
}

// Bytes unbakes an image held in memory. What cannot be a PNG or SVG
// image (text that does not start with '<', say) is refused from its
// first bytes with a *carrier.NotImageError, as Unbake would refuse it, but
// without reading the rest; so a caller can try Bytes first and treat what
// is not an image as text.
func Bytes(data []byte, opts *Options) (*Result, error) {
	if !carrier.MayBeImage(data) {
		return nil, &carrier.NotImageError{LooksLike: carrier.Describe(data)}
	}
	return Unbake(bytes.NewReader(data), opts)
}

// UnbakeFile opens path and unbakes it.
func UnbakeFile(path string, opts *Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Unbake(openedFile(f), opts)
}

// openedFile returns what Unbake reads a just-opened file through. A
// non-empty regular file becomes an *io.SectionReader over all of it, read
// with ReadAt at known offsets: one fstat here, and no syscall in sniff or
// png to learn its size or position (which a file just opened has at 0).
// Anything else (a directory, a FIFO, a file under /proc) is read as it is.
func openedFile(f *os.File) io.Reader {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 {
		return f
	}
	return io.NewSectionReader(f, 0, fi.Size())
}

func unbakePNG(r io.Reader, opts *Options) (*Result, error) {
	pr, err := png.NewReader(r, &png.ReadOptions{Lenient: opts.Lenient, MaxTextSize: opts.MaxTextSize})
	if err != nil {
		return nil, err
	}
	var (
		res     *Result
		text    *png.Text
		others  []string
		skipped []string
	)
	for {
		c, err := pr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if c.Type != png.TypeTEXt && c.Type != png.TypeZTXt && c.Type != png.TypeITXt {
			continue
		}
		data, err := pr.ReadData(maxText(opts))
		if errors.Is(err, png.ErrChunkTooLarge) {
			// Far larger than any badge (an XMP packet, say): its keyword
			// cannot be read without reading it all.
			skipped = append(skipped, fmt.Sprintf("%s chunk at offset %d (%d bytes) skipped: larger than the %d-byte text limit", c.Type, c.Offset, c.Length, maxText(opts)))
			continue
		}
		if err != nil {
			return nil, err
		}
		kw, _ := png.Keyword(data)
		gen, isBadge := carrier.GenerationOfKeyword(kw)
		if !isBadge {
			continue
		}
		found := Carrier{Chunk: c.Type.String(), Keyword: kw, Offset: c.Offset}
		if res != nil {
			others = append(others, found.String())
			continue
		}
		t, err := png.ParseText(c.Type, data, maxText(opts))
		if err != nil {
			return nil, err
		}
		text = t
		res = &Result{Format: carrier.PNG, Carrier: found, Generation: gen}
	}
	if res == nil {
		return nil, ErrNoBadge
	}
	res.Warnings = append(pngWarnings(text), skipped...)
	for _, w := range pr.Warnings() {
		res.Warnings = append(res.Warnings, w.String())
	}
	stored := text.Text
	if text.Type == png.TypeTEXt || text.Type == png.TypeZTXt {
		// tEXt and zTXt are Latin-1 by specification, UTF-8 in practice.
		if !utf8.Valid(stored) {
			stored = latin1ToUTF8(stored)
			res.Warnings = append(res.Warnings, "the text is not UTF-8; it was read as Latin-1 as the PNG specification says")
		}
	}
	res.Warnings = append(res.Warnings, duplicateWarning(others)...)
	return res, classify(res, stored)
}

func maxText(opts *Options) int64 {
	if opts.MaxTextSize > 0 {
		return opts.MaxTextSize
	}
	return png.DefaultMaxTextSize
}

func pngWarnings(t *png.Text) []string {
	var w []string
	switch {
	case t.Type == png.TypeTEXt:
		w = append(w, "legacy tEXt carrier (badges baked before 2013); current bakers write iTXt")
	case t.Type == png.TypeZTXt:
		w = append(w, "the badge is in a compressed zTXt chunk, which the baking specification does not allow")
	case t.Compressed:
		w = append(w, "the iTXt chunk is compressed, which the baking specification forbids")
	}
	if t.LanguageTag != "" || t.TranslatedKeyword != "" {
		w = append(w, fmt.Sprintf("the iTXt chunk has a language tag %q and translated keyword %q, which have no meaning for badges", t.LanguageTag, t.TranslatedKeyword))
	}
	return w
}

// maxNamedDuplicates is how many ignored carriers duplicateWarning names;
// the rest are counted, so an image with thousands of them gives one short
// line.
const maxNamedDuplicates = 3

// duplicateWarning describes the carriers others that were ignored because
// an earlier one won.
func duplicateWarning(others []string) []string {
	if len(others) == 0 {
		return nil
	}
	named := strings.Join(others[:min(len(others), maxNamedDuplicates)], "; ")
	if rest := len(others) - maxNamedDuplicates; rest > 0 {
		named += " … and " + numfmt.Group(rest) + " more"
	}
	return []string{fmt.Sprintf("the image carries %s more badge(s), ignored (the first one wins): %s", numfmt.Group(len(others)), named)}
}

func latin1ToUTF8(b []byte) []byte {
	out := make([]rune, len(b))
	for i, c := range b {
		out[i] = rune(c)
	}
	return []byte(string(out))
}

// classify fills Kind, Payload and Parsed and reconciles the generation the
// carrier says with the one the content says.
func classify(res *Result, text []byte) error {
	p, err := payload.Parse(text)
	return classifyParsed(res, text, p, err)
}

// classifyParsed is classify for text already parsed: p and err are what
// payload.Parse returned for it.
func classifyParsed(res *Result, text []byte, p *payload.Payload, err error) error {
	if err != nil {
		res.Payload = strings.TrimSpace(string(text))
		res.Kind = ""
		return &PayloadError{Carrier: res.Carrier, Err: err}
	}
	res.Parsed, res.Kind, res.Payload = p, p.Kind, string(p.Raw)
	switch {
	case p.Kind == payload.KindURL && res.Generation == payload.OB3:
		res.Warnings = append(res.Warnings, "an Open Badges 3.0 carrier holds a URL; OB 3.0 has no hosted form")
		res.Generation = payload.OB2
	case p.Kind != payload.KindURL && p.Generation != res.Generation:
		res.Warnings = append(res.Warnings, fmt.Sprintf("an %s carrier holds an %s payload (draft-era bakers did this); the content decides", res.Generation.Describe(), p.Generation.Describe()))
		res.Generation = p.Generation
	}
	return nil
}

// unbakeSVG unbakes a document that is not a PNG. The svg.Sniff check is
// left to src.Err (see carrier.OpenUnchecked): svg.Find parses the prolog and
// root tag anyway, and succeeds only on what svg.Sniff accepts.
func unbakeSVG(src *carrier.Source, opts *Options) (*Result, error) {
	elems, err := svg.Find(src.SVG, &svg.Options{MaxSize: opts.MaxSVGSize, MaxTextSize: opts.MaxTextSize})
	if err != nil {
		return nil, src.Err(err)
	}
	if len(elems) == 0 {
		return nil, ErrNoBadge
	}
	e := elems[0]
	gen := payload.OB2
	if e.Namespace == svg.NamespaceOB3 {
		gen = payload.OB3
	}
	name := e.Local
	if e.Prefix != "" {
		name = e.Prefix + ":" + e.Local
	}
	res := &Result{Format: carrier.SVG, Generation: gen, Carrier: Carrier{Element: name, Namespace: e.Namespace, Offset: int64(e.Start), Line: e.Line}}
	var others []string
	for _, o := range elems[1:] {
		others = append(others, fmt.Sprintf("<%s> at line %d", o.Local, o.Line))
	}
	body := strings.TrimSpace(e.Body)
	verify := strings.TrimSpace(e.Verify)
	// The body is read once, to choose and then as the payload or for the
	// warning.
	var parsedBody *payload.Payload
	var bodyErr error
	if body != "" {
		parsedBody, bodyErr = payload.Parse([]byte(body))
	}
	source := chooseSVGSource(gen, body != "", verify != "", bodyErr == nil)
	if source == "" {
		return nil, fmt.Errorf("svg: the badge element at line %d has neither a verify attribute nor a body: %w", e.Line, ErrNoBadge)
	}
	if source == "verify" && body != "" {
		if bodyErr != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the element body is unreadable (%v); the verify attribute was used", bodyErr))
		} else {
			res.Warnings = append(res.Warnings, "the element has both a verify attribute and a body; the verify attribute (the signed form) was used")
		}
	}
	res.Carrier.Source = source
	res.Warnings = append(res.Warnings, duplicateWarning(others)...)
	if source == "body" {
		return res, classifyParsed(res, []byte(body), parsedBody, bodyErr)
	}
	return res, classify(res, []byte(verify))
}

// chooseSVGSource picks the body or the verify attribute, given which
// are there and whether the body is a readable payload. OB 2.0 hosted
// bakes carry both (verify = the assertion URL, body = the assertion); the
// body is the richer one when it is readable. An OB 3.0 verify attribute
// holds a VC-JWT, the signed form, and wins.
func chooseSVGSource(gen payload.Generation, hasBody, hasVerify, bodyReadable bool) string {
	switch {
	case !hasBody && !hasVerify:
		return ""
	case !hasBody:
		return "verify"
	case !hasVerify:
		return "body"
	case gen == payload.OB3, !bodyReadable:
		return "verify"
	}
	return "body"
}
