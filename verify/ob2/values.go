package ob2

import (
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
)

// Value types of the Open Badges 2.0 data model, with the semantics of
// openbadges-validator-core's primitive validators (validator.md §6).

var (
	urnUUID   = lazyRegexp(`(?i)^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	scheme    = lazyRegexp(`^[A-Za-z][A-Za-z0-9+.-]*$`)
	telephone = lazyRegexp(`^\+?[1-9]\d{1,14}(;ext=\d+)?$`)
	email     = lazyRegexp(`^[^@\s]+@[^@\s]+$`)
	hashed    = lazyRegexp(`^(md5\$[0-9a-fA-F]{32}|sha256\$[0-9a-fA-F]{64})$`)
	hostname  = lazyRegexp(`^((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$`)
	zoneTail  = lazyRegexp(`(?:Z|[+-](?:\d{4}|\d{2}|\d{2}:\d{2}))$`)
)

// lazyRegexp returns a function that compiles expr on its first call and
// returns the same *Regexp ever after. Compiling this package's patterns
// at init cost every run of the CLI, even badgebake version, about a
// millisecond; most runs need few of them or none.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// validURI reports whether s is an absolute RFC 3986 URI: a scheme, then
// only characters URIs may contain, with well-formed percent-encodings.
func validURI(s string) (schemeName, rest string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 || !scheme().MatchString(s[:i]) {
		return "", "", false
	}
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '%':
			if j+2 >= len(s) || !isHex(s[j+1]) || !isHex(s[j+2]) {
				return "", "", false
			}
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0:
		default:
			return "", "", false
		}
	}
	return strings.ToLower(s[:i]), s[i+1:], true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// IsURL: an absolute http or https URL (any case) with a host.
func IsURL(s string) bool {
	sch, rest, ok := validURI(s)
	if !ok || (sch != "http" && sch != "https") || !strings.HasPrefix(rest, "//") {
		return false
	}
	host := rest[2:]
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	return host != "" && host[0] != ':'
}

// IsIRI: an http(s) URL, a blank node identifier (_:…), or urn:uuid: with
// an RFC 4122 version 1-5 UUID.
func IsIRI(s string) bool {
	return IsURL(s) || strings.HasPrefix(s, "_:") || urnUUID().MatchString(s)
}

// IsBlankNode reports whether s is a blank node identifier.
func IsBlankNode(s string) bool { return strings.HasPrefix(s, "_:") }

// IsDataURI: data:[mediatype][;base64],data, itself a valid URI.
func IsDataURI(s string) bool {
	sch, rest, ok := validURI(s)
	return ok && sch == "data" && strings.Contains(rest, ",")
}

// IsDataURIOrURL: either.
func IsDataURIOrURL(s string) bool { return IsURL(s) || IsDataURI(s) }

// ParseDateTime accepts an ISO 8601 date and time that states its zone (Z,
// ±hh, ±hhmm or ±hh:mm). Date-only values and zone-less times are refused.
func ParseDateTime(s string) (time.Time, bool) {
	if !zoneTail().MatchString(s) {
		return time.Time{}, false
	}
	v := s
	// Normalise the zone to ±hh:mm so one family of layouts reads all forms.
	if !strings.HasSuffix(v, "Z") {
		i := strings.LastIndexAny(v, "+-")
		zone := v[i+1:]
		switch len(zone) {
		case 2:
			zone += ":00"
		case 4:
			zone = zone[:2] + ":" + zone[2:]
		}
		v = v[:i+1] + zone
	}
	for _, layout := range []string{
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04Z07:00",
		"20060102T150405Z07:00",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05.999999999Z07:00",
	} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// IsDateTime reports whether ParseDateTime accepts s.
func IsDateTime(s string) bool { _, ok := ParseDateTime(s); return ok }

// IsTelephone: E.164, with an optional ;ext=.
func IsTelephone(s string) bool { return telephone().MatchString(s) }

// IsEmail: something@something, without white space.
func IsEmail(s string) bool { return email().MatchString(s) }

// IsHashedIdentity: md5$ or sha256$ and a hex digest of the right length.
// The prefix is lower case, as the specification writes it.
func IsHashedIdentity(s string) bool { return hashed().MatchString(s) }

// IsLanguage: a valid BCP 47 language tag whose subtags are registered.
func IsLanguage(s string) bool {
	// x/text also reads the "en_US" spelling, which BCP 47 does not allow.
	if strings.ContainsRune(s, '_') {
		return false
	}
	_, err := language.Parse(s)
	return err == nil
}

// IsURLAuthority: a bare DNS host name (no scheme, port, IP address, path
// or query), 4 to 253 characters, with an alphabetic top-level label.
func IsURLAuthority(s string) bool {
	return len(s) >= 4 && len(s) <= 253 && hostname().MatchString(s)
}
