package issue

import (
	"context"

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

// LedgerFor makes a *ledger.Ledger the Ledger of a run: it is one as it is.
func LedgerFor(l *ledger.Ledger) Ledger { return l }
