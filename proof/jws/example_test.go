package jws_test

import (
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/proof/jws"
)

func ExampleParse() {
	// {"alg":"RS256","kid":"key-1"} . {"id":"urn:uuid:1"} . "sig"
	j, err := jws.Parse("eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJpZCI6InVybjp1dWlkOjEifQ.c2ln")
	if err != nil {
		panic(err)
	}
	fmt.Println(j.Header.Alg, j.Header.Kid, string(j.Payload))

	_, err = jws.Parse("eyJhbGciOiJSUzI1NiJ9.e30")
	var fe *jws.FormatError
	fmt.Println(errors.As(err, &fe), err)
	// Output:
	// RS256 key-1 {"id":"urn:uuid:1"}
	// true a compact JWS has 3 dot-separated segments, this has 2
}
