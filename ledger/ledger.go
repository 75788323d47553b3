package ledger

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/badgebake/badgebake/errkind"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Ledger is an open ledger. Its methods may be called from several
// goroutines at once.
type Ledger struct {
	db       *sql.DB
	postgres bool
	name     string   // for messages: the path, or the URL without its password
	secrets  []string // what must never appear in an error message
}

// Open opens the ledger dsn names, creating it when it does not exist yet,
// and brings its schema up to date:
//
//   - a file path, or sqlite:PATH: an SQLite file, created when missing
//     (its directory must exist);
//   - postgres://… or postgresql://…: a PostgreSQL database (which must
//     exist; the tables are created in it), in the URL syntax of libpq.
//
// A ledger whose schema is newer than this badgebake knows is refused with
// a *VersionError. Close the ledger when done.
func Open(ctx context.Context, dsn string) (*Ledger, error) {
	var (
		l   *Ledger
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		l, err = openPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite:"):
		l, err = openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case otherScheme.MatchString(dsn):
		scheme, _, _ := strings.Cut(dsn, ":")
		return nil, &Error{Ledger: scheme + "://…", Op: "open", Err: usage("unsupported ledger " + strconv.Quote(scheme+"://") + ": use a file path, sqlite:PATH or postgres://…")}
	default:
		l, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := l.migrate(ctx); err != nil {
		l.db.Close()
		return nil, err
	}
	return l, nil
}

// otherScheme matches a URL of a scheme Open does not know (a one-letter
// "scheme" is a Windows drive).
var otherScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+://`)

// sqlitePragmas are applied to every SQLite connection: wait for a lock
// held by another process instead of failing at once; WAL, whose commits
// survive the process being killed with synchronous=NORMAL (see the
// package comment); and every transaction takes the write lock when it
// begins (BEGIN IMMEDIATE), so that a read-then-write transaction such as
// Reserve never fails half-way because another process wrote first.
const sqlitePragmas = "_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"

func openSQLite(ctx context.Context, path string) (*Ledger, error) {
	l := &Ledger{name: path}
	if path == "" {
		return nil, &Error{Ledger: `""`, Op: "open", Err: usage("no ledger file named")}
	}
	if strings.ContainsAny(path, "?#") {
		// The driver reads options after a '?' of the name.
		return nil, &Error{Ledger: path, Op: "open", Err: usage("a ledger file name cannot contain '?' or '#'")}
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return nil, &Error{Ledger: path, Op: "open", Err: errors.New("its directory " + filepath.Dir(path) + " does not exist")}
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, &Error{Ledger: path, Op: "open", Err: usage("it is a directory, not a ledger file")}
	}
	if err := checkSQLiteLedger(ctx, path); err != nil {
		return nil, l.fail("open", err)
	}
	db, err := sql.Open("sqlite", path+"?"+sqlitePragmas)
	if err != nil {
		return nil, l.fail("open", err)
	}
	l.db = db
	if err := pingSQLite(ctx, db); err != nil {
		db.Close()
		return nil, l.fail("open", err)
	}
	return l, nil
}

// pingSQLite makes the first connection. Switching a new file to WAL mode
// needs the file to itself, and SQLite answers "busy" at once, without
// waiting, to a process that asks while another is doing it (several
// processes starting on a new ledger); so a busy first connection is
// retried, for as long as the busy timeout would have waited.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(30 * time.Second)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED (of
// any extended code).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	primary := coded.Code() & 0xff
	return primary == 5 || primary == 6
}

func openPostgres(ctx context.Context, dsn string) (*Ledger, error) {
	scheme, _, _ := strings.Cut(dsn, ":")
	u, err := url.Parse(dsn)
	if err != nil {
		// url.Parse's message repeats the URL, password and all.
		return nil, &Error{Ledger: scheme + "://…", Op: "open", Err: usage("the PostgreSQL URL is not a valid URL")}
	}
	l := &Ledger{postgres: true}
	if p, ok := u.User.Password(); ok {
		l.secrets = append(l.secrets, p, url.QueryEscape(p), url.PathEscape(p))
	}
	q := u.Query()
	if p := q.Get("password"); p != "" {
		l.secrets = append(l.secrets, p, url.QueryEscape(p))
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	l.name = u.Redacted()
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, l.fail("open", usage(scrub(err, l.secrets).Error()))
	}
	db := stdlib.OpenDB(*config)
	l.db = db
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, l.fail("open", err)
	}
	return l, nil
}

// Name is the ledger's name for messages: its path, or its URL without a
// password.
func (l *Ledger) Name() string { return l.name }

// Close closes the ledger.
func (l *Ledger) Close() error {
	return l.fail("close", l.db.Close())
}

// fail wraps err as an *Error of operation op, without secrets.
func (l *Ledger) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Ledger: l.name, Op: op, Err: scrub(err, l.secrets)}
}

// q adapts a query written with ? placeholders to the database: PostgreSQL
// numbers them ($1, $2, …). No query here has a ? in a literal.
func (l *Ledger) q(query string) string {
	if !l.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// timeFormat writes times in UTC at a fixed width, so that their text
// sorts as the times do.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s.String)
}

func itoa(i int) string { return strconv.Itoa(i) }

// checkSQLiteLedger refuses a file that exists and is not a badgebake
// ledger (a CSV given by mistake, another application's database) before
// the ledger's settings, such as WAL mode, are written into it.
func checkSQLiteLedger(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // created by opening
	}
	if err != nil {
		return err
	}
	header := make([]byte, 16)
	n, _ := io.ReadFull(f, header)
	f.Close()
	if n == 0 {
		return nil // an empty file is a new ledger too
	}
	if string(header[:n]) != "SQLite format 3\x00" {
		return errkind.Mark(errkind.BadInput, errors.New("not a badgebake ledger: not an SQLite database"))
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(30000)&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	var tables, migrationTables int
	if err := db.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN name = 'schema_migrations' THEN 1 ELSE 0 END), 0) FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &migrationTables); err != nil {
		return err
	}
	if tables > 0 && migrationTables == 0 {
		return errkind.Mark(errkind.BadInput, errors.New("not a badgebake ledger: an SQLite database of something else"))
	}
	return nil
}
