package magic

import "testing"

func TestDescribe(t *testing.T) {
	tests := map[string]string{
		"":                             "an empty file",
		" \n\t":                        "only white space",
		"\x89PNG\r\n\x1a\n\x00":        "a PNG image",
		"\x89PNG\n\x1a\n":              "a PNG whose signature was damaged (transferred as text?)",
		"\xff\xd8\xff\xe0\x00\x10JFIF": "a JPEG image",
		"GIF89a....":                   "a GIF image",
		"RIFF\x00\x00\x00\x00WEBPVP8 ": "a WebP image",
		"%PDF-1.7":                     "a PDF document",
		"PK\x03\x04":                   "a ZIP archive",
		"\x1f\x8b\x08\x00":             "gzip-compressed data (an .svgz file must be decompressed first)",
		"\ufeff  {\"a\":1}":            "JSON text",
		"[1]":                          "JSON text",
		"<!DOCTYPE html><html>":        "an HTML page",
		"<?xml version='1.0'?><rss/>":  "an XML document",
		"https://example.org/a":        "a URL",
		"\x00\x01\x02\xfe\xff":         "binary data",
		"hello":                        "",
	}
	for in, want := range tests {
		if got := Describe([]byte(in)); got != want {
			t.Errorf("Describe(%q) = %q, want %q", in, got, want)
		}
	}
}
