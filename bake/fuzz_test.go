package bake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/internal/testkit/pngtest"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/svg"
	"github.com/badgebake/badgebake/unbake"
)

// FuzzRoundTrip bakes arbitrary payload text into both example images:
// whatever payload.Parse accepts must come back out of unbake exactly.
func FuzzRoundTrip(f *testing.F) {
	// Every payload kind in both formats is seeded from
	// testdata/fuzz/FuzzRoundTrip (see TestFuzzSeeds).
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"x":"]]>]]>"}`), true)
	f.Fuzz(func(t *testing.T, text []byte, useSVG bool) {
		p, err := payload.Parse(text)
		if err != nil {
			return
		}
		img := examples.PNG()
		if useSVG {
			img = examples.SVG()
		}
		var out bytes.Buffer
		_, err = bake.Bake(context.Background(), &out, bytes.NewReader(img), p, &bake.Options{Validator: acceptAll{}})
		if err != nil {
			// SVG cannot hold every payload (characters XML forbids, an
			// OB 2.0 JSON without a URL); those are refused, not mangled.
			if useSVG && (errors.Is(err, svg.ErrInvalidElement) || errors.Is(err, bake.ErrNoHostedURL)) {
				return
			}
			t.Fatalf("Bake(%q): %v", text, err)
		}
		res, err := unbake.Unbake(bytes.NewReader(out.Bytes()), nil)
		if err != nil {
			t.Fatalf("Unbake after baking %q: %v", text, err)
		}
		if res.Payload != string(p.Raw) {
			t.Fatalf("round trip changed the payload:\n in %q\nout %q", p.Raw, res.Payload)
		}
	})
}

// FuzzBakeImage bakes a fixed payload into arbitrary image bytes. When Bake
// accepts an image, the result carries exactly one badge: the new one.
func FuzzBakeImage(f *testing.F) {
	// More seeds, images baked with every payload kind, live in
	// testdata/fuzz/FuzzBakeImage (see TestFuzzSeeds).
	f.Add(pngtest.Minimal())
	const url = "https://example.org/assertions/fuzz"
	p, err := payload.Parse([]byte(url))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, img []byte) {
		var out bytes.Buffer
		_, err := bake.Bake(context.Background(), &out, bytes.NewReader(img), p, &bake.Options{Lenient: true})
		// A *bytes.Reader is read with ReadAt, and runs of chunks are copied
		// in one piece; a reader that only reads, or reads and seeks, is
		// copied chunk by chunk. The result must be the same.
		for _, src := range []io.Reader{plainReader{bytes.NewReader(img)}, seekReader{bytes.NewReader(img)}} {
			var other bytes.Buffer
			_, otherErr := bake.Bake(context.Background(), &other, src, p, &bake.Options{Lenient: true})
			if (err == nil) != (otherErr == nil) {
				t.Fatalf("%T: error %v; with a *bytes.Reader: %v", src, otherErr, err)
			}
			if err == nil && !bytes.Equal(out.Bytes(), other.Bytes()) {
				t.Fatalf("%T: baked %d bytes, with a *bytes.Reader %d, or different ones", src, other.Len(), out.Len())
			}
		}
		if err != nil {
			return
		}
		res, err := unbake.Unbake(bytes.NewReader(out.Bytes()), &unbake.Options{Lenient: true})
		if err != nil {
			t.Fatalf("Unbake of a baked image: %v", err)
		}
		if res.Payload != url {
			t.Fatalf("baked image carries %q", res.Payload)
		}
		for _, w := range res.Warnings {
			if bytes.Contains([]byte(w), []byte("more badge")) {
				t.Fatalf("baked image carries more than one badge: %s", w)
			}
		}
	})
}

// plainReader hides everything but Read.
type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

// seekReader hides ReadAt (and Size), so the png reader reads and seeks.
type seekReader struct{ r io.ReadSeeker }

func (s seekReader) Read(b []byte) (int, error)                { return s.r.Read(b) }
func (s seekReader) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }
