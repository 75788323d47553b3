package ob3

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

// The status list cache: enough lists for the issuers of a large batch,
// kept briefly so that a revocation published during a long-running
// server's life is seen within minutes.
const (
	defaultListCacheSize = 256
	defaultListCacheTTL  = 5 * time.Minute
)

// maxListed bounds how many credentialStatus and credentialSchema entries
// of one credential are checked: each may cost a fetch, and Open Badges
// 3.0 allows one status and expects one or two schemas.
const maxListed = 8

// acceptJSON is what a 1EdTech revocation list is asked for with, as the
// 1EdTech validator does.
const acceptJSON = "application/json"

// checkStatus checks each credentialStatus entry (CHECK_STATUS).
func (r *run) checkStatus(c *credential) {
	raw, has := c.doc["credentialStatus"]
	if !has {
		return
	}
	entries := objectsOf(raw)
	if len(entries) == 0 {
		r.res.Errorf(CheckStatus, id(c.doc), "credentialStatus", "The credential's credentialStatus is not an object or a list of objects")
		return
	}
	for i, e := range entries {
		if i == maxListed {
			r.res.Warnf(CheckStatus, id(c.doc), "credentialStatus", "Only the first %d status entries were checked", maxListed)
			return
		}
		types := jsonin.Strings(e["type"])
		switch {
		case slices.Contains(types, statuslist.TypeEntry), slices.Contains(types, statuslist.TypeEntry2021):
			r.checkStatusListEntry(c, e)
		case slices.Contains(types, typeRevocationList):
			r.checkRevocationList(c, e)
		default:
			r.res.Warnf(CheckStatus, id(c.doc), "credentialStatus", "The credential's status of type %s was not checked: badgebake reads %s, %s and %s", describe(e["type"]), statuslist.TypeEntry, statuslist.TypeEntry2021, typeRevocationList)
		}
	}
}

// checkStatusListEntry reads the credential's entry in a Bitstring (or
// StatusList2021) status list.
func (r *run) checkStatusListEntry(c *credential, raw map[string]any) {
	node := id(c.doc)
	entry, err := statuslist.ParseEntry(raw)
	if err != nil {
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The credential's status entry cannot be read: %v", err)
		return
	}
	list, err := r.statusList(entry.ListURL)
	if err != nil {
		var ff *fetchFailure
		var ce *CheckError
		switch {
		case errors.As(err, &ff):
			addFetchFailure(r.res, CheckStatus, entry.ListURL, "the status list", err)
		case errors.As(err, &ce) && ce.Unavailable:
			r.res.Unavailablef(CheckStatus, node, "credentialStatus", "The status list %s could not be verified: %v", entry.ListURL, err)
		case errors.As(err, &ce):
			r.res.Errorf(CheckStatus, node, "credentialStatus", "The status list %s does not verify, so the credential's status is unknown and cannot be trusted: %v", entry.ListURL, err)
		default:
			r.res.Errorf(CheckStatus, node, "credentialStatus", "The status list %s cannot be read: %v", entry.ListURL, err)
		}
		return
	}
	if list.unauthenticatedKey != "" {
		r.res.Warnf(CheckStatus, node, "credentialStatus", "The status list %s is signed with a key that is not authenticated (%s): the list is intact, but nothing shows its issuer made it", entry.ListURL, list.unauthenticatedKey)
	}
	if now := r.v.now(); list.validUntil != nil && now.After(*list.validUntil) {
		// A list past its validUntil is stale: the issuer may have
		// changed the credential's status since.
		r.res.Unavailablef(CheckStatus, node, "credentialStatus", "The status list %s expired on %s, so it no longer tells the credential's status", entry.ListURL, list.validUntil.UTC().Format(time.RFC3339))
		return
	}
	if list.purpose != entry.Purpose {
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The status list %s is for %q, but the credential's entry is for %q", entry.ListURL, list.purpose, entry.Purpose)
		return
	}
	value, err := list.bits.Status(entry.Index, entry.Size)
	if err != nil {
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The credential's status entry cannot be read from the list %s: %v", entry.ListURL, err)
		return
	}
	if value == 0 {
		return
	}
	switch entry.Purpose {
	case statuslist.PurposeRevocation:
		r.res.Revokedf(CheckStatus, node, "credentialStatus", "The credential was revoked by its issuer (status list %s, entry %d)", entry.ListURL, entry.Index)
	case statuslist.PurposeSuspension:
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The credential is suspended by its issuer (status list %s, entry %d)", entry.ListURL, entry.Index)
	default:
		status := fmt.Sprintf("0x%x", value)
		msg := ""
		for _, m := range entry.Messages {
			if m.Status == status {
				msg = ": " + m.Message
			}
		}
		r.res.Warnf(CheckStatus, node, "credentialStatus", "The credential's %q status is %s%s (status list %s, entry %d)", entry.Purpose, status, msg, entry.ListURL, entry.Index)
	}
}

// verifiedList is a status list credential that verified.
type verifiedList struct {
	bits       *statuslist.List
	purpose    string
	validUntil *time.Time // the list credential's validUntil (expirationDate), if any
	// unauthenticatedKey is the key that signed the list when nothing
	// vouches for it (an inline JWT key, a key in a URL fragment): the
	// list is intact, but anyone could have made it.
	unauthenticatedKey string
}

// statusList fetches, verifies and decodes the status list credential at
// url, or returns the one the cache holds. Errors are *fetchFailure (no
// document), *CheckError (its proof did not verify) or others (it cannot
// be read).
func (r *run) statusList(url string) (*verifiedList, error) {
	if l, ok := r.v.lists.get(url); ok {
		return l, nil
	}
	body, err := r.v.get(r.ctx, url, acceptCredential)
	if err != nil {
		return nil, err
	}
	p, err := payload.Parse(body)
	if err == nil && p.Kind == payload.KindURL {
		err = errors.New("it is a URL, not a credential")
	}
	if err != nil {
		return nil, fmt.Errorf("the document is not a status list credential: %v", err)
	}
	doc, keyID, authenticated, err := r.verifyListProof(p)
	if err != nil {
		return nil, err
	}
	bits, purpose, err := statuslist.FromCredential(doc)
	if err != nil && !errors.As(err, new(*statuslist.ShortError)) {
		// A list shorter than the specification's minimum tells less
		// about privacy than about status: it is read all the same.
		return nil, err
	}
	l := &verifiedList{bits: bits, purpose: purpose}
	if !authenticated {
		l.unauthenticatedKey = keyID
		if l.unauthenticatedKey == "" {
			l.unauthenticatedKey = "(inline)"
		}
	}
	for _, prop := range []string{"validUntil", "expirationDate"} {
		if s, ok := doc[prop].(string); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, fmt.Errorf("its %s %q is not a date and time with a time zone", prop, clip(s))
			}
			l.validUntil = &t
			break
		}
	}
	r.v.lists.put(url, l)
	return l, nil
}

// verifyListProof checks the status list credential's own proof and
// returns the credential. A list that is not signed, or whose proof does
// not verify, is a *CheckError: anyone could have written it.
func (r *run) verifyListProof(p *payload.Payload) (doc map[string]any, keyID string, authenticated bool, err error) {
	doc = p.Credential()
	if doc == nil {
		return nil, "", false, errors.New("the status list is not a JSON object")
	}
	if r.v.proofs == nil {
		return nil, "", false, &CheckError{Check: CheckVerifyProof, Err: errors.New("proof checking is not configured")}
	}
	var errs []error
	if p.Kind == payload.KindJWS {
		out, err := r.v.proofs.JWT(r.ctx, p)
		if err == nil && out != nil {
			if out.Credential != nil {
				doc = out.Credential
			}
			return doc, out.KeyID, out.KeyAuthenticated, nil
		}
		errs = append(errs, err)
	}
	if _, has := doc["proof"]; has {
		out, err := r.v.proofs.DataIntegrity(r.ctx, doc)
		if err == nil && out != nil {
			return doc, out.KeyID, out.KeyAuthenticated, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, "", false, &CheckError{Check: CheckVerifyProof, Err: errors.New("the status list credential has no proof")}
	}
	unavailable := true
	for _, err := range errs {
		var ce *CheckError
		if err == nil || !errors.As(err, &ce) || !ce.Unavailable {
			unavailable = false
		}
	}
	err = errors.Join(errs...)
	if err == nil {
		err = errors.New("the proof checker returned no outcome")
	}
	return nil, "", false, &CheckError{Check: CheckVerifyProof, Unavailable: unavailable, Err: err}
}

// checkRevocationList looks the credential up in a 1EdTech revocation
// list: revoked when an entry of revokedCredential has its id and
// "revoked" is absent or true.
func (r *run) checkRevocationList(c *credential, e map[string]any) {
	node := id(c.doc)
	url, _ := e["id"].(string)
	if url == "" {
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The credential's 1EdTech revocation list entry has no id naming the list")
		return
	}
	if node == "" {
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The credential has no id, so the revocation list %s cannot say whether it is revoked", url)
		return
	}
	body, err := r.v.get(r.ctx, url, acceptJSON)
	if err != nil {
		addFetchFailure(r.res, CheckStatus, url, "the revocation list", err)
		return
	}
	doc, err := jsonin.DecodeObject(body)
	if err != nil {
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The revocation list %s cannot be read: %v", url, err)
		return
	}
	raw, has := doc["revokedCredential"]
	if _, isList := raw.([]any); has && !isList && raw != nil {
		r.res.Errorf(CheckStatus, node, "credentialStatus", "The revocation list %s cannot be read: revokedCredential is not a list", url)
		return
	}
	for _, rc := range objectsOf(raw) {
		if rid, _ := rc["id"].(string); rid != node {
			continue
		}
		if revoked, has := rc["revoked"]; has && revoked != true {
			continue
		}
		reason := ""
		if s, ok := rc["revocationReason"].(string); ok && s != "" {
			reason = ": " + clip(s)
		}
		r.res.Revokedf(CheckStatus, node, "credentialStatus", "The credential was revoked by its issuer (revocation list %s)%s", url, reason)
		return
	}
}

// listCache holds status lists that verified, per URL, for a while.
type listCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	now     func() time.Time
	entries map[string]listCacheEntry
}

type listCacheEntry struct {
	list    *verifiedList
	expires time.Time
}

func newListCache(max int, ttl time.Duration, now func() time.Time) *listCache {
	return &listCache{max: max, ttl: ttl, now: now, entries: map[string]listCacheEntry{}}
}

func (c *listCache) get(url string) (*verifiedList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[url]
	if !ok {
		return nil, false
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, url)
		return nil, false
	}
	return e.list, true
}

// put stores a list. When the cache is full, expired lists go first, then
// the one closest to expiring.
func (c *listCache) put(url string, l *verifiedList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if _, ok := c.entries[url]; !ok && len(c.entries) >= c.max {
		oldest := ""
		for u, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, u)
			} else if oldest == "" || e.expires.Before(c.entries[oldest].expires) {
				oldest = u
			}
		}
		if len(c.entries) >= c.max {
			delete(c.entries, oldest)
		}
	}
	c.entries[url] = listCacheEntry{list: l, expires: now.Add(c.ttl)}
}

func (c *listCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
