package keys

import (
	"context"
	"crypto"
	"net/url"
	"strings"
	"sync"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/proof/didkey"
)

// Accept is the Accept header of the documents a Resolver fetches.
const Accept = "application/did+json, application/ld+json, application/json, application/jwk+json, application/jwk-set+json"

// MaxCached bounds how many resolved keys, and separately how many parsed
// documents, a Resolver keeps.
const MaxCached = 1024

// Resolver resolves key ids to keys. It keeps the keys and documents it
// resolved (at most MaxCached of each), so that a batch of credentials
// from one issuer reads the issuer's document once. It is safe for
// concurrent use.
type Resolver struct {
	client *fetch.Client
	// didWebURL maps a did:web to its document's address; DIDWebURL,
	// replaced in tests.
	didWebURL func(string) (string, error)

	mu   sync.Mutex
	keys bounded[keyResult]
	docs bounded[map[string]any]
}

type keyResult struct {
	key *Key
	err error // a *KeyError
}

// NewResolver returns a Resolver that fetches through client. With a nil
// client it works offline: did:key and keys written in a URL fragment
// resolve, everything else is an *UnavailableError wrapping ErrOffline.
func NewResolver(client *fetch.Client) *Resolver {
	return &Resolver{client: client, didWebURL: DIDWebURL}
}

// Resolve finds the key id names: a Data Integrity verificationMethod or
// a VC-JWT kid. It reads
//
//   - did:key, with or without the "#z…" fragment;
//   - did:web (fetched), the method found by full id or "#fragment" among
//     verificationMethod and the methods embedded in assertionMethod;
//   - an https URL serving the verification method itself (with its
//     controller, whose document must list it), a controller document
//     listing it, a JWK, or a JWK Set (the key whose kid is the fragment,
//     or the only one);
//   - an https URL whose fragment is a multibase key ("…#z6Mk…"): the
//     document is fetched and, when it lists the method with that key,
//     the key is Authenticated; when it cannot be fetched or does not list
//     it, the key from the fragment is returned, SourceFragment and not
//     Authenticated.
//
// Keys are Ed25519 (Multikey, Ed25519VerificationKey2020 and 2018), ECDSA
// P-256 and P-384, and RSA of at least 2048 bits (as JWKs). Errors are
// *UnavailableError (could not tell) and *KeyError (the key is wrong).
// The Key returned is the caller's to keep.
func (r *Resolver) Resolve(ctx context.Context, id string) (*Key, error) {
	r.mu.Lock()
	res, ok := r.keys.get(id)
	r.mu.Unlock()
	if ok {
		return res.copy()
	}
	k, err, cache := r.resolve(ctx, id)
	if cache {
		r.mu.Lock()
		r.keys.put(id, keyResult{k, err})
		r.mu.Unlock()
	}
	return keyResult{k, err}.copy()
}

func (res keyResult) copy() (*Key, error) {
	if res.err != nil {
		return nil, res.err
	}
	k := *res.key
	return &k, nil
}

// resolve resolves id; cache says whether the result may be kept (it does
// not depend on a fetch that failed).
func (r *Resolver) resolve(ctx context.Context, id string) (*Key, error, bool) {
	switch {
	case id == "":
		return nil, &KeyError{Reason: "no key id"}, false
	case strings.HasPrefix(id, didkey.Prefix):
		k, err := fromDIDKey(id)
		return k, err, true
	case strings.HasPrefix(id, DIDWebPrefix):
		return r.resolveDIDWeb(ctx, id)
	case strings.HasPrefix(id, "did:"):
		method, _, _ := strings.Cut(strings.TrimPrefix(id, "did:"), ":")
		// Not a failure of the network: asking again will not help.
		return nil, &KeyError{ID: id, Reason: "the DID method did:" + method + " is not supported", Err: ErrUnsupportedDID}, true
	case strings.HasPrefix(id, "https://"):
		return r.resolveHTTPS(ctx, id)
	case strings.HasPrefix(id, "http://"):
		return nil, &KeyError{ID: id, Reason: "keys are only fetched over https, not http"}, true
	}
	return nil, &KeyError{ID: id, Reason: "is neither a DID nor an https URL"}, true
}

func fromDIDKey(id string) (*Key, error) {
	dk, err := didkey.Parse(id)
	if err != nil {
		return nil, &KeyError{ID: id, Reason: err.(*didkey.Error).Detail}
	}
	return &Key{ID: id, Controller: dk.DID, Public: dk.Public, Source: SourceDIDKey, Authenticated: true, AssertionMethod: true}, nil
}

func (r *Resolver) resolveDIDWeb(ctx context.Context, id string) (*Key, error, bool) {
	did, frag, _ := strings.Cut(id, "#")
	docURL, err := r.didWebURL(did)
	if err != nil {
		if ke, ok := err.(*KeyError); ok {
			ke.ID = id
		}
		return nil, err, true
	}
	doc, err := r.document(ctx, id, docURL)
	if err != nil {
		return nil, err, isKeyError(err)
	}
	f, err := keyFromDocument(id, did, frag, docURL, doc, true)
	if err != nil {
		return nil, err, true
	}
	return &Key{ID: id, Controller: f.controller, Public: f.km.public, Source: SourceDIDWeb, Authenticated: true,
		AssertionMethod: f.assertionMethod, URL: docURL, Alg: f.km.alg}, nil, true
}

func (r *Resolver) resolveHTTPS(ctx context.Context, id string) (*Key, error, bool) {
	base, frag, _ := strings.Cut(id, "#")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || u.User != nil {
		return nil, &KeyError{ID: id, Reason: "is not a usable https URL"}, true
	}
	fragKey := fragmentKey(id, base, frag)
	if fragKey != nil && r.client == nil {
		return fragKey, nil, true
	}
	doc, err := r.document(ctx, id, base)
	if err != nil {
		if fragKey != nil {
			return fragKey, nil, false
		}
		return nil, err, isKeyError(err)
	}
	f, err := keyFromDocument(id, base, frag, base, doc, false)
	if err != nil {
		if fragKey != nil {
			// The document (typically the issuer's profile) does not
			// list the method: the fragment is all there is.
			return fragKey, nil, true
		}
		return nil, err, true
	}
	if fragKey != nil && !equalKeys(fragKey.Public, f.km.public) {
		return nil, &KeyError{ID: id, Reason: "the document at " + display(base) + " lists this id with another key than the one its fragment spells"}, true
	}
	k := &Key{ID: id, Controller: f.controller, Public: f.km.public, Source: SourceHTTPS, Authenticated: true,
		AssertionMethod: f.assertionMethod, URL: base, Alg: f.km.alg}
	if f.kind == docKey && f.controller != base && f.controller != id {
		// A key document is only as good as its controller's word.
		ctrl, err := r.controllerDocument(ctx, id, f.controller)
		if err != nil {
			return nil, err, isKeyError(err)
		}
		if !listsMethod(ctrl, id, f.controller) {
			return nil, &KeyError{ID: id, Reason: "its controller " + display(f.controller) + " does not list it as a verification method (controller mismatch)"}, true
		}
		k.AssertionMethod = listsAssertion(ctrl, id, f.controller)
	}
	return k, nil, true
}

// fragmentKey is the key a URL fragment spells ("…#z6Mk…"), or nil.
func fragmentKey(id, base, frag string) *Key {
	if !strings.HasPrefix(frag, "z") {
		return nil
	}
	dk, err := didkey.Parse(didkey.Prefix + frag)
	if err != nil {
		return nil
	}
	return &Key{ID: id, Controller: base, Public: dk.Public, Source: SourceFragment}
}

// controllerDocument fetches the document of controller, a did:web, a
// did:key or an https URL, for the key id.
func (r *Resolver) controllerDocument(ctx context.Context, id, controller string) (map[string]any, error) {
	switch {
	case strings.HasPrefix(controller, didkey.Prefix):
		d, err := didkey.Document(controller)
		if err != nil {
			return nil, &KeyError{ID: id, Reason: "its controller " + err.Error()}
		}
		return map[string]any{"id": d.ID, "assertionMethod": []any{d.AssertionMethod[0]}, "verificationMethod": []any{map[string]any{"id": d.VerificationMethod[0].ID}}}, nil
	case strings.HasPrefix(controller, DIDWebPrefix):
		docURL, err := r.didWebURL(controller)
		if err != nil {
			return nil, &KeyError{ID: id, Reason: "its controller " + err.Error()}
		}
		doc, err := r.document(ctx, id, docURL)
		if err != nil {
			return nil, err
		}
		if docID, _ := doc["id"].(string); docID != controller {
			return nil, &KeyError{ID: id, Reason: "the DID document at " + display(docURL) + " is for " + display(docID) + ", not " + display(controller)}
		}
		return doc, nil
	case strings.HasPrefix(controller, "https://"):
		return r.document(ctx, id, controller)
	}
	return nil, &KeyError{ID: id, Reason: "its controller " + display(controller) + " is neither a did:web, a did:key nor an https URL"}
}

// document fetches and parses the JSON object at docURL, for the key id.
func (r *Resolver) document(ctx context.Context, id, docURL string) (map[string]any, error) {
	r.mu.Lock()
	doc, ok := r.docs.get(docURL)
	r.mu.Unlock()
	if ok {
		return doc, nil
	}
	if r.client == nil {
		return nil, &UnavailableError{ID: id, Err: ErrOffline}
	}
	resp, err := r.client.Get(ctx, docURL, Accept)
	if err != nil {
		return nil, &UnavailableError{ID: id, Err: err}
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, &UnavailableError{ID: id, Err: &StatusError{URL: docURL, Status: resp.Status}}
	}
	doc, err = jsonin.DecodeObject(resp.Body)
	if err != nil {
		return nil, &KeyError{ID: id, Reason: "the document at " + display(docURL) + " is not a JSON object: " + err.Error()}
	}
	r.mu.Lock()
	r.docs.put(docURL, doc)
	r.mu.Unlock()
	return doc, nil
}

func isKeyError(err error) bool {
	_, ok := err.(*KeyError)
	return ok
}

// equalKeys compares two public keys of the types this package reads.
func equalKeys(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

// bounded is a map of at most MaxCached entries; when full, an arbitrary
// entry makes room. Issuers are few, so anything smarter buys nothing.
type bounded[V any] struct {
	m map[string]V
}

func (b *bounded[V]) get(k string) (V, bool) {
	v, ok := b.m[k]
	return v, ok
}

func (b *bounded[V]) put(k string, v V) {
	if b.m == nil {
		b.m = make(map[string]V)
	}
	if _, ok := b.m[k]; !ok && len(b.m) >= MaxCached {
		for old := range b.m {
			delete(b.m, old)
			break
		}
	}
	b.m[k] = v
}
