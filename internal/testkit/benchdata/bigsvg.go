package benchdata

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
)

// Content of a large SVG made by BigSVG.
type Content string

const (
	// Paths is a drawing of many <path> elements with long d attributes (a
	// traced or exported illustration), like Drawing.
	Paths Content = "paths"
	// Image is one <image> whose href is a base64 data URL (an embedded
	// raster image, the commonest way a badge SVG gets large).
	Image Content = "image"
)

// BadgeElement is the badge BigSVG inserts: an Open Badges 2.0 element with
// the hosted URL url in its verify attribute, declaring its own namespace.
func BadgeElement(url string) string {
	return `<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="` + url + `"></openbadges:assertion>`
}

// BigSVG generates a deterministic SVG document of exactly size bytes
// (size must be at least 4 KiB) holding content, and, unless url is empty,
// a badge element (BadgeElement) either first in <svg> or (late) last,
// right before </svg>.
func BigSVG(size int, content Content, url string, late bool) []byte {
	head := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="600" height="600" viewBox="0 0 600 600">` + "\n"
	tail := "</svg>\n"
	badge := ""
	if url != "" {
		badge = BadgeElement(url) + "\n"
	}
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(head)
	if !late {
		b.WriteString(badge)
	}
	// Room left for the content, with 64 bytes of slack for padding.
	room := size - b.Len() - len(tail) - 64
	if late {
		room -= len(badge)
	}
	switch content {
	case Image:
		const open, close = `<image width="600" height="600" xlink:href="data:image/png;base64,`, `"/>` + "\n"
		n := (room - len(open) - len(close)) / 4 * 3
		raw := make([]byte, n)
		rand.NewChaCha8([32]byte{2}).Read(raw)
		b.WriteString(open)
		enc := base64.NewEncoder(base64.StdEncoding, &b)
		enc.Write(raw)
		enc.Close()
		b.WriteString(close)
	default:
		rng := rand.New(rand.NewPCG(3, 4))
		xy := func() string {
			return fmt.Sprintf("%d.%03d,%d.%03d", rng.IntN(600), rng.IntN(1e3), rng.IntN(600), rng.IntN(1e3))
		}
		limit := b.Len() + room - 4096
		for i := 0; b.Len() < limit; i++ {
			fmt.Fprintf(&b, `<path id="p%d" style="fill:#%06x;stroke:#000;stroke-width:0.5" d="M %s`, i, rng.IntN(1<<24), xy())
			for j := 0; j < 200 && b.Len() < limit; j++ {
				fmt.Fprintf(&b, " c %s %s -%s", xy(), xy(), xy())
			}
			b.WriteString(" z\"/>\n")
		}
	}
	if late {
		b.WriteString(badge)
	}
	pad := size - b.Len() - len(tail)
	if pad < 0 {
		panic(fmt.Sprintf("benchdata.BigSVG: %d bytes do not fit in %d", b.Len()+len(tail), size))
	}
	b.Write(bytes.Repeat([]byte{'\n'}, pad))
	b.WriteString(tail)
	return b.Bytes()
}

// BigSVGCase is one of the large SVGs the memory benchmarks measure.
type BigSVGCase struct {
	Size    int
	Content Content
	Late    bool // badge element last in <svg> rather than first
}

// Where says where the badge element is: "first" or "last".
func (c BigSVGCase) Where() string {
	if c.Late {
		return "last"
	}
	return "first"
}

// Doc generates the case's document with a badge carrying url.
func (c BigSVGCase) Doc(url string) []byte { return BigSVG(c.Size, c.Content, url, c.Late) }

// BigSVGCases lists the cases, smallest first: 1, 8, 16 and 32 MiB (the
// largest SVG badgebake accepts), each of path data and of an embedded
// image, with the badge first and last.
func BigSVGCases() []BigSVGCase {
	var cases []BigSVGCase
	for _, size := range []int{1 << 20, 8 << 20, 16 << 20, 32 << 20} {
		for _, content := range []Content{Paths, Image} {
			for _, late := range []bool{false, true} {
				cases = append(cases, BigSVGCase{size, content, late})
			}
		}
	}
	return cases
}
