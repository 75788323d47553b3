package svg

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/benchdata"
)

// withCuts runs f with the cut sizes set to minLen and keep.
func withCuts(minLen, keep int, f func()) {
	oldMin, oldKeep := cutMin, cutKeep
	cutMin, cutKeep = minLen, keep
	defer func() { cutMin, cutKeep = oldMin, oldKeep }()
	f()
}

// findResult is what Find returns, comparable.
type findResult struct {
	elems []Element
	err   string
	line  int
}

func (r findResult) String() string {
	s := fmt.Sprintf("error %q at line %d, %d elements", r.err, r.line, len(r.elems))
	for _, e := range r.elems {
		body := e.Body
		if len(body) > 40 {
			body = fmt.Sprintf("%.40s…(%d bytes)", body, len(body))
		}
		s += fmt.Sprintf("; {%s %s %q %q [%d,%d) line %d}", e.Namespace, e.Prefix, e.Verify, body, e.Start, e.End, e.Line)
	}
	return s
}

func findWith(doc []byte, minLen, keep int, full bool) (r findResult) {
	withCuts(minLen, keep, func() {
		_, els, err := analyzeDoc(doc, nil, full)
		r.elems = els
		if err != nil {
			r.err = err.Error()
			if e, ok := err.(*Error); ok {
				r.line = e.Line
			}
		}
	})
	return r
}

// checkCutsChangeNothing fails unless Find (and the full tokenisation)
// give the same elements, errors and lines when every run of plain text is
// cut (all but one unit) as when nothing is.
func checkCutsChangeNothing(t *testing.T, doc []byte) {
	t.Helper()
	for _, full := range []bool{false, true} {
		uncut := findWith(doc, math.MaxInt, 1, full)
		for _, keep := range []int{1, 3} {
			cut := findWith(doc, 1, keep, full)
			if !reflect.DeepEqual(cut, uncut) {
				t.Errorf("full=%v, keep %d: with cuts %s\nwithout %s", full, keep, cut, uncut)
			}
		}
	}
}

// cutDocs are documents whose plain text runs are long enough to be cut by
// default, or that sit next to the edge cases of cutting: references,
// dashes in comments, "]]>", line ends, invalid characters, errors after a
// cut (whose line must still be right).
var cutDocs = func() []string {
	long := strings.Repeat("iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB\n", 200) // 6.6 KB of base64 lines
	path := strings.Repeat("M 10.5,-20 c 1,2 -3,4 5,6 ", 300)
	ob := `<o:assertion xmlns:o="http://openbadges.org" verify="https://example.org/a">` + long + `</o:assertion>`
	return []string{
		svgOpen + `<image href="data:image/png;base64,` + long + `"/>` + ob + `</svg>`,
		svgOpen + `<path d="` + path + `"/><g><path d='` + path + `'/></g>` + ob + "</svg>\n",
		`<svg xmlns="http://www.w3.org/2000/svg" data-x="` + long + `" xmlns:o="http://openbadges.org"><o:assertion verify="v"/></svg>`,
		svgOpen + `<text>` + long + `&amp;` + long + `&#x41;&#65;&lt;` + long + `</text>` + ob + `</svg>`,
		svgOpen + `<!-- ` + long + ` - ` + long + ` -->` + ob + `</svg>`,
		svgOpen + `<!-- ` + long + ` -- ` + long + ` -->` + ob + `</svg>`,
		svgOpen + `<style><![CDATA[` + long + `]]]]><![CDATA[>` + long + `]]></style>` + ob + `</svg>`,
		svgOpen + `<text>` + long + `]]>` + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + strings.ReplaceAll(long, "\n", "\r\n") + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + "\x01" + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + "\xff" + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + "\uFFFE" + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + "é€𝄞" + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text x="` + long + `<` + long + `"/>` + ob + `</svg>`,
		svgOpen + `<text>` + long + `&nbsp;` + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + `&#0;` + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + `&#xD800;` + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + `& ` + long + `</text>` + ob + `</svg>`,
		svgOpen + `<text>` + long + `</tspan>` + ob + `</svg>`,
		svgOpen + `<g id="` + long + `"><unclosed>` + long + `</g>` + ob + `</svg>`,
		svgOpen + `<g id="` + long + `" id2=` + long + `>` + ob + `</svg>`,
		svgOpen + `<text>` + long + `</text><!DOCTYPE x>` + ob + `</svg>`,
		svgOpen + `<g xmlns:o="` + long + `">` + ob + `<o:assertion verify="in g"/></g></svg>`,
		svgOpen + `<g xmlns="http://openbadges.org" x="` + long + `"><assertion>` + long + `<t>` + long + `</t></assertion></g></svg>`,
		svgOpen + `<text>` + long + `</text></svg>` + long + ob,
		svgOpen + `<text>` + long + `</text>` + ob + `</svg>` + long,
		svgOpen + `<?pi ` + long + `?>` + ob + `</svg>`,
		"\uFEFF" + svgOpen + `<text>` + long + `</text>` + ob + `</svg>`,
		`<?xml version="1.0"?>` + "\n<!-- " + long + " -->\n" + svgOpen + `<text>` + long + "</text>\n" + ob + `</svg>`,
	}
}()

func TestCutsChangeNothing(t *testing.T) {
	var docs []string
	docs = append(docs, cutDocs...)
	docs = append(docs, fuzzDocs...)
	for _, c := range bakeCases {
		docs = append(docs, c.doc)
	}
	for i, doc := range docs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkCutsChangeNothing(t, []byte(doc))
		})
	}
}

// TestCutsHideLongText: the tokenizer is shown the structure of a large
// drawing, not its text. A 1 MiB SVG with the badge last is tokenised up to
// the badge, yet the tokenizer reads a few KiB of an embedded image, and a
// fraction of the path data (whose runs of plain text are a path each).
func TestCutsHideLongText(t *testing.T) {
	const url = "https://example.org/assertions/1"
	for _, tc := range []struct {
		content benchdata.Content
		most    int // bytes the tokenizer may read
	}{
		{benchdata.Image, 16 << 10},
		{benchdata.Paths, 256 << 10},
	} {
		t.Run(string(tc.content), func(t *testing.T) {
			doc := benchdata.BigSVG(1<<20, tc.content, url, true)
			p, els, err := analyze(doc, nil)
			if err != nil || len(els) != 1 || els[0].Verify != url {
				t.Fatalf("Find: %v, %+v", err, els)
			}
			if els[0].Start < len(doc)-8192 {
				t.Fatalf("the badge is at %d of %d bytes: not last", els[0].Start, len(doc))
			}
			shown := p.in.pos - p.in.base
			if k := p.in.next; k > 0 {
				shown -= p.in.skipped[k-1]
			}
			if shown > tc.most {
				t.Errorf("the tokenizer read %d bytes of %d, want at most %d", shown, len(doc), tc.most)
			}
			checkCutsChangeNothing(t, doc)
		})
	}
}
