package png

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
)

// Signature is the eight bytes every PNG stream starts with.
const Signature = "\x89PNG\r\n\x1a\n"

// MaxChunkLength is 2^31-1, the largest data length the PNG specification
// allows a chunk to declare.
const MaxChunkLength = 1<<31 - 1

// ChunkType is a chunk's four-byte type code. The bytes are case-sensitive
// ASCII letters; the case of each carries a property bit (see [ChunkType.Ancillary]
// and [ChunkType.SafeToCopy]).
type ChunkType [4]byte

// Chunk types this package knows by name.
var (
	TypeIHDR = ChunkType{'I', 'H', 'D', 'R'}
	TypeIDAT = ChunkType{'I', 'D', 'A', 'T'}
	TypeIEND = ChunkType{'I', 'E', 'N', 'D'}
	TypeTEXt = ChunkType{'t', 'E', 'X', 't'}
	TypeZTXt = ChunkType{'z', 'T', 'X', 't'}
	TypeITXt = ChunkType{'i', 'T', 'X', 't'}
)

// String returns the four characters of the type. Bytes that are not
// printable are escaped as in a Go quoted string, so garbage read from a
// corrupt file cannot upset a terminal or a log line.
func (t ChunkType) String() string {
	if t.Valid() {
		return string(t[:])
	}
	q := strconv.Quote(string(t[:]))
	return q[1 : len(q)-1]
}

// Valid reports whether all four bytes are ASCII letters, as the PNG
// specification requires.
func (t ChunkType) Valid() bool {
	for _, c := range t {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// Ancillary reports whether the chunk is ancillary (first letter lowercase):
// a decoder may ignore it without losing the image.
func (t ChunkType) Ancillary() bool { return t[0]&0x20 != 0 }

// SafeToCopy reports whether an editor that does not understand the chunk may
// still copy it into a modified file (last letter lowercase).
func (t ChunkType) SafeToCopy() bool { return t[3]&0x20 != 0 }

// IsText reports whether t is tEXt, zTXt or iTXt.
func (t ChunkType) IsText() bool {
	return t == TypeTEXt || t == TypeZTXt || t == TypeITXt
}

// Chunk describes the chunk a [Reader] is positioned on.
type Chunk struct {
	Offset int64  // offset of the chunk's length field from the start of the signature
	Length uint32 // length of the data field
	Type   ChunkType
}

// chunkCRC is the CRC-32 a chunk must carry: over type and data, not length.
func chunkCRC(typ ChunkType, data []byte) uint32 {
	crc := crc32.ChecksumIEEE(typ[:])
	return crc32.Update(crc, crc32.IEEETable, data)
}

// WriteChunk writes a complete chunk to w: length, type, data and a freshly
// computed CRC-32 over type and data.
func WriteChunk(w io.Writer, typ ChunkType, data []byte) error {
	if err := checkWritable(typ, data); err != nil {
		return err
	}
	return writeChunk(w, typ, data, chunkCRC(typ, data))
}

// WriteChunkCRC writes a chunk carrying the given CRC instead of a computed
// one. It exists to re-emit a chunk byte for byte, including one whose stored
// CRC is wrong; new chunks should use [WriteChunk].
func WriteChunkCRC(w io.Writer, typ ChunkType, data []byte, crc uint32) error {
	if err := checkWritable(typ, data); err != nil {
		return err
	}
	return writeChunk(w, typ, data, crc)
}

func checkWritable(typ ChunkType, data []byte) error {
	if !typ.Valid() {
		return &FormatError{Offset: -1, Type: typ, Err: ErrBadChunkType, Detail: "type bytes must be ASCII letters"}
	}
	if int64(len(data)) > MaxChunkLength {
		return &FormatError{Offset: -1, Type: typ, Err: ErrChunkTooLarge,
			Detail: fmt.Sprintf("data is %d bytes, the PNG maximum is %d", len(data), MaxChunkLength)}
	}
	return nil
}

func writeChunk(w io.Writer, typ ChunkType, data []byte, crc uint32) error {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ[:])
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc)
	// Three writes rather than one combined buffer: data can be large and
	// copying it only to save two calls is not worth it.
	for _, b := range [][]byte{head[:], data, tail[:]} {
		if len(b) == 0 {
			continue
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("png: writing chunk %q: %w", typ.String(), err)
		}
	}
	return nil
}
