package keyfile_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

type serveOne struct {
	url string
	doc []byte
}

func (s serveOne) RoundTrip(r *http.Request) (*http.Response, error) {
	status, body := http.StatusNotFound, []byte("not found")
	if r.URL.String() == s.url {
		status, body = http.StatusOK, s.doc
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/did+json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// The DID document DIDWebDocument writes is one badgebake's own verifier
// resolves, at the address the did:web names, to the key, listed as an
// assertion method of the issuer.
func TestDIDWebDocumentResolves(t *testing.T) {
	for _, typ := range keyfile.Types {
		t.Run(string(typ), func(t *testing.T) {
			bits := 0
			if typ == keyfile.RSA {
				bits = 2048
			}
			k, err := keyfile.Generate(typ, bits)
			if err != nil {
				t.Fatal(err)
			}
			did, err := keyfile.DIDWebFromHost("example.org:8443/issuers/1")
			if err != nil {
				t.Fatal(err)
			}
			doc, err := k.DIDWebDocument(did)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(doc, []byte(`"d"`)) {
				t.Fatalf("private member in\n%s", doc)
			}
			docURL, err := keys.DIDWebURL(did)
			if err != nil || docURL != "https://example.org:8443/issuers/1/did.json" {
				t.Fatalf("DIDWebURL(%s) = %s, %v", did, docURL, err)
			}
			r := keys.NewResolver(fetch.New(fetch.Options{Transport: serveOne{docURL, doc}}))
			got, err := r.Resolve(context.Background(), did+"#key-1")
			if err != nil {
				t.Fatalf("%v\n%s", err, doc)
			}
			if k.Matches(got.Public) != nil || got.Controller != did || !got.AssertionMethod {
				t.Fatalf("resolved %+v", got)
			}
			if err := r.CheckIssuer(context.Background(), got, did); err != nil {
				t.Fatalf("CheckIssuer: %v", err)
			}
		})
	}
}

func TestDIDWebDocumentRefuses(t *testing.T) {
	k, _ := keyfile.Generate(keyfile.Ed25519, 0)
	for _, did := range []string{"did:key:z6Mk", "example.org", "did:web:example.org#key-1", "did:web:a/b"} {
		if _, err := k.DIDWebDocument(did); err == nil {
			t.Errorf("DIDWebDocument(%q): no error", did)
		}
	}
}
