package backpack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/oauth2"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/atomicfile"
	"github.com/badgebake/badgebake/internal/filelock"
)

// Connection is one connected backpack: where it is, who badgebake is
// there, and the tokens it holds.
type Connection struct {
	Name         string        `json:"name"`
	Provider     Provider      `json:"provider"`
	Registration Registration  `json:"registration"`
	RedirectURI  string        `json:"redirect_uri"`
	Token        *oauth2.Token `json:"token,omitempty"`
}

// String names the connection and hides every secret.
func (c Connection) String() string {
	return fmt.Sprintf("backpack %q at %s, client %s (secret and tokens redacted)",
		c.Name, c.Provider.Token, c.Registration.ClientID)
}

// GoString hides the secrets from %#v too.
func (c Connection) GoString() string { return c.String() }

// OAuthConfig is the connection's oauth2 configuration.
func (c *Connection) OAuthConfig() *oauth2.Config {
	return c.Provider.OAuthConfig(&c.Registration, c.RedirectURI)
}

// TokenStore keeps connections by name. FileStore keeps them in a file; a
// platform can keep them in its database.
type TokenStore interface {
	// Load returns the connection called name, or a *NotConnectedError.
	Load(ctx context.Context, name string) (*Connection, error)
	// Save adds or replaces c (by c.Name).
	Save(ctx context.Context, c *Connection) error
	// Delete forgets the connection called name; deleting one that does
	// not exist is no error.
	Delete(ctx context.Context, name string) error
	// List returns the names of the connections, sorted.
	List(ctx context.Context) ([]string, error)
}

// NotConnectedError is a connection name the store does not hold.
type NotConnectedError struct {
	Name string
}

func (e *NotConnectedError) Error() string {
	return fmt.Sprintf("no backpack connection named %q", e.Name)
}

func (e *NotConnectedError) ErrorKind() errkind.Kind { return errkind.Usage }

// StoreError is a connections file that cannot be used.
type StoreError struct {
	Path   string
	Reason string
	Err    error
}

func (e *StoreError) Error() string {
	s := e.Path + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *StoreError) Unwrap() error { return e.Err }

func (e *StoreError) ErrorKind() errkind.Kind { return errkind.IO }

// DefaultStorePath is backpacks.json in badgebake's folder of the user's
// configuration directory.
func DefaultStorePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "badgebake", "backpacks.json"), nil
}

// FileStore is a TokenStore in one JSON file, mode 0600 in a folder made
// 0700, replaced atomically on every change. It refuses to read a file
// that others can read, as the tokens in it would have leaked.
type FileStore struct {
	path string
	mu   sync.Mutex
}

// NewFileStore returns the store in the file at path (made on first Save).
func NewFileStore(path string) *FileStore { return &FileStore{path: path} }

// Path is the store's file.
func (s *FileStore) Path() string { return s.path }

type storeFile struct {
	Version     int                    `json:"version"`
	Connections map[string]*Connection `json:"connections"`
}

func (s *FileStore) read() (*storeFile, error) {
	f := &storeFile{Version: 1, Connections: map[string]*Connection{}}
	fh, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, &StoreError{Path: s.path, Reason: "cannot open", Err: unwrapPathError(err)}
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, &StoreError{Path: s.path, Reason: "cannot open", Err: unwrapPathError(err)}
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, &StoreError{Path: s.path, Reason: fmt.Sprintf(
			"holds backpack tokens but others can access it (mode %04o): chmod 600 %s, and disconnect and connect again if others could have read it",
			uint32(fi.Mode().Perm()), s.path)}
	}
	if err := json.NewDecoder(fh).Decode(f); err != nil {
		// The decoder's message may quote the file, tokens included.
		return nil, &StoreError{Path: s.path, Reason: "is not a badgebake connections file (not readable JSON)"}
	}
	if f.Connections == nil {
		f.Connections = map[string]*Connection{}
	}
	return f, nil
}

func (s *FileStore) write(f *storeFile) error {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &StoreError{Path: s.path, Reason: "cannot make its folder", Err: unwrapPathError(err)}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return &StoreError{Path: s.path, Reason: "cannot encode", Err: err}
	}
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o600); err != nil {
		return &StoreError{Path: s.path, Reason: "cannot write", Err: unwrapPathError(err)}
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Load implements TokenStore.
func (s *FileStore) Load(_ context.Context, name string) (*Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.read()
	if err != nil {
		return nil, err
	}
	c, ok := f.Connections[name]
	if !ok || c == nil {
		return nil, &NotConnectedError{Name: name}
	}
	c.Name = name
	return c, nil
}

// update runs change on the file's connections and writes them back,
// holding the store's lock (the mutex for this process, a lock file beside
// the store for others): two badgebake processes saving at once (a push
// keeping a rotated refresh token while a connect adds a backpack) must
// not write over each other's change, as a lost refresh token ends a
// connection.
func (s *FileStore) update(change func(f *storeFile) (write bool)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return &StoreError{Path: s.path, Reason: "cannot make its folder", Err: unwrapPathError(err)}
	}
	unlock, err := filelock.Exclusive(s.path+".lock", true)
	if err != nil {
		return &StoreError{Path: s.path, Reason: "cannot lock", Err: unwrapPathError(err)}
	}
	defer unlock()
	f, err := s.read()
	if err != nil {
		return err
	}
	if !change(f) {
		return nil
	}
	return s.write(f)
}

// Save implements TokenStore.
func (s *FileStore) Save(_ context.Context, c *Connection) error {
	if c.Name == "" {
		return errors.New("backpack: a connection needs a name")
	}
	cp := *c
	return s.update(func(f *storeFile) bool {
		f.Connections[c.Name] = &cp
		return true
	})
}

// Delete implements TokenStore.
func (s *FileStore) Delete(_ context.Context, name string) error {
	return s.update(func(f *storeFile) bool {
		if _, ok := f.Connections[name]; !ok {
			return false
		}
		delete(f.Connections, name)
		return true
	})
}

// List implements TokenStore.
func (s *FileStore) List(_ context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.read()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(f.Connections))
	for n := range f.Connections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// TokenSource gives c's access token, refreshing it through hc when it has
// expired. A refreshed token (with a rotated refresh token, when the
// provider rotates them) is put in c and saved to store at once, before
// it is used: a rotated refresh token that was not kept would end the
// connection. A refused refresh is a *TokenError whose Reconnect is true.
func (c *Connection) TokenSource(ctx context.Context, hc *http.Client, store TokenStore) oauth2.TokenSource {
	cfg := c.OAuthConfig()
	inner := cfg.TokenSource(WithHTTPClient(ctx, hc), c.Token)
	saving := &savingSource{ctx: ctx, conn: c, store: store, inner: inner, last: c.Token}
	return oauth2.ReuseTokenSource(c.Token, saving)
}

// Refresh refreshes c's access token now, whatever its expiry (after a
// 401 from the API, say), and saves it to store.
func (c *Connection) Refresh(ctx context.Context, hc *http.Client, store TokenStore) (*oauth2.Token, error) {
	if c.Token == nil || c.Token.RefreshToken == "" {
		return nil, &TokenError{Op: "refresh", URL: c.Provider.Token, Code: "invalid_grant",
			Description: "no refresh token is stored"}
	}
	expired := *c.Token
	expired.AccessToken = ""
	c.Token = &expired
	return c.TokenSource(ctx, hc, store).Token()
}

type savingSource struct {
	ctx   context.Context
	conn  *Connection
	store TokenStore
	inner oauth2.TokenSource
	mu    sync.Mutex
	last  *oauth2.Token
}

func (s *savingSource) Token() (*oauth2.Token, error) {
	if s.last == nil || s.last.RefreshToken == "" {
		// oauth2 would say "token expired and refresh token is not set",
		// which reads like a fault; it means a new authorization.
		return nil, &TokenError{Op: "refresh", URL: s.conn.Provider.Token, Code: "invalid_grant",
			Description: "the access token expired and no refresh token is stored"}
	}
	tok, err := s.inner.Token()
	if err != nil {
		return nil, tokenError("refresh", s.conn.Provider.Token, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok != s.last {
		s.last = tok
		s.conn.Token = tok
		if s.store != nil {
			if err := s.store.Save(s.ctx, s.conn); err != nil {
				return nil, err
			}
		}
	}
	return tok, nil
}
