package ob2

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/badgebake/badgebake/carrier"
	"github.com/badgebake/badgebake/fetch"

	"github.com/badgebake/badgebake/internal/magic"
	"github.com/badgebake/badgebake/report"
)

// classChecks runs the class-level checks that follow property validation.
func (r *run) classChecks(node map[string]any, class string, w where) {
	switch class {
	case classBadgeClass:
		r.validateImage(node, "image", class, w, true, true)
	case classProfile:
		r.issuerDependencies(node, w)
	case classIdentityObject:
		r.identityDependencies(node, w)
	case classCriteria:
		r.criteriaDependencies(node, w)
	case classImage:
		r.validateImage(node, "id", class, w, true, true)
	}
}

// assertionChecks are the Assertion's checks that need the whole chain.
func (r *run) assertionChecks(node map[string]any) {
	id, _ := node["id"].(string)
	w := where{id: id}
	r.timestampChecks(node, w)
	if _, embedded := node["image"].(map[string]any); !embedded {
		r.validateImage(node, "image", classAssertion, w, false, false)
	}
	r.verificationDependencies(node, w)
	if revoked, _ := node["revoked"].(bool); revoked {
		reason, _ := node["revocationReason"].(string)
		if reason == "" {
			reason = "no reason given"
		}
		r.res.Revokedf(taskHostedNotRevoked, id, "revoked", "Assertion %s is revoked: %s", id, reason)
	}
}

// timestampChecks compares issuedOn and expires with each other and now.
func (r *run) timestampChecks(node map[string]any, w where) {
	issuedOn, _ := node["issuedOn"].(string)
	issued, ok := ParseDateTime(issuedOn)
	if !ok {
		r.res.Errorf(taskTimestamps, w.id, "", "Assertion %s issuedOn %s is not a date-time with a time zone; its dates could not be checked", w, abbreviate(node["issuedOn"]))
		return
	}
	// One finding at most, the first that applies, as in the reference.
	now := r.v.now()
	if issued.After(now) {
		r.res.Errorf(taskTimestamps, w.id, "", "Assertion %s has issue date %s in the future.", w, issuedOn)
		return
	}
	expiresOn, has := node["expires"].(string)
	if !has {
		return
	}
	expires, ok := ParseDateTime(expiresOn)
	switch {
	case !ok:
		// VALIDATE_PROPERTY already reports the value.
	case expires.Before(issued):
		r.res.Errorf(taskTimestamps, w.id, "", "Assertion %s expiration is prior to issue date.", w)
	case expires.Before(now):
		r.res.Errorf(taskTimestamps, w.id, "", "Assertion %s expired on %s.", w, expiresOn)
	}
}

// identityDependencies: a hashed identity must be a hash, an unhashed one
// must not look like one, and an unhashed email must look like an email.
func (r *run) identityDependencies(node map[string]any, w where) {
	identity, _ := node["identity"].(string)
	isHashed, known := node["hashed"].(bool)
	if !known {
		return // VALIDATE_PROPERTY reports the missing or odd hashed
	}
	typ, _ := node["type"].(string)
	switch {
	case isHashed && !IsHashedIdentity(identity):
		r.res.Errorf(taskIdentityDeps, w.id, "identity", "Identity %s must match known hash format (md5$ or sha256$ and a hex digest) if hashed is true.", abbreviate(identity))
	case !isHashed && IsHashedIdentity(identity):
		r.res.Errorf(taskIdentityDeps, w.id, "identity", "Identity %s looks like a hash, but hashed is false.", abbreviate(identity))
	case !isHashed && strings.Contains(typ, "email") && !IsEmail(identity):
		r.res.Errorf(taskIdentityDeps, w.id, "identity", "Email type identity must match email format.")
	}
}

var blankCriteria = lazyRegexp(`^_:b\d+$`)

// criteriaDependencies: criteria that are only a blank node need a narrative.
func (r *run) criteriaDependencies(node map[string]any, w where) {
	id, _ := node["id"].(string)
	if blankCriteria().MatchString(id) {
		if _, ok := node["narrative"]; !ok {
			r.res.Errorf(taskCriteriaDeps, w.id, "narrative", "Criteria %s has no narrative. Criteria without an id need a narrative.", r.nodeRef(where{id: id}))
		}
	}
}

// issuerDependencies warns about an issuer without an HTTP(S) id.
func (r *run) issuerDependencies(node map[string]any, w where) {
	id, _ := node["id"].(string)
	if !strings.HasPrefix(id, "http://") && !strings.HasPrefix(id, "https://") {
		r.res.Warnf(taskIssuerDeps, id, "", "%s not hosted with HTTP-based identifier. Many platforms can only handle HTTP(s)-hosted issuers.", r.label("Issuer Profile", id))
	}
}

// validateImage checks an image property: present when required, one
// value, a data URI only where allowed (and then a PNG or SVG data URI), a
// URL that can be fetched and really is a PNG or an SVG.
func (r *run) validateImage(node map[string]any, prop, class string, w where, required, dataURI bool) {
	v, present := node[prop]
	if !present || v == nil {
		if required {
			r.res.Errorf(taskImage, w.id, prop, "Could not load and validate image in %s", r.nodeRef(w))
		}
		return
	}
	values := listOf(v)
	if len(values) > 1 {
		r.res.Errorf(taskImage, w.id, prop, "Could not validate image in %s: many images not allowed", r.nodeRef(w))
		return
	}
	var imageURL string
	switch v := values[0].(type) {
	case string:
		imageURL = v
	case map[string]any:
		return // an Image node: its id is checked as the node is validated
	default:
		return
	}
	if IsDataURI(imageURL) {
		if !dataURI {
			r.res.Errorf(taskImage, w.id, prop, "Image in %s may not be a data URI.", r.nodeRef(w))
			return
		}
		r.checkDataURIImage(imageURL, w, prop)
		return
	}
	if !IsURL(imageURL) {
		return // VALIDATE_PROPERTY reports the bad value
	}
	if r.requested[imageURL] {
		return
	}
	r.requested[imageURL] = true
	resp, err := r.get(imageURL, acceptImages)
	if r.fetchLimitReported(err) {
		return
	}
	if err != nil {
		r.fetchFailed(imageURL, fetch.IsTransient(err), taskImage, w.id, prop, "Could not fetch image at %s: %v", imageURL, err)
		return
	}
	if resp.Status >= 400 {
		r.fetchFailed(imageURL, fetch.TransientStatus(resp.Status), taskImage, w.id, prop, "Could not fetch image at %s: HTTP %d %s", imageURL, resp.Status, http.StatusText(resp.Status))
		return
	}
	if carrier.Detect(resp.Body) == "" {
		r.res.Errorf(taskImage, w.id, prop, "Image at %s is not a PNG or SVG: %s (Content-Type %q)", imageURL, describe(resp.Body), resp.ContentType)
	}
}

func describe(b []byte) string {
	if d := magic.Describe(b); d != "" {
		return "it looks like " + d
	}
	return "its content is not recognised"
}

// checkDataURIImage checks that a data: URI declares and holds a PNG or SVG.
func (r *run) checkDataURIImage(u string, w where, prop string) {
	comma := strings.IndexByte(u, ',')
	meta := strings.ToLower(u[len("data:"):comma])
	if !strings.Contains(meta, "image/png") && !strings.Contains(meta, "image/svg+xml") {
		r.res.Errorf(taskImage, w.id, prop, "Data URI image does not declare any of the allowed PNG or SVG mime types in %s", w)
		return
	}
	data := u[comma+1:]
	var content []byte
	if strings.HasSuffix(meta, ";base64") {
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			r.res.Errorf(taskImage, w.id, prop, "Data URI image in %s is not valid base64: %v", w, err)
			return
		}
		content = b
	} else {
		s, err := url.PathUnescape(data)
		if err != nil {
			r.res.Errorf(taskImage, w.id, prop, "Data URI image in %s is not valid percent-encoding", w)
			return
		}
		content = []byte(s)
	}
	if carrier.Detect(content) == "" {
		r.res.Errorf(taskImage, w.id, prop, "Data URI image in %s declares PNG or SVG but is not: %s", w, describe(content))
	}
}

// verificationDependencies checks the assertion's verification object and,
// for hosted badges, that the assertion is hosted where its issuer says.
func (r *run) verificationDependencies(node map[string]any, w where) {
	vo, ok := node["verification"].(map[string]any)
	if !ok {
		if _, present := node["verification"]; !present {
			r.res.Errorf(taskVerificationDeps, w.id, "", "Task could not run due to unmet prerequisites: Assertion %s has no verification object.", w)
		}
		return
	}
	if hasType(stringsOf(vo["type"]), "SignedBadge") {
		r.signedOnlyAsJWS(w)
		return
	}
	if !hasType(stringsOf(vo["type"]), "HostedBadge") {
		return
	}
	issuer := r.issuerOf(node)
	if issuer == nil {
		// The badge class or issuer could not be loaded, and the report
		// already says why; the scope cannot be checked without it.
		return
	}
	r.hostedScope(w.id, issuer)
}

// issuerOf follows Assertion.badge → BadgeClass.issuer in the graph.
func (r *run) issuerOf(assertion map[string]any) map[string]any {
	badgeID, _ := assertion["badge"].(string)
	badge := r.byID[badgeID]
	if badge == nil {
		return nil
	}
	issuerID, _ := badge["issuer"].(string)
	return r.byID[issuerID]
}

// hostedScope is HOSTED_ID_IN_VERIFICATION_SCOPE (validator.md §11).
func (r *run) hostedScope(assertionID string, issuer map[string]any) {
	issuerID, _ := issuer["id"].(string)
	policy, _ := issuer["verification"].(map[string]any)
	if policy == nil {
		if ref, ok := issuer["verification"].(string); ok {
			policy = r.byID[ref]
		}
	}
	defaultOrigin := authority(issuerID)
	if policy == nil {
		policy = map[string]any{"allowedOrigins": defaultOrigin}
	}
	if starts := stringsOf(policy["startsWith"]); len(starts) > 0 {
		ok := false
		for _, s := range starts {
			ok = ok || strings.HasPrefix(assertionID, s)
		}
		if !ok {
			r.res.Errorf(taskHostedScope, assertionID, "", "Assertion id %s does not start with any permitted values in its issuer's verification policy.", assertionID)
			return
		}
	}
	origins := []string{defaultOrigin}
	if v, has := policy["allowedOrigins"]; has {
		origins = stringsOf(v)
	}
	if len(origins) == 0 || !strings.HasPrefix(issuerID, "http") {
		r.res.Warnf(taskReportMessage, "", "", "%s has no HTTP domain to enforce hosted verification policy against.", r.label("Issuer", issuerID))
		return
	}
	got := authority(assertionID)
	for _, o := range origins {
		if o == got {
			return
		}
	}
	r.res.Errorf(taskHostedScope, assertionID, "", "Assertion %s not hosted in allowed origins %s", abbreviate(assertionID), abbreviate(origins))
}

// authority is the authority part of a URL: userinfo, host and port, as
// written.
func authority(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if u.User != nil {
		return u.User.String() + "@" + u.Host
	}
	return u.Host
}

// verifyRecipient checks the assertion's recipient against a trusted
// profile (VERIFY_RECIPIENT_IDENTIFIER) and reports the confirmed
// identifier.
func (r *run) verifyRecipient(profile Recipient) {
	doc := map[string]any{}
	for k, v := range profile {
		doc[k] = v
	}
	if _, ok := doc["@context"]; !ok {
		doc["@context"] = openBadgesContextV2
	}
	compacted, err := r.ld.Compact(doc, openBadgesContextV2)
	if err != nil {
		r.res.Errorf(taskCompact, "", "", "Could not read the recipient profile: %v", err)
		return
	}
	id, _ := compacted["id"].(string)
	if id == "" {
		id = r.nextBlank()
		compacted["id"] = id
		r.placeBlank(id, blankPlace{name: "the expected recipient"})
	}
	r.addNode(compacted)
	w := where{id: id}
	r.validateProps(compacted, classExpectedProfile, w, false)

	assertion := r.assertion()
	assertionID, _ := assertion["id"].(string)
	identity, _ := assertion["recipient"].(map[string]any)
	if identity == nil {
		r.res.Errorf(taskVerifyRecipient, id, "", "Task could not run due to unmet prerequisites: the assertion has no recipient.")
		return
	}
	value, _ := identity["identity"].(string)
	typ, _ := identity["type"].(string)
	switch typ {
	case "id", "email", "url", "telephone":
	default:
		r.res.Add(report.Message{Name: taskReportMessage, Success: true, MessageLevel: report.Info,
			Result: fmt.Sprintf("Recipient identifier type %s in assertion %s is not one of the recommended types", typ, assertionID)})
	}
	candidates := stringsOf(compacted[typ])
	if len(candidates) == 0 {
		r.res.Errorf(taskVerifyRecipient, id, "", "Profile identifier property of type %s not found in %s", typ, r.label("submitted profile", id))
		return
	}
	if isHashed, _ := identity["hashed"].(bool); isHashed {
		salt, _ := identity["salt"].(string)
		for _, c := range candidates {
			if matchesHash(c, salt, value) {
				r.res.Report.RecipientProfile = map[string]string{typ: c}
				return
			}
		}
		r.res.Errorf(taskVerifyRecipient, id, "", "%s identifier(s) %s of type %s did not match assertion %s recipient hash %s.", r.label("Profile", id), abbreviate(candidates), typ, assertionID, value)
		return
	}
	for _, c := range candidates {
		if c == value {
			r.res.Report.RecipientProfile = map[string]string{typ: c}
			return
		}
	}
	r.res.Errorf(taskVerifyRecipient, id, "", "%s identifier %s of type %s did not match assertion %s recipient value %s", r.label("Profile", id), abbreviate(candidates), typ, assertionID, value)
}

// matchesHash compares alg$hexdigest(identifier + salt) with a recipient
// hash (hex digits in either case).
func matchesHash(identifier, salt, hash string) bool {
	h := strings.ToLower(hash)
	var sum []byte
	switch {
	case strings.HasPrefix(h, "sha256$"):
		s := sha256.Sum256([]byte(identifier + salt))
		sum = s[:]
	case strings.HasPrefix(h, "md5$"):
		s := md5.Sum([]byte(identifier + salt))
		sum = s[:]
	default:
		return false
	}
	return h[strings.IndexByte(h, '$')+1:] == hex.EncodeToString(sum)
}
