package errkind_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/badgebake/badgebake/errkind"
)

type typed struct{}

func (typed) Error() string           { return "typed" }
func (typed) ErrorKind() errkind.Kind { return errkind.NotVerified }

func TestOf(t *testing.T) {
	bad := errkind.New(errkind.BadInput, "bad")
	for _, tt := range []struct {
		name string
		err  error
		want errkind.Kind
	}{
		{"nil", nil, errkind.Unknown},
		{"plain", errors.New("x"), errkind.Unknown},
		{"os", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, errkind.Unknown},
		{"sentinel", bad, errkind.BadInput},
		{"wrapped sentinel", fmt.Errorf("reading x: %w", bad), errkind.BadInput},
		{"one of several", fmt.Errorf("%w and %w", errors.New("x"), bad), errkind.BadInput},
		{"type", fmt.Errorf("a: %w", typed{}), errkind.NotVerified},
		{"marked", errkind.Mark(errkind.Usage, errors.New("x")), errkind.Usage},
		{"outermost wins", errkind.Mark(errkind.Usage, fmt.Errorf("a: %w", bad)), errkind.Usage},
		{"indeterminate", errkind.Mark(errkind.Indeterminate, errors.New("x")), errkind.Indeterminate},
		{"io", errkind.Mark(errkind.IO, errors.New("x")), errkind.IO},
	} {
		if got := errkind.Of(tt.err); got != tt.want {
			t.Errorf("%s: Of = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMarkAndNew(t *testing.T) {
	base := errors.New("base")
	m := errkind.Mark(errkind.BadInput, base)
	if m.Error() != "base" || !errors.Is(m, base) {
		t.Errorf("Mark: %q, Is %v", m, errors.Is(m, base))
	}
	if errkind.Mark(errkind.BadInput, nil) != nil {
		t.Error("Mark(nil) is not nil")
	}
	a, b := errkind.New(errkind.BadInput, "same"), errkind.New(errkind.BadInput, "same")
	if errors.Is(a, b) || !errors.Is(fmt.Errorf("x: %w", a), a) || a.Error() != "same" {
		t.Error("New: sentinels are not distinct by identity")
	}
	if errkind.BadInput.String() != "bad input" || errkind.Indeterminate.String() != "indeterminate" {
		t.Errorf("String: %v, %v", errkind.BadInput, errkind.Indeterminate)
	}
}
