// Package benchdata generates the files the benchmarks measure: PNGs of a
// given size and chunk layout with or without a badge, and an Inkscape-like
// SVG drawing. Deterministic, so runs compare.
package benchdata

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/badgebake/badgebake/png"
)

// PNGFile writes a PNG of exactly size bytes to path: IHDR, image data in
// IDAT chunks of idatChunk bytes (one IDAT when 0), IEND, and, unless url is
// empty, an iTXt "openbadges" chunk holding url, either right after IHDR or
// (badgeLast) right before IEND. The image data are pseudo-random bytes: the
// file is never decoded, only walked.
func PNGFile(tb testing.TB, path string, size, idatChunk int, url string, badgeLast bool) {
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
		badge = png.ITXtData("openbadges", []byte(url))
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

// Drawing generates a deterministic Inkscape-like drawing of about size
// bytes: XML declaration, sodipodi/inkscape/rdf/cc/dc namespaces, rdf
// metadata, and layers of <g> holding <path> elements with long d and style
// attributes.
func Drawing(size int) []byte {
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
