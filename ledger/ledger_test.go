package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/internal/testkit/pgtest"
)

// backends runs test against an SQLite file and, when a test server is
// there (see pgtest), a PostgreSQL database; dsn names a fresh ledger.
func backends(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, filepath.Join(t.TempDir(), "issued.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, pgtest.DSN(t))
	})
}

func open(t testing.TB, dsn string) *Ledger {
	t.Helper()
	l, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func reservation(key string) Reservation {
	return Reservation{
		RowKey:        key,
		CredentialID:  "urn:uuid:" + key,
		RecipientHash: "sha256$" + key,
		StatusListURL: "https://issuer.example/status/1",
		Format:        "vc-jwt",
		OutputFile:    key + ".png",
		WantIndex:     true,
	}
}

func schemaVersions(t *testing.T, l *Ledger) []int {
	t.Helper()
	rows, err := l.db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	return versions
}

func TestSchemaVersionIsTheMigrationsCount(t *testing.T) {
	if SchemaVersion != len(migrations) {
		t.Fatalf("SchemaVersion = %d, but there are %d migrations", SchemaVersion, len(migrations))
	}
}

func TestMigrationsFromEmptyAndReopen(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		want := []int{1}
		if got := schemaVersions(t, l); !slices.Equal(got, want) {
			t.Fatalf("schema versions after creation = %v, want %v", got, want)
		}
		if _, _, err := l.Reserve(ctx, reservation("a")); err != nil {
			t.Fatal(err)
		}
		l.Close()

		again := open(t, dsn)
		if got := schemaVersions(t, again); !slices.Equal(got, want) {
			t.Fatalf("schema versions after reopening = %v, want %v", got, want)
		}
		if e, err := again.Lookup(ctx, "a"); err != nil || e.CredentialID != "urn:uuid:a" {
			t.Fatalf("after reopening, Lookup(a) = %+v, %v", e, err)
		}
		// A second handle opened while the first is open migrates nothing.
		third := open(t, dsn)
		if got := schemaVersions(t, third); !slices.Equal(got, want) {
			t.Fatalf("schema versions with two handles = %v, want %v", got, want)
		}
	})
}

func TestConcurrentOpensOfANewLedgerMigrateOnce(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				l, err := Open(context.Background(), dsn)
				if err == nil {
					l.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := schemaVersions(t, open(t, dsn)); !slices.Equal(got, []int{1}) {
			t.Fatalf("schema versions = %v, want [1]", got)
		}
	})
}

func TestLedgerFromANewerBadgebakeIsRefused(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		l := open(t, dsn)
		if _, err := l.db.Exec(l.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), SchemaVersion+7, formatTime(time.Now())); err != nil {
			t.Fatal(err)
		}
		l.Close()

		_, err := Open(context.Background(), dsn)
		var v *VersionError
		if !errors.As(err, &v) {
			t.Fatalf("Open of a ledger of version %d: %v, want a *VersionError", SchemaVersion+7, err)
		}
		if v.Version != SchemaVersion+7 || v.Known != SchemaVersion {
			t.Errorf("VersionError = %+v, want Version %d, Known %d", v, SchemaVersion+7, SchemaVersion)
		}
		if !strings.Contains(err.Error(), "newer badgebake") {
			t.Errorf("message %q does not say a newer badgebake wrote it", err)
		}
		if errkind.Of(err) != errkind.BadInput {
			t.Errorf("kind = %v, want bad input", errkind.Of(err))
		}
	})
}

func TestReserveCompleteAndResume(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)

		a, existing, err := l.Reserve(ctx, reservation("a"))
		if err != nil || existing {
			t.Fatalf("Reserve(a) = %+v, %v, %v; want a new entry", a, existing, err)
		}
		if a.StatusIndex < 0 || a.StatusIndex >= MinListSize {
			t.Fatalf("Reserve(a): status index %d, want one in [0, %d)", a.StatusIndex, MinListSize)
		}
		want := Entry{CredentialID: "urn:uuid:a", RowKey: "a", RecipientHash: "sha256$a", StatusListURL: "https://issuer.example/status/1", Format: "vc-jwt", OutputFile: "a.png", StatusIndex: a.StatusIndex, State: Reserved}
		if *a != want {
			t.Fatalf("Reserve(a) = %+v, want %+v", *a, want)
		}
		b, _, err := l.Reserve(ctx, reservation("b"))
		if err != nil || b.StatusIndex < 0 || b.StatusIndex >= MinListSize || b.StatusIndex == a.StatusIndex {
			t.Fatalf("Reserve(b) = %+v, %v; want another index in [0, %d)", b, err, MinListSize)
		}
		noIndex := reservation("c")
		noIndex.WantIndex = false
		c, _, err := l.Reserve(ctx, noIndex)
		if err != nil || c.StatusIndex != -1 || c.StatusListURL != "" {
			t.Fatalf("Reserve(c) without an index = %+v, %v; want index -1 and no list", c, err)
		}

		// A second run reserving row a again, with a fresh credential id,
		// gets the first run's entry: same id, same index.
		rerun := reservation("a")
		rerun.CredentialID = "urn:uuid:fresh"
		again, existing, err := l.Reserve(ctx, rerun)
		if err != nil || !existing || *again != want {
			t.Fatalf("Reserve(a) again = %+v, %v, %v; want the existing %+v", again, existing, err, want)
		}

		issuedAt := time.Date(2026, 12, 6, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))
		if err := l.Complete(ctx, "a", issuedAt); err != nil {
			t.Fatal(err)
		}
		done, existing, err := l.Reserve(ctx, rerun)
		if err != nil || !existing || done.State != Issued || !done.IssuedAt.Equal(issuedAt) || done.CredentialID != "urn:uuid:a" {
			t.Fatalf("Reserve(a) after Complete = %+v, %v, %v; want the issued entry", done, existing, err)
		}
		// Completing twice keeps the first time.
		if err := l.Complete(ctx, "a", issuedAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if e, _ := l.Lookup(ctx, "a"); !e.IssuedAt.Equal(issuedAt) {
			t.Errorf("IssuedAt after a second Complete = %v, want %v", e.IssuedAt, issuedAt)
		}
		if err := l.Complete(ctx, "nope", issuedAt); !errors.Is(err, ErrNotFound) {
			t.Errorf("Complete(nope) = %v, want ErrNotFound", err)
		}

		// A credential id used by another row is refused.
		clash := reservation("d")
		clash.CredentialID = "urn:uuid:b"
		if e, _, err := l.Reserve(ctx, clash); err == nil || errkind.Of(err) != errkind.Usage || !strings.Contains(err.Error(), `already row "b"`) {
			t.Errorf("Reserve with another row's credential id = %+v, %v; want a usage error naming row b", e, err)
		}

		issued, reserved, revoked, err := l.Counts(ctx)
		if err != nil || issued != 1 || reserved != 2 || revoked != 0 {
			t.Errorf("Counts = %d issued, %d reserved, %d revoked, %v; want 1, 2, 0", issued, reserved, revoked, err)
		}
		if max, err := l.MaxIndex(ctx, "https://issuer.example/status/1"); err != nil || max != maxInt(a.StatusIndex, b.StatusIndex) {
			t.Errorf("MaxIndex = %d, %v; want %d", max, err, maxInt(a.StatusIndex, b.StatusIndex))
		}
		if max, err := l.MaxIndex(ctx, "https://issuer.example/status/other"); err != nil || max != -1 {
			t.Errorf("MaxIndex of an unknown list = %d, %v; want -1", max, err)
		}
		// Each list has its own indexes: the second list's first entry
		// may take an index the first list uses.
		other := reservation("e")
		other.StatusListURL = "https://issuer.example/status/2"
		if e, _, err := l.Reserve(ctx, other); err != nil || e.StatusIndex < 0 || e.StatusIndex >= MinListSize {
			t.Errorf("first Reserve in a second list = %+v, %v; want an index in [0, %d)", e, err, MinListSize)
		}
		if max, err := l.MaxIndex(ctx, other.StatusListURL); err != nil || max < 0 {
			t.Errorf("MaxIndex of the second list = %d, %v", max, err)
		}
	})
}

func maxInt(a, b int) int { return max(a, b) }

func TestReserveRefusesAnIncompleteReservation(t *testing.T) {
	l := open(t, filepath.Join(t.TempDir(), "issued.db"))
	for name, r := range map[string]Reservation{
		"no row key":       {CredentialID: "urn:uuid:1"},
		"no credential id": {RowKey: "a"},
		"index, no list":   {RowKey: "a", CredentialID: "urn:uuid:1", WantIndex: true},
	} {
		if _, _, err := l.Reserve(context.Background(), r); err == nil || errkind.Of(err) != errkind.Usage {
			t.Errorf("%s: Reserve = %v, want a usage error", name, err)
		}
	}
}

func TestLookupByIDOrRowKey(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		l.Reserve(ctx, reservation("a"))
		// Row b's key is row a's credential id: the id wins.
		confusing := reservation("urn:uuid:a")
		confusing.CredentialID = "urn:uuid:other"
		l.Reserve(ctx, confusing)
		for key, wantRow := range map[string]string{"a": "a", "urn:uuid:a": "a", "urn:uuid:other": "urn:uuid:a"} {
			e, err := l.Lookup(ctx, key)
			if err != nil || e.RowKey != wantRow {
				t.Errorf("Lookup(%q) = %+v, %v; want row %q", key, e, err, wantRow)
			}
		}
		_, err := l.Lookup(ctx, "missing")
		var nf *NotFoundError
		if !errors.Is(err, ErrNotFound) || !errors.As(err, &nf) || !slices.Equal(nf.Keys, []string{"missing"}) || !strings.Contains(err.Error(), `"missing"`) {
			t.Errorf("Lookup(missing) = %v, want a NotFoundError naming it", err)
		}
	})
}

func TestRevokeIsAllOrNothing(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		for _, k := range []string{"a", "b", "c", "d"} {
			l.Reserve(ctx, reservation(k))
			l.Complete(ctx, k, time.Now())
		}
		at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

		_, err := l.Revoke(ctx, []string{"a", "ghost", "urn:uuid:b", "phantom"}, "mistake", at)
		var nf *NotFoundError
		if !errors.As(err, &nf) || !slices.Equal(nf.Keys, []string{"ghost", "phantom"}) {
			t.Fatalf("Revoke with unknown ids = %v, want a NotFoundError naming ghost and phantom", err)
		}
		if !strings.Contains(err.Error(), `"ghost"`) || !strings.Contains(err.Error(), `"phantom"`) {
			t.Errorf("message %q does not name the unknown ids", err)
		}
		if _, _, revoked, _ := l.Counts(ctx); revoked != 0 {
			t.Fatalf("after a failed Revoke, %d credentials are revoked, want 0", revoked)
		}

		got, err := l.Revoke(ctx, []string{"urn:uuid:c", "a"}, "left the course", at)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].RowKey != "c" || got[1].RowKey != "a" {
			t.Fatalf("Revoke returned %+v, want c then a", got)
		}
		for _, e := range got {
			if !e.Revoked || !e.RevokedAt.Equal(at) || e.RevokeReason != "left the course" {
				t.Errorf("revoked entry %+v", e)
			}
		}
		// Revoking again is fine and keeps the first time and reason.
		again, err := l.Revoke(ctx, []string{"a"}, "second thoughts", at.Add(time.Hour))
		if err != nil || !again[0].RevokedAt.Equal(at) || again[0].RevokeReason != "left the course" {
			t.Errorf("second Revoke = %+v, %v; want the first revocation kept", again, err)
		}
		wantIndexes := []int{got[0].StatusIndex, got[1].StatusIndex}
		slices.Sort(wantIndexes)
		indexes, err := l.RevokedIndexes(ctx, "https://issuer.example/status/1")
		if err != nil || !slices.Equal(indexes, wantIndexes) {
			t.Errorf("RevokedIndexes = %v, %v; want %v", indexes, err, wantIndexes)
		}
		if indexes, err := l.RevokedIndexes(ctx, "https://issuer.example/status/none"); err != nil || len(indexes) != 0 {
			t.Errorf("RevokedIndexes of an unknown list = %v, %v; want none", indexes, err)
		}
		if issued, reserved, revoked, err := l.Counts(ctx); err != nil || issued != 4 || reserved != 0 || revoked != 2 {
			t.Errorf("Counts = %d, %d, %d, %v; want 4 issued, 0 reserved, 2 revoked", issued, reserved, revoked, err)
		}
	})
}

func TestEntriesOrder(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		// Reserved out of key order; two without an index.
		var indexed []Entry
		for _, k := range []string{"m", "z", "b", "y"} {
			e, _, err := l.Reserve(ctx, reservation(k))
			if err != nil {
				t.Fatal(err)
			}
			indexed = append(indexed, *e)
		}
		// By status index, then the entries without one by row key.
		slices.SortFunc(indexed, func(a, b Entry) int { return a.StatusIndex - b.StatusIndex })
		var want []string
		for _, e := range indexed {
			want = append(want, fmt.Sprintf("%s:%d", e.RowKey, e.StatusIndex))
		}
		want = append(want, "a:-1", "x:-1")
		for _, k := range []string{"x", "a"} {
			r := reservation(k)
			r.WantIndex = false
			l.Reserve(ctx, r)
		}
		var got []string
		err := l.Entries(ctx, func(e Entry) error {
			got = append(got, fmt.Sprintf("%s:%d", e.RowKey, e.StatusIndex))
			return nil
		})
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Entries = %v, %v; want %v", got, err, want)
		}
		stop := errors.New("stop")
		n := 0
		err = l.Entries(ctx, func(Entry) error { n++; return stop })
		if err != stop || n != 1 {
			t.Errorf("Entries whose fn fails = %v after %d calls, want fn's error after 1", err, n)
		}
	})
}

func TestMeta(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		l := open(t, dsn)
		if v, ok, err := l.Meta(ctx, "status_list_url"); err != nil || ok || v != "" {
			t.Fatalf("Meta of an unset key = %q, %v, %v", v, ok, err)
		}
		for _, v := range []string{"https://a.example/1", "https://a.example/2"} {
			if err := l.SetMeta(ctx, "status_list_url", v); err != nil {
				t.Fatal(err)
			}
			if got, ok, err := l.Meta(ctx, "status_list_url"); err != nil || !ok || got != v {
				t.Fatalf("Meta after SetMeta(%q) = %q, %v, %v", v, got, ok, err)
			}
		}
	})
}

// TestConcurrentReservations: two handles on one ledger, 500 reservations
// each at once, then both reserving the same rows: no index is handed out
// twice, and a row reserved by both is one entry.
func TestConcurrentReservations(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		handles := []*Ledger{open(t, dsn), open(t, dsn)}
		const each = 500
		var wg sync.WaitGroup
		errs := make(chan error, 2*each)
		for h, l := range handles {
			wg.Go(func() {
				for i := range each {
					if _, _, err := l.Reserve(ctx, reservation(fmt.Sprintf("h%d-%04d", h, i))); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		checkIndexes(t, handles[0], 2*each)

		// Both handles reserve the same 50 rows: each gets the same entry.
		const shared = 50
		results := [2][shared]*Entry{}
		var fresh [2]int
		for h, l := range handles {
			wg.Go(func() {
				for i := range shared {
					r := reservation(fmt.Sprintf("shared-%02d", i))
					r.CredentialID += fmt.Sprintf("-by-%d", h)
					e, existing, err := l.Reserve(ctx, r)
					if err != nil {
						t.Error(err)
						return
					}
					results[h][i] = e
					if !existing {
						fresh[h]++
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		if fresh[0]+fresh[1] != shared {
			t.Errorf("%d + %d reservations of %d shared rows were new, want %d in all", fresh[0], fresh[1], shared, shared)
		}
		for i := range shared {
			if *results[0][i] != *results[1][i] {
				t.Errorf("row shared-%02d: the handles got %+v and %+v", i, *results[0][i], *results[1][i])
			}
		}
		checkIndexes(t, handles[1], 2*each+shared)
	})
}

// checkIndexes checks that the ledger holds n entries of the test list,
// each with its own index within the list's capacity, and that MaxIndex
// is the largest of them.
func checkIndexes(t *testing.T, l *Ledger, n int) {
	t.Helper()
	seen := map[int]string{}
	largest := -1
	err := l.Entries(context.Background(), func(e Entry) error {
		if other, dup := seen[e.StatusIndex]; dup {
			return fmt.Errorf("status index %d handed out to %s and %s", e.StatusIndex, other, e.RowKey)
		}
		if e.StatusIndex < 0 || e.StatusIndex >= ListCapacity(n) {
			return fmt.Errorf("status index %d of %s is outside [0, %d)", e.StatusIndex, e.RowKey, ListCapacity(n))
		}
		seen[e.StatusIndex] = e.RowKey
		largest = max(largest, e.StatusIndex)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("%d entries, want %d", len(seen), n)
	}
	if max, err := l.MaxIndex(context.Background(), "https://issuer.example/status/1"); err != nil || max != largest {
		t.Fatalf("MaxIndex = %d, %v; want %d", max, err, largest)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		dsn  string
		kind errkind.Kind
		says string
	}{
		{"mysql://root@localhost/issued", errkind.Usage, "unsupported ledger"},
		{"", errkind.Usage, "no ledger file"},
		{filepath.Join(dir, "missing", "issued.db"), errkind.IO, "does not exist"},
		{dir, errkind.Usage, "directory"},
		{"sqlite:" + filepath.Join(dir, "what?.db"), errkind.Usage, "cannot contain"},
	} {
		l, err := Open(ctx, c.dsn)
		if err == nil {
			l.Close()
			t.Errorf("Open(%q) succeeded", c.dsn)
			continue
		}
		if errkind.Of(err) != c.kind || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Open(%q) = %v (%v), want a %v error saying %q", c.dsn, err, errkind.Of(err), c.kind, c.says)
		}
	}
	// sqlite: names a file like a bare path.
	path := filepath.Join(dir, "prefixed.db")
	l, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if l, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	if got := schemaVersions(t, l); !slices.Equal(got, []int{1}) {
		t.Errorf("the sqlite: file and the path are not the same ledger: versions %v", got)
	}
	l.Close()
}

// TestPasswordNeverInErrors: PostgreSQL URLs whose server cannot be
// reached, or which do not parse: the error names the ledger without the
// password.
func TestPasswordNeverInErrors(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	for _, dsn := range []string{
		"postgres://issuer:" + secret + "@127.0.0.1:1/ledger?sslmode=disable&connect_timeout=5",
		"postgresql://issuer@127.0.0.1:1/ledger?sslmode=disable&password=" + secret,
		"postgres://issuer:" + secret + "@127.0.0.1:notaport/ledger",
		"postgres://issuer:" + secret + "@127.0.0.1:1/ledger?sslmode=nonsense",
		"postgres://issuer:" + secret + "@[::1/ledger",
	} {
		l, err := Open(context.Background(), dsn)
		if err == nil {
			l.Close()
			t.Errorf("Open(%q) succeeded", dsn)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), secret) {
			t.Errorf("the error of Open shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "ledger postgres") {
			t.Errorf("the error %q does not name the ledger", err)
		}
	}
}

func TestNameHidesThePassword(t *testing.T) {
	dsn := pgtest.DSN(t)
	withPassword := strings.Replace(dsn, "://postgres@", "://postgres:hunter2@", 1)
	if withPassword == dsn {
		t.Skip("the test server's URL has no postgres@ user part to add a password to")
	}
	l := open(t, withPassword) // trust authentication: any password will do
	if strings.Contains(l.Name(), "hunter2") || !strings.Contains(l.Name(), "xxxxx") {
		t.Errorf("Name() = %q, want the URL with its password hidden", l.Name())
	}
}

// TestOpenRefusesAFileThatIsNotALedger: a file that is not SQLite, or an
// SQLite database of something else, is refused and left as it was.
func TestOpenRefusesAFileThatIsNotALedger(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "recipients.csv")
	os.WriteFile(csv, []byte("email,name\nada@example.org,Ada\n"), 0o600)
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE things (name TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for path, says := range map[string]string{csv: "not an SQLite database", other: "an SQLite database of something else"} {
		before, _ := os.ReadFile(path)
		l, err := Open(context.Background(), path)
		if err == nil {
			l.Close()
			t.Errorf("Open(%s) succeeded", filepath.Base(path))
			continue
		}
		if !strings.Contains(err.Error(), says) || errkind.Of(err) != errkind.BadInput {
			t.Errorf("Open(%s) = %v, want it to say %q", filepath.Base(path), err, says)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("Open(%s) changed the file", filepath.Base(path))
		}
	}
}
