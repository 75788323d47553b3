package png

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fuzzMaxText is the text cap used while fuzzing, small so that inputs which
// inflate far are cheap to reject.
const fuzzMaxText = 1 << 16

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the seed corpus under testdata/fuzz")

func FuzzReader(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzReader (see readerSeeds).
	f.Add([]byte{})
	f.Add([]byte(Signature))
	f.Add(pngOf(ihdr()))
	f.Add(minimalPNG()[:50])
	f.Add(pngOf(ihdr(), withLength(idat(), 0x7FFFFFF0), iend()))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		texts := 0
		for _, seek := range srcModes {
			for _, lenient := range []bool{true, false} {
				texts += fuzzWalk(t, data, seek, lenient)
			}
		}
		fuzzCopy(t, data)
		runtime.ReadMemStats(&after)
		// Nothing may allocate what a length field claims: memory must follow
		// the input size and the text cap, with room for zlib's state.
		limit := 4<<20 + 64*uint64(len(data)) + uint64(texts)*(4*fuzzMaxText+256<<10)
		if n := after.TotalAlloc - before.TotalAlloc; n > limit {
			t.Errorf("%d input bytes made the Reader allocate %d bytes (limit %d)", len(data), n, limit)
		}
	})
}

// fuzzWalk walks data, reading and parsing text chunks, and checks what must
// hold for any input. It returns the number of text chunks parsed.
func fuzzWalk(t *testing.T, data []byte, seek srcMode, lenient bool) (texts int) {
	r, err := NewReader(source(data, seek), &ReadOptions{Lenient: lenient, MaxTextSize: fuzzMaxText})
	if err != nil {
		if !errors.Is(err, ErrNotPNG) {
			t.Fatalf("NewReader: %v, want ErrNotPNG or nothing", err)
		}
		return 0
	}
	next := int64(len(Signature))
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.As(err, new(*FormatError)) {
				t.Fatalf("Next: %v is not a *FormatError", err)
			}
			if _, again := r.Next(); again != err {
				t.Fatalf("error did not stick: %v then %v", err, again)
			}
			break
		}
		if c.Offset != next {
			t.Fatalf("chunk at offset %d, want %d", c.Offset, next)
		}
		next = c.Offset + 12 + int64(c.Length)
		if seek.seeks() && next > int64(len(data)) {
			t.Fatalf("chunk at %d with length %d runs past the %d-byte input", c.Offset, c.Length, len(data))
		}
		if c.Type.IsText() {
			texts++
			fuzzText(t, r, c)
		}
	}
	if r.BytesRead() > int64(len(data)) {
		t.Fatalf("BytesRead %d > input size %d", r.BytesRead(), len(data))
	}
	return texts
}

func fuzzText(t *testing.T, r *Reader, c Chunk) {
	d, err := r.ReadData(fuzzMaxText)
	if err != nil {
		return
	}
	if len(d) != int(c.Length) {
		t.Fatalf("ReadData returned %d bytes for length %d", len(d), c.Length)
	}
	txt, err := ParseText(c.Type, d, fuzzMaxText)
	if err != nil {
		return
	}
	if len(txt.Text) > fuzzMaxText {
		t.Fatalf("ParseText returned %d bytes past the cap %d", len(txt.Text), fuzzMaxText)
	}
	if k, ok := Keyword(d); !ok || k != txt.Keyword {
		t.Fatalf("Keyword = %q, %v; ParseText says %q", k, ok, txt.Keyword)
	}
}

// fuzzCopy checks that CopyRaw reproduces every complete stream exactly, in
// every source mode, and that CopyRawUntil writes what the loop it stands for
// writes.
func fuzzCopy(t *testing.T, data []byte) {
	var seekOut []byte
	for _, m := range srcModes {
		each, errEach := fuzzCopyEach(t, data, m, false)
		until, errUntil := fuzzCopyEach(t, data, m, true)
		if !bytes.Equal(each, until) {
			t.Fatalf("%s: CopyRawUntil wrote %d bytes (error %v), CopyRaw %d (error %v)", m, len(until), errUntil, len(each), errEach)
		}
		if (errEach == nil) != (errUntil == nil) {
			t.Fatalf("%s: CopyRaw error %v, CopyRawUntil error %v", m, errEach, errUntil)
		}
		if !bytes.HasPrefix(data, each) {
			t.Fatalf("%s: copy (%d bytes) is not a prefix of the input", m, len(each))
		}
		if m.seeks() {
			// With the size known, a chunk that does not fit is refused
			// before anything of it is copied, in both modes alike.
			if seekOut != nil && !bytes.Equal(seekOut, each) {
				t.Fatalf("%s: copy of %d bytes, %d in the other seeking mode", m, len(each), len(seekOut))
			}
			seekOut = each
		}
	}
}

// fuzzCopyEach copies data chunk by chunk with CopyRaw, or with
// CopyRawUntil stopping at text chunks, reading the data of some text
// chunks first. It returns the bytes written, signature included, and the
// error that ended the walk (nil at IEND).
func fuzzCopyEach(t *testing.T, data []byte, m srcMode, until bool) ([]byte, error) {
	r, err := NewReader(source(data, m), &ReadOptions{Lenient: true})
	if err != nil {
		return nil, nil
	}
	var out bytes.Buffer
	out.WriteString(Signature)
	fail := func(err error) ([]byte, error) {
		if !errors.As(err, new(*FormatError)) {
			t.Fatalf("%s: %v is not a *FormatError", m, err)
		}
		return out.Bytes(), err
	}
	for {
		var c Chunk
		var err error
		if until {
			c, err = r.CopyRawUntil(&out, func(c Chunk) bool { return c.Type.IsText() })
		} else {
			c, err = r.Next()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		if c.Type.IsText() && c.Length%2 == 0 {
			// Exercise the from-memory path for some chunks.
			if _, err := r.ReadData(fuzzMaxText); err != nil && !errors.Is(err, ErrChunkTooLarge) {
				return fail(err)
			}
		}
		if _, err := r.CopyRaw(&out); err != nil {
			if m.seeks() {
				t.Fatalf("%s: CopyRaw: %v", m, err)
			}
			return fail(err) // a plain reader finds truncation while copying
		}
	}
	if !until && r.BytesRead() > int64(len(data)) {
		t.Fatalf("%s: BytesRead %d > input size %d", m, r.BytesRead(), len(data))
	}
	return out.Bytes(), nil
}

// FuzzText checks ParseText on arbitrary data and, for what parses with a
// valid keyword, that Encode and ParseText again give the same fields.
func FuzzText(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzText (see textSeeds).
	f.Add(byte(0), []byte("openbadges\x00https://example.org/assertion"))
	f.Add(byte(1), []byte("k\x00\x00x\x9c"))
	f.Add(byte(2), []byte("k\x00\x01\x00\x00\x00"))
	f.Add(byte(2), []byte("k\x00\x00\x07\x00\x00t"))
	f.Fuzz(func(t *testing.T, sel byte, data []byte) {
		typ := [...]ChunkType{TypeTEXt, TypeZTXt, TypeITXt}[int(sel)%3]
		t1, err := ParseText(typ, data, fuzzMaxText)
		if err != nil {
			if !errors.Is(err, ErrBadText) && !errors.Is(err, ErrTextTooLarge) {
				t.Fatalf("ParseText error %v wraps neither ErrBadText nor ErrTextTooLarge", err)
			}
			return
		}
		if k, ok := Keyword(data); !ok || k != t1.Keyword {
			t.Fatalf("Keyword = %q, %v; ParseText says %q", k, ok, t1.Keyword)
		}
		if ValidKeyword(t1.Keyword) != nil {
			return // tolerated on read, refused on write
		}
		enc, err := t1.Encode()
		if err != nil {
			t.Fatalf("Encode of a parsed %s: %v", typ, err)
		}
		t2, err := ParseText(typ, enc, fuzzMaxText)
		if err != nil {
			t.Fatalf("ParseText(Encode(x)): %v", err)
		}
		if t1.Type != t2.Type || t1.Keyword != t2.Keyword || t1.Compressed != t2.Compressed ||
			t1.LanguageTag != t2.LanguageTag || t1.TranslatedKeyword != t2.TranslatedKeyword || !bytes.Equal(t1.Text, t2.Text) {
			t.Fatalf("round trip changed the text:\n%+v\n%+v", t1, t2)
		}
		// Uncompressed text with the standard method byte re-encodes to the same bytes.
		exact := typ == TypeTEXt || typ == TypeITXt && !t1.Compressed && data[len(t1.Keyword)+2] == 0
		if exact && !bytes.Equal(enc, data) {
			t.Fatalf("Encode = %q, want the parsed bytes %q", enc, data)
		}
	})
}

type seed struct {
	name   string
	values []any // []byte or byte, in the fuzz function's argument order
}

func readerSeeds() []seed {
	url := []byte("https://example.org/assertions/123")
	baked := rawChunk("iTXt", ITXtData("openbadges", url))
	compressed := rawChunk("iTXt", cat("openbadges\x00\x01\x00\x00\x00", string(zlibOf(string(url)))))
	return []seed{
		{"minimal", []any{minimalPNG()}},
		{"baked-itxt", []any{minimalPNG(baked)}},
		{"baked-ob3", []any{minimalPNG(rawChunk("iTXt", ITXtData("openbadgecredential", []byte("eyJhbGciOiJFZERTQSJ9.e30.sig"))))}},
		{"compressed-itxt", []any{minimalPNG(compressed)}},
		{"ztxt", []any{minimalPNG(rawChunk("zTXt", cat("openbadges\x00\x00", string(zlibOf(string(url))))))}},
		{"itxt-language", []any{minimalPNG(rawChunk("iTXt", cat("openbadges\x00\x00\x00en\x00Badge\x00", string(url))))}},
		{"legacy-text-bad-crc", []any{minimalPNG(rawChunkCRC("tEXt", cat("openbadges\x00", string(url)), 0xf775a85b))}},
		{"after-iend", []any{append(minimalPNG(), baked...)}},
		{"no-iend", []any{pngOf(ihdr(), baked, idat())}},
	}
}

func textSeeds() []seed {
	url := "https://example.org/assertions/123"
	return []seed{
		{"text", []any{byte(0), cat("openbadges\x00", url)}},
		{"ztxt", []any{byte(1), cat("openbadges\x00\x00", string(zlibOf(url)))}},
		{"itxt", []any{byte(2), ITXtData("openbadges", []byte(url))}},
		{"itxt-compressed", []any{byte(2), cat("openbadges\x00\x01\x00\x00\x00", string(zlibOf(`{"name":"é"}`)))}},
		{"itxt-language", []any{byte(2), cat("openbadges\x00\x00\x00en-GB\x00Offene Abzeichen\x00", url)}},
	}
}

// corpusFile renders values in the "go test fuzz v1" format.
func corpusFile(values []any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, v := range values {
		switch v := v.(type) {
		case byte:
			fmt.Fprintf(&b, "byte(%q)\n", v)
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		}
	}
	return b.Bytes()
}

// TestFuzzSeeds keeps testdata/fuzz in step with readerSeeds and textSeeds.
// Run with -update-seeds to rewrite the files.
func TestFuzzSeeds(t *testing.T) {
	for target, seeds := range map[string][]seed{"FuzzReader": readerSeeds(), "FuzzText": textSeeds()} {
		dir := filepath.Join("testdata", "fuzz", target)
		for _, s := range seeds {
			path := filepath.Join(dir, s.name)
			want := corpusFile(s.values)
			if *updateSeeds {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is missing or stale; run go test -run TestFuzzSeeds -update-seeds", path)
			}
		}
	}
}
