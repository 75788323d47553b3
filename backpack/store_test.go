package backpack_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/badgebake/badgebake/backpack"
)

func sampleConnection(name string) *backpack.Connection {
	return &backpack.Connection{
		Name:         name,
		Provider:     backpack.Provider{Name: "B", Authorization: "https://b.example/a", Token: "https://b.example/t", Scopes: []string{"offline_access"}, API21Base: "https://b.example/ims/ob/v2p1"},
		Registration: backpack.Registration{ClientID: "client-1", ClientSecret: "CLIENTSECRET"},
		RedirectURI:  testRedirectURI,
		Token:        &oauth2.Token{AccessToken: "ACCESSTOKEN", RefreshToken: "REFRESHTOKEN", TokenType: "Bearer", Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
}

func TestFileStoreRoundTrip(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("modes are POSIX")
	}
	dir := filepath.Join(t.TempDir(), "config", "badgebake")
	path := filepath.Join(dir, "backpacks.json")
	store := backpack.NewFileStore(path)
	ctx := context.Background()
	if names, err := store.List(ctx); err != nil || len(names) != 0 {
		t.Fatalf("empty store: %v %v", names, err)
	}
	_, err := store.Load(ctx, "b.example")
	var nc *backpack.NotConnectedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want *NotConnectedError", err)
	}
	want := sampleConnection("b.example")
	for _, c := range []*backpack.Connection{want, sampleConnection("a.example")} {
		if err := store.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for p, mode := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s mode %04o, want %04o", p, fi.Mode().Perm(), mode)
		}
	}
	got, err := store.Load(ctx, "b.example")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Provider, want.Provider) || got.Registration != want.Registration ||
		got.RedirectURI != want.RedirectURI || got.Token.AccessToken != "ACCESSTOKEN" ||
		got.Token.RefreshToken != "REFRESHTOKEN" || !got.Token.Expiry.Equal(want.Token.Expiry) {
		t.Errorf("round trip\n got %#v\nwant %#v", *got, *want)
	}
	if names, _ := store.List(ctx); !reflect.DeepEqual(names, []string{"a.example", "b.example"}) {
		t.Errorf("names %v", names)
	}
	if err := store.Delete(ctx, "a.example"); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, "never"); err != nil {
		t.Fatal(err)
	}
	if names, _ := store.List(ctx); !reflect.DeepEqual(names, []string{"b.example"}) {
		t.Errorf("names after delete %v", names)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestFileStoreRefusesOpenFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("modes are POSIX")
	}
	path := filepath.Join(t.TempDir(), "backpacks.json")
	store := backpack.NewFileStore(path)
	ctx := context.Background()
	if err := store.Save(ctx, sampleConnection("b")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := store.Load(ctx, "b")
	var se *backpack.StoreError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err = %v, want a refusal naming chmod 600", err)
	}
	if err := store.Save(ctx, sampleConnection("c")); err == nil {
		t.Error("saved into a file others can read")
	}
	secretSet{"CLIENTSECRET", "ACCESSTOKEN", "REFRESHTOKEN"}.check(t, err)

	// A broken file: the message must not quote it.
	os.WriteFile(path, []byte(`{"connections": {"b": {"token": ACCESSTOKEN}}}`), 0o600)
	_, err = store.Load(ctx, "b")
	if err == nil {
		t.Fatal("read a broken file")
	}
	secretSet{"ACCESSTOKEN"}.check(t, err)
}

func TestConnectionStringRedacts(t *testing.T) {
	c := sampleConnection("b.example")
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v", *c, *c, *c), fmt.Sprint(c.Registration)} {
		for _, secret := range []string{"CLIENTSECRET", "ACCESSTOKEN", "REFRESHTOKEN"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q shows %s", s, secret)
			}
		}
	}
	if !strings.Contains(c.String(), "b.example") {
		t.Errorf("%q does not name the connection", c)
	}
}

func TestDefaultStorePath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	t.Setenv("HOME", "/home/u")
	p, err := backpack.DefaultStorePath()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && p != "/cfg/badgebake/backpacks.json" {
		t.Errorf("path %q", p)
	}
}

// Stores of one file in several processes (here, several FileStores: each
// has its own mutex, and only the lock file keeps them apart) lose none
// of each other's saves.
func TestFileStoreConcurrentStoresKeepEverySave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "backpacks.json")
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- backpack.NewFileStore(path).Save(context.Background(), sampleConnection(fmt.Sprintf("b%02d", i)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	names, err := backpack.NewFileStore(path).List(context.Background())
	if err != nil || len(names) != n {
		t.Fatalf("%d connections kept (%v), want %d: %v", len(names), err, n, names)
	}
}
