// Package magic names what a file looks like from its first bytes, so that
// "not a PNG" or "not an SVG" errors can say what the input is instead
// (badge files named .png are often JPEGs, SVGs or JSON).
package magic

import (
	"bytes"
	"unicode/utf8"

	"github.com/badgebake/badgebake/internal/textin"
)

// Describe returns a noun phrase such as "a JPEG image" or "JSON text" for
// the start of a file, or "" when the content is not recognised. A few
// hundred bytes are enough.
//
// Describe of nothing is Empty.
func Describe(b []byte) string {
	t := textin.TrimBOM(b)
	t = bytes.TrimLeft(t, " \t\r\n")
	switch {
	case len(b) == 0:
		return Empty
	case len(t) == 0:
		return "only white space"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "a PNG image"
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return "a PNG whose signature was damaged (transferred as text?)"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "a JPEG image"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "a GIF image"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "a WebP image"
	case bytes.HasPrefix(b, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "a ZIP archive"
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "gzip-compressed data (an .svgz file must be decompressed first)"
	case t[0] == '{' || t[0] == '[':
		return "JSON text"
	case hasPrefixFold(t, "<!doctype html"), hasPrefixFold(t, "<html"):
		return "an HTML page"
	case t[0] == '<':
		return "an XML document"
	case bytes.HasPrefix(t, []byte("http://")), bytes.HasPrefix(t, []byte("https://")):
		return "a URL"
	case !utf8.Valid(t[:min(len(t), 512)]) && utf8.FullRune(t[:min(len(t), 512)]):
		return "binary data"
	}
	return ""
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// Empty is what Describe says of no bytes at all.
const Empty = "an empty file"
