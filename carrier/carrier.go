package carrier

import (
	"bytes"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/svg"
)

// The PNG text-chunk keywords that carry a badge, by generation.
const (
	KeywordOB2 = "openbadges"          // Open Badges 0.5 to 2.0
	KeywordOB3 = "openbadgecredential" // Open Badges 3.0
)

// Keyword returns the PNG keyword that carries generation g's badges.
func Keyword(g payload.Generation) string {
	if g == payload.OB3 {
		return KeywordOB3
	}
	return KeywordOB2
}

// GenerationOfKeyword maps a PNG keyword to the generation it carries; ok
// is false for a keyword that carries no badge.
func GenerationOfKeyword(k string) (g payload.Generation, ok bool) {
	switch k {
	case KeywordOB2:
		return payload.OB2, true
	case KeywordOB3:
		return payload.OB3, true
	}
	return "", false
}

// Namespace returns the XML namespace of the SVG element that carries
// generation g's badges (svg.NamespaceOB2: <assertion>; svg.NamespaceOB3:
// <credential>).
func Namespace(g payload.Generation) string {
	if g == payload.OB3 {
		return svg.NamespaceOB3
	}
	return svg.NamespaceOB2
}

// MayBeImage reports, from the first bytes of b only, whether it may be a
// PNG or SVG image: false means Detect returns "" (see svg.MayBeSVG).
func MayBeImage(b []byte) bool {
	return bytes.HasPrefix(b, []byte(png.Signature)) || svg.MayBeSVG(b)
}

// Detect tells the format of b, a whole input or at least its first
// kilobytes: PNG by its signature, SVG by an <svg> root (after a BOM, an
// XML declaration, comments and a DOCTYPE), or "" for anything else.
func Detect(b []byte) Format {
	switch {
	case bytes.HasPrefix(b, []byte(png.Signature)):
		return PNG
	case svg.Sniff(b):
		return SVG
	}
	return ""
}
