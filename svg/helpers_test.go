package svg

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden and the generated fuzz seed corpus")

// sentinels lists every error kind of the package.
var sentinels = []error{ErrNotSVG, ErrSyntax, ErrEntity, ErrTooLarge, ErrTooDeep, ErrEncoding, ErrInvalidElement}

// kindOf returns the sentinel err matches, or nil.
func kindOf(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// corpusDir is the shared test corpus, relative to the package directory.
const corpusDir = "../../shared/corpus/images"

// readCorpus reads a corpus file or skips the test when the corpus is absent.
func readCorpus(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, filepath.FromSlash(rel)))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus file %s not available", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustFind calls Find and fails the test on error.
func mustFind(t testing.TB, doc []byte) []Element {
	t.Helper()
	els, err := Find(doc, nil)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	return els
}
