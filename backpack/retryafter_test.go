package backpack

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"-5", 0, true},
		{"+3", 3 * time.Second, true},
		{"99999999999999999999999", time.Duration(1<<63 - 1), true},
		{"-99999999999999999999999", 0, true},
		{"Sun, 06 Dec 2026 10:01:00 GMT", time.Minute, true}, // IMF-fixdate
		{"Sunday, 06-Dec-26 11:00:00 GMT", time.Hour, true},  // RFC 850
		{"Sun Dec  6 10:00:30 2026", 30 * time.Second, true}, // asctime
		{"Sun, 06 Dec 2026 09:00:00 GMT", 0, true},           // past
		{"", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{"-", 0, false},
		{"2026-12-06T10:01:00Z", 0, false},
	} {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseRetryAfter: a value read is never a negative wait, and a
// number of seconds reads as that many seconds.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "3600", "-1", "Sun, 06 Dec 2026 10:01:00 GMT", "Sunday, 06-Dec-26 11:00:00 GMT", "soon", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v", v, d, ok)
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n < 1<<30 {
			if !ok || d != time.Duration(n)*time.Second {
				t.Fatalf("ParseRetryAfter(%q) = %v, %v; want %d s", v, d, ok, n)
			}
		}
	})
}
