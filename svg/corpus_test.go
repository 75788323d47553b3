package svg

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Tests against the shared corpus (see /work/shared/corpus/MANIFEST.md).
// The files are read in place and skipped when absent.

func TestCorpusBaked(t *testing.T) {
	tests := []struct {
		file      string
		verify    string
		body      string // trimmed body
		validJSON bool
		line      int
	}{
		{
			file:   "concentricsky-bakery/baked_example.svg",
			verify: "https://example.org/assertion.json", validJSON: true, line: 7,
		},
		{
			file:   "mozilla-bakery/baked.svg",
			verify: "http://example.org", body: `{"verify":{"url":"http://example.org"}}`, validJSON: true, line: 6,
		},
		{file: "mozilla-bakery/no-json.svg", verify: "http://example.org", body: "", line: 6},
		{file: "mozilla-bakery/bad-json.svg", verify: "http://example.org", body: `{verify:{"url":"http://example.org"}}`, line: 6},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			doc := readCorpus(t, tc.file)
			if !Sniff(doc) {
				t.Error("Sniff = false")
			}
			els := mustFind(t, doc)
			if len(els) != 1 {
				t.Fatalf("found %d elements, want 1", len(els))
			}
			e := els[0]
			if e.Namespace != NamespaceOB2 || e.Local != "assertion" || e.Prefix != "openbadges" || e.Line != tc.line {
				t.Errorf("element %+v", e)
			}
			if !e.HasVerify || e.Verify != tc.verify {
				t.Errorf("verify %q, want %q", e.Verify, tc.verify)
			}
			body := strings.TrimSpace(e.Body)
			if tc.body != "" || !tc.validJSON {
				if body != tc.body {
					t.Errorf("trimmed body %q, want %q", body, tc.body)
				}
			}
			if body != "" && body == e.Body {
				t.Errorf("body %q has no surrounding white space, the file has some", e.Body)
			}
			if json.Valid([]byte(body)) != tc.validJSON {
				t.Errorf("body JSON validity %v, want %v", !tc.validJSON, tc.validJSON)
			}
			if !bytes.HasPrefix(doc[e.Start:], []byte("<openbadges:assertion verify=")) ||
				!bytes.HasSuffix(doc[:e.End], []byte("</openbadges:assertion>")) {
				t.Errorf("range [%d,%d) = %q", e.Start, e.End, doc[e.Start:e.End])
			}

			// Re-bake with an OB 3.0 credential: one element left, the new one.
			var out bytes.Buffer
			removed, err := Bake(&out, doc, NewElement{Namespace: NamespaceOB3, Body: `{"id":"urn:x"}`}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(removed) != 1 || removed[0] != e {
				t.Errorf("removed %+v, want %+v", removed, e)
			}
			checkBaked(t, doc, out.Bytes(), NewElement{Namespace: NamespaceOB3, Body: `{"id":"urn:x"}`}, "openbadges", false)
			if !bytes.Contains(out.Bytes(), []byte(`xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`)) ||
				bytes.Contains(out.Bytes(), []byte(NamespaceOB2)) {
				t.Errorf("the OB2 declaration was not rewritten")
			}
		})
	}
}

func TestCorpusBakedExampleJSON(t *testing.T) {
	doc := readCorpus(t, "concentricsky-bakery/baked_example.svg")
	els := mustFind(t, doc)
	if len(els) != 1 {
		t.Fatalf("found %d elements", len(els))
	}
	var a struct {
		UID    string `json:"uid"`
		Verify struct {
			URL string `json:"url"`
		} `json:"verify"`
	}
	if err := json.Unmarshal([]byte(els[0].Body), &a); err != nil {
		t.Fatal(err)
	}
	if a.UID != "abcdef12345" || a.Verify.URL != "https://example.org/assertion.json" {
		t.Errorf("assertion %+v", a)
	}
}

func TestCorpusUnbaked(t *testing.T) {
	for _, file := range []string{"concentricsky-bakery/unbaked_example.svg", "mozilla-bakery/unbaked.svg"} {
		t.Run(file, func(t *testing.T) {
			doc := readCorpus(t, file)
			if !Sniff(doc) {
				t.Error("Sniff = false")
			}
			if els := mustFind(t, doc); len(els) != 0 {
				t.Fatalf("found %d elements in an unbaked file", len(els))
			}
			for _, el := range []NewElement{
				{Namespace: NamespaceOB2, Verify: "https://example.org/assertion.json", Body: `{"a":1}`},
				{Namespace: NamespaceOB3, Verify: vcJWT},
			} {
				var out bytes.Buffer
				removed, err := Bake(&out, doc, el, nil)
				if err != nil || len(removed) != 0 {
					t.Fatalf("Bake: %v, removed %d", err, len(removed))
				}
				checkBaked(t, doc, out.Bytes(), el, "openbadges", false)
				// Only the declaration was added besides the element.
				f := mustFind(t, out.Bytes())
				o := out.Bytes()
				cut := string(o[:f[0].Start]) + string(o[f[0].End:])
				decl := ` xmlns:openbadges="` + el.Namespace + `"`
				if strings.Replace(cut, decl, "", 1) != string(doc) {
					t.Errorf("output differs from the input by more than the element and %s", decl)
				}
			}
		})
	}
}

func TestCorpusNotSVG(t *testing.T) {
	tests := []struct{ file, hint string }{
		{"concentricsky-bakery/baked_heart.png", "PNG"},
		{"mozilla-bakery/unbaked.png", "PNG"},
		{"mozilla-backpack/sneaky-badge.png", "JPEG"},
		{"badgr-server/bad_image.png", "JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			doc := readCorpus(t, tc.file)
			if Sniff(doc) {
				t.Error("Sniff = true")
			}
			_, err := Find(doc, nil)
			if !errors.Is(err, ErrNotSVG) || !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("error %v, want ErrNotSVG mentioning %s", err, tc.hint)
			}
		})
	}
}
