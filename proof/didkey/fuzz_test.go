package didkey

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to Parse. It must return a key or an
// *Error, never both and never neither; a key it returns must be the one
// the text names (FromPublicKey writes the same did:key back, and the
// fragment, if any, repeats it).
func FuzzParse(f *testing.F) {
	const ed = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	f.Add("did:key:" + ed)
	f.Add("did:key:" + ed + "#" + ed)
	f.Add("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")
	f.Add("did:key:" + ed + "#key-1")
	f.Add("did:key:z")
	f.Add("did:key:z11")
	f.Add("did:key:u7QE")
	f.Add("did:web:example.com")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Parse(s)
		if err != nil {
			var e *Error
			if k != nil || !errors.As(err, &e) || e.Reason == "" || e.Input != s {
				t.Fatalf("Parse(%q) = %v, %v", s, k, err)
			}
			return
		}
		if k == nil {
			t.Fatalf("Parse(%q) = nil, nil", s)
		}
		did, err := FromPublicKey(k.Public)
		if err != nil {
			t.Fatalf("Parse(%q) gave a key FromPublicKey refuses: %v", s, err)
		}
		if did != k.DID || did != Prefix+k.Multibase || !strings.HasPrefix(s, did) {
			t.Fatalf("Parse(%q): DID %s, Multibase %s; FromPublicKey writes %s", s, k.DID, k.Multibase, did)
		}
		if want := did + "#" + k.Fragment; s != did && s != want || k.Fragment != "" && k.Fragment != k.Multibase {
			t.Fatalf("Parse(%q): fragment %q, multibase %s", s, k.Fragment, k.Multibase)
		}
	})
}
