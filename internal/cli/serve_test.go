package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
)

func TestServeFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--max-upload", "4XB"}, `"4XB" is not a size`},
		{[]string{"serve", "--max-upload", "0"}, `"0" is not a size`},
		{[]string{"serve", "--allow-net", "10.0.0.0/33"}, `--allow-net "10.0.0.0/33" is not an address range`},
		{[]string{"serve", "--log-format", "xml"}, "--log-format must be text or json"},
		{[]string{"serve", "--max-concurrent", "0"}, "--max-concurrent must be at least 1"},
		{[]string{"serve", "--request-timeout", "0s"}, "--request-timeout must be positive"},
		{[]string{"serve", "--body-timeout", "-1s"}, "--body-timeout must be positive"},
		{[]string{"serve", "--drain-delay", "-1s"}, "--drain-delay must not be negative"},
		{[]string{"serve", "extra"}, "takes no arguments"},
		{[]string{"serve", "--cors-origin", "badges.example"}, `--cors-origin "badges.example" is not a web origin`},
		{[]string{"serve", "--cors-origin", "https://badges.example/path"}, "is not a web origin"},
		{[]string{"serve", "--addr", "256.0.0.1:80"}, "cannot listen on 256.0.0.1:80"},
	} {
		code, stdout, stderr := run(t, c.args...)
		if code != ExitUsage || stdout != "" || !strings.Contains(stderr, c.want) || !strings.HasPrefix(stderr, "badgebake: error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"4194304": 4 << 20, "4MiB": 4 << 20, "4mb": 4 << 20, "512KiB": 512 << 10, "512k": 512 << 10, "1G": 1 << 30, " 7 B": 7} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5MiB", "MiB", "4TiB", "99999999999G"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) accepted: %d", in, b)
		}
	}
	b := byteSize(4 << 20)
	if b.String() != "4MiB" {
		t.Errorf("String() = %q", b.String())
	}
}

// serveProcess is `badgebake serve` running in a subprocess.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan error
}

// startServe starts the command with args (plus --addr 127.0.0.1:0 and
// JSON logs) and waits for its "listening" record.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), e2eMain+"=1")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, done: make(chan error, 1)}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "listening" {
				listening <- rec["url"].(string)
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
	})
	select {
	case p.url = <-listening:
	case err := <-p.done:
		t.Fatalf("serve exited early: %v\n%s", err, p.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", p.log())
	}
	return p
}

func (p *serveProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitLog waits for a log line containing s.
func (p *serveProcess) waitLog(t *testing.T, s string) {
	t.Helper()
	for guard := time.Now().Add(30 * time.Second); !strings.Contains(p.log(), s); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(guard) {
			t.Fatalf("no %s in the log:\n%s", s, p.log())
		}
	}
}

func postJSON(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// The service answers a JSON client with exactly what verify --json
// prints, byte for byte; and SIGTERM drains it: new work is refused with
// 503 while the verification in progress finishes, then it exits 0.
func TestServeProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	gate := make(chan struct{})
	host := badgehost.Start(badgehost.Options{Gate: gate})
	defer host.Close()
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	p := startServe(t, "--allow-private")

	u := host.AssertionURL("1")
	resp, got := postJSON(t, p.url+"/results", `{"data": "`+u+`"}`)
	code, want, stderr := run(t, "verify", "--json", u)
	if code != ExitOK {
		t.Fatalf("verify --json: exit %d: %s", code, stderr)
	}
	if resp.StatusCode != 200 || string(got) != want {
		t.Errorf("POST /results (%d) differs from verify --json:\n got %s\nwant %s", resp.StatusCode, got, want)
	}

	// A verification held by a slow issuer, then SIGTERM.
	type result struct {
		status int
		body   []byte
	}
	slow := make(chan result, 1)
	go func() {
		resp, b := postJSON(t, p.url+"/results", `{"data": "`+host.AssertionURL(badgehost.Slow)+`"}`)
		slow <- result{resp.StatusCode, b}
	}()
	for host.Count("/assertions/"+badgehost.Slow) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, `"msg":"draining`)
	// While the held verification drains, the listener is open: /healthz
	// says 503 (a load balancer takes the instance out) and new work gets
	// 503 with Retry-After, in the usual error shape.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := fresh.Get(p.url + "/healthz")
	if err != nil {
		t.Fatalf("/healthz while draining: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(b), `"status":"shutting down"`) {
		t.Errorf("/healthz while draining: %d %s", resp.StatusCode, b)
	}
	req, _ := http.NewRequest("POST", p.url+"/results", strings.NewReader(`{"data": "`+u+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err = fresh.Do(req)
	if err != nil {
		t.Fatalf("/results while draining: %v", err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var e struct {
		Error  string
		Status int
	}
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || json.Unmarshal(b, &e) != nil || e.Status != 503 || e.Error != "the server is shutting down" {
		t.Errorf("/results while draining: %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	close(gate)
	r := <-slow
	if r.status != 200 || !strings.Contains(string(r.body), `"valid": true`) {
		t.Errorf("the request in progress: %d %s", r.status, r.body)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM\n%s", err, p.log())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	if log := p.log(); !strings.Contains(log, `"msg":"stopped"`) || !strings.Contains(log, `"verdict":"valid"`) {
		t.Errorf("log:\n%s", log)
	}
}

// With --drain-delay, SIGTERM turns /healthz to 503 at once but new work
// is still served until the delay is over, for a load balancer to notice;
// a second signal ends serve at once.
func TestServeDrainDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	p := startServe(t, "--allow-private", "--drain-delay", "1h")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "shutting down")
	resp, err := http.Get(p.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("/healthz during the drain delay: %d", resp.StatusCode)
	}
	resp, body := postJSON(t, p.url+"/results", `{"data": "`+host.AssertionURL("1")+`"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"valid": true`) {
		t.Errorf("/results during the drain delay: %d %s", resp.StatusCode, body)
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err == nil || strings.Contains(p.log(), "draining") {
			t.Errorf("after a second signal: exit %v\n%s", err, p.log())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop at a second signal")
	}
}

// By default the service refuses to fetch from private addresses.
func TestServeGuardsByDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	p := startServe(t)
	_, body := postJSON(t, p.url+"/results", `{"data": "`+host.AssertionURL("1")+`"}`)
	if !strings.Contains(string(body), "refused to connect to 127.0.0.1 (loopback address)") || !strings.Contains(string(body), "--allow-private") {
		t.Errorf("report:\n%s", body)
	}
	if n := host.Total(); n != 0 {
		t.Errorf("the issuer got %d requests", n)
	}
	if !strings.Contains(p.log(), `"fetches":"public addresses only"`) {
		t.Errorf("the start-up record does not say what is fetched:\n%s", p.log())
	}
}

// FuzzByteSize: a size flag either parses to a positive size whose String
// form parses back to the same size, or is refused.
func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"4MiB", "512k", "1G", "7 B", "0", "-1", "1.5MiB", "99999999999G"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b byteSize
		if b.Set(s) != nil {
			return
		}
		if b <= 0 {
			t.Fatalf("Set(%q) = %d", s, b)
		}
		var again byteSize
		if err := again.Set(b.String()); err != nil || again != b {
			t.Fatalf("Set(%q) = %d, String %q, parsed back as %d (%v)", s, b, b.String(), again, err)
		}
	})
}
