package obschema

// The "format" values asserted, written from the RFCs the JSON Schema
// validation drafts name. An unknown format asserts nothing, as the drafts
// say.

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// formatCheck returns the check of a format, or nil for a format it does
// not know.
func formatCheck(name string) func(string) error {
	switch name {
	case "date-time":
		return checkDateTime
	case "date":
		return checkDate
	case "time":
		return checkTime
	case "email":
		return checkEmail
	case "hostname":
		return checkHostname
	case "ipv4":
		return checkIPv4
	case "ipv6":
		return checkIPv6
	case "uri":
		return checkURI
	case "uri-reference":
		return checkURIReference
	case "json-pointer":
		return checkJSONPointer
	case "regex":
		return func(s string) error { _, err := regexp.Compile(s); return err }
	}
	return nil
}

// digits reads n decimal digits at the start of s.
func digits(s string, n int) (int, bool) {
	if len(s) < n {
		return 0, false
	}
	v := 0
	for i := range n {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// checkDate: RFC 3339 full-date, YYYY-MM-DD, a day the month has.
func checkDate(s string) error {
	y, ok1 := digits(s, 4)
	m, ok2 := digits(s[min(5, len(s)):], 2)
	d, ok3 := digits(s[min(8, len(s)):], 2)
	if len(s) != 10 || !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' {
		return errors.New("not YYYY-MM-DD")
	}
	if m < 1 || m > 12 {
		return errors.New("no such month")
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	if d < 1 || d > days {
		return errors.New("no such day in that month")
	}
	return nil
}

// checkTime: RFC 3339 full-time, hh:mm:ss[.frac] and Z or ±hh:mm. A leap
// second (:60) is allowed only at 23:59 UTC.
func checkTime(s string) error {
	h, ok1 := digits(s, 2)
	mi, ok2 := digits(s[min(3, len(s)):], 2)
	sec, ok3 := digits(s[min(6, len(s)):], 2)
	if len(s) < 9 || !ok1 || !ok2 || !ok3 || s[2] != ':' || s[5] != ':' {
		return errors.New("not hh:mm:ss with a zone")
	}
	if h > 23 || mi > 59 || sec > 60 {
		return errors.New("hour, minute or second out of range")
	}
	rest := s[8:]
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return errors.New("no digits after the decimal point")
		}
		rest = rest[i:]
	}
	offset := 0 // minutes east of UTC
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:], 2)
		om, ok2 := digits(rest[4:], 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return errors.New("bad zone offset")
		}
		offset = oh*60 + om
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return errors.New("no zone (Z or ±hh:mm)")
	}
	if sec == 60 {
		utc := ((h*60+mi-offset)%(24*60) + 24*60) % (24 * 60)
		if utc != 23*60+59 {
			return errors.New("a leap second only at 23:59:60 UTC")
		}
	}
	return nil
}

// checkDateTime: RFC 3339 date-time, full-date "T" full-time.
func checkDateTime(s string) error {
	if len(s) < 11 || (s[10] != 'T' && s[10] != 't') {
		return errors.New("not a date, T and a time")
	}
	if err := checkDate(s[:10]); err != nil {
		return err
	}
	return checkTime(s[11:])
}

// checkEmail: an RFC 5322 addr-spec, local-part@domain, the local part a
// dot-atom or a quoted string, the domain a host name or an address
// literal in brackets.
func checkEmail(s string) error {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return errors.New("not local-part@domain")
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return errors.New("local part longer than 64 characters")
	}
	if strings.HasPrefix(local, `"`) {
		if len(local) < 2 || !strings.HasSuffix(local, `"`) {
			return errors.New("unterminated quoted local part")
		}
		q := local[1 : len(local)-1]
		for i := 0; i < len(q); i++ {
			switch c := q[i]; {
			case c == '\\':
				if i++; i == len(q) {
					return errors.New("a backslash ends the quoted local part")
				}
			case c == '"' || c < ' ' || c == 0x7f:
				return fmt.Errorf("%q in the quoted local part", c)
			}
		}
	} else {
		for _, atom := range strings.Split(local, ".") {
			if atom == "" {
				return errors.New("empty atom in the local part")
			}
			for i := 0; i < len(atom); i++ {
				c := atom[i]
				if !isAlnum(c) && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", rune(c)) {
					return fmt.Errorf("%q in the local part", c)
				}
			}
		}
	}
	if lit, ok := strings.CutPrefix(domain, "["); ok {
		lit, ok = strings.CutSuffix(lit, "]")
		if !ok {
			return errors.New("unterminated address literal")
		}
		if v6, ok := strings.CutPrefix(lit, "IPv6:"); ok {
			return checkIPv6(v6)
		}
		return checkIPv4(lit)
	}
	return checkHostname(domain)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkHostname: RFC 1123 host name, dot-separated labels of letters,
// digits and inner hyphens, each at most 63 characters, 253 in all.
func checkHostname(s string) error {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return errors.New("empty or longer than 253 characters")
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("a label is empty or longer than 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return errors.New("a label starts or ends with a hyphen")
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return fmt.Errorf("%q in a label", label[i])
			}
		}
	}
	return nil
}

// checkIPv4: dotted decimal, four numbers 0-255 without leading zeros.
func checkIPv4(s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return errors.New("not a dotted-decimal IPv4 address")
	}
	return nil
}

// checkIPv6: RFC 4291 text form, without a zone.
func checkIPv6(s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return errors.New("not an IPv6 address")
	}
	return nil
}

// checkURI: an absolute URI (RFC 3986): a scheme, then the rest.
func checkURI(s string) error {
	u, err := parseURIReference(s)
	if err != nil {
		return err
	}
	if !u.IsAbs() {
		return errors.New("no scheme: a relative reference")
	}
	return nil
}

// checkURIReference: a URI or a relative reference. A backslash is no
// URI character (RFC 3986 section 2); net/url lets it through.
func checkURIReference(s string) error {
	if strings.Contains(s, `\`) {
		return errors.New(`contains \`)
	}
	_, err := parseURIReference(s)
	return err
}

// parseURIReference parses s with net/url, and also checks what net/url
// does not: a host with a colon in it must be an IPv6 address, in
// brackets (RFC 3986 section 3.2.2).
func parseURIReference(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	if h := u.Hostname(); strings.Contains(h, ":") {
		if !strings.HasPrefix(u.Host, "[") || checkIPv6(h) != nil {
			return nil, errors.New("a host with a colon that is no IPv6 address in brackets")
		}
	}
	return u, nil
}

// checkJSONPointer: RFC 6901, empty or "/"-separated tokens in which ~ is
// followed by 0 or 1.
func checkJSONPointer(s string) error {
	if s != "" && s[0] != '/' {
		return errors.New("does not start with /")
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '~' && (i+1 == len(s) || (s[i+1] != '0' && s[i+1] != '1')) {
			return errors.New("~ not followed by 0 or 1")
		}
	}
	return nil
}
