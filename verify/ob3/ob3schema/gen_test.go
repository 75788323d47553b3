package ob3schema

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite schemas/*.json from the model")

// TestSchemasUpToDate keeps the embedded files what the model renders.
func TestSchemasUpToDate(t *testing.T) {
	for _, g := range generated {
		want, err := render(g.f, g.root, g.title)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("schemas", g.file)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what the model renders: go test -run TestSchemasUpToDate -update", path)
		}
	}
	served := map[string]bool{}
	for _, f := range files {
		served[f] = true
	}
	if len(generated) != len(served) {
		t.Errorf("%d files rendered, %d served", len(generated), len(served))
	}
}
