package ob3issuer

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"time"

	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

// Mods for Issuer.Credential: each changes the credential in one way.

// WithValidity sets validFrom and, when until is not zero, validUntil.
func WithValidity(from, until time.Time) func(map[string]any) {
	return func(c map[string]any) {
		c["validFrom"] = from.UTC().Format(time.RFC3339)
		if !until.IsZero() {
			c["validUntil"] = until.UTC().Format(time.RFC3339)
		}
	}
}

// WithStatus adds a BitstringStatusListEntry at index in the issuer's
// status list of purpose (statuslist.PurposeRevocation or
// PurposeSuspension).
func (iss *Issuer) WithStatus(purpose string, index int) func(map[string]any) {
	list := iss.URL(RevocationListPath)
	if purpose == statuslist.PurposeSuspension {
		list = iss.URL(SuspensionListPath)
	}
	return func(c map[string]any) {
		c["credentialStatus"] = map[string]any{
			"id":                   list + "#" + strconv.Itoa(index),
			"type":                 statuslist.TypeEntry,
			"statusPurpose":        purpose,
			"statusListIndex":      strconv.Itoa(index),
			"statusListCredential": list,
		}
	}
}

// WithRevocationList adds a 1EdTechRevocationList status entry naming the
// issuer's revocation list (and the extensions context that defines it).
func (iss *Issuer) WithRevocationList() func(map[string]any) {
	return func(c map[string]any) {
		addContext(c, ContextOBExtensions)
		c["credentialStatus"] = map[string]any{"id": iss.URL(RevocationList1EdTech), "type": "1EdTechRevocationList"}
	}
}

// WithRefresh adds a 1EdTechCredentialRefresh service the issuer answers
// for this credential (see Issuer.SetRefreshed).
func (iss *Issuer) WithRefresh() func(map[string]any) {
	return func(c map[string]any) {
		addContext(c, ContextOBExtensions)
		c["refreshService"] = map[string]any{
			"id":   iss.URL(RefreshPath) + "?id=" + url.QueryEscape(ID(c)),
			"type": "1EdTechCredentialRefresh",
		}
	}
}

// WithHashedEmail replaces the subject's id with an identifier: the
// email's salted SHA-256 hash.
func WithHashedEmail(email, salt string) func(map[string]any) {
	return func(c map[string]any) {
		s := c["credentialSubject"].(map[string]any)
		delete(s, "id")
		sum := sha256.Sum256([]byte(email + salt))
		s["identifier"] = []any{map[string]any{
			"type":         "IdentityObject",
			"identityType": "emailAddress",
			"hashed":       true,
			"identityHash": "sha256$" + hex.EncodeToString(sum[:]),
			"salt":         salt,
		}}
	}
}

// WithEndorsement embeds endorsement (a signed EndorsementCredential) in
// the achievement.
func WithEndorsement(endorsement map[string]any) func(map[string]any) {
	return func(c map[string]any) {
		a := c["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
		a["endorsement"] = []any{endorsement}
	}
}

// Endorsement returns an unsigned EndorsementCredential by the issuer of
// the achievement subject.
func (iss *Issuer) Endorsement(mods ...func(map[string]any)) map[string]any {
	return iss.Credential(append([]func(map[string]any){func(c map[string]any) {
		c["type"] = []any{"VerifiableCredential", "EndorsementCredential"}
		c["name"] = "Endorsement of Teamwork"
		c["credentialSubject"] = map[string]any{
			"id":                 BaseURL + "/achievements/teamwork",
			"type":               []any{"EndorsementSubject"},
			"endorsementComment": "A fine achievement.",
		}
	}}, mods...)...)
}

func addContext(c map[string]any, ctx string) {
	list, _ := c["@context"].([]any)
	for _, x := range list {
		if x == ctx {
			return
		}
	}
	c["@context"] = append(append([]any{}, list...), ctx)
}
