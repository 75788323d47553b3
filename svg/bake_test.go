package svg

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	plainSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <circle cx="32" cy="32" r="30" fill="#e44d26"/>
</svg>
`
	ob2JSON = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/assertions/123"}`
	ob3JSON = `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"type":["VerifiableCredential","OpenBadgeCredential"]}`
	vcJWT   = "eyJhbGciOiJSUzI1NiJ9.eyJ2YyI6e319.c2lnbmF0dXJl"
)

type bakeCase struct {
	name     string
	doc      string
	el       NewElement
	removed  int    // elements Bake must report as removed
	prefix   string // prefix of the baked element
	declared bool   // whether Bake had to add a declaration to the root
}

var bakeCases = []bakeCase{
	{
		name: "ob2-json", doc: plainSVG,
		el:     NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/assertions/123", Body: ob2JSON},
		prefix: "openbadges", declared: true,
	},
	{
		name: "ob2-url", doc: plainSVG,
		el:     NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/assertions/123"},
		prefix: "openbadges", declared: true,
	},
	{
		name: "ob3-json", doc: plainSVG,
		el:     NewElement{Namespace: NamespaceOB3, Body: ob3JSON},
		prefix: "openbadges", declared: true,
	},
	{
		name: "ob3-jwt", doc: plainSVG,
		el:     NewElement{Namespace: NamespaceOB3, Verify: vcJWT},
		prefix: "openbadges", declared: true,
	},
	{
		name: "self-closing-root", doc: `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>` + "\n",
		el:     NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/a"},
		prefix: "openbadges", declared: true,
	},
	{
		name: "self-closing-prefixed-root", doc: `<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" />`,
		el:     NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/a"},
		prefix: "openbadges", declared: true, // "/>" became "></s:svg>"
	},
	{
		name: "existing-xmlns", doc: "<svg xmlns=\"http://www.w3.org/2000/svg\"\n     xmlns:openbadges=\"http://openbadges.org\">\n  <rect width=\"10\" height=\"10\"/>\n</svg>\n",
		el:     NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/a", Body: ob2JSON},
		prefix: "openbadges",
	},
	{
		name: "reuse-other-prefix", doc: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob3="https://purl.imsglobal.org/ob/v3p0"><rect/></svg>`,
		el:     NewElement{Namespace: NamespaceOB3, Body: ob3JSON},
		prefix: "ob3",
	},
	{
		name: "rebake-ob2-to-ob3",
		doc: "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges='http://openbadges.org'>\n" +
			"<openbadges:assertion verify=\"https://example.org/old\"><![CDATA[{\"old\":true}]]></openbadges:assertion>\n<rect/>\n</svg>\n",
		el:      NewElement{Namespace: NamespaceOB3, Verify: vcJWT},
		removed: 1, prefix: "openbadges",
	},
	{
		name: "rebake-both-generations",
		doc: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">` +
			`<openbadges:assertion verify="a"/><rect/><c:credential xmlns:c="https://purl.imsglobal.org/ob/v3p0">{}</c:credential></svg>`,
		el:      NewElement{Namespace: NamespaceOB2, Verify: "b"},
		removed: 2, prefix: "openbadges",
	},
	{
		name: "unrelated-openbadges-prefix", doc: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://example.com/other"><rect/></svg>`,
		el:     NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/a"},
		prefix: "openbadges",
	},
	{
		name: "cdata-terminator", doc: plainSVG,
		el:     NewElement{Namespace: NamespaceOB3, Body: `{"name":"a]]>b","x":"]]]]>"}`},
		prefix: "openbadges", declared: true,
	},
	{
		name: "body-carriage-return", doc: plainSVG,
		el:     NewElement{Namespace: NamespaceOB3, Body: "{\r\n  \"a\": 1\r\n}\r"},
		prefix: "openbadges", declared: true,
	},
	{
		name: "attribute-escaping", doc: plainSVG,
		el:     NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/?q=\"&<>'\nnext\tline\r"},
		prefix: "openbadges", declared: true,
	},
}

func TestBakeGolden(t *testing.T) {
	for _, tc := range bakeCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := []byte(tc.doc)
			var out bytes.Buffer
			removed, err := Bake(&out, doc, tc.el, nil)
			if err != nil {
				t.Fatalf("Bake: %v", err)
			}
			if len(removed) != tc.removed {
				t.Errorf("removed %d elements, want %d", len(removed), tc.removed)
			}
			golden := filepath.Join("testdata", "golden", tc.name+".svg")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("output differs from %s\n got: %q\nwant: %q", golden, out.Bytes(), want)
			}
			checkBaked(t, doc, out.Bytes(), tc.el, tc.prefix, tc.removed == 0 && !tc.declared)
		})
	}
}

// checkBaked checks the round trip: Find on the output returns exactly the
// new element; when no declaration was added and nothing removed, cutting
// the element out gives the input back.
func checkBaked(t *testing.T, doc, out []byte, el NewElement, prefix string, identical bool) {
	t.Helper()
	els := mustFind(t, out)
	if len(els) != 1 {
		t.Fatalf("Find on the baked output returned %d elements", len(els))
	}
	got := els[0]
	if got.Namespace != el.Namespace || got.Verify != el.Verify || got.HasVerify != (el.Verify != "") || got.Body != el.Body {
		t.Errorf("Find on the output = %+v, want %+v", got, el)
	}
	if got.Prefix != prefix {
		t.Errorf("prefix %q, want %q", got.Prefix, prefix)
	}
	if !Sniff(out) {
		t.Errorf("baked output is not sniffed as SVG")
	}
	cut := append(append([]byte{}, out[:got.Start]...), out[got.End:]...)
	if identical && !bytes.Equal(cut, doc) {
		t.Errorf("removing the element does not restore the input:\n got: %q\nwant: %q", cut, doc)
	}
	if !identical && bytes.Equal(cut, doc) {
		t.Errorf("expected the root start tag or removed elements to differ")
	}
}

// TestBakeSplicesOnly checks that everything outside the root start tag,
// the inserted element and the removed elements is byte-identical.
func TestBakeSplicesOnly(t *testing.T) {
	for _, tc := range bakeCases {
		doc := []byte(tc.doc)
		p, elems, err := analyze(doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := Bake(&out, doc, tc.el, nil); err != nil {
			t.Fatal(err)
		}
		o := out.Bytes()
		// Prefix before the root start tag.
		if !bytes.HasPrefix(o, doc[:p.root.start]) {
			t.Errorf("%s: bytes before the root changed", tc.name)
		}
		// Everything after the root start tag, minus removed elements, is a
		// suffix of the output.
		var rest []byte
		pos := p.root.end
		if p.root.selfClosing {
			rest = nil // the root now has an end tag
		}
		for _, x := range elems {
			rest = append(rest, doc[pos:x.Start]...)
			pos = x.End
		}
		rest = append(rest, doc[pos:]...)
		if !bytes.HasSuffix(o, rest) {
			t.Errorf("%s: bytes after the root start tag changed:\n%q\nis not a suffix of\n%q", tc.name, rest, o)
		}
	}
}

func TestRebakeLeavesOneElement(t *testing.T) {
	doc := []byte(plainSVG)
	els := []NewElement{
		{Namespace: NamespaceOB2, Verify: "https://example.org/1", Body: ob2JSON},
		{Namespace: NamespaceOB3, Verify: vcJWT},
		{Namespace: NamespaceOB3, Body: ob3JSON},
		{Namespace: NamespaceOB2, Verify: "https://example.org/2"},
	}
	for i, el := range els {
		var out bytes.Buffer
		removed, err := Bake(&out, doc, el, nil)
		if err != nil {
			t.Fatalf("bake %d: %v", i, err)
		}
		if want := min(i, 1); len(removed) != want {
			t.Errorf("bake %d removed %d elements, want %d", i, len(removed), want)
		}
		found := mustFind(t, out.Bytes())
		if len(found) != 1 || found[0].Verify != el.Verify || found[0].Body != el.Body || found[0].Namespace != el.Namespace {
			t.Fatalf("bake %d: Find = %+v, want only %+v", i, found, el)
		}
		if n := bytes.Count(out.Bytes(), []byte("xmlns:openbadges=")); n != 1 {
			t.Errorf("bake %d: %d openbadges declarations", i, n)
		}
		doc = out.Bytes()
	}
}

func TestBakeRoundTripRestoresInput(t *testing.T) {
	tests := []struct {
		doc string
		el  NewElement
	}{
		{svgOpenOB2 + "\n<rect/>\n</svg>", NewElement{Namespace: NamespaceOB2, Verify: "u", Body: "b"}},
		{svgOpenOB2 + "\n<rect/>\n</svg>", NewElement{Namespace: NamespaceOB2, Verify: "u"}},
		{"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n" + publicDocype + "\n" + svgOpenOB3 + "<g/></svg>\n<!-- trailer -->\n", NewElement{Namespace: NamespaceOB3, Verify: "j"}},
		{"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n" + publicDocype + "\n" + svgOpenOB3 + "<g/></svg>\n<!-- trailer -->\n", NewElement{Namespace: NamespaceOB3, Body: "{\r\n}"}},
		{`<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://openbadges.org" xmlns:y="https://purl.imsglobal.org/ob/v3p0"></svg>`, NewElement{Namespace: NamespaceOB2, Verify: "u"}},
		{`<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://openbadges.org" xmlns:y="https://purl.imsglobal.org/ob/v3p0"></svg>`, NewElement{Namespace: NamespaceOB3, Verify: "j", Body: "]]>"}},
	}
	for _, tc := range tests {
		doc := []byte(tc.doc)
		var out bytes.Buffer
		if _, err := Bake(&out, doc, tc.el, nil); err != nil {
			t.Fatal(err)
		}
		f := mustFind(t, out.Bytes())
		if len(f) != 1 || f[0].Verify != tc.el.Verify || f[0].Body != tc.el.Body {
			t.Fatalf("Find returned %+v, want %+v", f, tc.el)
		}
		o := out.Bytes()
		if cut := append(append([]byte{}, o[:f[0].Start]...), o[f[0].End:]...); !bytes.Equal(cut, doc) {
			t.Errorf("cut output %q != input %q", cut, doc)
		}
	}
}

func TestBakeNamespaceDeclaration(t *testing.T) {
	tests := []struct {
		name, doc string
		el        NewElement
		want      string // substring of the output
		notWant   string
	}{
		{
			name: "OB2 root re-baked with OB3: value replaced in place, quotes kept",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges='http://openbadges.org'></svg>`,
			el:   NewElement{Namespace: NamespaceOB3, Verify: "j"},
			want: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges='https://purl.imsglobal.org/ob/v3p0'><openbadges:credential verify="j"></openbadges:credential></svg>`,
		},
		{
			name: "unrelated openbadges binding: declared on the element",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:x"></svg>`,
			el:   NewElement{Namespace: NamespaceOB2, Verify: "u"},
			want: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:x"><openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="u"/></svg>`,
		},
		{
			name: "openbadges prefix used elsewhere unbound: declared on the element",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion verify="stray"/></svg>`,
			el:   NewElement{Namespace: NamespaceOB2, Verify: "u"},
			want: `<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="u"/><openbadges:assertion verify="stray"/></svg>`,
		},
		{
			name: "OB2 binding still used by another element: not rebound",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:extra/></svg>`,
			el:   NewElement{Namespace: NamespaceOB3, Verify: "j"},
			want: `xmlns:openbadges="http://openbadges.org"><openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" verify="j"></openbadges:credential><openbadges:extra/>`,
		},
		{
			name: "default namespace of a prefixed root is reused",
			doc:  `<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns="http://openbadges.org"></s:svg>`,
			el:   NewElement{Namespace: NamespaceOB2, Verify: "u"},
			want: `xmlns="http://openbadges.org"><assertion verify="u"/></s:svg>`,
		},
		{
			name:    "prefix xml is never reused",
			doc:     `<svg xmlns="http://www.w3.org/2000/svg"></svg>`,
			el:      NewElement{Namespace: NamespaceOB2, Verify: "u"},
			want:    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="u"/></svg>`,
			notWant: "xml:assertion",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if _, err := Bake(&out, []byte(tc.doc), tc.el, nil); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output\n%s\ndoes not contain\n%s", out.String(), tc.want)
			}
			if tc.notWant != "" && strings.Contains(out.String(), tc.notWant) {
				t.Errorf("output contains %q", tc.notWant)
			}
			f := mustFind(t, out.Bytes())
			if len(f) != 1 || f[0].Verify != tc.el.Verify || f[0].Namespace != tc.el.Namespace {
				t.Errorf("Find on the output = %+v", f)
			}
		})
	}
}

func TestBakeInvalidElement(t *testing.T) {
	tests := []struct {
		name string
		el   NewElement
		msg  string
	}{
		{"unknown namespace", NewElement{Namespace: "https://purl.imsglobal.org/spec/ob/v3p0", Verify: "x"}, "neither"},
		{"nothing to bake", NewElement{Namespace: NamespaceOB2}, "nothing to bake"},
		{"invalid UTF-8 in verify", NewElement{Namespace: NamespaceOB2, Verify: "a\xffb"}, "verify attribute is not valid UTF-8 (byte 1)"},
		{"NUL in body", NewElement{Namespace: NamespaceOB3, Body: "{\x00}"}, "U+0000"},
		{"control character in verify", NewElement{Namespace: NamespaceOB3, Verify: "a\x1bb"}, "U+001B"},
		{"U+FFFE in body", NewElement{Namespace: NamespaceOB3, Body: "\uFFFE"}, "U+FFFE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := Bake(&out, []byte(plainSVG), tc.el, nil)
			if !errors.Is(err, ErrInvalidElement) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want ErrInvalidElement containing %q", err, tc.msg)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %d bytes", out.Len())
			}
		})
	}
	// U+FFFD itself is a valid character.
	var out bytes.Buffer
	if _, err := Bake(&out, []byte(plainSVG), NewElement{Namespace: NamespaceOB3, Body: "\uFFFD\U0001F600"}, nil); err != nil {
		t.Errorf("valid characters refused: %v", err)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n <= 0 {
		return 0, errors.New("disk full")
	}
	w.n--
	return len(p), nil
}

func TestBakeWriteError(t *testing.T) {
	for n := 0; n < 3; n++ {
		_, err := Bake(&failWriter{n: n}, []byte(plainSVG), NewElement{Namespace: NamespaceOB2, Verify: "u"}, nil)
		if err == nil || err.Error() != "disk full" {
			t.Errorf("after %d writes: error %v, want disk full", n, err)
		}
	}
}

func TestSerialisation(t *testing.T) {
	tests := []struct {
		el   NewElement
		want string
	}{
		{NewElement{Namespace: NamespaceOB2, Verify: "u"}, `<p:assertion verify="u"/>`},
		{NewElement{Namespace: NamespaceOB3, Verify: "j"}, `<p:credential verify="j"></p:credential>`},
		{NewElement{Namespace: NamespaceOB3, Body: "{}"}, `<p:credential><![CDATA[{}]]></p:credential>`},
		{NewElement{Namespace: NamespaceOB2, Verify: "u", Body: "{}"}, `<p:assertion verify="u"><![CDATA[{}]]></p:assertion>`},
		{NewElement{Namespace: NamespaceOB2, Body: "a]]>b"}, `<p:assertion><![CDATA[a]]]]><![CDATA[>b]]></p:assertion>`},
		{NewElement{Namespace: NamespaceOB2, Body: "]]>]]>"}, `<p:assertion><![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]></p:assertion>`},
		{NewElement{Namespace: NamespaceOB2, Body: "a\r\nb"}, `<p:assertion><![CDATA[a]]>&#13;<![CDATA[` + "\n" + `b]]></p:assertion>`},
		{NewElement{Namespace: NamespaceOB2, Body: "\r]]>\r"}, `<p:assertion>&#13;<![CDATA[]]]]><![CDATA[>]]>&#13;</p:assertion>`},
		{NewElement{Namespace: NamespaceOB2, Verify: "\"&<>\t\n\r'"}, `<p:assertion verify="&quot;&amp;&lt;&gt;&#9;&#10;&#13;'"/>`},
	}
	for _, tc := range tests {
		local, err := tc.el.check()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(tc.el.appendTo(nil, "p", local, false)); got != tc.want {
			t.Errorf("%+v:\n got %s\nwant %s", tc.el, got, tc.want)
		}
	}
}
