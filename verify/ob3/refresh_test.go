package ob3

import (
	"strconv"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/report"
)

const refreshURL = "https://issuer.test/refresh/1"

func withRefresh(doc map[string]any) map[string]any {
	doc["refreshService"] = map[string]any{"id": refreshURL, "type": "1EdTechCredentialRefresh"}
	return doc
}

func TestRefresh(t *testing.T) {
	t.Run("refreshed credential verified instead", func(t *testing.T) {
		h := newHarness(t)
		old := withRefresh(sampleCredential())
		old["validUntil"] = "2025-01-01T00:00:00Z" // expired: the refreshed one is not
		fresh := withRefresh(sampleCredential())
		fresh["id"] = "urn:uuid:refreshed"
		h.net.serve(refreshURL, mustJSON(t, fresh))
		res := h.verify(old, nil)
		expect(t, res, report.StatusValid)
		if res.Report.ValidationSubject != "urn:uuid:refreshed" || !res.Has(CheckRefresh, report.Info) {
			t.Errorf("subject %q, messages %+v", res.Report.ValidationSubject, res.Report.Messages)
		}
		// The refreshed credential names the same service: it is not
		// followed a second time.
		if n := h.net.count(refreshURL); n != 1 {
			t.Errorf("refresh service fetched %d times", n)
		}
	})
	t.Run("service pointing to the credential itself", func(t *testing.T) {
		h := newHarness(t)
		doc := withRefresh(sampleCredential())
		h.net.serve(refreshURL, mustJSON(t, doc))
		expect(t, h.verify(doc, nil), report.StatusValid)
		if n := h.net.count(refreshURL); n != 1 {
			t.Errorf("refresh service fetched %d times", n)
		}
	})
	t.Run("refreshed credential does not verify", func(t *testing.T) {
		h := newHarness(t)
		fresh := sampleCredential()
		fresh["id"] = "urn:uuid:refreshed"
		fresh["proof"] = proof("tampered")
		h.net.serve(refreshURL, mustJSON(t, fresh))
		res := h.verify(withRefresh(sampleCredential()), nil)
		expect(t, res, report.StatusValid, "WARNING CHECK_REFRESH")
		if res.Report.ValidationSubject != credID || !strings.Contains(message(res, report.Warning, CheckRefresh), "VERIFY_PROOF") {
			t.Errorf("subject %q message %q", res.Report.ValidationSubject, message(res, report.Warning, CheckRefresh))
		}
	})
	t.Run("refreshed credential of another issuer", func(t *testing.T) {
		h := newHarness(t)
		fresh := sampleCredential()
		fresh["issuer"] = "https://evil.test/issuer"
		fresh["proof"].(map[string]any)["verificationMethod"] = "https://evil.test/issuer#key"
		h.net.serve(refreshURL, mustJSON(t, fresh))
		res := h.verify(withRefresh(sampleCredential()), nil)
		expect(t, res, report.StatusValid, "WARNING CHECK_REFRESH")
	})
	t.Run("service down", func(t *testing.T) {
		h := newHarness(t)
		h.net.down(refreshURL)
		expect(t, h.verify(withRefresh(sampleCredential()), nil), report.StatusValid, "WARNING CHECK_REFRESH")
	})
	t.Run("not followed for a credential whose proof fails", func(t *testing.T) {
		h := newHarness(t)
		doc := withRefresh(sampleCredential())
		doc["proof"] = proof("tampered")
		h.net.serve(refreshURL, mustJSON(t, sampleCredential()))
		expect(t, h.verify(doc, nil), report.StatusInvalid, "ERROR VERIFY_PROOF")
		if n := h.net.count(refreshURL); n != 0 {
			t.Errorf("refresh service fetched %d times", n)
		}
	})
	t.Run("other refresh types ignored", func(t *testing.T) {
		h := newHarness(t)
		doc := sampleCredential()
		doc["refreshService"] = map[string]any{"id": refreshURL, "type": "ManualRefreshService2018"}
		expect(t, h.verify(doc, nil), report.StatusValid)
		if n := h.net.count(refreshURL); n != 0 {
			t.Errorf("refresh service fetched %d times", n)
		}
	})
}

// endorsementOf is an EndorsementCredential of the credential's
// achievement, signed as the fake checks (proofValue).
func endorsementOf(id, proofValue string) map[string]any {
	return map[string]any{
		"@context":  []any{contextVC2, contextOB},
		"id":        id,
		"type":      []any{"VerifiableCredential", "EndorsementCredential"},
		"issuer":    map[string]any{"id": "https://endorser.test/org", "type": []any{"Profile"}, "name": "Endorser"},
		"validFrom": "2024-01-01T00:00:00Z",
		"name":      "Endorsement",
		"credentialSubject": map[string]any{
			"id": "https://issuer.test/achievements/teamwork", "type": []any{"EndorsementSubject"},
			"endorsementComment": "A fine achievement.",
		},
		"proof": map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
			"verificationMethod": "https://endorser.test/org#key", "proofPurpose": "assertionMethod", "proofValue": proofValue},
	}
}

func TestEndorsements(t *testing.T) {
	t.Run("good endorsements", func(t *testing.T) {
		h := newHarness(t)
		doc := sampleCredential()
		doc["endorsement"] = []any{endorsementOf("urn:uuid:e1", "good")}
		doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["endorsement"] = []any{endorsementOf("urn:uuid:e2", "good")}
		expect(t, h.verify(doc, nil), report.StatusValid)
		if n := h.proofs.n("di"); n != 3 {
			t.Errorf("%d proof checks, want 3", n)
		}
	})
	t.Run("bad endorsement is a warning", func(t *testing.T) {
		h := newHarness(t)
		doc := sampleCredential()
		doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["endorsement"] = []any{endorsementOf("urn:uuid:bad", "tampered")}
		res := h.verify(doc, nil)
		expect(t, res, report.StatusValid, "WARNING VERIFY_ENDORSEMENT")
		msg := message(res, report.Warning, CheckVerifyEndorsement)
		if !strings.Contains(msg, "urn:uuid:bad by Endorser") || !strings.Contains(msg, "VERIFY_PROOF") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("expired endorsement in the issuer", func(t *testing.T) {
		h := newHarness(t)
		doc := sampleCredential()
		e := endorsementOf("urn:uuid:old", "good")
		e["validUntil"] = "2024-06-01T00:00:00Z"
		doc["issuer"].(map[string]any)["endorsement"] = e
		expect(t, h.verify(doc, nil), report.StatusValid, "WARNING VERIFY_ENDORSEMENT")
	})
	t.Run("endorsementJwt", func(t *testing.T) {
		h := newHarness(t)
		doc := sampleCredential()
		good := endorsementOf("urn:uuid:jwt-good", "")
		delete(good, "proof")
		bad := endorsementOf("urn:uuid:jwt-bad", "")
		delete(bad, "proof")
		doc["endorsementJwt"] = []any{
			jwt(t, "good https://endorser.test/org#key", good),
			jwt(t, "bad https://endorser.test/org#key", bad),
			"not a jwt",
		}
		res := h.verify(doc, nil)
		expect(t, res, report.StatusValid, "WARNING VERIFY_ENDORSEMENT", "WARNING VERIFY_ENDORSEMENT")
		if !strings.Contains(message(res, report.Warning, CheckVerifyEndorsement), "urn:uuid:jwt-bad") {
			t.Errorf("message %q", message(res, report.Warning, CheckVerifyEndorsement))
		}
		if h.proofs.n("jwt") != 2 {
			t.Errorf("%d JWT checks", h.proofs.n("jwt"))
		}
	})
	t.Run("an endorsement's refresh service is not followed", func(t *testing.T) {
		h := newHarness(t)
		doc := sampleCredential()
		doc["endorsement"] = withRefresh(endorsementOf("urn:uuid:e1", "good"))
		h.net.serve(refreshURL, mustJSON(t, endorsementOf("urn:uuid:e1-new", "good")))
		expect(t, h.verify(doc, nil), report.StatusValid)
		if n := h.net.count(refreshURL); n != 0 {
			t.Errorf("refresh service fetched %d times", n)
		}
	})
	t.Run("depth limit", func(t *testing.T) {
		h := newHarness(t)
		h.v.maxDepth = 1
		inner := endorsementOf("urn:uuid:inner", "good")
		outer := endorsementOf("urn:uuid:outer", "good")
		outer["endorsement"] = []any{inner}
		doc := sampleCredential()
		doc["endorsement"] = []any{outer}
		res := h.verify(doc, nil)
		// The outer endorsement verifies (its warning about the inner one
		// stays in its own report); the inner one is never checked.
		expect(t, res, report.StatusValid)
		if n := h.proofs.n("di"); n != 2 {
			t.Errorf("%d proof checks, want 2 (credential and outer endorsement)", n)
		}
	})
	t.Run("depth limit reached at the top", func(t *testing.T) {
		h := newHarness(t)
		r := &run{v: h.v, depth: h.v.maxDepth, res: newResult("", report.InputJSON), endorsements: new(int)}
		doc := sampleCredential()
		doc["endorsement"] = endorsementOf("urn:uuid:deep", "good")
		r.checkEndorsements(&credential{doc: doc})
		if !r.res.Has(CheckVerifyEndorsement, report.Warning) || !strings.Contains(message(r.res, report.Warning, CheckVerifyEndorsement), "levels deep") {
			t.Errorf("messages %+v", r.res.Report.Messages)
		}
	})
	t.Run("at most maxEndorsements in all", func(t *testing.T) {
		h := newHarness(t)
		var level []any
		for i := range 20 {
			e := endorsementOf("urn:uuid:inner-"+strconv.Itoa(i), "good")
			level = append(level, e)
		}
		var outer []any
		for i := range 20 {
			e := endorsementOf("urn:uuid:outer-"+strconv.Itoa(i), "good")
			e["endorsement"] = level
			outer = append(outer, e)
		}
		doc := sampleCredential()
		doc["endorsement"] = outer
		res := h.verify(doc, nil)
		expect(t, res, report.StatusValid, "WARNING VERIFY_ENDORSEMENT")
		if n := h.proofs.n("di"); n != 1+maxEndorsements {
			t.Errorf("%d proof checks, want %d", n, 1+maxEndorsements)
		}
	})
	t.Run("endorsements of endorsements to any depth end", func(t *testing.T) {
		h := newHarness(t)
		e := endorsementOf("urn:uuid:e0", "good")
		for i := 1; i < 10; i++ {
			outer := endorsementOf("urn:uuid:e"+string(rune('0'+i)), "good")
			outer["endorsement"] = e
			e = outer
		}
		doc := sampleCredential()
		doc["endorsement"] = e
		expect(t, h.verify(doc, nil), report.StatusValid)
		if n := h.proofs.n("di"); n != 1+DefaultMaxDepth {
			t.Errorf("%d proof checks, want %d", n, 1+DefaultMaxDepth)
		}
	})
}
