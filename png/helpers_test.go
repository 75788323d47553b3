package png

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/pngtest"
)

// Hand-built PNG bytes come from internal/testkit/pngtest, which does not use
// WriteChunk, so the reader tests do not depend on the writer being right.
var (
	rawChunk    = pngtest.Chunk
	rawChunkCRC = pngtest.ChunkCRC
	withLength  = pngtest.WithLength
	ihdr        = pngtest.IHDR
	iend        = pngtest.IEND
	idat        = pngtest.IDAT
	pngOf       = pngtest.File
	minimalPNG  = pngtest.Minimal
)

// plainReader hides every method but Read, so the Reader cannot seek.
type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

// seekReader hides ReadAt, so the Reader reads and seeks.
type seekReader struct{ r io.ReadSeeker }

func (s seekReader) Read(b []byte) (int, error)                { return s.r.Read(b) }
func (s seekReader) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }

// srcMode is how the Reader gets at its source.
type srcMode int

const (
	modeAt    srcMode = iota // ReadAt through a window (*bytes.Reader has Size)
	modeSeek                 // Read, and Seek past unread data
	modePlain                // Read only
)

var srcModes = []srcMode{modeAt, modeSeek, modePlain}

func (m srcMode) String() string { return [...]string{"readerat", "seeker", "plain"}[m] }

// seeks reports whether the Reader knows the stream size in this mode.
func (m srcMode) seeks() bool { return m != modePlain }

// source returns data as a reader of the given mode.
func source(data []byte, m srcMode) io.Reader {
	switch m {
	case modeAt:
		return bytes.NewReader(data)
	case modeSeek:
		return seekReader{bytes.NewReader(data)}
	}
	return plainReader{bytes.NewReader(data)}
}

// walk reads every chunk to the end, reading the data of text chunks as a
// badge extractor would, and returns the chunks seen and the first error.
func walk(r *Reader) ([]Chunk, error) {
	var chunks []Chunk
	for {
		c, err := r.Next()
		if err == io.EOF {
			return chunks, nil
		}
		if err != nil {
			return chunks, err
		}
		chunks = append(chunks, c)
		if c.Type.IsText() {
			if _, err := r.ReadData(1 << 20); err != nil {
				return chunks, err
			}
		}
	}
}

func types(chunks []Chunk) []string {
	var s []string
	for _, c := range chunks {
		s = append(s, c.Type.String())
	}
	return s
}

// checkFormatError fails unless err is a *FormatError wrapping want at the
// given offset and chunk type.
func checkFormatError(t *testing.T, err, want error, offset int64, typ ChunkType) *FormatError {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want one wrapping %v", err, want)
	}
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FormatError", err, err)
	}
	if fe.Offset != offset || fe.Type != typ {
		t.Errorf("error at offset %d chunk %q, want offset %d chunk %q (%v)", fe.Offset, fe.Type, offset, typ, err)
	}
	return fe
}

// allocatedBy returns how many bytes f allocated on the heap. Other
// goroutines of the test binary add noise, so callers compare against limits
// far from the sizes that matter.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
