package cli

import (
	"testing"

	"github.com/badgebake/badgebake/report"
)

// The HTML report names a message's node, but never a blank node's made-up
// id: the message names that node by its place.
func TestReportRowHidesBlankNodes(t *testing.T) {
	res := report.New("x", report.InputURL)
	res.Errorf("VALIDATE_PROPERTY", "_:b1", "email", "the issuer of the badge of the assertion has no email")
	res.Errorf("VALIDATE_PROPERTY", "https://example.org/badge", "name", "no name")
	row := reportRow(&verifyFileRecord{File: "a.png", Status: statusInvalid, Result: res.Finish()})
	if len(row.Messages) != 2 || row.Messages[0].Text != "the issuer of the badge of the assertion has no email" ||
		row.Messages[1].Text != "no name (https://example.org/badge)" {
		t.Errorf("messages %+v", row.Messages)
	}
}
