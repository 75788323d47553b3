package keys

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/badgebake/badgebake/proof/didkey"
)

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{err}, args...)...)
}

// CheckIssuer reports whether k, as Resolve returned it, belongs to the
// issuer issuerID:
//
//   - a DID issuer: its DID document (a did:key's own; a did:web's,
//     fetched) lists the key under assertionMethod — usually because the
//     key's Controller is the issuer;
//   - an https issuer: the key was fetched from the same origin (scheme,
//     host and port), or its controller is the issuer;
//   - a key written in a URL fragment: the URL before '#' is issuerID (the
//     key stays unauthenticated).
//
// A key inline in a JWT header never belongs to anyone. Errors are
// *IssuerError (the caller reports a warning), *UnavailableError (the
// issuer's DID document could not be fetched).
func (r *Resolver) CheckIssuer(ctx context.Context, k *Key, issuerID string) error {
	fail := func(format string, args ...any) error {
		id := ""
		if k != nil {
			id = k.ID
		}
		return &IssuerError{KeyID: id, IssuerID: issuerID, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case k == nil:
		return fail("there is no key")
	case issuerID == "":
		return fail("the credential names no issuer id")
	case k.Source == SourceInline:
		return fail("the key is written in the JWT header itself; nothing ties it to the issuer")
	case k.Source == SourceFragment:
		if base, _, _ := strings.Cut(k.ID, "#"); base == issuerID {
			return nil
		}
		return fail("the key is written in the fragment of a URL that is not the issuer's id")
	case strings.HasPrefix(issuerID, "did:"):
		if k.Controller == issuerID && k.AssertionMethod {
			return nil
		}
		return r.checkDIDIssuer(ctx, k, issuerID)
	case strings.HasPrefix(issuerID, "https://"):
		if k.Source != SourceHTTPS {
			return fail("the issuer is an https URL but the key comes from a %s", k.Source)
		}
		if k.Controller == issuerID {
			return nil
		}
		ko, io := origin(k.URL), origin(issuerID)
		if ko != "" && ko == io {
			return nil
		}
		return fail("the key is served from %s, the issuer's id is on %s", ko, display(io))
	}
	return fail("the issuer id is neither a DID nor an https URL")
}

func (r *Resolver) checkDIDIssuer(ctx context.Context, k *Key, issuerID string) error {
	fail := func(reason string) error {
		return &IssuerError{KeyID: k.ID, IssuerID: issuerID, Reason: reason}
	}
	if strings.HasPrefix(issuerID, didkey.Prefix) {
		if k.Source == SourceDIDKey && k.Controller == issuerID {
			return nil
		}
		return fail("the issuer's did:key document lists only the issuer's own key")
	}
	if !strings.HasPrefix(issuerID, DIDWebPrefix) {
		return &KeyError{ID: issuerID, Reason: "the issuer's DID method is not supported", Err: ErrUnsupportedDID}
	}
	doc, err := r.controllerDocument(ctx, issuerID, strings.SplitN(issuerID, "#", 2)[0])
	if err != nil {
		if ke, ok := err.(*KeyError); ok {
			return fail("the issuer's DID document cannot be used: " + ke.Reason)
		}
		return err
	}
	methodID := k.ID
	if k.Source == SourceDIDKey {
		if dk, err := didkey.Parse(k.ID); err == nil {
			methodID = dk.VerificationMethodID
		}
	}
	if listsAssertion(doc, methodID, issuerID) || listsAssertion(doc, k.ID, issuerID) {
		return nil
	}
	if listsMethod(doc, k.ID, issuerID) {
		return fail("the issuer's DID document lists the key, but not under assertionMethod")
	}
	return fail("the issuer's DID document does not list the key under assertionMethod")
}

// origin is "scheme://host[:port]" of an http(s) URL, lower-cased, with
// the default port left out; "" if u is not one.
func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
		return ""
	}
	host, port := strings.ToLower(p.Hostname()), p.Port()
	if port == "" || (p.Scheme == "https" && port == "443") || (p.Scheme == "http" && port == "80") {
		return p.Scheme + "://" + host
	}
	return p.Scheme + "://" + host + ":" + port
}
