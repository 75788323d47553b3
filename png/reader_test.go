package png

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestNewReaderNotPNG(t *testing.T) {
	tests := []struct {
		name, input, detail string
	}{
		{"JPEG", "\xff\xd8\xff\xe1\x00\x18Exif\x00\x00", "JPEG"},
		{"JSON", `{"uid":"123","badge":"x"}`, "JSON"},
		{"JSON with leading space", "  \n[1,2,3]", "JSON"},
		{"SVG", `<svg xmlns="http://www.w3.org/2000/svg"/>`, "XML"},
		{"GIF", "GIF89a\x01\x00\x01\x00", "GIF"},
		{"empty", "", "input looks like an empty file"},
		{"3 bytes", "\x89PN", "only 3 bytes"},
		{"line endings converted", "\x89PNG\n\x1a\n\x00\x00\x00", "signature is 89 50 4e 47 0a 1a 0a 00"},
	}
	for _, tt := range tests {
		for _, seek := range srcModes {
			r, err := NewReader(source([]byte(tt.input), seek), nil)
			if r != nil {
				t.Errorf("%s: got a Reader for a non-PNG input", tt.name)
			}
			fe := checkFormatError(t, err, ErrNotPNG, 0, ChunkType{})
			if !strings.Contains(fe.Detail, tt.detail) {
				t.Errorf("%s: detail %q does not mention %q", tt.name, fe.Detail, tt.detail)
			}
		}
	}
}

func TestNewReaderNilOptions(t *testing.T) {
	r, err := NewReader(bytes.NewReader(minimalPNG()), nil)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := walk(r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := types(chunks), []string{"IHDR", "IDAT", "IEND"}; !slices.Equal(got, want) {
		t.Errorf("chunks = %v, want %v", got, want)
	}
	wantOffsets := []int64{8, 33, 59}
	for i, c := range chunks {
		if c.Offset != wantOffsets[i] {
			t.Errorf("chunk %d offset = %d, want %d", i, c.Offset, wantOffsets[i])
		}
	}
	// After the end, Next keeps saying io.EOF.
	for range 2 {
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("Next after IEND = %v, want io.EOF", err)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	base := minimalPNG() // IHDR@8 IDAT@33 IEND@59, 71 bytes
	text := rawChunk("tEXt", []byte("k\x00v"))
	tests := []struct {
		name   string
		input  []byte
		opts   *ReadOptions
		want   error
		offset int64
		typ    ChunkType
		detail string
		// recoverable errors come from ReadData and leave the stream in
		// step, so Next may go on; all others stick.
		recoverable bool
	}{
		{"IHDR not first", pngOf(text, ihdr(), idat(), iend()), nil,
			ErrIHDRNotFirst, 8, ChunkType{}, `first chunk is "tEXt"`, false},
		{"IHDR wrong length", pngOf(rawChunk("IHDR", make([]byte, 12)), idat(), iend()), nil,
			ErrBadIHDR, 8, ChunkType{}, "IHDR length is 12, want 13", false},
		{"nothing after signature", pngOf(), nil,
			ErrMissingIEND, 8, ChunkType{}, "after 0 chunks", false},
		{"missing IEND", pngOf(ihdr(), idat()), nil,
			ErrMissingIEND, 59, ChunkType{}, "after 2 chunks", false},
		{"truncated in data", base[:33+12], nil,
			ErrTruncated, 33, TypeIDAT, "needs 26 bytes", false},
		{"truncated in CRC", base[:59-2], nil,
			ErrTruncated, 33, TypeIDAT, "needs 26 bytes", false},
		{"truncated in header", base[:59+3], nil,
			ErrTruncated, 59, ChunkType{}, "3 bytes into an 8-byte chunk header", false},
		{"length past end", pngOf(ihdr(), withLength(idat(), 1000), iend()), nil,
			ErrTruncated, 33, TypeIDAT, "needs 1012 bytes", false},
		{"length 0x7FFFFFF0", pngOf(ihdr(), withLength(idat(), 0x7FFFFFF0), iend()), nil,
			ErrTruncated, 33, TypeIDAT, "needs 2147483644 bytes", false},
		{"length 0x80000000", pngOf(ihdr(), withLength(idat(), 0x80000000), iend()), nil,
			ErrChunkTooLarge, 33, TypeIDAT, "declared length 2147483648 exceeds the PNG maximum 2147483647", false},
		{"length 0xFFFFFFFF", pngOf(ihdr(), withLength(idat(), 0xFFFFFFFF), iend()), nil,
			ErrChunkTooLarge, 33, TypeIDAT, "4294967295", false},
		{"bad CRC in text", minimalPNG(rawChunkCRC("tEXt", []byte("k\x00v"), 0xdeadbeef)), nil,
			ErrBadCRC, 33, TypeTEXt, "stored 0xdeadbeef, computed 0x", true},
		{"bad CRC in IEND", pngOf(ihdr(), idat(), rawChunkCRC("IEND", nil, 1)), nil,
			ErrBadCRC, 59, TypeIEND, "stored 0x00000001, computed 0xae426082", false},
		{"bad chunk type", minimalPNG(rawChunk("t\x00Xt", []byte("k\x00v"))), nil,
			ErrBadChunkType, 33, ChunkType{'t', 0, 'X', 't'}, "74 00 58 74", false},
		{"too many chunks", minimalPNG(text), &ReadOptions{MaxChunks: 3},
			ErrTooManyChunks, 33 + 15 + 26, ChunkType{}, "more than 3 chunks", false},
	}
	for _, tt := range tests {
		for _, seek := range srcModes {
			name := tt.name + "/" + seek.String()
			t.Run(name, func(t *testing.T) {
				r, err := NewReader(source(tt.input, seek), tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				_, err = walk(r)
				fe := checkFormatError(t, err, tt.want, tt.offset, tt.typ)
				if !strings.Contains(fe.Detail, tt.detail) {
					t.Errorf("detail %q does not contain %q", fe.Detail, tt.detail)
				}
				next, again := r.Next()
				switch {
				case tt.recoverable && (again != nil || next.Type != TypeIDAT):
					t.Errorf("Next after recoverable error = %v, %v; want IDAT", next, again)
				case !tt.recoverable && again != err:
					t.Errorf("Next after error = %v, want the same error %v", again, err)
				}
			})
		}
	}
}

func TestBadCRCMessage(t *testing.T) {
	data := []byte("openbadges\x00https://example.org/assertion")
	input := minimalPNG(rawChunkCRC("tEXt", data, 0xf775a85b))
	r, _ := NewReader(bytes.NewReader(input), nil)
	_, err := walk(r)
	want := fmt.Sprintf(`png: bad CRC in chunk "tEXt" at offset 33: stored 0xf775a85b, computed 0x%08x`, chunkCRC(TypeTEXt, data))
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
}

func TestBadCRCLenient(t *testing.T) {
	data := []byte("openbadges\x00https://example.org/assertion")
	input := minimalPNG(rawChunkCRC("tEXt", data, 0xf775a85b))
	for _, seek := range srcModes {
		r, err := NewReader(source(input, seek), &ReadOptions{Lenient: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("lenient walk: %v", err)
			}
			if c.Type == TypeTEXt {
				if got, err = r.ReadData(1 << 10); err != nil {
					t.Fatalf("lenient ReadData: %v", err)
				}
				if r.StoredCRC() != 0xf775a85b {
					t.Errorf("StoredCRC = %#x, want 0xf775a85b", r.StoredCRC())
				}
			}
		}
		if !bytes.Equal(got, data) {
			t.Errorf("data = %q, want %q", got, data)
		}
		w := r.Warnings()
		if len(w) != 1 {
			t.Fatalf("warnings = %v, want exactly one", w)
		}
		if w[0].Offset != 33 || w[0].Type != TypeTEXt || !strings.Contains(w[0].Message, "bad CRC: stored 0xf775a85b") {
			t.Errorf("warning = %+v", w[0])
		}
		if s := w[0].String(); !strings.HasPrefix(s, `chunk "tEXt" at offset 33: bad CRC`) {
			t.Errorf("warning string = %q", s)
		}
	}
}

// A chunk skipped by Seek is never read, so its CRC cannot be checked; a
// chunk skipped by reading is checked.
func TestSkipChecksCRCOnlyWhenRead(t *testing.T) {
	input := pngOf(ihdr(), rawChunkCRC("IDAT", []byte{1, 2, 3}, 7), iend())

	r, _ := NewReader(bytes.NewReader(input), nil)
	if _, err := walk(r); err != nil {
		t.Errorf("seeker: unread IDAT with bad CRC gave %v, want no error", err)
	}

	r, _ = NewReader(plainReader{bytes.NewReader(input)}, nil)
	_, err := walk(r)
	checkFormatError(t, err, ErrBadCRC, 33, TypeIDAT)

	r, _ = NewReader(plainReader{bytes.NewReader(input)}, &ReadOptions{Lenient: true})
	if _, err := walk(r); err != nil {
		t.Fatalf("plain lenient: %v", err)
	}
	if w := r.Warnings(); len(w) != 1 || w[0].Type != TypeIDAT {
		t.Errorf("plain lenient warnings = %v, want one for IDAT", w)
	}
}

func TestIHDRMustComeFirstOnlyOnce(t *testing.T) {
	// A second IHDR later is not this package's business.
	r, _ := NewReader(bytes.NewReader(minimalPNG(ihdr())), nil)
	if _, err := walk(r); err != nil {
		t.Errorf("second IHDR: %v", err)
	}
}

func TestDataAfterIEND(t *testing.T) {
	input := append(minimalPNG(), "garbage"...)
	hidden := append(minimalPNG(), rawChunk("iTXt", ITXtData("openbadges", []byte("x")))...)

	for _, tt := range []struct {
		name  string
		input []byte
		extra string
	}{{"garbage", input, "7 bytes after IEND ignored"}, {"chunk after IEND", hidden, "28 bytes after IEND ignored"}} {
		r, _ := NewReader(bytes.NewReader(tt.input), nil)
		chunks, err := walk(r)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := types(chunks); !slices.Equal(got, []string{"IHDR", "IDAT", "IEND"}) {
			t.Errorf("%s: chunks = %v; nothing after IEND may be returned", tt.name, got)
		}
		w := r.Warnings()
		if len(w) != 1 || w[0].Offset != 71 || w[0].Message != tt.extra {
			t.Errorf("%s: warnings = %v, want %q at offset 71", tt.name, w, tt.extra)
		}
		if s := w[0].String(); s != "offset 71: "+tt.extra {
			t.Errorf("%s: warning string = %q", tt.name, s)
		}

		// A plain reader cannot know about the trailing bytes and must not read them.
		r, _ = NewReader(plainReader{bytes.NewReader(tt.input)}, nil)
		if _, err := walk(r); err != nil {
			t.Fatal(err)
		}
		if len(r.Warnings()) != 0 || r.BytesRead() != 71 {
			t.Errorf("%s plain: warnings %v, BytesRead %d, want none and 71", tt.name, r.Warnings(), r.BytesRead())
		}
	}
}

func TestIENDWithData(t *testing.T) {
	input := pngOf(ihdr(), idat(), rawChunk("IEND", []byte("xy")))
	for _, seek := range srcModes {
		r, _ := NewReader(source(input, seek), nil)
		chunks, err := walk(r)
		if err != nil || len(chunks) != 3 {
			t.Fatalf("chunks %v, error %v", types(chunks), err)
		}
		if w := r.Warnings(); len(w) != 1 || w[0].Message != "IEND has 2 data bytes, want 0" {
			t.Errorf("warnings = %v", w)
		}
	}
}

// endlessChunks serves a signature, an IHDR, then empty "abCd" chunks forever,
// without holding them in memory.
type endlessChunks struct {
	head []byte
	pos  int
}

func (e *endlessChunks) Read(p []byte) (int, error) {
	unit := rawChunk("abCd", nil)
	for i := range p {
		if e.pos < len(e.head) {
			p[i] = e.head[e.pos]
		} else {
			p[i] = unit[(e.pos-len(e.head))%len(unit)]
		}
		e.pos++
	}
	return len(p), nil
}

func TestTooManyChunksDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("walks a million chunks")
	}
	r, err := NewReader(&endlessChunks{head: pngOf(ihdr())}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = walk(r)
	wantOffset := int64(33 + (DefaultMaxChunks-1)*12)
	checkFormatError(t, err, ErrTooManyChunks, wantOffset, ChunkType{})
}

func TestWarningsAreCapped(t *testing.T) {
	var chunks [][]byte
	for range 300 {
		chunks = append(chunks, rawChunkCRC("tEXt", []byte("a\x00b"), 0))
	}
	r, _ := NewReader(bytes.NewReader(minimalPNG(chunks...)), &ReadOptions{Lenient: true})
	if _, err := walk(r); err != nil {
		t.Fatal(err)
	}
	w := r.Warnings()
	if len(w) != maxWarnings || !strings.Contains(w[len(w)-1].Message, "too many warnings") {
		t.Errorf("got %d warnings, last %v; want %d ending with a note", len(w), w[len(w)-1], maxWarnings)
	}
}

func TestReadDataLimit(t *testing.T) {
	text := rawChunk("tEXt", []byte("openbadges\x00"+strings.Repeat("x", 100)))
	input := minimalPNG(text)
	for _, seek := range srcModes {
		r, _ := NewReader(source(input, seek), nil)
		r.Next()
		c, _ := r.Next()
		_, err := r.ReadData(50)
		fe := checkFormatError(t, err, ErrChunkTooLarge, 33, TypeTEXt)
		if fe.Detail != "data is 111 bytes, over the limit of 50" {
			t.Errorf("detail = %q", fe.Detail)
		}
		// The refusal consumed nothing: the chunk can still be copied whole,
		// and the walk goes on.
		var buf bytes.Buffer
		if n, err := r.CopyRaw(&buf); err != nil || n != 12+int64(c.Length) || !bytes.Equal(buf.Bytes(), text) {
			t.Errorf("CopyRaw after refused ReadData: n=%d err=%v", n, err)
		}
		rest, err := walk(r)
		if err != nil || !slices.Equal(types(rest), []string{"IDAT", "IEND"}) {
			t.Errorf("walk after refused ReadData: %v %v", types(rest), err)
		}
	}
}

// A chunk claiming 1 GiB is refused by ReadData's limit without any
// allocation of that size.
func TestReadDataLimitDoesNotAllocate(t *testing.T) {
	huge := withLength(rawChunk("iTXt", []byte("openbadges\x00")), 1<<30)
	input := pngOf(ihdr(), huge)
	r, _ := NewReader(plainReader{bytes.NewReader(input)}, nil)
	r.Next()
	r.Next()
	var err error
	n := allocatedBy(func() { _, err = r.ReadData(1 << 20) })
	checkFormatError(t, err, ErrChunkTooLarge, 33, TypeITXt)
	if n > 64<<10 {
		t.Errorf("refusing a 1 GiB chunk allocated %d bytes", n)
	}
}

// Without a known size, a length field that lies must not make ReadData
// allocate what it claims: memory follows the bytes that really arrive.
func TestReadDataLyingLengthDoesNotAllocate(t *testing.T) {
	lying := withLength(rawChunk("iTXt", []byte("openbadges\x00\x00\x00\x00\x00hello")), 0x7FFFFFF0)
	input := pngOf(ihdr(), lying)
	r, _ := NewReader(plainReader{bytes.NewReader(input)}, nil)
	r.Next()
	if c, err := r.Next(); err != nil || c.Length != 0x7FFFFFF0 {
		t.Fatalf("Next = %+v, %v", c, err)
	}
	var err error
	n := allocatedBy(func() { _, err = r.ReadData(MaxChunkLength) })
	checkFormatError(t, err, ErrTruncated, 33, TypeITXt)
	if n > 1<<20 {
		t.Errorf("ReadData of a lying 2 GiB length allocated %d bytes", n)
	}
	if _, again := r.Next(); again != err {
		t.Errorf("Next after truncation = %v, want %v", again, err)
	}
}

func TestReadDataLargeChunkUnknownSize(t *testing.T) {
	// Exercises the growing buffer across several doublings.
	data := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640000 bytes
	input := minimalPNG(rawChunk("blOb", data))
	r, _ := NewReader(plainReader{bytes.NewReader(input)}, nil)
	r.Next()
	r.Next()
	got, err := r.ReadData(1 << 20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadData: %d bytes, %v", len(got), err)
	}
}

func TestMisuse(t *testing.T) {
	input := minimalPNG(rawChunk("tEXt", []byte("k\x00v")))
	r, _ := NewReader(bytes.NewReader(input), nil)
	if _, err := r.ReadData(10); err == nil || !strings.Contains(err.Error(), "no current chunk") {
		t.Errorf("ReadData before Next: %v", err)
	}
	if _, err := r.CopyRaw(io.Discard); err == nil {
		t.Error("CopyRaw before Next: no error")
	}
	r.Next()
	r.Next() // tEXt
	if _, err := r.ReadData(10); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadData(10); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second ReadData: %v", err)
	}
	r.Next() // IDAT
	if _, err := r.CopyRaw(io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CopyRaw(io.Discard); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second CopyRaw: %v", err)
	}
	if _, err := r.ReadData(100); err == nil || !strings.Contains(err.Error(), "after CopyRaw") {
		t.Errorf("ReadData after CopyRaw: %v", err)
	}
	if _, err := r.ReadText(); err == nil || !strings.Contains(err.Error(), "not a text chunk") {
		t.Errorf("ReadText on IDAT: %v", err)
	}
	r.Next() // IEND
	if d, err := r.ReadData(0); err != nil || len(d) != 0 {
		t.Errorf("ReadData on IEND = %q, %v", d, err)
	}
	if r.StoredCRC() != 0xae426082 {
		t.Errorf("IEND StoredCRC = %#x", r.StoredCRC())
	}
	r.Next() // EOF
	if _, err := r.CopyRaw(io.Discard); err == nil {
		t.Error("CopyRaw after EOF: no error")
	}
}

func TestReadText(t *testing.T) {
	itxt := rawChunk("iTXt", ITXtData("openbadges", []byte("https://example.org/a")))
	big := rawChunk("tEXt", []byte("Comment\x00"+strings.Repeat("x", 200)))
	bad := rawChunk("iTXt", []byte("openbadges\x00\x07\x00\x00\x00x"))
	input := minimalPNG(itxt, big, bad)
	r, _ := NewReader(bytes.NewReader(input), &ReadOptions{MaxTextSize: 100})
	r.Next()
	r.Next()
	txt, err := r.ReadText()
	if err != nil || txt.Keyword != "openbadges" || string(txt.Text) != "https://example.org/a" {
		t.Fatalf("ReadText = %+v, %v", txt, err)
	}
	c, _ := r.Next()
	_, err = r.ReadText()
	checkFormatError(t, err, ErrTextTooLarge, c.Offset, TypeTEXt)
	c, _ = r.Next()
	_, err = r.ReadText()
	fe := checkFormatError(t, err, ErrBadText, c.Offset, TypeITXt)
	if !strings.Contains(fe.Detail, "compression flag is 7") {
		t.Errorf("detail = %q", fe.Detail)
	}
}

// bigPNG writes a PNG of about size bytes, nearly all of it one IDAT, and
// returns its path.
func bigPNG(tb testing.TB, dir string, size int) string {
	tb.Helper()
	path := filepath.Join(dir, "big.png")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	head := minimalPNG(rawChunk("iTXt", ITXtData("openbadges", []byte("https://example.org/assertions/123"))))
	head = head[:len(head)-12-26] // drop IDAT and IEND
	filler := bytes.Repeat([]byte{0x5a}, size-len(head)-12-12)
	for _, b := range [][]byte{head, rawChunk("IDAT", filler), iend()} {
		if _, err := f.Write(b); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}

func TestSeekSkipsUnreadData(t *testing.T) {
	path := bigPNG(t, t.TempDir(), 1<<20)
	info, _ := os.Stat(path)

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := walk(r)
	if err != nil || !slices.Equal(types(chunks), []string{"IHDR", "iTXt", "IDAT", "IEND"}) {
		t.Fatalf("walk: %v %v", types(chunks), err)
	}
	if n := r.BytesRead(); n >= 4<<10 {
		t.Errorf("seeking walk of a %d-byte file read %d bytes, want < 4 KiB", info.Size(), n)
	}

	f.Seek(0, io.SeekStart)
	r, _ = NewReader(plainReader{f}, nil)
	if _, err := walk(r); err != nil {
		t.Fatal(err)
	}
	if n := r.BytesRead(); n != info.Size() {
		t.Errorf("plain walk read %d bytes, want the file size %d", n, info.Size())
	}
}

// A pipe is an *os.File, so it has a Seek method, but Seek fails: the Reader
// must notice and read instead.
func TestPipeIsNotSeekable(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Skip("no pipes:", err)
	}
	defer pr.Close()
	input := minimalPNG(rawChunk("tEXt", []byte("k\x00v")))
	go func() {
		pw.Write(input)
		pw.Close()
	}()
	r, err := NewReader(pr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := walk(r); err != nil {
		t.Fatal(err)
	}
	if r.BytesRead() != int64(len(input)) {
		t.Errorf("BytesRead = %d, want %d", r.BytesRead(), len(input))
	}
}

// Offsets count from where the source was when NewReader was called.
func TestOffsetsFromStartPosition(t *testing.T) {
	input := append([]byte("prefix-"), minimalPNG()...)
	for _, seek := range srcModes {
		src := source(input, seek)
		io.ReadFull(src, make([]byte, 7))
		r, err := NewReader(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		chunks, err := walk(r)
		if err != nil || len(chunks) != 3 || chunks[1].Offset != 33 {
			t.Errorf("seek=%v: chunks %+v, err %v", seek, chunks, err)
		}
		if seek.seeks() && len(r.Warnings()) != 0 {
			t.Errorf("warnings %v: the prefix was miscounted as trailing data", r.Warnings())
		}
	}
}

// copyAll copies every chunk of src to dst with CopyRaw, after the signature.
// When readText is set it first reads text chunks with ReadData, so CopyRaw
// takes its from-memory path for them.
func copyAll(t *testing.T, r *Reader, dst io.Writer, readText bool) {
	t.Helper()
	if _, err := io.WriteString(dst, Signature); err != nil {
		t.Fatal(err)
	}
	for {
		c, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if readText && c.Type.IsText() {
			if _, err := r.ReadData(1 << 20); err != nil {
				t.Fatal(err)
			}
		}
		n, err := r.CopyRaw(dst)
		if err != nil {
			t.Fatal(err)
		}
		if n != 12+int64(c.Length) {
			t.Fatalf("CopyRaw of %s wrote %d bytes, want %d", c.Type, n, 12+c.Length)
		}
	}
}

func TestCopyRawReproducesInput(t *testing.T) {
	input := minimalPNG(
		rawChunk("tEXt", []byte("openbadges\x00https://example.org/a")),
		rawChunkCRC("iTXt", ITXtData("openbadges", []byte("x")), 0x12345678), // wrong CRC kept as is
		rawChunk("prVt", []byte{0, 1, 2}),
	)
	for _, seek := range srcModes {
		for _, readText := range []bool{false, true} {
			r, _ := NewReader(source(input, seek), &ReadOptions{Lenient: true})
			var out bytes.Buffer
			copyAll(t, r, &out, readText)
			if !bytes.Equal(out.Bytes(), input) {
				t.Errorf("seek=%v readText=%v: copy differs from input", seek, readText)
			}
		}
	}
}

func TestCopyRawTruncated(t *testing.T) {
	input := minimalPNG()[:50] // inside IDAT
	r, _ := NewReader(plainReader{bytes.NewReader(input)}, nil)
	r.Next()
	r.Next()
	var out bytes.Buffer
	n, err := r.CopyRaw(&out)
	checkFormatError(t, err, ErrTruncated, 33, TypeIDAT)
	if n != 17 {
		t.Errorf("CopyRaw wrote %d bytes, want the 17 present", n)
	}
	if _, again := r.Next(); again != err {
		t.Errorf("Next after failed CopyRaw = %v, want %v", again, err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCopyRawWriteError(t *testing.T) {
	r, _ := NewReader(bytes.NewReader(minimalPNG()), nil)
	r.Next()
	_, err := r.CopyRaw(failWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || errors.As(err, new(*FormatError)) {
		t.Fatalf("CopyRaw to failing writer = %v", err)
	}
	// The header write failed before anything was taken from the source, so
	// the chunk can still be copied.
	var out bytes.Buffer
	if _, err := r.CopyRaw(&out); err != nil || !bytes.Equal(out.Bytes(), ihdr()) {
		t.Errorf("retry: %v", err)
	}
}

func TestCopyRawFileToFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{1 << 20, 3<<20 + 17} {
		path := bigPNG(t, dir, size)
		src, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(dir, "copy.png"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		copyAll(t, r, dst, true)
		src.Close()
		dst.Close()
		want, _ := os.ReadFile(path)
		got, _ := os.ReadFile(dst.Name())
		if !bytes.Equal(got, want) {
			t.Errorf("size %d: file copy differs (%d bytes, want %d)", size, len(got), len(want))
		}
		if r.BytesRead() != int64(len(want)) {
			t.Errorf("size %d: BytesRead = %d, want %d (copied bytes count)", size, r.BytesRead(), len(want))
		}
	}
}
