package jsonld

import (
	"fmt"

	"github.com/badgebake/badgebake/rdfc"
)

// Canonicalize returns the canonical N-Quads (RDFC-1.0) of doc, a decoded
// JSON-LD document: ToRDF, in safe mode, then rdfc.Canonicalize with opts
// (nil: rdfc's defaults, work limits included). This is what an
// eddsa-rdfc-2022 or Ed25519Signature2020 proof hashes, for the unsecured
// document and for the proof configuration (the proof options with the
// document's @context).
//
// Errors are ToRDF's (*UndefinedTermError, *DroppedValueError, ...) or
// rdfc's, wrapped.
func (p *Processor) Canonicalize(doc any, opts *rdfc.Options) ([]byte, error) {
	quads, err := p.ToRDF(doc)
	if err != nil {
		return nil, err
	}
	out, err := rdfc.Canonicalize(quads, opts)
	if err != nil {
		return nil, fmt.Errorf("jsonld: canonicalize: %w", err)
	}
	return out, nil
}
