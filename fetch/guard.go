package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Guard refuses connections to non-public addresses, so that a server which
// fetches URLs chosen by strangers (badge URLs, issuer profiles, keys) cannot
// be used to reach its own machine, its private network or its cloud
// provider's metadata service (server-side request forgery).
//
// The check is made on the address actually dialled: [Guard.DialContext]
// resolves the host name itself, drops the refused addresses and connects to
// an allowed one by its IP address, so the IP checked is the IP dialled and
// a name that resolves to a public address at one moment and to a private
// one the next (DNS rebinding) cannot get past it. Every redirect hop dials
// again and is checked again. See [Classify] for what is refused.
//
// Through a proxy the address dialled is the proxy's, usually a private one.
// A Client with a Guard therefore exempts exactly the proxy addresses its
// Proxy function returns, and refuses a proxied request whose host is an IP
// address that would be refused (127.0.0.1, 169.254.169.254, 0x7f.1, …)
// before anything is sent. A host name behind a proxy is resolved by the
// proxy, not here: the proxy must enforce the egress policy for names.
//
// A Guard must not be modified once in use; it is safe for concurrent use.
type Guard struct {
	// Allow exempts these prefixes: an intranet range an operator trusts,
	// e.g. netip.MustParsePrefix("10.1.2.0/24"). Write IPv4 prefixes in IPv4
	// form; addresses are compared after unmapping ::ffff:a.b.c.d.
	Allow []netip.Prefix
	// Resolver looks up host names; nil: net.DefaultResolver.
	Resolver Resolver
	// Hint is appended to refusal messages, e.g. "start the server with
	// --allow-private to allow them".
	Hint string
	// Policy says in refusal messages what is refused and by whose choice;
	// empty: DefaultPolicy, which suits a server. A command-line tool told
	// to refuse says so instead, e.g. "--deny-private is set: loopback,
	// private, … addresses are not fetched".
	Policy string
}

// DefaultPolicy is the refusal sentence of a Guard without a Policy.
const DefaultPolicy = "this server does not fetch from loopback, private, link-local, multicast or other non-public addresses"

// Resolver looks up the IP addresses of a host name; network is "ip",
// "ip4" or "ip6". [*net.Resolver] satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// BlockedError is the error of a connection or request the Guard refused.
type BlockedError struct {
	Host     string     // the host name or address as given in the URL or dial address
	Addr     netip.Addr // the refused address Host resolved to (Host itself for an IP address)
	Category string     // why it is refused, from Classify: "loopback", "private", …
	Hint     string     // Guard.Hint
	Policy   string     // Guard.Policy; empty: DefaultPolicy
	Proxy    string     // for a request refused before it reached a proxy: the proxy's URL, redacted
}

func (e *BlockedError) Error() string {
	var b strings.Builder
	if e.Proxy != "" {
		b.WriteString("refused to ask proxy " + e.Proxy + " to connect to ")
	} else {
		b.WriteString("refused to connect to ")
	}
	b.WriteString(e.Addr.String() + " (" + e.Category + " address)")
	if e.Host != "" && e.Host != e.Addr.String() {
		b.WriteString(" for host " + strconv.Quote(e.Host))
	}
	policy := e.Policy
	if policy == "" {
		policy = DefaultPolicy
	}
	b.WriteString(": " + policy)
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// special is one refused range and its category.
type special struct {
	prefix   netip.Prefix
	category string
}

// The refused ranges, most specific first within each family. Sources: the
// IANA IPv4 and IPv6 special-purpose address registries (RFC 6890 and
// successors), keeping every range that is not globally reachable.
var (
	special4 = []special{
		{netip.MustParsePrefix("169.254.169.254/32"), "link-local cloud metadata"},
		{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
		{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"}, // "this network"; Linux connects 0.0.0.0 to loopback
		{netip.MustParsePrefix("10.0.0.0/8"), "private"},
		{netip.MustParsePrefix("100.64.0.0/10"), "RFC 6598 shared"}, // carrier-grade NAT; also Alibaba Cloud's metadata 100.100.100.200
		{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
		{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
		{netip.MustParsePrefix("172.16.0.0/12"), "private"},
		{netip.MustParsePrefix("192.0.0.0/24"), "reserved"}, // IETF protocol assignments
		{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
		{netip.MustParsePrefix("192.168.0.0/16"), "private"},
		{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
		{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
		{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
		{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	}
	special6 = []special{
		{netip.MustParsePrefix("::/128"), "unspecified"},
		{netip.MustParsePrefix("::1/128"), "loopback"},
		{netip.MustParsePrefix("fd00:ec2::254/128"), "unique-local cloud metadata"}, // AWS's IPv6 metadata service
		{netip.MustParsePrefix("64:ff9b:1::/48"), "NAT64 local-use"},                // RFC 8215: where it leads is a local decision
		{netip.MustParsePrefix("100::/64"), "reserved"},                             // discard-only
		{netip.MustParsePrefix("2001:2::/48"), "benchmarking"},
		{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
		{netip.MustParsePrefix("3fff::/20"), "documentation"},
		{netip.MustParsePrefix("fc00::/7"), "unique-local"},
		{netip.MustParsePrefix("fe80::/10"), "link-local"},
		{netip.MustParsePrefix("fec0::/10"), "site-local"},
		{netip.MustParsePrefix("ff00::/8"), "multicast"},
	}
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	globalUni6 = netip.MustParsePrefix("2000::/3")
)

// Classify says whether a connection to a is refused, and names a's
// category: "public" for an address that is not refused; otherwise
// "loopback", "private", "link-local", "link-local cloud metadata"
// (169.254.169.254), "multicast", "unspecified", "broadcast", "RFC 6598
// shared", "documentation", "benchmarking", "unique-local", "site-local",
// "reserved", … An invalid address is refused as "invalid".
//
// An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4
// address, and so are a NAT64 address (64:ff9b::/96) and a 6to4 address
// (2002::/16) by the IPv4 address they embed, since that is where the
// connection ends up: 64:ff9b::a9fe:a9fe is "NAT64-embedded link-local cloud
// metadata". IPv6 addresses outside 2000::/3, the global unicast range, are
// "reserved". A zone (fe80::1%eth0) is ignored.
func Classify(a netip.Addr) (category string, refused bool) {
	if !a.IsValid() {
		return "invalid", true
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		for _, s := range special4 {
			if s.prefix.Contains(a) {
				return s.category, true
			}
		}
		return "public", false
	}
	for _, s := range special6 {
		if s.prefix.Contains(a) {
			return s.category, true
		}
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		if cat, refused := Classify(netip.AddrFrom4([4]byte(b[12:16]))); refused {
			return "NAT64-embedded " + cat, true
		}
	case sixToFour.Contains(a):
		if cat, refused := Classify(netip.AddrFrom4([4]byte(b[2:6]))); refused {
			return "6to4-embedded " + cat, true
		}
	case !globalUni6.Contains(a):
		return "reserved", true
	}
	return "public", false
}

// refusal is Classify with the Allow exemptions applied.
func (g *Guard) refusal(a netip.Addr) (category string, refused bool) {
	category, refused = Classify(a)
	if !refused {
		return category, false
	}
	plain := a.Unmap().WithZone("")
	for _, p := range g.Allow {
		if p.Contains(plain) {
			return category, false
		}
	}
	return category, true
}

// dialFunc is the type of DialContext functions.
type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// DialContext connects to addr ("host:port") on network ("tcp", "tcp4" or
// "tcp6") unless every address host resolves to is refused; then it returns
// a *BlockedError naming host, the first refused address, its category and
// g.Hint. It resolves host itself (an IP address is taken as is), drops the
// refused addresses and dials the remaining ones in order, each by its IP
// address, with a net.Dialer whose Control function checks once more the
// address the socket is about to connect to. Use it as a
// net/http.Transport's DialContext.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return g.dialThrough(ctx, network, addr, nil)
}

// dialThrough is DialContext with dial (nil: the guard's own checking
// net.Dialer) opening the connections to the allowed addresses, given as
// "ip:port".
func (g *Guard) dialThrough(ctx context.Context, network, addr string, dial dialFunc) (net.Conn, error) {
	opErr := func(err error) error { return &net.OpError{Op: "dial", Net: network, Err: err} }
	ipNetwork, ok := strings.CutPrefix(network, "tcp")
	if !ok || (ipNetwork != "" && ipNetwork != "4" && ipNetwork != "6") {
		// Only TCP is judged; a network the guard does not understand is
		// refused rather than let through.
		return nil, opErr(fmt.Errorf("fetch: the address guard dials only tcp, tcp4 and tcp6, not %q", network))
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, opErr(err)
	}
	addrs, err := g.resolve(ctx, "ip"+ipNetwork, host)
	if err != nil {
		return nil, opErr(err)
	}
	var (
		blocked *BlockedError
		allowed []netip.Addr
	)
	for _, a := range addrs {
		if category, refused := g.refusal(a); refused {
			if blocked == nil {
				blocked = &BlockedError{Host: host, Addr: a, Category: category, Hint: g.Hint, Policy: g.Policy}
			}
			continue
		}
		allowed = append(allowed, a)
	}
	if len(allowed) == 0 {
		return nil, blocked
	}
	if dial == nil {
		dial = g.checkingDialer().DialContext
	}
	var firstErr error
	for i, a := range allowed {
		// Like net.Dialer with several addresses: each attempt gets its
		// share of the time left, so one black hole does not use it all.
		actx, cancel := ctx, context.CancelFunc(func() {})
		if remaining := len(allowed) - i; remaining > 1 {
			if deadline, ok := ctx.Deadline(); ok {
				actx, cancel = context.WithDeadline(ctx, partialDeadline(time.Now(), deadline, remaining))
			}
		}
		if a.Is4In6() {
			a = a.Unmap()
		}
		conn, err := dial(actx, network, net.JoinHostPort(a.String(), port))
		cancel()
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// partialDeadline gives one of remaining connection attempts its share of
// the time until deadline, but at least 2s (or all that is left), as the
// net package does.
func partialDeadline(now, deadline time.Time, remaining int) time.Time {
	left := deadline.Sub(now)
	share := left / time.Duration(remaining)
	const saneMinimum = 2 * time.Second
	if share < saneMinimum {
		share = min(left, saneMinimum)
	}
	return now.Add(share)
}

// resolve returns the addresses of host: host itself if it is an IP address.
// Errors are *net.DNSError, so they are reported as DNS failures.
func (g *Guard) resolve(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if host == "" {
		// net.Dial would connect to the local system.
		return []netip.Addr{netip.IPv4Unspecified()}, nil
	}
	var r Resolver = net.DefaultResolver
	if g.Resolver != nil {
		r = g.Resolver
	}
	addrs, err := r.LookupNetIP(ctx, network, host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, err
		}
		return nil, &net.DNSError{Err: err.Error(), Name: host}
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	// The system resolver may answer IPv4 addresses in IPv4-mapped form
	// (::ffff:127.0.0.1); dial and report them as the IPv4 addresses they are.
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	return addrs, nil
}

// checkingDialer is the guard's own dialer: its Control function refuses
// the connection if the address about to be connected to is refused, as a
// second line of defence should anything between the check and the dial
// substitute another address.
func (g *Guard) checkingDialer() *net.Dialer {
	return &net.Dialer{KeepAlive: 30 * time.Second, Control: g.control}
}

func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("fetch: the address guard cannot judge %q: %v", address, err)
	}
	if category, refused := g.refusal(ap.Addr()); refused {
		return &BlockedError{Host: ap.Addr().String(), Addr: ap.Addr(), Category: category, Hint: g.Hint, Policy: g.Policy}
	}
	return nil
}

// proxyAddrs remembers the "host:port" of every proxy a Client's Proxy
// function returned: the guard lets connections to exactly those through,
// since a proxy is the operator's choice and usually has a private address.
type proxyAddrs struct {
	mu    sync.Mutex
	addrs map[string]struct{}
}

func (p *proxyAddrs) add(u *url.URL) {
	addr := proxyDialAddr(u)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.addrs == nil {
		p.addrs = make(map[string]struct{})
	}
	p.addrs[addr] = struct{}{}
}

func (p *proxyAddrs) has(addr string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.addrs[addr]
	return ok
}

// proxyDialAddr is the address net/http dials for proxy u: its host and
// port, the port defaulting by scheme. (net/http also converts an
// internationalized host name to ASCII; such a proxy is not recognised and
// is then judged like any other host, which fails closed.)
func proxyDialAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// guardedDial returns the Transport's dialer under a guard: connections to
// the proxies in proxies are opened by dial (nil: a plain net.Dialer)
// unchecked, every other one through the guard, with dial (nil: the guard's
// checking dialer) connecting to the allowed addresses.
func (g *Guard) guardedDial(dial dialFunc, proxies *proxyAddrs) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if proxies.has(addr) {
			if dial == nil {
				return (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext(ctx, network, addr)
			}
			return dial(ctx, network, addr)
		}
		return g.dialThrough(ctx, network, addr, dial)
	}
}

// checkProxied refuses a request about to be sent through proxy when its
// host is an IP address (or "localhost") that would be refused: the proxy
// would connect to it on the guard's behalf. Host names are for the proxy
// to judge.
func (g *Guard) checkProxied(target, proxy *url.URL) error {
	host := target.Hostname()
	a, ok := hostAddr(host)
	if !ok {
		return nil
	}
	if category, refused := g.refusal(a); refused {
		return &BlockedError{Host: host, Addr: a, Category: category, Hint: g.Hint, Policy: g.Policy, Proxy: proxy.Redacted()}
	}
	return nil
}

// hostAddr returns the address a URL host denotes without a DNS lookup: an
// IP address, an IPv4 address in one of the legacy forms inet_aton accepts
// and a proxy may honour (2130706433, 0x7f.1, 0177.0.0.1, 127.1), or
// 127.0.0.1 for "localhost" and its subdomains, which RFC 6761 reserves for
// loopback.
func hostAddr(host string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1}), true
	}
	return parseLegacyIPv4(strings.TrimSuffix(host, "."))
}

// parseLegacyIPv4 parses the inet_aton forms of an IPv4 address: one to four
// dot-separated numbers, each decimal, octal (leading 0) or hexadecimal
// (leading 0x), the last filling the remaining bytes.
func parseLegacyIPv4(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		base, digits := 10, p
		switch {
		case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
			base, digits = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		n, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		last := i == len(parts)-1
		if !last {
			if n > 0xff {
				return netip.Addr{}, false
			}
			v |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(4-i)) {
			return netip.Addr{}, false
		}
		v |= n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}
