package svg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/badgebake/badgebake/internal/textin"
)

// Namespaces and limits.
const (
	NamespaceSVG = "http://www.w3.org/2000/svg"
	// NamespaceOB2 is the namespace of the Open Badges 1.x/2.0 element
	// "assertion".
	NamespaceOB2 = "http://openbadges.org"
	// NamespaceOB3 is the namespace of the Open Badges 3.0 element
	// "credential". It has no "/spec/" segment, unlike the OB 3.0 JSON-LD
	// context URLs.
	NamespaceOB3 = "https://purl.imsglobal.org/ob/v3p0"

	// DefaultMaxSize is the default size limit: documents larger than this
	// are refused with ErrTooLarge.
	DefaultMaxSize = 32 << 20
	// DefaultMaxDepth is the default limit on element nesting (the root
	// element is at depth 1).
	DefaultMaxDepth = 1024
	// DefaultMaxTextSize is the default limit on the text of a badge
	// element (its body, and its verify attribute), as a PNG's text chunks
	// are limited by default.
	DefaultMaxTextSize = 8 << 20
)

// Local names of the badge elements.
const (
	localOB2 = "assertion"
	localOB3 = "credential"
)

// Options sets limits. The zero value, and a nil *Options, mean the
// defaults.
type Options struct {
	// MaxSize is the largest document accepted, in bytes; 0 or less means
	// DefaultMaxSize.
	MaxSize int64
	// MaxDepth is the deepest element nesting accepted in the part of the
	// document that is tokenised (see the package documentation); 0 or
	// less means DefaultMaxDepth.
	MaxDepth int
	// MaxTextSize is the largest body, and the largest verify attribute,
	// of a badge element accepted, in bytes; 0 or less means
	// DefaultMaxTextSize.
	MaxTextSize int64
}

func (o *Options) limits() (maxSize int64, maxDepth int, maxText int64) {
	maxSize, maxDepth, maxText = DefaultMaxSize, DefaultMaxDepth, DefaultMaxTextSize
	if o != nil {
		if o.MaxSize > 0 {
			maxSize = o.MaxSize
		}
		if o.MaxDepth > 0 {
			maxDepth = o.MaxDepth
		}
		if o.MaxTextSize > 0 {
			maxText = o.MaxTextSize
		}
	}
	return maxSize, maxDepth, maxText
}

// Element is one badge element found in the document.
type Element struct {
	Namespace string // NamespaceOB2 or NamespaceOB3
	Local     string // "assertion" or "credential"
	Prefix    string // prefix as written ("" for a default namespace)
	Verify    string // value of the verify attribute (entity-decoded)
	HasVerify bool
	Body      string // concatenated character data of the element, untrimmed
	// Start and End delimit the whole element in the document, start tag
	// through end tag: doc[Start:End].
	Start, End int
	Line       int // 1-based line of the start tag
}

// Sniff reports whether doc is an SVG document (root element svg). It does
// not validate the whole document: it reads the prolog (of any length) and
// the root element's name only, so it also reports true for an SVG document
// that [Find] refuses, for example because of an entity reference in the
// root start tag or a declared encoding other than UTF-8.
func Sniff(doc []byte) bool {
	_, failOff, err := parseProlog(doc, true)
	if err == nil {
		return true
	}
	if errors.Is(err, ErrNotSVG) || failOff < 0 {
		return false
	}
	return isRawSVGStartTag(doc[failOff:])
}

// MayBeSVG reports, from the first bytes of doc only, whether it may be an
// SVG document: false means that Sniff reports false and Find refuses it
// with ErrNotSVG or ErrEncoding, without tokenising anything. Text that
// does not start with '<' (after a BOM and white space), UTF-16 and HTML
// are not SVG.
func MayBeSVG(doc []byte) bool {
	_, err := start(doc)
	return err == nil
}

// start checks what can be checked of doc before tokenising it, and
// returns the offset of the document after a byte order mark.
func start(doc []byte) (base int, err error) {
	if textin.HasBOM(doc) {
		base = len(textin.BOM)
	}
	in := doc[base:]
	if isUTF16(in) {
		return 0, newError(ErrEncoding, 0, "the document is UTF-16; only UTF-8 is supported", nil)
	}
	i := skipSpace(in, 0)
	if i == len(in) || in[i] != '<' || looksLikeHTML(in[i:]) {
		return 0, newError(ErrNotSVG, 0, "not an SVG document: "+describe(doc), nil)
	}
	return base, nil
}

// Find returns every badge element of either generation in document order;
// nil when there is none. For nested badge elements only the outer one is
// returned. Errors match ErrNotSVG (with a hint of what the input looks
// like), ErrSyntax (wrapping the *xml.SyntaxError), ErrEntity, ErrTooLarge,
// ErrTooDeep or ErrEncoding.
//
// Only the prolog, the root start tag and the document up to the last
// candidate badge element are tokenised (see the package documentation).
func Find(doc []byte, opts *Options) ([]Element, error) {
	_, elems, err := analyze(doc, opts)
	if err != nil {
		return nil, err
	}
	return elems, nil
}

// prolog is the result of reading a document up to its root start tag.
type prolog struct {
	in   *cutReader // the decoder's input: the document after any BOM, without its cuts
	dec  *xml.Decoder
	root rootTag
}

// rootTag describes the root start tag.
type rootTag struct {
	start, end  int    // [start, end) is the start tag, '<' through '>'
	qname       string // qualified name as written
	selfClosing bool   // written <svg …/>
	attrs       []xml.Attr
}

// charsetError is returned to encoding/xml when a non-UTF-8 encoding is
// declared.
type charsetError struct{ name string }

func (e *charsetError) Error() string { return "unsupported encoding " + e.name }

// parseProlog reads doc up to and including the root start tag. In sniff
// mode DOCTYPEs are not checked for entities and any declared encoding is
// read as UTF-8. On error, failOff is the document offset of the token that
// could not be read (-1 if none).
func parseProlog(doc []byte, sniff bool) (p *prolog, failOff int, err error) {
	base, err := start(doc)
	if err != nil {
		return nil, -1, err
	}

	r := newCutReader(doc, base)
	dec := xml.NewDecoder(r)
	dec.Strict = true
	if sniff {
		dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	} else {
		dec.CharsetReader = func(name string, _ io.Reader) (io.Reader, error) {
			return nil, &charsetError{name}
		}
	}
	rootCut := false
	for {
		off := r.offset(dec.InputOffset())
		if i := skipSpace(doc, off); !rootCut && i+1 < len(doc) && doc[i] == '<' && isNameStart(doc[i+1]) {
			// The next token is the root start tag, whose attribute
			// values may be long.
			r.add(lexCuts(doc, i, i, 0))
			rootCut = true
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return nil, -1, newError(ErrNotSVG, 0, "not an SVG document: there is no root element", nil)
		}
		if err != nil {
			return nil, off, decodeError(doc, r, dec, err)
		}
		end := r.offset(dec.InputOffset())
		switch t := tok.(type) {
		case xml.CharData:
			if !isSpace(t) {
				line := lineAt(doc, off)
				return nil, off, newError(ErrNotSVG, line, "not an SVG document: text before the root element", nil)
			}
		case xml.Directive:
			if !sniff {
				if err := checkEntities(doc, off, end); err != nil {
					return nil, off, err
				}
			}
		case xml.StartElement:
			if t.Name.Local != "svg" || (t.Name.Space != NamespaceSVG && t.Name.Space != "") {
				msg := "not an SVG document: the root element is <" + t.Name.Local + ">"
				if t.Name.Space != "" {
					msg += " in namespace " + t.Name.Space
				}
				if strings.EqualFold(t.Name.Local, "html") {
					msg += " (HTML)"
				}
				return nil, -1, newError(ErrNotSVG, lineAt(doc, off), msg, nil)
			}
			attrs := make([]xml.Attr, len(t.Attr))
			copy(attrs, t.Attr)
			return &prolog{
				in:  r,
				dec: dec,
				root: rootTag{
					start:       off,
					end:         end,
					qname:       string(rawName(doc, off)),
					selfClosing: end >= 2 && doc[end-2] == '/',
					attrs:       attrs,
				},
			}, -1, nil
		}
	}
}

// decodeError converts an error from encoding/xml, met while reading doc
// through r.
func decodeError(doc []byte, r *cutReader, dec *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if off := r.offset(dec.InputOffset()); off != r.base+int(dec.InputOffset()) {
			// The decoder counted the lines it was shown; the line of
			// its position in the document is the same count over
			// everything.
			se.Line = lineAt(doc, off)
		}
		return newError(ErrSyntax, se.Line, "malformed XML: "+se.Msg, se)
	}
	var ce *charsetError
	if errors.As(err, &ce) {
		line, _ := dec.InputPos()
		return newError(ErrEncoding, line, fmt.Sprintf("encoding %q is declared; only UTF-8 is supported", ce.name), nil)
	}
	line, _ := dec.InputPos()
	return newError(ErrSyntax, line, "malformed XML: "+strings.TrimPrefix(err.Error(), "xml: "), err)
}

// analyze validates doc as Find does and returns its root and badge
// elements.
func analyze(doc []byte, opts *Options) (*prolog, []Element, error) {
	return analyzeDoc(doc, opts, false)
}

// analyzeDoc is analyze; with full set it tokenises the whole document
// instead of stopping after the last candidate (the reference the tests
// compare the pre-filter against).
func analyzeDoc(doc []byte, opts *Options, full bool) (*prolog, []Element, error) {
	maxSize, maxDepth, maxText := opts.limits()
	if int64(len(doc)) > maxSize {
		return nil, nil, newError(ErrTooLarge, 0,
			fmt.Sprintf("document too large: %d bytes, the limit is %d", len(doc), maxSize), nil)
	}
	p, _, err := parseProlog(doc, false)
	if err != nil {
		return nil, nil, err
	}
	if p.root.selfClosing {
		// Nothing but comments, processing instructions and white space
		// may follow a self-closing root.
		if !onlyMisc(doc[p.root.end:]) {
			return nil, nil, newError(ErrSyntax, lineAt(doc, p.root.end), "malformed XML: content after the root element", nil)
		}
		return p, nil, nil
	}
	last := lastCandidate(doc, p.root.end)
	if full {
		last = len(doc)
	}
	if last < 0 {
		if err := checkEnd(doc, p.root.qname); err != nil {
			return nil, nil, err
		}
		return p, nil, nil
	}
	p.in.add(lexCuts(doc, p.root.end, last, 1))

	var (
		dec        = p.dec
		lines      = lineCounter{doc: doc, line: 1}
		depth      = 1 // the root is open
		badgeDepth = 0 // depth of the open badge element, 0 if none
		cur        Element
		body       strings.Builder
		elems      []Element
	)
	for {
		off := p.in.offset(dec.InputOffset())
		if badgeDepth == 0 && off > last {
			break
		}
		tok, err := dec.Token()
		if err == io.EOF && depth == 0 {
			break
		}
		if err != nil {
			return nil, nil, decodeError(doc, p.in, dec, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				return nil, nil, newError(ErrSyntax, lines.at(off), "malformed XML: element <"+t.Name.Local+"> after the root element", nil)
			}
			depth++
			if depth > maxDepth {
				return nil, nil, newError(ErrTooDeep, lines.at(off),
					fmt.Sprintf("elements nested deeper than %d", maxDepth), nil)
			}
			if badgeDepth == 0 && isBadge(t.Name) {
				badgeDepth = depth
				cur = Element{
					Namespace: t.Name.Space,
					Local:     t.Name.Local,
					Start:     off,
					Line:      lines.at(off),
				}
				if name := rawName(doc, off); bytes.IndexByte(name, ':') > 0 {
					cur.Prefix = string(name[:bytes.IndexByte(name, ':')])
				}
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "verify" {
						cur.Verify, cur.HasVerify = a.Value, true
					}
				}
				if int64(len(cur.Verify)) > maxText {
					return nil, nil, textTooLarge(cur, "verify attribute", maxText)
				}
				body.Reset()
			}
		case xml.EndElement:
			if depth == badgeDepth {
				cur.End = p.in.offset(dec.InputOffset())
				cur.Body = body.String()
				elems = append(elems, cur)
				badgeDepth = 0
			}
			depth--
		case xml.CharData:
			if badgeDepth > 0 {
				if int64(body.Len())+int64(len(t)) > maxText {
					return nil, nil, textTooLarge(cur, "body", maxText)
				}
				body.Write(t)
			} else if depth == 0 && !isSpace(t) {
				return nil, nil, newError(ErrSyntax, lines.at(off), "malformed XML: text after the root element", nil)
			}
		case xml.Directive:
			return nil, nil, newError(ErrSyntax, lines.at(off), "malformed XML: <!"+directiveKeyword(t)+"> is only allowed before the root element", nil)
		}
	}
	// The fast path reads no further than the last badge element, so at
	// least check that the document is complete: a truncated download is
	// the commonest broken SVG.
	if err := checkEnd(doc, p.root.qname); err != nil {
		return nil, nil, err
	}
	return p, elems, nil
}

// textTooLarge is the error for a badge element whose verify attribute or
// body (what) is larger than maxText bytes.
func textTooLarge(e Element, what string, maxText int64) error {
	return newError(ErrTooLarge, e.Line, fmt.Sprintf("the %s of the badge element <%s> is larger than the %d-byte limit", what, e.Local, maxText), nil)
}

func isBadge(n xml.Name) bool {
	return n.Space == NamespaceOB2 && n.Local == localOB2 ||
		n.Space == NamespaceOB3 && n.Local == localOB3
}

// lastCandidate returns the offset of the '<' of the last candidate badge
// start tag at or after from, or -1. A candidate is "<assertion" or
// "<prefix:assertion" (likewise "credential") followed by white space, '/'
// or '>': element names cannot contain references, so every badge element
// is a candidate.
//
// The scan jumps from '<' to '<' with bytes.IndexByte (vectorised). Searching
// for the words themselves is slower on drawings: their first letters are
// everywhere in path data ("c" is the curve command), which defeats the
// fast path of bytes.Index.
func lastCandidate(doc []byte, from int) int {
	last := -1
	for i := from; i < len(doc); {
		j := bytes.IndexByte(doc[i:], '<')
		if j < 0 {
			break
		}
		lt := i + j
		k := lt + 1
		for k < len(doc) && isNameByte(doc[k]) {
			k++
		}
		if k < len(doc) && isNameEnd(doc[k]) && isCandidateName(doc[lt+1:k]) {
			last = lt
		}
		i = max(k, lt+1)
	}
	return last
}

// isCandidateName reports whether a qualified name as written has the
// local name assertion or credential, with no prefix or a non-empty one.
func isCandidateName(name []byte) bool {
	var local []byte
	switch {
	case bytes.HasSuffix(name, []byte(localOB2)):
		local = name[len(name)-len(localOB2):]
	case bytes.HasSuffix(name, []byte(localOB3)):
		local = name[len(name)-len(localOB3):]
	default:
		return false
	}
	prefix := name[:len(name)-len(local)]
	if len(prefix) == 0 {
		return true
	}
	return len(prefix) >= 2 && prefix[len(prefix)-1] == ':' && bytes.IndexByte(prefix[:len(prefix)-1], ':') < 0
}

// isNameByte reports whether c can be part of a name as encoding/xml reads
// it (all bytes of multi-byte UTF-8 sequences included).
func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-' || c >= 0x80
}

// isNameStart reports whether c can start an element name as encoding/xml
// reads it.
func isNameStart(c byte) bool {
	return isNameByte(c) && !('0' <= c && c <= '9') && c != '.' && c != '-'
}

// isNameEnd reports whether c can follow an element name in a start tag.
func isNameEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '/', '>':
		return true
	}
	return false
}

// rawName returns the qualified name as written of the tag starting at
// doc[off] == '<'.
func rawName(doc []byte, off int) []byte {
	i := off + 1
	for i < len(doc) && isNameByte(doc[i]) {
		i++
	}
	return doc[off+1 : i]
}

// isRawSVGStartTag reports whether b starts with "<svg" or "<prefix:svg"
// followed by a delimiter: what Sniff accepts when the root start tag
// itself cannot be tokenised.
func isRawSVGStartTag(b []byte) bool {
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	name := rawName(b, 0)
	if len(name)+1 < len(b) && !isNameEnd(b[len(name)+1]) {
		return false
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return string(name) == "svg"
}

func isSpace(b []byte) bool {
	return skipSpace(b, 0) == len(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func directiveKeyword(d []byte) string {
	i := 0
	for i < len(d) && i < 16 && isNameByte(d[i]) {
		i++
	}
	return string(d[:i])
}

// lineAt returns the 1-based line of doc[off].
func lineAt(doc []byte, off int) int {
	return 1 + bytes.Count(doc[:off], []byte{'\n'})
}

// lineCounter computes lines for increasing offsets in linear total time.
type lineCounter struct {
	doc  []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	if off > c.off {
		c.line += bytes.Count(c.doc[c.off:off], []byte{'\n'})
		c.off = off
	}
	return c.line
}

// checkEnd reports an ErrSyntax unless doc ends with the root end tag
// </qname>, optionally followed by white space, comments and processing
// instructions (all that XML allows after the root element).
func checkEnd(doc []byte, qname string) error {
	tail := doc
	for {
		tail = bytes.TrimRight(tail, " \t\r\n")
		switch {
		case bytes.HasSuffix(tail, []byte("-->")):
			i := bytes.LastIndex(tail, []byte("<!--"))
			if i < 0 {
				return endError(doc, qname)
			}
			tail = tail[:i]
			continue
		case bytes.HasSuffix(tail, []byte("?>")):
			i := bytes.LastIndex(tail, []byte("<?"))
			if i < 0 {
				return endError(doc, qname)
			}
			tail = tail[:i]
			continue
		}
		break
	}
	if !bytes.HasSuffix(tail, []byte(">")) {
		return endError(doc, qname)
	}
	tail = bytes.TrimRight(tail[:len(tail)-1], " \t\r\n")
	if !bytes.HasSuffix(tail, []byte("</"+qname)) {
		return endError(doc, qname)
	}
	return nil
}

func endError(doc []byte, qname string) error {
	return newError(ErrSyntax, lineAt(doc, len(doc)), "malformed XML: the document does not end with </"+qname+"> (is it truncated?)", nil)
}

// onlyMisc reports whether b holds nothing but white space, comments and
// processing instructions.
func onlyMisc(b []byte) bool {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case len(b) == 0:
			return true
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b[4:], []byte("-->"))
			if i < 0 {
				return false
			}
			b = b[4+i+3:]
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b[2:], []byte("?>"))
			if i < 0 {
				return false
			}
			b = b[2+i+2:]
		default:
			return false
		}
	}
}
