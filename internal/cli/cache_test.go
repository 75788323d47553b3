package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/internal/testkit/redistest"
)

// TestVerifyBatchCacheSize: --cache-size bounds the run's memory cache. With
// a cache too small to hold any document, the documents the badges share
// are fetched again for each badge (by default once per run: see
// TestVerifyBatch); a size that is not one is a usage error.
func TestVerifyBatchCacheSize(t *testing.T) {
	h := newBatchHost(t)
	dir, _ := batchFolder(t, h)
	code, stdout, stderr := run(t, "verify", "--json", "--jobs", "1", "--cache-size", "1KiB", dir)
	if code != ExitBad {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	_, sum := parseLines(t, stdout)
	if sum["valid"] != 3.0 || sum["revoked"] != 1.0 {
		t.Errorf("summary with a tiny cache: %v", sum)
	}
	if n := h.Count("/issuer"); n < 3 {
		t.Errorf("/issuer requested %d times with --cache-size 1KiB, want once per valid badge at least (3)", n)
	}

	for _, bad := range []string{"0", "-1", "lots", "64XB"} {
		code, _, stderr := run(t, "verify", "--cache-size", bad, dir)
		if code != ExitUsage || !strings.Contains(stderr, "cache-size") {
			t.Errorf("--cache-size %s: exit %d, want %d\n%s", bad, code, ExitUsage, stderr)
		}
	}
}

// redisDB is the test Redis database of this package's tests (see
// redistest.DB).
const redisDB = 9

// TestVerifyBatchRedisShards: two shards of a batch run, each a process of
// its own, share the documents they fetch through --cache: every shared
// document is fetched from the issuer once in all.
func TestVerifyBatchRedisShards(t *testing.T) {
	url := redistest.DB(t, redistest.URL(t), redisDB)
	h := newBatchHost(t)
	dir, want := batchFolder(t, h)
	got := map[string]string{}
	for _, shard := range []string{"1/2", "2/2"} {
		_, stdout, stderr := run(t, "verify", "--json", "--shard", shard, "--cache", url, dir)
		if stderr != "" {
			t.Errorf("shard %s: stderr %s", shard, stderr)
		}
		files, _ := parseLines(t, stdout)
		for _, f := range files {
			rel, _ := filepath.Rel(dir, f["file"].(string))
			got[filepath.ToSlash(rel)] = f["status"].(string)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses:\n got %v\nwant %v", got, want)
	}
	for _, p := range []string{"/badges/robotics", "/issuer", "/badges/robotics.png"} {
		if n := h.Count(p); n != 1 {
			t.Errorf("%s requested %d times by the two shards, want 1", p, n)
		}
	}
}

// TestVerifyBatchRedisDown: with --cache naming a Redis that is not there,
// the run is the run without it, with one warning.
func TestVerifyBatchRedisDown(t *testing.T) {
	proxy := redistest.NewProxy(t, redistest.URL(t))
	proxy.Cut()
	h := newBatchHost(t)
	dir, want := batchFolder(t, h)
	code, stdout, stderr := run(t, "verify", "--json", "--cache", proxy.URL(), dir)
	if code != ExitBad {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	files, _ := parseLines(t, stdout)
	got := map[string]string{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f["file"].(string))
		got[filepath.ToSlash(rel)] = f["status"].(string)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses:\n got %v\nwant %v", got, want)
	}
	for _, p := range []string{"/badges/robotics", "/issuer", "/badges/robotics.png", "/assertions/1"} {
		if n := h.Count(p); n != 1 {
			t.Errorf("%s requested %d times, want 1", p, n)
		}
	}
	if strings.Count(stderr, "warning: --cache: Redis does not answer") != 1 {
		t.Errorf("want one warning, stderr:\n%s", stderr)
	}
}

// TestServeRedisReplicas: two replicas of the service share the documents
// they fetch through --cache.
func TestServeRedisReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	url := redistest.DB(t, redistest.URL(t), redisDB)
	host := badgehost.Start(badgehost.Options{})
	defer host.Close()
	for i, p := range []*serveProcess{startServe(t, "--allow-private", "--cache", url), startServe(t, "--allow-private", "--cache", url)} {
		resp, got := postJSON(t, p.url+"/results", `{"data": "`+host.AssertionURL("1")+`"}`)
		if resp.StatusCode != 200 || resp.Header.Get("Badgebake-Verdict") != "valid" {
			t.Errorf("replica %d: %d %s\n%s", i, resp.StatusCode, resp.Header.Get("Badgebake-Verdict"), got)
		}
	}
	for _, p := range []string{"/assertions/1", "/badges/robotics", "/issuer"} {
		if n := host.Count(p); n != 1 {
			t.Errorf("%s requested %d times by the two replicas, want 1", p, n)
		}
	}
}

// TestCacheFlagErrors: a --cache that is not a Redis URL is a usage error.
func TestCacheFlagErrors(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"http://127.0.0.1:6379", "the scheme must be redis://"},
		{"redis://", "no host"},
		{"redis://127.0.0.1:x/0", "not a URL"},
		{"redis://127.0.0.1:6379/one", "the database must be a number"},
		{"redis://:hunter2@127.0.0.1:99999/0", "the port must be a number"},
	} {
		for _, args := range [][]string{{"verify", "--data", "https://example.org/a"}, {"serve"}} {
			code, stdout, stderr := run(t, append(args, "--cache", c.url)...)
			if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "--cache: ") || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "hunter2") {
				t.Errorf("%v --cache %s: exit %d, stderr %q; want exit 2 and %q", args, c.url, code, stderr, c.want)
			}
		}
	}
}

// TestRedisGuardedApart: a run with the address guard does not take the
// documents a run without it fetched (they could come from private
// addresses the guard refuses); runs with the guard share theirs.
func TestRedisGuardedApart(t *testing.T) {
	url := redistest.DB(t, redistest.URL(t), redisDB)
	h := newBatchHost(t)
	dir, _ := batchFolder(t, h)
	guarded := []string{"--deny-private", "--allow-net", "127.0.0.0/8"}
	for i, extra := range [][]string{nil, guarded, guarded, nil} {
		code, _, stderr := run(t, append(append([]string{"verify", "--json", "--cache", url}, extra...), dir)...)
		if code != ExitBad || strings.Contains(stderr, "--cache") {
			t.Fatalf("run %d: exit %d\n%s", i, code, stderr)
		}
		if want := min(i+1, 2); h.Count("/issuer") != want {
			t.Errorf("after run %d (%v): /issuer requested %d times, want %d", i, extra, h.Count("/issuer"), want)
		}
	}
}
