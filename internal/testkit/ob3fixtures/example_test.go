package ob3fixtures_test

import (
	"fmt"

	"github.com/badgebake/badgebake/internal/testkit/ob3fixtures"
)

func Example() {
	for _, f := range ob3fixtures.All() {
		if f.Path == "1edtech/simple-err-expired.json" {
			fmt.Println(f.Source, f.Format, f.Want, f.WantMessage, f.NeedsNetwork)
		}
	}
	// Output: 1edtech json invalid CHECK_EXPIRATION false
}
