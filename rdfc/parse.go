package rdfc

import (
	"strings"
	"unicode/utf8"
)

// ParseNQuads parses an RDF 1.1 N-Quads document. Blank nodes keep their
// labels (without "_:"), escapes are decoded, and a statement repeated in
// the document is returned once, as RDF datasets are sets. An IRI whose
// decoded text holds a character N-Quads forbids in IRIs (space, <, >, ",
// {, }, |, ^, `, \ or a control character) is refused, so every parsed
// quad writes back to N-Quads that parse to the same quad.
func ParseNQuads(data []byte) ([]Quad, error) {
	p := parser{s: data, line: 1}
	var quads []Quad
	seen := make(map[string]struct{})
	var key []byte
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return quads, nil
		}
		switch p.s[p.i] {
		case '\n', '\r':
			p.newline()
			continue
		case '#':
			p.skipComment()
			continue
		}
		q, err := p.statement()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == '#' {
			p.skipComment()
		}
		if p.i < len(p.s) {
			if c := p.s[p.i]; c != '\n' && c != '\r' {
				return nil, p.errorf("expected end of line after '.'")
			}
		}
		key = appendQuadTerms(key[:0], q)
		if _, dup := seen[string(key)]; dup {
			continue
		}
		seen[string(key)] = struct{}{}
		quads = append(quads, q)
	}
}

type parser struct {
	s         []byte
	i         int
	line      int
	lineStart int
}

func (p *parser) errorf(msg string) *SyntaxError {
	return &SyntaxError{Line: p.line, Column: p.i - p.lineStart + 1, Msg: msg}
}

func (p *parser) newline() {
	if p.s[p.i] == '\r' && p.i+1 < len(p.s) && p.s[p.i+1] == '\n' {
		p.i++
	}
	p.i++
	p.line++
	p.lineStart = p.i
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *parser) skipComment() {
	for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != '\r' {
		p.i++
	}
}

func (p *parser) statement() (Quad, error) {
	var q Quad
	var err error
	if q.Subject, err = p.term("subject", false); err != nil {
		return q, err
	}
	p.skipSpace()
	if p.i >= len(p.s) || p.s[p.i] != '<' {
		return q, p.errorf("expected a predicate IRI")
	}
	if q.Predicate, err = p.term("predicate", false); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Object, err = p.term("object", true); err != nil {
		return q, err
	}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] != '.' {
		if q.Graph, err = p.term("graph label", false); err != nil {
			return q, err
		}
		p.skipSpace()
	}
	if p.i >= len(p.s) || p.s[p.i] != '.' {
		return q, p.errorf("expected '.' at the end of the statement")
	}
	p.i++
	return q, nil
}

// term parses an IRI, a blank node or, when literals are allowed, a literal.
func (p *parser) term(what string, literal bool) (Term, error) {
	if p.i >= len(p.s) {
		return Term{}, p.errorf("expected " + what)
	}
	switch c := p.s[p.i]; {
	case c == '<':
		v, err := p.iri()
		return Term{Kind: IRI, Value: v}, err
	case c == '_':
		v, err := p.blankNode()
		return Term{Kind: BlankNode, Value: v}, err
	case c == '"' && literal:
		return p.literal()
	}
	return Term{}, p.errorf("expected " + what)
}

func (p *parser) iri() (string, error) {
	p.i++ // '<'
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errorf("unterminated IRI")
		}
		c := p.s[p.i]
		if c == '>' {
			p.i++
			return b.String(), nil
		}
		at := p.i
		var r rune
		if c == '\\' {
			var err error
			if r, err = p.uchar(); err != nil {
				return "", err
			}
		} else {
			var size int
			r, size = utf8.DecodeRune(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("IRI is not UTF-8")
			}
			p.i += size
		}
		if !iriChar(r) {
			p.i = at
			return "", p.errorf("character not allowed in an IRI")
		}
		b.WriteRune(r)
	}
}

// iriChar reports whether r may appear in an N-Quads IRIREF unescaped.
func iriChar(r rune) bool {
	if r <= 0x20 {
		return false
	}
	switch r {
	case '<', '>', '"', '{', '}', '|', '^', '`', '\\':
		return false
	}
	return true
}

// uchar decodes \uXXXX or \UXXXXXXXX at p.i.
func (p *parser) uchar() (rune, error) {
	if p.i+1 >= len(p.s) {
		return 0, p.errorf("unterminated escape")
	}
	n := 0
	switch p.s[p.i+1] {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, p.errorf("invalid escape")
	}
	if p.i+2+n > len(p.s) {
		return 0, p.errorf("unterminated escape")
	}
	var r rune
	for _, c := range p.s[p.i+2 : p.i+2+n] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.errorf("invalid hex digit in escape")
		}
		r = r<<4 | rune(d)
	}
	if r > utf8.MaxRune || (r >= 0xD800 && r <= 0xDFFF) {
		return 0, p.errorf("escape is not a Unicode scalar value")
	}
	p.i += 2 + n
	return r, nil
}

func (p *parser) blankNode() (string, error) {
	if p.i+1 >= len(p.s) || p.s[p.i+1] != ':' {
		return "", p.errorf("expected '_:'")
	}
	p.i += 2
	start := p.i
	r, size := utf8.DecodeRune(p.s[p.i:])
	if !(pnCharsU(r) || (r >= '0' && r <= '9')) || (r == utf8.RuneError && size <= 1) {
		return "", p.errorf("invalid blank node label")
	}
	p.i += size
	end := p.i // end of the label without trailing dots
	for p.i < len(p.s) {
		r, size := utf8.DecodeRune(p.s[p.i:])
		if r == '.' {
			p.i += size
			continue
		}
		if r == utf8.RuneError && size <= 1 || !pnChars(r) {
			break
		}
		p.i += size
		end = p.i
	}
	p.i = end // a trailing '.' ends the statement, not the label
	return string(p.s[start:end]), nil
}

func pnCharsBase(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z',
		r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

func pnCharsU(r rune) bool { return pnCharsBase(r) || r == '_' || r == ':' }

func pnChars(r rune) bool {
	return pnCharsU(r) || r == '-' || (r >= '0' && r <= '9') || r == 0xB7 ||
		(r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}

func (p *parser) literal() (Term, error) {
	p.i++ // '"'
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return Term{}, p.errorf("unterminated literal")
		}
		c := p.s[p.i]
		if c == '"' {
			p.i++
			break
		}
		switch c {
		case '\n', '\r':
			return Term{}, p.errorf("line break in a literal")
		case '\\':
			if p.i+1 >= len(p.s) {
				return Term{}, p.errorf("unterminated escape")
			}
			esc := byte(0)
			switch p.s[p.i+1] {
			case 't':
				esc = '\t'
			case 'b':
				esc = '\b'
			case 'n':
				esc = '\n'
			case 'r':
				esc = '\r'
			case 'f':
				esc = '\f'
			case '"', '\'', '\\':
				esc = p.s[p.i+1]
			}
			if esc != 0 {
				b.WriteByte(esc)
				p.i += 2
				continue
			}
			r, err := p.uchar()
			if err != nil {
				return Term{}, err
			}
			b.WriteRune(r)
			continue
		}
		r, size := utf8.DecodeRune(p.s[p.i:])
		if r == utf8.RuneError && size == 1 {
			return Term{}, p.errorf("literal is not UTF-8")
		}
		b.WriteString(string(p.s[p.i : p.i+size]))
		p.i += size
	}
	t := Term{Kind: Literal, Value: b.String()}
	if p.i+1 < len(p.s) && p.s[p.i] == '^' && p.s[p.i+1] == '^' {
		p.i += 2
		if p.i >= len(p.s) || p.s[p.i] != '<' {
			return Term{}, p.errorf("expected a datatype IRI after '^^'")
		}
		dt, err := p.iri()
		if err != nil {
			return Term{}, err
		}
		t.Datatype = dt
	} else if p.i < len(p.s) && p.s[p.i] == '@' {
		p.i++
		start := p.i
		for p.i < len(p.s) && isAlpha(p.s[p.i]) {
			p.i++
		}
		if p.i == start {
			return Term{}, p.errorf("empty language tag")
		}
		for p.i < len(p.s) && p.s[p.i] == '-' {
			p.i++
			sub := p.i
			for p.i < len(p.s) && (isAlpha(p.s[p.i]) || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
				p.i++
			}
			if p.i == sub {
				return Term{}, p.errorf("empty language subtag")
			}
		}
		t.Language = string(p.s[start:p.i])
	}
	return t, nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
