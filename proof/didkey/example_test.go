package didkey_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/proof/didkey"
)

func ExampleParse() {
	// The verificationMethod of a Data Integrity proof.
	k, err := didkey.Parse("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
	if err != nil {
		panic(err)
	}
	pub := k.Public.(ed25519.PublicKey)
	fmt.Println(k.Type, len(pub), k.DID)

	_, err = didkey.Parse("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#key-1")
	var e *didkey.Error
	fmt.Println(errors.As(err, &e), e.Reason)
	fmt.Println(err)
	// Output:
	// Ed25519 32 did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2
	// true bad fragment
	// "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#key-1" is not a usable did:key: the fragment #key-1 is not the key z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2; a did:key has just the one verification method
}

func ExampleDocument() {
	doc, err := didkey.Document("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")
	if err != nil {
		panic(err)
	}
	vm := doc.VerificationMethod[0]
	fmt.Println(vm.Type, vm.Controller == doc.ID, vm.PublicKeyMultibase)
	b, _ := json.Marshal(doc.AssertionMethod)
	fmt.Println(string(b))
	// Output:
	// Multikey true zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169
	// ["did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169#zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"]
}

func ExampleFromPublicKey() {
	pub := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	did, err := didkey.FromPublicKey(pub)
	if err != nil {
		panic(err)
	}
	k, _ := didkey.Parse(did)
	fmt.Println(did)
	fmt.Println(k.VerificationMethodID == did+"#"+k.Multibase)
	// Output:
	// did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
	// true
}
