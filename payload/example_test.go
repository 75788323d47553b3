package payload_test

import (
	"fmt"

	"github.com/badgebake/badgebake/payload"
)

func ExampleParse() {
	for _, text := range []string{
		"https://example.org/assertions/123",
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"]}`,
		"hello world",
	} {
		p, err := payload.Parse([]byte(text))
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(p.Kind, p.Generation.Describe())
	}
	// Output:
	// url Open Badges 2.0
	// json Open Badges 3.0
	// error: not an Open Badges payload: expected an http(s) URL, a JSON object or a compact JWS, got "hello world" (a compact JWS has 3 dot-separated segments, this has 1)
}
