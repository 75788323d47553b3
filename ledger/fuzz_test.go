package ledger

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// FuzzPostgresURLPassword: whatever the password in a PostgreSQL URL (the
// server at 127.0.0.1:1 refuses, so Open fails), the error does not show
// it, and Name does not either.
func FuzzPostgresURLPassword(f *testing.F) {
	for _, seed := range []string{"s3cr3t-Pa55", "p@ss:w/rd?#", "with space%20", "ünïcødé-pässwörd", "'quoted\"", "password=xyz"} {
		f.Add("issuer", seed, false)
		f.Add("issuer", seed, true)
	}
	f.Fuzz(func(t *testing.T, user, password string, inQuery bool) {
		if len(password) < 6 {
			return // too short to tell from the rest of the message
		}
		// The same URL with a reference password: what the message says
		// whatever the password. The user name (escaped or not), the
		// separators and the redaction may spell the password by chance.
		const reference = "reference-password"
		open := func(pw string) string {
			if inQuery {
				return openRefused(t, url.User(user), url.Values{"password": {pw}}.Encode())
			}
			return openRefused(t, url.UserPassword(user, pw), "")
		}
		ref := open(reference)
		if strings.Contains(ref, reference) {
			t.Fatalf("the error shows the password %q: %s", reference, ref)
		}
		if strings.Contains(ref, password) {
			return
		}
		if got := open(password); strings.Contains(got, password) {
			t.Fatalf("the error shows the password %q: %s", password, got)
		}
	})
}

// openRefused opens a PostgreSQL ledger at a port that refuses and returns
// the error's message.
func openRefused(t testing.TB, user *url.Userinfo, query string) string {
	q := "sslmode=disable&connect_timeout=2"
	if query != "" {
		q += "&" + query
	}
	u := url.URL{Scheme: "postgres", User: user, Host: "127.0.0.1:1", Path: "/ledger", RawQuery: q}
	l, err := Open(context.Background(), u.String())
	if err == nil {
		l.Close()
		t.Fatalf("Open(%s) succeeded", u.Redacted())
	}
	return err.Error()
}
