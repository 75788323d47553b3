package bake_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpus under testdata/fuzz")

// corpusFile renders values in Go's fuzz corpus file format.
func corpusFile(values ...any) []byte {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, v := range values {
		switch v := v.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case bool:
			fmt.Fprintf(&b, "bool(%v)\n", v)
		}
	}
	return []byte(b.String())
}

// seedFiles are the seed corpora of the fuzz targets, made by this
// package's own code: every payload kind into both formats, and images
// already baked with each.
func seedFiles(t *testing.T) map[string][]byte {
	files := map[string][]byte{
		"FuzzBakeImage/example-png": corpusFile(examples.PNG()),
		"FuzzBakeImage/example-svg": corpusFile(examples.SVG()),
	}
	names := make([]string, 0, len(payloads))
	for name := range payloads {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		slug := strings.ReplaceAll(name, " ", "-")
		files["FuzzRoundTrip/"+slug+"-png"] = corpusFile([]byte(payloads[name]), false)
		files["FuzzRoundTrip/"+slug+"-svg"] = corpusFile([]byte(payloads[name]), true)
		for format, img := range map[string][]byte{"png": examples.PNG(), "svg": examples.SVG()} {
			var out bytes.Buffer
			if _, err := bake.Bake(context.Background(), &out, bytes.NewReader(img), mustParse(t, payloads[name]), &bake.Options{Validator: acceptAll{}}); err != nil {
				t.Fatal(err)
			}
			files["FuzzBakeImage/baked-"+slug+"-"+format] = corpusFile(out.Bytes())
		}
	}
	return files
}

// TestFuzzSeeds keeps testdata/fuzz equal to what seedFiles makes. Run
// with -update-seeds to rewrite it.
func TestFuzzSeeds(t *testing.T) {
	for name, want := range seedFiles(t) {
		path := filepath.Join("testdata", "fuzz", filepath.FromSlash(name))
		if *updateSeeds {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or stale; run go test ./bake -run TestFuzzSeeds -update-seeds", path)
		}
	}
}
