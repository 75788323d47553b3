// Command batchmem is the batch-memory benchmark of BENCHMARKS.md ("Batch
// memory against folder size").
//
// It serves, from a local httptest server, one assertion, BadgeClass and
// Issuer per badge (no two badges share a document but the badge image;
// with -shared, one BadgeClass and Issuer for all),
// bakes that many PNGs into a temporary folder for each count in -counts,
// and measures the peak RSS and CPU time (/usr/bin/time -f '%M %U %S') of:
//
//   - "badgebake unbake --json DIR", the baseline: the same walk over the
//     same files, reading each one's badge, without verifying;
//   - "badgebake verify --json DIR" with the binary -before, when given
//     (build it from an older commit), and with the binary built from this
//     tree, every line of whose output is checked (all valid).
//
// It prints a Markdown table with each peak and its ratio to the baseline
// of the same count. The folders are deleted afterwards.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
)

func main() {
	counts := flag.String("counts", "2000,20000", "comma-separated numbers of badges")
	before := flag.String("before", "", "badgebake binary to compare with (e.g. built from an older commit); empty: none")
	parent := flag.String("dir", "", "parent of the temporary folder (default: the system temporary directory)")
	shared := flag.Bool("shared", false, "one BadgeClass and Issuer for every badge")
	extra := flag.String("args", "", "extra arguments for both verify runs, space-separated (e.g. --cache-size=16MiB)")
	flag.Parse()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		fatalf("needs /usr/bin/time (Debian package time) for the peak RSS of a child")
	}
	tmp, err := os.MkdirTemp(*parent, "badgebake-batchmem-")
	must(err)
	defer os.RemoveAll(tmp)
	after := filepath.Join(tmp, "badgebake")
	if out, err := exec.Command("go", "build", "-o", after, "./cmd/badgebake").CombinedOutput(); err != nil {
		fatalf("go build: %v\n%s", err, out)
	}
	var requests atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		serve(w, r, srv.URL, *shared)
	}))
	defer srv.Close()
	fmt.Printf("GOMAXPROCS %d, %s/%s, %s, %s\n", runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))

	var rows []string
	for _, s := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		must(err)
		dir := filepath.Join(tmp, "badges")
		t0 := time.Now()
		must(generate(dir, n, srv.URL))
		fmt.Printf("%d badges baked in %v\n", n, time.Since(t0).Round(time.Millisecond))

		base, _, _ := peak(tmp, n, nil, after, "unbake", "--json", dir)
		row := fmt.Sprintf("| %d | %.1f MiB |", n, mib(base))
		for _, bin := range []string{*before, after} {
			if bin == "" {
				row += " | |"
				continue
			}
			r0 := requests.Load()
			args := append([]string{"verify", "--json"}, strings.Fields(*extra)...)
			rss, wall, cpu := peak(tmp, n, checkVerify, bin, append(args, dir)...)
			fmt.Printf("%s verify %d: max RSS %.1f MiB, wall %v, CPU (user+sys) %v, %d requests\n", bin, n, mib(rss),
				wall.Round(time.Millisecond), cpu.Round(time.Millisecond), requests.Load()-r0)
			row += fmt.Sprintf(" %.1f MiB | %.2f× |", mib(rss), float64(rss)/float64(base))
		}
		rows = append(rows, row)
		must(os.RemoveAll(dir))
	}
	fmt.Printf("\n| badges | baseline: unbake --json | verify --json, before | ratio | verify --json, after | ratio |\n|---:|---:|---:|---:|---:|---:|\n%s\n", strings.Join(rows, "\n"))
}

// serve answers /a/I with an assertion of badge class /b/I (/b/0 if
// shared), whose issuer is /i/I; all share the image /img.png.
func serve(w http.ResponseWriter, r *http.Request, base string, shared bool) {
	kind, id, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	const ctx = "https://w3id.org/openbadges/v2"
	var doc map[string]any
	switch kind {
	case "img.png":
		w.Header().Set("Content-Type", "image/png")
		w.Write(examples.PNG())
		return
	case "a":
		class := id
		if shared {
			class = "0"
		}
		doc = map[string]any{"@context": ctx, "type": "Assertion", "id": base + "/a/" + id,
			"recipient": map[string]any{"type": "email", "hashed": false, "identity": "alice@example.org"},
			"badge":     base + "/b/" + class, "verification": map[string]any{"type": "hosted"}, "issuedOn": "2024-01-01T00:00:00Z"}
	case "b":
		doc = map[string]any{"@context": ctx, "type": "BadgeClass", "id": base + "/b/" + id, "name": "Badge " + id,
			"description": "Badge number " + id + " of its own issuer.", "image": base + "/img.png",
			"criteria": base + "/criteria/" + id, "issuer": base + "/i/" + id}
	case "i":
		doc = map[string]any{"@context": ctx, "type": "Issuer", "id": base + "/i/" + id, "name": "Issuer " + id,
			"url": base + "/org/" + id, "email": "badges-" + id + "@example.org"}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	json.NewEncoder(w).Encode(doc)
}

// generate bakes n PNGs into dir, 1,000 per subfolder, badge i carrying
// base/a/i.
func generate(dir string, n int, base string) error {
	img := examples.PNG()
	ids := make(chan int)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range cap(errs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range ids {
				sub := filepath.Join(dir, strconv.Itoa(i/1000))
				p, err := payload.Parse([]byte(base + "/a/" + strconv.Itoa(i)))
				if err == nil {
					buf.Reset()
					_, err = bake.Bake(context.Background(), &buf, bytes.NewReader(img), p, nil)
				}
				if err == nil {
					err = os.MkdirAll(sub, 0o755)
				}
				if err == nil {
					err = os.WriteFile(filepath.Join(sub, strconv.Itoa(i)+".png"), buf.Bytes(), 0o644)
				}
				if err != nil {
					errs <- err
					for range ids {
					}
					return
				}
			}
		}()
	}
	for i := range n {
		ids <- i
	}
	close(ids)
	wg.Wait()
	close(errs)
	return <-errs
}

// peak runs bin with args under /usr/bin/time, standard output to a file
// that check (if any) reads, and returns the max RSS in KiB, the wall time
// and the CPU time (user and system).
func peak(tmp string, n int, check func(out *os.File, n int), bin string, args ...string) (int64, time.Duration, time.Duration) {
	outPath, rssPath := filepath.Join(tmp, "out"), filepath.Join(tmp, "rss")
	out, err := os.Create(outPath)
	must(err)
	defer os.Remove(outPath)
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M %U %S", "-o", rssPath, bin}, args...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	t := time.Now()
	err = cmd.Run()
	wall := time.Since(t)
	if err != nil {
		fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	if check != nil {
		_, err = out.Seek(0, 0)
		must(err)
		check(out, n)
	}
	out.Close()
	b, err := os.ReadFile(rssPath)
	must(err)
	var rss int64
	var user, sys float64
	_, err = fmt.Sscan(string(b), &rss, &user, &sys)
	must(err)
	return rss, wall, time.Duration((user + sys) * float64(time.Second))
}

// checkVerify reads verify --json output: n valid files and a summary
// saying so.
func checkVerify(out *os.File, n int) {
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<24)
	files, valid := 0, -1
	for sc.Scan() {
		var v struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Valid  int    `json:"valid"`
		}
		must(json.Unmarshal(sc.Bytes(), &v))
		switch {
		case v.Type == "summary":
			valid = v.Valid
		case v.Status == "valid":
			files++
		default:
			fatalf("verify: a file is %s, not valid: %.2000s", v.Status, sc.Text())
		}
	}
	must(sc.Err())
	if files != n || valid != n {
		fatalf("verify: %d valid lines, summary %d valid; want %d", files, valid, n)
	}
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func must(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "batchmem: "+format+"\n", args...)
	os.Exit(1)
}
