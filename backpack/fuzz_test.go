package backpack_test

import (
	"strings"
	"testing"

	"github.com/badgebake/badgebake/backpack"
)

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
