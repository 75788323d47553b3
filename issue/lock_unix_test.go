//go:build unix

package issue

import (
	"errors"
	"strings"
	"testing"
)

// A second run into an output directory another run holds is refused
// (nothing would be safe: each run removes the other's temporary files);
// once the first is done, the directory is free.
func TestLockOutDir(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockOutDir(dir)
	var in *InputError
	if !errors.As(err, &in) || !strings.Contains(err.Error(), "another badgebake issue is writing to") {
		t.Fatalf("second lock: %v, want an *InputError", err)
	}
	unlock()
	again, err := lockOutDir(dir)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	again()
}
