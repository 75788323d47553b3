// Package filelock takes advisory locks that the kernel lets go of when
// the process ends, however it ends (flock on Unix), so that a crashed
// holder never leaves a lock behind. Where flock does not exist (Windows)
// Exclusive locks nothing: what it guards is then up to the user.
package filelock

import "errors"

// ErrLocked is Exclusive's error, without wait, for a file another
// process (or another open of it) holds.
var ErrLocked = errors.New("filelock: locked by another process")
