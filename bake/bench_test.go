package bake_test

import (
	"bytes"
	"fmt"
	"github.com/badgebake/badgebake/carrier"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/benchdata"
	"github.com/badgebake/badgebake/internal/testkit/filetest"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/unbake"
)

// Two URLs of the same length, so a re-baked file has the size it had.
const (
	benchURL      = "https://example.org/assertions/123"
	benchOtherURL = "https://example.org/assertions/456"
)

// benchPlainWriter hides the *os.File's ReadFrom, so io.CopyN falls back to
// copying through a user-space buffer: the cost the kernel copy avoids.
type benchPlainWriter struct{ w io.Writer }

func (p benchPlainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

// BenchmarkBakePNG bakes a URL into generated 1 MiB and 50 MiB PNGs, from an
// *os.File to an *os.File: a clean image, an already baked one (the old
// iTXt is replaced), and a clean one whose image data are in 8 KiB IDATs.
// "kernel-copy" is how bake runs (io.CopyN between two files, which Go turns
// into copy_file_range); "userspace-copy" hides the destination's ReadFrom to
// show what that saves. B/op must not grow with the image size.
func BenchmarkBakePNG(b *testing.B) {
	p, err := payload.Parse([]byte(benchOtherURL))
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1 << 20, 50 << 20} {
		for _, img := range []struct {
			name  string
			idat  int
			baked string // the badge the input already carries
		}{
			{"1IDAT/unbaked", 0, ""},
			{"1IDAT/rebake", 0, benchURL},
			{"IDATx8KiB/unbaked", 8 << 10, ""},
		} {
			replaced := 0
			if img.baked != "" {
				replaced = 1
			}
			for _, mode := range []string{"kernel-copy", "userspace-copy"} {
				b.Run(fmt.Sprintf("%dMiB/%s/%s", size>>20, img.name, mode), func(b *testing.B) {
					dir := b.TempDir()
					in := filepath.Join(dir, "in.png")
					benchdata.PNGFile(b, in, size, img.idat, img.baked, false)
					src, dst := filetest.Pair(b, in, dir, "out.png")
					var w io.Writer = dst
					if mode == "userspace-copy" {
						w = benchPlainWriter{dst}
					}
					b.SetBytes(int64(size))
					b.ReportAllocs()
					for b.Loop() {
						filetest.Rewind(b, src, dst)
						res, err := bake.Bake(b.Context(), w, src, p, nil)
						if err != nil {
							b.Fatal(err)
						}
						if len(res.Replaced) != replaced {
							b.Fatalf("replaced %q", res.Replaced)
						}
					}
					benchCheckBaked(b, dst, size, img.baked == "")
				})
			}
		}
	}
}

// benchCheckBaked checks the last output: the expected size and the new
// badge.
func benchCheckBaked(b *testing.B, f *os.File, size int, grew bool) {
	want := int64(size)
	if grew {
		want += int64(12 + len(png.ITXtData(carrier.KeywordOB2, []byte(benchOtherURL))))
	}
	fi, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	if fi.Size() != want {
		b.Fatalf("output is %d bytes, want %d", fi.Size(), want)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		b.Fatal(err)
	}
	res, err := unbake.Unbake(f, nil)
	if err != nil || res.Payload != benchOtherURL || len(res.Warnings) != 0 {
		b.Fatalf("output unbakes to %+v, %v", res, err)
	}
}

// BenchmarkBakeSVG bakes a URL into a ~200 KB Inkscape-like drawing, clean and
// already baked (the old element is removed), from memory to io.Discard and
// from an *os.File to an *os.File.
func BenchmarkBakeSVG(b *testing.B) {
	unbaked := benchdata.Drawing(200 << 10)
	first, err := payload.Parse([]byte(benchURL))
	if err != nil {
		b.Fatal(err)
	}
	p, err := payload.Parse([]byte(benchOtherURL))
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := bake.Bake(b.Context(), &out, bytes.NewReader(unbaked), first, nil); err != nil {
		b.Fatal(err)
	}
	baked := out.Bytes()
	if !strings.Contains(string(baked[:2048]), "<openbadges:assertion verify=") {
		b.Fatal("the badge element is not first in <svg>")
	}
	dir := b.TempDir()
	for _, doc := range []struct {
		name string
		data []byte
	}{{"unbaked", unbaked}, {"rebake", baked}} {
		in := filepath.Join(dir, doc.name+".svg")
		if err := os.WriteFile(in, doc.data, 0o644); err != nil {
			b.Fatal(err)
		}
		replaced := 0
		if doc.name == "rebake" {
			replaced = 1
		}
		b.Run(fmt.Sprintf("%s/%dKB/memory", doc.name, len(doc.data)/1000), func(b *testing.B) {
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := bake.Bake(b.Context(), io.Discard, bytes.NewReader(doc.data), p, nil)
				if err != nil || len(res.Replaced) != replaced {
					b.Fatalf("%v %+v", err, res)
				}
			}
		})
		b.Run(fmt.Sprintf("%s/%dKB/file", doc.name, len(doc.data)/1000), func(b *testing.B) {
			src, dst := filetest.Pair(b, in, b.TempDir(), "out.svg")
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				filetest.Rewind(b, src, dst)
				res, err := bake.Bake(b.Context(), dst, src, p, nil)
				if err != nil || len(res.Replaced) != replaced {
					b.Fatalf("%v %+v", err, res)
				}
			}
			if _, err := dst.Seek(0, io.SeekStart); err != nil {
				b.Fatal(err)
			}
			res, err := unbake.Unbake(dst, nil)
			if err != nil || res.Payload != benchOtherURL {
				b.Fatalf("output unbakes to %+v, %v", res, err)
			}
		})
		// The floor of the file-to-file case: truncating the output and
		// writing the document into it, with no baking at all.
		b.Run(fmt.Sprintf("%s/%dKB/file-write-only", doc.name, len(doc.data)/1000), func(b *testing.B) {
			dst := filetest.Create(b, filepath.Join(b.TempDir(), "out.svg"))
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				filetest.Rewind(b, nil, dst)
				if _, err := dst.Write(doc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
