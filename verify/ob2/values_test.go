package ob2

import (
	"testing"
	"time"
)

func TestValueTypes(t *testing.T) {
	type check struct {
		name string
		f    func(string) bool
		good []string
		bad  []string
	}
	checks := []check{
		{"IsURL", IsURL,
			[]string{"http://example.org", "HTTPS://example.org/a?b=c#d", "http://127.0.0.1:8000/x", "http://localhost/", "https://user@example.org/%20"},
			[]string{"", "example.org", "ftp://example.org", "https://exämple.org/", "http://exa mple.org", "https:///path", "http://example.org/%zz", "mailto:a@example.org"}},
		{"IsIRI", IsIRI,
			[]string{"https://example.org/a", "_:b0", "urn:uuid:2f6e5c2a-3c1d-4b8e-9a4f-1c2d3e4f5a6b", "URN:UUID:2F6E5C2A-3C1D-4B8E-9A4F-1C2D3E4F5A6B"},
			[]string{"urn:uuid:2f6e5c2a-3c1d-6b8e-9a4f-1c2d3e4f5a6b", "urn:uuid:2f6e5c2a-3c1d-4b8e-7a4f-1c2d3e4f5a6b", "urn:isbn:123", "b0", "mailto:x@y.z"}},
		{"IsDataURI", IsDataURI,
			[]string{"data:,", "data:image/png;base64,iVBORw0KGgo=", "DATA:text/plain,hello"},
			[]string{"data:image/png;base64", "data:has space,x", "https://example.org/x.png"}},
		{"IsDateTime", IsDateTime,
			[]string{"2016-12-31T23:59:59Z", "2016-12-31T23:59:59+00:00", "2016-12-31T23:59:59.123-0500", "2016-12-31T23:59:59+01", "2016-12-31T23:59Z"},
			[]string{"2016-12-31", "2016-12-31T23:59:59", "1500423730", "yesterday", "2016-13-31T23:59:59Z", "2016-12-31T23:59:59+5"}},
		{"IsTelephone", IsTelephone,
			[]string{"+15551234567", "15551234567", "+441234567890;ext=12"},
			[]string{"555-1234", "+0123456", "+1", "+1234567890123456"}},
		{"IsEmail", IsEmail,
			[]string{"a@example.org", "x+y@z"},
			[]string{"not an email", "a@b@c", "a @example.org", "@example.org"}},
		{"IsHashedIdentity", IsHashedIdentity,
			[]string{"md5$" + "0123456789abcdef0123456789ABCDEF", "sha256$c934fdacc6242be0277a284970416aa9bfa583241fb85094bc96c504ee0abd4e"},
			[]string{"SHA256$c934fdacc6242be0277a284970416aa9bfa583241fb85094bc96c504ee0abd4e", "sha256$abc", "md5$0123456789abcdef0123456789abcdeg", "nobody@example.org"}},
		{"IsLanguage", IsLanguage,
			[]string{"en", "en-US", "es-419", "zh-Hant-TW", "de-CH-1996"},
			[]string{"", "english", "en_US", "xx-YY-ZZZZZZZZZ", "12"}},
		{"IsURLAuthority", IsURLAuthority,
			[]string{"example.org", "sub.example.co.uk", "a-b.example.org"},
			[]string{"example.org:8080", "127.0.0.1", "https://example.org", "example.org/path", "localhost", "-a.example.org", "x.y"}},
	}
	for _, c := range checks {
		for _, v := range c.good {
			if !c.f(v) {
				t.Errorf("%s(%q) = false, want true", c.name, v)
			}
		}
		for _, v := range c.bad {
			if c.f(v) {
				t.Errorf("%s(%q) = true, want false", c.name, v)
			}
		}
	}
}

func TestParseDateTimeZones(t *testing.T) {
	want := time.Date(2017, 7, 19, 0, 22, 10, 0, time.UTC)
	for _, s := range []string{"2017-07-19T00:22:10Z", "2017-07-19T01:22:10+01:00", "2017-07-19T01:22:10+0100", "2017-07-18T19:22:10-05"} {
		got, ok := ParseDateTime(s)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
}
