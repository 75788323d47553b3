// Package filetest holds the file-to-file plumbing of badgebake's tests and
// benchmarks: an input file and an output file in a temporary folder, a
// writer that counts the copies handed to the kernel, and rewinding both
// between benchmark iterations.
package filetest

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Pair opens in (a path) for reading and creates out (a name) in dir; both
// are closed when the test ends.
func Pair(tb testing.TB, in, dir, out string) (src, dst *os.File) {
	tb.Helper()
	src, err := os.Open(in)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { src.Close() })
	return src, Create(tb, filepath.Join(dir, out))
}

// Create creates path for writing; it is closed when the test ends.
func Create(tb testing.TB, path string) *os.File {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// WriteTemp writes data to name in a new temporary folder and returns the
// folder and the file's path.
func WriteTemp(tb testing.TB, name string, data []byte) (dir, path string) {
	tb.Helper()
	dir = tb.TempDir()
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir, path
}

// Rewind puts src back at its start and empties dst, for the next
// iteration of a file-to-file benchmark. dst may be nil.
func Rewind(tb testing.TB, src, dst *os.File) {
	if src != nil {
		if _, err := src.Seek(0, io.SeekStart); err != nil {
			tb.Fatal(err)
		}
	}
	if dst != nil {
		if err := dst.Truncate(0); err != nil {
			tb.Fatal(err)
		}
		if _, err := dst.Seek(0, io.SeekStart); err != nil {
			tb.Fatal(err)
		}
	}
}

// ReadFromCounter is an *os.File that counts the ReadFrom calls io.Copy
// makes on it: one per copy handed to the kernel (copy_file_range).
type ReadFromCounter struct {
	*os.File
	Calls int
}

// ReadFrom counts the call and lets the file do the copy.
func (w *ReadFromCounter) ReadFrom(r io.Reader) (int64, error) {
	w.Calls++
	return w.File.ReadFrom(r)
}
