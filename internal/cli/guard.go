package cli

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/badgebake/badgebake/fetch"
)

// denyPrivateEnv turns on --deny-private for verify and bake when the flag
// is not given.
const denyPrivateEnv = "BADGEBAKE_DENY_PRIVATE"

// denyPrivateHelp explains --deny-private in the help of the commands that
// fetch (verify and bake).
const denyPrivateHelp = `--deny-private refuses to fetch from loopback, private, link-local (the
cloud metadata address 169.254.169.254 included), multicast and other
non-public addresses, checked on each address actually dialled, redirects
included. Use it when verifying images from strangers on a cloud host or
inside a private network, where a badge could point the verifier at the
metadata service or an intranet page. ` + denyPrivateEnv + `=1 does the same
(1, true, yes or on; 0, false, no, off or empty leave it off); the flag wins
over the variable. --allow-net CIDR (repeatable) opens a range. Through a
proxy (HTTPS_PROXY) host names are resolved by the proxy, which must refuse
private addresses itself.`

// boolSetting is a boolean flag that remembers whether it was given, so an
// environment variable can supply the default.
type boolSetting struct{ value, set bool }

func (b *boolSetting) String() string { return strconv.FormatBool(b.value) }
func (b *boolSetting) Type() string   { return "bool" }

func (b *boolSetting) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	b.value, b.set = v, true
	return nil
}

// envSwitch reads a yes/no environment variable: 1, true, yes, on turn it
// on; 0, false, no, off or empty (or unset) leave it off; anything else is
// a usage error.
func envSwitch(name string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv(name))); v {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, usagef("%s=%q is not a yes or no: use 1, true, yes or on to refuse private addresses, 0, false, no or off (or leave it unset) to fetch any address",
		name, clipArg(os.Getenv(name)))
}

// parseAllowNets parses --allow-net values: CIDR ranges, or single
// addresses (a /32 or /128).
func parseAllowNets(values []string) ([]netip.Prefix, error) {
	var nets []netip.Prefix
	for _, s := range values {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			a, aerr := netip.ParseAddr(strings.TrimSpace(s))
			if aerr != nil {
				return nil, usagef("--allow-net %q is not an address range; write it in CIDR form, e.g. 10.1.2.0/24", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		nets = append(nets, p.Masked())
	}
	return nets, nil
}

// guard is the address guard --deny-private (or BADGEBAKE_DENY_PRIVATE)
// asks for, nil when fetches may go anywhere. Its refusals say who asked
// for them and how to lift them. A warning goes to warn (if not nil) when
// a proxy is set, since the proxy then resolves host names.
func (n *networkOptions) guard(warn io.Writer) (*fetch.Guard, error) {
	fromEnv, err := envSwitch(denyPrivateEnv)
	if err != nil {
		return nil, err
	}
	nets, err := parseAllowNets(n.allowNets)
	if err != nil {
		return nil, err
	}
	deny, source, lift := fromEnv, denyPrivateEnv, "unset "+denyPrivateEnv+" or pass --deny-private=false"
	if n.denyPrivate.set {
		deny, source, lift = n.denyPrivate.value, "--deny-private", "leave out --deny-private"
	}
	if !deny {
		if len(nets) > 0 {
			return nil, usagef("--allow-net opens a range in what --deny-private refuses; without --deny-private (or %s=1) every address is fetched already", denyPrivateEnv)
		}
		return nil, nil
	}
	if warn != nil && proxyConfigured() {
		printWarnings(warn, "", []string{source + ": a proxy is set (HTTPS_PROXY/HTTP_PROXY): host names are resolved by the proxy, which must refuse private addresses itself; IP addresses in URLs are still checked here"})
	}
	return &fetch.Guard{
		Allow:  nets,
		Policy: source + " told badgebake not to fetch from loopback, private, link-local, multicast or other non-public addresses",
		Hint:   lift + " to fetch them, or open a range with --allow-net CIDR",
	}, nil
}
