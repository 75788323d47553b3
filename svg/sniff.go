package svg

import (
	"bytes"
	"unicode/utf8"
)

// isUTF16 reports whether b (after any UTF-8 BOM) is evidently UTF-16: a
// UTF-16 byte order mark, or '<' encoded in two bytes.
func isUTF16(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	switch {
	case b[0] == 0xFE && b[1] == 0xFF, b[0] == 0xFF && b[1] == 0xFE:
		return true
	case b[0] == '<' && b[1] == 0, b[0] == 0 && b[1] == '<':
		return true
	}
	return false
}

// looksLikeHTML reports whether b (starting at its first '<') opens an HTML
// document.
func looksLikeHTML(b []byte) bool {
	return hasPrefixFold(b, "<!doctype html") || hasPrefixFold(b, "<html")
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// describe says cheaply what doc looks like, for ErrNotSVG messages.
func describe(doc []byte) string {
	b := bytes.TrimPrefix(doc, utf8BOM)
	switch {
	case len(doc) == 0:
		return "the input is empty"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "it looks like a PNG image"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "it looks like a JPEG image"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "it looks like a GIF image"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "it looks like a WebP image"
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "it looks like a PDF document"
	case bytes.HasPrefix(b, []byte{0x1F, 0x8B}):
		return "it looks like gzip-compressed data (an .svgz file must be decompressed first)"
	}
	i := skipSpace(b, 0)
	if i == len(b) {
		return "the input contains only white space"
	}
	t := b[i:]
	switch {
	case t[0] == '{' || t[0] == '[':
		return "it looks like JSON"
	case t[0] == '<' && looksLikeHTML(t):
		return "it looks like HTML"
	case t[0] == '<':
		return "it does not start with an SVG root element"
	case !utf8.Valid(t[:min(len(t), 512)]):
		return "it looks like binary data"
	}
	return "it does not start with '<'"
}
