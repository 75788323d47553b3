package keys_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/testcorpus"
	"github.com/badgebake/badgebake/verify/ob3/keys"
)

// TestCorpusProofKeys resolves the verificationMethod of every signed
// vector of the corpus offline, and checks it against the issuer: the
// did:key vectors' keys are authenticated but not their issuers' (the W3C
// vectors sign for issuers they do not control: CheckIssuer must say so),
// the 1EdTech vector's key is read from its URL fragment, only
// integrity-grade, and under its issuer's URL.
func TestCorpusProofKeys(t *testing.T) {
	dir := testcorpus.Dir(t)
	r := keys.NewResolver(nil)
	for _, c := range []struct {
		path          string
		source        keys.Source
		authenticated bool
		issuersKey    bool
	}{
		{"ob3/1edtech-ob-v3p0-test-vector/signed-credential.json", keys.SourceFragment, false, true},
		{"ob3/w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json", keys.SourceDIDKey, true, false},
		{"ob3/w3c-vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json", keys.SourceDIDKey, true, false},
	} {
		b, err := os.ReadFile(filepath.Join(dir, c.path))
		if err != nil {
			t.Fatal(err)
		}
		var vc struct {
			Issuer json.RawMessage `json:"issuer"`
			Proof  struct {
				VerificationMethod string `json:"verificationMethod"`
			} `json:"proof"`
		}
		if err := json.Unmarshal(b, &vc); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		var issuer string
		if json.Unmarshal(vc.Issuer, &issuer) != nil {
			var obj struct{ ID string }
			json.Unmarshal(vc.Issuer, &obj)
			issuer = obj.ID
		}
		k, err := r.Resolve(context.Background(), vc.Proof.VerificationMethod)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if k.Source != c.source || k.Authenticated != c.authenticated {
			t.Errorf("%s: key %+v", c.path, k)
		}
		err = r.CheckIssuer(context.Background(), k, issuer)
		var ie *keys.IssuerError
		if c.issuersKey && err != nil || !c.issuersKey && !errors.As(err, &ie) {
			t.Errorf("%s: CheckIssuer(%s) = %v", c.path, issuer, err)
		}
	}
}
