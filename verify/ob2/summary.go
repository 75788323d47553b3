package ob2

import (
	"slices"

	"github.com/badgebake/badgebake/report"
)

// summary reads what a person wants to see of the badge out of the graph:
// the validation subject (an Assertion, or a BadgeClass, Profile or
// Endorsement verified by itself), its BadgeClass and that class's issuer.
// It returns nil when the graph holds nothing to show.
func (r *run) summary() *report.Summary {
	var s report.Summary
	subject := r.byID[r.res.Report.ValidationSubject]
	badge := subject
	if a := r.assertion(); a != nil {
		s.IssuedOn, s.Expires = text(a["issuedOn"]), text(a["expires"])
		if rc, ok := a["recipient"].(map[string]any); ok {
			s.Recipient = &report.SummaryRecipient{Type: text(rc["type"]), Identity: text(rc["identity"]), Salted: text(rc["salt"]) != ""}
			s.Recipient.Hashed, _ = rc["hashed"].(bool)
		}
		badge = r.node(a["badge"])
	}
	var issuer map[string]any
	switch {
	case badge != nil && hasType(stringsOf(badge["type"]), classBadgeClass):
		s.Name, s.Description = text(badge["name"]), text(badge["description"])
		s.Image = refOf(badge["image"])
		issuer = r.node(badge["issuer"])
	case subject != nil && hasType(stringsOf(subject["type"]), "Issuer", classProfile):
		issuer = subject
	}
	if issuer != nil {
		s.Issuer = &report.SummaryIssuer{Name: text(issuer["name"]), ID: text(issuer["id"]), URL: text(issuer["url"])}
		if s.Issuer.ID == "" || s.Issuer.ID[0] == '_' {
			s.Issuer.ID = "" // a blank node id names nothing
		}
	}
	if s == (report.Summary{}) {
		return nil
	}
	return &s
}

// node is the graph node a property links to: by id, or embedded.
func (r *run) node(v any) map[string]any {
	switch v := v.(type) {
	case string:
		return r.byID[v]
	case map[string]any:
		if id, ok := v["id"].(string); ok && r.byID[id] != nil {
			return r.byID[id]
		}
		return v
	}
	return nil
}

// refOf is the IRI a property gives: a string, or an embedded node's id.
func refOf(v any) string {
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
// value of the first language in sorted order (a map has no order of its
// own, and the summary must not change from run to run).
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok {
				return s
			}
		}
	}
	return ""
}
