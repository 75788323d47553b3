package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/badgebake/badgebake/internal/benchdata"
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
	bin := buildCommand(t)
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
				cmd := exec.Command(bash, "-c", `ulimit -v "$1" && exec "$2" unbake "$3"`, "bash", strconv.Itoa(addressSpaceKiB), bin, path)
				cmd.Env = environWithout("GOMAXPROCS", "GOGC", "GOMEMLIMIT")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil || string(out) != url+"\n" {
					t.Errorf("unbake under ulimit -v %d: %v, stdout %q, stderr %.500s", addressSpaceKiB, err, out, stderr.String())
				}
			})
		}
	}
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
