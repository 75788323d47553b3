package issue

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/payload"
)

// Sample values the template is checked with before any row.
const (
	sampleID    = "urn:uuid:00000000-0000-4000-8000-000000000000"
	sampleEmail = "recipient@example.org"
)

// credentialTypes are the OB 3.0 credential types this package issues.
var credentialTypes = []string{"AchievementCredential", "OpenBadgeCredential"}

// checkTemplate checks the template as a credential, with its
// placeholders filled by sample values: OB 3.0 (an AchievementCredential)
// or, signed or hosted, an OB 2.0 assertion.
func (r *run) checkTemplate() error {
	t := r.tmpl
	if id, ok := t.root["id"]; ok {
		if tx, isText := id.(*text); !isText || len(tx.names) != 1 || tx.names[0] != "id" || tx.lit[0] != "" || tx.lit[1] != "" {
			return &TemplateError{Template: t.name, Path: "id", Reason: `must be "{{.id}}" or absent: every credential gets an id of its own`}
		}
	}
	values := map[string]string{"id": sampleID, "email": sampleEmail}
	for _, n := range t.Names() {
		if _, ok := values[n]; !ok {
			values[n] = "sample " + n
		}
	}
	doc, err := t.fill(values)
	if err != nil {
		return &TemplateError{Template: t.name, Reason: err.Error()}
	}
	raw, err := marshal(doc)
	if err != nil {
		return &TemplateError{Template: t.name, Reason: err.Error()}
	}
	p, err := payload.Parse(raw)
	if err != nil || p.Kind != payload.KindJSON {
		return &TemplateError{Template: t.name, Reason: "not an Open Badges 3.0 credential or 2.0 assertion"}
	}
	r.gen = p.Generation
	switch {
	case p.Generation == payload.OB3 && r.opts.Hosted != nil:
		return &TemplateError{Template: t.name, Reason: "hosted issuing is for Open Badges 2.0 assertions, and this is an Open Badges 3.0 credential"}
	case p.Generation == payload.OB3:
		types := jsonin.Strings(doc["type"])
		ok := false
		for _, want := range credentialTypes {
			ok = ok || slices.Contains(types, want)
		}
		if !ok {
			return &TemplateError{Template: t.name, Path: "type", Reason: fmt.Sprintf("%v is not an Open Badges 3.0 credential: its type must include AchievementCredential or OpenBadgeCredential", doc["type"])}
		}
		if _, ok := doc["credentialSubject"].(map[string]any); !ok {
			return &TemplateError{Template: t.name, Path: "credentialSubject", Reason: "must be an object"}
		}
	case p.Version != "2.0":
		return &TemplateError{Template: t.name, Reason: fmt.Sprintf("an Open Badges %s document: only 3.0 credentials and 2.0 assertions are issued", p.Version)}
	case r.opts.Hosted != nil:
		site, err := newHostedSite(t, doc, r.opts.Hosted, r.opts.Image, r.ext)
		if err != nil {
			return err
		}
		r.hosted = site
	}
	if err := r.complete(doc, sampleID, "sample", false); err != nil {
		return &TemplateError{Template: t.name, Reason: err.Error()}
	}
	if err := r.setRecipient(doc, sampleEmail); err != nil {
		return &TemplateError{Template: t.name, Reason: err.Error()}
	}
	raw, err = marshal(doc)
	if err == nil {
		p, err = payload.Parse(raw)
	}
	if err != nil {
		return &TemplateError{Template: t.name, Reason: err.Error()}
	}
	if _, err := p.CheckUnsigned(); err != nil {
		var se *payload.StructureError
		if errors.As(err, &se) {
			return &TemplateError{Template: t.name, Reason: fmt.Sprintf("not %s: %s", p.Generation.Describe(), strings.Join(se.Problems, "; "))}
		}
		return &TemplateError{Template: t.name, Reason: err.Error()}
	}
	return nil
}

// fill makes the row's credential: the template filled in, then
// completed (its id, dates and, hosted, its links).
func (r *run) fill(rw *row, id string) (map[string]any, error) {
	values := make(map[string]string, len(rw.values)+1)
	for k, v := range rw.values {
		values[k] = v
	}
	values["id"] = id // a column named id does not override it
	cred, err := r.tmpl.fill(values)
	if err != nil {
		return nil, err
	}
	if err := r.complete(cred, id, rw.file, true); err != nil {
		return nil, err
	}
	return cred, nil
}

// complete sets what every credential of a run has but the template may
// leave out: the id, the issue date (now, when absent) and, for OB 2.0,
// the verification. strict checks the dates (the template check has
// sample values where dates may be).
func (r *run) complete(cred map[string]any, id, file string, strict bool) error {
	now := r.now().UTC().Format(time.RFC3339)
	if r.gen == payload.OB3 {
		cred["id"] = id
		if _, ok := cred["validFrom"]; !ok && cred["issuanceDate"] == nil {
			cred["validFrom"] = now
		}
		if strict {
			return checkDates(cred, "validFrom", "validUntil", "issuanceDate", "expirationDate")
		}
		return nil
	}
	if r.hosted != nil {
		cred["id"] = r.hosted.assertionURL(file)
		cred["badge"] = r.hosted.badgeURL
		cred["verification"] = map[string]any{"type": "hosted"}
	} else {
		cred["id"] = id
		if _, ok := cred["verification"]; !ok {
			cred["verification"] = map[string]any{"type": "signed"}
		}
	}
	if _, ok := cred["issuedOn"]; !ok {
		cred["issuedOn"] = now
	}
	if strict {
		return checkDates(cred, "issuedOn", "expires")
	}
	return nil
}

func checkDates(cred map[string]any, names ...string) error {
	for _, n := range names {
		v, ok := cred[n]
		if !ok {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return fmt.Errorf("%s is not a string but %v", n, v)
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return fmt.Errorf("%s %q is not an RFC 3339 date-time (like 2026-01-31T09:00:00Z)", n, s)
		}
	}
	return nil
}

// setRecipient names the recipient. OB 3.0: every IdentityObject of
// credentialSubject.identifier that holds the email (the template wrote
// {{.email}} there), or one added when none does. OB 2.0: the assertion's
// recipient. Hashed with a fresh salt when the run hashes recipients.
func (r *run) setRecipient(cred map[string]any, email string) error {
	identity := func() (value string, hashed bool, salt string) {
		if !r.opts.HashRecipients {
			return email, false, ""
		}
		salt = newSalt()
		sum := sha256.Sum256([]byte(email + salt))
		return "sha256$" + hex.EncodeToString(sum[:]), true, salt
	}
	if r.gen != payload.OB3 {
		value, hashed, salt := identity()
		rec := map[string]any{"type": "email", "hashed": hashed, "identity": value}
		if hashed {
			rec["salt"] = salt
		}
		cred["recipient"] = rec
		return nil
	}
	subject, ok := cred["credentialSubject"].(map[string]any)
	if !ok {
		return errors.New("credentialSubject is not an object")
	}
	var ids []any
	switch v := subject["identifier"].(type) {
	case nil:
	case []any:
		ids = v
	case map[string]any:
		ids = []any{v}
	default:
		return errors.New("credentialSubject.identifier is neither an IdentityObject nor a list of them")
	}
	found := false
	for _, x := range ids {
		obj, ok := x.(map[string]any)
		if !ok || obj["identityHash"] != email {
			continue
		}
		found = true
		value, hashed, salt := identity()
		obj["identityHash"], obj["hashed"] = value, hashed
		if hashed {
			obj["salt"] = salt
		} else {
			delete(obj, "salt")
		}
		if obj["type"] == nil {
			obj["type"] = "IdentityObject"
		}
		if obj["identityType"] == nil {
			obj["identityType"] = "emailAddress"
		}
	}
	if !found {
		value, hashed, salt := identity()
		obj := map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": hashed, "identityHash": value}
		if hashed {
			obj["salt"] = salt
		}
		ids = append(ids, obj)
	}
	subject["identifier"] = ids
	return nil
}

// addStatus gives the credential its entry on the revocation status list.
func addStatus(cred map[string]any, listURL string, index int) {
	i := strconv.Itoa(index)
	cred["credentialStatus"] = map[string]any{
		"id":                   listURL + "#" + i,
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      i,
		"statusListCredential": listURL,
	}
}

// marshal writes JSON without escaping <, > and & (URLs keep their
// query strings readable).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(b.Bytes()), nil
}
