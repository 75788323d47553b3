package ob3issuer_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/badgebake/badgebake/internal/jsonin"
	"github.com/badgebake/badgebake/internal/testkit/ob3issuer"
	"github.com/badgebake/badgebake/verify/ob3/dataintegrity"
	"github.com/badgebake/badgebake/verify/ob3/keys"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
	"github.com/badgebake/badgebake/verify/ob3/vcjwt"
)

// What the issuer signs verifies with the keys its DID document lists,
// fetched through its client.
func TestSignaturesVerify(t *testing.T) {
	iss := ob3issuer.New(t)
	r := keys.NewResolver(iss.Client())
	ctx := context.Background()
	res, err := dataintegrity.Verify(ctx, iss.SignDI(iss.Credential()), ob3issuer.Canonicalizer(), r)
	if err != nil || res.Valid == nil || res.Valid.VerificationMethod != iss.Keys.Ed25519ID {
		t.Fatalf("Data Integrity: %+v, %v", res, err)
	}
	for _, alg := range []string{"EdDSA", "ES256", "RS256"} {
		out, err := vcjwt.Verify(ctx, iss.SignJWT(iss.Credential(), alg), r)
		if err != nil || out.Alg != alg || !out.Key.Authenticated {
			t.Errorf("%s: %+v, %v", alg, out, err)
		}
	}
	// A key no document lists does not verify under the issuer's key id.
	if _, err := dataintegrity.Verify(ctx, iss.SignDIWith(iss.Credential(), iss.Stranger, iss.Keys.Ed25519ID), ob3issuer.Canonicalizer(), r); err == nil {
		t.Error("a stranger's signature verified")
	}
	// other.example's key is in other.example's document.
	if err := r.CheckIssuer(ctx, mustResolve(t, r, iss.Other.Ed25519ID), ob3issuer.OtherDID); err != nil {
		t.Errorf("other.example's key: %v", err)
	}
}

func mustResolve(t *testing.T, r *keys.Resolver, id string) *keys.Key {
	k, err := r.Resolve(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The status lists are served signed, with the bits Revoke and Suspend
// set; Down and SetStatus replace a document with an HTTP error.
func TestStatusLists(t *testing.T) {
	iss := ob3issuer.New(t)
	iss.Revoke(3)
	iss.Suspend(5)
	r := keys.NewResolver(iss.Client())
	for path, bit := range map[string]int{ob3issuer.RevocationListPath: 3, ob3issuer.SuspensionListPath: 5} {
		doc := getJSON(t, iss, iss.URL(path), http.StatusOK)
		if _, err := dataintegrity.Verify(context.Background(), doc, ob3issuer.Canonicalizer(), r); err != nil {
			t.Fatalf("%s: proof: %v", path, err)
		}
		list, _, err := statuslist.FromCredential(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{bit - 1, bit, bit + 1} {
			if v, _ := list.Status(i, 1); (v == 1) != (i == bit) {
				t.Errorf("%s: bit %d is %d", path, i, v)
			}
		}
	}
	iss.BreakStatusList(statuslist.PurposeRevocation)
	doc := getJSON(t, iss, iss.URL(ob3issuer.RevocationListPath), http.StatusOK)
	if _, err := dataintegrity.Verify(context.Background(), doc, ob3issuer.Canonicalizer(), r); err == nil {
		t.Error("the broken status list verifies")
	}
	iss.Down(ob3issuer.RevocationListPath)
	getJSON(t, iss, iss.URL(ob3issuer.RevocationListPath), http.StatusServiceUnavailable)
	iss.SetHostStatus(ob3issuer.OtherHost, ob3issuer.DIDDocumentPath, http.StatusNotFound)
	getJSON(t, iss, "https://"+ob3issuer.OtherHost+ob3issuer.DIDDocumentPath, http.StatusNotFound)
	getJSON(t, iss, iss.URL(ob3issuer.DIDDocumentPath), http.StatusOK)
}

func getJSON(t *testing.T, iss *ob3issuer.Issuer, url string, want int) map[string]any {
	t.Helper()
	resp, err := iss.FreshClient().Get(context.Background(), url, "application/json")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != want {
		t.Fatalf("%s: HTTP %d, want %d", url, resp.Status, want)
	}
	if want != http.StatusOK {
		return nil
	}
	doc, err := jsonin.DecodeObject(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// A did:key issuer's credentials verify offline.
func TestDIDKeyOffline(t *testing.T) {
	iss := ob3issuer.NewDIDKey(t)
	ctx := context.Background()
	if _, err := dataintegrity.Verify(ctx, iss.SignDI(iss.Credential()), ob3issuer.Canonicalizer(), keys.NewResolver(nil)); err != nil {
		t.Errorf("Data Integrity: %v", err)
	}
	if _, err := vcjwt.Verify(ctx, iss.SignJWT(iss.Credential(), "EdDSA"), keys.NewResolver(nil)); err != nil {
		t.Errorf("VC-JWT: %v", err)
	}
	if _, err := iss.Client().Get(ctx, "https://issuer.example/", ""); err == nil {
		t.Error("the did:key issuer's client is not offline")
	}
}
