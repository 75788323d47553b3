// Package redistest gives tests the Redis server that .ci/run starts: its
// URL, keys of their own, and a proxy that can cut it off.
//
// BADGEBAKE_TEST_REDIS names the server, e.g. redis://127.0.0.1:6390/0.
// Without it, or with a server that does not answer, a test that needs
// Redis is skipped, except in CI (CI=true), where it fails: CI must run
// them.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Env is the variable that names the test server.
const Env = "BADGEBAKE_TEST_REDIS"

// URL returns the test server's URL after checking that it answers; the
// test is skipped (failed in CI) otherwise.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		unavailable(t, Env+" is not set (e.g. "+Env+"=redis://127.0.0.1:6390/0 with a redis-server there; .ci/run starts one)")
	}
	rdb := Client(t, u)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		unavailable(t, Env+"="+u+" does not answer: "+err.Error())
	}
	return u
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("Redis tests must run in CI: " + why)
	}
	t.Skip("no Redis: " + why)
}

// Client returns a client of the server at u, closed when the test ends.
func Client(t testing.TB, u string) *redis.Client {
	t.Helper()
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Prefix returns a key prefix no other test uses, and deletes the keys
// under it when the test ends.
func Prefix(t testing.TB, u string) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	prefix := "badgebake-test:" + hex.EncodeToString(b) + ":"
	rdb := Client(t, u)
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return prefix
}

// Proxy forwards loopback connections to the Redis server at u until Cut.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	cut    bool
	hang   bool
}

// NewProxy starts a Proxy to the server at u; URL is the proxy's.
func NewProxy(t testing.TB, u string) *Proxy {
	t.Helper()
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: o.Addr}
	go p.accept()
	t.Cleanup(p.Cut)
	return p
}

// URL is the proxy's redis:// URL (database 0).
func (p *Proxy) URL() string { return "redis://" + p.ln.Addr().String() + "/0" }

// Cut closes the listener and every connection: Redis is gone.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// Hang makes the proxy accept connections and forward nothing more, on
// new connections and those already open: Redis is there but never
// answers.
func (p *Proxy) Hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hang = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns = append(p.conns, c)
		hang := p.hang
		p.mu.Unlock()
		if hang {
			continue // held open, never read: closed by Cut
		}
		go p.forward(c)
	}
}

func (p *Proxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, s)
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
	c.Close()
}

// DB returns the URL of database db on the test server, emptied now and
// when the test ends, for a test of a program that uses its own key names.
// Each package that uses DB takes a db number of its own.
func DB(t testing.TB, u string, db int) string {
	t.Helper()
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	o.DB = db
	rdb := redis.NewClient(o)
	flush := func() {
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatalf("FLUSHDB on database %d: %v", db, err)
		}
	}
	flush()
	t.Cleanup(func() { flush(); rdb.Close() })
	pu, _ := url.Parse(u)
	pu.Path = "/" + strconv.Itoa(db)
	return pu.String()
}
