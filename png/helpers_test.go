package png

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"testing"
)

// The helpers below assemble PNG bytes by hand, without WriteChunk, so the
// reader tests do not depend on the writer being right.

// rawChunk returns one chunk with a correct CRC.
func rawChunk(typ string, data []byte) []byte {
	crc := crc32.ChecksumIEEE(append([]byte(typ), data...))
	return rawChunkCRC(typ, data, crc)
}

// rawChunkCRC returns one chunk carrying the given CRC.
func rawChunkCRC(typ string, data []byte, crc uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc)
}

// withLength overwrites the length field of a chunk built by rawChunk.
func withLength(chunk []byte, n uint32) []byte {
	c := bytes.Clone(chunk)
	binary.BigEndian.PutUint32(c, n)
	return c
}

// ihdr is a valid IHDR for a 1x1 greyscale image.
func ihdr() []byte {
	return rawChunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0})
}

func iend() []byte { return rawChunk("IEND", nil) }

// idat holds the zlib stream of a 1x1 black greyscale image.
func idat() []byte {
	return rawChunk("IDAT", []byte{0x78, 0x9c, 0x62, 0x60, 0x00, 0x04, 0x00, 0x00, 0xff, 0xff, 0x00, 0x02, 0x00, 0x01})
}

// pngOf concatenates the signature and the given chunks.
func pngOf(chunks ...[]byte) []byte {
	return append([]byte(Signature), bytes.Join(chunks, nil)...)
}

// minimalPNG is IHDR, the given chunks, IDAT, IEND.
func minimalPNG(extra ...[]byte) []byte {
	chunks := append([][]byte{ihdr()}, extra...)
	return pngOf(append(chunks, idat(), iend())...)
}

// plainReader hides every method but Read, so the Reader cannot seek.
type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

// source returns data as a seekable or a plain reader.
func source(data []byte, seek bool) io.Reader {
	if seek {
		return bytes.NewReader(data)
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
