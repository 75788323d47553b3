package svg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// fuzzDocs are tricky documents used as seeds (with f.Add and, through
// TestFuzzSeedCorpus, as files under testdata/fuzz).
var fuzzDocs = []string{
	svgOpenOB2 + `<openbadges:assertion verify="https://example.org/a"/></svg>`,
	svgOpenOB3 + `<openbadges:credential verify="a.b.c"></openbadges:credential><rect/></svg>`,
	svgOpen + `<ob:assertion xmlns:ob="http://openbadges.org"><![CDATA[{"a":]]><![CDATA[1}]]></ob:assertion></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"/>`,
	`<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns="http://openbadges.org"><assertion verify="x"/></s:svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:other"><openbadges:assertion/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion verify="unbound"/></svg>`,
	svgOpenOB2 + `<openbadges:assertion verify="o">a<openbadges:assertion>b</openbadges:assertion></openbadges:assertion></svg>`,
	svgOpenOB2 + `<!-- <openbadges:assertion --><g><unclosed></g></svg>`,
	svgOpenOB2 + `<openbadges:assertion verify="x"/><g><unclosed></g></svg>`,
	"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n" + publicDocype + "\n" + svgOpenOB3 + "<g/></svg>\n",
	`<!DOCTYPE svg [<!ENTITY e "x">]><svg><text>&e;</text></svg>`,
	`<!DOCTYPE svg [<!ENTITY e "x">]><svg><!-- unused --></svg>`,
	`<?xml version="1.0" encoding="latin1"?><svg/>`,
	`<svg></svg><assertion xmlns="http://openbadges.org"/>`,
	`{"not":"svg"}`,
	"",
}

type bakeSeed struct {
	doc, verify, body string
	ob3               bool
}

var bakeSeeds = []bakeSeed{
	{plainSVG, "https://example.org/a", ob2JSON, false},
	{plainSVG, vcJWT, "", true},
	{`<svg xmlns="http://www.w3.org/2000/svg"/>`, "", "]]>\r\n]]]>", true},
	{svgOpenOB2 + `<openbadges:assertion verify="old"/></svg>`, "\"&<>\t\n\r", "", true},
	{`<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion verify="stray"/></svg>`, "v", "b", false},
	{`<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:x"></svg>`, "", "{}", false},
}

// seedFiles returns the generated seed corpus: file name → contents in
// Go's fuzz corpus format ("go test fuzz v1").
func seedFiles() map[string]string {
	files := map[string]string{}
	docs := append([]string{}, fuzzDocs...)
	for _, c := range bakeCases {
		docs = append(docs, c.doc)
	}
	for i, d := range docs {
		files[fmt.Sprintf("FuzzFind/seed-%02d", i)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", d)
	}
	for i, s := range bakeSeeds {
		files[fmt.Sprintf("FuzzBake/seed-%02d", i)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nstring(%q)\nstring(%q)\nbool(%v)\n", s.doc, s.verify, s.body, s.ob3)
	}
	return files
}

// TestFuzzSeedCorpus writes the seed corpus with -update and otherwise
// checks that the files under testdata/fuzz are up to date.
func TestFuzzSeedCorpus(t *testing.T) {
	files := seedFiles()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		path := filepath.Join("testdata", "fuzz", filepath.FromSlash(n))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(files[n]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if string(got) != files[n] {
			t.Errorf("%s is stale (run go test -update)", path)
		}
	}
}

func FuzzFind(f *testing.F) {
	for _, d := range fuzzDocs {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		els, err := Find(doc, nil)
		sniffed := Sniff(doc)
		if sniffed && !MayBeSVG(doc) {
			t.Fatal("Sniff accepted a document MayBeSVG rejects")
		}
		_, slow, slowErr := analyzeDoc(doc, nil, true)
		// Cutting plain text out of what the tokenizer reads changes
		// nothing, even when everything that can be cut is.
		checkCutsChangeNothing(t, doc)
		if err != nil {
			if kindOf(err) == nil {
				t.Fatalf("error %q matches no sentinel", err)
			}
			if els != nil {
				t.Fatal("elements returned with an error")
			}
			// The fast path tokenises a prefix of what the full one does.
			if slowErr == nil {
				t.Fatalf("Find failed (%v) but full tokenisation succeeded", err)
			}
			return
		}
		if !sniffed {
			t.Fatal("Find accepted a document Sniff rejects")
		}
		prev := 0
		for i, e := range els {
			if e.Start < prev || e.Start >= e.End || e.End > len(doc) {
				t.Fatalf("element %d: range [%d,%d) out of bounds or order (len %d, previous end %d)", i, e.Start, e.End, len(doc), prev)
			}
			if doc[e.Start] != '<' || doc[e.End-1] != '>' {
				t.Fatalf("element %d: range %q is not a tag", i, doc[e.Start:e.End])
			}
			if !isBadge(xml.Name{Space: e.Namespace, Local: e.Local}) || e.Line < 1 {
				t.Fatalf("element %d: %+v", i, e)
			}
			prev = e.End
		}
		// When the whole document tokenises, the pre-filter must not
		// change the result.
		if slowErr == nil && !reflect.DeepEqual(els, slow) {
			t.Fatalf("pre-filtered result %+v differs from full tokenisation %+v", els, slow)
		}
	})
}

func FuzzBake(f *testing.F) {
	for _, s := range bakeSeeds {
		f.Add([]byte(s.doc), s.verify, s.body, s.ob3)
	}
	f.Fuzz(func(t *testing.T, doc []byte, verify, body string, ob3 bool) {
		before, err := Find(doc, nil)
		if err != nil {
			return
		}
		el := NewElement{Namespace: NamespaceOB2, Verify: verify, Body: body}
		if ob3 {
			el.Namespace = NamespaceOB3
		}
		var out bytes.Buffer
		removed, err := Bake(&out, doc, el, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidElement) {
				t.Fatalf("Bake refused a document Find accepts: %v", err)
			}
			if out.Len() != 0 {
				t.Fatal("output written despite the error")
			}
			return
		}
		if !reflect.DeepEqual(removed, before) {
			t.Fatalf("removed %+v, Find found %+v", removed, before)
		}
		after, err := Find(out.Bytes(), nil)
		if err != nil {
			t.Fatalf("Find on the output: %v\noutput: %q", err, out.Bytes())
		}
		if len(after) != 1 {
			t.Fatalf("Find on the output returned %d elements\noutput: %q", len(after), out.Bytes())
		}
		got := after[0]
		if got.Namespace != el.Namespace || got.Verify != verify || got.HasVerify != (verify != "") || got.Body != body {
			t.Fatalf("Find on the output = %+v, want %+v", got, el)
		}
		// Bytes before the root start tag are untouched.
		p, _, _ := analyze(doc, nil)
		if !bytes.HasPrefix(out.Bytes(), doc[:p.root.start]) {
			t.Fatal("bytes before the root start tag changed")
		}
		if !strings.HasPrefix(string(out.Bytes()[p.root.start:]), "<"+p.root.qname) {
			t.Fatal("root name changed")
		}
	})
}
