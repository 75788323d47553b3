package issue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/badgebake/badgebake/errkind"
	"github.com/badgebake/badgebake/ledger"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/verify"
)

// Signer signs one filled-in credential (Open Badges 3.0: a VC-JWT or an
// embedded Data Integrity proof; Open Badges 2.0: a compact JWS) and
// returns the signed payload to bake, as it is to be baked. It must be safe
// for concurrent use: rows are signed in parallel.
type Signer interface {
	Sign(ctx context.Context, p *payload.Payload) (signed []byte, err error)
	// Format names what Sign makes ("vc-jwt", "eddsa-rdfc-2022", "jws"),
	// as the ledger records it.
	Format() string
}

// ListSigner signs status lists: StatusList returns the signed
// BitstringStatusListCredential (purpose revocation) of size entries at
// listURL whose bits at revoked are set, as the file to publish at
// listURL.
type ListSigner interface {
	StatusList(ctx context.Context, listURL string, revoked []int, size int) ([]byte, error)
}

// Ledger records what was issued. Its methods must be safe for concurrent
// use. Reserve never hands out a status index twice.
type Ledger interface {
	// Reserve records a credential about to be issued for a row, or
	// returns the entry already recorded for the row key (existing true),
	// whatever its state.
	Reserve(ctx context.Context, r Reservation) (e *Entry, existing bool, err error)
	// Complete marks the row's credential issued.
	Complete(ctx context.Context, rowKey string, issuedAt time.Time) error
	// Revoke marks the credentials named by id or row key revoked and
	// returns their entries.
	Revoke(ctx context.Context, idsOrRowKeys []string, reason string, at time.Time) ([]Entry, error)
	// Entries calls fn for every entry.
	Entries(ctx context.Context, fn func(Entry) error) error
	// RevokedIndexes are the status indexes of the revoked credentials on
	// the list at listURL.
	RevokedIndexes(ctx context.Context, listURL string) ([]int, error)
	// MaxIndex is the largest status index handed out on the list at
	// listURL, -1 when none.
	MaxIndex(ctx context.Context, listURL string) (int, error)
}

// Reservation is what Ledger.Reserve records, and Entry one credential in
// the ledger: package ledger's, so that a *ledger.Ledger is a Ledger as it
// is (a test keeps them in memory).
type (
	Reservation = ledger.Reservation
	Entry       = ledger.Entry
)

// Ledger entry states.
const (
	StateReserved = ledger.Reserved
	StateIssued   = ledger.Issued
)

// FormatHosted is the ledger format of hosted Open Badges 2.0 assertions.
const FormatHosted = "hosted"

// HostedOptions make Run issue hosted Open Badges 2.0 assertions: the
// template is an assertion whose badge embeds the BadgeClass and whose
// badge's issuer embeds the Issuer, their ids under BaseURL. Run writes
// what is to be published at BaseURL beside the images: each assertion at
// assertions/<row key>.json, the BadgeClass, the Issuer and its
// revocation list at the paths of their ids.
type HostedOptions struct {
	BaseURL string
	// Transport fetches what is not under BaseURL when the images are
	// verified (JSON-LD contexts are built in; nil: the default).
	Transport http.RoundTripper
}

// Options configure Run.
type Options struct {
	Template     []byte
	TemplateName string // for messages (the template's file name)
	Recipients   io.Reader
	// RecipientsName names the CSV file in FILE:LINE messages.
	RecipientsName string
	Image          []byte // the PNG or SVG to bake into
	ImageName      string
	OutDir         string
	// RowKey is the column whose value names each row (its output file
	// and ledger entry); default: the first column.
	RowKey string
	// HashRecipients stores each email as a salted SHA-256 hash.
	HashRecipients bool
	// StatusListURL gives every OB 3.0 credential a
	// BitstringStatusListEntry on the list published at this URL.
	StatusListURL string
	// Hosted issues hosted OB 2.0 assertions (Signer unused).
	Hosted *HostedOptions
	// DryRun does everything but write files and touch the ledger.
	DryRun bool
	// Jobs is how many rows are issued at once (default GOMAXPROCS).
	Jobs int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// NewID returns a fresh credential id ("urn:uuid:…" v4 when nil).
	NewID  func() string
	Signer Signer
	// Ledger records the credentials; required unless DryRun or
	// OpenLedger is set.
	Ledger Ledger
	// OpenLedger, when Ledger is nil, opens the ledger once every input
	// has been checked (so a bad template or recipients file never
	// creates one).
	OpenLedger func(context.Context) (Ledger, error)
	// Verifier checks every baked image before it is written (a Verifier
	// of default configuration when nil). The status of a credential
	// being issued is not checked: its list is not published yet. Hosted
	// runs use a Verifier of their own that reads the site from memory
	// (HostedOptions.Transport fetches anything else).
	Verifier *verify.Verifier
	// Progress is called after each row with how many are done, from
	// Run's goroutine.
	Progress func(done, total int)
}

// Summary is what Run did.
type Summary struct {
	Rows    int // data rows in the recipients file
	Issued  int // issued by this run
	Skipped int // issued before (by an earlier run)
	Failed  int
	// Failures are the rows not issued, in row order.
	Failures []RowError
	Elapsed  time.Duration
	// Steps is the time spent in each step, summed over the rows (rows
	// run in parallel, so the sum exceeds Elapsed).
	Steps Steps
}

// Complete reports whether every row is issued, by this run or an
// earlier one.
func (s *Summary) Complete() bool { return s.Issued+s.Skipped == s.Rows }

// Steps are times spent per step of issuing.
type Steps struct {
	Fill, Ledger, Sign, Bake, Verify, Write time.Duration
}

// Add adds o's times to s's.
func (s *Steps) Add(o Steps) {
	s.Fill += o.Fill
	s.Ledger += o.Ledger
	s.Sign += o.Sign
	s.Bake += o.Bake
	s.Verify += o.Verify
	s.Write += o.Write
}

// Total is the time of every step.
func (s Steps) Total() time.Duration {
	return s.Fill + s.Ledger + s.Sign + s.Bake + s.Verify + s.Write
}

// RowError is a row that was not issued.
type RowError struct {
	File   string
	Line   int // the row's line in the file; the header is line 1
	RowKey string
	Err    error
}

func (e RowError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e RowError) Unwrap() error { return e.Err }

// InputError is an input that stops Run before any row: a template that
// is not a credential, a recipients file without a column the template
// uses, an image that is neither PNG nor SVG.
type InputError struct{ Err error }

func (e *InputError) Error() string           { return e.Err.Error() }
func (e *InputError) Unwrap() error           { return e.Err }
func (e *InputError) ErrorKind() errkind.Kind { return errkind.BadInput }

// errNoEmail and the like are row problems.
var (
	errNoEmail = errors.New(`no recipient: the "email" column is empty`)
)
