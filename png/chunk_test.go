package png

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// The golden bytes of baking.md §4.4: what the Mozilla and Python bakers write
// for this URL.
func TestWriteChunkGoldenITXt(t *testing.T) {
	var b bytes.Buffer
	url := "https://example.org/assertions/123"
	if err := WriteChunk(&b, TypeITXt, ITXtData("openbadges", []byte(url))); err != nil {
		t.Fatal(err)
	}
	want := "00000031" + "69545874" + hex.EncodeToString([]byte("openbadges")) + "0000000000" +
		hex.EncodeToString([]byte(url)) + "ff7b56be"
	if got := hex.EncodeToString(b.Bytes()); got != want {
		t.Errorf("chunk =\n%s\nwant\n%s", got, want)
	}
}

// Inserting that chunk right after IHDR puts it at offset 33 and leaves every
// other byte alone, as the reference bakers do.
func TestGoldenBakeAfterIHDR(t *testing.T) {
	orig := minimalPNG()
	var baked bytes.Buffer
	r, _ := NewReader(bytes.NewReader(orig), nil)
	baked.WriteString(Signature)
	for {
		c, err := r.Next()
		if err != nil {
			break
		}
		r.CopyRaw(&baked)
		if c.Type == TypeIHDR {
			WriteChunk(&baked, TypeITXt, ITXtData("openbadges", []byte("https://example.org/assertions/123")))
		}
	}
	got := baked.Bytes()
	if !bytes.Equal(got[:33], orig[:33]) || !bytes.Equal(got[33+61:], orig[33:]) {
		t.Fatal("bytes around the inserted chunk changed")
	}
	if !bytes.Equal(got[33:37], []byte{0, 0, 0, 0x31}) || !bytes.Equal(got[33+57:33+61], []byte{0xff, 0x7b, 0x56, 0xbe}) {
		t.Errorf("inserted chunk at offset 33 = % x", got[33:33+61])
	}
}

func TestWriteChunkCRC(t *testing.T) {
	var b bytes.Buffer
	if err := WriteChunkCRC(&b, TypeTEXt, []byte("openbadges\x00u"), 0xf775a85b); err != nil {
		t.Fatal(err)
	}
	if want := rawChunkCRC("tEXt", []byte("openbadges\x00u"), 0xf775a85b); !bytes.Equal(b.Bytes(), want) {
		t.Errorf("WriteChunkCRC = % x, want % x", b.Bytes(), want)
	}
	b.Reset()
	WriteChunk(&b, TypeIEND, nil)
	if !bytes.Equal(b.Bytes(), iend()) {
		t.Errorf("IEND = % x", b.Bytes())
	}
}

func TestWriteChunkErrors(t *testing.T) {
	err := WriteChunk(&bytes.Buffer{}, ChunkType{'a', '1', 'c', 'd'}, nil)
	checkFormatError(t, err, ErrBadChunkType, -1, ChunkType{'a', '1', 'c', 'd'})

	err = WriteChunk(failWriter{}, TypeIDAT, []byte{1})
	if err == nil || !strings.Contains(err.Error(), `writing chunk "IDAT": disk full`) {
		t.Errorf("write to failing writer = %v", err)
	}
}

func TestChunkType(t *testing.T) {
	tests := []struct {
		typ                         ChunkType
		str                         string
		valid, ancillary, safe, txt bool
	}{
		{TypeIHDR, "IHDR", true, false, false, false},
		{TypeIDAT, "IDAT", true, false, false, false},
		{TypeIEND, "IEND", true, false, false, false},
		{TypeTEXt, "tEXt", true, true, true, true},
		{TypeZTXt, "zTXt", true, true, true, true},
		{TypeITXt, "iTXt", true, true, true, true},
		{ChunkType{'b', 'K', 'G', 'D'}, "bKGD", true, true, false, false},
		{ChunkType{0, 'a', '\n', 0xff}, `\x00a\n\xff`, false, false, true, false},
		{ChunkType{'a', 'b', '"', 'd'}, `ab\"d`, false, true, true, false},
	}
	for _, tt := range tests {
		if got := tt.typ.String(); got != tt.str {
			t.Errorf("String(% x) = %q, want %q", tt.typ[:], got, tt.str)
		}
		if tt.typ.Valid() != tt.valid || tt.typ.Ancillary() != tt.ancillary || tt.typ.SafeToCopy() != tt.safe || tt.typ.IsText() != tt.txt {
			t.Errorf("%s: Valid/Ancillary/SafeToCopy/IsText = %v/%v/%v/%v, want %v/%v/%v/%v", tt.str,
				tt.typ.Valid(), tt.typ.Ancillary(), tt.typ.SafeToCopy(), tt.typ.IsText(), tt.valid, tt.ancillary, tt.safe, tt.txt)
		}
	}
}

func TestFormatErrorMessages(t *testing.T) {
	tests := []struct {
		err  *FormatError
		want string
	}{
		{&FormatError{Offset: 33, Type: TypeTEXt, Err: ErrBadCRC, Detail: "stored 0xf775a85b, computed 0xa500944f"},
			`png: bad CRC in chunk "tEXt" at offset 33: stored 0xf775a85b, computed 0xa500944f`},
		{&FormatError{Offset: 0, Err: ErrNotPNG, Detail: "input looks like a JPEG image"},
			`png: not a PNG file: input looks like a JPEG image`},
		{&FormatError{Offset: 71, Err: ErrMissingIEND},
			`png: missing IEND at offset 71`},
		{&FormatError{Offset: -1, Type: TypeITXt, Err: ErrTextTooLarge, Detail: "text inflates to more than 10 bytes"},
			`png: text too large in chunk "iTXt": text inflates to more than 10 bytes`},
		{&FormatError{Offset: 40, Type: ChunkType{0, 1, 'a', 'b'}, Err: ErrBadChunkType},
			`png: invalid chunk type in chunk "\x00\x01ab" at offset 40`},
		{&FormatError{Offset: 5}, `png: invalid format at offset 5`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %s\nwant      %s", got, tt.want)
		}
		if tt.err.Err != nil && !errors.Is(tt.err, tt.err.Err) {
			t.Errorf("errors.Is(%v, its sentinel) is false", tt.err)
		}
	}
}
