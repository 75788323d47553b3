package png

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"sync"
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
	return crc32.Update(typeCRC(typ), crc32.IEEETable, data)
}

// typeCRC is crc32.ChecksumIEEE(typ[:]), computed byte by byte from the
// table: handing typ[:] to crc32 would move typ to the heap on every call.
func typeCRC(typ ChunkType) uint32 {
	crc := ^uint32(0)
	for _, b := range typ {
		crc = crc32.IEEETable[byte(crc)^b] ^ crc>>8
	}
	return ^crc
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
	if _, err := writeRaw(w, &head, data, crc); err != nil {
		return fmt.Errorf("png: writing chunk %q: %w", typ.String(), err)
	}
	return nil
}

// oneWriteMax is the largest chunk data that writeRaw copies into a buffer to
// write the whole chunk in one Write. Larger data goes out as it is, between
// the header and the CRC: copying it would cost more than the two calls it
// saves.
const oneWriteMax = 16 << 10

var chunkBufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 12+oneWriteMax)
	return &b
}}

// writeRaw writes a chunk given its 8 header bytes, its data and its CRC: in
// one Write when the data is small, else in three (never an empty one). The
// bytes written go through a pooled buffer, so that no caller's array moves
// to the heap.
func writeRaw(w io.Writer, head *[8]byte, data []byte, crc uint32) (int, error) {
	bp := chunkBufPool.Get().(*[]byte)
	defer chunkBufPool.Put(bp)
	b := append((*bp)[:0], head[:]...)
	if len(data) <= oneWriteMax {
		b = append(b, data...)
		b = binary.BigEndian.AppendUint32(b, crc)
		*bp = b[:0]
		return w.Write(b)
	}
	total, err := w.Write(b)
	if err != nil {
		return total, err
	}
	n, err := w.Write(data)
	total += n
	if err != nil {
		return total, err
	}
	b = binary.BigEndian.AppendUint32(b[:0], crc)
	n, err = w.Write(b)
	return total + n, err
}
