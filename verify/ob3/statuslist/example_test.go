package statuslist_test

import (
	"fmt"

	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

func Example() {
	// An issuer revokes the credential at index 94567 and publishes the list.
	list := statuslist.New(statuslist.MinBits)
	if err := list.Set(94567, 1, 1); err != nil {
		panic(err)
	}
	encoded, err := list.Encode()
	if err != nil {
		panic(err)
	}

	// A verifier reads the credential's status entry and the list's
	// encodedList (after checking the list credential's proof).
	entry, err := statuslist.ParseEntry(map[string]any{
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      "94567",
		"statusListCredential": "https://example.com/credentials/status/3",
	})
	if err != nil {
		panic(err)
	}
	published, err := statuslist.Decode(encoded, 0)
	if err != nil {
		panic(err)
	}
	v, err := published.Status(entry.Index, entry.Size)
	if err != nil {
		panic(err)
	}
	fmt.Println(entry.Purpose, v == 1)
	// Output: revocation true
}
