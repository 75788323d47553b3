package didkey

// Contexts of a did:key document whose key is a Multikey.
const (
	ContextDID      = "https://www.w3.org/ns/did/v1"
	ContextMultikey = "https://w3id.org/security/multikey/v1"
)

// DIDDocument is the DID document a did:key stands for: one verification
// method, of type Multikey, that every verification relationship lists.
// Encoded with encoding/json it gives the document as the did:key
// method writes it, fields in a fixed order.
//
// There is no keyAgreement: an X25519 key derived from an Ed25519 one is
// an option of the did:key method, off by default, and nothing here
// encrypts.
type DIDDocument struct {
	Context              []string             `json:"@context"`
	ID                   string               `json:"id"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod"`
	Authentication       []string             `json:"authentication"`
	AssertionMethod      []string             `json:"assertionMethod"`
	CapabilityDelegation []string             `json:"capabilityDelegation"`
	CapabilityInvocation []string             `json:"capabilityInvocation"`
}

// VerificationMethod is a Multikey verification method.
type VerificationMethod struct {
	ID                 string `json:"id"`   // "did:key:z…#z…"
	Type               string `json:"type"` // "Multikey"
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// Document resolves did (as Parse reads it, with or without the
// fragment) to its DID document. Errors are *Error.
func Document(did string) (*DIDDocument, error) {
	k, err := Parse(did)
	if err != nil {
		return nil, err
	}
	return k.Document(), nil
}

// Document is the DID document of k's did:key.
func (k *Key) Document() *DIDDocument {
	vm := k.VerificationMethodID
	return &DIDDocument{
		Context: []string{ContextDID, ContextMultikey},
		ID:      k.DID,
		VerificationMethod: []VerificationMethod{{
			ID:                 vm,
			Type:               "Multikey",
			Controller:         k.DID,
			PublicKeyMultibase: k.Multibase,
		}},
		Authentication:       []string{vm},
		AssertionMethod:      []string{vm},
		CapabilityDelegation: []string{vm},
		CapabilityInvocation: []string{vm},
	}
}
