//go:build unix

package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestExclusive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.lock")
	unlock, err := Exclusive(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v, %v; want made with mode 0600", fi, err)
	}
	// Another open of the same file (as another process would) is refused
	// without wait, and waits with it.
	if _, err := Exclusive(path, false); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock without wait: %v, want ErrLocked", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := Exclusive(path, true)
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a waiting lock returned %v while the first was held", err)
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiting lock after unlock: %v", err)
	}
	// A directory can be locked too.
	u, err := Exclusive(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Exclusive(dir, false); !errors.Is(err, ErrLocked) {
		t.Errorf("second lock of the directory: %v, want ErrLocked", err)
	}
	u()
}
