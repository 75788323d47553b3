package sign_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/sign"
	"github.com/badgebake/badgebake/verify"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

var testRSA = sync.OnceValue(func() *keyfile.Key {
	k, err := keyfile.Generate(keyfile.RSA, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func newKey(t testing.TB, typ keyfile.Type) *keyfile.Key {
	t.Helper()
	if typ == keyfile.RSA {
		return testRSA()
	}
	k, err := keyfile.Generate(typ, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// credential is an unsigned OB 3.0 AchievementCredential of issuer.
func credential(issuer string, mods ...func(map[string]any)) map[string]any {
	c := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:6d5b7b8c-1f1e-4f3a-9c55-000000000042",
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Example Issuer"},
		"validFrom": "2024-01-01T00:00:00Z",
		"name":      "Teamwork",
		"credentialSubject": map[string]any{
			"id":   "did:example:alice",
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id":          "https://example.org/achievements/teamwork",
				"type":        []any{"Achievement"},
				"name":        "Teamwork",
				"description": "Works well with <others> & more.",
				"criteria":    map[string]any{"narrative": "Nominated by three peers."},
			},
		},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func parse(t testing.TB, v any) *payload.Payload {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p, err := payload.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// docServer answers the requests of a fetch client with fixed documents.
type docServer map[string][]byte

func (d docServer) RoundTrip(r *http.Request) (*http.Response, error) {
	status, body := http.StatusNotFound, []byte("not found")
	if b, ok := d[r.URL.String()]; ok {
		status, body = http.StatusOK, b
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// didWebVerifier is a verifier that finds k's DID document at did:web:issuer.example.
func didWebVerifier(t testing.TB, k *keyfile.Key) (string, *verify.Verifier) {
	t.Helper()
	const did = "did:web:issuer.example"
	doc, err := k.DIDWebDocument(did)
	if err != nil {
		t.Fatal(err)
	}
	client := fetch.New(fetch.Options{Transport: docServer{"https://issuer.example/.well-known/did.json": doc}})
	return did, verify.New(verify.Config{Client: client})
}

// sameMembers fails unless every member of in is in out, unchanged (an
// @context may have gained entries at its end).
func sameMembers(t *testing.T, in, out map[string]any) {
	t.Helper()
	norm := func(v any) any {
		b, _ := json.Marshal(v)
		var x any
		json.Unmarshal(b, &x)
		return x
	}
	for k, v := range in {
		got, ok := out[k]
		if !ok {
			t.Errorf("member %q was dropped", k)
			continue
		}
		if k == "@context" {
			want, _ := norm(v).([]any)
			have, _ := norm(got).([]any)
			if len(have) < len(want) || !reflect.DeepEqual(have[:len(want)], want) {
				t.Errorf("@context %v became %v", v, got)
			}
			continue
		}
		if !reflect.DeepEqual(norm(v), norm(got)) {
			t.Errorf("member %q changed: %v → %v", k, v, got)
		}
	}
}

func TestSignRoundTrip(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		typ    keyfile.Type
		format sign.Format
		web    bool
	}{
		{keyfile.Ed25519, sign.FormatEdDSARDFC2022, false},
		{keyfile.Ed25519, sign.FormatVCJWT, false},
		{keyfile.P256, sign.FormatVCJWT, false},
		{keyfile.RSA, sign.FormatVCJWT, true},
		{keyfile.Ed25519, sign.FormatEdDSARDFC2022, true},
		{keyfile.P256, sign.FormatVCJWT, true},
	} {
		name := string(c.typ) + "/" + string(c.format)
		if c.web {
			name += "/did:web"
		}
		t.Run(name, func(t *testing.T) {
			k := newKey(t, c.typ)
			issuer, _ := k.DIDKey()
			var v *verify.Verifier
			if c.web {
				issuer, v = didWebVerifier(t, k)
			}
			s, err := sign.New(k, sign.Options{Format: c.format, Now: now, Verifier: v})
			if err != nil {
				t.Fatal(err)
			}
			in := credential(issuer)
			got, err := s.Sign(ctx, parse(t, in))
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != c.format || !got.Report.Report.Valid || got.Report.Status != report.StatusValid {
				t.Fatalf("format %s, report %+v", got.Format, got.Report.Report)
			}
			if !bytes.Equal(got.Bytes, got.Payload.Raw) {
				t.Fatal("Bytes is not the payload's text")
			}
			// Verified afresh, by a verifier that shares nothing with the signer's.
			if v == nil {
				v = verify.New(verify.Config{Client: fetch.New(fetch.Options{Offline: true})})
			}
			res, err := v.Verify(ctx, verify.Input{Data: got.Bytes}, nil)
			if err != nil || !res.Report.Valid {
				t.Fatalf("verify: %v %+v", err, res.Report.Messages)
			}
			sameMembers(t, in, got.Payload.Credential())
			switch c.format {
			case sign.FormatVCJWT:
				h := got.Payload.Header
				if got.Payload.Kind != payload.KindJWS || h["alg"] != k.Alg() {
					t.Fatalf("header %v", h)
				}
				wantKid, _ := k.DIDKeyMethod()
				if c.web {
					wantKid = issuer + "#key-1"
				}
				if h["kid"] != wantKid {
					t.Fatalf("kid %v, want %s", h["kid"], wantKid)
				}
				// A standard JOSE library verifies it with the public key.
				sig, err := jose.ParseSigned(string(got.Bytes), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(k.Alg())})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := sig.Verify(k.Public()); err != nil {
					t.Fatalf("go-jose: %v", err)
				}
				claims := got.Payload.Object
				if claims["iss"] != issuer || claims["jti"] != in["id"] || claims["sub"] != "did:example:alice" || claims["nbf"] == nil {
					t.Fatalf("claims %v", claims)
				}
			case sign.FormatEdDSARDFC2022:
				proof := got.Payload.Object["proof"].(map[string]any)
				if proof["cryptosuite"] != "eddsa-rdfc-2022" || proof["proofPurpose"] != "assertionMethod" || proof["created"] != "2025-03-01T12:00:00Z" {
					t.Fatalf("proof %v", proof)
				}
				if bytes.Contains(got.Bytes, []byte(`\u003c`)) {
					t.Fatal("HTML characters escaped")
				}
			}
			// Tampered after signing, it no longer verifies.
			tampered := bytes.Replace(got.Bytes, []byte("Teamwork"), []byte("Teamwerk"), 1)
			if got.Payload.Kind == payload.KindJSON {
				if res, _ := v.Verify(ctx, verify.Input{Data: tampered}, nil); res.Report.Valid {
					t.Fatal("tampered credential verifies")
				}
			}
		})
	}
}

func TestDefaultFormat(t *testing.T) {
	for _, c := range []struct {
		typ  keyfile.Type
		gen  payload.Generation
		want sign.Format
	}{
		{keyfile.Ed25519, payload.OB3, sign.FormatEdDSARDFC2022},
		{keyfile.P256, payload.OB3, sign.FormatVCJWT},
		{keyfile.RSA, payload.OB3, sign.FormatVCJWT},
		{keyfile.RSA, payload.OB2, sign.FormatJWS},
	} {
		if got := sign.DefaultFormat(newKey(t, c.typ), c.gen); got != c.want {
			t.Errorf("%s %s: %s", c.typ, c.gen, got)
		}
	}
	// Options without a format sign each generation in its default.
	k := newKey(t, keyfile.Ed25519)
	did, _ := k.DIDKey()
	s, _ := sign.New(k, sign.Options{})
	got, err := s.Sign(context.Background(), parse(t, credential(did)))
	if err != nil || got.Format != sign.FormatEdDSARDFC2022 {
		t.Fatalf("%v %v", got, err)
	}
}

func TestNewRefusesFormatForKey(t *testing.T) {
	for _, c := range []struct {
		typ    keyfile.Type
		format sign.Format
	}{
		{keyfile.P256, sign.FormatEdDSARDFC2022},
		{keyfile.RSA, sign.FormatEdDSARDFC2022},
		{keyfile.Ed25519, sign.FormatJWS},
		{keyfile.Ed25519, "ps256"},
	} {
		_, err := sign.New(newKey(t, c.typ), sign.Options{Format: c.format})
		var fe *sign.FormatError
		if !errors.As(err, &fe) || errkind.Of(err) != errkind.Usage {
			t.Errorf("%s %s: %v", c.typ, c.format, err)
		}
	}
}

func TestIssuerMismatch(t *testing.T) {
	ctx := context.Background()
	k := newKey(t, keyfile.Ed25519)
	other := newKey(t, keyfile.Ed25519)
	otherDID, _ := other.DIDKey()
	ownMethod, _ := k.DIDKeyMethod()
	for _, c := range []struct {
		name, issuer, vm, want string
		key                    *keyfile.Key
	}{
		{"another did:key", otherDID, "", "the key's did:key is", k},
		{"did:key and a method", otherDID, ownMethod, "the key's did:key is", k},
		{"RSA for a did:key", otherDID, "", "has no did:key", testRSA()},
		{"did:web elsewhere", "did:web:issuer.example", "did:web:other.example#key-1", "does not start with did:web:issuer.example#", k},
		{"https elsewhere", "https://issuer.example/profile", "https://other.example/keys/1", "not on the issuer's site https://issuer.example", k},
		{"https, no method", "https://issuer.example/profile", "", "https URL of the key on https://issuer.example", k},
		{"urn issuer", "urn:uuid:1", "", "neither a did:key, a did:web nor an https URL", k},
		{"no issuer", "", "", "names no issuer id", k},
	} {
		s, err := sign.New(c.key, sign.Options{VerificationMethod: c.vm, Format: sign.FormatVCJWT})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Sign(ctx, parse(t, credential(c.issuer)))
		var me *sign.IssuerMismatchError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) || me.Hint == "" || errkind.Of(err) != errkind.BadInput {
			t.Errorf("%s: %v; want %q", c.name, err, c.want)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	ctx := context.Background()
	k := newKey(t, keyfile.Ed25519)
	did, _ := k.DIDKey()
	s, _ := sign.New(k, sign.Options{})

	// Structure first: no credentialSubject.
	_, err := s.Sign(ctx, parse(t, credential(did, func(c map[string]any) { delete(c, "credentialSubject") })))
	var se *payload.StructureError
	if !errors.As(err, &se) || !slices.Contains(se.Problems, `missing "credentialSubject"`) || len(se.Problems) != 1 {
		t.Fatalf("structure: %v", err)
	}
	// The verifier: expired.
	_, err = s.Sign(ctx, parse(t, credential(did, func(c map[string]any) { c["validUntil"] = "2020-01-01T00:00:00Z" })))
	var re *verify.RefusedError
	if !errors.As(err, &re) || !re.Result.Has("CHECK_EXPIRATION", report.Error) || errkind.Of(err) != errkind.NotVerified {
		t.Fatalf("expired: %v", err)
	}
	// Already signed, a URL, a JWS.
	signed, err := s.Sign(ctx, parse(t, credential(did)))
	if err != nil {
		t.Fatal(err)
	}
	jwtSigner, _ := sign.New(k, sign.Options{Format: sign.FormatVCJWT})
	jwt, _ := jwtSigner.Sign(ctx, parse(t, credential(did)))
	for _, in := range [][]byte{[]byte("https://example.org/a/1"), jwt.Bytes} {
		p, _ := payload.Parse(in)
		var fe *sign.FormatError
		if _, err := s.Sign(ctx, p); !errors.As(err, &fe) {
			t.Errorf("%.20s: %v", in, err)
		}
	}
	var fe *sign.FormatError
	if _, err := jwtSigner.Sign(ctx, signed.Payload); !errors.As(err, &fe) || !strings.Contains(err.Error(), "already carries an embedded proof") {
		t.Errorf("VC-JWT over a proof: %v", err)
	}
	// A second proof makes a proof set, both verify.
	twice, err := s.Sign(ctx, signed.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if proofs, ok := twice.Payload.Object["proof"].([]any); !ok || len(proofs) != 2 {
		t.Fatalf("proof set %v", twice.Payload.Object["proof"])
	}
}

// The status of a credential being issued is not checked: its list is
// not published yet.
func TestSignIgnoresUnpublishedStatus(t *testing.T) {
	k := newKey(t, keyfile.Ed25519)
	did, _ := k.DIDKey()
	s, _ := sign.New(k, sign.Options{})
	got, err := s.Sign(context.Background(), parse(t, credential(did, func(c map[string]any) {
		c["credentialStatus"] = map[string]any{
			"id": "https://issuer.example/status/1#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
			"statusListIndex": "7", "statusListCredential": "https://issuer.example/status/1",
		}
	})))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Report.Has("CHECK_STATUS", report.Info) || got.Report.Has("CHECK_STATUS", report.Error) {
		t.Fatalf("messages %+v", got.Report.Report.Messages)
	}
}

// A list that is there but does not hold the credential yet (404 at the
// list URL, a reachable host) is not the signer's business either; an
// entry that cannot be read is.
func TestSignStatusEntries(t *testing.T) {
	ctx := context.Background()
	k := newKey(t, keyfile.P256)
	issuer, v := didWebVerifier(t, k) // serves the DID document only: the list is a 404
	s, _ := sign.New(k, sign.Options{Verifier: v})
	entry := func(index string) func(map[string]any) {
		return func(c map[string]any) {
			c["credentialStatus"] = map[string]any{
				"id": "https://issuer.example/status/1#" + index, "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
				"statusListIndex": index, "statusListCredential": "https://issuer.example/status/1",
			}
		}
	}
	got, err := s.Sign(ctx, parse(t, credential(issuer, entry("7"))))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Report.Has("CHECK_STATUS", report.Info) || got.Report.Has("CHECK_STATUS", report.Error) {
		t.Fatalf("messages %+v", got.Report.Report.Messages)
	}
	_, err = s.Sign(ctx, parse(t, credential(issuer, entry("seven"))))
	var se *payload.StructureError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `credentialStatus cannot be read: statuslist: statusListIndex: "seven" is not a string of decimal digits`) {
		t.Fatalf("bad entry: %v", err)
	}
}

func TestConcurrentSigning(t *testing.T) {
	k := newKey(t, keyfile.Ed25519)
	did, _ := k.DIDKey()
	for _, f := range []sign.Format{sign.FormatEdDSARDFC2022, sign.FormatVCJWT} {
		s, _ := sign.New(k, sign.Options{Format: f})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := credential(did, func(c map[string]any) {
					c["id"] = "urn:uuid:00000000-0000-4000-8000-0000000000" + string(rune('a'+i%6)) + string(rune('0'+i%10))
				})
				got, err := s.Sign(context.Background(), parse(t, c))
				if err == nil && got.Payload.Credential()["id"] != c["id"] {
					err = errors.New("got another credential back")
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
	}
}

func TestStatusListCredential(t *testing.T) {
	ctx := context.Background()
	valid := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		typ    keyfile.Type
		format sign.Format
	}{
		{keyfile.Ed25519, sign.FormatEdDSARDFC2022},
		{keyfile.P256, ""},
		{keyfile.RSA, sign.FormatVCJWT},
	} {
		k := newKey(t, c.typ)
		issuer, v := didWebVerifier(t, k)
		s, err := sign.New(k, sign.Options{Format: c.format, Verifier: v})
		if err != nil {
			t.Fatal(err)
		}
		list := statuslist.New(statuslist.MinBits)
		if err := list.Set(3, 1, 1); err != nil {
			t.Fatal(err)
		}
		got, err := s.StatusListCredential(ctx, "https://issuer.example/status/1", issuer, list, statuslist.PurposeRevocation, valid)
		if err != nil {
			t.Fatalf("%s: %v", c.typ, err)
		}
		cred := got.Payload.Credential()
		back, purpose, err := statuslist.FromCredential(cred)
		if err != nil || purpose != "revocation" {
			t.Fatalf("%s: %v %s", c.typ, err, purpose)
		}
		for i, want := range map[int]uint64{2: 0, 3: 1, 4: 0} {
			if st, _ := back.Status(i, 1); st != want {
				t.Fatalf("%s: bit %d is %d", c.typ, i, st)
			}
		}
		subj := cred["credentialSubject"].(map[string]any)
		if cred["id"] != "https://issuer.example/status/1" || subj["id"] != "https://issuer.example/status/1#list" || cred["validFrom"] != "2025-01-02T03:04:05Z" {
			t.Fatalf("%s: %v", c.typ, cred)
		}
		if !got.Report.Report.Valid || !got.Report.Has("VERIFY_PROOF", report.Info) {
			t.Fatalf("%s: %+v", c.typ, got.Report.Report)
		}
	}
}

// RevocationList is a whole revocation list from a ledger's revoked
// indexes: exactly those entries set, at least the minimum size.
func TestRevocationList(t *testing.T) {
	k := newKey(t, keyfile.Ed25519)
	issuer, v := didWebVerifier(t, k)
	s, err := sign.New(k, sign.Options{Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.RevocationList(context.Background(), "https://issuer.example/status/1", issuer, []int{0, 7, 131071}, 10)
	if err != nil {
		t.Fatal(err)
	}
	p, err := payload.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	list, purpose, err := statuslist.FromCredential(p.Credential())
	if err != nil || purpose != statuslist.PurposeRevocation || list.Len() != statuslist.MinBits {
		t.Fatalf("list %v, purpose %q, err %v", list, purpose, err)
	}
	for i := range list.Len() {
		got, _ := list.Status(i, 1)
		if want := i == 0 || i == 7 || i == 131071; (got == 1) != want {
			t.Errorf("entry %d = %d", i, got)
		}
	}
	if _, err := s.RevocationList(context.Background(), "https://issuer.example/status/1", issuer, []int{statuslist.MinBits}, 10); err == nil {
		t.Error("an index past the list was accepted")
	}
}

// With CheckedByCaller the signer signs without verifying: the caller
// verifies, so an expired credential is signed (and refused later by that
// caller), while the structure is still checked first.
func TestSignCheckedByCaller(t *testing.T) {
	ctx := context.Background()
	k := newKey(t, keyfile.Ed25519)
	did, _ := k.DIDKey()
	s, _ := sign.New(k, sign.Options{CheckedByCaller: true})
	got, err := s.Sign(ctx, parse(t, credential(did, func(c map[string]any) { c["validUntil"] = "2020-01-01T00:00:00Z" })))
	if err != nil {
		t.Fatalf("expired credential, checked by the caller: %v", err)
	}
	if got.Report != nil || got.Payload == nil || got.Payload.Object["proof"] == nil {
		t.Fatalf("signed %+v: want a proof and no report", got)
	}
	// What was signed verifies, but for the date.
	res := verify.New(verify.Config{}).VerifyPayload(ctx, got.Payload, nil)
	if !res.Has("CHECK_EXPIRATION", report.Error) || res.Has("VERIFY_PROOF", report.Error) {
		t.Errorf("the signed credential: %+v", res.Report.Messages)
	}
	_, err = s.Sign(ctx, parse(t, credential(did, func(c map[string]any) { delete(c, "credentialSubject") })))
	var se *payload.StructureError
	if !errors.As(err, &se) {
		t.Errorf("no credentialSubject: %v, want a *payload.StructureError", err)
	}
}
