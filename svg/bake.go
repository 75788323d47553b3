package svg

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// NewElement describes the badge element to insert.
type NewElement struct {
	Namespace string // NamespaceOB2 or NamespaceOB3 (the local name follows from it)
	Verify    string // "" = no verify attribute
	Body      string // "" = no body
}

// defaultPrefix is the prefix the specifications use.
const defaultPrefix = "openbadges"

// Bake writes doc to w with every existing badge element (both generations)
// removed and e inserted directly after the '>' of the root start tag. It
// returns the elements it removed, with their offsets in doc.
//
// Every other byte is copied unchanged, except for the namespace
// declaration: a prefix the root start tag already binds to e.Namespace is
// reused; otherwise the prefix "openbadges" is used, declared by inserting
// xmlns:openbadges="…" before the root start tag's closing '>' (or "/>"),
// or by rewriting the value of a root xmlns:openbadges that is bound to the
// other badge namespace (an OB 2.0 image re-baked with an OB 3.0
// credential). When the root binds openbadges to an unrelated URI, or the
// prefix openbadges is used elsewhere in the document, the declaration is
// put on the inserted element instead. A self-closing root <svg …/> becomes
// <svg …>element</svg>.
//
// The element is written <P:assertion verify="…"/> (OB 2.0 without body),
// <P:credential verify="…"></P:credential> (OB 3.0 without body, as in the
// specification's example) or <P:L verify="…"><![CDATA[body]]></P:L>.
// Attribute values are escaped, tab, line feed and carriage return
// included, so that attribute-value normalisation cannot change them. A body
// containing "]]>" is split over adjacent CDATA sections, and carriage
// returns in the body are written as &#13; between sections (XML line-end
// normalisation would turn a literal one into a line feed), so [Find]
// returns exactly e.Verify and e.Body.
//
// The document is validated exactly as [Find] validates it, with the same
// errors. e is checked first: its Namespace must be NamespaceOB2 or
// NamespaceOB3, at least one of Verify and Body must be non-empty, and both
// must be valid UTF-8 without characters XML 1.0 forbids (ErrInvalidElement).
// Nothing is written to w when an error is returned, except for errors from
// w itself.
func Bake(w io.Writer, doc []byte, e NewElement, opts *Options) (removed []Element, err error) {
	local, err := e.check()
	if err != nil {
		return nil, err
	}
	p, elems, err := analyze(doc, opts)
	if err != nil {
		return nil, err
	}
	root := p.root
	prefix, declEdit, onElement := choosePrefix(doc, root, elems, e.Namespace)

	el := e.appendTo(make([]byte, 0, 64+len(e.Verify)+len(e.Body)), prefix, local, onElement)
	edits := make([]edit, 0, 2+len(elems))
	if declEdit != nil {
		edits = append(edits, *declEdit)
	}
	if root.selfClosing {
		// <svg …/> → <svg …>element</svg>
		el = append(append(append(append([]byte{'>'}, el...), "</"...), root.qname...), '>')
		edits = append(edits, edit{start: root.end - 2, end: root.end, text: el})
	} else {
		edits = append(edits, edit{start: root.end, end: root.end, text: el})
	}
	for _, x := range elems {
		edits = append(edits, edit{start: x.Start, end: x.End})
	}

	ew := errWriter{w: w}
	pos := 0
	for _, ed := range edits {
		ew.write(doc[pos:ed.start])
		ew.write(ed.text)
		pos = ed.end
	}
	ew.write(doc[pos:])
	if ew.err != nil {
		return nil, ew.err
	}
	return elems, nil
}

// edit replaces doc[start:end] by text.
type edit struct {
	start, end int
	text       []byte
}

type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) write(b []byte) {
	if ew.err != nil || len(b) == 0 {
		return
	}
	_, ew.err = ew.w.Write(b)
}

// choosePrefix decides the prefix of the inserted element and how its
// namespace gets declared: not at all (a root binding is reused), by an
// edit of the root start tag, or on the element itself.
func choosePrefix(doc []byte, root rootTag, removed []Element, ns string) (prefix string, declEdit *edit, onElement bool) {
	// Effective bindings of the root (the last declaration wins, as in
	// encoding/xml).
	binding := func(space, local string) (v string, ok bool) {
		for _, a := range root.attrs {
			if a.Name.Space == space && a.Name.Local == local {
				v, ok = a.Value, true
			}
		}
		return v, ok
	}
	for _, a := range root.attrs {
		switch {
		case a.Name.Space == "xmlns" && a.Name.Local != "xml" && a.Name.Local != "xmlns" && plainPrefix(a.Name.Local):
			if v, _ := binding("xmlns", a.Name.Local); v == ns {
				return a.Name.Local, nil, false
			}
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if v, _ := binding("", "xmlns"); v == ns {
				return "", nil, false
			}
		}
	}

	// The prefix openbadges must not change the meaning of anything that
	// stays in the document.
	if prefixUsedOutside(doc, removed) {
		return defaultPrefix, nil, true
	}
	v, bound := binding("xmlns", defaultPrefix)
	switch {
	case !bound:
		at := root.end - 1
		if root.selfClosing {
			at = root.end - 2
		}
		decl := []byte(` xmlns:` + defaultPrefix + `="` + ns + `"`)
		return defaultPrefix, &edit{start: at, end: at, text: decl}, false
	case v == otherBadgeNamespace(ns):
		if s, e, ok := rawAttrValue(doc[root.start:root.end], "xmlns:"+defaultPrefix); ok {
			return defaultPrefix, &edit{start: root.start + s, end: root.start + e, text: []byte(ns)}, false
		}
	}
	return defaultPrefix, nil, true
}

// plainPrefix reports whether p is a prefix the inserted element can use
// as it is: an ASCII letter or '_', then letters, digits, '_', '-' or '.'.
// A document may bind a prefix a strict parser refuses as an element name
// ("0"); the element then gets a declaration of its own instead, which is
// always safe.
func plainPrefix(p string) bool {
	for i, c := range []byte(p) {
		letter := c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
		if !letter && (i == 0 || !(c == '-' || c == '.' || (c >= '0' && c <= '9'))) {
			return false
		}
	}
	return p != ""
}

func otherBadgeNamespace(ns string) string {
	if ns == NamespaceOB2 {
		return NamespaceOB3
	}
	return NamespaceOB2
}

// prefixUsedOutside reports whether "openbadges:" occurs in doc outside
// the removed ranges (which are in document order and do not overlap).
func prefixUsedOutside(doc []byte, removed []Element) bool {
	pos := 0
	for _, x := range removed {
		if containsPrefix(doc[pos:x.Start]) {
			return true
		}
		pos = x.End
	}
	return containsPrefix(doc[pos:])
}

// containsPrefix reports whether b contains "openbadges:". It searches for
// "badges:" and then checks "open": 'b' is rare in drawings while 'o' is
// everywhere (stroke, opacity), which would defeat the fast path of
// bytes.Index.
func containsPrefix(b []byte) bool {
	const head, tail = "open", "badges:"
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(tail))
		if j < 0 {
			return false
		}
		if p := i + j; p >= len(head) && string(b[p-len(head):p]) == head {
			return true
		}
		i += j + 1
	}
}

// rawAttrValue finds, in a start tag already accepted by encoding/xml, the
// last attribute with the qualified name name and returns the byte range of
// its value between the quotes.
func rawAttrValue(tag []byte, name string) (start, end int, ok bool) {
	i := 1
	for i < len(tag) && isNameByte(tag[i]) {
		i++
	}
	for {
		i = skipSpace(tag, i)
		if i >= len(tag) || tag[i] == '/' || tag[i] == '>' {
			return start, end, ok
		}
		n := i
		for n < len(tag) && isNameByte(tag[n]) {
			n++
		}
		attr := string(tag[i:n])
		i = skipSpace(tag, n)
		if i >= len(tag) || tag[i] != '=' {
			return 0, 0, false
		}
		i = skipSpace(tag, i+1)
		if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			return 0, 0, false
		}
		q := bytes.IndexByte(tag[i+1:], tag[i])
		if q < 0 {
			return 0, 0, false
		}
		if attr == name {
			start, end, ok = i+1, i+1+q, true
		}
		i += q + 2
	}
}

// check validates e and returns the local name of its element.
func (e NewElement) check() (local string, err error) {
	switch e.Namespace {
	case NamespaceOB2:
		local = localOB2
	case NamespaceOB3:
		local = localOB3
	default:
		return "", newError(ErrInvalidElement, 0,
			fmt.Sprintf("invalid badge element: namespace %q is neither %s nor %s", e.Namespace, NamespaceOB2, NamespaceOB3), nil)
	}
	if e.Verify == "" && e.Body == "" {
		return "", newError(ErrInvalidElement, 0, "invalid badge element: nothing to bake (Verify and Body are both empty)", nil)
	}
	if err := checkText("verify attribute", e.Verify); err != nil {
		return "", err
	}
	if err := checkText("body", e.Body); err != nil {
		return "", err
	}
	return local, nil
}

func checkText(what, s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return newError(ErrInvalidElement, 0,
					fmt.Sprintf("invalid badge element: %s is not valid UTF-8 (byte %d)", what, i), nil)
			}
		}
		if !isXMLChar(r) {
			return newError(ErrInvalidElement, 0,
				fmt.Sprintf("invalid badge element: %s contains %U at byte %d, which XML 1.0 forbids", what, r, i), nil)
		}
	}
	return nil
}

// isXMLChar reports whether r matches the Char production of XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// appendTo appends the serialised element to b.
func (e NewElement) appendTo(b []byte, prefix, local string, declare bool) []byte {
	qname := local
	if prefix != "" {
		qname = prefix + ":" + local
	}
	b = append(b, '<')
	b = append(b, qname...)
	if declare {
		b = append(b, ` xmlns:`+prefix+`="`...)
		b = append(b, e.Namespace...)
		b = append(b, '"')
	}
	if e.Verify != "" {
		b = append(b, ` verify="`...)
		b = appendAttrEscaped(b, e.Verify)
		b = append(b, '"')
	}
	switch {
	case e.Body != "":
		b = append(b, '>')
		b = appendCDATA(b, e.Body)
		b = append(b, "</"...)
		b = append(b, qname...)
		b = append(b, '>')
	case e.Namespace == NamespaceOB2:
		b = append(b, "/>"...)
	default: // OB 3.0: explicit end tag, as in the specification's example
		b = append(b, "></"...)
		b = append(b, qname...)
		b = append(b, '>')
	}
	return b
}

// appendAttrEscaped appends s escaped for a double-quoted attribute value.
// White space other than the space character is written as character
// references so that attribute-value normalisation leaves it alone.
func appendAttrEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\t':
			esc = "&#9;"
		case '\n':
			esc = "&#10;"
		case '\r':
			esc = "&#13;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// appendCDATA appends s as CDATA sections: "]]>" is split across two
// adjacent sections and each carriage return is written as &#13; between
// sections (XML line-end normalisation would turn a literal one into a line
// feed).
func appendCDATA(b []byte, s string) []byte {
	for {
		cr := strings.IndexByte(s, '\r')
		run := s
		if cr >= 0 {
			run = s[:cr]
		}
		if run != "" {
			b = append(b, "<![CDATA["...)
			for {
				j := strings.Index(run, "]]>")
				if j < 0 {
					break
				}
				b = append(b, run[:j]...)
				b = append(b, "]]]]><![CDATA[>"...)
				run = run[j+3:]
			}
			b = append(b, run...)
			b = append(b, "]]>"...)
		}
		if cr < 0 {
			return b
		}
		b = append(b, "&#13;"...)
		s = s[cr+1:]
	}
}
