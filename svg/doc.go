// Package svg finds, removes and inserts the Open Badges element of an SVG
// image: <openbadges:assertion> in namespace http://openbadges.org (Open
// Badges 1.x/2.0) and <openbadges:credential> in namespace
// https://purl.imsglobal.org/ob/v3p0 (Open Badges 3.0).
//
// # Matching
//
// Elements are matched by namespace URI and local name, never by the prefix
// as written: <ob:assertion xmlns:ob="http://openbadges.org">, a default
// namespace, or a declaration on the element itself all count, while a prefix
// openbadges bound to some other URI (for example the mistaken
// https://purl.imsglobal.org/spec/ob/v3p0) does not. The verify attribute is
// the one without a namespace; the body is all character data inside the
// element, descendants included (text and CDATA sections, concatenated,
// untrimmed; comments and processing instructions excluded). Both are
// reported as found: deciding which one carries the credential (OB 2.0
// hosted bakes have a URL in verify and JSON in the body) is left to the
// caller. When badge elements are nested, only the outer one is reported.
//
// A document is an SVG document when its root element has the local name
// svg in the SVG namespace or in no namespace. The root is found after an
// optional UTF-8 byte order mark, the XML declaration, comments, processing
// instructions, white space and a DOCTYPE of any length.
//
// # Bytes are spliced, never re-marshalled
//
// [Bake] copies the input to the output unchanged except for three things:
// the byte ranges of the badge elements it removes, the new element inserted
// directly after the '>' of the root start tag (no white space is added, so
// cutting [Element.Start, Element.End) out of the baked output restores the
// input exactly when no namespace declaration had to be added), and at most
// one namespace declaration on the root start tag. Re-encoding a document
// through encoding/xml or a DOM library damages namespaces and rewrites
// almost every line of a drawing, so neither is done.
//
// # Safety
//
// Nothing is ever fetched and no entity is ever expanded. encoding/xml does
// not read DTDs; in strict mode a reference to an entity it does not know is
// a syntax error. Before the root element is read, every DOCTYPE is scanned
// for general entity declarations (<!ENTITY name …>, internal or SYSTEM); if
// any declared entity is referenced anywhere later in the document, the
// document is refused with [ErrEntity]. This catches "billion laughs" and
// XXE documents at once, wherever the reference sits, without reading the
// body. Declared but unused entities and external DTD identifiers (such as the
// SVG 1.1 PUBLIC doctype) are tolerated. Documents larger than
// [Options.MaxSize], and badge elements whose body or verify attribute is
// larger than [Options.MaxTextSize], are refused with [ErrTooLarge], and
// element nesting deeper than [Options.MaxDepth] in the part that is
// tokenised with [ErrTooDeep]. Only UTF-8 (with or without a byte order mark) is accepted;
// another declared encoding gives [ErrEncoding]. The package does not
// sanitise active content (scripts, event handlers) and does not claim to.
//
// # Performance
//
// Tokenising a 200 KB drawing with encoding/xml takes milliseconds, while
// unbaking or baking must take microseconds. The package therefore tokenises
// only what it must:
//
//   - the prolog and the root start tag, always, with the standard
//     tokenizer ([xml.Decoder.Token] resolves namespaces and
//     [xml.Decoder.InputOffset] gives exact byte offsets);
//   - the rest of the document only up to the last candidate badge element.
//
// Element names cannot be written with character or entity references, so a
// badge element necessarily appears literally as "<assertion" or
// "<prefix:assertion" (likewise "credential") followed by white space, '/'
// or '>'. A byte scan for those two words (bytes.Index is vectorised) finds
// every candidate. With no candidate there is no badge element and nothing
// after the root start tag is tokenised. Otherwise tokenising continues
// until the last candidate has been passed (and, if it opened a badge
// element, until that element ends); tokenising from the start is needed
// because the prefix of a candidate can be bound by any ancestor. Candidates
// inside comments, CDATA sections or processing instructions are harmless
// false positives: they only make the tokenised part longer.
//
// The price is that [Find] and [Bake] do not check the well-formedness of
// the part of the document after the last candidate (typically the whole
// drawing), beyond one cheap check: the document must end with the root end
// tag (then only white space, comments and processing instructions), which
// catches truncated files. That part is copied through untouched by [Bake],
// so no damage can come from it; a full validation is a separate concern.
//
// # Memory
//
// encoding/xml copies each token into a buffer that grows to the largest
// token, and each attribute value once more into a string, so a drawing that
// is mostly one embedded base64 image, or one traced path, would cost
// several times its size to tokenise. The tokenizer is therefore not shown
// long runs (4 KiB or more) of plain text outside badge elements: character
// data, CDATA sections, comments and attribute values other than namespace
// declarations, made of characters that are well-formed wherever they stand
// (see cut.go for the exact rule). It reads 16 bytes of each such run and
// skips the rest; offsets and line numbers are those of the whole
// document, and no result or error changes. On the drawings measured in
// BENCHMARKS.md (path data, an embedded image), [Find] then allocates under
// a tenth of the document's size besides the badge elements' text. Many
// short tokens (say, a hundred thousand attributes on one element) still
// cost in proportion to their number.
package svg
