package payload

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// compactJWS assembles a compact JWS with a dummy signature; structure checks never
// verify signatures, so the bytes only have to be base64url.
func compactJWS(t testing.TB, header, claims any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte("signature"))
}

const ob2Assertion = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/assertions/123",
 "recipient":{"type":"email","hashed":false,"identity":"a@example.org"},"badge":"https://example.org/badge","verification":{"type":"hosted"},"issuedOn":"2024-01-02T03:04:05Z"}`

const ob3Credential = `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
 "id":"urn:uuid:1","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"did:example:1","type":["Profile"]},
 "validFrom":"2024-01-01T00:00:00Z","credentialSubject":{"type":["AchievementSubject"],"achievement":{"id":"urn:a"}},
 "proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofValue":"z1"}}`

func TestParseKinds(t *testing.T) {
	vcClaims := map[string]any{"iss": "did:example:1", "vc": map[string]any{"@context": []string{"https://www.w3.org/2018/credentials/v1"}, "type": []string{"VerifiableCredential"}}}
	tests := []struct {
		name    string
		in      string
		kind    Kind
		gen     Generation
		version string
	}{
		{"hosted url", "https://example.org/assertions/123", KindURL, OB2, ""},
		{"url with spaces and BOM around", "\ufeff  http://example.org/a?b=c&d \n", KindURL, OB2, ""},
		{"ob2 json", ob2Assertion, KindJSON, OB2, "2.0"},
		{"ob1.1 json", `{"@context":"https://w3id.org/openbadges/v1","recipient":{}}`, KindJSON, OB2, "1.1"},
		{"ob1.0 json", `{"uid":"1","recipient":{"identity":"x"},"badge":"https://e.org/b"}`, KindJSON, OB2, "1.0"},
		{"ob0.5 json", `{"recipient":"a@example.org","badge":{}}`, KindJSON, OB2, "0.5"},
		{"ob3 json by context", ob3Credential, KindJSON, OB3, "3.0"},
		{"ob3 json by type only", `{"type":["VerifiableCredential","OpenBadgeCredential"]}`, KindJSON, OB3, "3.0"},
		{"vcdm1.1 json", `{"@context":["https://www.w3.org/2018/credentials/v1"]}`, KindJSON, OB3, "3.0"},
		{"ob2 signed", compactJWS(t, map[string]string{"alg": "RS256"}, map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"}), KindJWS, OB2, "2.0"},
		{"vc-jwt top level", compactJWS(t, map[string]string{"alg": "RS256", "typ": "JWT"}, map[string]any{"@context": []string{"https://www.w3.org/ns/credentials/v2"}}), KindJWS, OB3, "3.0"},
		{"vc-jwt vc claim", compactJWS(t, map[string]string{"alg": "ES256"}, vcClaims), KindJWS, OB3, "3.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Kind != tt.kind || p.Generation != tt.gen || p.Version != tt.version {
				t.Errorf("got kind=%s gen=%s version=%q, want %s %s %q", p.Kind, p.Generation, p.Version, tt.kind, tt.gen, tt.version)
			}
			if got, want := string(p.Raw), strings.TrimSpace(strings.TrimPrefix(tt.in, "\ufeff")); got != want {
				t.Errorf("Raw = %q, want %q", got, want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "  \n", "empty"},
		{"plain text", "hello world", "expected an http(s) URL, a JSON object or a compact JWS"},
		{"ftp url", "ftp://example.org/a", "expected an http(s) URL"},
		{"url without host", "https:///path", "not an absolute http(s) URL"},
		{"broken json", `{"a": 1,}`, "line 1, column 9"},
		{"json multi-line error position", "{\n \"a\": 1\n \"b\": 2}", "line 3"},
		{"truncated json", `{"a": [1, 2`, "ends before the object is complete"},
		{"json array", `[1,2]`, "expected an http(s) URL"},
		{"json trailing data", `{"a":1} {"b":2}`, "unexpected data after the JSON object"},
		{"two segments", "eyJhbGciOiJSUzI1NiJ9.e30", "3 dot-separated segments, this has 2"},
		{"header without alg", compactJWS(t, map[string]string{"typ": "JWT"}, map[string]any{}), `no "alg"`},
		{"payload not json", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "payload is not a JSON object"},
		{"bad base64", "eyJhbGciOiJSUzI1NiJ9.!!!.c2ln", "not base64url"},
		{"empty signature", compactJWS(t, map[string]string{"alg": "RS256"}, map[string]any{})[:0] + "eyJhbGciOiJSUzI1NiJ9.e30.", "signature segment is empty"},
		{"not utf-8", "https://example.org/\xff", "not valid UTF-8"},
		{"NUL in a URL fragment", "http://0#\x00", "NUL byte at offset 9"},
		{"space inside a URL", "https://example.org/a b", "not an absolute http(s) URL"},
		{"NUL in JSON", "{\"a\":\"\x00\"}", "NUL byte"},
		{"json nested too deep", `{"a": ` + strings.Repeat("[", 20000), "the payload is JSON nested more than 1000 levels deep (at byte 1006;"},
		{"json array nested too deep", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), "the payload is JSON nested more than 1000 levels deep (at byte 1001;"},
		{"JWS payload nested too deep", "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat(`{"a":`, 2000))) + ".c2ln",
			"JWS payload is not a JSON object: JSON nested more than 1000 levels deep (at byte 5001;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse accepted it as %s", p.Kind)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
	if _, err := Parse([]byte("hello")); !errors.Is(err, ErrUnrecognized) {
		t.Errorf("plain text error %v does not wrap ErrUnrecognized", err)
	}
}

func TestCheckStructure(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		problem string // "" = valid
		warning string
	}{
		{"hosted https url", "https://example.org/a", "", ""},
		{"hosted http url warns", "http://example.org/a", "", "uses http, not https"},
		{"ob2 assertion", ob2Assertion, "", ""},
		{"ob2 missing badge", strings.Replace(ob2Assertion, `"badge"`, `"badgeX"`, 1), `missing "badge"`, ""},
		{"ob2 badgeclass", strings.Replace(ob2Assertion, `"type":"Assertion"`, `"type":"BadgeClass"`, 1), "not an Assertion", ""},
		{"ob2 recipient string", strings.Replace(ob2Assertion, `{"type":"email","hashed":false,"identity":"a@example.org"}`, `"a@example.org"`, 1), "recipient\" is not an object", ""},
		{"ob1.0", `{"uid":"1","recipient":{"identity":"x"},"badge":"https://e.org/b","verify":{"type":"hosted","url":"https://e.org/a"},"issuedOn":"2015-01-01"}`, "", ""},
		{"ob1.0 missing verify", `{"uid":"1","recipient":{"identity":"x"},"badge":"https://e.org/b","issuedOn":"2015-01-01"}`, `missing "verify"`, ""},
		{"ob3 credential", ob3Credential, "", ""},
		{"ob3 without proof", strings.Replace(ob3Credential, `"proof"`, `"proofX"`, 1), "must carry an embedded proof", ""},
		{"ob3 without VerifiableCredential type", strings.Replace(ob3Credential, `"VerifiableCredential",`, ``, 1), "does not include VerifiableCredential", ""},
		{"alg none", compactJWS(t, map[string]string{"alg": "none"}, map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "x", "recipient": map[string]any{"identity": "x"}, "badge": "b", "verification": map[string]any{}, "issuedOn": "x"}), `"alg": "none"`, ""},
		{"alg none, unsecured (empty signature)", "eyJhbGciOiJub25lIn0." + strings.Split(compactJWS(t, map[string]string{"alg": "none"}, map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "x", "recipient": map[string]any{"identity": "x"}, "badge": "b", "verification": map[string]any{}, "issuedOn": "x"}), ".")[1] + ".", `"alg": "none"`, ""},
		{"vc-jwt without proof is fine", compactJWS(t, map[string]string{"alg": "RS256"}, map[string]any{"vc": map[string]any{"@context": []string{contextVC1}, "type": []string{"VerifiableCredential"}, "issuer": "did:x", "credentialSubject": map[string]any{}}}), "", ""},
		{"vc-jwt missing subject", compactJWS(t, map[string]string{"alg": "RS256"}, map[string]any{"@context": []string{contextVC2}, "type": []string{"VerifiableCredential"}, "issuer": "did:x"}), `missing "credentialSubject"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			warnings, err := p.CheckStructure()
			if tt.problem == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.problem != "" {
				var se *StructureError
				if !errors.As(err, &se) {
					t.Fatalf("error = %v, want a *StructureError mentioning %q", err, tt.problem)
				}
				if !strings.Contains(err.Error(), tt.problem) {
					t.Errorf("error %q does not mention %q", err, tt.problem)
				}
			}
			if tt.warning != "" && (len(warnings) == 0 || !strings.Contains(strings.Join(warnings, "\n"), tt.warning)) {
				t.Errorf("warnings %q do not mention %q", warnings, tt.warning)
			}
		})
	}
}

func TestHostedURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/a", "https://example.org/a"},
		{ob2Assertion, "https://example.org/assertions/123"},
		{`{"uid":"1","verify":{"type":"hosted","url":"https://e.org/a.json"}}`, "https://e.org/a.json"},
		{`{"@context":"https://w3id.org/openbadges/v2","id":"urn:uuid:1"}`, ""},
		{ob3Credential, ""},
	}
	for _, tt := range tests {
		p, err := Parse([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.HostedURL(); got != tt.want {
			t.Errorf("HostedURL(%.40q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseGeneration(t *testing.T) {
	for in, want := range map[string]Generation{"ob2": OB2, "OB3": OB3, "3.0": OB3, " 2 ": OB2} {
		if g, err := ParseGeneration(in); err != nil || g != want {
			t.Errorf("ParseGeneration(%q) = %v, %v; want %v", in, g, err, want)
		}
	}
	if _, err := ParseGeneration("4"); err == nil {
		t.Error("ParseGeneration(4) accepted")
	}
}
