package backpack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/backpack"
)

func TestParseRedirect(t *testing.T) {
	a := &backpack.Authorization{State: "the-state"}
	for _, tc := range []struct {
		name, raw, code string
		check           func(error) bool
	}{
		{"listener", "/callback?code=SECRETCODE&state=the-state", "SECRETCODE", nil},
		{"pasted", "  http://127.0.0.1:5000/callback?state=the-state&code=SECRETCODE\n", "SECRETCODE", nil},
		{"bare query", "?code=SECRETCODE&state=the-state", "SECRETCODE", nil},
		{"fragment", "https://b.example/cb#code=SECRETCODE&state=the-state", "SECRETCODE", nil},
		{"wrong state", "/callback?code=SECRETCODE&state=other", "", isState},
		{"no state", "/callback?code=SECRETCODE", "", isState},
		{"error with wrong state", "/callback?error=access_denied&state=other", "", isState},
		{"error", "/callback?error=access_denied&error_description=no+thanks&state=the-state", "", func(err error) bool {
			var ae *backpack.AuthorizationError
			return errors.As(err, &ae) && ae.Code == "access_denied" && ae.Description == "no thanks"
		}},
		{"no code", "/callback?state=the-state", "", isRedirect},
		{"two codes", "/callback?code=SECRETCODE&code=x&state=the-state", "", isRedirect},
		{"empty", "", "", isRedirect},
		{"not a URL", "%zz SECRETCODE", "", isRedirect},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, err := backpack.ParseRedirect(tc.raw, a)
			if tc.check == nil {
				if err != nil || code != tc.code {
					t.Fatalf("= %q, %v; want %q", code, err, tc.code)
				}
				return
			}
			if code != "" || !tc.check(err) {
				t.Fatalf("= %q, %v", code, err)
			}
			secretSet{"SECRETCODE", "the-state"}.check(t, err)
		})
	}
}

func isState(err error) bool {
	var se *backpack.StateError
	return errors.As(err, &se)
}

func isRedirect(err error) bool {
	var re *backpack.RedirectError
	return errors.As(err, &re)
}

func FuzzParseRedirect(f *testing.F) {
	f.Add("http://127.0.0.1:1/callback?code=c&state=s")
	f.Add("?error=access_denied&error_description=x%0A&state=s")
	f.Add("https://b.example/cb#code=c&state=s")
	f.Add("%zz")
	a := &backpack.Authorization{State: "s"}
	f.Fuzz(func(t *testing.T, raw string) {
		code, err := backpack.ParseRedirect(raw, a)
		if err == nil && code == "" {
			t.Fatal("no code and no error")
		}
		if err != nil {
			if code != "" {
				t.Fatal("a code with an error")
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error %q spans lines", err)
			}
		}
	})
}
