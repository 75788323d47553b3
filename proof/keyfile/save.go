package keyfile

import (
	"errors"
	"io/fs"
	"os"

	"github.com/badgebake/badgebake/internal/atomicfile"
)

// Save writes the key as PKCS#8 PEM to path, which must not exist yet,
// with mode 0600: atomically, so an interrupted run leaves no half key.
// An existing file is an *os.PathError wrapping fs.ErrExist: a key is
// never replaced by accident.
func (k *Key) Save(path string) error {
	b, err := k.PEM()
	if err != nil {
		return err
	}
	return WriteNew(path, b, 0o600)
}

// WriteNew writes data to path atomically with mode perm, refusing to
// replace an existing file (an *os.PathError wrapping fs.ErrExist).
func WriteNew(path string, data []byte, perm os.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return &os.PathError{Op: "write", Path: path, Err: fs.ErrExist}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// The temporary file is created 0600 and chmod'ed on Commit, so the
	// key is never readable by others, not even for a moment.
	return atomicfile.WriteFile(path, data, perm)
}
