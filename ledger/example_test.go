package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/badgebake/badgebake/ledger"
)

// Issuing two credentials, the second interrupted and resumed, then
// revoking the first.
func Example() {
	dir, _ := os.MkdirTemp("", "ledger-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	l, err := ledger.Open(ctx, filepath.Join(dir, "issued.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()

	firstIndex := map[string]int{} // status indexes are drawn at random
	for _, row := range []string{"ada", "grace"} {
		e, _, err := l.Reserve(ctx, ledger.Reservation{
			RowKey:        row,
			CredentialID:  "urn:uuid:" + row + "-first-run",
			RecipientHash: "sha256$…",
			StatusListURL: "https://issuer.example/status/1",
			Format:        "vc-jwt",
			OutputFile:    row + ".png",
			WantIndex:     true,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		firstIndex[row] = e.StatusIndex
		if row == "grace" {
			break // interrupted before grace's file was written
		}
		// … sign, bake and write e.OutputFile, then:
		l.Complete(ctx, e.RowKey, time.Now())
	}

	// The next run: ada is skipped, grace re-done with her first id and index.
	for _, row := range []string{"ada", "grace"} {
		e, existing, _ := l.Reserve(ctx, ledger.Reservation{RowKey: row, CredentialID: "urn:uuid:" + row + "-second-run", StatusListURL: "https://issuer.example/status/1", WantIndex: true})
		fmt.Println(row, e.State, existing, e.CredentialID, "same index:", e.StatusIndex == firstIndex[row])
		if e.State == ledger.Reserved {
			l.Complete(ctx, e.RowKey, time.Now())
		}
	}

	if _, err := l.Revoke(ctx, []string{"ada"}, "issued by mistake", time.Now()); err != nil {
		fmt.Println(err)
	}
	_, err = l.Revoke(ctx, []string{"grace", "linus"}, "", time.Now())
	var notFound *ledger.NotFoundError
	if errors.As(err, &notFound) {
		fmt.Println("not revoked, unknown:", notFound.Keys)
	}
	revoked, _ := l.RevokedIndexes(ctx, "https://issuer.example/status/1")
	fmt.Println("revoked: ada's index only:", len(revoked) == 1 && revoked[0] == firstIndex["ada"])
	// Output:
	// ada issued true urn:uuid:ada-first-run same index: true
	// grace reserved true urn:uuid:grace-first-run same index: true
	// not revoked, unknown: [linus]
	// revoked: ada's index only: true
}
