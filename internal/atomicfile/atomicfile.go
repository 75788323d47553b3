// Package atomicfile writes a file so that it either appears complete or not
// at all: data goes to a temporary file in the same directory, which is
// renamed over the destination only on Commit. A failed or interrupted run
// leaves the destination as it was.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// File is a pending output file. Write to it, then Commit or Abort.
type File struct {
	*os.File
	path string
	perm os.FileMode
	done bool
}

// Create starts writing path. The final file gets perm, or the mode of an
// existing file at path (so --in-place keeps permissions).
func Create(path string, perm os.FileMode) (*File, error) {
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, &os.PathError{Op: "write", Path: path, Err: errors.New("not a regular file")}
		}
		perm = fi.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".badgebake-*")
	if err != nil {
		// Name the file the user asked for, not the temporary one.
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return nil, &os.PathError{Op: "create", Path: path, Err: err}
	}
	return &File{File: f, path: path, perm: perm}, nil
}

// Commit flushes the data to disk and renames it into place.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.File.Name(), f.perm)
	}
	if err == nil {
		err = os.Rename(f.File.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.File.Name())
	}
	return err
}

// Abort discards the data. It is safe to call after Commit (it does
// nothing then), so `defer f.Abort()` is the usual pattern.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

// CreateTemp returns a scratch File in the system's temporary directory,
// for output that is copied elsewhere (standard output) once complete.
// Only Abort it; it is never renamed.
func CreateTemp() (*File, error) {
	f, err := os.CreateTemp("", "badgebake-*")
	if err != nil {
		return nil, err
	}
	return &File{File: f, path: "", perm: 0o600}, nil
}

// WriteFile writes data to path atomically (Create, Write, Commit; Abort
// on failure), as os.WriteFile would but never leaving half a file.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}
