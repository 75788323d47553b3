package payload

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/internal/textin"
	"github.com/badgebake/badgebake/proof/jws"
)

// Kind is the form of a payload.
type Kind string

const (
	KindURL  Kind = "url"  // hosted assertion URL
	KindJSON Kind = "json" // assertion or credential JSON
	KindJWS  Kind = "jws"  // compact JWS: signed assertion or VC-JWT
)

// Generation is the Open Badges generation a payload belongs to. It decides
// the carrier a baker writes: PNG keyword and SVG element.
type Generation string

const (
	OB2 Generation = "ob2" // Open Badges 0.5 to 2.0: iTXt "openbadges", <assertion> in http://openbadges.org
	OB3 Generation = "ob3" // Open Badges 3.0: iTXt "openbadgecredential", <credential> in https://purl.imsglobal.org/ob/v3p0
)

// Describe returns the generation as people name it.
func (g Generation) Describe() string {
	switch g {
	case OB2:
		return "Open Badges 2.0"
	case OB3:
		return "Open Badges 3.0"
	}
	return string(g)
}

// ParseGeneration accepts "ob2", "ob3", "2", "3", "2.0", "3.0" (any case).
func ParseGeneration(s string) (Generation, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ob2", "2", "2.0", "ob20", "ob2.0":
		return OB2, nil
	case "ob3", "3", "3.0", "ob30", "ob3.0":
		return OB3, nil
	}
	return "", fmt.Errorf("unknown Open Badges generation %q (want ob2 or ob3)", s)
}

// Payload is a classified badge payload.
type Payload struct {
	// Raw is the payload text with surrounding white space removed. Bakers
	// write exactly these bytes; unbake returns exactly what was stored.
	Raw []byte
	// Kind is the form of the payload.
	Kind Kind
	// Generation is OB2 or OB3, from the content.
	Generation Generation
	// Version is the specification version the content declares: "3.0"
	// for OB 3.0, and for OB 2.0 payloads "2.0", "1.1", "1.0" or "0.5" using
	// the version detection of openbadges-validator-core. Empty for URLs.
	Version string
	// Object is the JSON document (KindJSON) or the JWS payload claims
	// (KindJWS). Numbers are json.Number.
	Object map[string]any
	// Header is the protected header of a JWS (JWS.Header.Params).
	Header map[string]any
	// JWS is the compact JWS read once, for the verifier to check its
	// signature with (KindJWS only).
	JWS *jws.JWS
}

// ErrUnrecognized is wrapped by Parse errors for text that is not a URL, a
// JSON object or a compact JWS.
var ErrUnrecognized = errkind.New(errkind.BadInput, "not an Open Badges payload")

// Context URLs that mark a JSON document as OB 3.0 (a Verifiable Credential).
const (
	contextVC1     = "https://www.w3.org/2018/credentials/v1"
	contextVC2     = "https://www.w3.org/ns/credentials/v2"
	contextOB3Pref = "https://purl.imsglobal.org/spec/ob/v3p0"
)

// credentialTypes are types only Verifiable Credentials use.
var credentialTypes = []string{"VerifiableCredential", "OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}

// Parse classifies text. Surrounding white space (and a UTF-8 byte order
// mark) is ignored. The error wraps ErrUnrecognized and says what was
// expected when the text is none of the three kinds.
func Parse(text []byte) (*Payload, error) {
	raw := trim(text)
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: the payload is empty", ErrUnrecognized)
	}
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("%w: the payload is not valid UTF-8", ErrUnrecognized)
	}
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		// No carrier can hold a NUL: PNG text chunks end at one, XML
		// forbids it.
		return nil, fmt.Errorf("%w: the payload contains a NUL byte at offset %d", ErrUnrecognized, i)
	}
	p := &Payload{Raw: raw}
	switch {
	case raw[0] == '{':
		obj, err := jsonin.DecodeObject(raw)
		if errors.As(err, new(*jsonin.TooDeepError)) {
			return nil, fmt.Errorf("the payload is %w", err)
		}
		if err != nil {
			return nil, fmt.Errorf("payload starts with '{' but is not valid JSON: %w", err)
		}
		p.Kind, p.Object = KindJSON, obj
		p.Generation, p.Version = generationOf(obj)
	case looksLikeURL(raw):
		u, err := url.Parse(string(raw))
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || hasControlOrSpace(raw) {
			return nil, fmt.Errorf("%w: %q is not an absolute http(s) URL", ErrUnrecognized, clip(raw))
		}
		p.Kind, p.Generation = KindURL, OB2
	case raw[0] == '[':
		// A JSON array is never a payload; say why when it is one no
		// decoder should descend into.
		if err := jsonin.CheckDepth(raw); err != nil {
			return nil, fmt.Errorf("%w: the payload is %w", ErrUnrecognized, err)
		}
		fallthrough
	default:
		j, claims, err := decodeJWS(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: expected an http(s) URL, a JSON object or a compact JWS, got %q (%v)", ErrUnrecognized, clip(raw), err)
		}
		p.Kind, p.JWS, p.Header, p.Object = KindJWS, j, j.Header.Params, claims
		if _, ok := claims["vc"].(map[string]any); ok {
			// VCDM 1.1-era VC-JWT: the credential sits under the vc claim.
			p.Generation, p.Version = OB3, "3.0"
		} else {
			p.Generation, p.Version = generationOf(claims)
		}
	}
	return p, nil
}

// Credential returns the credential or assertion document: the JSON object,
// or for a JWS its payload (the "vc" claim of a VCDM 1.1-style VC-JWT).
func (p *Payload) Credential() map[string]any {
	if p.Kind == KindJWS {
		if vc, ok := p.Object["vc"].(map[string]any); ok {
			return vc
		}
	}
	return p.Object
}

// HostedURL returns the URL an OB 2.0 SVG bake puts in the verify
// attribute: the URL itself, the assertion's id when it is an http(s) URL
// (OB 2.0 hosted), or verify.url (OB 1.0/1.1). It returns "" when there is
// none.
func (p *Payload) HostedURL() string {
	switch p.Kind {
	case KindURL:
		return string(p.Raw)
	case KindJSON:
		if p.Generation != OB2 {
			return ""
		}
		if id, ok := p.Object["id"].(string); ok && isHTTPURL(id) {
			return id
		}
		for _, key := range []string{"verify", "verification"} {
			if v, ok := p.Object[key].(map[string]any); ok {
				if u, ok := v["url"].(string); ok && isHTTPURL(u) {
					return u
				}
			}
		}
	}
	return ""
}

func trim(b []byte) []byte {
	b = textin.TrimBOM(b)
	return bytes.TrimSpace(b)
}

func looksLikeURL(b []byte) bool {
	s := strings.ToLower(string(b[:min(len(b), 8)]))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https")
}

// decodeJWS reads a compact JWS with jws.Parse and checks what a badge
// needs of it: a header with "alg", a JSON object payload and a signature.
// It does not verify.
func decodeJWS(b []byte) (j *jws.JWS, claims map[string]any, err error) {
	if j, err = jws.Parse(string(b)); err != nil {
		return nil, nil, err
	}
	if j.Header.Alg == "" {
		return nil, nil, errors.New(`JWS header has no "alg"`)
	}
	if claims, err = jsonin.DecodeObject(j.Payload); err != nil {
		return nil, nil, fmt.Errorf("JWS payload is not a JSON object: %v", err)
	}
	if len(j.Signature) == 0 && !strings.EqualFold(j.Header.Alg, "none") {
		// An unsecured JWS (RFC 7515 appendix A.5) is recognised, so that
		// CheckStructure and the verifier refuse it by name.
		return nil, nil, errors.New("JWS signature segment is empty")
	}
	return j, claims, nil
}

// generationOf tells OB 3.0 credentials from OB 0.5-2.0 assertions, and
// the OB 2.0-line version with openbadges-validator-core's rules.
func generationOf(obj map[string]any) (Generation, string) {
	ctx := jsonin.Strings(obj["@context"])
	for _, c := range ctx {
		if c == contextVC1 || c == contextVC2 || strings.HasPrefix(c, contextOB3Pref) {
			return OB3, "3.0"
		}
	}
	for _, t := range jsonin.Strings(obj["type"]) {
		for _, ct := range credentialTypes {
			if t == ct {
				return OB3, "3.0"
			}
		}
	}
	if _, has := obj["@context"]; has {
		for _, c := range ctx {
			if strings.Contains(c, "v1") {
				return OB2, "1.1"
			}
		}
		return OB2, "2.0"
	}
	if _, ok := obj["recipient"].(string); ok {
		return OB2, "0.5"
	}
	return OB2, "1.0"
}

// clip shortens text for error messages.
func clip(b []byte) string { return textin.Clip(b, 60) }

// hasControlOrSpace reports whether a URL holds characters a URL may not
// (url.Parse lets some through in the fragment).
func hasControlOrSpace(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c == 0x7f {
			return true
		}
	}
	return false
}
