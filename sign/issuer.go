package sign

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/proof/didkey"
	"github.com/badgebake/badgebake/proof/keyfile"
)

// methodFor returns the verification method to sign an OB 3.0 credential
// of issuer with, checking that the key can be the issuer's.
func (s *Signer) methodFor(issuer string) (string, error) {
	vm := s.opts.VerificationMethod
	mismatch := func(reason, hint string) error {
		return &IssuerMismatchError{IssuerID: issuer, VerificationMethod: vm, Reason: reason, Hint: hint}
	}
	switch {
	case issuer == "":
		return "", mismatch("the credential names no issuer id", `give the credential an "issuer" with an "id": the did:key keygen printed, a did:web, or an https URL`)
	case strings.HasPrefix(issuer, didkey.Prefix):
		own, err := s.key.DIDKey()
		if err != nil {
			return "", mismatch("the issuer is a did:key, and "+err.Error(), "use an ed25519 or p256 key, or a did:web issuer")
		}
		if base, _, _ := strings.Cut(issuer, "#"); base != own {
			return "", mismatch(fmt.Sprintf("the issuer is %s, and the key's did:key is %s", issuer, own),
				"sign with the issuer's own key, or set the credential's issuer id to "+own)
		}
		method, _ := s.key.DIDKeyMethod()
		if vm != "" && vm != method && vm != own {
			return "", mismatch(fmt.Sprintf("a did:key issuer's one verification method is %s", method), "drop --verification-method")
		}
		return method, nil
	case strings.HasPrefix(issuer, "did:web:"):
		if vm == "" {
			vm = issuer + "#" + keyfile.DIDWebFragment
			return vm, nil
		}
		if !strings.HasPrefix(vm, issuer+"#") {
			return "", mismatch(fmt.Sprintf("the verification method %s is not in the issuer's DID document (it does not start with %s#)", vm, issuer),
				"use --verification-method "+issuer+"#key-1 (as keygen --did-web writes it), or the id of a key the issuer's did.json lists")
		}
		return vm, nil
	case isHTTPS(issuer):
		if vm == "" {
			if did, err := s.key.DIDKey(); err == nil {
				return "", mismatch(fmt.Sprintf("an https issuer's key is served from its site, and the key's did:key (%s) is not", did),
					"give --verification-method with the https URL of the key on "+origin(issuer))
			}
			return "", mismatch("an https issuer needs the https URL of its key", "give --verification-method with the https URL of the key on "+origin(issuer))
		}
		if origin(vm) == "" || origin(vm) != origin(issuer) {
			return "", mismatch(fmt.Sprintf("the verification method %s is not on the issuer's site %s", vm, origin(issuer)),
				"serve the key on "+origin(issuer)+" and give its URL as --verification-method")
		}
		return vm, nil
	}
	return "", mismatch("the issuer id is neither a did:key, a did:web nor an https URL, so no verifier can tie a key to it", "use a did:key, did:web or https issuer id")
}

// checkOB2Issuer checks that the key URL of an OB 2.0 assertion is on
// its issuer's site, when the assertion embeds the issuer's id.
func checkOB2Issuer(assertion map[string]any, creator string) error {
	badge, ok := assertion["badge"].(map[string]any)
	if !ok {
		return nil // a BadgeClass URL: its issuer is not known here
	}
	issuer := jsonin.Ref(badge["issuer"])
	if issuer == "" || origin(issuer) == "" {
		return nil
	}
	if origin(creator) != origin(issuer) {
		return &IssuerMismatchError{IssuerID: issuer, VerificationMethod: creator,
			Reason: fmt.Sprintf("the key %s is not on the issuer's site %s", creator, origin(issuer)),
			Hint:   "serve the CryptographicKey (keygen --key-url) beside the issuer profile and give its URL as verification.creator"}
	}
	return nil
}

func isHTTPS(s string) bool { return strings.HasPrefix(s, "https://") }

// origin is scheme://host[:port] of an http(s) URL, lower-cased; "" if s
// is not one.
func origin(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	host := strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, map[string]string{"https": ":443", "http": ":80"}[u.Scheme])
	return u.Scheme + "://" + host
}
