package svg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	svgOpen      = `<svg xmlns="http://www.w3.org/2000/svg">`
	svgOpenOB2   = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">`
	svgOpenOB3   = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">`
	publicDocype = `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">`
)

// want describes an expected element; raw is its exact text in the
// document, which pins Start and End.
type want struct {
	ns, local, prefix string
	verify            string
	hasVerify         bool
	body              string
	line              int
	raw               string
}

func ob2(prefix, verify, body, raw string) want {
	return want{ns: NamespaceOB2, local: "assertion", prefix: prefix, verify: verify, hasVerify: verify != "", body: body, line: 1, raw: raw}
}

func ob3(prefix, verify, body, raw string) want {
	return want{ns: NamespaceOB3, local: "credential", prefix: prefix, verify: verify, hasVerify: verify != "", body: body, line: 1, raw: raw}
}

func (w want) atLine(n int) want { w.line = n; return w }

func checkElements(t *testing.T, doc string, got []Element, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d elements %+v, want %d", len(got), got, len(wants))
	}
	prevEnd := 0
	for i, w := range wants {
		g := got[i]
		if g.Namespace != w.ns || g.Local != w.local || g.Prefix != w.prefix {
			t.Errorf("element %d: name {%s}%s prefix %q, want {%s}%s prefix %q", i, g.Namespace, g.Local, g.Prefix, w.ns, w.local, w.prefix)
		}
		if g.Verify != w.verify || g.HasVerify != w.hasVerify {
			t.Errorf("element %d: verify %q (present %v), want %q (present %v)", i, g.Verify, g.HasVerify, w.verify, w.hasVerify)
		}
		if g.Body != w.body {
			t.Errorf("element %d: body %q, want %q", i, g.Body, w.body)
		}
		if g.Line != w.line {
			t.Errorf("element %d: line %d, want %d", i, g.Line, w.line)
		}
		if g.Start < prevEnd || g.Start >= g.End || g.End > len(doc) {
			t.Fatalf("element %d: bad range [%d,%d) (previous end %d, len %d)", i, g.Start, g.End, prevEnd, len(doc))
		}
		if raw := doc[g.Start:g.End]; raw != w.raw {
			t.Errorf("element %d: range holds %q, want %q", i, raw, w.raw)
		}
		prevEnd = g.End
	}
}

func TestFind(t *testing.T) {
	longComment := "<!-- " + strings.Repeat("padding ", 50) + "-->"
	longDoctype := `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [` +
		"\n  <!-- " + strings.Repeat("internal subset comment ", 12) + "-->\n  <!ATTLIST svg xmlns:openbadges CDATA #IMPLIED>\n]>"
	bomProlog := "\xEF\xBB\xBF" + `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n" +
		longComment + "\n<?xml-stylesheet href=\"s.css\"?>\n" + longDoctype + "\n"
	if n := len(bomProlog); n <= 300 {
		t.Fatalf("prolog is only %d bytes", n)
	}
	nested := `<openbadges:assertion verify="outer">a<openbadges:assertion verify="inner">b</openbadges:assertion>c</openbadges:assertion>`

	tests := []struct {
		name string
		doc  string
		want []want
	}{
		{
			name: "openbadges prefix, self-closing",
			doc:  svgOpenOB2 + `<openbadges:assertion verify="https://example.org/a.json"/><rect/></svg>`,
			want: []want{ob2("openbadges", "https://example.org/a.json", "", `<openbadges:assertion verify="https://example.org/a.json"/>`)},
		},
		{
			name: "ob prefix bound to OB2",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org"><ob:assertion verify="x"></ob:assertion></svg>`,
			want: []want{ob2("ob", "x", "", `<ob:assertion verify="x"></ob:assertion>`)},
		},
		{
			name: "default namespace on the element",
			doc:  svgOpen + `<assertion xmlns="http://openbadges.org" verify="x"/></svg>`,
			want: []want{ob2("", "x", "", `<assertion xmlns="http://openbadges.org" verify="x"/>`)},
		},
		{
			name: "prefix declared on the element, OB3",
			doc:  svgOpen + `<b:credential xmlns:b="https://purl.imsglobal.org/ob/v3p0">{}</b:credential></svg>`,
			want: []want{ob3("b", "", "{}", `<b:credential xmlns:b="https://purl.imsglobal.org/ob/v3p0">{}</b:credential>`)},
		},
		{
			name: "prefix declared on an ancestor group",
			doc:  svgOpen + `<g xmlns:q="http://openbadges.org"><g><q:assertion verify="v"/></g></g></svg>`,
			want: []want{ob2("q", "v", "", `<q:assertion verify="v"/>`)},
		},
		{
			name: "root without namespace",
			doc:  `<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="a.b.c"></openbadges:credential></svg>`,
			want: []want{ob3("openbadges", "a.b.c", "", `<openbadges:credential verify="a.b.c"></openbadges:credential>`)},
		},
		{
			name: "wrong OB3 namespace with /spec/ is not matched",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/spec/ob/v3p0"><openbadges:credential verify="x"></openbadges:credential></svg>`,
		},
		{
			name: "openbadges bound to an unrelated URI is not matched",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://example.com/not-badges"><openbadges:assertion verify="x"/></svg>`,
		},
		{
			name: "unbound openbadges prefix is not matched",
			doc:  svgOpen + `<openbadges:assertion verify="x"/></svg>`,
		},
		{
			name: "local names swapped between generations are not matched",
			doc:  svgOpen + `<a:credential xmlns:a="http://openbadges.org"/><b:assertion xmlns:b="https://purl.imsglobal.org/ob/v3p0"/></svg>`,
		},
		{
			name: "similar local names are not matched",
			doc:  svgOpenOB2 + `<openbadges:assertions verify="x"/><openbadges:Assertion verify="y"/></svg>`,
		},
		{
			name: "candidate inside a comment only",
			doc:  svgOpenOB2 + `<!-- <openbadges:assertion verify="x"/> --><rect/></svg>`,
		},
		{
			name: "namespaced verify attribute does not count",
			doc:  svgOpenOB2 + `<openbadges:assertion openbadges:verify="x">b</openbadges:assertion></svg>`,
			want: []want{ob2("openbadges", "", "b", `<openbadges:assertion openbadges:verify="x">b</openbadges:assertion>`)},
		},
		{
			name: "BOM, XML declaration, comments, PI and a long DOCTYPE",
			doc:  bomProlog + svgOpenOB2 + "\n" + `<openbadges:assertion verify="v"/></svg>`,
			want: []want{ob2("openbadges", "v", "", `<openbadges:assertion verify="v"/>`).atLine(strings.Count(bomProlog, "\n") + 2)},
		},
		{
			name: "SVG 1.1 PUBLIC doctype",
			doc:  `<?xml version="1.0" encoding="utf-8"?>` + "\n" + publicDocype + "\n" + svgOpenOB3 + `<openbadges:credential verify="h.p.s"></openbadges:credential></svg>`,
			want: []want{ob3("openbadges", "h.p.s", "", `<openbadges:credential verify="h.p.s"></openbadges:credential>`).atLine(3)},
		},
		{
			name: "entity declared but never referenced",
			doc:  `<!DOCTYPE svg [<!ENTITY unused "x">]>` + svgOpenOB2 + `<openbadges:assertion verify="&amp;"/></svg>`,
			want: []want{ob2("openbadges", "&", "", `<openbadges:assertion verify="&amp;"/>`)},
		},
		{
			name: "two elements of both generations, in document order",
			doc: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:o2="http://openbadges.org" xmlns:o3="https://purl.imsglobal.org/ob/v3p0">` + "\n" +
				`<o3:credential verify="jws"></o3:credential>` + "\n<rect/>\n" + `<o2:assertion verify="u"/>` + "\n</svg>",
			want: []want{
				ob3("o3", "jws", "", `<o3:credential verify="jws"></o3:credential>`).atLine(2),
				ob2("o2", "u", "", `<o2:assertion verify="u"/>`).atLine(4),
			},
		},
		{
			name: "element appended at the end of the root",
			doc:  svgOpenOB3 + "\n<g><path d=\"M0 0\"/></g>\n" + `<openbadges:credential><![CDATA[{"id":"x"}]]></openbadges:credential>` + "\n</svg>\n",
			want: []want{ob3("openbadges", "", `{"id":"x"}`, `<openbadges:credential><![CDATA[{"id":"x"}]]></openbadges:credential>`).atLine(3)},
		},
		{
			name: "CDATA split into sections and padded with white space",
			doc:  svgOpenOB2 + `<openbadges:assertion verify="v">` + "\n  <![CDATA[{\"a\":]]><![CDATA[1}]]>\n" + `</openbadges:assertion></svg>`,
			want: []want{ob2("openbadges", "v", "\n  {\"a\":1}\n", `<openbadges:assertion verify="v">`+"\n  <![CDATA[{\"a\":]]><![CDATA[1}]]>\n"+`</openbadges:assertion>`)},
		},
		{
			name: "verify with entity and character references",
			doc:  svgOpenOB2 + `<openbadges:assertion verify="https://e.org/a?x=1&amp;y=2&#38;z=&quot;3&#x22;"/></svg>`,
			want: []want{ob2("openbadges", `https://e.org/a?x=1&y=2&z="3"`, "", `<openbadges:assertion verify="https://e.org/a?x=1&amp;y=2&#38;z=&quot;3&#x22;"/>`)},
		},
		{
			name: "body as text without CDATA",
			doc:  svgOpenOB2 + `<openbadges:assertion>{&quot;a&quot;: &lt;1&gt;}</openbadges:assertion></svg>`,
			want: []want{ob2("openbadges", "", `{"a": <1>}`, `<openbadges:assertion>{&quot;a&quot;: &lt;1&gt;}</openbadges:assertion>`)},
		},
		{
			name: "comments and PIs are not part of the body",
			doc:  svgOpenOB2 + `<openbadges:assertion>a<!--c-->b<?p i?>c</openbadges:assertion></svg>`,
			want: []want{ob2("openbadges", "", "abc", `<openbadges:assertion>a<!--c-->b<?p i?>c</openbadges:assertion>`)},
		},
		{
			name: "nested badge elements: the outer one only",
			doc:  svgOpenOB2 + nested + `</svg>`,
			want: []want{ob2("openbadges", "outer", "abc", nested)},
		},
		{
			name: "self-closing root",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		},
		{
			name: "no badge",
			doc:  svgOpen + `<rect width="1"/></svg>`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Find([]byte(tc.doc), nil)
			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			checkElements(t, tc.doc, got, tc.want)
			if !Sniff([]byte(tc.doc)) {
				t.Error("Sniff = false")
			}
		})
	}
}

func TestFindErrors(t *testing.T) {
	pngBytes := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
	tests := []struct {
		name    string
		doc     string
		opts    *Options
		kind    error
		msg     string // substring of the message
		line    int    // expected *Error.Line when > 0
		sniffOK bool
	}{
		{name: "empty", doc: "", kind: ErrNotSVG, msg: "empty"},
		{name: "white space", doc: " \n\t", kind: ErrNotSVG, msg: "white space"},
		{name: "JSON", doc: `{"@context":"https://w3id.org/openbadges/v2"}`, kind: ErrNotSVG, msg: "JSON"},
		{name: "JSON array", doc: "\n[1,2]", kind: ErrNotSVG, msg: "JSON"},
		{name: "HTML doctype", doc: "<!DOCTYPE html>\n<html><body><svg></svg></body></html>", kind: ErrNotSVG, msg: "HTML"},
		{name: "XHTML root", doc: `<?xml version="1.0"?><!-- x --><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`, kind: ErrNotSVG, msg: "HTML"},
		{name: "PNG", doc: pngBytes, kind: ErrNotSVG, msg: "PNG"},
		{name: "JPEG", doc: "\xFF\xD8\xFF\xE0\x00\x10JFIF", kind: ErrNotSVG, msg: "JPEG"},
		{name: "gzip", doc: "\x1F\x8B\x08\x00", kind: ErrNotSVG, msg: "gzip"},
		{name: "plain text", doc: "hello", kind: ErrNotSVG, msg: "does not start with '<'"},
		{name: "other root", doc: `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>`, kind: ErrNotSVG, msg: "root element is <RDF>"},
		{name: "svg in another namespace", doc: `<svg xmlns="http://example.com/"/>`, kind: ErrNotSVG, msg: "namespace http://example.com/"},
		{name: "text before root", doc: `<!-- c -->x<svg/>`, kind: ErrNotSVG, msg: "text before"},
		{name: "prolog only", doc: `<?xml version="1.0"?><!-- nothing -->`, kind: ErrNotSVG, msg: "no root element"},
		{name: "malformed root start tag", doc: "<svg\n width=10></svg>", kind: ErrSyntax, msg: "unquoted", line: 2, sniffOK: true},
		{
			name: "badge element not closed",
			doc:  svgOpenOB2 + "\n\n" + `<openbadges:assertion verify="x"></svg>`,
			kind: ErrSyntax, msg: "closed by </svg>", line: 3, sniffOK: true,
		},
		{
			name: "truncated inside the badge element",
			doc:  svgOpenOB2 + `<openbadges:assertion verify="x"><![CDATA[{`,
			kind: ErrSyntax, msg: "unexpected EOF", sniffOK: true,
		},
		{
			name: "undeclared entity in the badge body",
			doc:  svgOpenOB2 + `<openbadges:assertion>&nbsp;</openbadges:assertion></svg>`,
			kind: ErrSyntax, msg: "&nbsp;", sniffOK: true,
		},
		{
			name: "element after the root",
			doc:  `<svg xmlns="http://www.w3.org/2000/svg"></svg>` + "\n" + `<openbadges:assertion xmlns:openbadges="http://openbadges.org"/>`,
			kind: ErrSyntax, msg: "after the root element", line: 2, sniffOK: true,
		},
		{
			name: "DOCTYPE inside the root",
			doc:  svgOpenOB2 + `<!DOCTYPE x [<!ENTITY e "v">]><openbadges:assertion verify="&e;"/></svg>`,
			kind: ErrSyntax, msg: "<!DOCTYPE> is only allowed before the root element", sniffOK: true,
		},
		{
			name: "external entity",
			doc:  `<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + "\n" + svgOpenOB2 + "\n" + `<openbadges:assertion>&xxe;</openbadges:assertion></svg>`,
			kind: ErrEntity, msg: "entity &xxe; is not expanded", line: 3, sniffOK: true,
		},
		{
			name: "external entity referenced outside any badge element",
			doc:  `<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>`,
			kind: ErrEntity, msg: "&xxe;", sniffOK: true,
		},
		{
			name: "internal entity in the root start tag (Illustrator style)",
			doc: publicDocype[:len(publicDocype)-1] + ` [<!ENTITY ns_svg "http://www.w3.org/2000/svg"><!ENTITY % param "x">]>` +
				`<svg xmlns="&ns_svg;"><rect/></svg>`,
			kind: ErrEntity, msg: "&ns_svg;", sniffOK: true,
		},
		{name: "declared encoding", doc: `<?xml version="1.0" encoding="ISO-8859-1"?><svg/>`, kind: ErrEncoding, msg: `"ISO-8859-1"`, sniffOK: true},
		{name: "UTF-16 BOM", doc: "\xFF\xFE<\x00s\x00v\x00g\x00/\x00>\x00", kind: ErrEncoding, msg: "UTF-16"},
		{name: "too large", doc: svgOpen + `</svg>`, opts: &Options{MaxSize: 10}, kind: ErrTooLarge, msg: "limit is 10", sniffOK: true},
		{
			name: "badge body too large",
			doc:  svgOpenOB2 + "\n<openbadges:assertion>123<![CDATA[45]]><g>6</g></openbadges:assertion></svg>",
			opts: &Options{MaxTextSize: 5}, kind: ErrTooLarge, msg: "body of the badge element <assertion> is larger than the 5-byte limit", line: 2, sniffOK: true,
		},
		{
			name: "badge verify attribute too large",
			doc:  svgOpenOB3 + "\n\n<openbadges:credential verify=\"a.b.c\"/></svg>",
			opts: &Options{MaxTextSize: 4}, kind: ErrTooLarge, msg: "verify attribute of the badge element <credential> is larger than the 4-byte limit", line: 3, sniffOK: true,
		},
		{
			name: "too deep",
			doc:  svgOpenOB2 + `<g><g><g><openbadges:assertion verify="x"/></g></g></g></svg>`,
			opts: &Options{MaxDepth: 3}, kind: ErrTooDeep, msg: "deeper than 3", sniffOK: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			els, err := Find([]byte(tc.doc), tc.opts)
			if err == nil {
				t.Fatalf("Find returned %d elements and no error", len(els))
			}
			if els != nil {
				t.Errorf("Find returned elements with the error")
			}
			if k := kindOf(err); k != tc.kind {
				t.Fatalf("error %q is of kind %v, want %v", err, k, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "svg: ") {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error", err)
			}
			if tc.line > 0 && e.Line != tc.line {
				t.Errorf("error line %d, want %d", e.Line, tc.line)
			}
			if tc.kind == ErrSyntax && strings.Contains(tc.msg, "after the root") == false && !strings.Contains(tc.msg, "DOCTYPE") {
				var se *xml.SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("syntax error does not wrap *xml.SyntaxError")
				}
			}
			// Bake validates the document the same way.
			_, berr := Bake(new(strings.Builder), []byte(tc.doc), NewElement{Namespace: NamespaceOB2, Verify: "x"}, tc.opts)
			if berr == nil || berr.Error() != err.Error() {
				t.Errorf("Bake error %v, want the same as Find: %v", berr, err)
			}
			if got := Sniff([]byte(tc.doc)); got != tc.sniffOK {
				t.Errorf("Sniff = %v, want %v", got, tc.sniffOK)
			}
		})
	}
}

// TestExternalEntityNotFetched serves the external entity over HTTP and
// checks that nothing ever asks for it.
// TestMaxTextSizeIsInclusive: a badge element's text of exactly
// MaxTextSize bytes is accepted.
func TestMaxTextSizeIsInclusive(t *testing.T) {
	doc := svgOpenOB2 + `<openbadges:assertion verify="12345">123<![CDATA[45]]></openbadges:assertion></svg>`
	els, err := Find([]byte(doc), &Options{MaxTextSize: 5})
	if err != nil || len(els) != 1 || els[0].Body != "12345" || els[0].Verify != "12345" {
		t.Fatalf("Find: %v, %+v", err, els)
	}
}

func TestExternalEntityNotFetched(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "SECRET-CONTENT")
	}))
	defer srv.Close()
	doc := fmt.Sprintf(`<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY xxe SYSTEM "%s/secret">
  <!ENTITY %% dtd SYSTEM "%s/dtd"> %%dtd;
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion verify="&xxe;"/>
</svg>`, srv.URL, srv.URL)
	_, err := Find([]byte(doc), nil)
	if !errors.Is(err, ErrEntity) {
		t.Fatalf("Find error %v, want ErrEntity", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error reveals entity content: %v", err)
	}
	var out strings.Builder
	if _, err := Bake(&out, []byte(doc), NewElement{Namespace: NamespaceOB2, Verify: "v"}, nil); !errors.Is(err, ErrEntity) {
		t.Fatalf("Bake error %v, want ErrEntity", err)
	}
	if out.Len() != 0 {
		t.Errorf("Bake wrote %d bytes despite the error", out.Len())
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the entity URL was requested %d times", n)
	}
}

func TestBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n<!DOCTYPE svg [\n" + `<!ENTITY lol "lol">` + "\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "<!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>\n" + svgOpenOB2 + "\n<text>&lol9;</text>\n" + `<openbadges:assertion verify="x"/></svg>`)
	doc := []byte(strings.Replace(b.String(), "&lol0;", "&lol;", -1))

	start := time.Now()
	_, err := Find(doc, nil)
	elapsed := time.Since(start)
	if !errors.Is(err, ErrEntity) {
		t.Fatalf("Find error %v, want ErrEntity", err)
	}
	if !strings.Contains(err.Error(), "&lol9;") || !strings.Contains(err.Error(), "refused for safety") {
		t.Errorf("unexpected message %q", err)
	}
	if elapsed > 100*time.Millisecond {
		t.Errorf("refusing the document took %v", elapsed)
	}
}

func TestLastCandidate(t *testing.T) {
	tests := []struct {
		doc  string
		want int // offset of '<', -1 for none
	}{
		{"<assertion>", 0},
		{"<assertion/>", 0},
		{"x<ob:assertion\n", 1},
		{"<a-b.c_d:assertion ", 0},
		{"<\u00e9t\u00e9:credential>", 0},
		{"<credential\t", 0},
		{"<credential\r", 0},
		{"<assertion/><g/><credential>", 16},
		{"<assertion/><g/><credential", 0},
		{"<<<assertion>", 2},
		{"</ob:assertion>", -1},
		{"<assertions>", -1},
		{"<Assertion>", -1},
		{"<xassertion>", -1},
		{"<:assertion>", -1},
		{"<a:b:assertion>", -1},
		{" assertion>", -1},
		{"<assertion", -1},
		{"<assertion=", -1},
		{"<ob:assertion\u00e9>", -1},
		{"<!--assertion -->", -1},
	}
	for _, tc := range tests {
		if got := lastCandidate([]byte(tc.doc), 0); got != tc.want {
			t.Errorf("lastCandidate(%q) = %d, want %d", tc.doc, got, tc.want)
		}
	}
}

func TestDeclaredEntities(t *testing.T) {
	d := `<!DOCTYPE svg PUBLIC "-//x//<!ENTITY q1 'x'>" 'y' [
 <!-- <!ENTITY c1 "x"> -->
 <!ENTITY a "1"> <!ENTITY	b SYSTEM "file:///x"> <!ENTITY % p "2"> <!ENTITY amp "&#38;#38;">
 <!ATTLIST svg x CDATA "<!ENTITY q2 'z'>">
]>`
	got := declaredEntities([]byte(d))
	if len(got) != 2 || !got["a"] || !got["b"] {
		t.Errorf("declaredEntities = %v, want a and b", got)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		doc  string
		want bool
	}{
		{svgOpen + "</svg>", true},
		{"<svg/>", true},
		{"\xEF\xBB\xBF\n<!-- c -->\n" + publicDocype + "\n<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"/>", true},
		{`<?xml version="1.0" encoding="windows-1252"?><svg/>`, true},
		{"<!DOCTYPE svg [<!ENTITY a 'b'>]><svg a='&a;'/>", true},
		{"<svg attr=unquoted>", true},
		{"<svgx/>", false},
		{"<html/>", false},
		{`<svg xmlns="http://example.com/"/>`, false},
		{"", false},
		{"{}", false},
		{"\x89PNG\r\n\x1a\n", false},
		{"<!-- unterminated", false},
	}
	for _, tc := range tests {
		if got := Sniff([]byte(tc.doc)); got != tc.want {
			t.Errorf("Sniff(%q) = %v, want %v", tc.doc, got, tc.want)
		}
	}
}

// TestFindStopsEarly checks the pre-filter: malformed content after the
// last candidate is not tokenised, malformed content before it is.
func TestFindStopsEarly(t *testing.T) {
	badge := `<openbadges:assertion verify="v"/>`
	after := svgOpenOB2 + badge + `<g><unclosed></g></svg>`
	els, err := Find([]byte(after), nil)
	if err != nil || len(els) != 1 {
		t.Errorf("malformed tail after the badge: got %v, %v; want one element", els, err)
	}
	before := svgOpenOB2 + `<g><unclosed></g>` + badge + `</svg>`
	if _, err := Find([]byte(before), nil); !errors.Is(err, ErrSyntax) {
		t.Errorf("malformed content before the badge: got %v, want ErrSyntax", err)
	}
	none := svgOpen + `<g><unclosed></g></svg>`
	if els, err := Find([]byte(none), nil); err != nil || els != nil {
		t.Errorf("no candidate: got %v, %v; want nothing", els, err)
	}
}

// The fast path does not tokenise the drawing, but a document that stops
// before its root end tag (a truncated download) is still refused.
func TestFindChecksTheEnd(t *testing.T) {
	const head = `<svg xmlns="http://www.w3.org/2000/svg"><g><path d="M0 0"/></g>`
	for _, doc := range []string{head, head + "</sv", head + "</svg", head + "</g>", head + "</svg><!-- x", head + "</svg>text"} {
		_, err := Find([]byte(doc), nil)
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Find(%q) = %v, want ErrSyntax", doc, err)
		}
	}
	for _, doc := range []string{"<svg/>0", "<svg/><g/>", "<svg/><!-- x"} {
		if _, err := Find([]byte(doc), nil); !errors.Is(err, ErrSyntax) {
			t.Errorf("Find(%q) = %v, want ErrSyntax", doc, err)
		}
	}
	for _, doc := range []string{head + "</svg>", head + "</svg >\n", head + "</svg>\n<!-- end -->\n<?pi x?>\n", "<svg/>\n<!-- c -->\n"} {
		if _, err := Find([]byte(doc), nil); err != nil {
			t.Errorf("Find(%q) = %v, want no error", doc, err)
		}
	}
	var buf bytes.Buffer
	if _, err := Bake(&buf, []byte(head), NewElement{Namespace: NamespaceOB2, Verify: "https://example.org/a"}, nil); !errors.Is(err, ErrSyntax) || buf.Len() != 0 {
		t.Errorf("Bake of a truncated document: %v, wrote %d bytes", err, buf.Len())
	}
}
