package unbake_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/badgebake/badgebake/unbake"
)

func ExampleUnbake() {
	doc := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org">
  <ob:assertion verify="https://example.org/assertions/123"/>
</svg>`
	res, err := unbake.Unbake(strings.NewReader(doc), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Format, res.Generation, res.Kind, res.Payload)
	fmt.Println(res.Carrier)
	// Output:
	// svg ob2 url https://example.org/assertions/123
	// <ob:assertion> (http://openbadges.org) verify attribute at line 2
}
