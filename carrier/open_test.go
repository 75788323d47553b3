package carrier

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/svg"
)

// plainReader hides everything but Read.
type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

// openCases are inputs that are not PNGs, of every kind Open tells apart.
var openCases = []string{
	`<svg xmlns="http://www.w3.org/2000/svg"/>`,
	`<?xml version="1.0"?><!-- c --><svg xmlns="http://www.w3.org/2000/svg"><g/></svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="https://example.org/a"/></svg>`,
	`<svg xmlns="http://example.org/not-svg"/>`,
	`<s:svg xmlns:s="http://www.w3.org/2000/svg"/>`,
	`<svg xmlns="http://www.w3.org/2000/svg" a="&x;"/>`,                                    // entity in the root tag
	`<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>`, // encoding
	`<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>`,
	`<svg xmlns="http://www.w3.org/2000/svg"><g>`, // truncated
	`<svg`,
	`<svg/`,
	`<html><body/></html>`,
	`<!doctype html><html/>`,
	`<foo/>`,
	`<foo`,
	`<?xml version="1.0"?>`,
	`{"a":1}`,
	"\xff\xd8\xff\xe0",
	"",
	"   ",
	"\xef\xbb\xbf<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
	"\xff\xfe<\x00s\x00v\x00g\x00",
	"hello",
	"\x89PNG\r\n",
}

// oldWay is what Open followed by svg.Find gives.
func oldWay(t *testing.T, doc string) (elems []svg.Element, openErr, findErr error) {
	src, err := Open(strings.NewReader(doc), 0)
	if err != nil {
		return nil, err, nil
	}
	if src.Format != SVG {
		t.Fatalf("%q: format %s", doc, src.Format)
	}
	elems, err = svg.Find(src.SVG, nil)
	return elems, nil, err
}

// OpenUnchecked, svg.Find and Source.Err give what Open and svg.Find give.
func TestOpenUncheckedMatchesOpen(t *testing.T) {
	for _, doc := range openCases {
		checkUnchecked(t, doc)
	}
}

func checkUnchecked(t *testing.T, doc string) {
	t.Helper()
	wantElems, openErr, findErr := oldWay(t, doc)
	src, err := OpenUnchecked(strings.NewReader(doc), 0)
	if err != nil {
		// Only the size check and the PNG signature are left in OpenUnchecked.
		if openErr == nil || err.Error() != openErr.Error() {
			t.Errorf("%q: OpenUnchecked: %v; Open: %v", doc, err, openErr)
		}
		return
	}
	if src.Format == PNG {
		if openErr != nil {
			t.Errorf("%q: OpenUnchecked says PNG, Open: %v", doc, openErr)
		}
		return
	}
	elems, err := svg.Find(src.SVG, nil)
	err = src.Err(err)
	want := openErr
	if want == nil {
		want = findErr
	}
	switch {
	case (err == nil) != (want == nil):
		t.Errorf("%q: error %v, want %v", doc, err, want)
	case err != nil && err.Error() != want.Error():
		t.Errorf("%q: error %q, want %q", doc, err, want)
	case err != nil && errors.Is(want, ErrNotImage) != errors.Is(err, ErrNotImage):
		t.Errorf("%q: %v wraps ErrNotImage: %v, want %v", doc, err, errors.Is(err, ErrNotImage), errors.Is(want, ErrNotImage))
	case len(elems) != len(wantElems):
		t.Errorf("%q: %d elements, want %d", doc, len(elems), len(wantElems))
	}
}

func FuzzOpenUnchecked(f *testing.F) {
	for _, doc := range openCases {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		checkUnchecked(t, doc)
		if Detect([]byte(doc)) != "" && !MayBeImage([]byte(doc)) {
			t.Fatalf("%q: Detect says %s, MayBeImage says no", doc, Detect([]byte(doc)))
		}
		// Read with ReadAt (strings.Reader has Size) or through Read only,
		// Open finds the same.
		a, errA := Open(strings.NewReader(doc), 64)
		b, errB := Open(plainReader{strings.NewReader(doc)}, 64)
		if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() {
			t.Fatalf("ReadAt: %v; Read: %v", errA, errB)
		}
		if errA == nil && (a.Format != b.Format || !bytes.Equal(a.SVG, b.SVG)) {
			t.Fatalf("ReadAt: %s %q; Read: %s %q", a.Format, a.SVG, b.Format, b.SVG)
		}
	})
}

// A file goes through Sized as a SectionReader from its position; Open reads
// the head of such a reader once and hands it on to the png reader.
func TestSizedAndPrefetch(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("0123456789", 500)
	path := filepath.Join(t.TempDir(), "x")
	if err := os.WriteFile(path, []byte("prefix-"+png), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(7, io.SeekStart)
	r := Sized(f)
	sr, ok := r.(*io.SectionReader)
	if !ok || sr.Size() != int64(len(png)) {
		t.Fatalf("Sized(file) = %T, want a SectionReader of %d bytes", r, len(png))
	}
	if r := Sized(strings.NewReader(png)); r == nil {
		t.Fatal("nil")
	} else if _, ok := r.(*strings.Reader); !ok {
		t.Errorf("Sized(strings.Reader) = %T, want it as it is", r)
	}
	if r, _ := os.Open(filepath.Dir(path)); r != nil {
		defer r.Close()
		if _, ok := Sized(r).(*os.File); !ok {
			t.Error("Sized(directory) is not the file itself")
		}
	}

	src, err := Open(sr, 0)
	if err != nil || src.Format != PNG {
		t.Fatalf("%+v %v", src, err)
	}
	defer src.Close()
	ra := src.PNG.(io.ReaderAt)
	// ReadAt inside, across and past the prefetched head give the file's bytes.
	for _, c := range []struct{ off, n int }{{0, 8}, {0, prefetchSize}, {prefetchSize - 3, 10}, {100, 4000}, {len(png) - 5, 5}, {len(png) - 5, 10}} {
		b := make([]byte, c.n)
		n, err := ra.ReadAt(b, int64(c.off))
		want := png[c.off:min(len(png), c.off+c.n)]
		if string(b[:n]) != want || (n < c.n) != (err == io.EOF) {
			t.Errorf("ReadAt(%d, %d) = %d, %v", c.off, c.n, n, err)
		}
	}
	all, err := io.ReadAll(src.PNG)
	if err != nil || string(all) != png {
		t.Errorf("Read gives %d bytes, %v", len(all), err)
	}
	if p, _ := f.Seek(0, io.SeekCurrent); p != 7 {
		t.Errorf("file position %d, want it untouched at 7", p)
	}
}

// An SVG file is read whole, in one buffer of its size.
func TestOpenSVGFile(t *testing.T) {
	doc := `<svg xmlns="http://www.w3.org/2000/svg">` + strings.Repeat("<g/>", 2000) + `</svg>`
	path := filepath.Join(t.TempDir(), "x.svg")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sized := range []bool{false, true} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if sized {
			r = Sized(f)
		}
		for range 3 { // with a buffer from Close the second time
			f.Seek(0, io.SeekStart)
			src, err := Open(r, 0)
			if err != nil || src.Format != SVG || string(src.SVG) != doc {
				t.Fatalf("sized=%v: %v, %d bytes, want %d", sized, err, len(src.SVG), len(doc))
			}
			src.Close()
			if src.SVG != nil {
				t.Error("Close left SVG set")
			}
		}
		f.Close()
	}
	f, _ := os.Open(path)
	defer f.Close()
	if _, err := Open(Sized(f), 100); !errors.Is(err, svg.ErrTooLarge) || !strings.Contains(err.Error(), "larger than the 100-byte limit") {
		t.Errorf("oversized: %v", err)
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	*strings.Reader
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.Reader.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestOversized: a document over the limit is refused with svg.ErrTooLarge
// if it looks like an SVG, and as not an image otherwise; when its size is
// known, only its head is read.
func TestOversized(t *testing.T) {
	const limit = 1 << 20
	big := `<svg xmlns="http://www.w3.org/2000/svg"><path d="` + strings.Repeat("M 1,2 ", 2*limit/6) + `"/></svg>`
	notSVG := "\xFF\xD8\xFF\xE0" + strings.Repeat("x", 2*limit)
	for _, tc := range []struct {
		name string
		doc  string
		want error
	}{{"svg", big, svg.ErrTooLarge}, {"jpeg", notSVG, ErrNotImage}} {
		t.Run(tc.name, func(t *testing.T) {
			r := &countingReaderAt{Reader: strings.NewReader(tc.doc)}
			_, err := Open(r, limit)
			if !errors.Is(err, tc.want) {
				t.Errorf("ReadAt: %v, want %v", err, tc.want)
			}
			if r.n > sniffHead {
				t.Errorf("ReadAt: read %d bytes of %d, want at most %d", r.n, len(tc.doc), sniffHead)
			}
			_, err2 := Open(plainReader{strings.NewReader(tc.doc)}, limit)
			if !errors.Is(err2, tc.want) || err2.Error() != err.Error() {
				t.Errorf("Read: %v, want %v", err2, err)
			}
		})
	}
	// At the limit exactly, it is read.
	doc := big[:limit-len("\"/></svg>")] + `"/></svg>`
	for _, r := range []io.Reader{strings.NewReader(doc), plainReader{strings.NewReader(doc)}} {
		src, err := Open(r, limit)
		if err != nil || string(src.SVG) != doc {
			t.Fatalf("%T: %v", r, err)
		}
		src.Close()
	}
}
