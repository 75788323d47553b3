package ob3

import (
	"sort"

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
	s.Name, s.Description = text(doc["name"]), text(doc["description"])
	if achievement != nil {
		if n := text(achievement["name"]); n != "" {
			s.Name = n
		}
		if d := text(achievement["description"]); d != "" {
			s.Description = d
		}
		s.Image = ref(achievement["image"])
	}
	if s.Image == "" {
		s.Image = ref(doc["image"])
	}
	switch iss := doc["issuer"].(type) {
	case string:
		s.Issuer = &report.SummaryIssuer{ID: iss}
	case map[string]any:
		s.Issuer = &report.SummaryIssuer{Name: text(iss["name"]), ID: text(iss["id"]), URL: text(iss["url"])}
	}
	if subject != nil {
		if sid, ok := subject["id"].(string); ok && sid != "" {
			s.Recipient = &report.SummaryRecipient{Type: "id", Identity: sid}
		} else if ids := objectsOf(subject["identifier"]); len(ids) > 0 {
			typ := text(ids[0]["identityType"])
			if t := profileIdentityTypes[typ]; t != "" {
				typ = t
			}
			s.Recipient = &report.SummaryRecipient{Type: typ, Identity: text(ids[0]["identityHash"]), Salted: text(ids[0]["salt"]) != ""}
			s.Recipient.Hashed, _ = ids[0]["hashed"].(bool)
		}
	}
	for _, prop := range []string{"validFrom", "issuanceDate", "awardedDate"} {
		if s.IssuedOn = text(doc[prop]); s.IssuedOn != "" {
			break
		}
	}
	for _, prop := range []string{"validUntil", "expirationDate"} {
		if s.Expires = text(doc[prop]); s.Expires != "" {
			break
		}
	}
	if s == (report.Summary{}) {
		return nil
	}
	return &s
}

// ref is the IRI a property gives: a string, or an embedded object's id.
func ref(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

// text is a value shown as text: a string, or from a language map the
// value of the first language in sorted order, so the summary is the same
// from run to run.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok {
				return s
			}
		}
	}
	return ""
}
