// Package pngtest assembles PNG bytes by hand for tests: chunks with right
// or deliberately wrong CRCs and lengths, without going through the png
// package's writer (so reader tests do not depend on the writer being
// right).
package pngtest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// Signature is the 8-byte PNG signature.
const Signature = "\x89PNG\r\n\x1a\n"

// Chunk returns one chunk with a correct CRC.
func Chunk(typ string, data []byte) []byte {
	return ChunkCRC(typ, data, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// ChunkCRC returns one chunk carrying the given CRC.
func ChunkCRC(typ string, data []byte, crc uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc)
}

// WithLength overwrites the length field of a chunk built by Chunk.
func WithLength(chunk []byte, n uint32) []byte {
	c := bytes.Clone(chunk)
	binary.BigEndian.PutUint32(c, n)
	return c
}

// IHDR is a valid IHDR for a 1×1 greyscale image.
func IHDR() []byte { return Chunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0}) }

// IDAT holds the zlib stream of a 1×1 black greyscale image.
func IDAT() []byte {
	return Chunk("IDAT", []byte{0x78, 0x9c, 0x62, 0x60, 0x00, 0x04, 0x00, 0x00, 0xff, 0xff, 0x00, 0x02, 0x00, 0x01})
}

// IEND is the closing chunk.
func IEND() []byte { return Chunk("IEND", nil) }

// File concatenates the signature and the given chunks.
func File(chunks ...[]byte) []byte {
	return append([]byte(Signature), bytes.Join(chunks, nil)...)
}

// Minimal is a decodable 1×1 PNG: IHDR, the given chunks, IDAT, IEND.
func Minimal(extra ...[]byte) []byte {
	chunks := append([][]byte{IHDR()}, extra...)
	return File(append(chunks, IDAT(), IEND())...)
}
