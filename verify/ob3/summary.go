package ob3

import (
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/report"
)

// summarize reads what a person wants to see of the credential: the
// achievement's name (or the credential's), the issuer, the recipient as
// the credential states it, the dates and the image. It returns nil when
// there is nothing to show.
func summarize(doc map[string]any) *report.Summary {
	var s report.Summary
	subjects := objectsOf(doc["credentialSubject"])
	var subject, achievement map[string]any
	if len(subjects) > 0 {
		subject = subjects[0]
		achievement, _ = subject["achievement"].(map[string]any)
	}
	s.Name, s.Description = jsonin.Text(doc["name"]), jsonin.Text(doc["description"])
	if achievement != nil {
		if n := jsonin.Text(achievement["name"]); n != "" {
			s.Name = n
		}
		if d := jsonin.Text(achievement["description"]); d != "" {
			s.Description = d
		}
		s.Image = jsonin.Ref(achievement["image"])
	}
	if s.Image == "" {
		s.Image = jsonin.Ref(doc["image"])
	}
	switch iss := doc["issuer"].(type) {
	case string:
		s.Issuer = &report.SummaryIssuer{ID: iss}
	case map[string]any:
		s.Issuer = &report.SummaryIssuer{Name: jsonin.Text(iss["name"]), ID: jsonin.Text(iss["id"]), URL: jsonin.Text(iss["url"])}
	}
	if subject != nil {
		if sid, ok := subject["id"].(string); ok && sid != "" {
			s.Recipient = &report.SummaryRecipient{Type: "id", Identity: sid}
		} else if ids := objectsOf(subject["identifier"]); len(ids) > 0 {
			typ := jsonin.Text(ids[0]["identityType"])
			if t := profileIdentityTypes[typ]; t != "" {
				typ = t
			}
			s.Recipient = &report.SummaryRecipient{Type: typ, Identity: jsonin.Text(ids[0]["identityHash"]), Salted: jsonin.Text(ids[0]["salt"]) != ""}
			s.Recipient.Hashed, _ = ids[0]["hashed"].(bool)
		}
	}
	for _, prop := range []string{"validFrom", "issuanceDate", "awardedDate"} {
		if s.IssuedOn = jsonin.Text(doc[prop]); s.IssuedOn != "" {
			break
		}
	}
	for _, prop := range []string{"validUntil", "expirationDate"} {
		if s.Expires = jsonin.Text(doc[prop]); s.Expires != "" {
			break
		}
	}
	if s == (report.Summary{}) {
		return nil
	}
	return &s
}
