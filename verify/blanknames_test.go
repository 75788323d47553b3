package verify_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/verify"
)

// TestMessagesNameBlankNodes: no message text of the conformance suite
// shows a blank node's made-up id (_:b0); such a node is named by its
// place instead, while node_id keeps the id, as the reference's JSON does.
func TestMessagesNameBlankNodes(t *testing.T) {
	blank := regexp.MustCompile(`_:b\d`)
	named := map[string]bool{}
	for _, c := range conformance.Load(t, "../testdata/conformance", fixedNow) {
		srv := conformance.NewServer(c)
		client := fetch.New(fetch.Options{Transport: srv, UserAgent: "badgebake/test"})
		v := verify.New(verify.Config{Client: client, Now: func() time.Time { return fixedNow }})
		in := c.InputOf()
		data := in.File
		if data == nil {
			data = []byte(in.Text)
		}
		res, err := v.Verify(context.Background(), verify.Input{Data: data, Name: "input"}, &verify.Options{Recipient: c.Recipient})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
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
