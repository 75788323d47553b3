package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// noNetwork makes any request that is not to loopback fail at once: tests
// must never reach the network, and a forgotten --no-verify should fail
// loudly rather than wait for DNS. (Loopback is never proxied.)
var noNetwork = map[string]string{
	"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
	"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": "",
}

func TestMain(m *testing.M) {
	if os.Getenv(e2eMain) == "1" {
		os.Exit(Main(os.Args[1:], StdIO()))
	}
	for k, v := range noNetwork {
		os.Setenv(k, v)
	}
	testscript.Main(m, map[string]func(){
		"badgebake": func() { os.Exit(Main(os.Args[1:], StdIO())) },
	})
}

// TestScripts runs the command-line scenarios in testdata/script: each is a
// txtar file with commands, expected output and exit status. The example
// images from the project's testdata/ are copied into each script's
// working directory.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			for k, v := range noNetwork {
				env.Setenv(k, v)
			}
			for _, name := range []string{"badge.png", "badge.svg", "assertion.json"} {
				b, err := os.ReadFile(filepath.Join(examples, name))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(env.WorkDir, name), b, 0o644); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

func TestBakeRefusesTerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main([]string{"bake", filepath.Join("..", "..", "testdata", "badge.png"), "https://example.org/a"},
		IO{In: strings.NewReader(""), Out: &out, Err: &errOut, OutIsTerminal: true})
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), "refusing to write a binary image to the terminal") {
		t.Fatalf("stdout %d bytes, stderr %q", out.Len(), errOut.String())
	}
}
