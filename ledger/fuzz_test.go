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
	// What the message rightly says, for each place a password goes (a
	// password in the query shows as password=xxxxx).
	reference := openRefused(f, url.UserPassword("issuer", "reference-password"), "")
	referenceQuery := openRefused(f, url.User("issuer"), "password=reference-password")
	f.Fuzz(func(t *testing.T, user, password string, inQuery bool) {
		// (A user name written escaped in the URL may spell the password.)
		if len(password) < 6 || strings.Contains(user, password) || strings.Contains(reference, password) || strings.Contains(url.User(user).String(), password) ||
			(inQuery && strings.Contains(referenceQuery, password)) {
			// Too short, or part of what the message rightly says.
			return
		}
		var got string
		if inQuery {
			got = openRefused(t, url.User(user), url.Values{"password": {password}}.Encode())
		} else {
			got = openRefused(t, url.UserPassword(user, password), "")
		}
		if strings.Contains(got, password) {
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
