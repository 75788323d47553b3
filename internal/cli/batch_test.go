package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/internal/testkit/conformance"
	"github.com/badgebake/badgebake/internal/testkit/examples"
)

// newBatchHost starts the test issuer (badges sharing one BadgeClass and
// Issuer; request counts by path).
func newBatchHost(t *testing.T) *badgehost.Host {
	h := badgehost.Start(badgehost.Options{})
	t.Cleanup(h.Close)
	return h
}

// batchFolder writes the mixed folder and returns it with each file's
// expected verify status, keyed by path relative to the folder.
func batchFolder(t *testing.T, h *badgehost.Host) (string, map[string]string) {
	dir := t.TempDir()
	png, svg := examples.PNG(), examples.SVG()
	baked := conformance.BakeExample(t, png, h.URL+"/assertions/1")
	files := map[string][]byte{
		"a/valid1.png":     baked,
		"a/valid2.png":     conformance.BakeExample(t, png, h.URL+"/assertions/2"),
		"b/deep/valid.svg": conformance.BakeExample(t, svg, h.URL+"/assertions/3"),
		"b/invalid.png":    conformance.BakeExample(t, png, h.URL+"/assertions/bad"),
		"revoked.png":      conformance.BakeExample(t, png, h.URL+"/assertions/revoked"),
		"plain.png":        png,
		"plain.svg":        svg,
		"notes.txt":        []byte("just some notes\n"),
		"truncated.png":    baked[:len(baked)/2],
	}
	want := map[string]string{
		"a/valid1.png": "valid", "a/valid2.png": "valid", "b/deep/valid.svg": "valid",
		"b/invalid.png": "invalid", "revoked.png": "revoked", "plain.png": "no-badge", "plain.svg": "no-badge",
		"notes.txt": "not-an-image", "truncated.png": "error",
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link to a valid badge outside the folder: skipped by default.
	outside := filepath.Join(t.TempDir(), "outside.png")
	os.WriteFile(outside, baked, 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "link.png")); err != nil {
		t.Fatal(err)
	}
	return dir, want
}

// parseLines checks JSON Lines output: file objects, then exactly one summary.
func parseLines(t *testing.T, stdout string) (files []map[string]any, summary map[string]any) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if summary != nil {
			t.Fatalf("a line after the summary: %s", sc.Text())
		}
		switch m["type"] {
		case "file":
			files = append(files, m)
		case "summary":
			summary = m
		default:
			t.Fatalf("line without a type: %s", sc.Text())
		}
	}
	if summary == nil {
		t.Fatalf("no summary line:\n%s", stdout)
	}
	return files, summary
}

func TestVerifyBatch(t *testing.T) {
	h := newBatchHost(t)
	dir, want := batchFolder(t, h)
	code, stdout, stderr := run(t, "verify", "--json", "--jobs", "3", dir)
	if code != ExitBad {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	files, sum := parseLines(t, stdout)
	got := map[string]string{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f["file"].(string))
		got[filepath.ToSlash(rel)] = f["status"].(string)
		if f["status"] != "error" && f["status"] != "not-an-image" && f["report"] == nil {
			t.Errorf("%s: no report: %v", rel, f)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses:\n got %v\nwant %v", got, want)
	}
	wantSum := map[string]float64{"files": 9, "valid": 3, "invalid": 2, "revoked": 1, "indeterminate": 0, "no_badge": 2, "not_an_image": 1, "error": 1}
	for k, v := range wantSum {
		if sum[k] != v {
			t.Errorf("summary %s = %v, want %v", k, sum[k], v)
		}
	}
	if fmt.Sprint(sum["by_version"]) != "map[2.0:4]" || sum["by_error"].(map[string]any)["PROCESS_410_GONE"] != 1.0 {
		t.Errorf("summary: %v", sum)
	}
	if _, ok := sum["elapsed_seconds"].(float64); !ok {
		t.Errorf("no elapsed_seconds: %v", sum)
	}
	// The shared documents were fetched once for the whole run.
	for _, p := range []string{"/badges/robotics", "/issuer", "/badges/robotics.png", "/assertions/1"} {
		if n := h.Count(p); n != 1 {
			t.Errorf("%s requested %d times, want 1", p, n)
		}
	}

	// Text: a summary table and the failing files; no progress off a terminal.
	code, stdout, stderr = run(t, "verify", dir)
	if code != ExitBad || stderr != "" || !regexp.MustCompile(`(?m)^  revoked +1$`).MatchString(stdout) ||
		!strings.Contains(stdout, "Failing files:") || !strings.Contains(stdout, "revoked.png: PROCESS_410_GONE") ||
		strings.Contains(stdout, "valid1.png") {
		t.Errorf("text: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// Several valid files: exit 0. Following links adds link.png.
	code, stdout, _ = run(t, "verify", "--json", filepath.Join(dir, "a", "valid1.png"), filepath.Join(dir, "b"), "--exclude", "invalid.png")
	if _, sum := parseLines(t, stdout); code != ExitOK || sum["valid"] != 2.0 || sum["files"] != 2.0 {
		t.Errorf("valid files: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "verify", "--json", "--follow-symlinks=any", "--include", "link.png", dir)
	if _, sum := parseLines(t, stdout); code != ExitOK || sum["valid"] != 1.0 || sum["files"] != 1.0 {
		t.Errorf("--follow-symlinks=any: exit %d\n%s", code, stdout)
	}

	// Shards cover every file exactly once.
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		_, stdout, _ := run(t, "verify", "--json", "--shard", fmt.Sprintf("%d/3", k), dir)
		files, _ := parseLines(t, stdout)
		for _, f := range files {
			seen[f["file"].(string)]++
		}
	}
	if len(seen) != len(want) {
		t.Errorf("shards saw %d files, want %d: %v", len(seen), len(want), seen)
	}
	for f, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d shards", f, n)
		}
	}

	// Could not run: exit 2.
	for _, args := range [][]string{
		{"verify", "--include", "*.gif", dir},
		{"verify", "--shard", "4/3", dir},
		{"verify", dir, "https://example.org/a"},
		{"verify", dir, filepath.Join(dir, "nothere")},
	} {
		if code, stdout, stderr := run(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
	}
}

func TestUnbakeBatch(t *testing.T) {
	h := newBatchHost(t)
	dir, _ := batchFolder(t, h)
	code, stdout, stderr := run(t, "unbake", "--json", dir)
	if code != ExitBad {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	files, sum := parseLines(t, stdout)
	if len(files) != 9 {
		t.Errorf("%d file lines", len(files))
	}
	for k, v := range map[string]float64{"files": 9, "badges": 5, "no_badge": 2, "not_an_image": 1, "unreadable": 1} {
		if sum[k] != v {
			t.Errorf("summary %s = %v, want %v\n%s", k, sum[k], v, stdout)
		}
	}
	if h.Count("/assertions/1") != 0 {
		t.Error("unbake fetched something")
	}
	code, stdout, _ = run(t, "unbake", "--include", "valid*", dir)
	if code != ExitOK || !strings.Contains(stdout, filepath.Join(dir, "a", "valid1.png")+"\t"+h.URL+"/assertions/1\n") ||
		!strings.Contains(stdout, "badges        3") {
		t.Errorf("text: exit %d\n%s", code, stdout)
	}
}

// TestVerifyBatchDenyPrivate: in batch mode --deny-private refuses every
// badge hosted on loopback, each file's report says so, and the host gets
// no request.
func TestVerifyBatchDenyPrivate(t *testing.T) {
	h := newBatchHost(t)
	dir, want := batchFolder(t, h)
	code, stdout, stderr := run(t, "verify", "--json", "--deny-private", dir)
	if code != ExitBad {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	files, sum := parseLines(t, stdout)
	refused := 0
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f["file"].(string))
		rel = filepath.ToSlash(rel)
		line, _ := json.Marshal(f)
		switch want[rel] {
		case "valid", "invalid", "revoked":
			if f["status"] != "invalid" || !strings.Contains(string(line), "refused to connect to 127.0.0.1 (loopback address): --deny-private told badgebake") {
				t.Errorf("%s: not refused: %s", rel, line)
			}
			refused++
		default:
			if f["status"] != want[rel] {
				t.Errorf("%s: status %v, want %s", rel, f["status"], want[rel])
			}
		}
	}
	if refused != 5 || sum["valid"] != 0.0 || sum["invalid"] != 5.0 || sum["by_error"].(map[string]any)["FETCH_HTTP_NODE"] != 5.0 {
		t.Errorf("refused %d; summary %v", refused, sum)
	}
	if n := h.Total(); n != 0 {
		t.Errorf("the refused host got %d requests", n)
	}
}

// TestBatchLinksStayInside: --follow-symlinks (alone, =inside or =true)
// follows links that stay in the folder and reports, without reading it, a
// link leading out of it; =any follows it.
func TestBatchLinksStayInside(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0:secret-first-bytes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("inside-first-bytes\n"), 0o644)
	if err := os.Symlink(secret, filepath.Join(dir, "passwd.png")); err != nil {
		t.Skip("no symlinks:", err)
	}
	os.Symlink("notes.txt", filepath.Join(dir, "alias.txt"))
	outside := "passwd.png: a symbolic link leading out of the folder " + strconv.Quote(dir) + ": not followed, nothing read (--follow-symlinks=any follows it)"
	for _, flag := range []string{"--follow-symlinks", "--follow-symlinks=inside", "--follow-symlinks=true"} {
		for _, cmd := range []string{"verify", "unbake"} {
			code, stdout, stderr := run(t, cmd, flag, dir)
			if code != ExitBad || !strings.Contains(stdout, outside) || strings.Contains(stdout+stderr, "secret-first-bytes") {
				t.Errorf("%s %s: exit %d\n%s%s", cmd, flag, code, stdout, stderr)
			}
			// The link inside is followed: two files besides the refused one.
			if !regexp.MustCompile(`(?m)^files +3$`).MatchString(stdout) || !strings.Contains(stdout, "alias.txt: ") {
				t.Errorf("%s %s: the link inside was not followed\n%s", cmd, flag, stdout)
			}
			code, stdout, _ = run(t, cmd, "--json", flag, dir)
			files, _ := parseLines(t, stdout)
			if code != ExitBad || len(files) != 3 || strings.Contains(stdout, "secret-first-bytes") || !strings.Contains(stdout, "not followed, nothing read") {
				t.Errorf("%s --json %s: exit %d\n%s", cmd, flag, code, stdout)
			}
		}
	}
	// A file inside the folder that is not a badge may be quoted: it is the user's own.
	if _, stdout, _ := run(t, "verify", "--follow-symlinks", dir); !strings.Contains(stdout, "inside-first-bytes") {
		t.Errorf("a text file inside is not described:\n%s", stdout)
	}
	// =any follows the link out (and the file's first bytes are then described).
	if _, stdout, _ := run(t, "verify", "--follow-symlinks=any", dir); !strings.Contains(stdout, "secret-first-bytes") || strings.Contains(stdout, "not followed") {
		t.Errorf("=any:\n%s", stdout)
	}
	// =false, like no flag, skips links (batch mode all the same).
	code, stdout, _ := run(t, "verify", "--follow-symlinks=false", dir)
	if code != ExitBad || !regexp.MustCompile(`(?m)^files +1$`).MatchString(stdout) || strings.Contains(stdout, "passwd.png") {
		t.Errorf("=false: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := run(t, "verify", "--follow-symlinks=maybe", dir); code != ExitUsage || !strings.Contains(stderr, `"maybe" is not inside`) {
		t.Errorf("=maybe: exit %d: %s", code, stderr)
	}
}

// TestBatchProgressOnTerminal: with standard error a terminal the progress
// line shows files done of the total (done/≥N while the files are still
// being counted), and is erased at the end; off a terminal nothing is drawn.
func TestBatchProgressOnTerminal(t *testing.T) {
	h := newBatchHost(t)
	dir, _ := batchFolder(t, h)
	for _, args := range [][]string{{"unbake", dir}, {"verify", "--offline", dir}} {
		var out, errOut bytes.Buffer
		Main(args, IO{In: strings.NewReader(""), Out: &out, Err: &errOut, ErrIsTerminal: true})
		stderr := errOut.String()
		if !regexp.MustCompile(`^\r\x1b\[K1/(≥)?[1-9]\d*`).MatchString(stderr) || !strings.HasSuffix(stderr, "\r\x1b[K") {
			t.Errorf("%s: progress %q", args[0], stderr)
		}
		if strings.Contains(out.String(), "\x1b") {
			t.Errorf("%s: progress on standard output: %q", args[0], out.String())
		}
	}
	if _, _, stderr := run(t, "unbake", dir); stderr != "" {
		t.Errorf("off a terminal: %q", stderr)
	}
}
