package cli

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/badgebake/badgebake/internal/testkit/fakebackpack"
	"github.com/badgebake/badgebake/internal/testkit/ob3issuer"
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
	// A script's badgebake process has the script's environment, which
	// Setup starts from noNetwork: it is left as the script set it, so
	// that ob3-serve can point it at its proxy.
	if filepath.Base(os.Args[0]) != "badgebake" {
		for k, v := range noNetwork {
			os.Setenv(k, v)
		}
	}
	testscript.Main(m, map[string]func(){
		"badgebake": func() { os.Exit(Main(os.Args[1:], StdIO())) },
		// BROWSER=fakebrowser: the person's browser, consenting at the
		// fake backpack and landing on connect's loopback listener.
		"fakebrowser": fakebackpack.Browser,
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
	cmds := map[string]func(*testscript.TestScript, bool, []string){"serve-www": serveWWW}
	// ob3-issue, ob3-serve, …: Open Badges 3.0 credentials signed in
	// process, and their issuer's HTTPS server (see ob3issuer).
	maps.Copy(cmds, ob3issuer.ScriptCommands())
	// fakebackpack-serve, connect-paste, fakebackpack …: a backpack
	// provider with both APIs, and the person consenting at it.
	maps.Copy(cmds, fakebackpack.ScriptCommands())
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Cmds:                cmds,
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

// serveWWW is the script command "serve-www": it serves the files under
// $WORK/www on a loopback port for the rest of the script, with every
// "{{base}}" in them replaced by the server's URL, and sets $BASE to that
// URL, so that a script can hold hosted badges whose ids are their own
// addresses.
func serveWWW(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: serve-www")
	}
	root := ts.MkAbs("www")
	var srv *httptest.Server
	// Started once srv is set: the handler reads its URL.
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(filepath.Clean("/"+r.URL.Path))))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".png") {
			w.Header().Set("Content-Type", "image/png")
		} else {
			w.Header().Set("Content-Type", "application/ld+json")
			b = bytes.ReplaceAll(b, []byte("{{base}}"), []byte(srv.URL))
		}
		w.Write(b)
	}))
	srv.Start()
	ts.Defer(srv.Close)
	ts.Setenv("BASE", srv.URL)
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
