package sniff

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := map[string]string{
		"":                             "an empty file",
		"\xff\xd8\xff\xe0\x00\x10JFIF": "a JPEG image",
		"GIF89a....":                   "a GIF image",
		"RIFF\x00\x00\x00\x00WEBPVP8 ": "a WebP image",
		"%PDF-1.7":                     "a PDF document",
		"\x89PNG\n\x1a\n":              "a PNG whose signature was damaged (transferred as text?)",
		"\ufeff  {\"a\":1}":            "JSON text",
		"<!DOCTYPE html><html>":        "an HTML page",
		"<?xml version='1.0'?><rss/>":  "an XML document whose root element is not <svg>",
		"https://example.org/a":        "a URL",
		"hello":                        "neither (unknown content)",
	}
	for in, want := range tests {
		if got := Describe([]byte(in)); got != want {
			t.Errorf("Describe(%q) = %q, want %q", in, got, want)
		}
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
	if _, err := Open(strings.NewReader(big), 50); err == nil || !strings.Contains(err.Error(), "larger than the 50-byte limit") {
		t.Errorf("oversized SVG: %v", err)
	}
}
