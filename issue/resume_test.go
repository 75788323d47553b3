package issue

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/unbake"
)

// An interrupted run, then a crash's leftovers (a temporary file, a
// reserved row without its image, an image whose row was not marked
// done): the next run issues every row exactly once.
func TestResume(t *testing.T) {
	s := newTestSigner(t, "eddsa-rdfc-2022")
	l := newMemLedger()
	opts := baseOptions(t, s, l, recipients(100))
	opts.StatusListURL = "https://issuer.example/status/1"
	csv := recipients(100)
	// A row reserved by a run that crashed before writing its image.
	l.Reserve(context.Background(), Reservation{RowKey: "r099", CredentialID: "urn:uuid:99999999-9999-4999-8999-999999999999",
		StatusListURL: opts.StatusListURL, WantIndex: true, Format: "eddsa-rdfc-2022"})
	reservedIndex := l.entry("r099").StatusIndex

	ctx, cancel := context.WithCancel(context.Background())
	opts.Progress = func(done, total int) {
		if done == 30 {
			cancel()
		}
	}
	sum, err := Run(ctx, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	if sum.Issued < 30 || sum.Issued >= 100 || sum.Failed != 0 {
		t.Fatalf("cancelled run: %+v", sum)
	}
	first := map[string][]byte{}
	for _, name := range outputs(t, opts.OutDir) {
		if isTempName(name) {
			t.Fatalf("cancelled run left %s", name)
		}
		first[name], _ = os.ReadFile(filepath.Join(opts.OutDir, name))
	}
	if len(first) != sum.Issued {
		t.Fatalf("%d files for %d issued", len(first), sum.Issued)
	}
	// A crash's leftovers: a temporary file, and an image written whose
	// row the ledger still has reserved.
	os.WriteFile(filepath.Join(opts.OutDir, ".r050.png.badgebake-12345"), []byte("partial"), 0o644)
	var uncompleted string
	for name := range first {
		uncompleted = strings.TrimSuffix(name, ".png")
		break
	}
	l.mu.Lock()
	l.entries[uncompleted].State = StateReserved
	l.mu.Unlock()

	opts.Recipients = strings.NewReader(csv)
	opts.Progress = nil
	sum, err = Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Issued+sum.Skipped != 100 || sum.Skipped != len(first) || sum.Failed != 0 {
		t.Fatalf("resumed run: %+v (%d done before)", sum, len(first))
	}
	files := outputs(t, opts.OutDir)
	if len(files) != 100 {
		t.Fatalf("%d files: %v", len(files), files)
	}
	v := offlineVerifier()
	indexes := map[string]bool{}
	for _, name := range files {
		path := filepath.Join(opts.OutDir, name)
		data, _ := os.ReadFile(path)
		if before, ok := first[name]; ok && !bytes.Equal(before, data) {
			t.Errorf("%s was issued again", name)
		}
		u, err := unbake.Bytes(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		cred := u.Parsed.Credential()
		id := cred["id"].(string)
		key := strings.TrimSuffix(name, ".png")
		e := l.entry(key)
		if e.CredentialID != id || e.State != StateIssued {
			t.Errorf("%s: ledger %+v, credential %s", name, e, id)
		}
		if _, ok := first[name]; ok && s.signedTimes(id) != 1 {
			t.Errorf("%s: signed %d times", name, s.signedTimes(id))
		}
		idx := cred["credentialStatus"].(map[string]any)["statusListIndex"].(string)
		if indexes[idx] {
			t.Errorf("status index %s given twice", idx)
		}
		indexes[idx] = true
		if p := problems(verifyFile(t, v, path, nil)); len(p) > 0 {
			t.Errorf("%s: %v", name, p)
		}
	}
	e := l.entry("r099")
	if e.CredentialID != "urn:uuid:99999999-9999-4999-8999-999999999999" || e.StatusIndex != reservedIndex {
		t.Errorf("reserved row redone as %+v", e)
	}
	u, _ := unbake.UnbakeFile(filepath.Join(opts.OutDir, "r099.png"), nil)
	if got := u.Parsed.Credential()["credentialStatus"].(map[string]any)["statusListIndex"]; got != itoa(reservedIndex) {
		t.Errorf("reserved row's index %v, want %d", got, reservedIndex)
	}

	// A third run finds everything done.
	opts.Recipients = strings.NewReader(csv)
	sum, err = Run(context.Background(), opts)
	if err != nil || sum.Skipped != 100 || sum.Issued != 0 {
		t.Fatalf("third run: %+v %v", sum, err)
	}

	// An image lost after it was issued is issued again as it was
	// recorded: the same id and status index.
	lost := l.entry("r010")
	os.Remove(filepath.Join(opts.OutDir, "r010.png"))
	opts.Recipients = strings.NewReader(csv)
	sum, err = Run(context.Background(), opts)
	if err != nil || sum.Skipped != 99 || sum.Issued != 1 {
		t.Fatalf("fourth run: %+v %v", sum, err)
	}
	u, err = unbake.UnbakeFile(filepath.Join(opts.OutDir, "r010.png"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cred := u.Parsed.Credential()
	if cred["id"] != lost.CredentialID || cred["credentialStatus"].(map[string]any)["statusListIndex"] != itoa(lost.StatusIndex) {
		t.Fatalf("reissued as %v, recorded %+v", cred["id"], lost)
	}
	// A revoked row is not issued again.
	l.Revoke(context.Background(), []string{"r011"}, "", lost.IssuedAt)
	os.Remove(filepath.Join(opts.OutDir, "r011.png"))
	opts.Recipients = strings.NewReader(csv)
	sum, err = Run(context.Background(), opts)
	if err != nil || sum.Skipped != 99 || sum.Failed != 1 || !strings.Contains(sum.Failures[0].Error(), "was revoked: it is not issued again") {
		t.Fatalf("fifth run: %+v %v", sum, err)
	}
}
