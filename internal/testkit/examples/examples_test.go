package examples

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the example files in testdata/")

// The example files that ship in testdata/ are exactly what this package
// draws. Run "go test ./internal/testkit/examples -update" after changing it.
func TestShippedExamples(t *testing.T) {
	files := map[string][]byte{
		"badge.png":      PNG(),
		"badge.svg":      SVG(),
		"assertion.json": []byte(AssertionJSON),
	}
	for name, want := range files {
		path := filepath.Join("..", "..", "..", "testdata", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/testkit/examples -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from what the examples package draws; run go test ./internal/testkit/examples -update", name)
		}
	}
}

func TestPNGDecodes(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(PNG()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != Size || b.Dy() != Size {
		t.Fatalf("size %v, want %d×%d", b, Size, Size)
	}
	// The centre is the star, a corner is transparent.
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Error("corner is not transparent")
	}
	if r, g, b, _ := img.At(Size/2, Size/2+6).RGBA(); r>>8 != 0xff || g>>8 != 0xf4 || b>>8 != 0xd1 {
		t.Errorf("centre colour %x %x %x, want the star's", r>>8, g>>8, b>>8)
	}
}
