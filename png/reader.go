package png

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"

	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/internal/sized"
)

// DefaultMaxTextSize caps a text chunk's data and its decompressed text when
// no other cap is given. Badge payloads are a few KiB; 8 MiB leaves room for
// large embedded-proof credentials while keeping a bomb harmless.
const DefaultMaxTextSize = 8 << 20

// DefaultMaxChunks bounds the chunks a Reader walks when no other bound is
// given. Real files have a few dozen; a stream of a million empty chunks is
// an attack on the walker, not an image.
const DefaultMaxChunks = 1 << 20

const (
	skipBufSize   = 8 << 10  // buffer for discarding skipped data on sources that cannot seek
	firstReadSize = 64 << 10 // first buffer for chunk data of unknown-size sources; it doubles from there
	maxWarnings   = 100

	// Sources read with ReadAt go through a window of winSize bytes. The
	// first read, at the signature, fills it: that covers IHDR, the small
	// ancillary and text chunks that usually follow, and often the first
	// IDAT header. Later reads, at a chunk header that is not in the window,
	// take laterReadSize bytes: enough for a run of small chunks, small
	// enough that the bytes read follow the number of chunks, not the size
	// of the file.
	winSize       = 2 << 10
	laterReadSize = 512
	copyBufSize   = 32 << 10 // CopyRaw's buffer for writers without ReadFrom
)

// ReadOptions adjusts a Reader. The zero value (or a nil pointer) gives strict
// CRC checking and the default caps.
type ReadOptions struct {
	// Lenient turns a bad CRC into a Warning instead of an error. Mozilla's
	// 2011-12 baker wrote wrong CRCs into real badges.
	Lenient bool
	// MaxTextSize caps a text chunk's data and its decompressed text in
	// ReadText; 0 means DefaultMaxTextSize.
	MaxTextSize int64
	// MaxChunks bounds the number of chunks; 0 means DefaultMaxChunks.
	MaxChunks int
}

// Reader walks the chunks of a PNG stream. It is not safe for concurrent use.
//
// Once Next returns an error, every later call returns the same error; after
// IEND it returns io.EOF.
type Reader struct {
	src       io.Reader   // the caller's reader, never wrapped (see CopyRaw)
	seeker    io.Seeker   // nil when src cannot seek
	at        io.ReaderAt // non-nil when the stream is read with ReadAt (see NewReader)
	base      int64       // with at: the offset in at of the signature
	size      int64       // bytes in the stream from the signature on; -1 if unknown
	lenient   bool
	maxText   int64
	maxChunks int

	pos       int64 // offset of the next byte src will deliver
	bytesRead int64
	nchunks   int
	ended     bool  // IEND has been returned
	err       error // sticky error from Next (or io.EOF)

	// The current chunk. Its data and CRC are either still in src (pending),
	// read into data and storedCRC (inMemory), or gone to a CopyRaw writer
	// (neither).
	cur       Chunk
	hasCur    bool
	head      [8]byte // length and type exactly as read, for CopyRaw
	pending   bool
	inMemory  bool
	handedOut bool // ReadData has returned this chunk's data
	data      []byte
	storedCRC uint32

	scratch  [4]byte
	skipBuf  []byte
	warnings []Warning

	// With at: win holds the stream bytes from offset winOff on. Reads only
	// move forward, so the windows never overlap and the walk reads no byte
	// twice.
	win       []byte
	winBuf    *[]byte // win's pooled buffer
	winOff    int64
	readAhead int              // bytes the next window read asks for
	lr        io.LimitedReader // reused by every copy from src
}

// NewReader reads and checks the 8-byte signature. opts may be nil.
//
// If r is an io.ReadSeeker that can really seek (a pipe is an *os.File too, but
// cannot), the Reader learns the size of the stream from r's current position
// to its end, and skips chunk data nobody reads by seeking. Offsets reported by
// the Reader count from the position r had when NewReader was called.
//
// If r is moreover an io.ReaderAt whose size is known without reading it (a
// regular *os.File, through Stat; a *bytes.Reader, *strings.Reader or
// *io.SectionReader, through Size), the Reader does not use r's read position
// at all: it reads with ReadAt through a small window, so a chunk header costs
// at most one read, and none when an earlier read already brought it in, and
// skipping data costs nothing. Only CopyRaw and CopyRawUntil move r's position,
// to hand the copy to io.Copy (see CopyRaw); otherwise r is left where it was.
func NewReader(r io.Reader, opts *ReadOptions) (*Reader, error) {
	pr := &Reader{src: r, size: -1, maxText: DefaultMaxTextSize, maxChunks: DefaultMaxChunks}
	if opts != nil {
		pr.lenient = opts.Lenient
		if opts.MaxTextSize > 0 {
			pr.maxText = opts.MaxTextSize
		}
		if opts.MaxChunks > 0 {
			pr.maxChunks = opts.MaxChunks
		}
	}
	if ra, s, base, size, ok := sized.ReaderAt(r); ok {
		pr.at, pr.seeker, pr.base, pr.size = ra, s, base, size
		pr.winBuf = winPool.Get().(*[]byte)
		pr.win = (*pr.winBuf)[:0]
		pr.readAhead = winSize
	} else if s, ok := r.(io.Seeker); ok {
		size, err := streamSize(s)
		if err != nil {
			return nil, err
		}
		if size >= 0 {
			pr.seeker, pr.size = s, size
		}
	}
	sig := pr.head[:len(Signature)] // free until the first chunk header
	n, err := pr.readFull(sig)
	if err != nil && !isEOF(err) {
		pr.releaseWindow()
		return nil, fmt.Errorf("png: reading signature: %w", err)
	}
	if n < len(sig) || string(sig) != Signature {
		pr.releaseWindow()
		return nil, &FormatError{Offset: 0, Err: ErrNotPNG, Detail: describeNotPNG(sig[:n])}
	}
	return pr, nil
}

// streamSize returns the number of bytes from s's position to its end and
// leaves the position where it was, or -1 if s cannot seek after all.
func streamSize(s io.Seeker) (int64, error) {
	start, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1, nil
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return -1, nil
	}
	if _, err := s.Seek(start, io.SeekStart); err != nil {
		return -1, fmt.Errorf("png: restoring the read position: %w", err)
	}
	if end < start {
		return -1, nil
	}
	return end - start, nil
}

// describeNotPNG says what the first bytes look like instead, because files
// named .png are often JPEGs, SVGs or JSON.
func describeNotPNG(b []byte) string {
	if len(b) > 0 && len(b) < len(Signature) && bytes.HasPrefix([]byte(Signature), b) {
		return fmt.Sprintf("input is only %d bytes, shorter than the %d-byte signature", len(b), len(Signature))
	}
	d := magic.Describe(b)
	switch {
	case d == "", d == "binary data":
		return fmt.Sprintf("signature is % x, want % x", b, Signature)
	case strings.HasPrefix(d, "a PNG"):
		return fmt.Sprintf("input looks like %s: signature is % x, want % x", d, b, Signature)
	}
	return "input looks like " + d
}

// Next moves to the next chunk and returns its header. Data of the previous
// chunk that was neither read nor copied is skipped: by Seek when the source
// can seek (the CRC is then not checked: it was not read), or else by reading
// it through a small fixed buffer (and then the CRC is checked).
//
// Next checks that the first chunk is a 13-byte IHDR, that every type is four
// ASCII letters, that no length exceeds MaxChunkLength, that (when the stream
// size is known) each chunk fits in the bytes present, and that there are no
// more than ReadOptions.MaxChunks chunks. Input that ends cleanly between
// chunks before IEND is ErrMissingIEND; input that ends inside a chunk is
// ErrTruncated.
//
// After IEND has been returned (its CRC checked), Next returns io.EOF; data
// after IEND is ignored, with a Warning when the stream size is known.
func (r *Reader) Next() (Chunk, error) {
	c, err := r.nextKeep()
	if err != nil {
		r.releaseWindow()
	}
	return c, err
}

// nextKeep is Next without giving the window back at the end, for
// CopyRawUntil, which may still write from it.
func (r *Reader) nextKeep() (Chunk, error) {
	if r.err != nil {
		return Chunk{}, r.err
	}
	c, err := r.next()
	if err != nil {
		r.err = err
		r.hasCur = false
		return Chunk{}, err
	}
	return c, nil
}

// Windows are pooled: a folder of images is unbaked without allocating one
// per image. A Reader gives its window back when Next has returned io.EOF or
// an error, after which nothing reads or writes from it (every method then
// returns that error).
var winPool = sync.Pool{New: func() any {
	b := make([]byte, 0, winSize)
	return &b
}}

func (r *Reader) releaseWindow() {
	if r.winBuf == nil {
		return
	}
	*r.winBuf = r.win[:0]
	winPool.Put(r.winBuf)
	r.winBuf, r.win = nil, nil
}

func (r *Reader) next() (Chunk, error) {
	if err := r.finish(); err != nil {
		return Chunk{}, err
	}
	if r.ended {
		return Chunk{}, io.EOF
	}
	c, err := r.readHeader()
	if err != nil {
		return Chunk{}, err
	}
	r.nchunks++
	r.cur, r.hasCur = c, true
	r.pending, r.inMemory, r.handedOut = true, false, false
	r.data, r.storedCRC = nil, 0
	if c.Type == TypeIEND {
		if err := r.endStream(); err != nil {
			return Chunk{}, err
		}
	}
	return c, nil
}

// readHeader reads and checks the length and type of the chunk at r.pos.
func (r *Reader) readHeader() (Chunk, error) {
	off := r.pos
	if r.nchunks >= r.maxChunks {
		return Chunk{}, &FormatError{Offset: off, Err: ErrTooManyChunks,
			Detail: fmt.Sprintf("more than %d chunks", r.maxChunks)}
	}
	if r.at != nil {
		// Have the whole header in the window, so CopyRaw can write the chunk
		// from there in one piece. A failure shows in readFull below.
		if i := off - r.winOff; i < 0 || i+8 > int64(len(r.win)) {
			r.fill(8)
		}
	}
	n, err := r.readFull(r.head[:])
	switch {
	case n == 0 && err == io.EOF:
		return Chunk{}, &FormatError{Offset: off, Err: ErrMissingIEND,
			Detail: fmt.Sprintf("input ends after %d chunks", r.nchunks)}
	case isEOF(err):
		return Chunk{}, &FormatError{Offset: off, Err: ErrTruncated,
			Detail: fmt.Sprintf("input ends %d bytes into an 8-byte chunk header", n)}
	case err != nil:
		return Chunk{}, fmt.Errorf("png: reading chunk header at offset %d: %w", off, err)
	}
	c := Chunk{Offset: off, Length: binary.BigEndian.Uint32(r.head[:4])}
	copy(c.Type[:], r.head[4:])
	return c, r.checkHeader(c)
}

// checkHeader checks a chunk header. It builds its errors with formatErr
// rather than a closure, which would make c escape on every call.
func (r *Reader) checkHeader(c Chunk) error {
	if c.Length > MaxChunkLength {
		return formatErr(c.Offset, c.Type, ErrChunkTooLarge, "declared length %d exceeds the PNG maximum %d", c.Length, MaxChunkLength)
	}
	if !c.Type.Valid() {
		typ := c.Type // a copy, so that slicing it does not move c to the heap
		return formatErr(c.Offset, c.Type, ErrBadChunkType, "type bytes % x are not all ASCII letters", typ[:])
	}
	if r.nchunks == 0 {
		if c.Type != TypeIHDR {
			return formatErr(c.Offset, ChunkType{}, ErrIHDRNotFirst, "first chunk is \"%s\"", c.Type)
		}
		if c.Length != 13 {
			return formatErr(c.Offset, ChunkType{}, ErrBadIHDR, "IHDR length is %d, want 13", c.Length)
		}
	}
	if r.size >= 0 {
		need, left := 12+int64(c.Length), r.size-c.Offset
		if need > left {
			return formatErr(c.Offset, c.Type, ErrTruncated, "chunk needs %d bytes (12 + %d data) but only %d remain", need, c.Length, left)
		}
	}
	return nil
}

func formatErr(off int64, typ ChunkType, sentinel error, format string, args ...any) error {
	return &FormatError{Offset: off, Type: typ, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// endStream handles IEND. Its CRC is read at once, since a caller that stops
// at IEND would otherwise never have it checked.
func (r *Reader) endStream() error {
	r.ended = true
	c := r.cur
	if c.Length == 0 {
		if err := r.load(); err != nil {
			return err
		}
	} else {
		r.warn(c.Offset, c.Type, fmt.Sprintf("IEND has %d data bytes, want 0", c.Length))
	}
	if r.size >= 0 {
		end := c.Offset + 12 + int64(c.Length)
		if extra := r.size - end; extra > 0 {
			r.warn(end, ChunkType{}, fmt.Sprintf("%d bytes after IEND ignored", extra))
		}
	}
	return nil
}

// finish consumes whatever is left of the current chunk.
func (r *Reader) finish() error {
	if !r.pending {
		return nil
	}
	r.pending = false
	rest := int64(r.cur.Length) + 4
	if r.at != nil {
		// Nothing to do but move on: the next read is a ReadAt there. The
		// header check made sure the chunk fits in the stream.
		r.pos += rest
		return nil
	}
	if r.seeker == nil {
		return r.discard()
	}
	if _, err := r.seeker.Seek(rest, io.SeekCurrent); err != nil {
		return fmt.Errorf("png: skipping chunk \"%s\" at offset %d: %w", r.cur.Type, r.cur.Offset, err)
	}
	r.pos += rest
	return nil
}

// discard reads the current chunk's data and CRC through a fixed buffer and
// checks the CRC, which is free since the bytes pass by anyway.
func (r *Reader) discard() error {
	if r.skipBuf == nil {
		r.skipBuf = make([]byte, skipBufSize)
	}
	crc := crc32.ChecksumIEEE(r.cur.Type[:])
	for left := int64(r.cur.Length); left > 0; {
		n, err := r.readFull(r.skipBuf[:min(left, int64(len(r.skipBuf)))])
		crc = crc32.Update(crc, crc32.IEEETable, r.skipBuf[:n])
		if err != nil {
			return r.dataErr(err)
		}
		left -= int64(n)
	}
	stored, err := r.readCRC()
	if err != nil {
		return err
	}
	return r.checkCRC(stored, crc)
}

// load reads the current chunk's data and CRC into memory and checks the CRC.
// The data is kept even when the CRC is wrong, so CopyRaw can still re-emit it.
func (r *Reader) load() error {
	data, err := r.readN(int64(r.cur.Length))
	if err != nil {
		r.pending = false
		return r.dataErr(err)
	}
	stored, err := r.readCRC()
	r.pending = false
	if err != nil {
		return err
	}
	r.inMemory, r.data, r.storedCRC = true, data, stored
	return r.checkCRC(stored, chunkCRC(r.cur.Type, data))
}

func (r *Reader) readCRC() (uint32, error) {
	if _, err := r.readFull(r.scratch[:]); err != nil {
		return 0, r.dataErr(err)
	}
	return binary.BigEndian.Uint32(r.scratch[:]), nil
}

// readN reads n bytes. With a known size the chunk was checked to fit, so one
// allocation is right. Without one, the buffer grows only as bytes arrive, so
// a length field that lies costs no more memory than the input really holds.
func (r *Reader) readN(n int64) ([]byte, error) {
	if r.size >= 0 {
		buf := make([]byte, n)
		_, err := r.readFull(buf)
		return buf, err
	}
	buf := make([]byte, 0, min(n, firstReadSize))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			// Double, but never past n: cap(buf) <= n throughout.
			buf = append(make([]byte, 0, min(n, 2*int64(cap(buf)))), buf...)
		}
		m, err := r.readFull(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func (r *Reader) checkCRC(stored, computed uint32) error {
	if stored == computed {
		return nil
	}
	detail := fmt.Sprintf("stored 0x%08x, computed 0x%08x", stored, computed)
	if r.lenient {
		r.warn(r.cur.Offset, r.cur.Type, "bad CRC: "+detail)
		return nil
	}
	return &FormatError{Offset: r.cur.Offset, Type: r.cur.Type, Err: ErrBadCRC, Detail: detail}
}

// dataErr turns a failed read inside the current chunk into an error.
func (r *Reader) dataErr(err error) error {
	c := r.cur
	if isEOF(err) {
		return &FormatError{Offset: c.Offset, Type: c.Type, Err: ErrTruncated,
			Detail: fmt.Sprintf("chunk needs %d bytes (12 + %d data) but input ends after %d", 12+int64(c.Length), c.Length, r.pos-c.Offset)}
	}
	return fmt.Errorf("png: reading chunk \"%s\" at offset %d: %w", c.Type, c.Offset, err)
}

// ReadData reads the current chunk's data field and CRC and checks the CRC: a
// mismatch is an error wrapping ErrBadCRC, or a Warning in lenient mode.
//
// If the chunk is longer than limit, ReadData returns an error wrapping
// ErrChunkTooLarge without allocating or consuming anything; Next then skips
// the chunk, and CopyRaw can still copy it. ReadData can be called once per
// chunk.
func (r *Reader) ReadData(limit int64) ([]byte, error) {
	if err := r.usable("ReadData"); err != nil {
		return nil, err
	}
	c := r.cur
	switch {
	case r.handedOut:
		return nil, fmt.Errorf("png: ReadData called twice for chunk \"%s\" at offset %d", c.Type, c.Offset)
	case !r.pending && !r.inMemory:
		return nil, fmt.Errorf("png: ReadData called after CopyRaw for chunk \"%s\" at offset %d", c.Type, c.Offset)
	case r.pending && int64(c.Length) > limit:
		return nil, &FormatError{Offset: c.Offset, Type: c.Type, Err: ErrChunkTooLarge,
			Detail: fmt.Sprintf("data is %d bytes, over the limit of %d", c.Length, limit)}
	}
	if r.pending {
		if err := r.load(); err != nil {
			r.handedOut = true
			if !errors.Is(err, ErrBadCRC) {
				r.err = err // the stream position is lost
			}
			return nil, err
		}
	}
	r.handedOut = true
	return r.data, nil
}

// ReadText reads the current chunk, which must be tEXt, zTXt or iTXt, and
// parses it with ParseText, both capped by ReadOptions.MaxTextSize. Data over
// the cap is refused before allocating, with an error wrapping ErrTextTooLarge.
func (r *Reader) ReadText() (*Text, error) {
	if err := r.usable("ReadText"); err != nil {
		return nil, err
	}
	c := r.cur
	if !c.Type.IsText() {
		return nil, fmt.Errorf("png: ReadText called on chunk \"%s\" at offset %d, not a text chunk", c.Type, c.Offset)
	}
	data, err := r.ReadData(r.maxText)
	if fe := (*FormatError)(nil); errors.As(err, &fe) && fe.Err == ErrChunkTooLarge {
		fe.Err = ErrTextTooLarge
	}
	if err != nil {
		return nil, err
	}
	t, err := ParseText(c.Type, data, r.maxText)
	if fe := (*FormatError)(nil); errors.As(err, &fe) && fe.Offset < 0 {
		fe.Offset = c.Offset
	}
	return t, err
}

// StoredCRC returns the CRC stored in the file for the current chunk. It is
// valid after ReadData (and for IEND); otherwise it returns 0.
func (r *Reader) StoredCRC() uint32 {
	if !r.hasCur || !r.inMemory {
		return 0
	}
	return r.storedCRC
}

// CopyRaw copies the current chunk verbatim to w: length, type, data and
// stored CRC, 12+Length bytes, without checking the CRC. It writes the 8
// header bytes it already holds and then io.CopyBuffer from the source, so
// when both sides are *os.File the kernel does the copy. When the source is
// read with ReadAt (see NewReader), the part of the chunk already read (often
// all of a small chunk) is written in one Write, and the source is seeked
// once to where the rest starts before io.CopyBuffer. After ReadData it writes
// the chunk from memory instead. Input that ends early yields ErrTruncated.
func (r *Reader) CopyRaw(w io.Writer) (int64, error) {
	if err := r.usable("CopyRaw"); err != nil {
		return 0, err
	}
	c := r.cur
	if r.inMemory {
		return r.copyFromMemory(w)
	}
	if !r.pending {
		return 0, fmt.Errorf("png: CopyRaw called twice for chunk \"%s\" at offset %d", c.Type, c.Offset)
	}
	end := c.Offset + 12 + int64(c.Length)
	from := c.Offset + 8 // where the bytes still in the source start
	var (
		nh  int
		err error
	)
	if i := c.Offset - r.winOff; r.at != nil && i >= 0 && i+8 <= int64(len(r.win)) {
		j := min(end-r.winOff, int64(len(r.win)))
		nh, err = w.Write(r.win[i:j])
		from = r.winOff + j
	} else {
		nh, err = w.Write(r.head[:])
	}
	if err != nil {
		// Nothing was taken from the source: the Reader is still usable.
		return int64(nh), fmt.Errorf("png: copying chunk \"%s\" at offset %d: %w", c.Type, c.Offset, err)
	}
	r.pending = false
	if r.at != nil {
		r.pos = from
	}
	if from == end {
		return int64(nh), nil
	}
	n, err := r.copySource(w, from, end-from)
	r.pos = from + n
	if err != nil {
		if err == io.EOF {
			err = r.dataErr(err)
		} else {
			err = fmt.Errorf("png: copying chunk \"%s\" at offset %d: %w", c.Type, c.Offset, err)
		}
		r.err = err // the stream position is lost
		return int64(nh) + n, err
	}
	return int64(nh) + n, nil
}

// copySource copies the n stream bytes at offset from to w with
// io.CopyBuffer, straight from the caller's reader (so that io.Copy can hand
// a file-to-file copy to the kernel). With ReadAt sources the reader is first
// seeked to from; other sources are there already. A source that ends early
// gives io.EOF. The bytes count as read.
func (r *Reader) copySource(w io.Writer, from, n int64) (int64, error) {
	if r.at != nil {
		if _, err := r.seeker.Seek(r.base+from, io.SeekStart); err != nil {
			return 0, err
		}
	}
	r.lr = io.LimitedReader{R: r.src, N: n}
	var written int64
	var err error
	if _, ok := w.(io.ReaderFrom); ok {
		written, err = io.Copy(w, &r.lr) // ReadFrom: the buffer would not be used
	} else {
		buf := copyBufPool.Get().(*[]byte)
		written, err = io.CopyBuffer(w, &r.lr, *buf)
		copyBufPool.Put(buf)
	}
	r.lr.R = nil
	r.bytesRead += written
	if err == nil && written < n {
		err = io.EOF
	}
	return written, err
}

var copyBufPool = sync.Pool{New: func() any {
	b := make([]byte, copyBufSize)
	return &b
}}

func (r *Reader) copyFromMemory(w io.Writer) (int64, error) {
	c := r.cur
	var (
		n   int
		err error
	)
	end := c.Offset + 12 + int64(c.Length)
	if i := c.Offset - r.winOff; r.at != nil && i >= 0 && end-r.winOff <= int64(len(r.win)) {
		n, err = w.Write(r.win[i : end-r.winOff]) // the chunk as read, in one piece
	} else {
		n, err = writeRaw(w, &r.head, r.data, r.storedCRC)
	}
	if err != nil {
		return int64(n), fmt.Errorf("png: copying chunk \"%s\" at offset %d: %w", c.Type, c.Offset, err)
	}
	return int64(n), nil
}

// CopyRawUntil moves on with Next and copies each chunk to w as CopyRaw
// would, until Next returns a chunk for which stop reports true: that chunk
// is returned, uncopied, as the current chunk, just as Next returned it.
// After copying IEND it returns io.EOF; it returns other errors as Next and
// CopyRaw do. It has the effect of this loop:
//
//	for {
//		c, err := r.Next()
//		if err != nil {
//			return Chunk{}, err
//		}
//		if stop(c) {
//			return c, nil
//		}
//		if _, err := r.CopyRaw(w); err != nil {
//			return Chunk{}, err
//		}
//	}
//
// but when the source is read with ReadAt (see NewReader), it copies each
// run of consecutive chunks with a single seek and io.CopyBuffer when the
// run ends, so a file-to-file copy of, say, a thousand IDAT chunks is one
// copy_file_range instead of a thousand. The bytes of a run are written
// before CopyRawUntil returns; BytesRead counts them as read by the copy,
// even those of headers that were read to walk the run.
func (r *Reader) CopyRawUntil(w io.Writer, stop func(Chunk) bool) (Chunk, error) {
	if r.at == nil {
		for {
			c, err := r.Next()
			if err != nil {
				return Chunk{}, err
			}
			if stop(c) {
				return c, nil
			}
			if _, err := r.CopyRaw(w); err != nil {
				return Chunk{}, err
			}
		}
	}
	runStart, runEnd := int64(-1), int64(-1) // stream bytes not yet copied
	for {
		c, err := r.nextKeep()
		if err != nil {
			ferr := r.copyRun(w, runStart, runEnd)
			r.releaseWindow()
			if ferr != nil {
				return Chunk{}, ferr
			}
			return Chunk{}, err
		}
		if stop(c) {
			if err := r.copyRun(w, runStart, runEnd); err != nil {
				return Chunk{}, err
			}
			return c, nil
		}
		if c.Offset != runEnd {
			// Runs are contiguous unless this is the first chunk.
			if err := r.copyRun(w, runStart, runEnd); err != nil {
				return Chunk{}, err
			}
			runStart = c.Offset
		}
		runEnd = c.Offset + 12 + int64(c.Length)
		if r.pending {
			// Consumed, as by CopyRaw; Next moves on from runEnd.
			r.pending = false
			r.pos = runEnd
		}
	}
}

// copyRun writes the stream bytes [start, end) to w: from the window when
// they are all in it, else from the source with copySource.
func (r *Reader) copyRun(w io.Writer, start, end int64) error {
	if start < 0 || start == end {
		return nil
	}
	var err error
	if i := start - r.winOff; i >= 0 && end-r.winOff <= int64(len(r.win)) {
		_, err = w.Write(r.win[i : end-r.winOff])
	} else {
		_, err = r.copySource(w, start, end-start)
	}
	if err != nil {
		if err == io.EOF {
			err = &FormatError{Offset: start, Err: ErrTruncated,
				Detail: fmt.Sprintf("input ends before offset %d, while copying the chunks from offset %d", end, start)}
		} else {
			err = fmt.Errorf("png: copying the chunks at offsets %d to %d: %w", start, end, err)
		}
		r.err = err
	}
	return err
}

// usable reports why the current chunk cannot be used, if it cannot.
func (r *Reader) usable(op string) error {
	if r.err != nil && r.err != io.EOF {
		return r.err
	}
	if !r.hasCur || r.err == io.EOF {
		return fmt.Errorf("png: %s called with no current chunk", op)
	}
	return nil
}

// Warnings returns the problems tolerated so far, in stream order. At most
// 100 are kept; the last then says that more were dropped.
func (r *Reader) Warnings() []Warning {
	return append([]Warning(nil), r.warnings...)
}

func (r *Reader) warn(off int64, typ ChunkType, msg string) {
	switch {
	case len(r.warnings) < maxWarnings-1:
		r.warnings = append(r.warnings, Warning{Offset: off, Type: typ, Message: msg})
	case len(r.warnings) == maxWarnings-1:
		r.warnings = append(r.warnings, Warning{Offset: off, Message: "too many warnings; later ones dropped"})
	}
}

// BytesRead returns the number of bytes read from the source so far, including
// those CopyRaw copied. Bytes skipped by seeking are not counted. With a source
// read with ReadAt (see NewReader) it counts what each ReadAt returned: a read
// at a chunk header takes up to a few hundred bytes more, so small chunks
// that follow cost nothing more, and the count grows with the number of
// chunks, not with their size.
func (r *Reader) BytesRead() int64 { return r.bytesRead }

// readFull reads len(p) bytes at r.pos, with io.ReadFull's errors.
func (r *Reader) readFull(p []byte) (int, error) {
	if r.at != nil {
		return r.readFullAt(p)
	}
	n, err := io.ReadFull(r.src, p)
	r.bytesRead += int64(n)
	r.pos += int64(n)
	return n, err
}

// readFullAt is readFull for ReadAt sources: from the window, refilled as
// needed, except that what is longer than the window is read straight into
// p. Nothing past r.size is read.
func (r *Reader) readFullAt(p []byte) (int, error) {
	n := 0
	for {
		if i := r.pos - r.winOff; i >= 0 && i < int64(len(r.win)) {
			m := copy(p[n:], r.win[i:])
			n += m
			r.pos += int64(m)
		}
		if n == len(p) {
			return n, nil
		}
		var err error
		if rest := len(p) - n; rest > cap(r.win) {
			err = r.readAt(p[n:n+int(max(0, min(int64(rest), r.size-r.pos)))], &n)
		} else {
			var got int
			got, err = r.fill(min(rest+12, cap(r.win))) // and the CRC and next header, if they follow

			if got == 0 && err == nil {
				err = io.EOF
			}
		}
		if err == io.EOF || err == nil && n < len(p) && r.pos >= r.size {
			if n == 0 {
				return 0, io.EOF
			}
			return n, io.ErrUnexpectedEOF
		}
		if err != nil {
			return n, err
		}
	}
}

// readAt reads p at r.pos with one ReadAt, adding what it got to *n. A
// short read is io.EOF: the source is shorter than its size said.
func (r *Reader) readAt(p []byte, n *int) error {
	m, err := r.at.ReadAt(p, r.base+r.pos)
	r.bytesRead += int64(m)
	r.pos += int64(m)
	*n += m
	if m < len(p) && (err == nil || err == io.EOF) {
		return io.EOF
	}
	if err == io.EOF {
		err = nil // a full read may come with io.EOF
	}
	return err
}

// fill refills the window from r.pos on, keeping the bytes of the window at
// and after r.pos, so that it holds at least min(want, bytes left) bytes
// (want <= cap(r.win)), and reading up to r.readAhead bytes if more are
// left. It returns the number of new bytes.
func (r *Reader) fill(want int) (int, error) {
	keep := 0
	if i := r.pos - r.winOff; i >= 0 && i < int64(len(r.win)) {
		keep = copy(r.win[:cap(r.win)], r.win[i:])
	}
	r.win, r.winOff = r.win[:keep], r.pos
	end := min(int64(max(want, r.readAhead, keep)), int64(cap(r.win)), r.size-r.pos)
	r.readAhead = laterReadSize
	if end <= int64(keep) {
		return 0, nil
	}
	m, err := r.at.ReadAt(r.win[keep:end], r.base+r.pos+int64(keep))
	r.bytesRead += int64(m)
	r.win = r.win[:keep+m]
	if err == io.EOF || m == int(end)-keep {
		err = nil // short: the source shrank; the caller sees too few bytes
	}
	return m, err
}

func isEOF(err error) bool {
	return err == io.EOF || err == io.ErrUnexpectedEOF
}
