package payload

import (
	"bytes"
	"testing"
)

// FuzzParse feeds arbitrary text to the classifier. Whatever it accepts must
// be internally consistent: Raw is the trimmed input, the kind matches its
// first byte, and the structure check never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte("https://example.org/assertions/1"))
	f.Add([]byte(ob2Assertion))
	f.Add([]byte(ob3Credential))
	f.Add([]byte(compactJWS(f, map[string]string{"alg": "RS256"}, map[string]any{"vc": map[string]any{}})))
	f.Add([]byte("eyJhbGciOiJub25lIn0.e30.c2ln"))
	f.Add([]byte(`{"a":`))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := Parse(in)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Raw, trim(in)) {
			t.Fatalf("Raw %q is not the trimmed input", p.Raw)
		}
		switch p.Kind {
		case KindJSON:
			if p.Raw[0] != '{' || p.Object == nil {
				t.Fatalf("JSON payload %q without object", p.Raw)
			}
		case KindJWS:
			if p.Header == nil || p.Object == nil || p.JWS == nil || p.JWS.Compact != string(p.Raw) || bytes.Count(p.Raw, []byte(".")) != 2 {
				t.Fatalf("JWS payload %q inconsistent", p.Raw)
			}
		case KindURL:
			if p.HostedURL() != string(p.Raw) {
				t.Fatalf("URL payload %q has hosted URL %q", p.Raw, p.HostedURL())
			}
		default:
			t.Fatalf("unknown kind %q", p.Kind)
		}
		if p.Generation != OB2 && p.Generation != OB3 {
			t.Fatalf("unknown generation %q", p.Generation)
		}
		_, _ = p.CheckStructure()
	})
}
