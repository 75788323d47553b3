package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/badgebake/badgebake/ledger"
	"github.com/badgebake/badgebake/unbake"
)

// These tests run the real badgebake command in subprocesses (the test
// binary with e2eMain set runs Main, see TestMain), so that a run can be
// killed with SIGKILL, or two runs can share a ledger as two processes.

const issueTestTemplate = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "{{.id}}",
  "type": ["VerifiableCredential", "AchievementCredential"],
  "issuer": {"id": "ISSUER", "type": ["Profile"], "name": "Example Issuer"},
  "validFrom": "2024-01-01T00:00:00Z",
  "name": "Teamwork",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": "{{.email}}"}],
    "achievement": {"id": "https://example.org/achievements/teamwork", "type": ["Achievement"], "name": "Teamwork",
      "description": "Awarded to {{.name}}.", "criteria": {"narrative": "Nominated by three peers."}}
  }
}`

// issueFixture is a P-256 did:key issuer (VC-JWT, the fast format), its
// template and the badge image, in dir.
type issueFixture struct {
	dir, key, template, image string
}

func newIssueFixture(t *testing.T) *issueFixture {
	t.Helper()
	dir := t.TempDir()
	f := &issueFixture{dir: dir, key: filepath.Join(dir, "keys", "key.pem"),
		template: filepath.Join(dir, "template.json"), image: filepath.Join(dir, "badge.png")}
	out, errOut, code := runBadgebake(t, "keygen", "--type", "p256", "-o", filepath.Join(dir, "keys"))
	if code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errOut)
	}
	did := strings.TrimSpace(out)
	if !strings.HasPrefix(did, "did:key:z") {
		t.Fatalf("keygen printed %q, want a did:key", did)
	}
	writeFile(t, f.template, strings.Replace(issueTestTemplate, "ISSUER", did, 1))
	img, err := os.ReadFile(filepath.Join("..", "..", "testdata", "badge.png"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, f.image, string(img))
	return f
}

// recipientsCSV writes n rows keyed prefix0001, prefix0002, … to a CSV
// file and returns its path and the row keys.
func (f *issueFixture) recipientsCSV(t *testing.T, name, prefix string, n int) (string, []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("key,name,email\n")
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprintf("%s%04d", prefix, i+1)
		fmt.Fprintf(&b, "%s,Person %d,%s@example.org\n", keys[i], i+1, keys[i])
	}
	path := filepath.Join(f.dir, name)
	writeFile(t, path, b.String())
	return path, keys
}

// issueArgs are the arguments of an offline VC-JWT issue run with a
// status list.
func (f *issueFixture) issueArgs(csv, out, ledgerPath string) []string {
	return []string{"issue", "--template", f.template, "--recipients", csv, "--image", f.image,
		"--key", f.key, "--format", "vc-jwt", "--out", out, "--ledger", ledgerPath,
		"--status-list-url", "https://example.org/status/1", "--offline"}
}

func badgebakeCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), e2eMain+"=1")
	return cmd
}

func runBadgebake(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := badgebakeCmd(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), exit.ExitCode()
	} else if err != nil {
		t.Fatalf("badgebake %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), 0
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var summaryLine = regexp.MustCompile(`(?m)^(\d+) row\(s\): (\d+) issued, (\d+) already issued, (\d+) failed, in `)

// summary reads issue's summary line: rows, issued, already issued, failed.
func summary(t *testing.T, stderr string) (rows, issued, skipped, failed int) {
	t.Helper()
	m := summaryLine.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no summary line in:\n%s", stderr)
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return n[0], n[1], n[2], n[3]
}

// pngFiles lists the baked images in dir, and every other file name.
func pngFiles(t *testing.T, dir string) (images map[string]bool, others []string) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	images = map[string]bool{}
	for _, de := range des {
		if name := de.Name(); strings.HasSuffix(name, ".png") && !strings.HasPrefix(name, ".") && de.Type().IsRegular() {
			images[name] = true
		} else {
			others = append(others, name)
		}
	}
	return images, others
}

// ledgerEntries reads every entry of the ledger at path.
func ledgerEntries(t *testing.T, path string) []ledger.Entry {
	t.Helper()
	ctx := context.Background()
	l, err := ledger.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var es []ledger.Entry
	if err := l.Entries(ctx, func(e ledger.Entry) error { es = append(es, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return es
}

// checkLedger asserts that the ledger holds exactly the row keys given,
// each issued, its output file present, with status indexes no two share.
func checkLedger(t *testing.T, path string, keys []string) {
	t.Helper()
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	byIndex := map[int]string{}
	seen := map[string]bool{}
	es := ledgerEntries(t, path)
	for _, e := range es {
		switch {
		case !want[e.RowKey]:
			t.Errorf("ledger: unexpected row key %q", e.RowKey)
		case seen[e.RowKey]:
			t.Errorf("ledger: row key %q twice", e.RowKey)
		case e.State != ledger.Issued:
			t.Errorf("ledger: %s is %s, want %s", e.RowKey, e.State, ledger.Issued)
		case e.StatusIndex < 0:
			t.Errorf("ledger: %s has no status index", e.RowKey)
		}
		seen[e.RowKey] = true
		if other, dup := byIndex[e.StatusIndex]; dup {
			t.Errorf("ledger: status index %d handed out to %s and %s", e.StatusIndex, other, e.RowKey)
		}
		byIndex[e.StatusIndex] = e.RowKey
		if _, err := os.Stat(e.OutputFile); err != nil {
			t.Errorf("ledger: %s: output file: %v", e.RowKey, err)
		}
	}
	if len(es) != len(keys) {
		t.Errorf("ledger holds %d entries, want %d", len(es), len(keys))
	}
}

// checkImagesMatchLedger unbakes every image the ledger names: each holds a
// whole VC-JWT whose jti is its entry's credential id, none twice.
func checkImagesMatchLedger(t *testing.T, ledgerPath string) {
	t.Helper()
	seen := map[string]string{}
	for _, e := range ledgerEntries(t, ledgerPath) {
		res, err := unbake.UnbakeFile(e.OutputFile, nil)
		if err != nil {
			t.Errorf("%s: %v", e.OutputFile, err)
			continue
		}
		parts := strings.Split(res.Payload, ".")
		var claims struct {
			JTI string `json:"jti"`
		}
		b, err := base64.RawURLEncoding.DecodeString(parts[min(1, len(parts)-1)])
		if len(parts) != 3 || err != nil || json.Unmarshal(b, &claims) != nil {
			t.Errorf("%s: not a whole VC-JWT: %.60q", e.OutputFile, res.Payload)
			continue
		}
		if claims.JTI != e.CredentialID {
			t.Errorf("%s: jti %q, the ledger says %q", e.OutputFile, claims.JTI, e.CredentialID)
		}
		if other, dup := seen[claims.JTI]; dup {
			t.Errorf("%s and %s carry the same credential %s", other, e.OutputFile, claims.JTI)
		}
		seen[claims.JTI] = e.OutputFile
	}
}

// TestIssueResumesAfterSIGKILL kills issue part-way with SIGKILL, runs it
// again, and checks that every row was issued exactly once: one image
// each, no temporary file left, the ledger complete with distinct status
// indexes, and the second run reporting the first run's rows as already
// issued.
func TestIssueResumesAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("issues 2,000 badges in subprocesses: skipped in -short mode")
	}
	const rows = 2000
	f := newIssueFixture(t)
	csv, keys := f.recipientsCSV(t, "people.csv", "r", rows)
	out := filepath.Join(f.dir, "out")
	ledgerPath := filepath.Join(f.dir, "issued.db")
	args := f.issueArgs(csv, out, ledgerPath)

	// One job: the run is slow enough to be caught part-way.
	cmd := badgebakeCmd(append(args, "--jobs", "1")...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Poll until some images are written (not a timing threshold: the
	// deadline only stops a test that would otherwise hang).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		imgs, _ := pngFilesIfAny(out)
		if imgs >= 50 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("issue ended before it could be killed (%v): %s", err, errOut.String())
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no image written in 2 minutes: %s", errOut.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("issue was not killed (%v): %s", err, errOut.String())
	}
	before, _ := pngFiles(t, out)
	if len(before) == 0 || len(before) >= rows {
		t.Fatalf("%d images before the re-run: want some, not all", len(before))
	}

	_, stderr, code := runBadgebake(t, args...)
	if code != 0 {
		t.Fatalf("re-run: exit %d:\n%s", code, stderr)
	}
	n, issued, skipped, failed := summary(t, stderr)
	t.Logf("killed with %d images written; the re-run issued %d, found %d already issued", len(before), issued, skipped)
	if n != rows || failed != 0 || issued+skipped != rows {
		t.Fatalf("re-run summary: %d rows, %d issued, %d already issued, %d failed", n, issued, skipped, failed)
	}
	// Every image complete before the kill is skipped, not re-signed; a
	// row reserved but not written when it was killed is issued again.
	if skipped < len(before) || issued == 0 {
		t.Errorf("re-run: %d issued, %d already issued; %d images were written before the kill", issued, skipped, len(before))
	}
	after, others := pngFiles(t, out)
	if len(others) > 0 {
		t.Errorf("left in %s besides the images: %v", out, others)
	}
	for _, k := range keys {
		if !after[k+".png"] {
			t.Errorf("%s.png missing", k)
		}
	}
	if len(after) != rows {
		t.Errorf("%d images, want %d", len(after), rows)
	}
	for name := range before {
		if !after[name] {
			t.Errorf("%s written before the kill is gone", name)
		}
	}
	checkLedger(t, ledgerPath, keys)
	checkImagesMatchLedger(t, ledgerPath)

	// One more run: nothing left to do.
	_, stderr, code = runBadgebake(t, args...)
	if _, issued, skipped, _ := summary(t, stderr); code != 0 || issued != 0 || skipped != rows {
		t.Errorf("third run: exit %d, %d issued, %d already issued:\n%s", code, issued, skipped, stderr)
	}

	// A spot check that what was issued across the kill verifies.
	for _, k := range []string{keys[0], keys[rows/2], keys[rows-1]} {
		stdout, _, code := runBadgebake(t, "verify", "--offline", filepath.Join(out, k+".png"))
		// The status list is not published: could not be checked (3), and
		// nothing else wrong.
		if code != ExitIndeterminate || !strings.Contains(stdout, "CHECK_STATUS") || strings.Contains(stdout, "VERIFY_PROOF") {
			t.Errorf("verify %s: exit %d:\n%s", k, code, stdout)
		}
	}
}

// pngFilesIfAny counts the images in dir, 0 while it does not exist.
func pngFilesIfAny(dir string) (int, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".png") && !strings.HasPrefix(de.Name(), ".") {
			n++
		}
	}
	return n, nil
}

// TestIssueConcurrentRunsShareLedger runs two issue processes at once on
// one SQLite ledger, with different recipients: both complete, and no
// status index is handed out twice.
func TestIssueConcurrentRunsShareLedger(t *testing.T) {
	if testing.Short() {
		t.Skip("issues badges in subprocesses: skipped in -short mode")
	}
	t.Run("separate output directories", func(t *testing.T) {
		testConcurrentIssue(t, "out-a", "out-b")
	})
	t.Run("one output directory", func(t *testing.T) {
		testConcurrentIssue(t, "out", "out")
	})
}

func testConcurrentIssue(t *testing.T, outA, outB string) {
	const rows = 300
	f := newIssueFixture(t)
	csvA, keysA := f.recipientsCSV(t, "a.csv", "a", rows)
	csvB, keysB := f.recipientsCSV(t, "b.csv", "b", rows)
	ledgerPath := filepath.Join(f.dir, "issued.db")

	type result struct {
		csv, stderr string
		code        int
	}
	results := make(chan result, 2)
	for _, run := range []struct{ csv, out string }{{csvA, outA}, {csvB, outB}} {
		go func() {
			cmd := badgebakeCmd(f.issueArgs(run.csv, filepath.Join(f.dir, run.out), ledgerPath)...)
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			err := cmd.Run()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			} else if err != nil {
				code = -1
				errOut.WriteString(err.Error())
			}
			results <- result{run.csv, errOut.String(), code}
		}()
	}
	var refused []string // the CSV of a run refused for sharing the directory
	for range 2 {
		r := <-results
		if outA == outB && r.code == 2 && strings.Contains(r.stderr, "another badgebake issue is writing to") {
			// Two runs overlapping in one directory: the second is refused
			// (exit 2, nothing done) rather than deleting the first one's
			// temporary files; it is run again once the first is done.
			refused = append(refused, r.csv)
			continue
		}
		if r.code != 0 {
			t.Errorf("issue: exit %d:\n%s", r.code, r.stderr)
			continue
		}
		if n, issued, _, _ := summary(t, r.stderr); n != rows || issued != rows {
			t.Errorf("issue: %d rows, %d issued, want %d of %d", n, issued, rows, rows)
		}
	}
	if len(refused) > 1 {
		t.Fatal("both runs were refused")
	}
	for _, csv := range refused {
		cmd := badgebakeCmd(f.issueArgs(csv, filepath.Join(f.dir, outA), ledgerPath)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("re-run of the refused issue: %v\n%s", err, out)
		}
	}
	checkLedger(t, ledgerPath, append(keysA, keysB...))
	checkImagesMatchLedger(t, ledgerPath)
	images := 0
	for _, out := range []string{outA, outB} {
		imgs, others := pngFiles(t, filepath.Join(f.dir, out))
		images += len(imgs)
		if len(others) != 0 {
			t.Errorf("left in %s besides the images: %v", out, others)
		}
		if outA == outB {
			break
		}
	}
	if images != 2*rows {
		t.Errorf("%d images, want %d", images, 2*rows)
	}
}
