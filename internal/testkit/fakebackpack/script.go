package fakebackpack

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/badgebake/badgebake/internal/testkit/scripttb"

	"github.com/badgebake/badgebake/internal/testkit/testnet"
)

// ScriptCommands are testscript commands that give a command-line
// transcript a fake backpack with the built-in API (Options.API):
//
//	fakebackpack-serve [-no21] [-no30] [-page-size N] [-rotate] [-no-revocation] [-double-slash] [-expires-in D]
//	    starts the fake for the rest of the script and sets $BACKPACK to
//	    its URL (http://127.0.0.1:PORT). -no21 and -no30 leave out the
//	    Badge Connect manifest or the OB 3.0 discovery (both: nothing to
//	    connect to); -page-size pages listings; -rotate issues a new
//	    refresh token on each refresh; -no-revocation offers no
//	    revocation endpoint; -double-slash writes the manifest's URLs
//	    with doubled slashes (as Badgr does); -expires-in is the access
//	    tokens' lifetime (default one hour). -https-host NAME serves
//	    HTTPS as https://NAME with a certificate from a test authority,
//	    behind a loopback proxy that knows only NAME: $BACKPACK is
//	    https://NAME, and HTTPS_PROXY, HTTP_PROXY and SSL_CERT_FILE are
//	    set for the badgebake processes the script runs.
//	connect-paste [ARG...]
//	    runs `badgebake backpack connect --no-browser ARG...` (badgebake
//	    from the script's PATH, with the script's values of the variables
//	    in scriptEnvKeys: testscript's own, proxies, SSL_CERT_FILE,
//	    BADGEBAKE_CONFIG_DIR, BACKPACK, BROWSER), reads its standard
//	    error up to the authorization URL, consents at the fake without
//	    following the redirect, and writes the redirect URL as one line to
//	    the command's standard input, as a person pasting it would. Its
//	    exit status, standard output and error are then the script's to
//	    check, as with exec (! when it must fail).
//	fakebackpack throttle N RETRY_AFTER [HTTP_STATUS]
//	                                      the next N API requests answer 429 (or HTTP_STATUS) with
//	                                      Retry-After: RETRY_AFTER (none when it is '')
//	fakebackpack throttle-oauth N RETRY_AFTER
//	                                      the next N registration, token and revocation requests answer 429
//	fakebackpack refuse STATUS_TEXT [ERROR...]
//	                                      refuse every push (one ERROR: a string, several: Badgr's array)
//	fakebackpack accept                   stop refusing pushes
//	fakebackpack unauthorized-once        the next API request answers 401
//	fakebackpack expire                   every access token issued so far expires
//	fakebackpack refuse-refresh           refresh grants fail with invalid_grant
//	fakebackpack deny-next CODE           the next authorization redirects with error=CODE
//	fakebackpack add-client ID SECRET     a client registered by hand, for any loopback port
//	fakebackpack refuse-registration TEXT registrations fail with error_description TEXT
//
// and commands that print the fake's state on the script's standard
// output, for stdout and cmp, with the port of any 127.0.0.1 URL written
// PORT:
//
//	fakebackpack registrations  each registration body: "KEY: JSON" lines, sorted, then a blank line
//	fakebackpack requests       "METHOD PATH CONTENT-TYPE KEYS STATUS" per API request (KEYS: the JSON body's keys joined with ",", or -)
//	fakebackpack grants         the grant_type of each token request, one a line
//	fakebackpack revoked        how many tokens were revoked
//	fakebackpack proxied        how many connections the -https-host proxy tunnelled to the fake
//	fakebackpack held           "API KIND ID" per badge held
//	fakebackpack profile API    the owner's profile in API ob21 or ob30, as indented JSON
//
// Tokens the fake issues start with access-, refresh-, secret- (client
// secrets) and code- (authorization codes), so that a script can check
// none shows: ! stdout 'access-|refresh-|secret-|code-'.
//
// Browser is the program a script names in $BROWSER to play the
// person's browser for connect's loopback listener.
func ScriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(*testscript.TestScript, bool, []string){
		"fakebackpack-serve": scriptServe,
		"fakebackpack":       scriptControl,
		"connect-paste":      scriptConnectPaste,
	}
}

var scripts sync.Map // *testscript.TestScript → *Provider

func provider(ts *testscript.TestScript, cmd string) *Provider {
	p, ok := scripts.Load(ts)
	if !ok {
		ts.Fatalf("%s: run fakebackpack-serve first", cmd)
	}
	return p.(*Provider)
}

func scriptServe(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("fakebackpack-serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts Options
	fs.BoolVar(&opts.No21, "no21", false, "")
	fs.BoolVar(&opts.No30, "no30", false, "")
	fs.IntVar(&opts.PageSize, "page-size", 0, "")
	fs.BoolVar(&opts.RotateRefresh, "rotate", false, "")
	fs.BoolVar(&opts.NoRevocation, "no-revocation", false, "")
	fs.BoolVar(&opts.DoubleSlash, "double-slash", false, "")
	fs.DurationVar(&opts.ExpiresIn, "expires-in", 0, "")
	httpsHost := fs.String("https-host", "", "")
	if neg || fs.Parse(args) != nil || fs.NArg() != 0 {
		ts.Fatalf("usage: fakebackpack-serve [-no21] [-no30] [-page-size N] [-rotate] [-no-revocation] [-double-slash] [-expires-in D] [-https-host NAME]")
	}
	if _, running := scripts.Load(ts); running {
		ts.Fatalf("fakebackpack-serve: already serving")
	}
	opts.API = true
	tb := scripttb.New(ts)
	var ca *testnet.CA
	if *httpsHost != "" {
		ca = testnet.NewCA(tb)
		opts.TLSConfig = ca.ServerTLS(tb, *httpsHost)
		opts.PublicURL = "https://" + *httpsHost
	}
	p := New(tb, opts)
	scripts.Store(ts, p)
	ts.Defer(func() { scripts.Delete(ts) })
	ts.Setenv("BACKPACK", p.URL())
	if ca != nil {
		// As behind a corporate proxy with a private authority: the
		// proxy knows the name, and nothing else.
		proxy := testnet.NewProxy(tb, map[string]string{*httpsHost + ":443": p.Addr()})
		proxies.Store(ts, proxyOf{proxy, *httpsHost + ":443"})
		ts.Defer(func() { proxies.Delete(ts) })
		for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
			ts.Setenv(k, proxy.URL)
		}
		ts.Setenv("SSL_CERT_FILE", ca.WritePEM(tb, ts.MkAbs(".")))
	}
}

// proxyOf is the proxy of a script's -https-host fake, and the target it
// tunnels to.
type proxyOf struct {
	proxy  *testnet.Proxy
	target string
}

var proxies sync.Map // *testscript.TestScript → proxyOf

var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// normalise writes the port of 127.0.0.1 URLs as PORT.
func normalise(s string) string { return loopbackPort.ReplaceAllString(s, "127.0.0.1:PORT") }

func scriptControl(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: fakebackpack SUBCOMMAND [ARG...] (see fakebackpack.ScriptCommands)")
	}
	p := provider(ts, "fakebackpack")
	want := func(n int, usage string) {
		if len(args)-1 != n {
			ts.Fatalf("usage: fakebackpack %s %s", args[0], usage)
		}
	}
	out := &strings.Builder{}
	switch args[0] {
	case "throttle":
		status := http.StatusTooManyRequests
		if len(args) == 4 {
			var err error
			if status, err = strconv.Atoi(args[3]); err != nil {
				ts.Fatalf("fakebackpack throttle: %v", err)
			}
		} else {
			want(2, "N RETRY_AFTER [HTTP_STATUS]")
		}
		n, err := strconv.Atoi(args[1])
		if err != nil {
			ts.Fatalf("fakebackpack throttle: %v", err)
		}
		p.ThrottleWith(status, n, args[2])
	case "throttle-oauth":
		want(2, "N RETRY_AFTER")
		n, err := strconv.Atoi(args[1])
		if err != nil {
			ts.Fatalf("fakebackpack throttle-oauth: %v", err)
		}
		p.ThrottleOAuth(n, args[2])
	case "refuse":
		if len(args) < 2 || args[1] == "" {
			ts.Fatalf("usage: fakebackpack refuse STATUS_TEXT [ERROR...]")
		}
		p.RefusePushes(args[1], args[2:]...)
	case "accept":
		want(0, "")
		p.RefusePushes("")
	case "unauthorized-once":
		want(0, "")
		p.UnauthorizedOnce()
	case "expire":
		want(0, "")
		p.ExpireAccessTokens()
	case "refuse-refresh":
		want(0, "")
		p.RefuseRefresh(true)
	case "deny-next":
		want(1, "CODE")
		p.DenyNext(args[1])
	case "add-client":
		want(2, "ID SECRET")
		p.AddClient(args[1], args[2], "http://127.0.0.1/callback")
	case "refuse-registration":
		want(1, "DESCRIPTION")
		p.RefuseRegistration(args[1])
	case "registrations":
		want(0, "")
		for _, body := range p.Registered() {
			keys := make([]string, 0, len(body))
			for k := range body {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v, _ := json.Marshal(body[k])
				fmt.Fprintf(out, "%s: %s\n", k, v)
			}
			fmt.Fprintln(out)
		}
	case "requests":
		want(0, "")
		for _, r := range p.Requests() {
			keys, ct := strings.Join(r.BodyKeys, ","), r.ContentType
			if keys == "" {
				keys = "-"
			}
			if ct == "" {
				ct = "-"
			}
			fmt.Fprintf(out, "%s %s %s %s %d\n", r.Method, r.Path, ct, keys, r.Status)
		}
	case "grants":
		want(0, "")
		for _, f := range p.TokenRequests() {
			fmt.Fprintln(out, f.Get("grant_type"))
		}
	case "proxied":
		want(0, "")
		po, ok := proxies.Load(ts)
		if !ok {
			ts.Fatalf("fakebackpack proxied: the fake was not started with -https-host")
		}
		fmt.Fprintln(out, po.(proxyOf).proxy.Requests(po.(proxyOf).target))
	case "revoked":
		want(0, "")
		fmt.Fprintln(out, len(p.Revoked()))
	case "held":
		want(0, "")
		for _, b := range p.Held() {
			fmt.Fprintf(out, "%s %s %s\n", b.API, b.Kind, b.ID)
		}
	case "profile":
		want(1, "ob21|ob30")
		b, _ := json.MarshalIndent(p.Profile(args[1]), "", "  ")
		fmt.Fprintf(out, "%s\n", b)
	default:
		ts.Fatalf("fakebackpack: unknown subcommand %q", args[0])
	}
	io.WriteString(ts.Stdout(), normalise(out.String()))
}

// scriptEnvKeys are the variables a badgebake process started by
// connect-paste gets from the script: testscript's own, and those the
// project's scripts set.
var scriptEnvKeys = []string{
	"WORK", "PATH", "GOTRACEBACK", "HOME", "TMPDIR", "GOCOVERDIR", "GORACE",
	"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE",
	"BADGEBAKE_CONFIG_DIR", "BACKPACK", "BROWSER", "NO_COLOR",
}

func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range scriptEnvKeys {
		if v := ts.Getenv(k); v != "" || strings.Contains(strings.ToLower(k), "proxy") {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// lookPath finds a program on the script's PATH.
func lookPath(ts *testscript.TestScript, name string) string {
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		f := filepath.Join(dir, name)
		if fi, err := os.Stat(f); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return f
		}
	}
	ts.Fatalf("%s not found on the script's PATH", name)
	return ""
}

// connectPasteTimeout bounds a connect-paste run: connect without an
// answer waits for ever.
const connectPasteTimeout = 60 * time.Second

func scriptConnectPaste(ts *testscript.TestScript, neg bool, args []string) {
	p := provider(ts, "connect-paste")
	cmd := exec.Command(lookPath(ts, "badgebake"), append([]string{"backpack", "connect", "--no-browser"}, args...)...)
	cmd.Env = scriptEnv(ts)
	cmd.Dir = ts.MkAbs(".")
	var stdout strings.Builder
	cmd.Stdout = &stdout
	stdin, err := cmd.StdinPipe()
	ts.Check(err)
	stderrPipe, err := cmd.StderrPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	timer := time.AfterFunc(connectPasteTimeout, func() { cmd.Process.Kill() })
	defer timer.Stop()

	var stderr strings.Builder
	authURL := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderrPipe)
		for sc.Scan() {
			line := sc.Text()
			stderr.WriteString(line + "\n")
			if strings.HasPrefix(line, p.URL()+"/") && strings.Contains(line, "/oauth/authorize?") {
				select {
				case authURL <- line:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderrPipe)
	}()
	consentErr := ""
	select {
	case u := <-authURL:
		redirect, err := consent(p, u)
		if err != nil {
			consentErr = err.Error()
			cmd.Process.Kill()
		} else {
			io.WriteString(stdin, redirect+"\n")
		}
		stdin.Close()
	case <-scanned:
		stdin.Close()
	}
	<-scanned
	err = cmd.Wait()
	io.WriteString(ts.Stdout(), stdout.String())
	io.WriteString(ts.Stderr(), stderr.String())
	if consentErr != "" {
		ts.Fatalf("connect-paste: consenting at the fake: %s", consentErr)
	}
	if !timer.Stop() {
		ts.Fatalf("connect-paste: badgebake did not finish within %s", connectPasteTimeout)
	}
	switch {
	case err != nil && !neg:
		ts.Fatalf("connect-paste: unexpected failure: %v", err)
	case err == nil && neg:
		ts.Fatalf("connect-paste: unexpected success")
	case err != nil:
		if _, exited := err.(*exec.ExitError); !exited {
			ts.Fatalf("connect-paste: %v", err)
		}
	}
}

// consent plays the person at the authorization URL: it sends the
// request and returns where the fake redirects, without going there.
func consent(p *Provider, authURL string) (string, error) {
	if p.opts.PublicURL != "" {
		// The public name resolves only through the script's proxy, which
		// is for the badgebake processes: consent in process.
		if redirect := p.Authorize(authURL); redirect != "" {
			return redirect, nil
		}
		return "", fmt.Errorf("the authorization request %s was refused", authURL)
	}
	hc := &http.Client{
		Transport:     &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	resp, err := hc.Get(authURL)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		return "", fmt.Errorf("the authorization endpoint answered %s", resp.Status)
	}
	if _, err := url.Parse(loc); err != nil {
		return "", err
	}
	return loc, nil
}

// Browser is the main function of a program standing in for a person's
// web browser (register it with testscript.Main, name it in $BROWSER):
// it opens its last argument, following redirects, as a browser would —
// from the fake's authorization endpoint to connect's loopback listener.
// It exits 1, saying why on standard error, when a page does not load.
func Browser() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fakebrowser URL")
		os.Exit(2)
	}
	hc := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}
	resp, err := hc.Get(os.Args[len(os.Args)-1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakebrowser:", err)
		os.Exit(1)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "fakebrowser:", resp.Status)
		os.Exit(1)
	}
}
