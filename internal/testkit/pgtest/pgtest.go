// Package pgtest gives tests a PostgreSQL database of their own on the
// server that .ci/run starts.
//
// BADGEBAKE_TEST_POSTGRES names the server, e.g.
// postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable, as a role
// allowed to create databases. Without it, or with a server that does not
// answer, a test that needs PostgreSQL is skipped, except in CI (CI=true),
// where it fails: CI must run them.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Env is the variable that names the test server.
const Env = "BADGEBAKE_TEST_POSTGRES"

// DSN creates a database no other test uses on the test server and returns
// its connection URL; the database is dropped when the test ends (after
// the test's own cleanups, which close its connections). The test is
// skipped (failed in CI) when there is no server.
func DSN(t testing.TB) string {
	t.Helper()
	server := os.Getenv(Env)
	if server == "" {
		unavailable(t, Env+" is not set (e.g. "+Env+"=postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable with a PostgreSQL server there; .ci/run starts one)")
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s is not a postgres:// URL", Env)
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		unavailable(t, Env+"="+u.Redacted()+" does not answer: "+err.Error())
	}

	b := make([]byte, 8)
	rand.Read(b)
	name := "badgebake_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("creating test database %s: %v", name, err)
	}
	t.Cleanup(func() { drop(t, server, name) })

	u.Path = "/" + name
	return u.String()
}

// drop removes the test database, ending connections a test left open
// (a child process killed mid-test, say).
func drop(t testing.TB, server, name string) {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Errorf("dropping test database %s: %v", name, err)
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("dropping test database %s: %v", name, err)
	}
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("PostgreSQL tests must run in CI: " + why)
	}
	t.Skip("no PostgreSQL: " + why)
}
