package verify_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/ob3issuer"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/rdfc"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

// These tests verify Open Badges 3.0 credentials end to end: signed for
// real (eddsa-rdfc-2022 over the real canonicalizer, VC-JWTs), with keys,
// status lists and revocation lists served by an in-process HTTPS issuer,
// through verify.Verifier as the command uses it. Nothing reaches the
// network.

// e2eNow is the instant the credentials are verified at, unless a case
// says otherwise: after their validFrom (2024-01-01).
var e2eNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// outcome is what a case expects: the status, and the names of the ERROR
// and WARNING messages (each name once, sorted).
type outcome struct {
	status   report.Status
	errors   []string
	warnings []string
}

func validWith(warnings ...string) outcome {
	return outcome{status: report.StatusValid, warnings: sortedNames(warnings)}
}

func failed(status report.Status, errs ...string) outcome {
	return outcome{status: status, errors: sortedNames(errs)}
}

func sortedNames(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}

// names returns the names of the messages of level, each once, sorted.
func names(res *report.Result, level report.Level) []string {
	var out []string
	for _, m := range res.Report.Messages {
		if m.MessageLevel == level {
			out = append(out, m.Name)
		}
	}
	return sortedNames(out)
}

// verifyBytes verifies data with a new Verifier on a new client of the
// issuer's (so that no document, status list or key is cached from
// another verification).
func verifyBytes(t *testing.T, iss *ob3issuer.Issuer, data []byte, now time.Time, opts *verify.Options) *report.Result {
	t.Helper()
	v := verify.New(verify.Config{Client: iss.FreshClient(), Now: func() time.Time { return now }})
	res, err := v.Verify(context.Background(), verify.Input{Data: data, Name: "credential"}, opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return res
}

// matches reports whether res has the status and message names of want.
func matches(res *report.Result, want outcome) bool {
	return res.Status == want.status && slices.Equal(names(res, report.Error), want.errors) && slices.Equal(names(res, report.Warning), want.warnings)
}

func check(t *testing.T, res *report.Result, want outcome) {
	t.Helper()
	errs, warns := names(res, report.Error), names(res, report.Warning)
	if !matches(res, want) {
		t.Errorf("status %s, ERRORs %v, WARNINGs %v; want %s, %v, %v\n%s", res.Status, errs, warns, want.status, want.errors, want.warnings, messages(res))
	}
	if res.Generation != report.GenerationOB3 || res.Report.OpenBadgesVersion != "3.0" {
		t.Errorf("generation %q, openBadgesVersion %q; want ob3, 3.0", res.Generation, res.Report.OpenBadgesVersion)
	}
	if (res.Status == report.StatusValid) != res.Report.Valid {
		t.Errorf("status %s but report.valid %v", res.Status, res.Report.Valid)
	}
}

func messages(res *report.Result) string {
	var b strings.Builder
	for _, m := range res.Report.Messages {
		fmt.Fprintf(&b, "  %s %s: %s\n", m.MessageLevel, m.Name, m.Result)
	}
	return b.String()
}

// tamper returns a copy of a signed credential with the achievement's
// name changed: the proof no longer matches.
func tamper(signed map[string]any) map[string]any {
	out := maps.Clone(signed)
	subject := maps.Clone(out["credentialSubject"].(map[string]any))
	achievement := maps.Clone(subject["achievement"].(map[string]any))
	achievement["name"] = "Leadership"
	subject["achievement"] = achievement
	out["credentialSubject"] = subject
	return out
}

// handJWT builds a compact JWS with the given header, the credential as
// payload (with iss and jti claims, unless it has them) and sig as the
// signature, as an attacker would.
func handJWT(t *testing.T, header map[string]any, cred map[string]any, sig []byte) []byte {
	enc := base64.RawURLEncoding.EncodeToString
	claims := maps.Clone(cred)
	if _, ok := claims["iss"]; !ok {
		claims["iss"] = ob3issuer.DID
	}
	if _, ok := claims["jti"]; !ok {
		claims["jti"] = ob3issuer.ID(cred)
	}
	return []byte(enc(ob3issuer.JSON(t, header)) + "." + enc(ob3issuer.JSON(t, claims)) + "." + enc(sig))
}

type e2eCase struct {
	name      string
	input     func(t *testing.T, iss *ob3issuer.Issuer) []byte
	now       time.Time // zero: e2eNow
	recipient verify.Recipient
	want      outcome
}

func di(mods ...func(*ob3issuer.Issuer) func(map[string]any)) func(*testing.T, *ob3issuer.Issuer) []byte {
	return func(t *testing.T, iss *ob3issuer.Issuer) []byte {
		return ob3issuer.JSON(t, iss.SignDI(iss.Credential(apply(iss, mods)...)))
	}
}

func jwt(alg string, mods ...func(*ob3issuer.Issuer) func(map[string]any)) func(*testing.T, *ob3issuer.Issuer) []byte {
	return func(t *testing.T, iss *ob3issuer.Issuer) []byte {
		return []byte(iss.SignJWT(iss.Credential(apply(iss, mods)...), alg))
	}
}

func apply(iss *ob3issuer.Issuer, mods []func(*ob3issuer.Issuer) func(map[string]any)) []func(map[string]any) {
	out := make([]func(map[string]any), len(mods))
	for i, m := range mods {
		out[i] = m(iss)
	}
	return out
}

func plain(mod func(map[string]any)) func(*ob3issuer.Issuer) func(map[string]any) {
	return func(*ob3issuer.Issuer) func(map[string]any) { return mod }
}

var (
	jan2020, jan2021 = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	expired          = plain(ob3issuer.WithValidity(jan2020, jan2021))
	notYet           = plain(ob3issuer.WithValidity(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}))
)

func statusAt(purpose string, index int) func(*ob3issuer.Issuer) func(map[string]any) {
	return func(iss *ob3issuer.Issuer) func(map[string]any) { return iss.WithStatus(purpose, index) }
}

func TestOB3EndToEnd(t *testing.T) {
	const email, salt = "alice@example.org", "pepper"
	hashedEmail := plain(ob3issuer.WithHashedEmail(email, salt))

	cases := []e2eCase{
		{name: "DI did:web valid", input: di(), want: validWith()},
		{name: "JWT EdDSA valid", input: jwt("EdDSA"), want: validWith()},
		{name: "JWT ES256 valid", input: jwt("ES256"), want: validWith()},
		{name: "JWT RS256 valid", input: jwt("RS256"), want: validWith()},
		{
			name: "DI tampered claim",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, tamper(iss.SignDI(iss.Credential())))
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			name: "JWT tampered claim",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				// Swap in the payload of another credential, keep the
				// signature.
				a := strings.Split(iss.SignJWT(iss.Credential(), "EdDSA"), ".")
				b := strings.Split(iss.SignJWT(tamper(iss.Credential()), "EdDSA"), ".")
				return []byte(a[0] + "." + b[1] + "." + a[2])
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			// Signed with a key the DID document does not list, under the
			// id of one it does: the signature does not match the listed
			// key.
			name: "DI wrong key under the issuer's key id",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, iss.SignDIWith(iss.Credential(), iss.Stranger, iss.Keys.Ed25519ID))
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			// A key id the DID document does not have: the key cannot be
			// resolved.
			name: "DI key id not in the DID document",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, iss.SignDIWith(iss.Credential(), iss.Stranger, ob3issuer.DID+"#key-404"))
			},
			want: failed(report.StatusInvalid, "RESOLVE_KEY"),
		},
		{
			name: "JWT wrong key under the issuer's kid",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWTWith(iss.Credential(), iss.Stranger, vcjwt.SignOptions{Kid: iss.Keys.Ed25519ID}))
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			// Signed by did:web:other.example's own key: the proof holds,
			// but the key is not the issuer's.
			name: "DI key of another issuer",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, iss.SignDIWith(iss.Credential(), iss.Other.Ed25519, iss.Other.Ed25519ID))
			},
			want: validWith("CHECK_ISSUER"),
		},
		{
			name: "JWT key of another issuer",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWTWith(iss.Credential(), iss.Other.P256, vcjwt.SignOptions{Kid: iss.Other.P256ID}))
			},
			want: validWith("CHECK_ISSUER"),
		},
		{name: "DI expired", input: di(expired), want: failed(report.StatusInvalid, "CHECK_EXPIRATION")},
		{name: "JWT expired", input: jwt("EdDSA", expired), want: failed(report.StatusInvalid, "CHECK_EXPIRATION")},
		{name: "DI not yet valid", input: di(notYet), want: failed(report.StatusInvalid, "CHECK_ISSUANCE")},
		{name: "JWT not yet valid", input: jwt("ES256", notYet), want: failed(report.StatusInvalid, "CHECK_ISSUANCE")},
		{name: "DI expired, verified at a time it was valid", input: di(expired), now: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), want: validWith()},
		{name: "JWT expired, verified at a time it was valid", input: jwt("EdDSA", expired), now: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), want: validWith()},
		{name: "Bitstring status not set", input: di(statusAt(statuslist.PurposeRevocation, 41)), want: validWith()},
		{
			name: "Bitstring revoked",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Revoke(42)
				return di(statusAt(statuslist.PurposeRevocation, 42))(t, iss)
			},
			want: failed(report.StatusRevoked, "CHECK_STATUS"),
		},
		{
			name: "Bitstring revoked, VC-JWT",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Revoke(43)
				return jwt("RS256", statusAt(statuslist.PurposeRevocation, 43))(t, iss)
			},
			want: failed(report.StatusRevoked, "CHECK_STATUS"),
		},
		{
			name: "Bitstring suspended",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Suspend(7)
				return di(statusAt(statuslist.PurposeSuspension, 7))(t, iss)
			},
			want: failed(report.StatusInvalid, "CHECK_STATUS"),
		},
		{
			name: "Bitstring suspension list, another entry suspended",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Suspend(8)
				return di(statusAt(statuslist.PurposeSuspension, 7))(t, iss)
			},
			want: validWith(),
		},
		{
			name: "1EdTech revocation list, not listed",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.RevokeInList("urn:uuid:someone-else", "")
				return ob3issuer.JSON(t, iss.SignDI(iss.Credential(iss.WithRevocationList())))
			},
			want: validWith(),
		},
		{
			name: "1EdTech revocation list, revoked",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				cred := iss.Credential(iss.WithRevocationList())
				iss.RevokeInList(ob3issuer.ID(cred), "Issued in error")
				return ob3issuer.JSON(t, iss.SignDI(cred))
			},
			want: failed(report.StatusRevoked, "CHECK_STATUS"),
		},
		{
			name: "status list whose own proof fails",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.BreakStatusList(statuslist.PurposeRevocation)
				return di(statusAt(statuslist.PurposeRevocation, 5))(t, iss)
			},
			want: failed(report.StatusInvalid, "CHECK_STATUS"),
		},
		{
			name: "status list cannot be fetched",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Down(ob3issuer.RevocationListPath)
				return di(statusAt(statuslist.PurposeRevocation, 5))(t, iss)
			},
			want: failed(report.StatusIndeterminate, "CHECK_STATUS"),
		},
		{
			name: "1EdTech revocation list cannot be fetched",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Down(ob3issuer.RevocationList1EdTech)
				return ob3issuer.JSON(t, iss.SignDI(iss.Credential(iss.WithRevocationList())))
			},
			want: failed(report.StatusIndeterminate, "CHECK_STATUS"),
		},
		{
			name: "DID document cannot be fetched (DI)",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Down(ob3issuer.DIDDocumentPath)
				return di()(t, iss)
			},
			want: failed(report.StatusIndeterminate, "RESOLVE_KEY"),
		},
		{
			name: "DID document cannot be fetched (JWT)",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Down(ob3issuer.DIDDocumentPath)
				return jwt("ES256")(t, iss)
			},
			want: failed(report.StatusIndeterminate, "RESOLVE_KEY"),
		},
		{
			name: "DID document gone (404)",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.SetStatus(ob3issuer.DIDDocumentPath, 404)
				return di()(t, iss)
			},
			want: failed(report.StatusIndeterminate, "RESOLVE_KEY"),
		},
		{
			name: "JWT alg none",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return handJWT(t, map[string]any{"alg": "none", "typ": "JWT", "kid": iss.Keys.Ed25519ID}, iss.Credential(), nil)
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			name: "JWT HS256",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				// HMAC keyed with the public key's bytes: the classic
				// algorithm-confusion attack.
				return handJWT(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": iss.Keys.Ed25519ID}, iss.Credential(), []byte("0123456789abcdef0123456789abcdef"))
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			name: "JWT inline jwk",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWTWith(iss.Credential(), iss.Keys.Ed25519, vcjwt.SignOptions{EmbedJWK: true}))
			},
			want: validWith("CHECK_ISSUER"),
		},
		{
			// The JWT's inline key proves nothing of the issuer, but the
			// embedded proof inside its payload does: checked over the
			// credential without the JWT's registered claims (iss, jti,
			// nbf, …), which no context defines.
			name: "JWT inline jwk carrying an embedded proof",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWTWith(iss.SignDI(iss.Credential()), iss.Keys.Ed25519, vcjwt.SignOptions{EmbedJWK: true}))
			},
			want: validWith(),
		},
		{
			name: "undefined term added after signing",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				signed := iss.SignDI(iss.Credential())
				signed["favouriteColour"] = "blue"
				return ob3issuer.JSON(t, signed)
			},
			want: failed(report.StatusInvalid, "EXPAND_JSONLD"),
		},
		{
			name: "undefined term added after signing, in the subject",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				signed := iss.SignDI(iss.Credential())
				subject := maps.Clone(signed["credentialSubject"].(map[string]any))
				subject["grade"] = "A+"
				signed["credentialSubject"] = subject
				return ob3issuer.JSON(t, signed)
			},
			want: failed(report.StatusInvalid, "EXPAND_JSONLD"),
		},
		{name: "recipient matches the hashed email", input: di(hashedEmail), recipient: verify.Recipient{"email": email}, want: validWith()},
		{name: "recipient matches the hashed email, VC-JWT", input: jwt("EdDSA", hashedEmail), recipient: verify.Recipient{"email": email}, want: validWith()},
		{name: "recipient does not match", input: di(hashedEmail), recipient: verify.Recipient{"email": "mallory@example.org"}, want: failed(report.StatusInvalid, "CHECK_RECIPIENT")},
		{
			name: "failing endorsement",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				endorsement := tamperEndorsement(iss.SignDI(iss.Endorsement()))
				return ob3issuer.JSON(t, iss.SignDI(iss.Credential(ob3issuer.WithEndorsement(endorsement))))
			},
			want: validWith("VERIFY_ENDORSEMENT"),
		},
		{
			name: "valid endorsement",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				endorsement := iss.SignDI(iss.Endorsement())
				return ob3issuer.JSON(t, iss.SignDI(iss.Credential(ob3issuer.WithEndorsement(endorsement))))
			},
			want: validWith(),
		},
		{
			name: "JWT alg that does not fit the key",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				// ES256 with the P-256 key, but the kid names the Ed25519 key.
				return []byte(iss.SignJWTWith(iss.Credential(), iss.Keys.P256, vcjwt.SignOptions{Kid: iss.Keys.Ed25519ID}))
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			name: "JWT inline jwk with the private key",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return handSignedJWT(t, map[string]any{"alg": "EdDSA", "jwk": privateJWK(t, iss.Keys.Ed25519)}, iss.Credential(), iss.Keys.Ed25519)
			},
			want: failed(report.StatusInvalid, "RESOLVE_KEY"),
		},
		{
			name: "JWT typ vc+jwt",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWTWith(iss.Credential(), iss.Keys.Ed25519, vcjwt.SignOptions{Kid: iss.Keys.Ed25519ID, Typ: "vc+jwt"}))
			},
			want: validWith(),
		},
		{
			name: "VCDM 1.1 VC-JWT under vc",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWTWith(iss.Credential(vcdm11), iss.Keys.Ed25519, vcjwt.SignOptions{Kid: iss.Keys.Ed25519ID, UnderVC: true}))
			},
			want: validWith(),
		},
		{
			name: "VCDM 1.1 DI",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, iss.SignDI(iss.Credential(vcdm11)))
			},
			want: validWith(),
		},
		{
			name: "VCDM 1.1 DI expired (expirationDate)",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, iss.SignDI(iss.Credential(vcdm11, func(c map[string]any) { c["expirationDate"] = "2025-01-01T00:00:00Z" })))
			},
			want: failed(report.StatusInvalid, "CHECK_EXPIRATION"),
		},
		{
			name:  "Ed25519Signature2020",
			input: signedAs(dataintegrity.SignOptions{Type: dataintegrity.TypeEd25519Signature2020}),
			want:  validWith(),
		},
		{
			name:  "eddsa-2022",
			input: signedAs(dataintegrity.SignOptions{Cryptosuite: dataintegrity.CryptosuiteEdDSA2022}),
			want:  validWith(),
		},
		{
			// A proof set: one proof by a key the DID document does not
			// list, one good. Any one valid proof suffices.
			name: "DI proof set, one proof bad",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, iss.SignDI(iss.SignDIWith(iss.Credential(), iss.Stranger, iss.Keys.Ed25519ID)))
			},
			want: validWith(),
		},
		{
			// proofPurpose assertionMethod is not authorised: the DID
			// document lists the key under authentication only.
			name: "DI by an authentication-only key",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return ob3issuer.JSON(t, iss.SignDIWith(iss.Credential(), iss.Keys.AuthOnly, iss.Keys.AuthOnlyID))
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			// A VC-JWT has no proof purpose: the key not being under
			// assertionMethod is the CHECK_ISSUER warning.
			name: "JWT by an authentication-only key",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWTWith(iss.Credential(), iss.Keys.AuthOnly, vcjwt.SignOptions{Kid: iss.Keys.AuthOnlyID}))
			},
			want: validWith("CHECK_ISSUER"),
		},
		{
			// The proof holds (other.example's document is served) but
			// whether the key is the issuer's cannot be told: still the
			// CHECK_ISSUER warning, not indeterminate.
			name: "key of another issuer, the issuer's DID document down",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.SetHostStatus(ob3issuer.Host, ob3issuer.DIDDocumentPath, 503)
				return ob3issuer.JSON(t, iss.SignDIWith(iss.Credential(), iss.Other.Ed25519, iss.Other.Ed25519ID))
			},
			want: validWith("CHECK_ISSUER"),
		},
		{
			name: "JWT with a valid endorsementJwt",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				return []byte(iss.SignJWT(iss.Credential(withEndorsementJwt(iss.SignJWT(iss.Endorsement(), "ES256"))), "EdDSA"))
			},
			want: validWith(),
		},
		{
			name: "JWT with a failing endorsementJwt",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				bad := iss.SignJWTWith(iss.Endorsement(), iss.Stranger, vcjwt.SignOptions{Kid: iss.Keys.Ed25519ID})
				return []byte(iss.SignJWT(iss.Credential(withEndorsementJwt(bad)), "EdDSA"))
			},
			want: validWith("VERIFY_ENDORSEMENT"),
		},
		{
			// The OB 3.0 contexts do not define endorsementJwt, so a
			// signer in safe mode cannot sign it and one in the
			// jsonld.js default mode drops it from what it signs: the
			// proof here covers the credential without it, as such a
			// signer's would.
			name: "DI with an endorsementJwt",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				signed := iss.SignDI(iss.Credential())
				withEndorsementJwt(iss.SignJWT(iss.Endorsement(), "ES256"))(signed)
				return ob3issuer.JSON(t, signed)
			},
			want: validWith(),
		},
		{
			name: "status entry purpose differs from the list's",
			input: di(statusAt(statuslist.PurposeRevocation, 3), plain(func(c map[string]any) {
				c["credentialStatus"].(map[string]any)["statusPurpose"] = statuslist.PurposeSuspension
			})),
			want: failed(report.StatusInvalid, "CHECK_STATUS"),
		},
		{
			name: "JWT iss is not the credential's issuer",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				cred := iss.Credential()
				claims := maps.Clone(cred)
				claims["iss"] = ob3issuer.OtherDID
				return handSignedJWT(t, map[string]any{"alg": "EdDSA", "kid": iss.Keys.Ed25519ID}, claims, iss.Keys.Ed25519)
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			name: "JWT exp in the past, credential without validUntil",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				claims := iss.Credential()
				claims["exp"] = 1609459200 // 2021-01-01
				return handSignedJWT(t, map[string]any{"alg": "EdDSA", "kid": iss.Keys.Ed25519ID}, claims, iss.Keys.Ed25519)
			},
			want: failed(report.StatusInvalid, "CHECK_EXPIRATION"),
		},
		{
			name: "undefined type added after signing",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				signed := iss.SignDI(iss.Credential())
				signed["type"] = []any{"VerifiableCredential", "AchievementCredential", "FancyCredential"}
				return ob3issuer.JSON(t, signed)
			},
			want: failed(report.StatusInvalid, "EXPAND_JSONLD"),
		},
		{
			name:  "context the issuer serves",
			input: withServedContext(false),
			want:  validWith(),
		},
		{
			name:  "context the issuer serves, unavailable",
			input: withServedContext(true),
			want:  failed(report.StatusIndeterminate, "EXPAND_JSONLD"),
		},
		{
			name: "refresh service answers with another issuer's credential",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				cred := iss.Credential(iss.WithRefresh())
				other := iss.Credential(func(c map[string]any) { c["issuer"].(map[string]any)["id"] = ob3issuer.OtherDID })
				iss.SetRefreshed(ob3issuer.ID(cred), iss.SignDIWith(other, iss.Other.Ed25519, iss.Other.Ed25519ID))
				return ob3issuer.JSON(t, iss.SignDI(cred))
			},
			want: validWith("CHECK_REFRESH"),
		},
		{
			name: "refresh service down",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Down(ob3issuer.RefreshPath)
				return ob3issuer.JSON(t, iss.SignDI(iss.Credential(iss.WithRefresh())))
			},
			want: validWith("CHECK_REFRESH"),
		},
		{
			name:  "JWT by an HTTPS key on the issuer's origin",
			input: httpsKeyJWT(ob3issuer.Host),
			want:  validWith(),
		},
		{
			name:  "JWT by an HTTPS key on another origin",
			input: httpsKeyJWT(ob3issuer.OtherHost),
			want:  validWith("CHECK_ISSUER"),
		},
		{
			name: "DI by a key of the issuer's HTTPS controller document",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				serveProfile(t, iss)
				return ob3issuer.JSON(t, iss.SignDIWith(iss.Credential(httpsIssuer), iss.Keys.Ed25519, httpsIssuerID+"#key-1"))
			},
			want: validWith(),
		},
		{
			// A multibase key in the URL fragment that the issuer's
			// document does not list: the signature holds, the key is
			// not authenticated.
			name: "DI by a key written in a URL fragment",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				serveProfile(t, iss)
				did, err := didkey.FromPublicKey(iss.Stranger.Public())
				if err != nil {
					t.Fatal(err)
				}
				vm := httpsIssuerID + "#" + strings.TrimPrefix(did, didkey.Prefix)
				return ob3issuer.JSON(t, iss.SignDIWith(iss.Credential(httpsIssuer), iss.Stranger, vm))
			},
			want: validWith("CHECK_ISSUER"),
		},
		{
			name: "URL serving credential JSON",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Serve(ob3issuer.BaseURL+"/credentials/1", iss.SignDI(iss.Credential()))
				return []byte(ob3issuer.BaseURL + "/credentials/1")
			},
			want: validWith(),
		},
		{
			name: "URL serving a VC-JWT",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Serve(ob3issuer.BaseURL+"/credentials/2", iss.SignJWT(iss.Credential(), "ES256"))
				return []byte(ob3issuer.BaseURL + "/credentials/2")
			},
			want: validWith(),
		},
		{
			name: "URL serving a tampered credential",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				iss.Serve(ob3issuer.BaseURL+"/credentials/3", tamper(iss.SignDI(iss.Credential())))
				return []byte(ob3issuer.BaseURL + "/credentials/3")
			},
			want: failed(report.StatusInvalid, "VERIFY_PROOF"),
		},
		{
			// The work limit refuses cliques, not large credentials: 300
			// alignments without ids are 300 blank nodes.
			name: "300 blank-node alignments",
			input: di(plain(func(c map[string]any) {
				var alignments []any
				for i := range 300 {
					alignments = append(alignments, map[string]any{"type": []any{"Alignment"}, "targetName": fmt.Sprint("Skill ", i), "targetUrl": fmt.Sprint("https://skills.example/", i)})
				}
				c["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["alignment"] = alignments
			})),
			want: validWith(),
		},
		{
			// Twelve identical blank nodes under a blank subject (no id,
			// an identifier): symmetric, but not a poison graph.
			name: "identical blank-node results",
			input: di(hashedEmail, plain(func(c map[string]any) {
				var results []any
				for range 12 {
					results = append(results, map[string]any{"type": []any{"Result"}, "status": "Completed"})
				}
				c["credentialSubject"].(map[string]any)["result"] = results
			})),
			recipient: verify.Recipient{"email": email},
			want:      validWith(),
		},
		{
			name: "refreshed credential",
			input: func(t *testing.T, iss *ob3issuer.Issuer) []byte {
				cred := iss.Credential(iss.WithRefresh(), ob3issuer.WithValidity(jan2020, jan2021))
				fresh := maps.Clone(cred)
				delete(fresh, "validUntil")
				iss.SetRefreshed(ob3issuer.ID(cred), iss.SignDI(fresh))
				return ob3issuer.JSON(t, iss.SignDI(cred))
			},
			want: validWith(),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iss := ob3issuer.New(t)
			data := c.input(t, iss)
			now := c.now
			if now.IsZero() {
				now = e2eNow
			}
			var opts *verify.Options
			if c.recipient != nil {
				opts = &verify.Options{Recipient: c.recipient}
			}
			start := time.Now()
			res := verifyBytes(t, iss, data, now, opts)
			t.Logf("verified in %v", time.Since(start))
			check(t, res, c.want)
		})
	}
}

// An issuer whose id is an HTTPS URL.
const httpsIssuerID = ob3issuer.BaseURL + "/issuers/1"

func httpsIssuer(c map[string]any) { c["issuer"].(map[string]any)["id"] = httpsIssuerID }

// serveProfile serves the HTTPS issuer's profile, a controller document
// listing its Ed25519 key as #key-1 under assertionMethod.
func serveProfile(t *testing.T, iss *ob3issuer.Issuer) {
	did, err := didkey.FromPublicKey(iss.Keys.Ed25519.Public())
	if err != nil {
		t.Fatal(err)
	}
	iss.Serve(httpsIssuerID, map[string]any{
		"@context": []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		"id":       httpsIssuerID,
		"type":     "Profile",
		"verificationMethod": []any{map[string]any{
			"id": httpsIssuerID + "#key-1", "type": "Multikey", "controller": httpsIssuerID,
			"publicKeyMultibase": strings.TrimPrefix(did, didkey.Prefix),
		}},
		"assertionMethod": []any{httpsIssuerID + "#key-1"},
	})
}

// httpsKeyJWT is a VC-JWT of the HTTPS issuer whose kid is a JWK served
// on host (the issuer's key on Host, other.example's on OtherHost).
func httpsKeyJWT(host string) func(*testing.T, *ob3issuer.Issuer) []byte {
	return func(t *testing.T, iss *ob3issuer.Issuer) []byte {
		key := iss.Keys.Ed25519
		if host == ob3issuer.OtherHost {
			key = iss.Other.Ed25519
		}
		kid := "https://" + host + "/keys/ed.json"
		jwk := privateJWK(t, key)
		delete(jwk, "d")
		iss.Serve(kid, jwk)
		return []byte(iss.SignJWTWith(iss.Credential(httpsIssuer), key, vcjwt.SignOptions{Kid: kid}))
	}
}

// withServedContext is a credential using a term of a context the issuer
// serves; down makes the context unavailable once signed.
func withServedContext(down bool) func(*testing.T, *ob3issuer.Issuer) []byte {
	return func(t *testing.T, iss *ob3issuer.Issuer) []byte {
		url := ob3issuer.BaseURL + "/contexts/colour.json"
		iss.Serve(url, map[string]any{"@context": map[string]any{"favouriteColour": ob3issuer.BaseURL + "/vocab#favouriteColour"}})
		signed := iss.SignDI(iss.Credential(func(c map[string]any) {
			c["@context"] = append(c["@context"].([]any), url)
			c["favouriteColour"] = "blue"
		}))
		if down {
			iss.Down("/contexts/colour.json")
		}
		return ob3issuer.JSON(t, signed)
	}
}

// vcdm11 makes a credential of the VC Data Model 1.1: its base context and
// issuanceDate.
func vcdm11(c map[string]any) {
	c["@context"] = []any{"https://www.w3.org/2018/credentials/v1", ob3issuer.ContextOB303}
	c["issuanceDate"] = c["validFrom"]
	delete(c, "validFrom")
}

// withEndorsementJwt puts a compact JWS endorsement in the achievement
// (shallow copies on the way, so a signed credential is not changed).
func withEndorsementJwt(jws string) func(map[string]any) {
	return func(c map[string]any) {
		subject := maps.Clone(c["credentialSubject"].(map[string]any))
		achievement := maps.Clone(subject["achievement"].(map[string]any))
		achievement["endorsementJwt"] = []any{jws}
		subject["achievement"] = achievement
		c["credentialSubject"] = subject
	}
}

func signedAs(opts dataintegrity.SignOptions) func(*testing.T, *ob3issuer.Issuer) []byte {
	return func(t *testing.T, iss *ob3issuer.Issuer) []byte {
		opts.VerificationMethod, opts.Created = iss.Keys.Ed25519ID, "2024-01-01T00:00:00Z"
		signed, err := dataintegrity.Sign(context.Background(), iss.Credential(), opts, iss.Keys.Ed25519, ob3issuer.Canonicalizer())
		if err != nil {
			t.Fatal(err)
		}
		return ob3issuer.JSON(t, signed)
	}
}

// handSignedJWT is handJWT with a real EdDSA signature.
func handSignedJWT(t *testing.T, header map[string]any, cred map[string]any, key ed25519.PrivateKey) []byte {
	unsigned := handJWT(t, header, cred, nil)
	input := strings.TrimSuffix(string(unsigned), ".")
	return []byte(input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(input))))
}

// privateJWK is the JWK of a private key, "d" included.
func privateJWK(t *testing.T, key ed25519.PrivateKey) map[string]any {
	b, err := jose.JSONWebKey{Key: key}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["d"]; !ok {
		t.Fatal("the JWK has no private part")
	}
	return m
}

// tamperEndorsement changes a signed endorsement's comment.
func tamperEndorsement(signed map[string]any) map[string]any {
	out := maps.Clone(signed)
	subject := maps.Clone(out["credentialSubject"].(map[string]any))
	subject["endorsementComment"] = "Changed after signing."
	out["credentialSubject"] = subject
	return out
}

// A refreshed credential replaces the one given: the report says so with
// an INFO, and the expired original is not what is judged.
func TestOB3RefreshIsFollowed(t *testing.T) {
	iss := ob3issuer.New(t)
	cred := iss.Credential(iss.WithRefresh(), ob3issuer.WithValidity(jan2020, jan2021))
	fresh := maps.Clone(cred)
	delete(fresh, "validUntil")
	iss.SetRefreshed(ob3issuer.ID(cred), iss.SignDI(fresh))
	res := verifyBytes(t, iss, ob3issuer.JSON(t, iss.SignDI(cred)), e2eNow, nil)
	if !res.Has("CHECK_REFRESH", report.Info) || iss.Hits(ob3issuer.RefreshPath) != 1 {
		t.Errorf("refresh not followed once (hits %d):\n%s", iss.Hits(ob3issuer.RefreshPath), messages(res))
	}
}

// Baked into PNG and SVG images with package bake, the credentials verify
// as they do bare.
func TestOB3Baked(t *testing.T) {
	images := map[string][]byte{}
	for _, name := range []string{"badge.png", "badge.svg"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		images[name] = b
	}
	iss := ob3issuer.New(t)
	good := ob3issuer.JSON(t, iss.SignDI(iss.Credential()))
	bad := ob3issuer.JSON(t, tamper(iss.SignDI(iss.Credential())))
	jws := []byte(iss.SignJWT(iss.Credential(), "ES256"))
	badJWS := []byte(iss.SignJWTWith(iss.Credential(), iss.Stranger, vcjwt.SignOptions{Kid: iss.Keys.Ed25519ID}))
	for name, img := range images {
		for _, c := range []struct {
			what string
			data []byte
			want outcome
		}{
			{"DI", good, validWith()},
			{"tampered DI", bad, failed(report.StatusInvalid, "VERIFY_PROOF")},
			{"VC-JWT", jws, validWith()},
			{"VC-JWT by another key", badJWS, failed(report.StatusInvalid, "VERIFY_PROOF")},
		} {
			t.Run(name+" "+c.what, func(t *testing.T) {
				p, err := payload.Parse(c.data)
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				// The structure check only: the bake command's verifying
				// validator is tested in internal/cli.
				if _, err := bake.Bake(context.Background(), &out, bytes.NewReader(img), p, nil); err != nil {
					t.Fatalf("bake: %v", err)
				}
				res := verifyBytes(t, iss, out.Bytes(), e2eNow, nil)
				check(t, res, c.want)
			})
		}
	}
}

// bake's verifying validator refuses a tampered OB 3.0 credential and
// takes a valid one, with the issuer's documents fetched in process.
func TestOB3BakeValidator(t *testing.T) {
	img, err := os.ReadFile(filepath.Join("..", "testdata", "badge.png"))
	if err != nil {
		t.Fatal(err)
	}
	iss := ob3issuer.New(t)
	v := verify.New(verify.Config{Client: iss.Client(), Now: func() time.Time { return e2eNow }})
	opts := &bake.Options{Validator: verify.Validator{Verifier: v}}
	for _, c := range []struct {
		what string
		data []byte
		ok   bool
	}{
		{"valid DI", ob3issuer.JSON(t, iss.SignDI(iss.Credential())), true},
		{"valid VC-JWT", []byte(iss.SignJWT(iss.Credential(), "EdDSA")), true},
		{"tampered DI", ob3issuer.JSON(t, tamper(iss.SignDI(iss.Credential()))), false},
	} {
		p, err := payload.Parse(c.data)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res, err := bake.Bake(context.Background(), &out, bytes.NewReader(img), p, opts)
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: refused: %v", c.what, err)
		case c.ok:
			for _, w := range res.Warnings {
				if strings.Contains(w, "structure") {
					t.Errorf("%s: structure-only warning left: %q", c.what, w)
				}
			}
		case err == nil:
			t.Errorf("%s: baked, want refused", c.what)
		case !verify.IsRefused(err) || !strings.Contains(err.Error(), "VERIFY_PROOF") || out.Len() != 0:
			t.Errorf("%s: err %v, %d bytes written; want a refusal naming VERIFY_PROOF, nothing written", c.what, err, out.Len())
		}
	}
}

// A did:key issuer's credentials verify with an offline client.
func TestOB3DIDKeyOffline(t *testing.T) {
	iss := ob3issuer.NewDIDKey(t)
	for _, c := range []struct {
		what string
		data []byte
		want outcome
	}{
		{"DI", ob3issuer.JSON(t, iss.SignDI(iss.Credential())), validWith()},
		{"VC-JWT", []byte(iss.SignJWT(iss.Credential(), "EdDSA")), validWith()},
		{"tampered DI", ob3issuer.JSON(t, tamper(iss.SignDI(iss.Credential()))), failed(report.StatusInvalid, "VERIFY_PROOF")},
		{"expired", ob3issuer.JSON(t, iss.SignDI(iss.Credential(ob3issuer.WithValidity(jan2020, jan2021)))), failed(report.StatusInvalid, "CHECK_EXPIRATION")},
	} {
		t.Run(c.what, func(t *testing.T) {
			check(t, verifyBytes(t, iss, c.data, e2eNow, nil), c.want)
		})
	}
}

// poisonCredential is a credential whose issuer profile has n blank-node
// parent organisations, each naming all the others: a clique, the graph
// shape that makes RDFC-1.0's Hash N-Degree Quads explore every
// permutation.
func addPoison(cred map[string]any, n int) {
	orgs := make([]any, n)
	for i := range orgs {
		var parents []any
		for j := 0; j < n; j++ {
			if j != i {
				parents = append(parents, map[string]any{"id": fmt.Sprintf("_:org%d", j)})
			}
		}
		orgs[i] = map[string]any{"id": fmt.Sprintf("_:org%d", i), "type": []any{"Profile"}, "parentOrg": parents}
	}
	issuer := maps.Clone(cred["issuer"].(map[string]any))
	issuer["parentOrg"] = orgs
	cred["issuer"] = issuer
}

// A poison graph is refused by the canonicalizer's work limit with
// EXPAND_JSONLD, and the verification returns. The time is logged, not
// asserted.
func TestOB3PoisonGraph(t *testing.T) {
	iss := ob3issuer.New(t)
	for _, n := range []int{10, 16, 40, 300} {
		t.Run(fmt.Sprint(n, " blank nodes"), func(t *testing.T) {
			// The issuer's canonicalizer refuses to sign it, so the proof
			// is a real one, of the credential without the clique: well
			// formed, with the issuer's key, as an attacker could copy
			// it. The canonicalizer is reached before the signature is
			// compared.
			cred := iss.SignDI(iss.Credential())
			addPoison(cred, n)
			start := time.Now()
			res := verifyBytes(t, iss, ob3issuer.JSON(t, cred), e2eNow, nil)
			t.Logf("%d-clique refused in %v", n, time.Since(start))
			// The clique hangs off issuer.parentOrg as an array, which
			// the schema (one parent organization) refuses as well.
			check(t, res, failed(report.StatusInvalid, "EXPAND_JSONLD", "VALIDATE_SCHEMA"))
		})
	}
}

// The issuer cannot sign a poison graph either: the same limit applies.
func TestOB3PoisonGraphUnsignable(t *testing.T) {
	iss := ob3issuer.New(t)
	cred := iss.Credential()
	addPoison(cred, 10)
	_, err := dataintegrity.Sign(context.Background(), cred, dataintegrity.SignOptions{VerificationMethod: iss.Keys.Ed25519ID}, iss.Keys.Ed25519, ob3issuer.Canonicalizer())
	var limit *rdfc.LimitError
	if !errors.As(err, &limit) {
		t.Fatalf("Sign: %v; want an *rdfc.LimitError", err)
	}
}

// The report's JSON carries the OB 3.0 envelope.
func TestOB3ReportJSON(t *testing.T) {
	iss := ob3issuer.New(t)
	res := verifyBytes(t, iss, ob3issuer.JSON(t, iss.SignDI(iss.Credential())), e2eNow, nil)
	var got struct {
		Status     string `json:"status"`
		Generation string `json:"generation"`
		Summary    struct {
			Name   string `json:"name"`
			Issuer struct {
				ID string `json:"id"`
			} `json:"issuer"`
		} `json:"summary"`
		Report struct {
			Valid             bool   `json:"valid"`
			OpenBadgesVersion string `json:"openBadgesVersion"`
		} `json:"report"`
	}
	if err := json.Unmarshal(ob3issuer.JSON(t, res), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "valid" || got.Generation != "ob3" || !got.Report.Valid || got.Report.OpenBadgesVersion != "3.0" ||
		got.Summary.Name != "Teamwork" || got.Summary.Issuer.ID != ob3issuer.DID {
		t.Errorf("report JSON %+v", got)
	}
}

// Verifying did:web credentials with a status list, one Verifier for all
// (the DID document, contexts and status list fetched once, then cached):
// what a batch of one issuer's credentials costs per credential.
func BenchmarkOB3DIDWeb(b *testing.B) {
	iss := ob3issuer.New(b)
	withStatus := iss.WithStatus(statuslist.PurposeRevocation, 9)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"eddsa-rdfc-2022", ob3issuer.JSON(b, iss.SignDI(iss.Credential(withStatus)))},
		{"VC-JWT EdDSA", []byte(iss.SignJWT(iss.Credential(withStatus), "EdDSA"))},
		{"VC-JWT ES256", []byte(iss.SignJWT(iss.Credential(withStatus), "ES256"))},
	} {
		b.Run(c.name, func(b *testing.B) {
			v := verify.New(verify.Config{Client: iss.FreshClient(), Now: func() time.Time { return e2eNow }})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				res, err := v.Verify(ctx, verify.Input{Data: c.data}, nil)
				if err != nil || res.Status != report.StatusValid {
					b.Fatalf("%v %v\n%s", err, res.Status, messages(res))
				}
			}
		})
	}
}

// statusListCredential is an unsigned BitstringStatusListCredential of
// the issuer at url, with bit set (none when negative), changed by mods.
func statusListCredential(iss *ob3issuer.Issuer, url, purpose string, bits, set int, mods ...func(map[string]any)) map[string]any {
	l := statuslist.New(bits)
	if set >= 0 {
		if err := l.Set(set, 1, 1); err != nil {
			panic(err)
		}
	}
	encoded, err := l.Encode()
	if err != nil {
		panic(err)
	}
	c := map[string]any{
		"@context":  []any{ob3issuer.ContextVC2},
		"id":        url,
		"type":      []any{"VerifiableCredential", statuslist.TypeCredential},
		"issuer":    iss.ID,
		"validFrom": "2024-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": url + "#list", "type": statuslist.TypeList, "statusPurpose": purpose, "encodedList": encoded,
		},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

// Status list credentials in the forms issuers publish them, served at
// their own URLs.
func TestOB3StatusListForms(t *testing.T) {
	const bits = 131072
	base := ob3issuer.BaseURL + "/lists/"
	cases := []struct {
		name  string
		list  func(iss *ob3issuer.Issuer, url string) any // what is served at url
		index string
		want  outcome
	}{
		{
			name: "VC-JWT list, revoked",
			list: func(iss *ob3issuer.Issuer, url string) any {
				return iss.SignJWT(statusListCredential(iss, url, "revocation", bits, 5), "EdDSA")
			},
			index: "5", want: failed(report.StatusRevoked, "CHECK_STATUS"),
		},
		{
			name: "VC-JWT list, not revoked",
			list: func(iss *ob3issuer.Issuer, url string) any {
				return iss.SignJWT(statusListCredential(iss, url, "revocation", bits, 5), "ES256")
			},
			index: "6", want: validWith(),
		},
		{
			name: "unsigned list",
			list: func(iss *ob3issuer.Issuer, url string) any {
				return statusListCredential(iss, url, "revocation", bits, -1)
			},
			index: "6", want: failed(report.StatusInvalid, "CHECK_STATUS"),
		},
		{
			name: "list past its validUntil",
			list: func(iss *ob3issuer.Issuer, url string) any {
				return iss.SignDI(statusListCredential(iss, url, "revocation", bits, -1, func(c map[string]any) { c["validUntil"] = "2025-01-01T00:00:00Z" }))
			},
			index: "6", want: failed(report.StatusIndeterminate, "CHECK_STATUS"),
		},
		{
			name: "index beyond the list",
			list: func(iss *ob3issuer.Issuer, url string) any {
				return iss.SignDI(statusListCredential(iss, url, "revocation", 8, -1))
			},
			index: "600", want: failed(report.StatusInvalid, "CHECK_STATUS"),
		},
		{
			// The list names another issuer and is signed by its key: the
			// credential's issuer chose the URL, and the list's proof
			// holds.
			name: "list by another issuer, revoked",
			list: func(iss *ob3issuer.Issuer, url string) any {
				return iss.SignDIWith(statusListCredential(iss, url, "revocation", bits, 5, func(c map[string]any) { c["issuer"] = ob3issuer.OtherDID }), iss.Other.Ed25519, iss.Other.Ed25519ID)
			},
			index: "5", want: failed(report.StatusRevoked, "CHECK_STATUS"),
		},
		{
			name: "VC-JWT list signed with an inline key",
			list: func(iss *ob3issuer.Issuer, url string) any {
				return iss.SignJWTWith(statusListCredential(iss, url, "revocation", bits, -1), iss.Stranger, vcjwt.SignOptions{EmbedJWK: true})
			},
			index: "6", want: validWith("CHECK_STATUS"),
		},
		{
			name: "Data Integrity list signed with a key in a URL fragment",
			list: func(iss *ob3issuer.Issuer, url string) any {
				did, err := didkey.FromPublicKey(iss.Stranger.Public())
				if err != nil {
					panic(err)
				}
				return iss.SignDIWith(statusListCredential(iss, url, "revocation", bits, -1), iss.Stranger, url+"#"+strings.TrimPrefix(did, didkey.Prefix))
			},
			index: "6", want: validWith("CHECK_STATUS"),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iss := ob3issuer.New(t)
			url := base + strings.ReplaceAll(c.name, " ", "-")
			iss.Serve(url, c.list(iss, url))
			cred := iss.Credential(func(m map[string]any) {
				m["credentialStatus"] = map[string]any{
					"id":   fmt.Sprintf("%s#%v", url, c.index),
					"type": statuslist.TypeEntry, "statusPurpose": "revocation", "statusListIndex": c.index, "statusListCredential": url,
				}
			})
			res := verifyBytes(t, iss, ob3issuer.JSON(t, iss.SignDI(cred)), e2eNow, nil)
			check(t, res, c.want)
		})
	}
}

// A credential with both a revocation and a suspension entry: each list
// is read. Open Badges 3.0 allows one credentialStatus (its schema wants
// an object; several are proposed for 3.1), so VALIDATE_SCHEMA fails too.
func TestOB3TwoStatusEntries(t *testing.T) {
	iss := ob3issuer.New(t)
	both := func(c map[string]any) {
		iss.WithStatus(statuslist.PurposeRevocation, 2)(c)
		revocation := c["credentialStatus"]
		iss.WithStatus(statuslist.PurposeSuspension, 2)(c)
		c["credentialStatus"] = []any{revocation, c["credentialStatus"]}
	}
	data := ob3issuer.JSON(t, iss.SignDI(iss.Credential(both)))
	check(t, verifyBytes(t, iss, data, e2eNow, nil), failed(report.StatusInvalid, "VALIDATE_SCHEMA"))
	iss.Suspend(2)
	check(t, verifyBytes(t, iss, data, e2eNow, nil), failed(report.StatusInvalid, "CHECK_STATUS", "VALIDATE_SCHEMA"))
	iss.Revoke(2)
	res := verifyBytes(t, iss, data, e2eNow, nil)
	// Revoked and suspended: revoked wins.
	check(t, res, failed(report.StatusRevoked, "CHECK_STATUS", "VALIDATE_SCHEMA"))
}
