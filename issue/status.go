package issue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/badgebake/badgebake/ledger"
)

// MinStatusListSize is the smallest Bitstring status list: 16 KiB of
// bits, so a list does not tell how few credentials were issued.
const MinStatusListSize = ledger.MinListSize

// StatusListSize is the size of a list whose largest index is maxIndex:
// a multiple of MinStatusListSize, at least one.
func StatusListSize(maxIndex int) int {
	n := (maxIndex + 1 + MinStatusListSize - 1) / MinStatusListSize
	return max(n, 1) * MinStatusListSize
}

// WriteStatusList writes the signed status list at listURL, as the ledger
// says it stands (every revoked credential's bit set), to the file out,
// atomically.
func WriteStatusList(ctx context.Context, l Ledger, s ListSigner, listURL, out string) error {
	if s == nil {
		return errors.New("issue: no signer for the status list")
	}
	revoked, err := l.RevokedIndexes(ctx, listURL)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	maxIndex, err := l.MaxIndex(ctx, listURL)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	size := StatusListSize(maxIndex)
	for _, i := range revoked {
		if i < 0 || i >= size {
			return fmt.Errorf("ledger: revoked index %d is outside the list of %d entries", i, size)
		}
	}
	slices.Sort(revoked)
	signed, err := s.StatusList(ctx, listURL, revoked, size)
	if err != nil {
		return fmt.Errorf("sign the status list: %w", err)
	}
	return writeFile(out, signed)
}

// Revoke marks the credentials named by ids (credential ids or row keys)
// revoked in the ledger and rewrites what publishes it: the status list
// of OB 3.0 credentials (to out; s signs it) and, for hosted OB 2.0
// assertions, the issuer's revocation list beside the assertions. It
// returns the revoked entries.
func Revoke(ctx context.Context, l Ledger, s ListSigner, ids []string, reason, out string, now time.Time) ([]Entry, error) {
	// One output file holds one status list: credentials of several are
	// refused before the ledger changes, so the ledger and the published
	// lists never disagree.
	if lists, err := statusListsOf(ctx, l, ids); err != nil {
		return nil, err
	} else if len(lists) > 1 {
		return nil, fmt.Errorf("the credentials to revoke are on %d status lists (%s): revoke those of each list in its own run, with its own --status-list-out; nothing was revoked", len(lists), strings.Join(lists, ", "))
	}
	entries, err := l.Revoke(ctx, ids, reason, now)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	var lists, hosted []string
	hostedDir := map[string]string{} // revocation list URL → output directory
	for _, e := range entries {
		switch {
		case e.Format == FormatHosted && e.StatusListURL != "":
			if !slices.Contains(hosted, e.StatusListURL) {
				hosted = append(hosted, e.StatusListURL)
				hostedDir[e.StatusListURL] = filepath.Dir(e.OutputFile)
			}
		case e.StatusIndex >= 0 && e.StatusListURL != "":
			if !slices.Contains(lists, e.StatusListURL) {
				lists = append(lists, e.StatusListURL)
			}
		}
	}
	for _, u := range lists {
		if err := WriteStatusList(ctx, l, s, u, out); err != nil {
			return entries, err
		}
	}
	for _, u := range hosted {
		if err := writeRevocationList(ctx, l, u, hostedDir[u]); err != nil {
			return entries, err
		}
	}
	// A hosted assertion says itself that it is revoked: verifiers read
	// an issuer's revocation list for signed assertions only.
	for _, e := range entries {
		if e.Format == FormatHosted {
			if err := markAssertionRevoked(e); err != nil {
				return entries, err
			}
		}
	}
	return entries, nil
}

// markAssertionRevoked rewrites a hosted assertion's published file
// (OUT/assertions/<file>.json beside its image) with "revoked": true and
// the reason.
func markAssertionRevoked(e Entry) error {
	name := e.CredentialID[strings.LastIndex(e.CredentialID, "/")+1:]
	path := filepath.Join(filepath.Dir(e.OutputFile), "assertions", name)
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("the hosted assertion of %s: %w", e.RowKey, err)
	}
	var a map[string]any
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("the hosted assertion %s: %w", path, err)
	}
	a["revoked"] = true
	if e.RevokeReason != "" {
		a["revocationReason"] = e.RevokeReason
	}
	out, err := marshal(a)
	if err != nil {
		return err
	}
	return writeFile(path, out)
}

// writeRevocationList rewrites a hosted issuer's revocation list, in the
// directory the assertions were issued to, from the ledger.
func writeRevocationList(ctx context.Context, l Ledger, listURL, dir string) error {
	var revoked []any
	var base string
	err := l.Entries(ctx, func(e Entry) error {
		if e.Format != FormatHosted || e.StatusListURL != listURL {
			return nil
		}
		if base == "" {
			base = baseOfAssertion(e)
		}
		if !e.Revoked {
			return nil
		}
		entry := map[string]any{"id": e.CredentialID}
		if e.RevokeReason != "" {
			entry["revocationReason"] = e.RevokeReason
		}
		revoked = append(revoked, entry)
		return nil
	})
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if base == "" {
		return fmt.Errorf("the ledger has no hosted assertion on %s", listURL)
	}
	rel, ok := strings.CutPrefix(listURL, base+"/")
	if !ok {
		return fmt.Errorf("the revocation list %s is not under the assertions' base URL %s", listURL, base)
	}
	path := filepath.Join(dir, filepath.FromSlash(rel))
	// The issuer and context are those the list was first written with.
	list := map[string]any{"@context": contextOB2, "id": listURL, "type": "RevocationList"}
	if old, err := os.ReadFile(path); err == nil {
		var prev map[string]any
		if json.Unmarshal(old, &prev) == nil {
			for _, k := range []string{"@context", "issuer"} {
				if v, ok := prev[k]; ok {
					list[k] = v
				}
			}
		}
	}
	slices.SortFunc(revoked, func(a, b any) int {
		return strings.Compare(a.(map[string]any)["id"].(string), b.(map[string]any)["id"].(string))
	})
	if revoked == nil {
		revoked = []any{}
	}
	list["revokedAssertions"] = revoked
	b, err := marshal(list)
	if err != nil {
		return err
	}
	return writeFile(path, b)
}

// baseOfAssertion is the base URL a hosted assertion was issued under: its id
// is BASE/assertions/<file>.json.
func baseOfAssertion(e Entry) string {
	i := strings.LastIndex(e.CredentialID, "/assertions/")
	if i < 0 {
		return ""
	}
	return e.CredentialID[:i]
}

// statusListsOf returns the Bitstring status lists (not hosted revocation
// lists) the credentials named by ids (credential ids or row keys) are
// entered in, sorted. Unknown ids are left to Ledger.Revoke.
func statusListsOf(ctx context.Context, l Ledger, ids []string) ([]string, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var lists []string
	err := l.Entries(ctx, func(e Entry) error {
		if (want[e.CredentialID] || want[e.RowKey]) && e.Format != FormatHosted && e.StatusIndex >= 0 && e.StatusListURL != "" && !slices.Contains(lists, e.StatusListURL) {
			lists = append(lists, e.StatusListURL)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	slices.Sort(lists) // the same message on every run
	return lists, nil
}
