package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/benchdata"
	"github.com/badgebake/badgebake/svg"
)

// addressSpaceKiB is the address-space limit (ulimit -v) under which the
// largest SVG badgebake accepts must unbake. The Go runtime alone reserves
// about 750 MB of it.
const addressSpaceKiB = 1000000

// TestMaxSizeSVGUnbakesUnderUlimit builds the command as users get it
// (static, CGO_ENABLED=0) and unbakes SVGs one byte under the size limit,
// path data or one embedded image, with the badge first or last, in a
// child process under "ulimit -v 1000000".
func TestMaxSizeSVGUnbakesUnderUlimit(t *testing.T) {
	bash, bin := ulimitSetup(t)
	const url = "https://example.org/assertions/max-size"
	dir := t.TempDir()
	for _, content := range []benchdata.Content{benchdata.Paths, benchdata.Image} {
		for _, late := range []bool{false, true} {
			name := string(content) + "-first"
			if late {
				name = string(content) + "-last"
			}
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(dir, name+".svg")
				if err := os.WriteFile(path, benchdata.BigSVG(svg.DefaultMaxSize-1, content, url, late), 0o644); err != nil {
					t.Fatal(err)
				}
				defer os.Remove(path)
				out, stderr, err := unbakeUnderUlimit(bash, bin, path)
				if err != nil || string(out) != url+"\n" {
					t.Errorf("unbake under ulimit -v %d: %v, stdout %q, stderr %.500s", addressSpaceKiB, err, out, stderr)
				}
			})
		}
	}
}

// TestHugeBadgeBodyUnderUlimit: a maximum-size SVG whose badge element
// holds the whole file is refused as bad input (exit 1, the body is over
// the 8 MiB text limit) under "ulimit -v 1000000", not a crash.
func TestHugeBadgeBodyUnderUlimit(t *testing.T) {
	bash, bin := ulimitSetup(t)
	head := `<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion xmlns:openbadges="http://openbadges.org">{"id":"`
	tail := `"}</openbadges:assertion></svg>`
	doc := head + strings.Repeat("x", svg.DefaultMaxSize-1-len(head)-len(tail)) + tail
	path := filepath.Join(t.TempDir(), "body.svg")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := unbakeUnderUlimit(bash, bin, path)
	exit, _ := err.(*exec.ExitError)
	if exit == nil || exit.ExitCode() != ExitBad || len(out) != 0 || !strings.Contains(stderr, "is larger than the 8388608-byte limit") {
		t.Errorf("unbake under ulimit -v %d: %v, stdout %.100q, stderr %.500s; want exit 1", addressSpaceKiB, err, out, stderr)
	}
}

// ulimitSetup skips the test with -short or when bash or ulimit -v is
// missing, and otherwise returns bash and the command built by
// buildCommand.
func ulimitSetup(t *testing.T) (bash, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command and unbakes 32 MiB SVGs")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	if out, err := exec.Command(bash, "-c", "ulimit -v 1000000").CombinedOutput(); err != nil {
		t.Skipf("ulimit -v is not available: %v %s", err, out)
	}
	return bash, buildCommand(t)
}

// unbakeUnderUlimit runs "badgebake unbake path" in a child process under
// ulimit -v addressSpaceKiB, with the Go runtime's defaults.
func unbakeUnderUlimit(bash, bin, path string) (stdout []byte, stderr string, err error) {
	cmd := exec.Command(bash, "-c", `ulimit -v "$1" && exec "$2" unbake "$3"`, "bash", strconv.Itoa(addressSpaceKiB), bin, path)
	cmd.Env = environWithout("GOMAXPROCS", "GOGC", "GOMEMLIMIT")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err = cmd.Output()
	return stdout, errOut.String(), err
}

// buildCommand builds cmd/badgebake as users get it, statically
// (CGO_ENABLED=0), into a temporary directory.
func buildCommand(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goCmd); err != nil {
			t.Skip("the go command is not available to build badgebake")
		}
	}
	bin := filepath.Join(t.TempDir(), "badgebake")
	cmd := exec.Command(goCmd, "build", "-o", bin, "github.com/badgebake/badgebake/cmd/badgebake")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
