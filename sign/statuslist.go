package sign

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify"
	"github.com/badgebake/badgebake/verify/ob3"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

// Contexts and types of a Bitstring Status List credential (VC Bitstring
// Status List 1.0, in the VCDM 2.0 base context).
const (
	contextCredentialsV2 = "https://www.w3.org/ns/credentials/v2"
	statusListFragment   = "#list"
)

// StatusListCredential signs the BitstringStatusListCredential of list,
// to publish at listURL: id listURL, issuer issuerID, validFrom, and a
// credentialSubject {id: listURL#list, type BitstringStatusList,
// statusPurpose: purpose, encodedList}. It is signed in the signer's Open
// Badges 3.0 format (Options.Format, or the key's default), with the
// verification method a credential of issuerID gets, and its proof is
// checked with the verifier's proof code (a status list is no badge, so
// the rest of the verifier's checks do not apply); Report has that check.
func (s *Signer) StatusListCredential(ctx context.Context, listURL, issuerID string, list *statuslist.List, purpose string, validFrom time.Time) (*Signed, error) {
	if list == nil {
		return nil, errors.New("sign: no status list")
	}
	if origin(listURL) == "" {
		return nil, &FormatError{Reason: fmt.Sprintf("the status list URL %q is not an http(s) URL", listURL)}
	}
	switch purpose {
	case statuslist.PurposeRevocation, statuslist.PurposeSuspension, statuslist.PurposeMessage:
	default:
		return nil, &FormatError{Reason: fmt.Sprintf("status purpose %q is not revocation, suspension or message", purpose)}
	}
	format := s.opts.Format
	if format == "" {
		format = DefaultFormat(s.key, payload.OB3)
	}
	if format == FormatJWS {
		return nil, &FormatError{Reason: "a Bitstring status list credential is signed as vc-jwt or eddsa-rdfc-2022, not jws"}
	}
	encoded, err := list.Encode()
	if err != nil {
		return nil, err
	}
	cred := map[string]any{
		"@context":  []any{contextCredentialsV2},
		"id":        listURL,
		"type":      []any{"VerifiableCredential", statuslist.TypeCredential},
		"issuer":    issuerID,
		"validFrom": validFrom.UTC().Truncate(time.Second).Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id":            listURL + statusListFragment,
			"type":          statuslist.TypeList,
			"statusPurpose": purpose,
			"encodedList":   encoded,
		},
	}
	vm, err := s.methodFor(issuerID)
	if err != nil {
		return nil, err
	}
	out, err := s.signOB3(ctx, cred, format, vm)
	if err != nil {
		return nil, err
	}
	signed, err := payload.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("sign: the signed status list does not read back: %w", err)
	}
	res := report.New(listURL, map[payload.Kind]string{payload.KindJSON: report.InputJSON, payload.KindJWS: report.InputJWS}[signed.Kind])
	res.Generation = string(payload.OB3)
	doc := signed.Object
	var keyID string
	if signed.Kind == payload.KindJWS {
		var outcome *ob3.JWTOutcome
		if outcome, err = s.proofs.JWT(ctx, signed); err == nil {
			doc, keyID = outcome.Credential, outcome.KeyID
		}
	} else {
		var outcome *ob3.ProofOutcome
		if outcome, err = s.proofs.DataIntegrity(ctx, doc); err == nil {
			keyID = outcome.KeyID
		}
	}
	if err != nil {
		var ce *ob3.CheckError
		if errors.As(err, &ce) && ce.Unavailable {
			res.Unavailablef(ob3.CheckVerifyProof, listURL, "proof", "%v", err)
		} else {
			res.Errorf(ob3.CheckVerifyProof, listURL, "proof", "%v", err)
		}
	} else {
		res.Infof(ob3.CheckVerifyProof, listURL, "proof", "The %s status list credential's proof verifies with %s", format, keyID)
		if _, got, err := statuslist.FromCredential(doc); err != nil || got != purpose {
			res.Errorf(ob3.CheckStatus, listURL, "credentialSubject", "The signed status list does not read back: %v", err)
		}
	}
	res.Graph = []map[string]any{doc}
	res.Finish()
	if !res.Report.Valid {
		return nil, &verify.RefusedError{Result: res}
	}
	return &Signed{Payload: signed, Bytes: signed.Raw, Format: format, Report: res}, nil
}

// RevocationList signs a revocation status list of size entries (at least
// statuslist.MinBits) in which the entries at revoked are set, issued by
// issuerID, valid from now, to publish at listURL: what a ledger's revoked
// indexes become. The bytes are the credential to upload (JSON with an
// embedded proof, or a VC-JWT).
func (s *Signer) RevocationList(ctx context.Context, listURL, issuerID string, revoked []int, size int) ([]byte, error) {
	if size < statuslist.MinBits {
		size = statuslist.MinBits
	}
	list := statuslist.New(size)
	for _, i := range revoked {
		if err := list.Set(i, 1, 1); err != nil {
			return nil, fmt.Errorf("sign: revoked index %d: %w", i, err)
		}
	}
	now := time.Now
	if s.opts.Now != nil {
		now = s.opts.Now
	}
	signed, err := s.StatusListCredential(ctx, listURL, issuerID, list, statuslist.PurposeRevocation, now())
	if err != nil {
		return nil, err
	}
	return signed.Bytes, nil
}
