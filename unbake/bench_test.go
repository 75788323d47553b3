package unbake_test

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/badgebake/badgebake/internal/testkit/benchdata"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/unbake"
)

const benchURL = "https://example.org/assertions/123"

// benchCountingFile counts the bytes and calls that reach the file. It has
// the methods of an *os.File that unbake uses (Read, ReadAt, Seek, Stat), all
// forwarded, so the png reader reads it as it reads a file: with ReadAt at
// known offsets.
type benchCountingFile struct {
	f                          *os.File
	bytes, reads, seeks, stats int64
}

func (c *benchCountingFile) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.bytes += int64(n)
	c.reads++
	return n, err
}

func (c *benchCountingFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.f.ReadAt(p, off)
	c.bytes += int64(n)
	c.reads++
	return n, err
}

func (c *benchCountingFile) Seek(off int64, whence int) (int64, error) {
	c.seeks++
	return c.f.Seek(off, whence)
}

func (c *benchCountingFile) Stat() (os.FileInfo, error) {
	c.stats++
	return c.f.Stat()
}

// BenchmarkUnbakePNG unbakes generated 1 MiB and 50 MiB PNGs from an
// *os.File, with the badge right after IHDR or after the image data, and the
// image data in one IDAT or in 8 KiB IDATs (as libpng writes them). Besides
// ns/op it reports what reached the file per unbake: bytes read, read calls
// (Read and ReadAt), Seek calls and Stat calls. Bytes read depend on the
// number of chunks, never on the file size.
func BenchmarkUnbakePNG(b *testing.B) {
	for _, size := range []int{1 << 20, 50 << 20} {
		for _, idat := range []int{0, 8 << 10} {
			for _, badgeLast := range []bool{false, true} {
				layout := "1IDAT"
				if idat > 0 {
					layout = fmt.Sprintf("IDATx%dKiB", idat>>10)
				}
				place := "badge-after-IHDR"
				if badgeLast {
					place = "badge-before-IEND"
				}
				name := fmt.Sprintf("%dMiB/%s/%s", size>>20, layout, place)
				b.Run(name, func(b *testing.B) {
					path := filepath.Join(b.TempDir(), "badge.png")
					benchdata.PNGFile(b, path, size, idat, benchURL, badgeLast)
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					c := &benchCountingFile{f: f}
					b.ReportAllocs()
					for b.Loop() {
						if _, err := f.Seek(0, io.SeekStart); err != nil {
							b.Fatal(err)
						}
						res, err := unbake.Unbake(c, nil)
						if err != nil || res.Payload != benchURL {
							b.Fatalf("unbake: %v, %+v", err, res)
						}
					}
					n := float64(b.N)
					b.ReportMetric(float64(c.bytes)/n, "bytes-read/op")
					b.ReportMetric(float64(c.reads)/n, "reads/op")
					b.ReportMetric(float64(c.seeks)/n, "seeks/op")
					b.ReportMetric(float64(c.stats)/n, "stats/op")
				})
			}
		}
	}
}

// BenchmarkUnbakeFile is unbake.UnbakeFile on the 1 MiB badge-after-IHDR
// PNG next to the practical limit of any extractor that opens the file
// (open, read the first 4 KiB, close) and to the I/O a buffered walker would
// need.
func BenchmarkUnbakeFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "badge.png")
	benchdata.PNGFile(b, path, 1<<20, 0, benchURL, false)
	b.Run("UnbakeFile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := unbake.UnbakeFile(path, nil)
			if err != nil || res.Payload != benchURL {
				b.Fatalf("unbake: %v, %+v", err, res)
			}
		}
	})
	b.Run("open-read4KiB-close", func(b *testing.B) {
		buf := make([]byte, 4<<10)
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(f, buf); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	// The I/O a chunk walker reading through a buffer would need for this
	// file: the head (signature, IHDR, badge, IDAT header) in one read, and
	// IEND, whose offset the IDAT header gives, in one pread.
	b.Run("open-read4KiB-preadIEND-close", func(b *testing.B) {
		buf := make([]byte, 4<<10)
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(f, buf); err != nil {
				b.Fatal(err)
			}
			if _, err := f.ReadAt(buf[:12], 1<<20-12); err != nil || string(buf[4:8]) != "IEND" {
				b.Fatalf("IEND: %v %q", err, buf[:12])
			}
			f.Close()
		}
	})
}

// BenchmarkUnbakeSVG unbakes a ~200 KB Inkscape-like drawing, without a
// badge and baked (element first in <svg>), from memory and from a file.
func BenchmarkUnbakeSVG(b *testing.B) {
	unbaked := benchdata.Drawing(200 << 10)
	p, err := payload.Parse([]byte(benchURL))
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := bake.Bake(b.Context(), &out, bytes.NewReader(unbaked), p, nil); err != nil {
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
	}{{"unbaked", unbaked}, {"baked", baked}} {
		path := filepath.Join(dir, doc.name+".svg")
		if err := os.WriteFile(path, doc.data, 0o644); err != nil {
			b.Fatal(err)
		}
		check := func(b *testing.B, res *unbake.Result, err error) {
			if doc.name == "unbaked" {
				if !errors.Is(err, unbake.ErrNoBadge) {
					b.Fatalf("unbaked drawing: %v", err)
				}
			} else if err != nil || res.Payload != benchURL {
				b.Fatalf("baked drawing: %v, %+v", err, res)
			}
		}
		b.Run(fmt.Sprintf("%s/%dKB/memory", doc.name, len(doc.data)/1000), func(b *testing.B) {
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := unbake.Unbake(bytes.NewReader(doc.data), nil)
				check(b, res, err)
			}
		})
		b.Run(fmt.Sprintf("%s/%dKB/UnbakeFile", doc.name, len(doc.data)/1000), func(b *testing.B) {
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := unbake.UnbakeFile(path, nil)
				check(b, res, err)
			}
		})
	}
}

// BenchmarkUnbakeSVGMemory unbakes large SVGs from a file, as the command
// does: 1, 8, 16 and 32 MiB (the largest accepted, svg.DefaultMaxSize) of
// path data or of one embedded base64 image, with the badge element first
// or last in <svg>. Besides B/op it reports the peak of the Go heap during
// an unbake (live and not yet collected objects, sampled every 100 µs
// from runtime/metrics after a collection before each op) in MiB and as a
// multiple of the file size. Nothing is asserted: see BENCHMARKS.md.
func BenchmarkUnbakeSVGMemory(b *testing.B) {
	dir := b.TempDir()
	for _, c := range benchdata.BigSVGCases() {
		name := fmt.Sprintf("%dMiB/%s/badge-%s", c.Size>>20, c.Content, c.Where())
		path := filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+".svg")
		if err := os.WriteFile(path, c.Doc(benchURL), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(c.Size))
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				stop := sampleHeap()
				b.StartTimer()
				res, err := unbake.UnbakeFile(path, nil)
				b.StopTimer()
				peak = max(peak, stop())
				if err != nil || res.Payload != benchURL {
					b.Fatalf("%v, %+v", err, res)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peak)/float64(c.Size), "peak-heap/size")
		})
	}
}

// sampleHeap samples the bytes of heap objects (live or not yet swept)
// every 100 µs until the returned function is called, which returns the
// largest value seen.
func sampleHeap() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	done, result := make(chan struct{}), make(chan uint64)
	go func() {
		peak := read()
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				result <- max(peak, read())
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-result
	}
}
