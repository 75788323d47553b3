package keys

import (
	"fmt"
	"strings"
)

var sprintf = fmt.Sprintf

// docKind is what a fetched document turned out to be.
type docKind int

const (
	docController docKind = iota // a DID or controller document listing verification methods
	docKey                       // the verification method itself
	docJWK                       // a JWK
	docJWKS                      // a JWK Set
)

// found is a key read from a document, with what the document says of it.
type found struct {
	km              keyMaterial
	methodID        string // the verification method's id as the document writes it, absolute
	controller      string
	assertionMethod bool
	kind            docKind
}

// keyFromDocument finds the key id names in doc, fetched from docURL
// (without fragment). base and frag are id split at '#'. didDoc says the
// document is a DID document, whose id must be base. Errors are *KeyError.
func keyFromDocument(id, base, frag, docURL string, doc map[string]any, didDoc bool) (*found, error) {
	fail := func(format string, args ...any) (*found, error) {
		return nil, &KeyError{ID: id, Reason: sprintf(format, args...)}
	}
	what := "the document at " + display(docURL)
	if didDoc {
		what = "the DID document at " + display(docURL)
	}
	docID, _ := doc["id"].(string)
	if didDoc && docID != base {
		return fail("%s is for %s, not %s", what, display(docID), display(base))
	}

	if set, ok := doc["keys"]; ok && !didDoc {
		return fromJWKS(id, frag, docURL, set)
	}
	if _, ok := doc["kty"]; ok && !didDoc {
		km, f := jwkKey(doc)
		if f != nil {
			return nil, &KeyError{ID: id, Reason: "the JWK at " + display(docURL) + " " + f.reason, Err: f.err}
		}
		return &found{km: km, methodID: id, controller: docURL, kind: docJWK}, nil
	}
	_, hasVM := doc["verificationMethod"]
	_, hasAM := doc["assertionMethod"]
	if !hasVM && !hasAM && hasKeyMaterial(doc) {
		// The document is the verification method itself.
		if docID != "" && docID != id && docID != base {
			return fail("%s is the key %s, not this one", what, display(docID))
		}
		km, f := methodKey(doc)
		if f != nil {
			return nil, &KeyError{ID: id, Reason: what + ": " + f.reason, Err: f.err}
		}
		controller, _ := doc["controller"].(string)
		if controller == "" {
			return fail("%s is a verification method without a controller", what)
		}
		return &found{km: km, methodID: id, controller: controller, kind: docKey}, nil
	}

	// A controller (or DID) document: find the method by id. An https
	// document may only speak for its own origin: its id is what
	// CheckIssuer compares with the issuer's.
	if !didDoc && docID != "" && origin(docID) != origin(base) {
		return fail("%s says it is %s, on another origin", what, display(docID))
	}
	subject := docID
	if subject == "" {
		subject = base
	}
	var candidates []map[string]any
	collect := func(list any) {
		arr, _ := list.([]any)
		for _, v := range arr {
			if m, ok := v.(map[string]any); ok {
				candidates = append(candidates, m)
			}
		}
	}
	collect(doc["verificationMethod"])
	collect(doc["assertionMethod"])
	var vm map[string]any
	var vmID string
	for _, m := range candidates {
		mid, _ := m["id"].(string)
		abs := absolute(mid, subject)
		if frag != "" && (abs == id || mid == id || mid == "#"+frag || abs == base+"#"+frag) {
			vm, vmID = m, abs
			break
		}
	}
	if vm == nil && frag == "" && len(candidates) == 1 {
		vm = candidates[0]
		mid, _ := vm["id"].(string)
		vmID = absolute(mid, subject)
	}
	if vm == nil {
		if frag == "" {
			return fail("%s has %d verification methods and the id names none of them (it has no fragment)", what, len(candidates))
		}
		return fail("%s has no verification method with that id", what)
	}
	km, f := methodKey(vm)
	if f != nil {
		return nil, &KeyError{ID: id, Reason: what + ": " + f.reason, Err: f.err}
	}
	controller, _ := vm["controller"].(string)
	if controller == "" {
		controller = subject
	} else if controller != subject {
		return fail("%s lists the key with controller %s, but the document is %s's (controller mismatch)", what, display(controller), display(subject))
	}
	return &found{km: km, methodID: vmID, controller: controller, assertionMethod: listsAssertion(doc, vmID, subject), kind: docController}, nil
}

// fromJWKS picks the key of a JWK Set: by kid (the fragment or the whole
// id), or the only key.
func fromJWKS(id, frag, docURL string, set any) (*found, error) {
	where := "the JWK Set at " + display(docURL)
	arr, ok := set.([]any)
	if !ok {
		return nil, &KeyError{ID: id, Reason: where + ": \"keys\" is not an array"}
	}
	var pick map[string]any
	for _, v := range arr {
		m, _ := v.(map[string]any)
		kid, _ := m["kid"].(string)
		if m != nil && kid != "" && (kid == frag || kid == id) {
			pick = m
			break
		}
	}
	if pick == nil {
		switch {
		case frag != "":
			return nil, &KeyError{ID: id, Reason: where + " has no key with kid " + display(frag)}
		case len(arr) != 1:
			return nil, &KeyError{ID: id, Reason: sprintf("%s has %d keys and the URL names none of them (it has no fragment)", where, len(arr))}
		}
		pick, _ = arr[0].(map[string]any)
		if pick == nil {
			return nil, &KeyError{ID: id, Reason: where + ": its key is not a JSON object"}
		}
	}
	km, f := jwkKey(pick)
	if f != nil {
		return nil, &KeyError{ID: id, Reason: where + ": the key " + f.reason, Err: f.err}
	}
	return &found{km: km, methodID: id, controller: docURL, kind: docJWKS}, nil
}

func hasKeyMaterial(m map[string]any) bool {
	for _, k := range []string{"publicKeyMultibase", "publicKeyJwk", "publicKeyBase58"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// absolute resolves a method id relative to its document ("#key-1").
func absolute(id, subject string) string {
	if strings.HasPrefix(id, "#") {
		return subject + id
	}
	return id
}

// listsAssertion reports whether doc's assertionMethod names methodID, by
// reference or embedded.
func listsAssertion(doc map[string]any, methodID, subject string) bool {
	arr, _ := doc["assertionMethod"].([]any)
	for _, v := range arr {
		var ref string
		switch x := v.(type) {
		case string:
			ref = x
		case map[string]any:
			ref, _ = x["id"].(string)
		}
		if ref != "" && absolute(ref, subject) == methodID {
			return true
		}
	}
	return false
}

// listsMethod reports whether doc lists methodID as a verification
// method or assertion method, by reference or embedded.
func listsMethod(doc map[string]any, methodID, subject string) bool {
	if listsAssertion(doc, methodID, subject) {
		return true
	}
	arr, _ := doc["verificationMethod"].([]any)
	for _, v := range arr {
		if m, ok := v.(map[string]any); ok {
			if ref, _ := m["id"].(string); ref != "" && absolute(ref, subject) == methodID {
				return true
			}
		}
	}
	return false
}
