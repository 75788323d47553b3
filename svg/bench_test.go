package svg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
)

// inkscapeDrawing generates a deterministic Inkscape-like drawing of about
// size bytes: XML declaration, generator comment, a root with the usual
// namespaces, sodipodi:namedview, rdf metadata, and layers of <g> groups
// holding <path> elements with long d and style attributes.
func inkscapeDrawing(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->

<svg
   width="210mm"
   height="297mm"
   viewBox="0 0 210 297"
   version="1.1"
   id="svg8"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)"
   sodipodi:docname="badge.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview
     id="base"
     pagecolor="#ffffff"
     bordercolor="#666666"
     inkscape:pageopacity="0.0"
     inkscape:zoom="0.35"
     inkscape:cx="400"
     inkscape:cy="560"
     inkscape:document-units="mm"
     inkscape:current-layer="layer1"
     showgrid="false" />
  <defs
     id="defs2">
    <linearGradient
       inkscape:collect="always"
       id="linearGradient1">
      <stop
         style="stop-color:#e44d26;stop-opacity:1"
         offset="0"
         id="stop1" />
    </linearGradient>
  </defs>
  <metadata
     id="metadata5">
    <rdf:RDF>
      <cc:Work
         rdf:about="">
        <dc:format>image/svg+xml</dc:format>
        <dc:type
           rdf:resource="http://purl.org/dc/dcmitype/StillImage" />
        <dc:title>Badge</dc:title>
        <cc:license
           rdf:resource="http://creativecommons.org/licenses/by-sa/4.0/" />
      </cc:Work>
    </rdf:RDF>
  </metadata>
`)
	seed := uint32(2463534242)
	next := func() uint32 { // xorshift32
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return seed
	}
	coord := func() string { return fmt.Sprintf("%d.%04d", next()%200, next()%10000) }
	layer, path := 0, 0
	for b.Len() < size-200 {
		layer++
		fmt.Fprintf(&b, "  <g\n     inkscape:label=\"Layer %d\"\n     inkscape:groupmode=\"layer\"\n     id=\"layer%d\"\n     transform=\"translate(%s,%s)\">\n", layer, layer, coord(), coord())
		for i := 0; i < 20 && b.Len() < size-200; i++ {
			path++
			fmt.Fprintf(&b, "    <path\n       style=\"fill:#%06x;fill-opacity:1;stroke:#000000;stroke-width:0.264583px;stroke-linecap:butt;stroke-linejoin:miter;stroke-opacity:1\"\n       d=\"m %s,%s", next()&0xffffff, coord(), coord())
			for j := 0; j < 12; j++ {
				fmt.Fprintf(&b, " c %s,%s %s,%s %s,%s", coord(), coord(), coord(), coord(), coord(), coord())
			}
			fmt.Fprintf(&b, " z\"\n       id=\"path%d\"\n       inkscape:connector-curvature=\"0\"\n       sodipodi:nodetypes=\"cccc\" />\n", path)
		}
		b.WriteString("  </g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

var benchDocs = sync.OnceValues(func() (unbaked, baked []byte) {
	unbaked = inkscapeDrawing(200 << 10)
	var out bytes.Buffer
	if _, err := Bake(&out, unbaked, NewElement{Namespace: NamespaceOB3, Body: ob3JSON}, nil); err != nil {
		panic(err)
	}
	return unbaked, out.Bytes()
})

func TestInkscapeDrawing(t *testing.T) {
	unbaked, baked := benchDocs()
	if n := len(unbaked); n < 190<<10 || n > 210<<10 {
		t.Errorf("drawing is %d bytes", n)
	}
	// The generated drawing is well-formed as a whole.
	dec := xml.NewDecoder(bytes.NewReader(unbaked))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if els := mustFind(t, unbaked); len(els) != 0 {
		t.Errorf("unbaked drawing: %d elements", len(els))
	}
	els := mustFind(t, baked)
	if len(els) != 1 || els[0].Body != ob3JSON {
		t.Fatalf("baked drawing: %+v", els)
	}
	// Appended at the end instead: found too (the slow path).
	end := bytes.LastIndex(unbaked, []byte("</svg>"))
	appended := string(unbaked[:end]) + `<o:credential xmlns:o="https://purl.imsglobal.org/ob/v3p0">{}</o:credential>` + string(unbaked[end:])
	if els := mustFind(t, []byte(appended)); len(els) != 1 || els[0].Body != "{}" {
		t.Errorf("appended element: %+v", els)
	}
	if !strings.Contains(string(baked[:2000]), "<openbadges:credential>") {
		t.Errorf("baked element is not near the start")
	}
}

func BenchmarkFind(b *testing.B) {
	unbaked, baked := benchDocs()
	for _, bc := range []struct {
		name string
		doc  []byte
		n    int
	}{{"unbaked", unbaked, 0}, {"baked", baked, 1}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.doc)))
			b.ReportAllocs()
			for b.Loop() {
				els, err := Find(bc.doc, nil)
				if err != nil || len(els) != bc.n {
					b.Fatal(err, len(els))
				}
			}
		})
	}
}

func BenchmarkBake(b *testing.B) {
	unbaked, _ := benchDocs()
	el := NewElement{Namespace: NamespaceOB3, Body: ob3JSON}
	var out bytes.Buffer
	out.Grow(len(unbaked) + 4096)
	b.SetBytes(int64(len(unbaked)))
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if _, err := Bake(&out, unbaked, el, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSniff(b *testing.B) {
	unbaked, _ := benchDocs()
	b.SetBytes(int64(len(unbaked)))
	b.ReportAllocs()
	for b.Loop() {
		if !Sniff(unbaked) {
			b.Fatal("not sniffed")
		}
	}
}

// BenchmarkFullTokenize is the cost the pre-filter avoids: encoding/xml
// over the whole drawing.
func BenchmarkFullTokenize(b *testing.B) {
	unbaked, _ := benchDocs()
	b.SetBytes(int64(len(unbaked)))
	b.ReportAllocs()
	for b.Loop() {
		dec := xml.NewDecoder(bytes.NewReader(unbaked))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
