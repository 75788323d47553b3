package payload

import (
	"fmt"
	"strings"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/jsonin"
)

// StructureError lists what a payload lacks. It is returned by
// CheckStructure when the payload cannot be a badge of its kind.
type StructureError struct {
	Kind       Kind
	Generation Generation
	Problems   []string
}

// ErrorKind is errkind.BadInput: the payload cannot be a badge.
func (e *StructureError) ErrorKind() errkind.Kind { return errkind.BadInput }

func (e *StructureError) Error() string {
	what := map[Kind]string{KindURL: "URL", KindJSON: "JSON", KindJWS: "JWS"}[e.Kind]
	return fmt.Sprintf("%s %s payload is not a badge: %s", e.Generation.Describe(), what, strings.Join(e.Problems, "; "))
}

// CheckStructure checks what can be checked without the network and
// without keys: the fields each kind of payload requires. Warnings are
// things a verifier will likely complain about but that do not make the
// payload unusable.
func (p *Payload) CheckStructure() (warnings []string, err error) {
	return p.checkStructure(true)
}

// CheckUnsigned is CheckStructure for a badge about to be signed: an Open
// Badges 3.0 credential without a proof passes.
func (p *Payload) CheckUnsigned() (warnings []string, err error) {
	return p.checkStructure(false)
}

func (p *Payload) checkStructure(needProof bool) (warnings []string, err error) {
	var problems []string
	switch p.Kind {
	case KindURL:
		// Parse already required an absolute http(s) URL.
		if strings.HasPrefix(string(p.Raw), "http://") {
			warnings = append(warnings, "the assertion URL uses http, not https")
		}
	case KindJSON:
		if p.Generation == OB3 {
			problems = checkCredential(p.Object, needProof)
		} else {
			problems = checkAssertion(p.Object, p.Version)
		}
	case KindJWS:
		if alg, _ := p.Header["alg"].(string); strings.EqualFold(alg, "none") {
			problems = append(problems, `the JWS header says "alg": "none", so it is not signed`)
		}
		if p.Generation == OB3 {
			problems = append(problems, checkCredential(p.Credential(), false)...)
		} else {
			problems = append(problems, checkAssertion(p.Object, p.Version)...)
		}
	}
	if len(problems) > 0 {
		return warnings, &StructureError{Kind: p.Kind, Generation: p.Generation, Problems: problems}
	}
	return warnings, nil
}

// checkAssertion checks an OB 0.5-2.0 assertion for the properties every
// version requires.
func checkAssertion(obj map[string]any, version string) (problems []string) {
	need := func(keys ...string) {
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				problems = append(problems, fmt.Sprintf("missing %q", k))
			}
		}
	}
	switch version {
	case "2.0":
		need("id", "type", "recipient", "badge", "verification", "issuedOn")
		if t, ok := obj["type"]; ok && !contains(jsonin.Strings(t), "Assertion") {
			problems = append(problems, fmt.Sprintf("type is %v, not an Assertion (only assertions are baked)", t))
		}
		if r, ok := obj["recipient"]; ok {
			if m, isObj := r.(map[string]any); !isObj {
				problems = append(problems, `"recipient" is not an object`)
			} else if _, ok := m["identity"]; !ok {
				problems = append(problems, `"recipient" has no "identity"`)
			}
		}
	case "1.1", "1.0":
		need("recipient", "badge", "verify", "issuedOn")
	case "0.5":
		need("recipient", "badge")
	}
	return problems
}

// checkCredential checks an OB 3.0 credential. An embedded-proof credential
// baked as JSON must carry its proof; a VC-JWT carries it in the signature.
func checkCredential(obj map[string]any, needProof bool) (problems []string) {
	for _, k := range []string{"@context", "type", "issuer", "credentialSubject"} {
		if _, ok := obj[k]; !ok {
			problems = append(problems, fmt.Sprintf("missing %q", k))
		}
	}
	if t, ok := obj["type"]; ok && !contains(jsonin.Strings(t), "VerifiableCredential") {
		problems = append(problems, fmt.Sprintf("type %v does not include VerifiableCredential", t))
	}
	if _, ok := obj["proof"]; needProof && !ok {
		problems = append(problems, `missing "proof": an OB 3.0 credential baked as JSON must carry an embedded proof (sign it first, or bake its VC-JWT)`)
	}
	return problems
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
