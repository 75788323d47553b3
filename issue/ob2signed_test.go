package issue

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
)

// jwsSigner signs OB 2.0 assertions as compact JWS (RS256).
type jwsSigner struct{ key *rsa.PrivateKey }

func (jwsSigner) Format() string { return "jws" }

func (s jwsSigner) Sign(ctx context.Context, p *payload.Payload) ([]byte, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: s.key}, nil)
	if err != nil {
		return nil, err
	}
	obj, err := signer.Sign(p.Raw)
	if err != nil {
		return nil, err
	}
	tok, err := obj.CompactSerialize()
	return []byte(tok), err
}

// docTransport answers each URL with a JSON document.
type docTransport map[string]any

func (d docTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	status, body := http.StatusNotFound, []byte("not found")
	if doc, ok := d[u.String()]; ok {
		status = http.StatusOK
		body, _ = json.Marshal(doc)
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/ld+json"}}, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}, nil
}

func TestOB2SignedVerifies(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(key.Public())
	const base = "https://issuer.example.org"
	site := docTransport{
		base + "/badge.json": map[string]any{"@context": contextOB2, "type": "BadgeClass", "id": base + "/badge.json", "name": "Teamwork",
			"description": "Works well with others.", "image": "data:image/png;base64,iVBORw0KGgo=", "criteria": map[string]any{"narrative": "Peers."}, "issuer": base + "/issuer.json"},
		base + "/issuer.json": map[string]any{"@context": contextOB2, "type": "Profile", "id": base + "/issuer.json", "name": "Example Issuer",
			"url": base, "email": "badges@example.org", "publicKey": base + "/key.json"},
		base + "/key.json": map[string]any{"@context": contextOB2, "type": "CryptographicKey", "id": base + "/key.json", "owner": base + "/issuer.json",
			"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))},
	}
	template := `{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "{{.id}}",
  "badge": "` + base + `/badge.json", "narrative": "Awarded to {{.name}}.",
  "verification": {"type": "signed", "creator": "` + base + `/key.json"}}`
	v := verify.New(verify.Config{Client: fetch.New(fetch.Options{Transport: site})})
	l := newMemLedger()
	opts := Options{
		Template: []byte(template), TemplateName: "ob2.json",
		Recipients: strings.NewReader(recipients(4)), RecipientsName: "recipients.csv",
		Image: testPNG(), OutDir: t.TempDir(), Signer: jwsSigner{key}, Ledger: l, Verifier: v, HashRecipients: true,
	}
	sum, err := Run(context.Background(), opts)
	if err != nil || sum.Issued != 4 {
		t.Fatalf("%+v %v", sum, err)
	}
	for i := range 4 {
		res := verifyFile(t, v, filepath.Join(opts.OutDir, "r"+pad3(i)+".png"), verify.Recipient{"email": "person" + itoa(i) + "@example.org"})
		if res.Status != report.StatusValid || res.Report.OpenBadgesVersion != "2.0" {
			t.Fatalf("r%s: %s %v", pad3(i), res.Status, problems(res))
		}
		if e := l.entry("r" + pad3(i)); e.Format != "jws" || !strings.HasPrefix(e.CredentialID, "urn:uuid:") {
			t.Fatalf("entry %+v", e)
		}
	}
}
