package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/badgebake/badgebake/backpack"
	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/unbake"
	"github.com/badgebake/badgebake/verify"
	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
)

// configDirEnv overrides the folder of backpacks.json (tests, CI, several
// identities on one machine).
const configDirEnv = "BADGEBAKE_CONFIG_DIR"

// clientSecretEnv holds the client secret for connect --client-id, kept
// out of the command line (and so out of the process list and history).
const clientSecretEnv = "BADGEBAKE_CLIENT_SECRET"

// backpackStore is the connections file: $BADGEBAKE_CONFIG_DIR/backpacks.json,
// else backpacks.json in badgebake's user configuration folder.
func backpackStore() (*backpack.FileStore, error) {
	if dir := os.Getenv(configDirEnv); dir != "" {
		return backpack.NewFileStore(filepath.Join(dir, "backpacks.json")), nil
	}
	path, err := backpack.DefaultStorePath()
	if err != nil {
		return nil, fmt.Errorf("no configuration folder for backpacks.json (set %s): %w", configDirEnv, err)
	}
	return backpack.NewFileStore(path), nil
}

// backpackHTTPClient is the client backpack traffic goes through:
// badgebake's fetch client (HTTPS_PROXY, SSL_CERT_FILE, connect and total
// timeouts, the body cap, the User-Agent) for requests other than fetches.
func backpackHTTPClient(timeout time.Duration) *http.Client {
	return fetch.New(fetch.Options{UserAgent: "badgebake/" + version(), Timeout: timeout}).HTTPClient()
}

// openBackpack loads the connection called name (or the only one) and
// returns a client for it that keeps refreshed tokens in the store, with
// --timeout and --max-wait (0 waits for nothing; the client's own 0 means
// its default).
func openBackpack(ctx context.Context, name string, timeout, maxWait time.Duration) (*backpack.Client, error) {
	store, err := backpackStore()
	if err != nil {
		return nil, err
	}
	conn, err := loadConnection(ctx, store, name)
	if err != nil {
		return nil, err
	}
	client := backpack.NewClient(conn, store, backpackHTTPClient(timeout))
	client.MaxWait = maxWait
	if maxWait <= 0 {
		client.MaxWait = -1
	}
	return client, nil
}

// addMaxWaitFlag adds --max-wait: the longest Retry-After of a throttled
// call (what names it) that is waited for.
func addMaxWaitFlag(cmd *cobra.Command, d *time.Duration, what string) {
	cmd.Flags().DurationVar(d, "max-wait", backpack.DefaultMaxWait,
		"longest Retry-After waited for before retrying a throttled "+what+" (at most "+strconv.Itoa(backpack.MaxTries)+" tries)")
}

// addTimeoutFlag adds --timeout, as networkOptions does for the commands
// that verify.
func addTimeoutFlag(cmd *cobra.Command, d *time.Duration) {
	cmd.Flags().DurationVar(d, "timeout", 30*time.Second, "time limit for each HTTP request")
}

// addBackpackFlag adds --backpack, the connection to use.
func addBackpackFlag(cmd *cobra.Command, name *string) {
	cmd.Flags().StringVar(name, "backpack", "", "connection `NAME` (default: the only one)")
}

// reconnectHint adds what to do to an error that only a new connection
// to conn's provider can mend.
func reconnectHint(err error, conn *backpack.Connection) error {
	var te *backpack.TokenError
	if !errors.As(err, &te) || !te.Reconnect() {
		return err
	}
	cmd := "badgebake backpack connect PROVIDER_URL"
	if conn.Provider.URL != "" {
		cmd = "badgebake backpack connect " + conn.Provider.URL + " --name " + conn.Name
	}
	return fmt.Errorf("%w (run `%s`)", err, cmd)
}

const backpackLong = `backpack connects badgebake to a backpack (an Open Badges 2.1 Badge Connect
or Open Badges 3.0 API provider) and pushes badges to it.

Without a subcommand it lists the connections (never their tokens).
Connections are kept in backpacks.json (mode 0600) in badgebake's folder of
the user configuration directory, or in $` + configDirEnv + ` when set.`

func newBackpackCmd(streams IO) *cobra.Command {
	cmd := &cobra.Command{
		Use: "backpack",
		Example: `  badgebake backpack connect https://backpack.example.org
  badgebake backpack push baked.png
  badgebake backpack`,
		Short: "Connect to a backpack and push badges to it",
		Long:  backpackLong,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackpackList(cmd.Context(), streams)
		},
	}
	cmd.AddCommand(newBackpackConnectCmd(streams), newBackpackPushCmd(streams),
		newBackpackListCmd(streams), newBackpackProfileCmd(streams), newBackpackDisconnectCmd(streams))
	return cmd
}

func runBackpackList(ctx context.Context, streams IO) error {
	store, err := backpackStore()
	if err != nil {
		return err
	}
	names, err := store.List(ctx)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(streams.Err, "no backpack connected; run `badgebake backpack connect PROVIDER_URL`")
		return nil
	}
	for _, n := range names {
		c, err := store.Load(ctx, n)
		if err != nil {
			return err
		}
		var apis []string
		if c.Provider.API21Base != "" {
			apis = append(apis, string(backpack.API21))
		}
		if c.Provider.API30Base != "" {
			apis = append(apis, string(backpack.API30))
		}
		fmt.Fprintf(streams.Out, "%s\t%s\t%s\n", n, c.Provider.Name, strings.Join(apis, ","))
	}
	return nil
}

type connectOptions struct {
	name, clientID, clientSecret, redirectURI string
	noBrowser                                 bool
	port                                      int
	timeout, maxWait                          time.Duration
}

func newBackpackConnectCmd(streams IO) *cobra.Command {
	o := &connectOptions{}
	cmd := &cobra.Command{
		Use: "connect PROVIDER_URL",
		Example: `  badgebake backpack connect https://backpack.example.org
  badgebake backpack connect --no-browser --name work https://backpack.example.org
  BADGEBAKE_CLIENT_SECRET=… badgebake backpack connect https://backpack.example.org \
    --client-id ID --redirect-uri https://you.example/callback`,
		Short: "Register with a backpack and authorize badgebake to push badges to it",
		Long: `connect discovers the provider (Badge Connect 2.1 manifest and OB 3.0
discovery), registers badgebake with it (unless --client-id), and authorizes
it: the authorization URL is printed on standard error, alone on its line,
and opened in a browser unless --no-browser. The redirect is taken at a
listener on 127.0.0.1, or as one line on standard input holding the full
redirect URL (for a browser on another machine, or CI).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConnect(cmd.Context(), streams, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "name of the connection (default: the provider's host name)")
	f.StringVar(&o.clientID, "client-id", "", "client id registered by hand: skip dynamic registration")
	f.StringVar(&o.clientSecret, "client-secret", "", "client secret going with --client-id (or $"+clientSecretEnv+", which other users cannot see in the process list)")
	f.BoolVar(&o.noBrowser, "no-browser", false, "do not open a browser")
	f.StringVar(&o.redirectURI, "redirect-uri", "", "registered redirect `URI` to use instead of the loopback listener's (paste the URL it lands on)")
	f.IntVar(&o.port, "port", 0, "port of the loopback listener (default: one the system picks)")
	addTimeoutFlag(cmd, &o.timeout)
	addMaxWaitFlag(cmd, &o.maxWait, "registration or token request")
	return cmd
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %d argument(s), got %d", n, len(args))
		}
		return nil
	}
}

func runConnect(ctx context.Context, streams IO, o *connectOptions, providerURL string) error {
	if o.clientSecret == "" && o.clientID != "" {
		o.clientSecret = os.Getenv(clientSecretEnv)
	}
	if (o.clientID == "") != (o.clientSecret == "") {
		return usagef("--client-id and --client-secret (or $%s) go together", clientSecretEnv)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	store, err := backpackStore()
	if err != nil {
		return err
	}
	// Bound before anything is printed, so the redirect cannot arrive
	// before there is someone to take it.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", o.port))
	if err != nil {
		return fmt.Errorf("loopback listener: %w", err)
	}
	defer ln.Close()
	redirectURI := o.redirectURI
	if redirectURI == "" {
		redirectURI = fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port)
	}
	hc := backpackHTTPClient(o.timeout)
	p, err := backpack.Discover(ctx, hc, providerURL)
	if err != nil {
		// Nothing to connect to: the command could not run (exit 2).
		return &usageError{err}
	}
	var reg *backpack.Registration
	if o.clientID != "" {
		reg = &backpack.Registration{ClientID: o.clientID, ClientSecret: o.clientSecret}
	} else {
		err = backpack.RetryThrottled(ctx, o.maxWait, func() (err error) {
			reg, err = backpack.Register(ctx, hc, p, clientMetadata(redirectURI))
			return err
		})
		if err != nil {
			return fmt.Errorf("%w (register badgebake with the provider by hand and give --client-id and --client-secret, or use --redirect-uri with an HTTPS page the provider accepts)", err)
		}
	}
	cfg := p.OAuthConfig(reg, redirectURI)
	auth, err := backpack.NewAuthorization(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(streams.Err, "Open this URL to let badgebake use your backpack:")
	fmt.Fprintln(streams.Err, auth.URL)
	if !o.noBrowser {
		openBrowser(auth.URL)
	}
	redirect, err := awaitRedirect(ctx, streams.In, ln, auth)
	if err != nil {
		return err
	}
	code, err := backpack.ParseRedirect(redirect, auth)
	if err != nil {
		return err
	}
	var tok *oauth2.Token
	err = backpack.RetryThrottled(ctx, o.maxWait, func() (err error) {
		tok, err = backpack.Exchange(backpack.WithHTTPClient(ctx, hc), cfg, code, auth)
		return err
	})
	if err != nil {
		return err
	}
	name := o.name
	if name == "" {
		u, _ := url.Parse(providerURL)
		name = u.Hostname()
	}
	c := &backpack.Connection{Name: name, Provider: *p, Registration: *reg, RedirectURI: redirectURI, Token: tok}
	if err := store.Save(ctx, c); err != nil {
		return err
	}
	fmt.Fprintf(streams.Out, "connected to %s as %q\n", p.Name, name)
	return nil
}

// projectURL is badgebake's home page. Registration wants every URI it is
// given on one HTTPS host, so the logo, terms and privacy statement are
// the project's own files there.
const projectURL = "https://github.com/badgebake/badgebake"

// clientMetadata is what badgebake registers with (RFC 7591): the
// backpack shows the name, logo, terms and privacy statement on its
// consent page.
func clientMetadata(redirectURI string) backpack.ClientMetadata {
	return backpack.ClientMetadata{
		ClientName:      "badgebake",
		ClientURI:       projectURL,
		LogoURI:         projectURL + "/raw/main/docs/logo.png",
		TOSURI:          projectURL + "/blob/main/LICENSE",
		PolicyURI:       projectURL + "/blob/main/docs/privacy.md",
		SoftwareVersion: version(),
		RedirectURIs:    []string{redirectURI},
	}
}

// openBrowser opens u; a failure is ignored, as the URL is printed too.
// $BROWSER, when set, names the program (as for git, gh and Python's
// webbrowser): its first colon-separated entry, split into words, is run
// with the URL as its last argument.
func openBrowser(u string) {
	var argv []string
	if b, _, _ := strings.Cut(os.Getenv("BROWSER"), string(os.PathListSeparator)); strings.TrimSpace(b) != "" {
		argv = append(strings.Fields(b), u)
	} else {
		switch runtime.GOOS {
		case "darwin":
			argv = []string{"open", u}
		case "windows":
			argv = []string{"rundll32", "url.dll,FileProtocolHandler", u}
		default:
			argv = []string{"xdg-open", u}
		}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if cmd.Start() == nil {
		go cmd.Wait() //nolint:errcheck
	}
}

// awaitRedirect returns the first of: a redirect for auth arriving at ln,
// or a line of in holding the redirect URL. At the listener, a request
// whose state is not auth's (another program on this machine, a web page
// guessing the port) is answered 400 and ignored, so that it cannot end
// the wait; a pasted line is returned whatever it holds, for
// ParseRedirect to judge.
func awaitRedirect(ctx context.Context, in io.Reader, ln net.Listener, auth *backpack.Authorization) (string, error) {
	got := make(chan string, 2)
	inputErr := make(chan error, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		var stateErr *backpack.StateError
		if _, err := backpack.ParseRedirect(u.String(), auth); errors.As(err, &stateErr) {
			http.Error(w, "This is not the answer badgebake is waiting for: ignored.", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>badgebake</title><p>badgebake got the answer; you may close this page and go back to the terminal.</p>\n")
		select {
		case got <- u.String():
		default:
		}
	})}
	go srv.Serve(ln) //nolint:errcheck
	defer srv.Close()
	if in != nil {
		go func() {
			line, err := bufio.NewReader(in).ReadString('\n')
			if strings.TrimSpace(line) != "" {
				got <- strings.TrimSpace(line)
				return
			}
			if err == nil {
				err = io.EOF
			}
			inputErr <- err
		}()
	}
	select {
	case r := <-got:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case err := <-inputErr:
		// Standard input closed without a line: wait for the listener.
		_ = err
		select {
		case r := <-got:
			return r, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// loadConnection is the connection called name, or the only one.
func loadConnection(ctx context.Context, store *backpack.FileStore, name string) (*backpack.Connection, error) {
	if name != "" {
		return store.Load(ctx, name)
	}
	names, err := store.List(ctx)
	if err != nil {
		return nil, err
	}
	switch len(names) {
	case 0:
		return nil, usagef("no backpack connected; run `badgebake backpack connect PROVIDER_URL`")
	case 1:
		return store.Load(ctx, names[0])
	}
	return nil, usagef("several backpacks are connected (%s): choose one with --backpack", strings.Join(names, ", "))
}

type pushOptions struct {
	backpack string
	json     bool
	verify   bool
	maxWait  time.Duration
	net      networkOptions
}

func newBackpackPushCmd(streams IO) *cobra.Command {
	o := &pushOptions{}
	cmd := &cobra.Command{
		Use: "push FILE|URL|-...",
		Example: `  badgebake backpack push baked.png credential.json
  badgebake backpack push --json https://issuer.example/assertions/1
  badgebake backpack push --verify --backpack work out/*.png
  badgebake unbake baked.svg | badgebake backpack push -`,
		Short: "Add badges to a connected backpack",
		Long: `push adds each badge to the backpack: a baked PNG or SVG image is unbaked,
a JSON or JWS file is read as it is, a hosted assertion URL is fetched. OB 2.0
badges go to the Badge Connect 2.1 API, OB 3.0 credentials to the OB 3.0 API.
The network flags (--offline, --cache-dir, …) are those of --verify's checks.

Exit status: 0 when every badge was added or replaced, 1 when any was
refused, failed or is not a badge, 2 when nothing could be tried.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPush(cmd.Context(), streams, o, args)
		},
	}
	f := cmd.Flags()
	addBackpackFlag(cmd, &o.backpack)
	f.BoolVar(&o.json, "json", false, "print one JSON object per input")
	addMaxWaitFlag(cmd, &o.maxWait, "push")
	f.BoolVar(&o.verify, "verify", false, "verify each badge here first and push only valid ones (by default the backpack alone verifies)")
	o.net.addFlags(cmd)
	return cmd
}

// pushLine is one input's outcome, as --json prints it.
type pushLine struct {
	Input      string `json:"input"`
	Backpack   string `json:"backpack"`
	API        string `json:"api,omitempty"`
	Result     string `json:"result"`
	HTTPStatus int    `json:"http_status,omitempty"`
	StatusText string `json:"status_text,omitempty"`
	Error      string `json:"error,omitempty"`
	Message    string `json:"message,omitempty"`
}

func runPush(ctx context.Context, streams IO, o *pushOptions, inputs []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	client, err := openBackpack(ctx, o.backpack, o.net.timeout, o.maxWait)
	if err != nil {
		return err
	}
	var v *verify.Verifier
	if o.verify {
		if v, err = o.net.verifier(streams.Err, nil); err != nil {
			return err
		}
	}
	bad := false
	enc := json.NewEncoder(streams.Out)
	for _, in := range inputs {
		line := pushOne(ctx, streams, client, v, in)
		if line.Result != string(backpack.Added) && line.Result != string(backpack.Replaced) {
			bad = true
		}
		if o.json {
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		msg := line.Result
		if line.HTTPStatus != 0 {
			msg += fmt.Sprintf(" (HTTP %d)", line.HTTPStatus)
		}
		if line.Message != "" {
			msg += ": " + line.Message
		}
		if line.Error != "" && !strings.Contains(line.Message, line.Error) {
			msg += " — " + line.Error
		}
		fmt.Fprintf(streams.Out, "%s\t%s\n", in, msg)
	}
	if bad {
		return &silentError{ExitBad}
	}
	return nil
}

func pushOne(ctx context.Context, streams IO, client *backpack.Client, v *verify.Verifier, input string) pushLine {
	line := pushLine{Input: input, Backpack: client.Conn.Name}
	fail := func(result string, err error) pushLine {
		line.Result = result
		line.Message = err.Error()
		return line
	}
	p, err := readPushInput(streams, input)
	if err != nil {
		return fail("not a badge", err)
	}
	if p.Kind != payload.KindURL {
		api, _, err := client.API(p.Generation)
		line.API = string(api)
		if err != nil {
			return fail(string(backpack.Failed), err)
		}
	}
	if v != nil {
		if res := v.VerifyPayload(ctx, p, nil); res.Status != report.StatusValid {
			why := string(res.Status)
			for _, m := range res.Report.Messages {
				if !m.Success && m.MessageLevel == report.Error {
					why += ": " + m.Result
					break
				}
			}
			return fail("not verified", fmt.Errorf("not pushed: the badge is %s", why))
		}
	}
	out, err := client.Push(ctx, p)
	if out == nil {
		// No request could be made: the badge does not suit the backpack.
		result := string(backpack.Failed)
		if errkind.Of(err) == errkind.BadInput {
			result = "not a badge"
		}
		var no *backpack.NotOfferedError
		if errors.As(err, &no) {
			line.API, result = string(no.API), string(backpack.Failed)
		}
		return fail(result, err)
	}
	if out.API != "" {
		line.API = string(out.API)
	}
	line.Result = string(out.Result)
	line.HTTPStatus = out.HTTPStatus
	line.StatusText = out.StatusText
	line.Error = out.Error
	line.Message = out.Message
	if err != nil {
		line.Message = reconnectHint(err, client.Conn).Error()
	}
	return line
}

// readPushInput reads one input: a URL is left for the client to fetch;
// a file or "-" is unbaked when it is an image, else read as a payload.
func readPushInput(streams IO, input string) (*payload.Payload, error) {
	if isURL(input) {
		return payload.Parse([]byte(input))
	}
	data, err := readInputLimited(streams, input)
	if err != nil {
		return nil, err
	}
	if r, uerr := unbake.Bytes(data, nil); uerr == nil && r.Parsed != nil {
		return r.Parsed, nil
	}
	return payload.Parse(data)
}

type listOptions struct {
	backpack string
	since    string
	json     bool
	timeout  time.Duration
	maxWait  time.Duration
}

func newBackpackListCmd(streams IO) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use: "list",
		Example: `  badgebake backpack list
  badgebake backpack list --since 2025-01-01T00:00:00Z --json`,
		Short: "List the badges a connected backpack holds",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackpackBadges(cmd.Context(), streams, o)
		},
	}
	f := cmd.Flags()
	addBackpackFlag(cmd, &o.backpack)
	f.StringVar(&o.since, "since", "", "only badges issued since `T` (RFC 3339)")
	f.BoolVar(&o.json, "json", false, "print one JSON object per badge")
	addTimeoutFlag(cmd, &o.timeout)
	addMaxWaitFlag(cmd, &o.maxWait, "listing")
	return cmd
}

func runBackpackBadges(ctx context.Context, streams IO, o *listOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var since time.Time
	if o.since != "" {
		t, err := time.Parse(time.RFC3339, o.since)
		if err != nil {
			return usagef("--since: want an RFC 3339 time, e.g. 2024-01-31T00:00:00Z: %v", err)
		}
		since = t
	}
	client, err := openBackpack(ctx, o.backpack, o.timeout, o.maxWait)
	if err != nil {
		return err
	}
	badges, listErr := client.List(ctx, since)
	enc := json.NewEncoder(streams.Out)
	for _, b := range badges {
		if o.json {
			if err := enc.Encode(map[string]any{"backpack": client.Conn.Name, "api": b.API, "kind": b.Kind, "id": b.ID, "badge": b.Badge}); err != nil {
				return err
			}
			continue
		}
		id := b.ID
		if id == "" {
			id = "(no id)"
		}
		fmt.Fprintf(streams.Out, "%s\t%s\t%s\n", b.API, b.Kind, id)
	}
	return reconnectHint(listErr, client.Conn)
}

func newBackpackDisconnectCmd(streams IO) *cobra.Command {
	var timeout, maxWait time.Duration
	cmd := &cobra.Command{
		Use: "disconnect [NAME]",
		Example: `  badgebake backpack disconnect
  badgebake backpack disconnect work`,
		Short: "Revoke badgebake's access to a backpack and forget the connection",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			client, err := openBackpack(ctx, name, timeout, maxWait)
			if err != nil {
				return err
			}
			conn := client.Conn
			if err := client.Revoke(ctx); err != nil {
				fmt.Fprintf(streams.Err, "badgebake: warning: the provider did not revoke the token: %v\n", err)
			}
			if err := client.Store.Delete(ctx, conn.Name); err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "disconnected %q\n", conn.Name)
			return nil
		},
	}
	addTimeoutFlag(cmd, &timeout)
	addMaxWaitFlag(cmd, &maxWait, "revocation")
	return cmd
}

type profileOptions struct {
	backpack string
	json     bool
	addEmail string
	timeout  time.Duration
	maxWait  time.Duration
}

func newBackpackProfileCmd(streams IO) *cobra.Command {
	o := &profileOptions{}
	cmd := &cobra.Command{
		Use: "profile",
		Example: `  badgebake backpack profile --json
  badgebake backpack profile --add-email me@example.org`,
		Short: "Show the backpack owner's profile, or add an email address to it",
		Long: `profile shows the profile of the backpack's owner (GET /profile of each API
offered). --add-email adds an address to it (2.1: POST /profile; 3.0: PUT
/profile), so that badges awarded to it are accepted.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackpackProfile(cmd.Context(), streams, o)
		},
	}
	f := cmd.Flags()
	addBackpackFlag(cmd, &o.backpack)
	f.BoolVar(&o.json, "json", false, "print one JSON object per API")
	f.StringVar(&o.addEmail, "add-email", "", "add the email address `E` to the profile")
	addTimeoutFlag(cmd, &o.timeout)
	addMaxWaitFlag(cmd, &o.maxWait, "call")
	return cmd
}

func runBackpackProfile(ctx context.Context, streams IO, o *profileOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	client, err := openBackpack(ctx, o.backpack, o.timeout, o.maxWait)
	if err != nil {
		return err
	}
	var profiles []backpack.APIProfile
	if o.addEmail != "" {
		profiles, err = client.AddEmail(ctx, o.addEmail)
	} else {
		profiles, err = client.Profile(ctx)
	}
	enc := json.NewEncoder(streams.Out)
	for _, p := range profiles {
		if o.json {
			if err := enc.Encode(map[string]any{"backpack": client.Conn.Name, "api": p.API, "profile": p.Profile}); err != nil {
				return err
			}
			continue
		}
		b, err := json.MarshalIndent(p.Profile, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(streams.Out, "%s:\n%s\n", p.API, b)
	}
	return reconnectHint(err, client.Conn)
}
