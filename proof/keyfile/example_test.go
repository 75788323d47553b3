package keyfile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/badgebake/badgebake/proof/keyfile"
)

func Example() {
	dir, _ := os.MkdirTemp("", "keys")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "key.pem")

	k, err := keyfile.Generate(keyfile.Ed25519, 0)
	if err != nil {
		panic(err)
	}
	if err := k.Save(path); err != nil { // mode 0600, never replacing a file
		panic(err)
	}
	loaded, err := keyfile.Load(path)
	if err != nil {
		panic(err)
	}
	method, _ := loaded.DIDKeyMethod()
	did, _ := loaded.DIDKey()
	fmt.Println(loaded.Type, loaded.Alg(), strings.HasPrefix(method, did+"#z6Mk"))

	// A key file others can read is refused.
	os.Chmod(path, 0o644)
	_, err = keyfile.Load(path)
	fmt.Println(strings.Replace(err.Error(), path, "key.pem", -1))
	// Output:
	// ed25519 EdDSA true
	// key.pem is readable by others (mode 0644): chmod 600 key.pem
}

func ExampleDIDWebFromHost() {
	for _, h := range []string{"example.org", "example.org/issuers/1", "localhost:8443"} {
		did, _ := keyfile.DIDWebFromHost(h)
		fmt.Println(did)
	}
	// Output:
	// did:web:example.org
	// did:web:example.org:issuers:1
	// did:web:localhost%3A8443
}
