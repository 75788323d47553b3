package backpack_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgebake/badgebake/backpack"
	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
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
