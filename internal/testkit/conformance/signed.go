package conformance

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash"
	"strings"
	"sync"
	"testing"
)

// Signed assertions are made at test time: RSA-2048 keys are generated once
// per test process, by name, so no private key lives in the repository and
// the in-process and end-to-end suites (one process each) sign and serve
// with the same keys.

// keys holds the test keys of this process, by name.
var keys struct {
	sync.Mutex
	rsa map[string]*rsa.PrivateKey
	ec  map[string]*ecdsa.PrivateKey
}

// Key returns the RSA-2048 test key called name, generating it on first use.
func Key(t testing.TB, name string) *rsa.PrivateKey {
	keys.Lock()
	defer keys.Unlock()
	if k := keys.rsa[name]; k != nil {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generating test key %s: %v", name, err)
	}
	if keys.rsa == nil {
		keys.rsa = map[string]*rsa.PrivateKey{}
	}
	keys.rsa[name] = k
	return k
}

// ecKey returns the P-256 test key called name.
func ecKey(t testing.TB, name string) *ecdsa.PrivateKey {
	keys.Lock()
	defer keys.Unlock()
	if k := keys.ec[name]; k != nil {
		return k
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating test key %s: %v", name, err)
	}
	if keys.ec == nil {
		keys.ec = map[string]*ecdsa.PrivateKey{}
	}
	keys.ec[name] = k
	return k
}

// PublicKeyPEM is the public half of test key name in PEM: format "pkcs1"
// for an RSA PUBLIC KEY block, else a PKIX PUBLIC KEY block.
func PublicKeyPEM(t testing.TB, name, format string) string {
	pub := &Key(t, name).PublicKey
	if format == "pkcs1" {
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}))
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// keyDocument turns a {"publicKey": name} mock into the CryptographicKey
// document it serves at url.
func keyDocument(t testing.TB, url string, m *Mock) *Mock {
	if m.PEM != "" && m.PEM != "pkix" && m.PEM != "pkcs1" {
		t.Fatalf("mock %s: pem must be pkix or pkcs1, not %q", url, m.PEM)
	}
	doc := map[string]any{
		"@context":     "https://w3id.org/openbadges/v2",
		"type":         "CryptographicKey",
		"id":           url,
		"publicKeyPem": PublicKeyPEM(t, m.PublicKey, m.PEM),
	}
	if m.Owner != "" {
		doc["owner"] = m.Owner
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	copied := *m
	copied.JSON = b
	copied.PublicKey = ""
	return &copied
}

// Signed describes a compact JWS made at test time.
type Signed struct {
	// Key names the test key that signs (default "k1"). For HS256 the
	// HMAC secret is this key's public key PEM (PKIX), as an attacker
	// who read it from the key document would use it (algorithm
	// confusion); ES256 signs with a P-256 key of the same name.
	Key string `json:"key"`
	// Alg is the "alg" header: RS256 (default), RS384, RS512, PS256,
	// ES256, HS256, HS384, HS512 or none (an unsecured JWS: empty
	// signature).
	Alg string `json:"alg"`
	// Header holds more header parameters.
	Header map[string]any `json:"header"`
	// Payload is the assertion, signed as written (compacted).
	Payload json.RawMessage `json:"payload"`
	// Tamper changes the payload after signing: true flips the lowest bit
	// of the payload's first ASCII digit (a digit stays a digit, so the
	// JSON stays valid and only the signature can tell); an object's
	// properties are merged into the payload.
	Tamper json.RawMessage `json:"tamper"`
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Token returns the compact serialisation.
func (s *Signed) Token(t testing.TB) string {
	t.Helper()
	keyName := s.Key
	if keyName == "" {
		keyName = "k1"
	}
	alg := s.Alg
	if alg == "" {
		alg = "RS256"
	}
	var payload bytes.Buffer
	if err := json.Compact(&payload, s.Payload); err != nil {
		t.Fatalf("signed payload: %v", err)
	}
	header := map[string]any{}
	for k, v := range s.Header {
		header[k] = v
	}
	header["alg"] = alg
	hb, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	input := b64(hb) + "." + b64(payload.Bytes())
	sig := sign(t, alg, keyName, []byte(input))
	body := payload.Bytes()
	if len(s.Tamper) > 0 && string(s.Tamper) != "false" {
		body = tamper(t, body, s.Tamper)
	}
	return b64(hb) + "." + b64(body) + "." + b64(sig)
}

func sign(t testing.TB, alg, keyName string, input []byte) []byte {
	digest := func(h hash.Hash) []byte { h.Write(input); return h.Sum(nil) }
	switch alg {
	case "none":
		return nil
	case "RS256", "RS384", "RS512", "PS256":
		var h crypto.Hash
		var sum []byte
		switch alg {
		case "RS384":
			h, sum = crypto.SHA384, digest(sha512.New384())
		case "RS512":
			h, sum = crypto.SHA512, digest(sha512.New())
		default:
			h, sum = crypto.SHA256, digest(sha256.New())
		}
		var sig []byte
		var err error
		if alg == "PS256" {
			sig, err = rsa.SignPSS(rand.Reader, Key(t, keyName), h, sum, nil)
		} else {
			sig, err = rsa.SignPKCS1v15(nil, Key(t, keyName), h, sum)
		}
		if err != nil {
			t.Fatal(err)
		}
		return sig
	case "ES256":
		r, s, err := ecdsa.Sign(rand.Reader, ecKey(t, keyName), digest(sha256.New()))
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	case "HS256", "HS384", "HS512":
		secret := []byte(PublicKeyPEM(t, keyName, "pkix"))
		newHash := map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}[alg]
		mac := hmac.New(newHash, secret)
		mac.Write(input)
		return mac.Sum(nil)
	}
	t.Fatalf("signed: unknown alg %q", alg)
	return nil
}

// tamper changes a signed payload (see Signed.Tamper).
func tamper(t testing.TB, payload []byte, how json.RawMessage) []byte {
	out := append([]byte{}, payload...)
	if string(how) == "true" {
		for i, c := range out {
			if c >= '0' && c <= '9' {
				out[i] = c ^ 1
				return out
			}
		}
		t.Fatal("tamper: the payload has no digit to flip")
	}
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(how, &patch); err != nil {
		t.Fatalf("tamper must be true or an object: %v", err)
	}
	return patched(t, out, patch)
}

// PayloadText is payload text given in a case: a string, or
// {"signed": Signed} for a JWS made at test time.
type PayloadText struct {
	Text   string
	Signed *Signed
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *PayloadText) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &p.Text); err == nil {
		return nil
	}
	var obj struct {
		Signed *Signed `json:"signed"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil || obj.Signed == nil {
		return fmt.Errorf(`a payload is a string or {"signed": {...}}, not %s`, strings.TrimSpace(string(b)))
	}
	p.Signed = obj.Signed
	return nil
}

// IsZero reports whether no payload was given.
func (p PayloadText) IsZero() bool { return p.Text == "" && p.Signed == nil }

// Render returns the payload text.
func (p PayloadText) Render(t testing.TB) string {
	if p.Signed != nil {
		return p.Signed.Token(t)
	}
	return p.Text
}
