package backpack

import (
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
