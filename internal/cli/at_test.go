package cli

import (
	"testing"
	"time"
)

func TestInstantSet(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2024-05-01T00:00:00Z", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"2024-05-01", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{" 2024-05-01 ", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"2024-05-01T09:30:00+02:00", time.Date(2024, 5, 1, 7, 30, 0, 0, time.UTC)},
		{"2024-05-01T00:00:00.5Z", time.Date(2024, 5, 1, 0, 0, 0, 5e8, time.UTC)},
	} {
		var a instant
		if err := a.Set(c.in); err != nil {
			t.Errorf("Set(%q): %v", c.in, err)
			continue
		}
		if got := a.clock()(); !got.Equal(c.want) {
			t.Errorf("Set(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, in := range []string{"", "yesterday", "2024-05-01T00:00:00", "05/01/2024", "2024-13-01", "1714521600"} {
		var a instant
		err := a.Set(in)
		if !isInstantError(err) {
			t.Errorf("Set(%q) = %v, want an instantError", in, err)
		}
		if a.clock() != nil {
			t.Errorf("Set(%q) failed but set the clock", in)
		}
	}
}
