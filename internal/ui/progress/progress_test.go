package progress

import (
	"bytes"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		done, total int
		final       bool
		elapsed     time.Duration
		want        string
	}{
		{0, 0, false, 0, "0/≥0"},
		{0, 40, true, 0, "0/40 (0%)"},
		{10, 256, false, 5 * time.Second, "10/≥256, 2.0 files/s"},
		{10, 40, true, 5 * time.Second, "10/40 (25%), 2.0 files/s, 15s left"},
		{40, 40, true, 8 * time.Second, "40/40 (100%), 5.0 files/s"},
		{1, 1000, true, 2 * time.Second, "1/1000 (0%), 0.5 files/s, 33m18s left"},
		{3, 2, false, time.Second, "3/≥3, 3.0 files/s"},
	} {
		if got := Status(tc.done, tc.total, tc.final, tc.elapsed); got != tc.want {
			t.Errorf("Status(%d, %d, %v, %v) = %q, want %q", tc.done, tc.total, tc.final, tc.elapsed, got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 125 * time.Second: "2m05s", 3720 * time.Second: "1h02m", 1499 * time.Millisecond: "1s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// Files draws done/total, rate and time left by the clock given, at most
// once per 100 ms of it, and Clear erases what was drawn.
func TestLineFiles(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	p := NewClock(&buf, true, clock.now)
	p.SetTotal(256, false)
	clock.advance(2 * time.Second)
	p.Files(4, ": %d valid", 4)
	if got, want := buf.String(), "\r\x1b[K4/≥256, 2.0 files/s: 4 valid"; got != want {
		t.Fatalf("first draw %q, want %q", got, want)
	}
	buf.Reset()
	clock.advance(50 * time.Millisecond)
	p.Files(5, "")
	if buf.Len() != 0 {
		t.Fatalf("drawn again within 100 ms: %q", buf.String())
	}
	p.SetTotal(20, true)
	clock.advance(1950 * time.Millisecond)
	p.Files(8, "")
	if got, want := buf.String(), "\r\x1b[K8/20 (40%), 2.0 files/s, 6s left"; got != want {
		t.Fatalf("with the total %q, want %q", got, want)
	}
	buf.Reset()
	p.Clear()
	p.Clear()
	if got := buf.String(); got != "\r\x1b[K" {
		t.Errorf("Clear wrote %q", got)
	}
}

// Off (not a terminal, or quiet), nothing is ever written.
func TestLineOff(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf, false)
	p.SetTotal(3, true)
	p.Files(1, "x")
	if p.On() {
		t.Error("On")
	}
	p.Update("%d", 1)
	p.Clear()
	if buf.Len() != 0 {
		t.Errorf("wrote %q", buf.String())
	}
}
