package statuslist

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The shared corpus (see /work/shared/corpus/MANIFEST.md) has no status
// list vectors, but it has the two status list JSON-LD contexts: every term
// this package reads must be defined there, or a signed credential could
// carry it unsigned (ob3.md §11).
const corpusContextsDir = "../../../../shared/corpus/contexts"

func TestCorpusContextsDefineTerms(t *testing.T) {
	for file, terms := range map[string][]string{
		"credentials-status-v1.jsonld": {TypeEntry, TypeList, TypeCredential,
			"statusPurpose", "statusListIndex", "statusListCredential", "statusSize", "statusMessage", "status", "message", "encodedList"},
		"vc-status-list-2021-v1.jsonld": {TypeEntry2021, TypeList2021, TypeCredential2021,
			"statusPurpose", "statusListIndex", "statusListCredential", "encodedList"},
	} {
		b, err := os.ReadFile(filepath.Join(corpusContextsDir, file))
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("corpus absent: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		defined := map[string]bool{}
		var walk func(v any)
		walk = func(v any) {
			if m, ok := v.(map[string]any); ok {
				for k, v := range m {
					defined[k] = true
					walk(v)
				}
			}
		}
		walk(doc)
		for _, term := range terms {
			if !defined[term] {
				t.Errorf("%s does not define %q", file, term)
			}
		}
	}
}
