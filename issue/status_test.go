package issue

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/badgebake/badgebake/report"
	"github.com/badgebake/badgebake/verify/ob3/statuslist"
)

func TestRevokeThreeOfHundred(t *testing.T) {
	for _, format := range []string{"eddsa-rdfc-2022", "vc-jwt"} {
		t.Run(format, func(t *testing.T) {
			s := newTestSigner(t, format)
			l := newMemLedger()
			opts := baseOptions(t, s, l, recipients(100))
			const listURL = "https://issuer.example/status/1"
			opts.StatusListURL = listURL
			if sum, err := Run(context.Background(), opts); err != nil || sum.Issued != 100 {
				t.Fatalf("%+v %v", sum, err)
			}
			out := filepath.Join(t.TempDir(), "status.json")
			// Nothing revoked yet: every badge is valid against the list.
			if err := WriteStatusList(context.Background(), l, s, listURL, out); err != nil {
				t.Fatal(err)
			}
			v := serving(map[string]string{listURL: out})
			for _, name := range []string{"r000.png", "r042.png"} {
				if res := verifyFile(t, v, filepath.Join(opts.OutDir, name), nil); res.Status != report.StatusValid {
					t.Fatalf("%s before revocation: %s %v", name, res.Status, problems(res))
				}
			}

			revokedID := l.entry("r042").CredentialID
			at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			entries, err := Revoke(context.Background(), l, s, []string{"r007", revokedID, "r099"}, "issued in error", out, at)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 3 || !entries[1].Revoked || entries[1].RevokeReason != "issued in error" {
				t.Fatalf("entries %+v", entries)
			}
			raw, _ := os.ReadFile(out)
			var doc map[string]any
			json.Unmarshal(raw, &doc)
			if format == "eddsa-rdfc-2022" {
				list, _, err := statuslist.FromCredential(doc)
				if err != nil {
					t.Fatal(err)
				}
				if list.Len() != MinStatusListSize {
					t.Fatalf("list of %d entries", list.Len())
				}
			}
			v = serving(map[string]string{listURL: out}) // a fresh client: nothing cached
			revoked := []string{"r007.png", "r042.png", "r099.png"}
			for _, name := range outputs(t, opts.OutDir) {
				res := verifyFile(t, v, filepath.Join(opts.OutDir, name), nil)
				want := report.StatusValid
				if slices.Contains(revoked, name) {
					want = report.StatusRevoked
				}
				if res.Status != want {
					t.Errorf("%s: %s, want %s: %v", name, res.Status, want, problems(res))
				}
			}
		})
	}
}

func TestStatusListSize(t *testing.T) {
	for _, c := range []struct{ max, want int }{{-1, 131072}, {0, 131072}, {131071, 131072}, {131072, 262144}} {
		if got := StatusListSize(c.max); got != c.want {
			t.Errorf("StatusListSize(%d) = %d, want %d", c.max, got, c.want)
		}
	}
}

// The status list bits are the ledger's revoked indexes, most
// significant bit first.
func TestWriteStatusListBits(t *testing.T) {
	s := newTestSigner(t, "eddsa-rdfc-2022")
	l := newMemLedger()
	const listURL = "https://issuer.example/status/2"
	for i := range 10 {
		l.Reserve(context.Background(), Reservation{RowKey: itoa(i), CredentialID: "c" + itoa(i), StatusListURL: listURL, WantIndex: true})
	}
	l.Revoke(context.Background(), []string{"c3", "8"}, "", time.Now())
	out := filepath.Join(t.TempDir(), "list.json")
	if err := WriteStatusList(context.Background(), l, s, listURL, out); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(out)
	var doc map[string]any
	json.Unmarshal(raw, &doc)
	list, purpose, err := statuslist.FromCredential(doc)
	if err != nil || purpose != "revocation" {
		t.Fatal(purpose, err)
	}
	if b := list.Bytes(); b[0] != 0b00010000 || b[1] != 0b10000000 || b[2] != 0 {
		t.Fatalf("bits %08b", b[:3])
	}
}
