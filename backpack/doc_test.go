package backpack_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgebake/badgebake/backpack"
	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
	"github.com/badgebake/badgebake/payload"
)

// Connecting to a backpack: discover it, register, let the user authorize,
// exchange the code and keep the connection.
func Example_connect() {
	t := &exampleT{}
	defer t.cleanup()
	fake := fakebackpack.New(t, fakebackpack.Options{}) // stands in for https://backpack.example
	ctx := context.Background()
	hc := fake.Client()

	p, err := backpack.Discover(ctx, hc, fake.URL())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name, "offers 2.1:", p.API21Base != "", "3.0:", p.API30Base != "")

	reg, err := backpack.Register(ctx, hc, p, backpack.ClientMetadata{
		ClientName: "badgebake", ClientURI: "https://badgebake.example/",
		RedirectURIs: []string{"http://127.0.0.1:8765/callback"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := p.OAuthConfig(reg, "http://127.0.0.1:8765/callback")
	auth, _ := backpack.NewAuthorization(cfg)

	// The user opens auth.URL and consents; the browser comes back to the
	// redirect URI.
	redirect := fake.Authorize(auth.URL)
	code, err := backpack.ParseRedirect(redirect, auth)
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := backpack.Exchange(backpack.WithHTTPClient(ctx, hc), cfg, code, auth)
	if err != nil {
		fmt.Println(err)
		return
	}

	dir, _ := os.MkdirTemp("", "backpack-example")
	defer os.RemoveAll(dir)
	store := backpack.NewFileStore(filepath.Join(dir, "backpacks.json"))
	conn := &backpack.Connection{Name: "backpack.example", Provider: *p, Registration: *reg,
		RedirectURI: cfg.RedirectURL, Token: tok}
	if err := store.Save(ctx, conn); err != nil {
		fmt.Println(err)
		return
	}
	names, _ := store.List(ctx)
	fmt.Println("connections:", names, "refresh token:", tok.RefreshToken != "")
	// Output:
	// Fake Backpack offers 2.1: true 3.0: true
	// connections: [backpack.example] refresh token: true
}

// exampleT lets an Example use the test fake.
type exampleT struct {
	testing.TB // nil: New calls only Helper and Cleanup
	cleanups   []func()
}

func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Helper()          {}
func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// Pushing badges with a Client: it picks the API by the badge's
// generation and refreshes the access token when it must.
func ExampleClient_Push() {
	t := &exampleT{}
	defer t.cleanup()
	fake := fakebackpack.New(t, fakebackpack.Options{}) // stands in for https://backpack.example
	fake.Handle("POST /ims/ob/v3p0/credentials", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fake.Authenticated(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	conn, err := exampleConnection(fake)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	// A store keeps refreshed tokens; nil keeps them in conn only.
	client := backpack.NewClient(conn, nil, fake.Client())
	badge, err := payload.Parse([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],
		"type":["VerifiableCredential","OpenBadgeCredential"],"id":"urn:uuid:1"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fake.UnauthorizedOnce() // the provider refuses the token once: refreshed, pushed again
	out, err := client.Push(ctx, badge)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.API, out.Result, out.HTTPStatus)
	// Output:
	// ob30 added 201
}

// exampleConnection connects to fake as Example_connect does.
func exampleConnection(fake *fakebackpack.Provider) (*backpack.Connection, error) {
	ctx, hc, redirect := context.Background(), fake.Client(), "http://127.0.0.1:8765/callback"
	p, err := backpack.Discover(ctx, hc, fake.URL())
	if err != nil {
		return nil, err
	}
	reg, err := backpack.Register(ctx, hc, p, backpack.ClientMetadata{ClientName: "badgebake", RedirectURIs: []string{redirect}})
	if err != nil {
		return nil, err
	}
	cfg := p.OAuthConfig(reg, redirect)
	auth, err := backpack.NewAuthorization(cfg)
	if err != nil {
		return nil, err
	}
	code, err := backpack.ParseRedirect(fake.Authorize(auth.URL), auth)
	if err != nil {
		return nil, err
	}
	tok, err := backpack.Exchange(backpack.WithHTTPClient(ctx, hc), cfg, code, auth)
	if err != nil {
		return nil, err
	}
	return &backpack.Connection{Name: "backpack.example", Provider: *p, Registration: *reg, RedirectURI: redirect, Token: tok}, nil
}
