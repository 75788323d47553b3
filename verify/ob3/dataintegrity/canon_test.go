package dataintegrity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/piprate/json-gold/ld"

	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
)

// goldCanonicalizer is the test Canonicalizer: json-gold, expanding in
// safe mode first (its Normalize does not pass SafeMode on), with a
// document loader that serves only the corpus's contexts.
type goldCanonicalizer struct {
	loader *corpusLoader
}

func (g *goldCanonicalizer) Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// json-gold may change its input; give it its own copy.
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var in any
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	proc := ld.NewJsonLdProcessor()
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = g.loader
	opts.SafeMode = true
	expanded, err := proc.Expand(in, opts)
	if err != nil {
		return nil, err
	}
	opts = ld.NewJsonLdOptions("")
	opts.DocumentLoader = g.loader
	opts.Algorithm = "URDNA2015"
	opts.Format = "application/n-quads"
	out, err := proc.Normalize(expanded, opts)
	if err != nil {
		return nil, err
	}
	s, ok := out.(string)
	if !ok {
		return nil, fmt.Errorf("json-gold returned %T", out)
	}
	return []byte(s), nil
}

// corpusLoader serves the corpus's contexts by contexts/index.json and
// refuses every other URL: tests never reach the network.
type corpusLoader struct {
	dir   string
	index map[string]string
	mu    sync.Mutex
	docs  map[string]any
}

func (l *corpusLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if doc, ok := l.docs[u]; ok {
		return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
	}
	file, ok := l.index[u]
	if !ok {
		return nil, fmt.Errorf("test loader: no context for %s", u)
	}
	raw, err := os.ReadFile(filepath.Join(l.dir, file))
	if err != nil {
		return nil, err
	}
	doc, err := ld.DocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	l.docs[u] = doc
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

var (
	loaderOnce sync.Once
	loader     *corpusLoader
	loaderErr  error
)

// newGold returns the json-gold test canonicalizer, skipping the test when
// the corpus is absent.
func newGold(t testing.TB) *goldCanonicalizer {
	t.Helper()
	dir := filepath.Join(testcorpus.Dir(t), "contexts")
	loaderOnce.Do(func() {
		raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if err != nil {
			loaderErr = err
			return
		}
		l := &corpusLoader{dir: dir, docs: map[string]any{}}
		loaderErr = json.Unmarshal(raw, &l.index)
		loader = l
	})
	if loaderErr != nil {
		t.Skipf("corpus contexts unusable: %v", loaderErr)
	}
	return &goldCanonicalizer{loader: loader}
}

// readJSON reads a JSON object from the corpus.
func readJSON(t testing.TB, path ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, path...), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func readFile(t testing.TB, path ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{testcorpus.Dir(t)}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readJSONFile reads a JSON object from a file of the package.
func readJSONFile(t testing.TB, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
