package didkey

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDocument(t *testing.T) {
	const (
		did = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
		vm  = did + "#z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
	)
	// The document the did:key method gives for this key, compacted.
	want := strings.NewReplacer("\n", "", "\t", "", "VM", vm, "DID", did).Replace(`{
		"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"],
		"id":"DID",
		"verificationMethod":[{
			"id":"VM",
			"type":"Multikey",
			"controller":"DID",
			"publicKeyMultibase":"z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"}],
		"authentication":["VM"],
		"assertionMethod":["VM"],
		"capabilityDelegation":["VM"],
		"capabilityInvocation":["VM"]}`)
	for _, in := range []string{did, vm} {
		doc, err := Document(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("Document(%s) =\n%s\nwant\n%s", in, got, want)
		}
	}
	doc, err := Document(did + "#key-1")
	var e *Error
	if doc != nil || !errors.As(err, &e) || e.Reason != BadFragment {
		t.Errorf("Document(%s#key-1) = %v, %v; want a BadFragment *Error", did, doc, err)
	}
}
