package ob2

import (
	"github.com/badgebake/badgebake/internal/jsonin"
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
		s.IssuedOn, s.Expires = jsonin.Text(a["issuedOn"]), jsonin.Text(a["expires"])
		if rc, ok := a["recipient"].(map[string]any); ok {
			s.Recipient = &report.SummaryRecipient{Type: jsonin.Text(rc["type"]), Identity: jsonin.Text(rc["identity"]), Salted: jsonin.Text(rc["salt"]) != ""}
			s.Recipient.Hashed, _ = rc["hashed"].(bool)
		}
		badge = r.node(a["badge"])
	}
	var issuer map[string]any
	switch {
	case badge != nil && hasType(stringsOf(badge["type"]), classBadgeClass):
		s.Name, s.Description = jsonin.Text(badge["name"]), jsonin.Text(badge["description"])
		s.Image = jsonin.Ref(badge["image"])
		issuer = r.node(badge["issuer"])
	case subject != nil && hasType(stringsOf(subject["type"]), "Issuer", classProfile):
		issuer = subject
	}
	if issuer != nil {
		s.Issuer = &report.SummaryIssuer{Name: jsonin.Text(issuer["name"]), ID: jsonin.Text(issuer["id"]), URL: jsonin.Text(issuer["url"])}
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
