package pgtest_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/pgtest"
)

// TestDSNIsAFreshDatabaseDroppedAfterwards: each call is a database of its
// own, usable, and gone when its test ends.
func TestDSNIsAFreshDatabaseDroppedAfterwards(t *testing.T) {
	var names []string
	for range 2 {
		t.Run("user", func(t *testing.T) {
			dsn := pgtest.DSN(t)
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var name string
			if err := db.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
				t.Fatal(err)
			}
			if u, _ := url.Parse(dsn); u.Path != "/"+name || !strings.HasPrefix(name, "badgebake_test_") {
				t.Fatalf("DSN %s is connected to database %q", dsn, name)
			}
			names = append(names, name)
		})
	}
	if t.Failed() || len(names) < 2 {
		return // skipped, or already failed
	}
	if names[0] == names[1] {
		t.Fatalf("two tests got the same database %s", names[0])
	}
	admin, err := sql.Open("pgx", os.Getenv(pgtest.Env))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, name := range names {
		var n int
		if err := admin.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s is still there after its test", name)
		}
	}
}
