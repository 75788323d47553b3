package backpack

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter reads a Retry-After header value (RFC 9110 §10.2.3):
// either a number of seconds or an HTTP-date. It returns how long to wait
// from now, and false when the value is neither form. A date in the past,
// or a negative number, means no wait (0, true): the server has already
// said when, and that time has come.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isInteger(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			// Too many digits for an int64: a wait longer than anyone
			// would honour, said as the longest duration there is.
			if v[0] == '-' {
				return 0, true
			}
			return time.Duration(1<<63 - 1), true
		}
		if n <= 0 {
			return 0, true
		}
		if n > int64((1<<63-1)/time.Second) {
			return time.Duration(1<<63 - 1), true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// isInteger reports whether s is an optionally signed run of ASCII digits.
func isInteger(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Throttle is what a backpack said when it answered 429 Too Many Requests
// or 503 Service Unavailable with a Retry-After: how long it asked to
// wait before the next try.
type Throttle struct {
	Asked bool          // the answer was 429 or 503 with a Retry-After badgebake could read
	Wait  time.Duration // how long it asked for
}

// throttleOf reads the Throttle of resp.
func throttleOf(resp *http.Response) Throttle {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return Throttle{}
	}
	d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return Throttle{Asked: ok, Wait: d}
}

// describe adds the wait asked for to a reason.
func (t Throttle) describe(reason string) string {
	if !t.Asked {
		return reason
	}
	return reason + "; it asked to wait " + t.Wait.String() + " before trying again"
}
