package keys_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/verify/ob3/keys"
)

func ExampleResolver_Resolve() {
	// Offline: a did:key, and a key written in a URL fragment, resolve
	// without the network; a did:web needs it.
	r := keys.NewResolver(nil)
	ctx := context.Background()

	k, err := r.Resolve(ctx, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
	if err != nil {
		panic(err)
	}
	fmt.Println(k.Source, k.Authenticated, k.AssertionMethod)
	fmt.Println(r.CheckIssuer(ctx, k, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"))

	k, err = r.Resolve(ctx, "https://issuer.example/profile#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
	if err != nil {
		panic(err)
	}
	fmt.Println(k.Source, k.Authenticated, k.Controller)
	fmt.Println(r.CheckIssuer(ctx, k, "https://issuer.example/profile"))

	_, err = r.Resolve(ctx, "did:web:issuer.example#key-1")
	var unavailable *keys.UnavailableError
	fmt.Println(errors.As(err, &unavailable), errors.Is(err, keys.ErrOffline))
	// Output:
	// did:key true true
	// <nil>
	// fragment false https://issuer.example/profile
	// <nil>
	// true true
}

func ExampleDIDWebURL() {
	u, _ := keys.DIDWebURL("did:web:example.com%3A8443:users:alice")
	fmt.Println(u)
	_, err := keys.DIDWebURL("did:web:example.com:..")
	fmt.Println(err)
	// Output:
	// https://example.com:8443/users/alice/did.json
	// did:web:example.com:..: path part 1 is not a plain path segment
}
