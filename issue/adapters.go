package issue

import (
	"context"
	"time"

	"github.com/badgebake/badgebake/ledger"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/sign"
)

// SignerFor makes a *sign.Signer the Signer and ListSigner of a run:
// credentials are signed in its format, and status lists are signed by it
// as issued by issuerID (the credentials' issuer).
func SignerFor(s *sign.Signer, format sign.Format, issuerID string) *SignAdapter {
	return &SignAdapter{s: s, format: format, issuerID: issuerID}
}

// SignAdapter is what SignerFor returns.
type SignAdapter struct {
	s        *sign.Signer
	format   sign.Format
	issuerID string
}

// Sign signs p and returns the bytes to bake.
func (a *SignAdapter) Sign(ctx context.Context, p *payload.Payload) ([]byte, error) {
	signed, err := a.s.Sign(ctx, p)
	if err != nil {
		return nil, err
	}
	return signed.Bytes, nil
}

// Format is the format the ledger records.
func (a *SignAdapter) Format() string { return string(a.format) }

// StatusList signs the revocation list with the revoked entries set.
func (a *SignAdapter) StatusList(ctx context.Context, listURL string, revoked []int, size int) ([]byte, error) {
	return a.s.RevocationList(ctx, listURL, a.issuerID, revoked, size)
}

// LedgerFor makes a *ledger.Ledger the Ledger of a run.
func LedgerFor(l *ledger.Ledger) Ledger { return ledgerAdapter{l} }

type ledgerAdapter struct{ l *ledger.Ledger }

func (a ledgerAdapter) Reserve(ctx context.Context, r Reservation) (*Entry, bool, error) {
	e, existing, err := a.l.Reserve(ctx, ledger.Reservation(r))
	if e == nil {
		return nil, existing, err
	}
	out := Entry(*e)
	return &out, existing, err
}

func (a ledgerAdapter) Complete(ctx context.Context, rowKey string, issuedAt time.Time) error {
	return a.l.Complete(ctx, rowKey, issuedAt)
}

func (a ledgerAdapter) Revoke(ctx context.Context, ids []string, reason string, at time.Time) ([]Entry, error) {
	es, err := a.l.Revoke(ctx, ids, reason, at)
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry(e)
	}
	return out, err
}

func (a ledgerAdapter) Entries(ctx context.Context, fn func(Entry) error) error {
	return a.l.Entries(ctx, func(e ledger.Entry) error { return fn(Entry(e)) })
}

func (a ledgerAdapter) RevokedIndexes(ctx context.Context, listURL string) ([]int, error) {
	return a.l.RevokedIndexes(ctx, listURL)
}

func (a ledgerAdapter) MaxIndex(ctx context.Context, listURL string) (int, error) {
	return a.l.MaxIndex(ctx, listURL)
}
