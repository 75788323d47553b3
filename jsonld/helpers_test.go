package jsonld

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
)

// corpusContextsDir is where the official context copies live, relative to
// this package's directory (go test runs tests there).
const corpusContextsDir = "../../shared/corpus/contexts"

// officialLoader serves the corpus copies of the contexts, by the URL→file
// map in the corpus's index.json, under the same http/https aliasing as the
// embedded ones. Every load re-reads and re-parses the file, so nothing it
// returns is shared.
type officialLoader struct {
	dir   string
	index map[string]string
}

// newOfficialLoader returns the corpus loader, or skips the test when the
// corpus is absent.
func newOfficialLoader(t testing.TB) *officialLoader {
	t.Helper()
	if _, err := os.Stat(corpusContextsDir); err != nil {
		t.Skipf("official contexts not found at %s: %v", corpusContextsDir, err)
	}
	b, err := os.ReadFile(filepath.Join(corpusContextsDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index map[string]string
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatalf("corpus index.json: %v", err)
	}
	return &officialLoader{dir: corpusContextsDir, index: index}
}

func (o *officialLoader) file(u string) (string, bool) {
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		u = "https://" + rest
	}
	f, ok := o.index[u]
	return f, ok
}

// officialTestdata are official context copies the corpus lacks, kept in
// testdata/official (see the README there), by URL.
var officialTestdata = map[string]string{
	ContextMultikey: "testdata/official/multikey-v1.jsonld",
}

// path returns the file holding the official copy of u.
func (o *officialLoader) path(u string) (string, bool) {
	if f, ok := o.file(u); ok {
		return filepath.Join(o.dir, f), true
	}
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		u = "https://" + rest
	}
	f, ok := officialTestdata[u]
	return f, ok
}

func (o *officialLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	f, ok := o.path(u)
	if !ok {
		return nil, fmt.Errorf("official loader: %s is not in the corpus index", u)
	}
	doc, err := readJSON(f)
	if err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

func readJSON(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// testdoc reads testdata/name.
func testdoc(t testing.TB, name string) map[string]any {
	t.Helper()
	doc, err := readJSON(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return doc.(map[string]any)
}

// testdocs are the realistic OB documents in testdata.
var testdocs = []string{
	"assertion.json",
	"assertion-signed.json",
	"assertion-v1.json",
	"badgeclass.json",
	"badgeclass-v1.json",
	"endorsement.json",
	"issuer.json",
	"revocationlist.json",
}

// optionsWith returns json-gold options (defaults, as Processor uses) with l.
func optionsWith(l ld.DocumentLoader) *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = l
	return opts
}

// mustJSON renders v for failure messages.
func mustJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}
