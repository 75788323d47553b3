package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// ErrorKind says why a fetch got no response.
type ErrorKind int

const (
	KindOther            ErrorKind = iota // none of the below
	KindOffline                           // offline mode and not cached
	KindBadURL                            // not an absolute http(s) URL
	KindDNS                               // host name lookup failed
	KindConnect                           // TCP connection refused, unreachable, reset or closed early
	KindProxy                             // the proxy setting is invalid, the proxy is unreachable or refused the tunnel
	KindTLS                               // certificate or handshake failure
	KindTimeout                           // Options.Timeout or ConnectTimeout ran out
	KindTooLarge                          // body larger than Options.MaxBytes
	KindTooManyRedirects                  // more than Options.MaxRedirects redirects
	KindBadRedirect                       // redirect to a non-http(s) or unparsable URL
	KindCanceled                          // the caller's context ended
	KindBlocked                           // the Guard refused the address (loopback, private, link-local, …)
)

var kindNames = [...]string{
	KindOther:            "other",
	KindOffline:          "offline",
	KindBadURL:           "bad URL",
	KindDNS:              "DNS",
	KindConnect:          "connect",
	KindProxy:            "proxy",
	KindTLS:              "TLS",
	KindTimeout:          "timeout",
	KindTooLarge:         "too large",
	KindTooManyRedirects: "too many redirects",
	KindBadRedirect:      "bad redirect",
	KindCanceled:         "canceled",
	KindBlocked:          "blocked",
}

// Transient reports whether a failure of this kind says nothing about the
// document asked for: the network, the name service, a proxy, TLS, a
// timeout, the caller's own deadline or offline mode got in the way, and
// the same request may succeed later. Refusals that follow from the URL or
// the response itself (a bad URL, a body too large, redirect trouble, the
// Guard's refusal of a private address) are not transient.
func (k ErrorKind) Transient() bool {
	switch k {
	case KindOffline, KindDNS, KindConnect, KindProxy, KindTLS, KindTimeout, KindCanceled:
		return true
	}
	return false
}

// IsTransient reports whether err is a fetch failure of a transient kind
// (see ErrorKind.Transient).
func IsTransient(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Kind.Transient()
}

// TransientStatus reports whether an HTTP status says the server could not
// answer now, rather than anything about the document: 5xx, 429 Too Many
// Requests and 408 Request Timeout.
func TransientStatus(code int) bool {
	return code >= 500 || code == 429 || code == 408
}

func (k ErrorKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Sentinels for errors.Is, one per kind: errors.Is(err, ErrTLS) reports
// whether err is an *Error of KindTLS. A canceled Get also matches the
// context's error (context.Canceled or context.DeadlineExceeded).
var (
	ErrOffline          = errors.New("fetch: offline")
	ErrBadURL           = errors.New("fetch: bad URL")
	ErrDNS              = errors.New("fetch: DNS lookup failed")
	ErrConnect          = errors.New("fetch: cannot connect")
	ErrProxy            = errors.New("fetch: proxy error")
	ErrTLS              = errors.New("fetch: TLS error")
	ErrTimeout          = errors.New("fetch: timed out")
	ErrTooLarge         = errors.New("fetch: response too large")
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	ErrBadRedirect      = errors.New("fetch: bad redirect")
	ErrCanceled         = errors.New("fetch: canceled")
	ErrBlocked          = errors.New("fetch: address refused by the guard")
)

var kindSentinels = map[ErrorKind]error{
	KindOffline:          ErrOffline,
	KindBadURL:           ErrBadURL,
	KindDNS:              ErrDNS,
	KindConnect:          ErrConnect,
	KindProxy:            ErrProxy,
	KindTLS:              ErrTLS,
	KindTimeout:          ErrTimeout,
	KindTooLarge:         ErrTooLarge,
	KindTooManyRedirects: ErrTooManyRedirects,
	KindBadRedirect:      ErrBadRedirect,
	KindCanceled:         ErrCanceled,
	KindBlocked:          ErrBlocked,
}

// Error is the error of a Get that got no response.
//
// Its message reads "fetch URL: what happened (hint)", for example
// "fetch https://example.org/a.json: TLS certificate signed by an unknown
// authority (for a private CA set SSL_CERT_FILE or SSL_CERT_DIR; …)".
type Error struct {
	URL  string    // as given to Get
	Kind ErrorKind // why
	Err  error     // underlying cause, if any (an x509, net or context error, …)

	msg string // specific message with hint; "" for an Error built elsewhere
}

func (e *Error) Error() string {
	msg := e.msg
	if msg == "" {
		if e.Err != nil {
			msg = e.Err.Error()
		} else {
			msg = e.Kind.String()
		}
	}
	return "fetch " + displayURL(e.URL) + ": " + msg
}

// displayURL quotes a URL that is empty or holds spaces or control
// characters: URLs come from badges, and badges can be hostile.
func displayURL(u string) string {
	if u == "" {
		return `""`
	}
	for _, r := range u {
		if r == ' ' || !unicode.IsPrint(r) {
			return strconv.Quote(u)
		}
	}
	return u
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's kind.
func (e *Error) Is(target error) bool {
	s, ok := kindSentinels[e.Kind]
	return ok && target == s
}

// withURL returns a copy of a shared (remembered) error for one Get.
func (e *Error) withURL(rawURL string) *Error {
	cp := *e
	cp.URL = rawURL
	return &cp
}

func canceledError(rawURL string, ctx context.Context) *Error {
	err := ctx.Err()
	msg := "canceled"
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "canceled: the caller's deadline passed"
	}
	if cause := context.Cause(ctx); cause != nil && cause != err {
		msg += " (" + cause.Error() + ")"
		err = errors.Join(err, cause)
	}
	return &Error{URL: rawURL, Kind: KindCanceled, Err: err, msg: msg}
}

const (
	hintProxy = "check HTTPS_PROXY, HTTP_PROXY and NO_PROXY"
	hintRoots = "for a private CA set SSL_CERT_FILE or SSL_CERT_DIR"
	hintChain = "a server that omits its intermediate certificates fails the same way"
	hintClock = "if the site works in a browser, check this machine's clock"
)

// classify turns the error of a request to reqURL into an *Error. parent is
// the fetch's context, ctx the one bounded by Options.Timeout.
func (c *Client) classify(parent, ctx context.Context, reqURL string, err error) *Error {
	e := &Error{URL: reqURL, Err: err}
	prefix := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		e.Err = ue.Err
		if ue.URL != reqURL {
			prefix = "after redirect to " + ue.URL + ": "
		}
	}
	e.Kind, e.msg = c.describe(parent, ctx, e.Err)
	switch e.Kind {
	case KindTooManyRedirects, KindBadRedirect, KindTimeout, KindCanceled:
		// Redirect errors name their URLs; a timeout is about the whole fetch.
	default:
		e.msg = prefix + e.msg
	}
	return e
}

func (c *Client) describe(parent, ctx context.Context, err error) (ErrorKind, string) {
	var (
		blocked    *BlockedError
		tooMany    *tooManyRedirectsError
		badRedir   *badRedirectError
		proxyConf  *proxyConfigError
		proxyRef   *proxyRefusedError
		connTO     *connectTimeoutError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		rootsErr   x509.SystemRootsError
		verifyErr  *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		dnsErr     *net.DNSError
		opErr      *net.OpError
		netErr     net.Error
	)
	switch {
	case errors.As(err, &blocked):
		// First: the guard's refusal may arrive wrapped in a dial or
		// proxy error, and it is the whole story.
		return KindBlocked, blocked.Error()
	case errors.As(err, &tooMany):
		return KindTooManyRedirects, fmt.Sprintf("more than %d redirects (the last to %s)", tooMany.max, tooMany.last)
	case errors.As(err, &badRedir):
		return KindBadRedirect, "redirected to " + badRedir.to + ", which is not an http or https URL; not followed"
	case strings.Contains(err.Error(), "failed to parse Location header"):
		return KindBadRedirect, "redirect with an invalid Location: " + err.Error()

	case parent.Err() != nil:
		return KindCanceled, "canceled"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return KindTimeout, "timed out after " + formatDuration(c.opts.Timeout)

	case errors.As(err, &proxyConf):
		return KindProxy, "invalid " + proxyConf.Error() + " (" + hintProxy + ")"
	case errors.As(err, &proxyRef):
		return KindProxy, proxyRef.Error() + " (" + hintProxy + "; a 502 or 504 usually means the proxy cannot reach or resolve the host)"
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		msg, ok := strings.CutPrefix(describeNet(opErr.Err), "cannot connect to ")
		if ok {
			msg = "cannot connect to proxy " + msg
		} else {
			msg = "cannot connect to the proxy: " + msg
		}
		return KindProxy, msg + " (" + hintProxy + ")"

	case errors.As(err, &connTO):
		return KindTimeout, connTO.Error()
	case errors.As(err, &netErr) && netErr.Timeout() && strings.Contains(err.Error(), "TLS handshake timeout"):
		return KindTimeout, "TLS handshake timed out after " + formatDuration(c.opts.ConnectTimeout)

	case errors.Is(err, http.ErrSchemeMismatch):
		return KindTLS, "the server answered plain HTTP to an https URL (is the URL meant to be http://?)"
	case errors.As(err, &unknownCA):
		msg := "TLS certificate signed by an unknown authority (" + hintRoots + "; " + hintChain
		if unknownCA.Cert != nil {
			issuer := unknownCA.Cert.Issuer.CommonName
			if issuer == "" {
				issuer = unknownCA.Cert.Issuer.String()
			}
			msg += "; issuer: " + quote(issuer)
		}
		if c.opts.Transport == nil && c.opts.RootCAs == nil {
			msg += rootsEnvProblems()
		}
		return KindTLS, msg + ")"
	case errors.As(err, &hostErr):
		return KindTLS, "TLS certificate is not valid for this host: " + strings.TrimPrefix(hostErr.Error(), "x509: ")
	case errors.As(err, &invalidErr):
		msg := "TLS certificate is not valid: " + strings.TrimPrefix(invalidErr.Error(), "x509: ")
		if invalidErr.Reason == x509.Expired {
			msg += " (" + hintClock + ")"
		}
		return KindTLS, msg
	case errors.As(err, &rootsErr):
		return KindTLS, "no system trust roots could be loaded (install the ca-certificates package, or set SSL_CERT_FILE or SSL_CERT_DIR)"
	case errors.As(err, &verifyErr):
		return KindTLS, "TLS certificate verification failed: " + strings.TrimPrefix(verifyErr.Err.Error(), "x509: ")
	case errors.As(err, &recordErr):
		return KindTLS, "the server did not answer with TLS (is the URL meant to be http://?)"
	case errors.As(err, &alertErr) || strings.Contains(err.Error(), "tls: "):
		return KindTLS, "TLS handshake failed: " + err.Error()

	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return KindDNS, "DNS lookup of " + dnsErr.Name + " failed: no such host"
		case dnsErr.IsTimeout:
			return KindDNS, "DNS lookup of " + dnsErr.Name + " timed out"
		}
		return KindDNS, "DNS lookup of " + dnsErr.Name + " failed: " + dnsErr.Err
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return KindConnect, describeNet(opErr)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.As(err, &opErr):
		return KindConnect, "the connection broke: " + err.Error()
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout, "timed out: " + err.Error()
	}
	return KindOther, err.Error()
}

// describeNet describes a dial error: "cannot connect to ADDR: connection
// refused".
func describeNet(err error) string {
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
		connTO *connectTimeoutError
	)
	switch {
	case errors.As(err, &connTO):
		return connTO.Error()
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "DNS lookup of " + dnsErr.Name + " failed: no such host"
		}
		return "DNS lookup of " + dnsErr.Name + " failed: " + dnsErr.Err
	case errors.As(err, &opErr):
		addr := ""
		if opErr.Addr != nil {
			addr = " " + opErr.Addr.String()
		}
		reason := opErr.Err.Error()
		var se *os.SyscallError
		if errors.As(opErr.Err, &se) {
			reason = se.Err.Error()
		}
		return "cannot connect to" + addr + ": " + reason
	}
	return err.Error()
}

// formatDuration prints d without trailing zero units: 30s, 1m, 1m30s, 250ms.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// formatSize prints n bytes as "10 MiB", "512 KiB" or "1234 bytes".
func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func quote(s string) string { return strconv.Quote(s) }

// rootsEnvProblems reports SSL_CERT_FILE or SSL_CERT_DIR entries that cannot
// be read: crypto/x509 skips them silently, so a typo there looks like an
// unknown authority.
func rootsEnvProblems() string {
	switch runtime.GOOS {
	case "darwin", "ios", "windows":
		return "" // platform verifier; the variables are not read
	}
	var notes []string
	check := func(name, path string) {
		if _, err := os.Stat(path); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			notes = append(notes, name+"="+quote(path)+" cannot be read: "+err.Error())
		}
	}
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		check("SSL_CERT_FILE", f)
	}
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		for _, dir := range strings.Split(d, ":") {
			if dir != "" {
				check("SSL_CERT_DIR", dir)
			}
		}
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, "; ")
}
