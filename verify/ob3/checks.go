package ob3

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/badgebake/badgebake/internal/jsonin"
)

// Contexts and types the checks look for.
const (
	contextVC2 = "https://www.w3.org/ns/credentials/v2"
	contextVC1 = "https://www.w3.org/2018/credentials/v1" // VCDM 1.1: accepted for verification only

	typeVerifiableCredential  = "VerifiableCredential"
	typeCredentialSchema      = "1EdTechJsonSchemaValidator2019"
	typeRefreshService        = "1EdTechCredentialRefresh"
	typeRevocationList        = "1EdTechRevocationList"
	typeEndorsementCredential = "EndorsementCredential"
)

// obContext matches every Open Badges 3.0 context version (3.0.0 is
// context.json, later ones context-3.0.N.json).
var obContext = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)

// credentialTypes are the Open Badges credential types.
var credentialTypes = []string{"OpenBadgeCredential", "AchievementCredential", typeEndorsementCredential}

// checkContext checks @context (VALIDATE_CONTEXT): the VCDM base context
// first, then an Open Badges 3.0 context.
func (r *run) checkContext(doc map[string]any) {
	raw, has := doc["@context"]
	if !has {
		r.res.Errorf(CheckValidateContext, id(doc), "@context", "The credential has no @context: a Verifiable Credential starts with %s", contextVC2)
		return
	}
	var contexts []any
	switch c := raw.(type) {
	case []any:
		contexts = c
	case string:
		contexts = []any{c}
	default:
		r.res.Errorf(CheckValidateContext, id(doc), "@context", "The credential's @context is not a list of context URLs")
		return
	}
	first, _ := firstOf(contexts).(string)
	if first != contextVC2 && first != contextVC1 {
		r.res.Errorf(CheckValidateContext, id(doc), "@context", "The credential's first @context is %s; a Verifiable Credential's must be %s (or %s for the older data model)", describe(firstOf(contexts)), contextVC2, contextVC1)
		return
	}
	for _, c := range contexts {
		if s, ok := c.(string); ok && obContext.MatchString(s) {
			return
		}
	}
	r.res.Errorf(CheckValidateContext, id(doc), "@context", "The credential's @context names no Open Badges 3.0 context (https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.N.json)")
}

func firstOf(a []any) any {
	if len(a) == 0 {
		return nil
	}
	return a[0]
}

// describe shows a JSON value in a message.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "missing"
	case string:
		return fmt.Sprintf("%q", clip(v))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%T", v)
	}
	return clip(string(b))
}

func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// checkType checks type (VALIDATE_TYPE).
func (r *run) checkType(doc map[string]any) {
	types := jsonin.Strings(doc["type"])
	var missing []string
	if !slices.Contains(types, typeVerifiableCredential) {
		missing = append(missing, typeVerifiableCredential)
	}
	if !slices.ContainsFunc(types, func(t string) bool { return slices.Contains(credentialTypes, t) }) {
		missing = append(missing, strings.Join(credentialTypes, " or "))
	}
	if len(missing) > 0 {
		r.res.Errorf(CheckValidateType, id(doc), "type", "The credential's type %s lacks %s", describe(doc["type"]), strings.Join(missing, " and "))
	}
}

// checkSchema validates against the built-in schemas (VALIDATE_SCHEMA),
// then checks what the specification asks of the subject beyond them.
func (r *run) checkSchema(doc map[string]any) {
	if r.v.schemas == nil {
		r.res.Warnf(CheckValidateSchema, id(doc), "", "The credential was not checked against the Open Badges 3.0 JSON schema: schema checking is not configured")
	} else if err := r.v.schemas.Validate(r.ctx, doc); err != nil {
		r.addCheckError(err, CheckValidateSchema, id(doc), "The credential does not conform to the Open Badges 3.0 JSON schema: %v")
		return
	}
	for _, s := range objectsOf(doc["credentialSubject"]) {
		if _, hasID := s["id"]; !hasID && len(objectsOf(s["identifier"])) == 0 {
			// The specification requires one, but credentials without
			// either are issued and verified widely (the DCC's among
			// them): say so, and let a --recipient check fail on it.
			r.res.Warnf(CheckValidateSchema, id(doc), "credentialSubject", "The credential's subject has neither an id nor an identifier, as Open Badges 3.0 requires: it names no recipient")
		}
	}
}

// checkCredentialSchemas validates against each credentialSchema the
// credential names (VALIDATE_CREDENTIAL_SCHEMA).
func (r *run) checkCredentialSchemas(doc map[string]any) {
	for i, s := range objectsOf(doc["credentialSchema"]) {
		if i == maxListed {
			r.res.Warnf(CheckValidateCredentialSchema, id(doc), "credentialSchema", "Only the first %d credential schemas were checked", maxListed)
			return
		}
		url, _ := s["id"].(string)
		typ := jsonin.Strings(s["type"])
		switch {
		case !slices.Contains(typ, typeCredentialSchema):
			r.res.Warnf(CheckValidateCredentialSchema, id(doc), "credentialSchema", "The credential schema %s of type %s was not checked: badgebake knows only %s", describe(s["id"]), describe(s["type"]), typeCredentialSchema)
		case url == "":
			r.res.Errorf(CheckValidateCredentialSchema, id(doc), "credentialSchema", "A credentialSchema entry has no id naming the schema")
		case r.v.schemas == nil:
			r.res.Warnf(CheckValidateCredentialSchema, id(doc), "credentialSchema", "The credential was not checked against its schema %s: schema checking is not configured", url)
		default:
			if err := r.v.schemas.ValidateCredentialSchema(r.ctx, url, doc); err != nil {
				r.addCheckError(err, CheckValidateCredentialSchema, id(doc), "The credential does not conform to its schema "+strings.ReplaceAll(url, "%", "%%")+": %v")
			}
		}
	}
}

// addCheckError reports an error of a Proofs or Schemas: under the check
// a *CheckError names (else fallback), as unavailable when it says so.
// format has one %v, for the error.
func (r *run) addCheckError(err error, fallback, node, format string) {
	check, unavailable, warning := fallback, false, false
	var ce *CheckError
	if errors.As(err, &ce) {
		unavailable, warning = ce.Unavailable, ce.Warning
		if ce.Check != "" && ce.Check != fallback {
			check = ce.Check
			format = checkFormats[check]
			if format == "" {
				format = "%v"
			}
		}
	}
	switch {
	case warning:
		r.res.Warnf(check, node, "", format, err)
	case unavailable:
		r.res.Unavailablef(check, node, "", format, err)
	default:
		r.res.Errorf(check, node, "", format, err)
	}
}

// checkFormats say what a failure of a check named by a *CheckError means.
var checkFormats = map[string]string{
	CheckVerifyProof:              "The credential's proof does not verify: %v",
	CheckResolveKey:               "The key that signed the credential could not be resolved: %v",
	CheckExpandJSONLD:             "The credential could not be read as JSON-LD, so its signed content is unknown: %v",
	CheckIssuer:                   "The key that signed the credential is not the issuer's: %v",
	CheckValidateSchema:           "The credential does not conform to the Open Badges 3.0 JSON schema: %v",
	CheckValidateCredentialSchema: "The credential does not conform to its credentialSchema: %v",
	CheckParseCredential:          "The credential could not be read: %v",
}

// checkDates checks validFrom (CHECK_ISSUANCE) and validUntil
// (CHECK_EXPIRATION), or VCDM 1.1's issuanceDate and expirationDate, and a
// VC-JWT's nbf and exp, against the Verifier's clock.
func (r *run) checkDates(c *credential) {
	now := r.v.now()
	for _, prop := range []string{"validFrom", "issuanceDate"} {
		if t, ok := r.date(c.doc, prop, CheckIssuance); ok && now.Before(t) {
			r.res.Errorf(CheckIssuance, id(c.doc), prop, "The credential is not yet valid: it is valid from %s (%s), and this is %s", t.Format(time.RFC3339), prop, now.UTC().Format(time.RFC3339))
		}
	}
	for _, prop := range []string{"validUntil", "expirationDate"} {
		if t, ok := r.date(c.doc, prop, CheckExpiration); ok && now.After(t) {
			r.res.Errorf(CheckExpiration, id(c.doc), prop, "The credential expired on %s (%s)", t.Format(time.RFC3339), prop)
		}
	}
	nbf, exp := jwtTimes(c)
	if nbf != nil && now.Before(*nbf) {
		r.res.Errorf(CheckIssuance, id(c.doc), "nbf", "The credential is not yet valid: its JWT is valid from %s (nbf), and this is %s", nbf.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if exp != nil && now.After(*exp) {
		r.res.Errorf(CheckExpiration, id(c.doc), "exp", "The credential expired on %s (its JWT's exp)", exp.UTC().Format(time.RFC3339))
	}
}

// date reads a date-time property; a value that is not one is an ERROR of
// the check that needs it.
func (r *run) date(doc map[string]any, prop, check string) (time.Time, bool) {
	v, has := doc[prop]
	if !has {
		return time.Time{}, false
	}
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.res.Errorf(check, id(doc), prop, "The credential's %s %s is not a date and time with a time zone", prop, describe(v))
		return time.Time{}, false
	}
	return t, true
}

// jwtTimes are a VC-JWT's nbf and exp: from the proof check's outcome, or
// read from the claims when the proof did not verify.
func jwtTimes(c *credential) (nbf, exp *time.Time) {
	if c.jwt != nil {
		return c.jwt.NotBefore, c.jwt.Expires
	}
	if c.p == nil || c.p.JWS == nil && c.p.Header == nil {
		return nil, nil
	}
	return numericDate(c.p.Object["nbf"]), numericDate(c.p.Object["exp"])
}

// numericDate reads a JWT NumericDate (seconds since the epoch).
func numericDate(v any) *time.Time {
	var f float64
	switch v := v.(type) {
	case json.Number:
		var err error
		if f, err = v.Float64(); err != nil {
			return nil
		}
	case float64:
		f = v
	default:
		return nil
	}
	if f < -1e11 || f > 1e11 {
		return nil
	}
	t := time.Unix(int64(f), 0).UTC()
	return &t
}

// Identity types of a recipient profile (as for Open Badges 2.0) and the
// identityType values of an IdentityObject that each matches.
var profileIdentityTypes = map[string]string{
	"emailAddress": "email",
	"url":          "url",
	"phone":        "telephone",
	"telephone":    "telephone",
}

// checkRecipient checks that the credential names the expected recipient
// (CHECK_RECIPIENT): credentialSubject.id, or an identifier of the
// matching identityType, hashed with its salt or plain.
func (r *run) checkRecipient(c *credential, profile map[string]any) {
	candidates := map[string][]string{}
	for _, k := range []string{"email", "id", "telephone", "url"} {
		if s := jsonin.Strings(profile[k]); len(s) > 0 {
			candidates[k] = s
		}
	}
	if len(candidates) == 0 {
		r.res.Errorf(CheckRecipient, id(c.doc), "", "The expected recipient profile names no identity (email, url, telephone or id)")
		return
	}
	types := make([]string, 0, len(candidates))
	for typ := range candidates {
		types = append(types, typ)
	}
	slices.Sort(types) // the same identity is reported from run to run
	for _, s := range objectsOf(c.doc["credentialSubject"]) {
		if sid, ok := s["id"].(string); ok {
			for _, typ := range types {
				for _, want := range candidates[typ] {
					if subjectIDMatches(sid, typ, want) {
						r.res.Report.RecipientProfile = map[string]string{typ: want}
						return
					}
				}
			}
		}
		for _, ident := range objectsOf(s["identifier"]) {
			identityType, _ := ident["identityType"].(string)
			typ := profileIdentityTypes[identityType]
			if typ == "" {
				typ = "id"
			}
			value, _ := ident["identityHash"].(string)
			hashed, _ := ident["hashed"].(bool)
			salt, _ := ident["salt"].(string)
			for _, want := range candidates[typ] {
				if hashed && matchesHash(want, salt, value) || !hashed && value != "" && value == want {
					r.res.Report.RecipientProfile = map[string]string{typ: want}
					return
				}
			}
		}
	}
	var named []string
	for typ, values := range candidates {
		named = append(named, typ+" "+strings.Join(values, ", "))
	}
	slices.Sort(named)
	r.res.Errorf(CheckRecipient, id(c.doc), "credentialSubject", "The credential was not issued to the expected recipient: neither its subject's id nor any of its identifiers matches %s", strings.Join(named, "; "))
}

// subjectIDMatches compares credentialSubject.id (a DID, URL or mailto:
// URI) with an identity of the profile.
func subjectIDMatches(subjectID, typ, want string) bool {
	switch typ {
	case "email":
		addr, ok := strings.CutPrefix(subjectID, "mailto:")
		return ok && strings.EqualFold(addr, want)
	case "telephone":
		return subjectID == "tel:"+want || subjectID == want
	}
	return subjectID == want
}

// matchesHash compares alg$hexdigest(identity + salt) with an IdentityHash
// (hex digits in either case).
func matchesHash(identity, salt, hash string) bool {
	alg, digest, ok := strings.Cut(strings.ToLower(hash), "$")
	if !ok {
		return false
	}
	var sum []byte
	switch alg {
	case "sha256":
		s := sha256.Sum256([]byte(identity + salt))
		sum = s[:]
	case "md5":
		s := md5.Sum([]byte(identity + salt))
		sum = s[:]
	default:
		return false
	}
	return digest == hex.EncodeToString(sum)
}

// id is a credential's id, for messages.
func id(doc map[string]any) string {
	s, _ := doc["id"].(string)
	return s
}

// objectsOf returns the objects of a JSON object-or-array value.
func objectsOf(v any) []map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		var out []map[string]any
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// issuerID is the credential's issuer: a URI or an embedded profile's id.
func issuerID(doc map[string]any) string { return jsonin.Ref(doc["issuer"]) }
