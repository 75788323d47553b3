package svg

import (
	"bytes"

	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/internal/textin"
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
	if isUTF16(textin.TrimBOM(doc)) {
		return "it is UTF-16 encoded; only UTF-8 is supported"
	}
	if d := magic.Describe(doc); d != "" {
		return "it looks like " + d
	}
	return "it does not start with '<'"
}
