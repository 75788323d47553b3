package png

import (
	"errors"
	"fmt"
	"strings"

	"github.com/badgebake/badgebake/errkind"
)

// Sentinel errors. The package returns them wrapped in a [*FormatError], which
// says where the problem is; use [errors.Is] to test for them.
var (
	ErrNotPNG        = errors.New("png: not a PNG file")
	ErrTruncated     = errors.New("png: unexpected end of input")
	ErrBadCRC        = errors.New("png: bad CRC")
	ErrChunkTooLarge = errors.New("png: chunk data too large")
	ErrMissingIEND   = errors.New("png: missing IEND")
	ErrIHDRNotFirst  = errors.New("png: IHDR is not the first chunk")
	ErrBadIHDR       = errors.New("png: invalid IHDR")
	ErrBadChunkType  = errors.New("png: invalid chunk type")
	ErrTooManyChunks = errors.New("png: too many chunks")
	ErrTextTooLarge  = errors.New("png: text too large")
	ErrBadText       = errors.New("png: malformed text")
)

// FormatError reports a problem with the bytes of a PNG stream or of a text
// chunk, and where it is.
type FormatError struct {
	// Offset is the offset of the chunk's length field from the start of the
	// signature (0 for the signature itself), or -1 when there is no stream to
	// point into, as for [ParseText] and [Text.Encode].
	Offset int64
	// Type is the chunk concerned; zero when the problem is not in one chunk.
	Type   ChunkType
	Err    error  // one of the Err* sentinels
	Detail string // what exactly is wrong, with the numbers involved
}

// Error reads like
//
//	png: bad CRC in chunk "tEXt" at offset 33: stored 0xf775a85b, computed 0xa500944f
func (e *FormatError) Error() string {
	var b strings.Builder
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("png: invalid format")
	}
	if e.Type != (ChunkType{}) {
		fmt.Fprintf(&b, " in chunk \"%s\"", e.Type)
	}
	// Offset 0 is the signature, where saying "at offset 0" adds nothing.
	if e.Offset > 0 {
		fmt.Fprintf(&b, " at offset %d", e.Offset)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns the sentinel, so errors.Is(err, ErrBadCRC) works.
func (e *FormatError) Unwrap() error { return e.Err }

// ErrorKind is errkind.BadInput: the PNG is broken.
func (e *FormatError) ErrorKind() errkind.Kind { return errkind.BadInput }

// Warning is a problem the Reader tolerated: a bad CRC in lenient mode, bytes
// after IEND, an IEND with data.
type Warning struct {
	Offset  int64     // offset of the chunk, or of the bytes concerned
	Type    ChunkType // zero when not about one chunk
	Message string
}

func (w Warning) String() string {
	if w.Type == (ChunkType{}) {
		return fmt.Sprintf("offset %d: %s", w.Offset, w.Message)
	}
	return fmt.Sprintf("chunk \"%s\" at offset %d: %s", w.Type, w.Offset, w.Message)
}
