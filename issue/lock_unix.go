//go:build unix

package issue

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockOutDir takes an exclusive lock on the output directory for the run
// (flock on the directory itself, so no lock file is left among what is
// published; the kernel releases it when the process ends, however it
// ends): a second run writing into the same directory is refused instead
// of deleting the first one's temporary files as leftovers of a crash.
func lockOutDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &InputError{Err: fmt.Errorf("another badgebake issue is writing to %s: wait for it to finish, or give this run its own --out", dir)}
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
