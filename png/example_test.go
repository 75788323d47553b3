package png_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/badgebake/badgebake/png"
)

// tinyPNG returns a 1x1 greyscale PNG with the given chunks after IHDR.
func tinyPNG(extra func(w io.Writer)) []byte {
	var b bytes.Buffer
	b.WriteString(png.Signature)
	png.WriteChunk(&b, png.TypeIHDR, []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0})
	if extra != nil {
		extra(&b)
	}
	png.WriteChunk(&b, png.TypeIDAT, []byte{0x78, 0x9c, 0x62, 0x60, 0x00, 0x04, 0x00, 0x00, 0xff, 0xff, 0x00, 0x02, 0x00, 0x01})
	png.WriteChunk(&b, png.TypeIEND, nil)
	return b.Bytes()
}

// Walk the chunks of a baked PNG and read its badge text chunk.
func Example() {
	file := tinyPNG(func(w io.Writer) {
		png.WriteChunk(w, png.TypeITXt, png.ITXtData("openbadges", []byte("https://example.org/assertions/123")))
	})

	r, err := png.NewReader(bytes.NewReader(file), nil)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s at offset %d, %d data bytes\n", c.Type, c.Offset, c.Length)
		if c.Type != png.TypeITXt {
			continue // unread data is skipped, by Seek where possible
		}
		data, err := r.ReadData(png.DefaultMaxTextSize)
		if err != nil {
			log.Fatal(err)
		}
		if k, _ := png.Keyword(data); k != "openbadges" {
			continue
		}
		t, err := png.ParseText(c.Type, data, 0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("  badge: %s\n", t.Text)
	}
	// Output:
	// IHDR at offset 8, 13 data bytes
	// iTXt at offset 33, 49 data bytes
	//   badge: https://example.org/assertions/123
	// IDAT at offset 94, 14 data bytes
	// IEND at offset 120, 0 data bytes
}

// Write the iTXt chunk the Mozilla and Python bakers write, byte for byte.
func ExampleWriteChunk() {
	var b bytes.Buffer
	data := png.ITXtData("openbadges", []byte("https://example.org/assertions/123"))
	if err := png.WriteChunk(&b, png.TypeITXt, data); err != nil {
		log.Fatal(err)
	}
	out := b.Bytes()
	fmt.Printf("length % x\ntype   %s\nheader %q\ncrc    % x\n", out[:4], out[4:8], out[8:8+15], out[len(out)-4:])
	// Output:
	// length 00 00 00 31
	// type   iTXt
	// header "openbadges\x00\x00\x00\x00\x00"
	// crc    ff 7b 56 be
}

// Remove a badge from a PNG: copy every chunk verbatim except the carrier.
func ExampleReader_CopyRaw() {
	baked := tinyPNG(func(w io.Writer) {
		png.WriteChunk(w, png.TypeITXt, png.ITXtData("openbadges", []byte("https://example.org/a")))
	})
	r, err := png.NewReader(bytes.NewReader(baked), nil)
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString(png.Signature)
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if c.Type == png.TypeITXt {
			continue // dropped: Next skips its data
		}
		if _, err := r.CopyRaw(&out); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(bytes.Equal(out.Bytes(), tinyPNG(nil)))
	// Output: true
}

// Parse an iTXt chunk that uses every field; compressed text is inflated
// through the cap.
func ExampleParseText() {
	t := png.Text{Type: png.TypeITXt, Keyword: "openbadges", Compressed: true,
		LanguageTag: "en", TranslatedKeyword: "Open Badges", Text: []byte(`{"id":"https://example.org/a"}`)}
	data, err := t.Encode()
	if err != nil {
		log.Fatal(err)
	}
	got, err := png.ParseText(png.TypeITXt, data, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %q compressed=%v lang=%q translated=%q\n%s\n",
		got.Type, got.Keyword, got.Compressed, got.LanguageTag, got.TranslatedKeyword, got.Text)

	_, err = png.ParseText(png.TypeITXt, data, 10)
	fmt.Println(errors.Is(err, png.ErrTextTooLarge), err)
	// Output:
	// iTXt "openbadges" compressed=true lang="en" translated="Open Badges"
	// {"id":"https://example.org/a"}
	// true png: text too large in chunk "iTXt": text inflates to more than 10 bytes
}

// A bad CRC is an error by default, and a warning in lenient mode.
func ExampleReadOptions() {
	var file bytes.Buffer
	file.Write(tinyPNG(nil)[:33])
	png.WriteChunkCRC(&file, png.TypeTEXt, []byte("openbadges\x00https://example.org/assertion"), 0x12345678) // a wrong CRC
	file.Write(tinyPNG(nil)[33:])

	for _, lenient := range []bool{false, true} {
		r, err := png.NewReader(bytes.NewReader(file.Bytes()), &png.ReadOptions{Lenient: lenient})
		if err != nil {
			log.Fatal(err)
		}
		r.Next()
		r.Next()
		_, err = r.ReadData(png.DefaultMaxTextSize)
		fmt.Println("lenient:", lenient, "error:", err)
		for _, w := range r.Warnings() {
			fmt.Println("  warning:", w)
		}
	}
	// Output:
	// lenient: false error: png: bad CRC in chunk "tEXt" at offset 33: stored 0x12345678, computed 0x422782e3
	// lenient: true error: <nil>
	//   warning: chunk "tEXt" at offset 33: bad CRC: stored 0x12345678, computed 0x422782e3
}
