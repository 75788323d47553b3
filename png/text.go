package png

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// maxKeywordLen is the PNG limit on a text chunk keyword, in bytes.
const maxKeywordLen = 79

// Text is a decoded tEXt, zTXt or iTXt chunk.
type Text struct {
	Type              ChunkType // TypeTEXt, TypeZTXt or TypeITXt
	Keyword           string    // raw Latin-1 bytes, matched exactly by callers
	Compressed        bool      // zTXt always; iTXt when its compression flag is 1
	LanguageTag       string    // iTXt only
	TranslatedKeyword string    // iTXt only
	// Text is the text, inflated if it was compressed. For tEXt and zTXt it
	// holds the raw Latin-1 bytes as stored, not converted; for iTXt it is
	// valid UTF-8. Uncompressed text shares memory with the data parsed.
	Text []byte
}

// Keyword returns the keyword of a tEXt, zTXt or iTXt data field (the bytes
// before the first NUL) without parsing the rest, so a caller can pick the
// chunk it wants cheaply. ok is false unless data starts with a 1-79 byte
// keyword followed by NUL.
func Keyword(data []byte) (string, bool) {
	i := bytes.IndexByte(data[:min(len(data), maxKeywordLen+1)], 0)
	if i <= 0 {
		return "", false
	}
	return string(data[:i]), true
}

// ParseText decodes a text chunk's data field. Compressed text is inflated
// through a hard cap of maxText bytes (0 means DefaultMaxTextSize); text
// longer than the cap, compressed or not, is an error wrapping
// ErrTextTooLarge, and a decompression bomb never allocates past the cap.
//
// Other problems are errors wrapping ErrBadText. Keywords that break the
// character rules of ValidKeyword are tolerated on read: callers match exact
// bytes anyway, and real files contain odd ones. The compression method of an
// uncompressed iTXt is ignored, as libpng does.
func ParseText(typ ChunkType, data []byte, maxText int64) (*Text, error) {
	if maxText <= 0 {
		maxText = DefaultMaxTextSize
	}
	if !typ.IsText() {
		return nil, textErr(typ, ErrBadText, "chunk type is not tEXt, zTXt or iTXt")
	}
	kw, rest, err := splitKeyword(typ, data)
	if err != nil {
		return nil, err
	}
	t := &Text{Type: typ, Keyword: string(kw)}
	switch typ {
	case TypeTEXt:
		t.Text = rest
	case TypeZTXt:
		err = t.parseZTXt(rest, maxText)
	case TypeITXt:
		err = t.parseITXt(rest, maxText)
	}
	if err != nil {
		return nil, err
	}
	if err := t.checkText(maxText); err != nil {
		return nil, err
	}
	return t, nil
}

func splitKeyword(typ ChunkType, data []byte) (kw, rest []byte, err error) {
	i := bytes.IndexByte(data, 0)
	switch {
	case i < 0:
		return nil, nil, textErr(typ, ErrBadText, "missing NUL separator after the keyword")
	case i == 0:
		return nil, nil, textErr(typ, ErrBadText, "empty keyword")
	case i > maxKeywordLen:
		return nil, nil, textErr(typ, ErrBadText, fmt.Sprintf("keyword is %d bytes, longer than %d", i, maxKeywordLen))
	}
	return data[:i], data[i+1:], nil
}

func (t *Text) parseZTXt(rest []byte, maxText int64) error {
	if len(rest) == 0 {
		return textErr(t.Type, ErrBadText, "missing compression method")
	}
	if rest[0] != 0 {
		return textErr(t.Type, ErrBadText, fmt.Sprintf("unknown compression method %d", rest[0]))
	}
	t.Compressed = true
	var err error
	t.Text, err = inflate(t.Type, rest[1:], maxText)
	return err
}

func (t *Text) parseITXt(rest []byte, maxText int64) error {
	if len(rest) < 2 {
		return textErr(t.Type, ErrBadText, "missing compression flag or method")
	}
	flag, method := rest[0], rest[1]
	switch {
	case flag > 1:
		return textErr(t.Type, ErrBadText, fmt.Sprintf("compression flag is %d, want 0 or 1", flag))
	case flag == 1 && method != 0:
		return textErr(t.Type, ErrBadText, fmt.Sprintf("unknown compression method %d", method))
	}
	lang, rest, ok := bytes.Cut(rest[2:], []byte{0})
	if !ok {
		return textErr(t.Type, ErrBadText, "missing NUL separator after the language tag")
	}
	if err := checkLanguageTag(t.Type, lang); err != nil {
		return err
	}
	tkw, rest, ok := bytes.Cut(rest, []byte{0})
	if !ok {
		return textErr(t.Type, ErrBadText, "missing NUL separator after the translated keyword")
	}
	if i := invalidUTF8(tkw); i >= 0 {
		return textErr(t.Type, ErrBadText, fmt.Sprintf("translated keyword is not valid UTF-8 (byte 0x%02x at position %d)", tkw[i], i))
	}
	t.LanguageTag, t.TranslatedKeyword = string(lang), string(tkw)
	t.Compressed = flag == 1
	if !t.Compressed {
		t.Text = rest
		return nil
	}
	var err error
	t.Text, err = inflate(t.Type, rest, maxText)
	return err
}

// checkText applies the rules every text shares, after any inflating.
func (t *Text) checkText(maxText int64) error {
	if int64(len(t.Text)) > maxText {
		return textErr(t.Type, ErrTextTooLarge, fmt.Sprintf("text is %d bytes, over the limit of %d", len(t.Text), maxText))
	}
	if i := bytes.IndexByte(t.Text, 0); i >= 0 {
		return textErr(t.Type, ErrBadText, fmt.Sprintf("NUL byte inside the text at position %d", i))
	}
	if t.Type == TypeITXt {
		if i := invalidUTF8(t.Text); i >= 0 {
			return textErr(t.Type, ErrBadText, fmt.Sprintf("text is not valid UTF-8 (byte 0x%02x at position %d)", t.Text[i], i))
		}
	}
	return nil
}

// checkLanguageTag requires ASCII, as the PNG specification does (ISO 646).
func checkLanguageTag(typ ChunkType, lang []byte) error {
	for i, c := range lang {
		if c == 0 || c >= 0x80 {
			return textErr(typ, ErrBadText, fmt.Sprintf("language tag is not ASCII (byte 0x%02x at position %d)", c, i))
		}
	}
	return nil
}

// inflate decompresses a zlib stream through the cap, so a bomb is detected
// without any buffer larger than maxText.
func inflate(typ ChunkType, compressed []byte, maxText int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, textErr(typ, ErrBadText, fmt.Sprintf("bad zlib stream: %v", err))
	}
	defer zr.Close()
	text, err := readAtMost(zr, maxText)
	if err == nil && int64(len(text)) == maxText {
		// Full: one more byte, read on the side, tells a text of exactly
		// maxText bytes from a longer one.
		var probe [1]byte
		if _, err = io.ReadFull(zr, probe[:]); err == nil {
			return nil, textErr(typ, ErrTextTooLarge, fmt.Sprintf("text inflates to more than %d bytes", maxText))
		}
		if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		return nil, textErr(typ, ErrBadText, fmt.Sprintf("bad zlib stream: %v", err))
	}
	return text, nil
}

// readAtMost reads src to EOF or until limit bytes, whichever comes first.
// Unlike io.ReadAll over an io.LimitReader, its buffer never grows past limit.
func readAtMost(src io.Reader, limit int64) ([]byte, error) {
	buf := make([]byte, 0, min(limit, 512))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = append(make([]byte, 0, min(limit, 2*int64(cap(buf)))), buf...)
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// invalidUTF8 returns the position of the first byte that is not part of
// valid UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func textErr(typ ChunkType, sentinel error, detail string) error {
	return &FormatError{Offset: -1, Type: typ, Err: sentinel, Detail: detail}
}

// ValidKeyword reports whether k satisfies the PNG keyword rules: 1-79 bytes
// of printable Latin-1 (32-126, 161-255), with no leading, trailing or
// consecutive spaces. k is taken as raw bytes, not UTF-8. The error wraps
// ErrBadText and says which rule is broken.
func ValidKeyword(k string) error {
	bad := func(format string, args ...any) error {
		return &FormatError{Offset: -1, Err: ErrBadText, Detail: fmt.Sprintf(format, args...)}
	}
	switch {
	case k == "":
		return bad("empty keyword")
	case len(k) > maxKeywordLen:
		return bad("keyword is %d bytes, longer than %d", len(k), maxKeywordLen)
	case k[0] == ' ':
		return bad("keyword %q starts with a space", k)
	case k[len(k)-1] == ' ':
		return bad("keyword %q ends with a space", k)
	case strings.Contains(k, "  "):
		return bad("keyword %q has consecutive spaces", k)
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 32 || c > 126 && c < 161 {
			return bad("keyword %q has byte 0x%02x at position %d, which is not printable Latin-1", k, c, i)
		}
	}
	return nil
}

// Encode returns the chunk data field for t. It validates the keyword with
// ValidKeyword, compresses the text when t is zTXt or a compressed iTXt, and
// refuses what the chunk type cannot hold: NUL in any text, compression or
// iTXt fields in a tEXt, a language tag or translated keyword in tEXt/zTXt,
// and text or translated keywords that are not UTF-8 in iTXt.
func (t *Text) Encode() ([]byte, error) {
	if err := ValidKeyword(t.Keyword); err != nil {
		err.(*FormatError).Type = t.Type
		return nil, err
	}
	if !t.Type.IsText() {
		return nil, textErr(t.Type, ErrBadText, "chunk type is not tEXt, zTXt or iTXt")
	}
	if t.Type != TypeITXt && (t.LanguageTag != "" || t.TranslatedKeyword != "") {
		return nil, textErr(t.Type, ErrBadText, "only iTXt has a language tag and translated keyword")
	}
	if i := bytes.IndexByte(t.Text, 0); i >= 0 {
		return nil, textErr(t.Type, ErrBadText, fmt.Sprintf("NUL byte inside the text at position %d", i))
	}
	switch t.Type {
	case TypeTEXt:
		if t.Compressed {
			return nil, textErr(t.Type, ErrBadText, "tEXt cannot be compressed; use zTXt or iTXt")
		}
		return join([]byte(t.Keyword), []byte{0}, t.Text), nil
	case TypeZTXt:
		// zTXt is compressed by definition, whatever t.Compressed says.
		return join([]byte(t.Keyword), []byte{0, 0}, deflate(t.Text)), nil
	}
	return t.encodeITXt()
}

func (t *Text) encodeITXt() ([]byte, error) {
	if err := checkLanguageTag(t.Type, []byte(t.LanguageTag)); err != nil {
		return nil, err
	}
	if i := invalidUTF8([]byte(t.TranslatedKeyword)); i >= 0 || strings.IndexByte(t.TranslatedKeyword, 0) >= 0 {
		return nil, textErr(t.Type, ErrBadText, "translated keyword is not valid UTF-8 without NUL")
	}
	if i := invalidUTF8(t.Text); i >= 0 {
		return nil, textErr(t.Type, ErrBadText, fmt.Sprintf("text is not valid UTF-8 (byte 0x%02x at position %d)", t.Text[i], i))
	}
	flag, text := byte(0), t.Text
	if t.Compressed {
		flag, text = 1, deflate(t.Text)
	}
	return join([]byte(t.Keyword), []byte{0, flag, 0}, []byte(t.LanguageTag), []byte{0},
		[]byte(t.TranslatedKeyword), []byte{0}, text), nil
}

// ITXtData returns the data field of an uncompressed iTXt chunk with an empty
// language tag and translated keyword: keyword, NUL, compression flag 0,
// method 0, NUL, NUL, text. This is exactly the layout the Mozilla and Python
// bakers write, and what the baking specifications show. The keyword is not
// validated; see ValidKeyword.
func ITXtData(keyword string, text []byte) []byte {
	return join([]byte(keyword), []byte{0, 0, 0, 0, 0}, text)
}

func join(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func deflate(text []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	// Writes to a bytes.Buffer cannot fail.
	zw.Write(text)
	zw.Close()
	return b.Bytes()
}
