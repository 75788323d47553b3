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
// are cached by URL (without fragment) and Accept header for the Client's
// lifetime, and identical requests that overlap in time share a single fetch,
// so a badge class or issuer referenced by thousands of badges is requested
// once. The cache sits behind the small [Cache] interface, so a persistent
// cache can replace the in-memory one. Failures are remembered too (see
// [Options.RetryFailed]), so a dead host costs one timeout, not one per badge.
// [Client.Stats] counts the requests actually sent and the Gets answered
// without one.
//
// In offline mode ([Options.Offline]) a Client answers from its cache and
// refuses everything else with [ErrOffline], sending nothing.
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
// For an SSRF guard, [Options.DialContext] is called for every connection;
// a [net.Dialer] whose Control function checks the resolved address sees
// the address actually dialled. Through a proxy that is the proxy's address.
package fetch
