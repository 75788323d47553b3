package svg

import (
	"bytes"
	"io"
	"sort"
	"unicode/utf8"
)

// Bounded memory: what the tokenizer is not shown.
//
// encoding/xml copies every token into a buffer that grows to the largest
// token (doubling as it goes), and copies attribute values once more into
// strings. An SVG whose size is one embedded base64 image or one traced path
// would cost several times its size to tokenise. Yet outside badge elements
// the tokeniser only needs the structure: element names, namespace
// declarations, and whatever can make the document malformed. So a lexer
// (lexCuts) finds, in character data, CDATA sections, comments and attribute
// values that the result does not depend on, long runs of "plain" text:
// characters that are well-formed wherever they stand and that no run of
// them can make malformed. Each such run is cut, all but its first cutKeep
// bytes, and the tokenizer reads the document through a cutReader, which
// skips the cuts. Offsets and lines are mapped back to the document.
//
// Nothing the result depends on is cut: not the inside or the attributes of
// a candidate badge element (see lastCandidate), not a namespace
// declaration, not character data after the root element. A run of plain
// text is a run of its units: a printable ASCII character other than
// & < > ] " ' (and -, in comments), tab, line feed, carriage return, a
// valid UTF-8 sequence of a character XML allows, or a reference to a
// predefined entity or to an allowed character. Cutting from a unit boundary
// to the end of a run cannot remove an error, nor make one (the bytes on
// either side of a cut are a plain unit and the unit that ended the run,
// which stood side by side with another plain unit before), nor change
// where a token ends.
//
// When the lexer meets anything it does not expect (a construct that the
// tokenizer refuses after the root element, or malformed markup), it stops
// cutting: the tokenizer then reads the rest as it is and reports the error.

// Cut sizes; variables so that the tests can cut everything.
var (
	// cutMin is the shortest run of plain text that is cut.
	cutMin = 4096
	// cutKeep is how much of a cut run the tokenizer still sees (at least
	// one unit, so that no two non-plain units become neighbours).
	cutKeep = 16
)

// cut is a byte range [start, end) of the document that the tokenizer does
// not see.
type cut struct{ start, end int }

// cutReader reads doc[base:] without its cuts, a byte at a time
// (io.ByteReader, so that encoding/xml reads it without a bufio.Reader and
// without reading ahead).
type cutReader struct {
	doc  []byte
	base int
	pos  int   // document offset of the next byte
	cuts []cut // sorted, not overlapping
	next int   // index of the first cut not yet skipped
	// at[k] is the offset in the stream (what the tokenizer reads) at
	// which cuts[k] is skipped, and skipped[k] the bytes skipped by
	// cuts[0..k].
	at, skipped []int
}

func newCutReader(doc []byte, base int) *cutReader {
	return &cutReader{doc: doc, base: base, pos: base}
}

// add appends cuts, which must all lie after the reader's position and
// after the cuts it has.
func (r *cutReader) add(cuts []cut) {
	for _, c := range cuts {
		total := 0
		if n := len(r.skipped); n > 0 {
			total = r.skipped[n-1]
		}
		r.cuts = append(r.cuts, c)
		r.at = append(r.at, c.start-r.base-total)
		r.skipped = append(r.skipped, total+c.end-c.start)
	}
}

func (r *cutReader) ReadByte() (byte, error) {
	if r.next < len(r.cuts) && r.pos == r.cuts[r.next].start {
		r.pos = r.cuts[r.next].end
		r.next++
	}
	if r.pos >= len(r.doc) {
		return 0, io.EOF
	}
	b := r.doc[r.pos]
	r.pos++
	return b, nil
}

func (r *cutReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
	}
	return n, nil
}

// offset returns the document offset of stream offset s (a tokenizer's
// InputOffset). A cut that starts at s counts if the reader has skipped
// it: then the tokenizer has read the byte after it (and maybe put it back),
// so its next token starts after the cut; otherwise it stopped before.
func (r *cutReader) offset(s int64) int {
	k := sort.Search(len(r.at), func(k int) bool { return int64(r.at[k]) >= s })
	if k < r.next && k < len(r.at) && int64(r.at[k]) == s {
		k++
	}
	return r.base + int(s) + r.skippedBefore(k)
}

// skippedBefore returns the bytes skipped by the first k cuts.
func (r *cutReader) skippedBefore(k int) int {
	if k == 0 {
		return 0
	}
	return r.skipped[k-1]
}

// lexCuts returns the cuts of doc from the start tag at from (doc[from] is
// '<'), with depth elements open, until the first construct that starts
// after limit or closes the root element.
func lexCuts(doc []byte, from, limit, depth int) []cut {
	var (
		cuts  []cut
		badge int // depth of the outermost open candidate element, 0 if none
	)
	for i := from; i < len(doc) && i <= limit; {
		if doc[i] != '<' {
			j := bytes.IndexByte(doc[i:], '<')
			if j < 0 {
				j = len(doc) - i
			}
			if depth > 0 && badge == 0 {
				cuts = appendRuns(cuts, doc, i, i+j, &plainText)
			}
			i += j
			continue
		}
		rest := doc[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			if cuts, i = section(cuts, doc, i, "<!--", "-->", &plainComment, badge == 0); i < 0 {
				return cuts
			}
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			if cuts, i = section(cuts, doc, i, "<![CDATA[", "]]>", &plainText, depth > 0 && badge == 0); i < 0 {
				return cuts
			}
		case bytes.HasPrefix(rest, []byte("<?")):
			if cuts, i = section(cuts, doc, i, "<?", "?>", nil, false); i < 0 {
				return cuts
			}
		case bytes.HasPrefix(rest, []byte("<!")):
			return cuts // refused after the root element
		case bytes.HasPrefix(rest, []byte("</")):
			k := skipSpace(doc, i+2+len(rawName(doc, i+1)))
			if k >= len(doc) || doc[k] != '>' {
				return cuts
			}
			depth--
			if depth < badge {
				badge = 0
			}
			if depth <= 0 {
				return cuts
			}
			i = k + 1
		default:
			name := rawName(doc, i)
			k := i + 1 + len(name)
			if len(name) == 0 || k >= len(doc) || !isNameEnd(doc[k]) {
				return cuts
			}
			candidate := isCandidateName(name)
			for {
				k = skipSpace(doc, k)
				if k >= len(doc) {
					return cuts
				}
				if doc[k] == '>' || doc[k] == '/' {
					break
				}
				attr := rawName(doc, k-1) // the name starting at doc[k]
				if len(attr) == 0 {
					return cuts
				}
				k = skipSpace(doc, k+len(attr))
				if k >= len(doc) || doc[k] != '=' {
					return cuts
				}
				k = skipSpace(doc, k+1)
				if k >= len(doc) || doc[k] != '"' && doc[k] != '\'' {
					return cuts
				}
				e := bytes.IndexByte(doc[k+1:], doc[k])
				if e < 0 {
					return cuts
				}
				e += k + 1
				if badge == 0 && !candidate && !isNamespaceDecl(attr) {
					cuts = appendRuns(cuts, doc, k+1, e, &plainText)
				}
				k = e + 1
			}
			if doc[k] == '/' {
				if k+1 >= len(doc) || doc[k+1] != '>' {
					return cuts
				}
				k++
			} else {
				depth++
				if candidate && badge == 0 {
					badge = depth
				}
			}
			i = k + 1
		}
	}
	return cuts
}

// section reads the construct open…close at doc[i:] (a comment, CDATA
// section or processing instruction) and, when cutInside, appends the
// cuts of the runs of text plain by the table plain inside it. It returns
// the offset after close, or -1 if close is missing.
func section(cuts []cut, doc []byte, i int, open, close string, plain *[256]bool, cutInside bool) ([]cut, int) {
	start := i + len(open)
	j := bytes.Index(doc[start:], []byte(close))
	if j < 0 {
		return cuts, -1
	}
	if cutInside {
		cuts = appendRuns(cuts, doc, start, start+j, plain)
	}
	return cuts, start + j + len(close)
}

// isNamespaceDecl reports whether an attribute name as written declares a
// namespace.
func isNamespaceDecl(name []byte) bool {
	return string(name) == "xmlns" || bytes.HasPrefix(name, []byte("xmlns:"))
}

// Plain ASCII bytes, in general and in comments.
var plainText, plainComment = plainTables()

func plainTables() (text, comment [256]bool) {
	for c := 0x20; c < 0x7F; c++ {
		text[c] = true
	}
	for _, c := range []byte("&<>]\"'") {
		text[c] = false
	}
	text['\t'], text['\n'], text['\r'] = true, true, true
	comment = text
	comment['-'] = false
	return text, comment
}

// appendRuns appends to cuts one cut for each run of plain units in
// doc[start:end) of at least cutMin bytes: the run but its first cutKeep
// bytes (rounded up to a unit boundary).
func appendRuns(cuts []cut, doc []byte, start, end int, plain *[256]bool) []cut {
	run, keep := -1, -1 // start of the current run, end of its kept part
	closeRun := func(at int) {
		if run >= 0 && keep >= 0 && keep < at && at-run >= cutMin {
			cuts = append(cuts, cut{keep, at})
		}
		run = -1
	}
	for i := start; i < end; {
		n := 0
		switch c := doc[i]; {
		case plain[c]:
			n = 1
		case c == '&':
			n = referenceLen(doc[i:end])
		case c >= utf8.RuneSelf:
			if r, size := utf8.DecodeRune(doc[i:end]); r != utf8.RuneError && isXMLChar(r) {
				n = size
			}
		}
		if n == 0 {
			closeRun(i)
			if doc[i] == '&' {
				// A reference the tokenizer refuses or that is not
				// plain: its name, which the error message quotes,
				// is not plain either.
				i++
				for i < end && (isNameByte(doc[i]) || doc[i] == '#') {
					i++
				}
				if i < end && doc[i] == ';' {
					i++
				}
				continue
			}
			i++
			continue
		}
		if run < 0 {
			run, keep = i, -1
		}
		if keep < 0 && i-run >= cutKeep {
			keep = i
		}
		i += n
	}
	closeRun(end)
	return cuts
}

// referenceLen returns the length of the reference at the start of b (b[0]
// is '&') when it is one that encoding/xml replaces by an allowed
// character: a predefined entity, or a character reference of at most
// seven digits to a character XML allows. Otherwise 0.
func referenceLen(b []byte) int {
	semi := bytes.IndexByte(b[:min(len(b), 12)], ';')
	if semi < 2 {
		return 0
	}
	ref := b[1:semi]
	if ref[0] != '#' {
		if predefined[string(ref)] {
			return semi + 1
		}
		return 0
	}
	digits, base := ref[1:], rune(10)
	if len(digits) > 0 && digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 7 {
		return 0
	}
	var r rune
	for _, c := range digits {
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0
		}
		r = r*base + d
	}
	if !isXMLChar(r) || 0xD800 <= r && r <= 0xDFFF {
		return 0
	}
	return semi + 1
}
