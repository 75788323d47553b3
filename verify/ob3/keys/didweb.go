package keys

import (
	"net/url"
	"strconv"
	"strings"
)

// DIDWebPrefix starts every did:web.
const DIDWebPrefix = "did:web:"

// DIDWebURL is the address of the DID document of did, a did:web without
// fragment or query: "did:web:example.org" →
// "https://example.org/.well-known/did.json", "did:web:example.org:u:alice"
// → "https://example.org/u/alice/did.json", and "%3A" in the host part
// encodes a port ("did:web:localhost%3A8443"). Errors are *KeyError.
func DIDWebURL(did string) (string, error) {
	fail := func(reason string) (string, error) {
		return "", &KeyError{ID: did, Reason: reason}
	}
	msid, ok := strings.CutPrefix(did, DIDWebPrefix)
	if !ok {
		return fail("is not a did:web")
	}
	for i := 0; i < len(msid); i++ {
		c := msid[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_%:", c) >= 0) {
			return fail("character " + strconv.QuoteRune(rune(c)) + " cannot appear in a did:web (a fragment or path must be removed first)")
		}
	}
	parts := strings.Split(msid, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil {
		return fail("the host part is not well percent-encoded")
	}
	if reason := checkHost(host); reason != "" {
		return fail(reason)
	}
	path := "/.well-known/did.json"
	if len(parts) > 1 {
		segs := make([]string, len(parts)-1)
		for i, p := range parts[1:] {
			seg, err := url.PathUnescape(p)
			switch {
			case err != nil:
				return fail("path part " + strconv.Itoa(i+1) + " is not well percent-encoded")
			case seg == "":
				return fail("path part " + strconv.Itoa(i+1) + " is empty")
			case seg == "." || seg == ".." || strings.ContainsAny(seg, "/?#\\"):
				return fail("path part " + strconv.Itoa(i+1) + " is not a plain path segment")
			}
			segs[i] = seg
		}
		path = "/" + strings.Join(segs, "/") + "/did.json"
	}
	u := url.URL{Scheme: "https", Host: host, Path: path}
	return u.String(), nil
}

// checkHost checks a decoded did:web host: a DNS name or IPv4 address,
// with an optional port.
func checkHost(host string) string {
	name, port, hasPort := strings.Cut(host, ":")
	if name == "" {
		return "has no host"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return "the host " + strconv.Quote(name) + " is not a host name"
		}
	}
	if strings.HasPrefix(name, ".") || strings.Contains(name, "..") {
		return "the host " + strconv.Quote(name) + " is not a host name"
	}
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "the port " + strconv.Quote(port) + " is not a port number"
		}
	}
	return ""
}
