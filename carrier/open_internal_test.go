package carrier

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/svg"
)

func TestDescribe(t *testing.T) {
	if got := Describe([]byte("\xff\xd8\xff")); got != "a JPEG image" {
		t.Errorf("JPEG: %q", got)
	}
	if got := Describe([]byte("hello")); got != "neither (unknown content)" {
		t.Errorf("unknown: %q", got)
	}
}

func TestOpen(t *testing.T) {
	png := "\x89PNG\r\n\x1a\nrest of the file"
	// A seeker is rewound and kept, so the png reader can seek.
	src, err := Open(strings.NewReader(png), 0)
	if err != nil || src.Format != PNG {
		t.Fatalf("%v %v", src, err)
	}
	if _, ok := src.PNG.(io.Seeker); !ok {
		t.Error("a seekable source lost its Seek")
	}
	if b, _ := io.ReadAll(src.PNG); string(b) != png {
		t.Errorf("PNG reader yields %q", b)
	}
	// A plain reader gets the sniffed bytes back in front.
	src, err = Open(io.MultiReader(strings.NewReader(png)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(src.PNG); string(b) != png {
		t.Errorf("PNG reader yields %q", b)
	}
	doc := `<svg xmlns="http://www.w3.org/2000/svg"/>`
	if src, err := Open(strings.NewReader(doc), 0); err != nil || src.Format != SVG || string(src.SVG) != doc {
		t.Errorf("SVG: %+v %v", src, err)
	}
	var notImage *NotImageError
	if _, err := Open(bytes.NewReader([]byte(`{"a":1}`)), 0); !errors.As(err, &notImage) || !errors.Is(err, ErrNotImage) || notImage.LooksLike != "JSON text" {
		t.Errorf("JSON: %v", err)
	}
	big := doc[:len(doc)-2] + ">" + strings.Repeat(" ", 100) + "</svg>"
	if _, err := Open(strings.NewReader(big), 50); !errors.Is(err, svg.ErrTooLarge) || !strings.Contains(err.Error(), "larger than the 50-byte limit") {
		t.Errorf("oversized SVG: %v", err)
	}
}
