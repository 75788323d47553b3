package unbake_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/unbake"
)

const benchURL = "https://example.org/assertions/123"

// benchPNG writes a PNG of exactly size bytes to path: IHDR, image data in
// IDAT chunks of idatChunk bytes (one IDAT when 0), IEND, and, unless url is
// empty, an iTXt "openbadges" chunk holding url, either right after IHDR or
// (badgeLast) right before IEND. The image data are pseudo-random bytes: the
// file is never decoded, only walked.
func benchPNG(tb testing.TB, path string, size, idatChunk int, url string, badgeLast bool) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], 1024)
	binary.BigEndian.PutUint32(ihdr[4:], uint32(max(1, size>>10)))
	ihdr[8] = 8 // bit depth 8, colour type 0 (grey), no interlace
	var badge []byte
	if url != "" {
		badge = png.ITXtData(unbake.KeywordOB2, []byte(url))
	}
	// Signature, IHDR, IEND and the badge take 8+25+12 and 12+len(badge).
	left := size - 45
	if badge != nil {
		left -= 12 + len(badge)
	}
	if idatChunk <= 0 {
		idatChunk = left - 12
	}
	check := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	_, err = w.WriteString(png.Signature)
	check(err)
	check(png.WriteChunk(w, png.TypeIHDR, ihdr[:]))
	if badge != nil && !badgeLast {
		check(png.WriteChunk(w, png.TypeITXt, badge))
	}
	rng := rand.NewChaCha8([32]byte{1})
	data := make([]byte, idatChunk)
	for left > 0 {
		n := min(idatChunk, left-12)
		if rest := left - 12 - n; rest > 0 && rest < 12 {
			n += rest // a tail too short for a chunk of its own
		}
		if n > len(data) {
			data = make([]byte, n)
		}
		rng.Read(data[:n])
		check(png.WriteChunk(w, png.TypeIDAT, data[:n]))
		left -= 12 + n
	}
	if badge != nil && badgeLast {
		check(png.WriteChunk(w, png.TypeITXt, badge))
	}
	check(png.WriteChunk(w, png.TypeIEND, nil))
	check(w.Flush())
	check(f.Close())
	if fi, err := os.Stat(path); err != nil || fi.Size() != int64(size) {
		tb.Fatalf("generated %s: %v, want %d bytes", path, err, size)
	}
}

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
					benchPNG(b, path, size, idat, benchURL, badgeLast)
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
	benchPNG(b, path, 1<<20, 0, benchURL, false)
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

// benchDrawing generates a deterministic Inkscape-like drawing of about size
// bytes: XML declaration, sodipodi/inkscape/rdf/cc/dc namespaces, rdf
// metadata, and layers of <g> holding <path> elements with long d and style
// attributes.
func benchDrawing(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg
   width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1" id="svg8"
   inkscape:version="1.3 (0e150ed6c4, 2023-07-21)" sodipodi:docname="badge.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:zoom="0.35" inkscape:document-units="mm" />
  <metadata id="metadata5">
    <rdf:RDF>
      <cc:Work rdf:about="">
        <dc:format>image/svg+xml</dc:format>
        <dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage" />
        <dc:title>Badge</dc:title>
      </cc:Work>
    </rdf:RDF>
  </metadata>
`)
	rng := rand.New(rand.NewPCG(1, 2))
	xy := func() string {
		return fmt.Sprintf("%d.%04d,%d.%04d", rng.IntN(200), rng.IntN(1e4), rng.IntN(200), rng.IntN(1e4))
	}
	for layer := 1; b.Len() < size-200; layer++ {
		fmt.Fprintf(&b, "  <g inkscape:label=\"Layer %d\" inkscape:groupmode=\"layer\" id=\"layer%d\">\n", layer, layer)
		for i := 0; i < 20 && b.Len() < size-200; i++ {
			fmt.Fprintf(&b, "    <path\n       style=\"fill:#%06x;stroke:#000000;stroke-width:0.264583px;stroke-linecap:butt;stroke-linejoin:miter\"\n       d=\"m %s", rng.IntN(1<<24), xy())
			for range 12 {
				fmt.Fprintf(&b, " c %s %s %s", xy(), xy(), xy())
			}
			fmt.Fprintf(&b, " z\"\n       id=\"path%d-%d\"\n       inkscape:connector-curvature=\"0\" />\n", layer, i)
		}
		b.WriteString("  </g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// BenchmarkUnbakeSVG unbakes a ~200 KB Inkscape-like drawing, without a
// badge and baked (element first in <svg>), from memory and from a file.
func BenchmarkUnbakeSVG(b *testing.B) {
	unbaked := benchDrawing(200 << 10)
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
