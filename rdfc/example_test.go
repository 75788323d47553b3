package rdfc_test

import (
	"fmt"

	"github.com/badgebake/badgebake/rdfc"
)

func Example() {
	// A credential and its subject, a blank node, as a JSON-LD processor
	// might label them.
	quads := []rdfc.Quad{
		{
			Subject:   rdfc.Term{Kind: rdfc.IRI, Value: "urn:uuid:credential-1"},
			Predicate: rdfc.Term{Kind: rdfc.IRI, Value: "https://www.w3.org/2018/credentials#credentialSubject"},
			Object:    rdfc.Term{Kind: rdfc.BlankNode, Value: "b7"},
		},
		{
			Subject:   rdfc.Term{Kind: rdfc.BlankNode, Value: "b7"},
			Predicate: rdfc.Term{Kind: rdfc.IRI, Value: "https://schema.org/name"},
			Object:    rdfc.Term{Kind: rdfc.Literal, Value: "Ada\tLovelace"},
		},
	}
	out, err := rdfc.Canonicalize(quads, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// <urn:uuid:credential-1> <https://www.w3.org/2018/credentials#credentialSubject> _:c14n0 .
	// _:c14n0 <https://schema.org/name> "Ada\tLovelace" .
}
