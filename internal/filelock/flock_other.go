//go:build !unix

package filelock

// Exclusive locks nothing where flock does not exist.
func Exclusive(path string, wait bool) (unlock func(), err error) { return func() {}, nil }
