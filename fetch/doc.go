// Package fetch is the one HTTP client badgebake uses to fetch Open Badges
// documents: assertions, badge classes, issuer profiles, images, keys and
// revocation lists.
//
// A [Client] sends GET requests with a fixed User-Agent ("badgebake/<version>")
// and the Accept header of the reference validator ([DefaultAccept]), bounds
// every request by a connect timeout and a total timeout, refuses bodies
// larger than a cap instead of truncating them, follows a limited number of
// redirects (to http and https URLs only) and records them. Every HTTP status
// is returned as a [Response]; a 404, 410 or 500 is the verifier's to judge.
// An error means there was no response at all, and is always an [*Error]
// whose kind can be tested with [errors.Is] against the sentinels
// ([ErrOffline], [ErrDNS], [ErrTLS], …) and whose message says what went wrong
// and, where it helps, what to do about it.
//
// # Caching and sharing
//
// One Client is meant to be shared by a whole run. Responses (of any status)
// are cached by URL (without fragment) and Accept header, by default for the
// Client's lifetime, and identical requests that overlap in time share a single fetch,
// so a badge class or issuer referenced by thousands of badges is requested
// once. The cache sits behind the small [Cache] interface, so a persistent
// cache can replace the in-memory one. Failures are remembered too (see
// [Options.RetryFailed]), so a dead host costs one timeout, not one per badge.
// [Client.Stats] counts the requests actually sent and the Gets answered
// without one.
//
// The default in-memory cache and the remembered failures last as long as
// the Client, which suits one run of the CLI. A long-running server should
// use a [BoundedCache] ([NewBoundedCache]): a least-recently-used cache
// bounded in bytes whose entries expire after a TTL, which refuses
// responses larger than a quarter of its size and transient statuses (5xx,
// 408, 429), and which Clients can share. It should also set
// [Options.FailureTTL], so that a host that was down is tried again later;
// at most [MaxRememberedFailures] failures are remembered at once.
//
// In offline mode ([Options.Offline]) a Client answers from its cache and
// refuses everything else with [ErrOffline], sending nothing.
//
// # Requests other than fetches
//
// [Client.HTTPClient] gives the same transport, limits and error words to
// requests Get does not make (POSTs, calls with credentials, OAuth), without
// the cache: a backpack push goes through the same proxy, trust roots,
// timeouts and size cap as the verification of the badge.
//
// # Environment: proxies and trust roots
//
// Unless [Options.Transport] is set, requests go through a clone of
// [net/http.DefaultTransport], so the standard variables apply:
//
//   - HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms, the
//     upper-case form winning when both are set) choose a proxy per request
//     via [net/http.ProxyFromEnvironment]. A proxy URL without a scheme means
//     http://; https:// and socks5:// proxies work too, and user:password in
//     the proxy URL is sent as Basic proxy authentication. NO_PROXY is a
//     comma-separated list of names ("example.org" matches it and its
//     subdomains, ".example.org" its subdomains only, optionally with
//     ":port"), IP addresses, CIDR ranges, or "*" for none. ALL_PROXY is
//     not read. Requests to
//     "localhost" and loopback addresses are never proxied. When
//     REQUEST_METHOD is set (a CGI environment), HTTP_PROXY is refused. The
//     variables are read once per process, on first use.
//   - On Linux and other Unix systems except macOS the trust roots come from
//     the system bundle (e.g. /etc/ssl/certs/ca-certificates.crt) and
//     directories (/etc/ssl/certs, /etc/pki/tls/certs). SSL_CERT_FILE replaces
//     the bundle file and SSL_CERT_DIR (a colon-separated list) replaces the
//     directories; each file in such a directory is read, whatever its name.
//     Setting SSL_CERT_FILE alone therefore does not drop the public roots
//     where the default directories hold them (as on Debian and Ubuntu, where
//     /etc/ssl/certs holds every root); to trust only a private CA set both.
//     A missing file or directory is skipped silently by Go; a Client names
//     an unreadable one in its unknown-authority error. The roots are read once
//     per process, on first use. On macOS and Windows the platform verifier is
//     used and both variables are ignored; private CAs go into the system
//     keychain or certificate store there.
//
// With a proxy, DNS resolution of the target happens at the proxy: a name
// the proxy cannot resolve is reported as a proxy error for https URLs
// (the CONNECT is refused) and, for http URLs, usually arrives as the
// proxy's own 502 response.
//
// # Guarding a server against request forgery
//
// A server that fetches URLs chosen by strangers (badgebake serve) must not
// let them reach its own machine, its private network or its cloud
// provider's metadata service. With [Options.Guard] set, a Client refuses
// to connect to loopback, private (RFC 1918, IPv6 unique-local),
// link-local (including the cloud metadata address 169.254.169.254),
// multicast, unspecified, broadcast, RFC 6598 shared, documentation,
// benchmarking and reserved addresses, IPv4-mapped, NAT64 and 6to4 forms of
// them included ([Classify] lists them), except for the prefixes in
// [Guard.Allow]. A refused fetch is an [ErrBlocked] error that names the
// host, the address and its category; nothing is sent, and
// [Stats.Blocked] counts it.
//
// The check is made when connecting: the guard resolves the host name
// itself and connects only to an address it has checked, by that address,
// so a name that resolves differently from one lookup to the next (DNS
// rebinding) cannot get past it; when no custom DialContext is given, the
// socket's Control function checks the address once more. Every redirect
// hop connects anew and is checked anew, so a public URL that redirects to
// a private one is refused at the redirect ("after redirect to …").
//
// Through a proxy the address connected to is the proxy's, usually a
// private one: the proxies the Client's Proxy function returns are exempt,
// exactly those host:port pairs. A proxied request whose host is a refused
// IP address (in any spelling the proxy might accept, such as 2130706433 or
// 0x7f.1) or "localhost" is refused before it is sent. A host name behind a
// proxy is resolved by the proxy, not by the guard: a proxy used by a
// server must enforce the egress policy itself.
//
// The guard applies only to the Client's own transport: it is ignored when
// [Options.Transport] is set. [Guard.DialContext] can guard another
// transport.
package fetch
