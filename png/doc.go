// Package png reads and writes PNG files at the chunk level, which is all that
// baking an Open Badges credential into an image, or extracting one, needs.
//
// # Why chunks, not pixels
//
// A baked badge is an ordinary PNG with one extra text chunk: iTXt "openbadges"
// (OB 2.0), iTXt "openbadgecredential" (OB 3.0) or, for badges baked before
// 2013, tEXt "openbadges". Decoding and re-encoding the image, as image/png
// would, drops every ancillary chunk (image/png ignores text chunks on read and
// writes none) and rewrites bytes that need not change. This package never
// looks at pixel data: a [Reader] walks the chunk headers, hands out the data of
// the chunks the caller asks for, and copies the others byte for byte with
// [Reader.CopyRaw]; [WriteChunk] writes new ones.
//
// # Skipping what is not read
//
// When the source is an [io.Seeker] that can really seek (an *os.File on a
// regular file, a *bytes.Reader), the Reader learns the stream size up front and
// skips the data of chunks nobody reads, so finding a credential in a 50 MiB
// photo reads a few kilobytes at most. If the source is also an [io.ReaderAt]
// of known size (a regular *os.File, whose size one Stat gives; anything with
// a Size method), the Reader reads it with ReadAt at the offsets it needs,
// through a small window: the first read takes 2 KiB, which usually holds the
// signature, IHDR, the text chunks and the first IDAT header; a later chunk
// header costs one read of a few hundred bytes, or none when the window holds
// it already; skipping data costs nothing. Other seekers are read header by
// header and skipped with Seek. Other sources are read and discarded through a
// small fixed buffer. The Reader never wraps the source in a bufio.Reader:
// that would hide the *os.File from io.Copy, which is what lets [Reader.CopyRaw]
// and [Reader.CopyRawUntil] hand the copy to the kernel (copy_file_range or
// sendfile). They write what the window already holds from memory, seek the
// source once to where the rest starts, and copy the rest from the source;
// CopyRawUntil copies a whole run of chunks that way, in one io.Copy.
//
// # CRC policy
//
// A chunk's CRC is checked whenever its bytes are actually read: by
// [Reader.ReadData], for IEND, and when unread data is skipped on a source that
// cannot seek. Data skipped by Seek is not read, so its CRC is not checked, and
// CopyRaw re-emits the stored CRC unchecked so that copies are exact. A mismatch
// is an error wrapping [ErrBadCRC] by default. With [ReadOptions.Lenient] it is
// recorded as a [Warning] instead, because real legacy badges carry wrong CRCs:
// the metapng library used by Mozilla's backpack until February 2012 computed
// tEXt CRCs with a signed shift.
//
// # Limits
//
// Input is untrusted. Declared lengths above [MaxChunkLength] are refused. When
// the stream size is known, a chunk must fit in the bytes present; when it is
// not, data is read in growing pieces, so a lying length costs no more memory
// than the bytes that really arrive. ReadData takes an explicit limit and refuses
// a larger chunk before allocating anything. Compressed text (zTXt, or iTXt with
// compression flag 1) is inflated through a hard cap ([DefaultMaxTextSize] unless
// told otherwise): a decompression bomb yields [ErrTextTooLarge], never an
// allocation past the cap. The number of chunks is bounded ([DefaultMaxChunks]).
//
// # Errors
//
// Problems with the bytes are [*FormatError] values that wrap one of the Err*
// sentinels and carry the offset and chunk type; test them with [errors.Is] and
// [errors.As]. Errors from the source or destination themselves (a failing disk)
// are returned wrapped with context, not as FormatErrors.
package png
