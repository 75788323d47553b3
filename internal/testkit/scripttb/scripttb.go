// Package scripttb lets a test kit that takes a testing.TB (a fake
// server, a test authority) run inside a testscript command: a failure
// fails the script, cleanups run when the script ends, temporary folders
// are made in the script's work directory.
package scripttb

import (
	"fmt"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// New returns the testing.TB of ts. Only the methods below are
// implemented; the test kits call no others.
func New(ts *testscript.TestScript) testing.TB { return tb{ts: ts} }

type tb struct {
	testing.TB // nil: any other method panics, which a new use must add here
	ts         *testscript.TestScript
}

func (s tb) Helper()                           {}
func (s tb) Fatal(args ...any)                 { s.ts.Fatalf("%s", fmt.Sprint(args...)) }
func (s tb) Fatalf(format string, args ...any) { s.ts.Fatalf(format, args...) }
func (s tb) Errorf(format string, args ...any) { s.ts.Fatalf(format, args...) }
func (s tb) Logf(format string, args ...any)   { s.ts.Logf(format, args...) }
func (s tb) Cleanup(f func())                  { s.ts.Defer(f) }
func (s tb) TempDir() string {
	dir, err := os.MkdirTemp(s.ts.Getenv("WORK"), "tmp")
	if err != nil {
		s.ts.Fatalf("%v", err)
	}
	return dir
}
