package backpack

import (
	"crypto/subtle"
	"net/url"
	"strings"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/textin"
)

// StateError is a redirect whose state is not the authorization's: it
// answers another request, or was forged. Nothing may be exchanged.
type StateError struct {
	Missing bool // the redirect has no state at all
}

func (e *StateError) Error() string {
	if e.Missing {
		return "the redirect has no state: it does not answer this authorization"
	}
	return "the redirect's state is not this authorization's: it answers another request or was forged"
}

func (e *StateError) ErrorKind() errkind.Kind { return errkind.BadInput }

// AuthorizationError is a redirect carrying the provider's error=…
// (RFC 6749 §4.1.2.1), e.g. access_denied when the user said no.
type AuthorizationError struct {
	Code        string // error
	Description string // error_description
	URI         string // error_uri
}

func (e *AuthorizationError) Error() string {
	s := "the backpack refused the authorization: " + e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.URI != "" {
		s += " (" + e.URI + ")"
	}
	return s
}

func (e *AuthorizationError) ErrorKind() errkind.Kind { return errkind.BadInput }

// RedirectError is text that is not a usable redirect URL.
type RedirectError struct {
	Reason string
}

func (e *RedirectError) Error() string { return "not an authorization redirect: " + e.Reason }

// ErrorKind is BadInput: the authorization was tried and did not end in
// a code (the command exits 1, as for a refusal).
func (e *RedirectError) ErrorKind() errkind.Kind { return errkind.BadInput }

// ParseRedirect reads the redirect URL that ends an authorization (the one
// the listener receives, or the one a user pastes; a bare query string
// "?code=…&state=…" is accepted too) and returns its authorization code.
// The state is checked first, so that an error= from a forged redirect is
// not taken for the provider's answer.
func ParseRedirect(raw string, want *Authorization) (code string, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", &RedirectError{Reason: "empty"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's error quotes the text, which holds the code.
		return "", &RedirectError{Reason: "not a URL"}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", &RedirectError{Reason: "its query cannot be read"}
	}
	if len(q) == 0 && u.Fragment != "" {
		// Some providers answer in the fragment; accept it the same way.
		if fq, ferr := url.ParseQuery(u.Fragment); ferr == nil {
			q = fq
		}
	}
	if len(q["state"]) > 1 || len(q["code"]) > 1 {
		return "", &RedirectError{Reason: "repeated state or code"}
	}
	state := q.Get("state")
	if state == "" {
		return "", &StateError{Missing: true}
	}
	if want == nil || want.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(want.State)) != 1 {
		return "", &StateError{}
	}
	if e := q.Get("error"); e != "" {
		return "", &AuthorizationError{Code: oneLine(e), Description: oneLine(q.Get("error_description")), URI: oneLine(q.Get("error_uri"))}
	}
	code = q.Get("code")
	if code == "" {
		return "", &RedirectError{Reason: "no code"}
	}
	return code, nil
}

// oneLine keeps a provider's text to one line of at most 300 bytes
// (cut on a character boundary): it ends up on a terminal.
func oneLine(s string) string { return textin.Clip(plainText(s), 300) }

// plainText is s with every control character (C0, DEL, C1) replaced by a
// space: text from a provider, shown on a terminal, can then neither
// move the cursor nor start a line of its own.
func plainText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}
