// Package ob3issuer is an Open Badges 3.0 issuer for tests, in process and
// without the network: it signs credentials (Data Integrity
// eddsa-rdfc-2022 with the real JSON-LD canonicalizer, and VC-JWTs) and,
// for a did:web issuer, serves over HTTPS what a verifier fetches — the
// DID document, Bitstring status lists signed by the issuer, a 1EdTech
// revocation list and refreshed credentials — from an httptest server
// that stands in for https://issuer.example (and https://other.example,
// a second issuer). Client returns the fetch client that reaches it.
//
// A test can revoke or suspend a credential, break a status list's
// proof, or make any document unavailable, to see what a verifier does.
//
//	iss := ob3issuer.New(t)
//	signed := iss.SignDI(iss.Credential(ob3issuer.WithStatus("revocation", 7)))
//	iss.Revoke(7)
//	v := verify.New(verify.Config{Client: iss.Client()})
//
// NewDIDKey returns an issuer whose id is a did:key: everything it signs
// verifies offline, and it serves nothing.
package ob3issuer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/testnet"
	"github.com/badgebake/badgebake/jsonld"
	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

// Host names the test server answers for, and the issuers' DIDs.
const (
	Host      = "issuer.example"
	OtherHost = "other.example"
	DID       = "did:web:" + Host
	OtherDID  = "did:web:" + OtherHost
	BaseURL   = "https://" + Host
)

// Contexts of the credentials the issuer writes.
const (
	ContextVC2          = "https://www.w3.org/ns/credentials/v2"
	ContextOB303        = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextOBExtensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
)

// Addresses of what the issuer serves (under BaseURL).
const (
	RevocationListPath    = "/status/revocation"
	SuspensionListPath    = "/status/suspension"
	RevocationList1EdTech = "/revocations"
	RefreshPath           = "/refresh"
	DIDDocumentPath       = "/.well-known/did.json" // of both issuers' DID documents
)

// statusListBits is the length of the status lists: the specification's
// minimum of 16 KiB.
const statusListBits = 131072

// Keys are an issuer's signing keys and the verification method ids that
// name them.
type Keys struct {
	Ed25519   ed25519.PrivateKey
	Ed25519ID string
	P256      *ecdsa.PrivateKey
	P256ID    string
	RSA       *rsa.PrivateKey
	RSAID     string
	// AuthOnly is listed in the DID document under authentication, not
	// assertionMethod: it may not sign credentials.
	AuthOnly   ed25519.PrivateKey
	AuthOnlyID string
}

// Issuer is a test Open Badges 3.0 issuer. Its methods are safe for
// concurrent use.
type Issuer struct {
	t     testing.TB
	ID    string // the issuer's id: a did:web or a did:key
	Keys  Keys
	Other Keys // did:web:other.example's keys (did:web issuers only)
	// Stranger is an Ed25519 key no DID document lists.
	Stranger ed25519.PrivateKey

	canon     canonicalizer
	client    *fetch.Client
	newClient func() *fetch.Client
	srv       *httptest.Server
	caPEM     []byte

	mu         sync.Mutex
	lists      map[string]*statuslist.List // purpose → list
	brokenList map[string]bool             // purpose → serve with a proof that fails
	revoked    map[string]string           // 1EdTech list: credential id → reason
	refreshed  map[string]map[string]any   // credential id → refreshed credential
	extra      map[string]any              // path → another document (Serve)
	statusOf   map[string]int              // [host] + path → HTTP status to answer instead
	hits       map[string]int              // path → requests
	serial     int
}

// canonicalizer is dataintegrity.Canonicalizer over package jsonld.
type canonicalizer struct{ ld *jsonld.Processor }

func (c canonicalizer) Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error) {
	return c.ld.WithContext(ctx).Canonicalize(doc, nil)
}

// Canonicalizer returns an RDFC-1.0 canonicalizer like the one issuers
// sign with (the real JSON-LD processor in safe mode and rdfc's default
// work limits), that knows the built-in contexts only.
func Canonicalizer() dataintegrity.Canonicalizer {
	return canonicalizer{jsonld.NewProcessor(jsonld.NewLoader(nil))}
}

// New starts a did:web issuer (did:web:issuer.example) with its HTTPS
// server, stopped when the test ends. Its DID document lists an Ed25519
// Multikey (#key-1), a P-256 key (#key-p256) and an RSA JWK (#key-rsa)
// under assertionMethod; did:web:other.example's lists other keys of the
// same kinds.
func New(t testing.TB) *Issuer {
	t.Helper()
	iss := newIssuer(t)
	iss.ID = DID
	iss.Keys = newKeys(t, DID)
	iss.Other = newKeys(t, OtherDID)

	ca := testnet.NewCA(t)
	iss.srv = httptest.NewUnstartedServer(http.HandlerFunc(iss.serve))
	iss.srv.TLS = ca.ServerTLS(t, Host, OtherHost)
	iss.srv.StartTLS()
	t.Cleanup(iss.srv.Close)
	addr := iss.srv.Listener.Addr().String()
	pool := ca.Pool()
	iss.caPEM = ca.PEM()
	iss.newClient = func() *fetch.Client {
		return fetch.New(fetch.Options{
			RootCAs: pool,
			// Every host name is this server: nothing leaves the machine.
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
			// Never a proxy from the environment.
			Proxy: func(*http.Request) (*url.URL, error) { return nil, nil },
		})
	}
	iss.client = iss.newClient()
	return iss
}

// NewDIDKey returns an issuer whose id is the did:key of an Ed25519 key:
// what it signs with that key verifies without the network. It serves
// nothing, and Client returns an offline client.
func NewDIDKey(t testing.TB) *Issuer {
	t.Helper()
	iss := newIssuer(t)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	did, err := didkey.FromPublicKey(ed.Public())
	if err != nil {
		t.Fatal(err)
	}
	iss.ID = did
	iss.Keys = Keys{Ed25519: ed, Ed25519ID: did + "#" + strings.TrimPrefix(did, didkey.Prefix)}
	iss.newClient = func() *fetch.Client { return fetch.New(fetch.Options{Offline: true}) }
	iss.client = iss.newClient()
	return iss
}

func newIssuer(t testing.TB) *Issuer {
	_, stranger, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{
		t:          t,
		Stranger:   stranger,
		extra:      map[string]any{},
		lists:      map[string]*statuslist.List{statuslist.PurposeRevocation: statuslist.New(statusListBits), statuslist.PurposeSuspension: statuslist.New(statusListBits)},
		brokenList: map[string]bool{},
		revoked:    map[string]string{},
		refreshed:  map[string]map[string]any{},
		statusOf:   map[string]int{},
		hits:       map[string]int{},
	}
	// The issuer reads the contexts it serves itself (Serve) from its own
	// table when it signs; any other context must be built in.
	iss.canon = canonicalizer{jsonld.NewProcessor(jsonld.NewLoader(iss.ownDocument))}
	return iss
}

// ownDocument is the Fetcher of the issuer's canonicalizer.
func (iss *Issuer) ownDocument(_ context.Context, u string) ([]byte, error) {
	body, _, ok := iss.served(u)
	if !ok {
		return nil, fmt.Errorf("ob3issuer: %s is neither built in nor served by the issuer", u)
	}
	return body, nil
}

// Serve makes the server answer for url (on Host or OtherHost: e.g.
// "https://issuer.example/contexts/v1.json") with doc: []byte or a string
// as is (as text/plain; an image by its bytes), anything else as JSON.
func (iss *Issuer) Serve(url string, doc any) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.extra[strings.TrimPrefix(url, "https://")] = doc
}

// RSA keys are slow to make: one per test binary is enough.
var rsaKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	a, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	b, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return a, b
})

func newKeys(t testing.TB, did string) Keys {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, auth, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaA, rsaB := rsaKeys()
	r := rsaA
	if did == OtherDID {
		r = rsaB
	}
	return Keys{Ed25519: ed, Ed25519ID: did + "#key-1", P256: p256, P256ID: did + "#key-p256", RSA: r, RSAID: did + "#key-rsa",
		AuthOnly: auth, AuthOnlyID: did + "#key-auth"}
}

// Client returns the fetch client that reaches the issuer's server for
// every host name (an offline client for a did:key issuer). It is one
// client for the issuer's life, and a fetch.Client keeps what it fetched:
// a test that changes a document after a verification that fetched it
// verifies again with FreshClient.
func (iss *Issuer) Client() *fetch.Client { return iss.client }

// Addr is the loopback address ("127.0.0.1:port") of the issuer's HTTPS
// server, for a proxy that sends Host and OtherHost there ("" for a
// did:key issuer).
func (iss *Issuer) Addr() string {
	if iss.srv == nil {
		return ""
	}
	return iss.srv.Listener.Addr().String()
}

// CAPEM is the PEM certificate of the authority that signed the server's
// certificate, for a client outside this process (SSL_CERT_FILE).
func (iss *Issuer) CAPEM() []byte { return append([]byte(nil), iss.caPEM...) }

// FreshClient returns a new client like Client's, with nothing cached.
func (iss *Issuer) FreshClient() *fetch.Client { return iss.newClient() }

// URL is the address of path on the issuer's host.
func (iss *Issuer) URL(path string) string { return BaseURL + path }

// Hits reports how many requests path (on any host) received.
func (iss *Issuer) Hits(path string) int {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.hits[path]
}

// SetStatus makes the server answer every request for path (on either
// host, e.g. "/.well-known/did.json" or RevocationListPath) with this HTTP
// status instead of the document: 503 for a server that is down, 404 for
// one that is gone. 0 serves the document again.
func (iss *Issuer) SetStatus(path string, status int) { iss.SetHostStatus("", path, status) }

// SetHostStatus is SetStatus for path on one host only (Host or
// OtherHost; "" for both).
func (iss *Issuer) SetHostStatus(host, path string, status int) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	if status == 0 {
		delete(iss.statusOf, host+path)
	} else {
		iss.statusOf[host+path] = status
	}
}

// Down makes path unavailable (HTTP 503).
func (iss *Issuer) Down(path string) { iss.SetStatus(path, http.StatusServiceUnavailable) }

// Revoke sets the bit of index in the revocation status list.
func (iss *Issuer) Revoke(index int) { iss.setBit(statuslist.PurposeRevocation, index) }

// Suspend sets the bit of index in the suspension status list.
func (iss *Issuer) Suspend(index int) { iss.setBit(statuslist.PurposeSuspension, index) }

func (iss *Issuer) setBit(purpose string, index int) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	if err := iss.lists[purpose].Set(index, 1, 1); err != nil {
		iss.t.Fatalf("ob3issuer: %s list: %v", purpose, err)
	}
}

// BreakStatusList makes the status list of purpose be served with a proof
// that does not verify (the list is changed after signing).
func (iss *Issuer) BreakStatusList(purpose string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.brokenList[purpose] = true
}

// RevokeInList lists the credential id in the 1EdTech revocation list.
func (iss *Issuer) RevokeInList(credentialID, reason string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.revoked[credentialID] = reason
}

// SetRefreshed makes the refresh service answer for credentialID with
// credential (already signed).
func (iss *Issuer) SetRefreshed(credentialID string, credential map[string]any) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.refreshed[credentialID] = credential
}

func (iss *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	iss.mu.Lock()
	iss.hits[r.URL.Path]++
	status, ok := iss.statusOf[host+r.URL.Path]
	if !ok {
		status = iss.statusOf[r.URL.Path]
	}
	iss.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if body, ctype, ok := iss.served(host + r.URL.Path); ok {
		w.Header().Set("Content-Type", ctype)
		w.Write(body)
		return
	}
	var doc any
	switch {
	case r.URL.Path == DIDDocumentPath && host == Host:
		doc = didDocument(DID, iss.Keys)
	case r.URL.Path == DIDDocumentPath && host == OtherHost:
		doc = didDocument(OtherDID, iss.Other)
	case host != Host:
		http.NotFound(w, r)
		return
	case r.URL.Path == RevocationListPath:
		doc = iss.statusListCredential(statuslist.PurposeRevocation)
	case r.URL.Path == SuspensionListPath:
		doc = iss.statusListCredential(statuslist.PurposeSuspension)
	case r.URL.Path == RevocationList1EdTech:
		doc = iss.revocationList()
	case r.URL.Path == RefreshPath:
		iss.mu.Lock()
		cred, ok := iss.refreshed[r.URL.Query().Get("id")]
		iss.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		doc = cred
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

// served is the body and content type of what Serve put at url.
func (iss *Issuer) served(url string) (body []byte, contentType string, ok bool) {
	iss.mu.Lock()
	doc, ok := iss.extra[strings.TrimPrefix(url, "https://")]
	iss.mu.Unlock()
	if !ok {
		return nil, "", false
	}
	switch d := doc.(type) {
	case []byte:
		return d, http.DetectContentType(d), true
	case string:
		return []byte(d), "text/plain", true
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b, "application/json", true
}

// didDocument is the DID document of did listing keys under
// assertionMethod.
func didDocument(did string, k Keys) map[string]any {
	ed := multikey(k.Ed25519.Public())
	p256 := multikey(k.P256.Public())
	return map[string]any{
		"@context": []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/suites/jws-2020/v1"},
		"id":       did,
		"verificationMethod": []any{
			map[string]any{"id": k.Ed25519ID, "type": "Multikey", "controller": did, "publicKeyMultibase": ed},
			map[string]any{"id": k.P256ID, "type": "Multikey", "controller": did, "publicKeyMultibase": p256},
			map[string]any{"id": k.RSAID, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": publicJWK(k.RSA.Public())},
			map[string]any{"id": k.AuthOnlyID, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey(k.AuthOnly.Public())},
		},
		"assertionMethod": []any{k.Ed25519ID, k.P256ID, k.RSAID},
		"authentication":  []any{k.AuthOnlyID},
	}
}

func multikey(pub crypto.PublicKey) string {
	did, err := didkey.FromPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return strings.TrimPrefix(did, didkey.Prefix)
}

func publicJWK(pub crypto.PublicKey) map[string]any {
	b, err := jose.JSONWebKey{Key: pub}.MarshalJSON()
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

// statusListCredential is the issuer's signed BitstringStatusListCredential
// of purpose, as it stands now.
func (iss *Issuer) statusListCredential(purpose string) map[string]any {
	iss.mu.Lock()
	encoded, err := iss.lists[purpose].Encode()
	broken := iss.brokenList[purpose]
	iss.mu.Unlock()
	if err != nil {
		panic(err)
	}
	url := iss.URL(RevocationListPath)
	if purpose == statuslist.PurposeSuspension {
		url = iss.URL(SuspensionListPath)
	}
	list := map[string]any{
		"@context":  []any{ContextVC2},
		"id":        url,
		"type":      []any{"VerifiableCredential", statuslist.TypeCredential},
		"issuer":    iss.ID,
		"validFrom": "2024-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":            url + "#list",
			"type":          statuslist.TypeList,
			"statusPurpose": purpose,
			"encodedList":   encoded,
		},
	}
	signed := iss.SignDI(list)
	if broken {
		// Changed after signing: flip the first bit.
		l := statuslist.New(statusListBits)
		l.Set(0, 1, 1)
		tampered, _ := l.Encode()
		subject := maps.Clone(signed["credentialSubject"].(map[string]any))
		subject["encodedList"] = tampered
		signed["credentialSubject"] = subject
	}
	return signed
}

// revocationList is the issuer's 1EdTech revocation list.
func (iss *Issuer) revocationList() map[string]any {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	entries := []any{}
	ids := slices.Sorted(maps.Keys(iss.revoked))
	for _, id := range ids {
		reason := iss.revoked[id]
		e := map[string]any{"id": id, "revoked": true}
		if reason != "" {
			e["revocationReason"] = reason
		}
		entries = append(entries, e)
	}
	return map[string]any{
		"id":                iss.URL(RevocationList1EdTech),
		"issuer":            iss.ID,
		"revokedCredential": entries,
	}
}

// Credential returns a new, unsigned OB 3.0 AchievementCredential (VCDM
// 2.0, Open Badges context 3.0.3) from the issuer to did:example:alice,
// with a fresh id, changed by each mod in turn.
func (iss *Issuer) Credential(mods ...func(map[string]any)) map[string]any {
	iss.mu.Lock()
	iss.serial++
	n := iss.serial
	iss.mu.Unlock()
	cred := map[string]any{
		"@context": []any{ContextVC2, ContextOB303},
		"id":       fmt.Sprintf("urn:uuid:6d5b7b8c-1f1e-4f3a-9c55-%012d", n),
		"type":     []any{"VerifiableCredential", "AchievementCredential"},
		"issuer": map[string]any{
			"id":   iss.ID,
			"type": []any{"Profile"},
			"name": "Example Issuer",
			"url":  BaseURL,
		},
		"validFrom": "2024-01-01T00:00:00Z",
		"name":      "Teamwork",
		"credentialSubject": map[string]any{
			"id":   "did:example:alice",
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id":          BaseURL + "/achievements/teamwork",
				"type":        []any{"Achievement"},
				"name":        "Teamwork",
				"description": "Works well with others.",
				"criteria":    map[string]any{"narrative": "Nominated by three peers."},
			},
		},
	}
	for _, mod := range mods {
		mod(cred)
	}
	return cred
}

// ID of a credential.
func ID(cred map[string]any) string {
	s, _ := cred["id"].(string)
	return s
}

// SignDI returns a copy of cred with an eddsa-rdfc-2022 proof by the
// issuer's Ed25519 key.
func (iss *Issuer) SignDI(cred map[string]any) map[string]any {
	return iss.SignDIWith(cred, iss.Keys.Ed25519, iss.Keys.Ed25519ID)
}

// SignDIWith returns a copy of cred with an eddsa-rdfc-2022 proof by key,
// naming verificationMethod as the key.
func (iss *Issuer) SignDIWith(cred map[string]any, key ed25519.PrivateKey, verificationMethod string) map[string]any {
	iss.t.Helper()
	signed, err := dataintegrity.Sign(context.Background(), cred, dataintegrity.SignOptions{
		VerificationMethod: verificationMethod,
		Created:            "2024-01-01T00:00:00Z",
	}, key, iss.canon)
	if err != nil {
		iss.t.Fatalf("ob3issuer: sign: %v", err)
	}
	return signed
}

// SignJWT returns cred as a VC-JWT signed with the issuer's key for alg
// (EdDSA, ES256 or RS256), with a kid naming it.
func (iss *Issuer) SignJWT(cred map[string]any, alg string) string {
	iss.t.Helper()
	var key crypto.Signer
	var kid string
	switch {
	case alg == "EdDSA":
		key, kid = iss.Keys.Ed25519, iss.Keys.Ed25519ID
	case alg == "ES256" && iss.Keys.P256 != nil:
		key, kid = iss.Keys.P256, iss.Keys.P256ID
	case (alg == "RS256" || alg == "PS256") && iss.Keys.RSA != nil:
		key, kid = iss.Keys.RSA, iss.Keys.RSAID
	default:
		iss.t.Fatalf("ob3issuer: the issuer has no key for %s", alg)
	}
	return iss.SignJWTWith(cred, key, vcjwt.SignOptions{Alg: alg, Kid: kid})
}

// SignJWTWith returns cred as a VC-JWT signed with key as opts say.
func (iss *Issuer) SignJWTWith(cred map[string]any, key crypto.Signer, opts vcjwt.SignOptions) string {
	iss.t.Helper()
	tok, err := vcjwt.Sign(cred, key, opts)
	if err != nil {
		iss.t.Fatalf("ob3issuer: sign JWT: %v", err)
	}
	return tok
}

// JSON encodes v (a credential) as JSON.
func JSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
