// Package sized decides whether a reader can be read with ReadAt, learning
// its position and size without reading it. The png reader and the image
// sniffer make this choice the same way, so a file is read with preads
// (and image data skipped) by both or by neither.
package sized

import (
	"io"
	"io/fs"
)

// ReaderAt reports whether r can be read with ReadAt: it must be an
// io.ReaderAt and an io.Seeker (for its position: one lseek for a file,
// nothing for in-memory readers) and tell its size without being read: a
// Size method (*bytes.Reader, *strings.Reader, *io.SectionReader) or Stat on
// a non-empty regular file (a pipe or a terminal is not one; files under
// /proc report size 0 and are read as a stream). start is r's position and
// size the bytes from there to the end; r's position is not moved.
func ReaderAt(r io.Reader) (ra io.ReaderAt, s io.Seeker, start, size int64, ok bool) {
	ra, ok1 := r.(io.ReaderAt)
	s, ok2 := r.(io.Seeker)
	if !ok1 || !ok2 {
		return nil, nil, 0, 0, false
	}
	var end int64
	switch v := r.(type) {
	case interface{ Size() int64 }:
		end = v.Size()
	case interface{ Stat() (fs.FileInfo, error) }:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 {
			return nil, nil, 0, 0, false
		}
		end = fi.Size()
	default:
		return nil, nil, 0, 0, false
	}
	start, err := s.Seek(0, io.SeekCurrent)
	if err != nil || start > end {
		return nil, nil, 0, 0, false
	}
	return ra, s, start, end - start, true
}
