// Package ledger is the record of the credentials badgebake issued: one
// row per credential (its id, the row key of the spreadsheet row it came
// from, the hashed recipient, its index in a status list, the file it was
// written to, whether and when it was issued and revoked), so that an
// interrupted issuing run resumes without issuing anything twice and a
// credential can be revoked later.
//
// The ledger is an embedded SQLite file by default (a pure-Go driver, so
// the binary stays static), or a PostgreSQL database when several
// machines issue from one ledger: Open takes a file path (or sqlite:PATH)
// or a postgres:// URL.
//
// Issuing is two steps. Reserve records the credential in state reserved
// before anything is signed or written, allocating its status index; when
// the credential's file is safely written, Complete marks it issued. A run
// that stops between the two leaves a reserved entry, which the next run
// re-does with the same credential id and status index; an issued entry is
// skipped. A status index is drawn at random among the free indexes of
// the list (as the Bitstring Status List specification recommends: an
// index then says nothing of when its credential was issued relative to
// others), from a range at least twice as large as the list's credentials
// (ListCapacity: 131,072 indexes up to 65,536 credentials), inside the
// insert's transaction and behind the list's counter row, so an index is
// never handed out twice, even to several processes issuing from one
// ledger at once.
//
// Durability: SQLite runs in WAL mode with synchronous=NORMAL, which keeps
// every committed transaction when the process is killed (SIGKILL, a
// crash): commits are in the WAL file, which the next opening replays. A
// power failure or operating-system crash may lose the transactions since
// the last checkpoint (never corrupting the file): at worst the last rows
// of a run in progress are issued again. Close checkpoints, with an fsync,
// when it closes the last connection to the file, so a command that
// returned (a revocation, say) is on disk. synchronous=FULL would fsync
// every commit, at about half the speed (see BenchmarkReserveComplete).
// PostgreSQL's durability is the server's.
//
// Schema changes are versioned migrations, applied in order when a ledger
// is opened, each in its own transaction; a ledger written by a newer
// badgebake, whose schema this one does not know, is refused with a
// VersionError rather than guessed at.
//
// Errors name the ledger (a PostgreSQL URL without its password) and what
// was being done; a password in the URL never appears in them.
package ledger
