package ob3

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

func readCorpusJSON(t *testing.T, rel string) map[string]any {
	t.Helper()
	path := filepath.Join(testcorpus.Dir(t), filepath.FromSlash(rel))
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("corpus file absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// statusListCredential is a BitstringStatusListCredential with the given
// entries set, signed as the fake checks (proofValue).
func statusListCredential(t testing.TB, purpose, proofValue string, set ...int) []byte {
	t.Helper()
	list := statuslist.New(statuslist.MinBits)
	for _, i := range set {
		if err := list.Set(i, 1, 1); err != nil {
			t.Fatal(err)
		}
	}
	encoded, err := list.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, map[string]any{
		"@context":  []any{contextVC2},
		"id":        statusURL,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    issuerURL,
		"validFrom": "2024-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": statusURL + "#list", "type": "BitstringStatusList",
			"statusPurpose": purpose, "encodedList": encoded,
		},
		"proof": proof(proofValue),
	})
}

func withStatus(doc map[string]any, status any) map[string]any {
	doc["credentialStatus"] = status
	return doc
}

func bitstringEntry(purpose string, index string) map[string]any {
	return map[string]any{"id": statusURL + "#" + index, "type": "BitstringStatusListEntry",
		"statusPurpose": purpose, "statusListIndex": index, "statusListCredential": statusURL}
}

func TestBitstringStatus(t *testing.T) {
	for _, tc := range []struct {
		name       string
		purpose    string // of the list
		proofValue string // of the list
		set        []int
		entry      map[string]any
		status     report.Status
		want       []string
	}{
		{"not revoked", "revocation", "good", []int{7}, bitstringEntry("revocation", "94567"), report.StatusValid, nil},
		{"revoked", "revocation", "good", []int{94567}, bitstringEntry("revocation", "94567"), report.StatusRevoked, []string{"ERROR CHECK_STATUS"}},
		{"revoked, StatusList2021", "revocation", "good", []int{23}, map[string]any{"type": "StatusList2021Entry",
			"statusPurpose": "revocation", "statusListIndex": "23", "statusListCredential": statusURL}, report.StatusRevoked, []string{"ERROR CHECK_STATUS"}},
		{"suspended", "suspension", "good", []int{0}, bitstringEntry("suspension", "0"), report.StatusInvalid, []string{"ERROR CHECK_STATUS"}},
		{"list's own proof fails", "revocation", "tampered", nil, bitstringEntry("revocation", "3"), report.StatusInvalid, []string{"ERROR CHECK_STATUS"}},
		{"list's key unavailable", "revocation", "keydown", nil, bitstringEntry("revocation", "3"), report.StatusIndeterminate, []string{"ERROR CHECK_STATUS"}},
		{"purpose mismatch", "suspension", "good", nil, bitstringEntry("revocation", "3"), report.StatusInvalid, []string{"ERROR CHECK_STATUS"}},
		{"bad entry", "revocation", "good", nil, map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
			"statusListIndex": "three", "statusListCredential": statusURL}, report.StatusInvalid, []string{"ERROR CHECK_STATUS"}},
		{"index past the list", "revocation", "good", nil, bitstringEntry("revocation", "200000"), report.StatusInvalid, []string{"ERROR CHECK_STATUS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.net.serve(statusURL, statusListCredential(t, tc.purpose, tc.proofValue, tc.set...))
			res := h.verify(withStatus(sampleCredential(), tc.entry), nil)
			expect(t, res, tc.status, tc.want...)
			msg := message(res, report.Error, CheckStatus)
			switch tc.name {
			case "suspended":
				if !strings.Contains(msg, "suspended") {
					t.Errorf("message %q", msg)
				}
			case "revoked":
				if !strings.Contains(msg, "revoked") {
					t.Errorf("message %q", msg)
				}
			}
		})
	}
}

func TestStatusMessage(t *testing.T) {
	h := newHarness(t)
	h.net.serve(statusURL, statusListCredential(t, "message", "good", 4))
	entry := bitstringEntry("message", "4")
	entry["statusMessage"] = []any{
		map[string]any{"status": "0x0", "message": "pending review"},
		map[string]any{"status": "0x1", "message": "accepted"},
	}
	res := h.verify(withStatus(sampleCredential(), entry), nil)
	expect(t, res, report.StatusValid, "WARNING CHECK_STATUS")
	if msg := message(res, report.Warning, CheckStatus); !strings.Contains(msg, "0x1: accepted") {
		t.Errorf("message %q", msg)
	}
}

func TestStatusListExpired(t *testing.T) {
	h := newHarness(t)
	var list map[string]any
	if err := json.Unmarshal(statusListCredential(t, "revocation", "good"), &list); err != nil {
		t.Fatal(err)
	}
	list["validUntil"] = "2025-05-01T00:00:00Z"
	h.net.serve(statusURL, mustJSON(t, list))
	expect(t, h.verify(withStatus(sampleCredential(), bitstringEntry("revocation", "3")), nil), report.StatusIndeterminate, "ERROR CHECK_STATUS")
	// As of a time the list was current, it tells.
	h.v.now = func() time.Time { return time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC) }
	expect(t, h.verify(withStatus(sampleCredential(), bitstringEntry("revocation", "3")), nil), report.StatusValid)
}

func TestStatusListUnfetchable(t *testing.T) {
	for name, serve := range map[string]func(n *fakeNet){
		"connection refused": func(n *fakeNet) { n.down(statusURL) },
		"HTTP 503":           func(n *fakeNet) { n.serveStatus(statusURL, 503, nil) },
		"HTTP 404":           func(n *fakeNet) {},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			serve(h.net)
			res := h.verify(withStatus(sampleCredential(), bitstringEntry("revocation", "3")), nil)
			expect(t, res, report.StatusIndeterminate, "ERROR CHECK_STATUS")
		})
	}
}

func TestStatusListCached(t *testing.T) {
	h := newHarness(t)
	h.net.serve(statusURL, statusListCredential(t, "revocation", "good", 5))
	for i := range 5 {
		doc := withStatus(sampleCredential(), bitstringEntry("revocation", "5"))
		doc["id"] = "urn:uuid:" + string(rune('a'+i))
		expect(t, h.verify(doc, nil), report.StatusRevoked, "ERROR CHECK_STATUS")
		expect(t, h.verify(withStatus(sampleCredential(), bitstringEntry("revocation", "6")), nil), report.StatusValid)
	}
	if n := h.net.count(statusURL); n != 1 {
		t.Errorf("the list was fetched %d times", n)
	}
	// One proof check of the list, one per credential.
	if n := h.proofs.n("di"); n != 1+10 {
		t.Errorf("%d Data Integrity checks, want 11", n)
	}
}

func TestListCacheBoundsAndExpires(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newListCache(3, time.Minute, func() time.Time { return now })
	for _, u := range []string{"a", "b", "c", "d"} {
		c.put(u, &verifiedList{purpose: u})
		now = now.Add(time.Second)
	}
	if c.len() != 3 {
		t.Errorf("cache holds %d lists, want 3", c.len())
	}
	if _, ok := c.get("a"); ok {
		t.Error("the oldest list was kept")
	}
	if l, ok := c.get("d"); !ok || l.purpose != "d" {
		t.Error("the newest list was lost")
	}
	now = now.Add(time.Minute)
	if _, ok := c.get("d"); ok {
		t.Error("an expired list was returned")
	}
}

func TestRevocationList(t *testing.T) {
	const listURL = "https://issuer.test/revocations"
	entry := map[string]any{"id": listURL, "type": "1EdTechRevocationList"}
	for _, tc := range []struct {
		name    string
		revoked []any
		status  report.Status
	}{
		{"revoked", []any{map[string]any{"id": "urn:uuid:other"}, map[string]any{"id": credID, "revocationReason": "Issued in error"}}, report.StatusRevoked},
		{"revoked: true", []any{map[string]any{"id": credID, "revoked": true}}, report.StatusRevoked},
		{"revoked: false", []any{map[string]any{"id": credID, "revoked": false}}, report.StatusValid},
		{"others revoked", []any{map[string]any{"id": "urn:uuid:other"}}, report.StatusValid},
		{"empty list", []any{}, report.StatusValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.net.serve(listURL, mustJSON(t, map[string]any{"id": listURL, "revokedCredential": tc.revoked}))
			res := h.verify(withStatus(sampleCredential(), entry), nil)
			if tc.status == report.StatusValid {
				expect(t, res, report.StatusValid)
				return
			}
			expect(t, res, tc.status, "ERROR CHECK_STATUS")
			if tc.name == "revoked" && !strings.Contains(message(res, report.Error, CheckStatus), "Issued in error") {
				t.Errorf("message %q", message(res, report.Error, CheckStatus))
			}
			if a := h.net.accept[listURL]; a != "application/json" {
				t.Errorf("Accept %q", a)
			}
		})
	}
	t.Run("unfetchable", func(t *testing.T) {
		h := newHarness(t)
		h.net.serveStatus(listURL, 500, nil)
		expect(t, h.verify(withStatus(sampleCredential(), entry), nil), report.StatusIndeterminate, "ERROR CHECK_STATUS")
	})
}

func TestUnknownStatusType(t *testing.T) {
	h := newHarness(t)
	res := h.verify(withStatus(sampleCredential(), map[string]any{"id": "https://issuer.test/s", "type": "CredentialStatusList2017"}), nil)
	expect(t, res, report.StatusValid, "WARNING CHECK_STATUS")
}

func TestStatusArray(t *testing.T) {
	h := newHarness(t)
	h.net.serve(statusURL, statusListCredential(t, "revocation", "good", 9))
	res := h.verify(withStatus(sampleCredential(), []any{
		map[string]any{"id": "https://issuer.test/s", "type": "SomethingElse"},
		bitstringEntry("revocation", "9"),
	}), nil)
	expect(t, res, report.StatusRevoked, "WARNING CHECK_STATUS", "ERROR CHECK_STATUS")
}

func TestStatusEntriesBounded(t *testing.T) {
	h := newHarness(t)
	var entries []any
	for i := range 20 {
		entries = append(entries, map[string]any{"id": "https://issuer.test/revocations/" + strconv.Itoa(i), "type": "1EdTechRevocationList"})
	}
	for i := range 20 {
		h.net.serve("https://issuer.test/revocations/"+strconv.Itoa(i), []byte(`{"revokedCredential":[]}`))
	}
	expect(t, h.verify(withStatus(sampleCredential(), entries), nil), report.StatusValid, "WARNING CHECK_STATUS")
	fetched := 0
	for i := range 20 {
		fetched += h.net.count("https://issuer.test/revocations/" + strconv.Itoa(i))
	}
	if fetched != maxListed {
		t.Errorf("%d lists fetched, want %d", fetched, maxListed)
	}
}
