package issue_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/badgebake/badgebake/internal/testkit/pngtest"
	"github.com/badgebake/badgebake/issue"
)

// A dry run of hosted Open Badges 2.0 issuing: every row is filled in,
// baked and verified against the site as it would be published, and
// nothing is written. (A real run also needs Options.OutDir and a
// Ledger; an Open Badges 3.0 template needs a Signer.)
func Example() {
	template := `{
  "@context": "https://w3id.org/openbadges/v2",
  "type": "Assertion",
  "narrative": "Awarded to {{.name}}.",
  "badge": {
    "type": "BadgeClass",
    "id": "https://badges.example.org/badges/teamwork.json",
    "name": "Teamwork",
    "description": "Works well with others.",
    "criteria": {"narrative": "Nominated by three peers."},
    "issuer": {
      "type": "Profile",
      "id": "https://badges.example.org/issuer.json",
      "name": "Example Issuer",
      "url": "https://badges.example.org",
      "email": "badges@example.org"
    }
  }
}`
	recipients := "student,name,email\n" +
		"s-001,Ada Lovelace,ada@example.org\n" +
		"s-002,Alan Turing,\n" +
		"s-003,Grace Hopper,grace@example.org\n"
	sum, err := issue.Run(context.Background(), issue.Options{
		Template:       []byte(template),
		TemplateName:   "teamwork.json",
		Recipients:     strings.NewReader(recipients),
		RecipientsName: "class.csv",
		Image:          pngtest.Minimal(),
		Hosted:         &issue.HostedOptions{BaseURL: "https://badges.example.org"},
		HashRecipients: true,
		DryRun:         true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d rows: %d would be issued, %d failed\n", sum.Rows, sum.Issued, sum.Failed)
	for _, f := range sum.Failures {
		fmt.Println(f)
	}
	// Output:
	// 3 rows: 2 would be issued, 1 failed
	// class.csv:3: no recipient: the "email" column is empty
}
