package bake_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/unbake"
)

func Example() {
	p, err := payload.Parse([]byte("https://example.org/assertions/123"))
	if err != nil {
		log.Fatal(err)
	}
	var baked bytes.Buffer
	res, err := bake.Bake(context.Background(), &baked, bytes.NewReader(examples.PNG()), p, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Carrier)

	got, err := unbake.Unbake(bytes.NewReader(baked.Bytes()), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Kind, got.Payload)
	// Output:
	// iTXt chunk "openbadges" after IHDR
	// url https://example.org/assertions/123
}
