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
