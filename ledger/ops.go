package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/badgebake/badgebake/errkind"
)

// The states of an entry.
const (
	// Reserved: recorded, its status index allocated; its file may or may
	// not have been written. Issuing it again re-does it with the same
	// credential id and status index.
	Reserved = "reserved"
	// Issued: its file was written; issuing it again skips it.
	Issued = "issued"
)

// Keys of Meta that the issuing commands share: what issue used, which
// revoke and status-list read back.
const (
	MetaStatusListURL = "status_list_url" // the status list's URL
	MetaFormat        = "format"          // the credentials' format, e.g. "vc-jwt"
)

// Reservation is what Reserve records of a credential about to be issued.
type Reservation struct {
	RowKey        string // the recipient row's key, unique in the ledger
	CredentialID  string // the credential's id, unique in the ledger
	RecipientHash string // the hashed recipient (never the plain address)
	StatusListURL string // the status list the credential is entered in, when WantIndex
	Format        string // the credential's format, e.g. "vc-jwt"
	OutputFile    string // the file the credential is written to
	WantIndex     bool   // allocate an index in the status list at StatusListURL
}

// Entry is a credential recorded in the ledger.
type Entry struct {
	CredentialID  string
	RowKey        string
	RecipientHash string
	StatusListURL string // "" when the credential has no status list entry
	Format        string
	OutputFile    string
	StatusIndex   int    // -1: none
	State         string // Reserved or Issued
	IssuedAt      time.Time
	Revoked       bool
	RevokedAt     time.Time // the first revocation's time
	RevokeReason  string
}

const entryColumns = `credential_id, row_key, recipient_hash, status_list_url, status_index, format, output_file, state, issued_at, revoked, revoked_at, revoke_reason`

type scanner interface{ Scan(dest ...any) error }

func scanEntry(row scanner) (*Entry, error) {
	var (
		e                   Entry
		listURL             sql.NullString
		index               sql.NullInt64
		issuedAt, revokedAt sql.NullString
	)
	if err := row.Scan(&e.CredentialID, &e.RowKey, &e.RecipientHash, &listURL, &index, &e.Format, &e.OutputFile, &e.State, &issuedAt, &e.Revoked, &revokedAt, &e.RevokeReason); err != nil {
		return nil, err
	}
	e.StatusListURL = listURL.String
	e.StatusIndex = -1
	if index.Valid {
		e.StatusIndex = int(index.Int64)
	}
	var err error
	if e.IssuedAt, err = parseTime(issuedAt); err != nil {
		return nil, err
	}
	if e.RevokedAt, err = parseTime(revokedAt); err != nil {
		return nil, err
	}
	return &e, nil
}

// Reserve records a credential about to be issued, in state Reserved, with
// the next index of its status list when r.WantIndex. If the ledger
// already has r.RowKey, nothing is recorded: Reserve returns the entry it
// has, and existing is true (an issued entry is to be skipped, a reserved
// one re-done with the entry's credential id and status index, not r's).
// It all happens in one transaction, so that an index is never handed out
// twice, even to processes reserving from one ledger at once.
func (l *Ledger) Reserve(ctx context.Context, r Reservation) (e *Entry, existing bool, err error) {
	switch {
	case r.RowKey == "":
		return nil, false, l.fail("reserve", usage("a reservation needs a row key"))
	case r.CredentialID == "":
		return nil, false, l.fail("reserve", usage("a reservation needs a credential id"))
	case r.WantIndex && r.StatusListURL == "":
		return nil, false, l.fail("reserve", usage("a status index needs a status list URL"))
	}
	e, existing, err = l.reserve(ctx, r)
	var taken *idTakenError
	if errors.As(err, &taken) {
		return nil, false, l.fail("reserve "+r.RowKey, err)
	}
	if err != nil {
		// Another process may have reserved the same row key in the
		// meantime (PostgreSQL: our insert then fails on the key); what it
		// reserved is the answer.
		if found, lookupErr := l.lookupRowKey(ctx, r.RowKey); lookupErr == nil {
			return found, true, nil
		}
		return nil, false, l.fail("reserve "+r.RowKey, err)
	}
	return e, existing, nil
}

func (l *Ledger) reserve(ctx context.Context, r Reservation) (*Entry, bool, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	// The row's entry, if any; else whichever row already has the id.
	found, err := scanEntry(tx.QueryRowContext(ctx, l.q(`SELECT `+entryColumns+` FROM credentials WHERE row_key = ? OR credential_id = ? ORDER BY CASE WHEN row_key = ? THEN 0 ELSE 1 END LIMIT 1`), r.RowKey, r.CredentialID, r.RowKey))
	switch {
	case err == nil && found.RowKey == r.RowKey:
		return found, true, tx.Commit()
	case err == nil:
		return nil, false, &idTakenError{id: r.CredentialID, rowKey: found.RowKey}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, false, err
	}
	e := &Entry{
		CredentialID:  r.CredentialID,
		RowKey:        r.RowKey,
		RecipientHash: r.RecipientHash,
		Format:        r.Format,
		OutputFile:    r.OutputFile,
		StatusIndex:   -1,
		State:         Reserved,
	}
	var listURL, index any // NULL unless an index is wanted
	if r.WantIndex {
		if e.StatusIndex, err = l.allocateIndex(ctx, tx, r.StatusListURL); err != nil {
			return nil, false, err
		}
		e.StatusListURL = r.StatusListURL
		listURL, index = e.StatusListURL, e.StatusIndex
	}
	if _, err := tx.ExecContext(ctx, l.q(`INSERT INTO credentials (credential_id, row_key, recipient_hash, status_list_url, status_index, format, output_file, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		e.CredentialID, e.RowKey, e.RecipientHash, listURL, index, e.Format, e.OutputFile, Reserved); err != nil {
		return nil, false, err
	}
	return e, false, tx.Commit()
}

// MinListSize is the smallest Bitstring status list, 16 KiB of one-bit
// entries (the specification's minimum), and the unit lists grow by.
const MinListSize = 131072

// ListCapacity is the number of indexes a status list holding count
// credentials spreads them over: the smallest multiple of MinListSize at
// least twice count, so that a random index is free at least half the time.
func ListCapacity(count int) int {
	n := (2*count + MinListSize - 1) / MinListSize
	return max(n, 1) * MinListSize
}

// maxIndexTries bounds the draws for a free index. The list is at most
// half full, so 64 draws all taken has a chance of 2^-64: it means the
// ledger's count is wrong, and failing beats looping.
const maxIndexTries = 64

// allocateIndex hands out a random free index of the list at listURL,
// inside tx. Random rather than sequential, as the Bitstring Status List
// specification recommends: a credential's index then says nothing of
// when it was issued relative to others. The counter update takes the
// counter row's lock (PostgreSQL) inside the database's write lock
// (SQLite), so concurrent reservations on one list queue here until this
// one commits: the free index drawn below cannot be taken by another
// meanwhile (and the UNIQUE constraint would refuse it if it were).
func (l *Ledger) allocateIndex(ctx context.Context, tx *sql.Tx, listURL string) (int, error) {
	var count int // indexes handed out before this one
	if err := tx.QueryRowContext(ctx, l.q(`INSERT INTO status_lists (list_url, next_index) VALUES (?, 1)
		ON CONFLICT (list_url) DO UPDATE SET next_index = status_lists.next_index + 1
		RETURNING next_index - 1`), listURL).Scan(&count); err != nil {
		return 0, err
	}
	capacity := big.NewInt(int64(ListCapacity(count + 1)))
	for range maxIndexTries {
		n, err := rand.Int(rand.Reader, capacity)
		if err != nil {
			return 0, err
		}
		var taken int
		if err := tx.QueryRowContext(ctx, l.q(`SELECT COUNT(*) FROM credentials WHERE status_list_url = ? AND status_index = ?`), listURL, n.Int64()).Scan(&taken); err != nil {
			return 0, err
		}
		if taken == 0 {
			return int(n.Int64()), nil
		}
	}
	return 0, fmt.Errorf("no free status index found in %d random draws among %s for %s: the ledger's count of the list's credentials is wrong", maxIndexTries, capacity, listURL)
}

// Complete marks the credential of rowKey issued at issuedAt. Completing an
// issued credential again changes nothing.
func (l *Ledger) Complete(ctx context.Context, rowKey string, issuedAt time.Time) error {
	res, err := l.db.ExecContext(ctx, l.q(`UPDATE credentials SET state = ?, issued_at = ? WHERE row_key = ? AND state = ?`), Issued, formatTime(issuedAt), rowKey, Reserved)
	if err != nil {
		return l.fail("complete "+rowKey, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return nil
	}
	if _, err := l.lookupRowKey(ctx, rowKey); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return &NotFoundError{Ledger: l.name, Keys: []string{rowKey}}
		}
		return l.fail("complete "+rowKey, err)
	}
	return nil
}

func (l *Ledger) lookupRowKey(ctx context.Context, rowKey string) (*Entry, error) {
	return scanEntry(l.db.QueryRowContext(ctx, l.q(`SELECT `+entryColumns+` FROM credentials WHERE row_key = ?`), rowKey))
}

// lookupQuery finds a credential by id or, failing that, by row key.
const lookupQuery = `SELECT ` + entryColumns + ` FROM credentials WHERE credential_id = ? OR row_key = ? ORDER BY CASE WHEN credential_id = ? THEN 0 ELSE 1 END LIMIT 1`

// Lookup returns the credential whose id, or else whose row key, is
// idOrRowKey; a *NotFoundError (ErrNotFound) when there is none.
func (l *Ledger) Lookup(ctx context.Context, idOrRowKey string) (*Entry, error) {
	e, err := scanEntry(l.db.QueryRowContext(ctx, l.q(lookupQuery), idOrRowKey, idOrRowKey, idOrRowKey))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, &NotFoundError{Ledger: l.name, Keys: []string{idOrRowKey}}
	case err != nil:
		return nil, l.fail("lookup "+idOrRowKey, err)
	}
	return e, nil
}

// Revoke marks the credentials of idsOrRowKeys (credential ids or row keys)
// revoked at at for reason, and returns their entries, in the order asked.
// It is all or nothing: when one of them is not in the ledger, nothing is
// revoked and the *NotFoundError (ErrNotFound) names every one missing. A
// credential already revoked keeps its first revocation's time and reason.
func (l *Ledger) Revoke(ctx context.Context, idsOrRowKeys []string, reason string, at time.Time) ([]Entry, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, l.fail("revoke", err)
	}
	defer tx.Rollback()
	var missing []string
	ids := make([]string, len(idsOrRowKeys))
	for i, key := range idsOrRowKeys {
		e, err := scanEntry(tx.QueryRowContext(ctx, l.q(lookupQuery), key, key, key))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			missing = append(missing, key)
			continue
		case err != nil:
			return nil, l.fail("revoke "+key, err)
		}
		ids[i] = e.CredentialID
	}
	if len(missing) > 0 {
		return nil, &NotFoundError{Ledger: l.name, Keys: missing}
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, l.q(`UPDATE credentials SET revoked = TRUE, revoked_at = ?, revoke_reason = ? WHERE credential_id = ? AND NOT revoked`), formatTime(at), reason, id); err != nil {
			return nil, l.fail("revoke "+id, err)
		}
	}
	entries := make([]Entry, len(ids))
	for i, id := range ids {
		e, err := scanEntry(tx.QueryRowContext(ctx, l.q(`SELECT `+entryColumns+` FROM credentials WHERE credential_id = ?`), id))
		if err != nil {
			return nil, l.fail("revoke "+id, err)
		}
		entries[i] = *e
	}
	if err := tx.Commit(); err != nil {
		return nil, l.fail("revoke", err)
	}
	return entries, nil
}

// Entries calls fn with every entry, ordered by status index (entries
// without one last) then row key, reading them as it goes; it stops at
// fn's first error and returns it. fn may read the ledger but should not
// write to it.
func (l *Ledger) Entries(ctx context.Context, fn func(Entry) error) error {
	rows, err := l.db.QueryContext(ctx, `SELECT `+entryColumns+` FROM credentials ORDER BY CASE WHEN status_index IS NULL THEN 1 ELSE 0 END, status_index, row_key`)
	if err != nil {
		return l.fail("listing entries", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return l.fail("listing entries", err)
		}
		if err := fn(*e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return l.fail("listing entries", err)
	}
	return nil
}

// RevokedIndexes returns the status indexes of the revoked credentials of
// the status list at listURL, in increasing order.
func (l *Ledger) RevokedIndexes(ctx context.Context, listURL string) ([]int, error) {
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT status_index FROM credentials WHERE status_list_url = ? AND revoked ORDER BY status_index`), listURL)
	if err != nil {
		return nil, l.fail("listing revoked indexes", err)
	}
	defer rows.Close()
	indexes := []int{}
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, l.fail("listing revoked indexes", err)
		}
		indexes = append(indexes, i)
	}
	if err := rows.Err(); err != nil {
		return nil, l.fail("listing revoked indexes", err)
	}
	return indexes, nil
}

// MaxIndex returns the highest status index handed out in the list at
// listURL, -1 when none was. (An index reserved by a run that never
// completed it counts: it stays taken.)
func (l *Ledger) MaxIndex(ctx context.Context, listURL string) (int, error) {
	var max sql.NullInt64
	err := l.db.QueryRowContext(ctx, l.q(`SELECT MAX(status_index) FROM credentials WHERE status_list_url = ?`), listURL).Scan(&max)
	switch {
	case err != nil:
		return 0, l.fail("reading the status list's size", err)
	case !max.Valid:
		return -1, nil
	}
	return int(max.Int64), nil
}

// SetMeta records value under key (replacing the key's previous value):
// what later commands need to know of the issuing, such as the status
// list's URL and the credentials' format.
func (l *Ledger) SetMeta(ctx context.Context, key, value string) error {
	_, err := l.db.ExecContext(ctx, l.q(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	return l.fail("setting "+key, err)
}

// Meta returns the value recorded under key; ok is false when there is
// none.
func (l *Ledger) Meta(ctx context.Context, key string) (value string, ok bool, err error) {
	err = l.db.QueryRowContext(ctx, l.q(`SELECT value FROM meta WHERE key = ?`), key).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, l.fail("reading "+key, err)
	}
	return value, true, nil
}

// Counts returns how many credentials are issued, how many reserved (not
// yet issued), and how many revoked (of either state).
func (l *Ledger) Counts(ctx context.Context) (issued, reserved, revoked int, err error) {
	err = l.db.QueryRowContext(ctx, l.q(`SELECT
		COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN revoked THEN 1 ELSE 0 END), 0)
		FROM credentials`), Issued, Reserved).Scan(&issued, &reserved, &revoked)
	if err != nil {
		return 0, 0, 0, l.fail("counting", err)
	}
	return issued, reserved, revoked, nil
}

// idTakenError: a reservation's credential id is another row's.
type idTakenError struct{ id, rowKey string }

func (e *idTakenError) Error() string {
	return "credential id " + strconv.Quote(e.id) + " is already row " + strconv.Quote(e.rowKey) + "'s"
}

func (e *idTakenError) ErrorKind() errkind.Kind { return errkind.Usage }
