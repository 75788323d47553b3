// Package examples draws the example badge images that ship in testdata/, so
// the project's example files are produced by its own code (and a test
// proves the checked-in copies still match).
package examples

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
)

// Size is the side of the example badge in pixels.
const Size = 128

var (
	ribbon = color.NRGBA{0xc6, 0x28, 0x28, 0xff}
	medal  = color.NRGBA{0xf2, 0xb1, 0x1b, 0xff}
	rim    = color.NRGBA{0xb9, 0x7c, 0x05, 0xff}
	star   = color.NRGBA{0xff, 0xf4, 0xd1, 0xff}
)

var (
	pngOnce  sync.Once
	pngBytes []byte
)

// PNG returns an unbaked 128×128 medal badge as PNG bytes (a fresh copy
// each call; it is drawn and compressed once).
func PNG() []byte {
	pngOnce.Do(func() { pngBytes = drawPNG() })
	return bytes.Clone(pngBytes)
}

func drawPNG() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, Size, Size))
	c := float64(Size) / 2
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			r := math.Hypot(fx-c, fy-c*1.1)
			switch {
			case inStar(fx-c, fy-c*1.1, 30, 12):
				img.SetNRGBA(x, y, star)
			case r < 40:
				img.SetNRGBA(x, y, medal)
			case r < 46:
				img.SetNRGBA(x, y, rim)
			case fy < c && math.Abs(fx-c) < 22-fy/8 && fy > 0:
				img.SetNRGBA(x, y, ribbon)
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return buf.Bytes()
}

// inStar reports whether (x, y), relative to the centre, lies inside a
// five-pointed star with the given outer and inner radii.
func inStar(x, y, outer, inner float64) bool {
	r := math.Hypot(x, y)
	if r > outer {
		return false
	}
	a := math.Atan2(y, x) + math.Pi/2
	step := math.Pi / 5
	a = math.Mod(a+4*math.Pi, 2*step)
	t := math.Abs(a-step) / step // 0 at an inner vertex, 1 at an outer one
	limit := inner + (outer-inner)*t*t
	return r <= limit
}

// SVG returns the same badge drawn as an unbaked SVG document.
func SVG() []byte {
	var pts []string
	for i := 0; i < 10; i++ {
		r := 30.0
		if i%2 == 1 {
			r = 12
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", 64+r*math.Cos(a), 70.4+r*math.Sin(a)))
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <title>Example badge</title>
  <path d="M42 0h44l-8 64H50z" fill="#c62828"/>
  <circle cx="64" cy="70.4" r="46" fill="#b97c05"/>
  <circle cx="64" cy="70.4" r="40" fill="#f2b11b"/>
  <polygon points="` + strings.Join(pts, " ") + `" fill="#fff4d1"/>
</svg>
`)
}

// AssertionJSON is an OB 2.0 hosted assertion for the example badge. Its
// URLs are example.org addresses: it bakes and unbakes offline, but a
// verifier would try to fetch them.
const AssertionJSON = `{
  "@context": "https://w3id.org/openbadges/v2",
  "type": "Assertion",
  "id": "https://example.org/assertions/123",
  "recipient": {
    "type": "email",
    "hashed": true,
    "salt": "deadsea",
    "identity": "sha256$c934fdacc6242be0277a284970416aa9bfa583241fb85094bc96c504ee0abd4e"
  },
  "badge": "https://example.org/badges/5",
  "verification": {"type": "hosted"},
  "issuedOn": "2026-11-01T12:00:00Z"
}
`
