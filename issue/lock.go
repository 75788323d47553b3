package issue

import (
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/internal/filelock"
)

// lockOutDir takes an exclusive lock on the output directory for the run
// (on the directory itself, so no lock file is left among what is
// published; the kernel lets go of it when the process ends, however it
// ends): a second run writing into the same directory is refused instead
// of deleting the first one's temporary files as leftovers of a crash.
// Where locks do not exist (Windows) runs sharing a directory must not
// overlap.
func lockOutDir(dir string) (unlock func(), err error) {
	unlock, err = filelock.Exclusive(dir, false)
	if errors.Is(err, filelock.ErrLocked) {
		return nil, &InputError{Err: fmt.Errorf("another badgebake issue is writing to %s: wait for it to finish, or give this run its own --out", dir)}
	}
	return unlock, err
}
