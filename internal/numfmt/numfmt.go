// Package numfmt formats numbers for people.
package numfmt

import "strconv"

// Group writes n in decimal with a comma between groups of three digits:
// 9998 is "9,998", -1234567 is "-1,234,567".
func Group(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
