package rdfc

import (
	"unicode/utf8"
)

// The datatype IRIs that canonical N-Quads leave implicit.
const (
	xsdString     = "http://www.w3.org/2001/XMLSchema#string"
	rdfLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

// String returns t in canonical N-Quads form: <iri>, _:label, or a quoted
// literal with its datatype or language tag. The zero Term (the default
// graph) is the empty string.
func (t Term) String() string { return string(appendTerm(nil, t)) }

// String returns q as one canonical N-Quads statement, without the final
// line feed: "S P O ." or "S P O G .".
func (q Quad) String() string {
	b := appendQuadTerms(nil, q)
	return string(b[:len(b)-1])
}

// appendQuadTerms appends q as a canonical N-Quads line, line feed included.
func appendQuadTerms(b []byte, q Quad) []byte {
	b = appendTerm(b, q.Subject)
	b = append(b, ' ')
	b = appendTerm(b, q.Predicate)
	b = append(b, ' ')
	b = appendTerm(b, q.Object)
	if q.Graph.Kind != None {
		b = append(b, ' ')
		b = appendTerm(b, q.Graph)
	}
	return append(b, " .\n"...)
}

// appendTerm appends t in canonical N-Quads form. IRIs and blank node
// labels are written as they are (RDFC-1.0 does not escape them); only
// literals are escaped.
func appendTerm(b []byte, t Term) []byte {
	switch t.Kind {
	case IRI:
		b = append(b, '<')
		b = append(b, t.Value...)
		return append(b, '>')
	case BlankNode:
		b = append(b, "_:"...)
		return append(b, t.Value...)
	case Literal:
		b = appendLiteralString(b, t.Value)
		switch {
		case t.Language != "":
			b = append(b, '@')
			b = append(b, t.Language...)
		case t.Datatype != "" && t.Datatype != xsdString:
			b = append(b, "^^<"...)
			b = append(b, t.Datatype...)
			b = append(b, '>')
		}
	}
	return b
}

const hexDigits = "0123456789ABCDEF"

// appendLiteralString appends s as an N-Quads STRING_LITERAL_QUOTE in the
// canonical form of RDFC-1.0 appendix A: backspace, tab, line feed, form
// feed, carriage return, quotation mark and backslash as ECHAR (\b \t \n
// \f \r \" \\); the other control characters U+0000–U+001F, DEL (U+007F)
// and the non-characters U+FFFE and U+FFFF (outside XML 1.1 Char) as
// \uXXXX with uppercase hex; everything else unescaped. Bytes that are not
// UTF-8 are written as U+FFFD (Canonicalize refuses them beforehand).
func appendLiteralString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7F {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
				i++
				start = i
				continue
			}
			if r == 0xFFFE || r == 0xFFFF {
				b = append(b, s[start:i]...)
				b = append(b, `\u`...)
				b = append(b, hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\b':
			b = append(b, `\b`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\f':
			b = append(b, `\f`...)
		case '\r':
			b = append(b, `\r`...)
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		default: // the other C0 controls and DEL
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
