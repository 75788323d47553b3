// Package textin handles text that comes from outside (badge payloads,
// fetched documents, files people give): the one place that knows a UTF-8
// byte order mark may lead it.
package textin

import "unicode/utf8"

// BOM is the UTF-8 encoding of U+FEFF, the byte order mark some editors and
// servers put before UTF-8 text.
const BOM = "\ufeff"

// TrimBOM returns t without a leading UTF-8 byte order mark (one, if
// there is one). It does not copy.
func TrimBOM[T ~string | ~[]byte](t T) T {
	if HasBOM(t) {
		return t[len(BOM):]
	}
	return t
}

// HasBOM reports whether t starts with a UTF-8 byte order mark.
func HasBOM[T ~string | ~[]byte](t T) bool {
	return len(t) >= len(BOM) && string(t[:len(BOM)]) == BOM
}

// Clip shortens t for a message: at most max bytes, cut at a character
// boundary, with "…" when anything was cut.
func Clip[T ~string | ~[]byte](t T, max int) string {
	if len(t) <= max {
		return string(t)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	return string(t[:cut]) + "…"
}
