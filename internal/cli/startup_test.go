package cli

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// startupRuns is how many times TestStartUnderUlimit starts the command.
const startupRuns = 200

// TestStartUnderUlimit builds the command as the README builds it (static,
// CGO_ENABLED=0) and starts it startupRuns times under "ulimit -v 1000000":
// every run of "badgebake --help" must exit 0. Under that limit a cgo
// build dies at start-up now and then (glibc's threads and arenas take the
// address space the Go runtime reserves); a static one must never.
func TestStartUnderUlimit(t *testing.T) {
	bash, bin := ulimitSetup(t)
	script := `ulimit -v "$1" || exit 99
failed=0
for i in $(seq "$3"); do
	"$2" --help >/dev/null 2>"$4"
	code=$?
	if [ "$code" != 0 ]; then
		failed=$((failed + 1))
		echo "run $i: exit $code: $(head -c 300 "$4")"
	fi
done
echo "failed $failed"
`
	cmd := exec.Command(bash, "-c", script, "bash", strconv.Itoa(addressSpaceKiB), bin, strconv.Itoa(startupRuns), filepath.Join(t.TempDir(), "stderr"))
	cmd.Env = environWithout("GOMAXPROCS", "GOGC", "GOMEMLIMIT")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the loop under ulimit -v %d: %v\n%s", addressSpaceKiB, err, out)
	}
	if !strings.HasSuffix(string(out), "failed 0\n") {
		t.Errorf("badgebake --help under ulimit -v %d, %d runs:\n%s", addressSpaceKiB, startupRuns, out)
	}
}

// maxInitBytes bounds what any one package's init may allocate in the
// command. Time is no test's business (BENCHMARKS.md measures it), but
// what made start-up slow allocated: a JSON Schema library compiling
// every draft's metaschema in its init (1.7 MB), ob2's regexps (207 kB).
// The largest now is about 77 kB (server's templates).
const maxInitBytes = 128 << 10

// TestPackageInitsAreLight runs "badgebake version" with
// GODEBUG=inittrace=1 and requires every package init to allocate at most
// maxInitBytes.
func TestPackageInitsAreLight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildCommand(t)
	cmd := exec.Command(bin, "version")
	cmd.Env = append(environWithout("GODEBUG"), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("badgebake version: %v\n%s", err, out)
	}
	inits := 0
	for _, line := range strings.Split(string(out), "\n") {
		// init PACKAGE @T ms, T ms clock, BYTES bytes, ALLOCS allocs
		f := strings.Fields(line)
		if len(f) < 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		inits++
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if n > maxInitBytes {
			t.Errorf("init of %s allocates %d bytes, more than %d: do that work on first use", f[1], n, maxInitBytes)
		}
	}
	if inits < 10 {
		t.Fatalf("only %d init lines in the trace:\n%s", inits, out)
	}
}
