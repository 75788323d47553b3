package png

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/filetest"
)

// countingReaderAt is what the Reader reads with ReadAt: an io.ReaderAt with
// Seek and Size, counting the calls and bytes of each kind. size, when set,
// overrides what Size reports (to play a source that shrank).
type countingReaderAt struct {
	r                   *bytes.Reader
	size                int64
	reads, readAts      int
	seeks, bytes        int64
	failAt              int64 // ReadAt at or past this offset fails (0: never)
	maxReadAt, minStart int64
}

func newCountingReaderAt(data []byte) *countingReaderAt {
	return &countingReaderAt{r: bytes.NewReader(data), minStart: -1}
}

func (c *countingReaderAt) Read(p []byte) (int, error) {
	c.reads++
	n, err := c.r.Read(p)
	c.bytes += int64(n)
	return n, err
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.readAts++
	if c.failAt > 0 && off+int64(len(p)) > c.failAt {
		return 0, errors.New("disk on fire")
	}
	n, err := c.r.ReadAt(p, off)
	c.bytes += int64(n)
	c.maxReadAt = max(c.maxReadAt, int64(len(p)))
	return n, err
}

func (c *countingReaderAt) Seek(off int64, whence int) (int64, error) {
	c.seeks++
	return c.r.Seek(off, whence)
}

func (c *countingReaderAt) Size() int64 {
	if c.size > 0 {
		return c.size
	}
	return c.r.Size()
}

// manyChunksPNG is IHDR, a tEXt, n IDATs of idatLen bytes and IEND.
func manyChunksPNG(n, idatLen int) []byte {
	chunks := [][]byte{ihdr(), rawChunk("tEXt", []byte("Software\x00test"))}
	data := bytes.Repeat([]byte{0xa5}, idatLen)
	for range n {
		chunks = append(chunks, rawChunk("IDAT", data))
	}
	return pngOf(append(chunks, iend())...)
}

// With ReadAt, a chunk header costs at most one read, none when an earlier
// read brought it in, nothing is Read or seeked after the start, and the
// bytes read follow the number of chunks, not the size.
func TestReadAtWalk(t *testing.T) {
	for _, tt := range []struct {
		name           string
		n, idatLen     int
		maxReads       int
		maxBytesRead   int64
		wantFirstWords string
	}{
		// Everything fits in the first window: one read.
		{"small", 3, 100, 1, winSize, ""},
		// Each IDAT header is 8 KiB past the last: one read per IDAT.
		{"8KiB IDATs", 100, 8 << 10, 1 + 100, winSize + 100*laterReadSize, ""},
		// One huge IDAT: the head, then IEND.
		{"one 4 MiB IDAT", 1, 4 << 20, 2, winSize + 12, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			input := manyChunksPNG(tt.n, tt.idatLen)
			src := newCountingReaderAt(input)
			r, err := NewReader(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			chunks, err := walk(r)
			if err != nil || len(chunks) != tt.n+3 {
				t.Fatalf("walk: %d chunks, %v", len(chunks), err)
			}
			if src.reads != 0 || src.seeks != 1 {
				t.Errorf("%d Read and %d Seek calls, want none and one (for the position)", src.reads, src.seeks)
			}
			if src.readAts > tt.maxReads {
				t.Errorf("%d ReadAt calls, want at most %d", src.readAts, tt.maxReads)
			}
			if src.bytes > tt.maxBytesRead || r.BytesRead() != src.bytes {
				t.Errorf("read %d bytes (BytesRead %d) of %d, want at most %d", src.bytes, r.BytesRead(), len(input), tt.maxBytesRead)
			}
			if p, _ := src.r.Seek(0, io.SeekCurrent); p != 0 {
				t.Errorf("source position %d after the walk, want it untouched at 0", p)
			}
		})
	}
}

// A Reader on an *os.File uses ReadAt (learning the size with Stat), and
// leaves the file's position where it was.
func TestReadAtFile(t *testing.T) {
	input := append([]byte("prefix-"), manyChunksPNG(20, 8<<10)...)
	path := filepath.Join(t.TempDir(), "x.png")
	if err := os.WriteFile(path, input, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(7, io.SeekStart)
	r, err := NewReader(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.at == nil {
		t.Fatal("an *os.File on a regular file is not read with ReadAt")
	}
	chunks, err := walk(r)
	if err != nil || len(chunks) != 23 || chunks[1].Offset != 33 {
		t.Fatalf("walk: %d chunks, %v", len(chunks), err)
	}
	if w := r.Warnings(); len(w) != 0 {
		t.Errorf("warnings %v", w)
	}
	if p, _ := f.Seek(0, io.SeekCurrent); p != 7 {
		t.Errorf("file position %d after the walk, want 7", p)
	}
	if n := r.BytesRead(); n >= int64(len(input))/4 {
		t.Errorf("read %d of %d bytes", n, len(input))
	}
}

// A source that delivers less than its size says (a file truncated after
// Stat) gives FormatErrors, never a panic or a hang; one that fails gives
// its error.
func TestReadAtShortOrFailing(t *testing.T) {
	input := manyChunksPNG(4, 3000)
	for cut := 0; cut <= len(input); cut += 97 {
		src := newCountingReaderAt(input[:cut])
		src.size = int64(len(input))
		r, err := NewReader(src, nil)
		if err != nil {
			if !errors.Is(err, ErrNotPNG) {
				t.Fatalf("cut %d: NewReader: %v", cut, err)
			}
			continue
		}
		_, err = walk(r)
		if cut < len(input) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMissingIEND) {
			t.Errorf("cut %d: walk error %v, want ErrTruncated or ErrMissingIEND", cut, err)
		}
		// Copying meets the same end.
		src = newCountingReaderAt(input[:cut])
		src.size = int64(len(input))
		r, _ = NewReader(src, nil)
		var out bytes.Buffer
		out.WriteString(Signature)
		for {
			if _, err := r.Next(); err != nil {
				break
			}
			if _, err := r.CopyRaw(&out); err != nil {
				if !errors.Is(err, ErrTruncated) {
					t.Errorf("cut %d: CopyRaw: %v", cut, err)
				}
				break
			}
		}
		if !bytes.HasPrefix(input, out.Bytes()) {
			t.Errorf("cut %d: copy is not a prefix of the input", cut)
		}
	}

	src := newCountingReaderAt(input)
	src.failAt = 5000
	r, _ := NewReader(src, nil)
	_, err := walk(r)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || errors.As(err, new(*FormatError)) {
		t.Errorf("failing source: %v, want its error, not a FormatError", err)
	}
}

// CopyRawUntil writes what the loop it stands for writes, in every mode,
// stops on the chunk asked for, leaving it current, and ends with io.EOF.
func TestCopyRawUntil(t *testing.T) {
	text := rawChunk("tEXt", []byte("Comment\x00hello"))
	chunks := [][]byte{ihdr()}
	for i := range 30 {
		chunks = append(chunks, rawChunk("IDAT", bytes.Repeat([]byte{byte(i)}, 1000)))
		if i == 10 {
			chunks = append(chunks, text)
		}
	}
	input := pngOf(append(chunks, iend())...)
	for _, m := range srcModes {
		r, err := NewReader(source(input, m), nil)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		out.WriteString(Signature)
		var stops []string
		for {
			c, err := r.CopyRawUntil(&out, func(c Chunk) bool { return c.Type.IsText() || c.Type == TypeIHDR })
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			stops = append(stops, c.Type.String())
			if c.Type.IsText() {
				if d, err := r.ReadData(100); err != nil || string(d) != "Comment\x00hello" {
					t.Fatalf("%s: ReadData of the stop chunk: %q %v", m, d, err)
				}
			}
			if _, err := r.CopyRaw(&out); err != nil {
				t.Fatalf("%s: CopyRaw of the stop chunk: %v", m, err)
			}
		}
		if !slices.Equal(stops, []string{"IHDR", "tEXt"}) {
			t.Errorf("%s: stopped at %v", m, stops)
		}
		if !bytes.Equal(out.Bytes(), input) {
			t.Errorf("%s: copy differs from the input (%d bytes, want %d)", m, out.Len(), len(input))
		}
		if _, err := r.CopyRawUntil(&out, func(Chunk) bool { return false }); err != io.EOF {
			t.Errorf("%s: CopyRawUntil after the end = %v, want io.EOF", m, err)
		}
	}

	// An error ends the copy after the chunks before it, as the loop would.
	bad := pngOf(ihdr(), idat(), rawChunk("t\x00Xt", nil), iend())
	for _, m := range srcModes {
		r, _ := NewReader(source(bad, m), nil)
		var out bytes.Buffer
		_, err := r.CopyRawUntil(&out, func(Chunk) bool { return false })
		checkFormatError(t, err, ErrBadChunkType, 59, ChunkType{'t', 0, 'X', 't'})
		if want := bad[8:59]; !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s: wrote %d bytes before the error, want IHDR and IDAT (%d)", m, out.Len(), len(want))
		}
	}
}

// From file to file, a run of chunks is one io.Copy, handed to the kernel,
// and the copy is exact.
func TestCopyRawUntilFileToFile(t *testing.T) {
	input := manyChunksPNG(200, 8<<10)
	dir, path := filetest.WriteTemp(t, "in.png", input)
	src, f := filetest.Pair(t, path, dir, "out.png")
	dst := &filetest.ReadFromCounter{File: f}
	r, err := NewReader(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	dst.WriteString(Signature)
	for {
		_, err := r.CopyRawUntil(dst, func(c Chunk) bool { return c.Type.IsText() })
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.CopyRaw(dst); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(f.Name())
	if !bytes.Equal(got, input) {
		t.Fatalf("copy differs from the input (%d bytes, want %d)", len(got), len(input))
	}
	// IHDR and tEXt come from the window; the 200 IDATs and IEND are one run.
	if dst.Calls != 1 {
		t.Errorf("%d io.Copy calls into the file, want 1 for the run of IDATs", dst.Calls)
	}
}

// writeCounter counts Write calls and their sizes.
type writeCounter struct {
	bytes.Buffer
	sizes []int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.Buffer.Write(p)
}

// A small chunk goes out in one Write, a large one in three, never an empty
// one; the bytes are the same either way.
func TestWriteChunkWrites(t *testing.T) {
	for _, n := range []int{0, 13, oneWriteMax, oneWriteMax + 1, 100 << 10} {
		data := bytes.Repeat([]byte{'x'}, n)
		var w writeCounter
		if err := WriteChunk(&w, TypeIDAT, data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w.Bytes(), rawChunk("IDAT", data)) {
			t.Errorf("%d bytes: wrong chunk bytes", n)
		}
		want := []int{12 + n}
		if n > oneWriteMax {
			want = []int{8, n, 4}
		}
		if !slices.Equal(w.sizes, want) {
			t.Errorf("%d bytes: writes of %v, want %v", n, w.sizes, want)
		}
	}
}

func TestTypeCRC(t *testing.T) {
	for _, typ := range []ChunkType{TypeIHDR, TypeIEND, TypeITXt, {0, 0xff, 'a', 0x80}} {
		if got, want := typeCRC(typ), crc32.ChecksumIEEE(typ[:]); got != want {
			t.Errorf("typeCRC(%q) = %#x, want %#x", typ, got, want)
		}
	}
}

// Walking with ReadAt allocates nothing per chunk.
func TestReadAtWalkAllocations(t *testing.T) {
	few, many := manyChunksPNG(2, 8<<10), manyChunksPNG(500, 8<<10)
	allocs := func(input []byte) float64 {
		return testing.AllocsPerRun(20, func() {
			r, err := NewReader(bytes.NewReader(input), nil)
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		})
	}
	if a, b := allocs(few), allocs(many); b > a {
		t.Errorf("a walk of 503 chunks makes %v allocations, one of 5 chunks %v: some are per chunk", b, a)
	}
}
