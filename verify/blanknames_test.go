package verify_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/conformance"
)

// TestMessagesNameBlankNodes: no message text of the conformance suite
// shows a blank node's made-up id (_:b0); such a node is named by its
// place instead, while node_id keeps the id, as the reference's JSON does.
func TestMessagesNameBlankNodes(t *testing.T) {
	blank := regexp.MustCompile(`_:b\d`)
	named := map[string]bool{}
	for _, c := range conformance.Load(t, "../testdata/conformance", fixedNow) {
		res, _ := verifyCase(t, c)
		for _, m := range res.Report.Messages {
			if blank.MatchString(m.Result) {
				t.Errorf("%s: %s shows a blank node id: %s", c.Name, m.Name, m.Result)
			}
			if c.Name == "11-ob05-hosted" && strings.Contains(m.Result, "Issuer Profile (the issuer of the badge of the assertion) not hosted") {
				named["issuer"] = m.NodeID == "_:b1"
			}
			if c.Name == "35-recipient-profile-mismatch" && strings.HasPrefix(m.Result, "Profile (the expected recipient) identifier(s) somebody@example.org") {
				named["profile"] = m.NodeID == "_:b0"
			}
		}
	}
	if !named["issuer"] || !named["profile"] {
		t.Errorf("blank nodes named by place, with their node_id kept: %v", named)
	}
}
