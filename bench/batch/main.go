// Command batch is the batch benchmark of BENCHMARKS.md ("Batch (issue 5)").
//
// It serves a hosted Open Badges 2.0 BadgeClass, Issuer and image, and one
// assertion per badge, from a local httptest server; bakes -n copies of the
// example badge, each carrying its own assertion URL, into a temporary
// folder; and measures, with the badgebake command:
//
//   - verify: "badgebake verify --json FOLDER" (badges/s, requests counted at
//     the server, max RSS), with every line checked to be valid;
//   - unbake: "badgebake unbake --json FOLDER" (files/s) next to the
//     practical limit measured in the same run: open each file, read its
//     first 4 KiB, close (sequentially, and with the same number of workers
//     as the command);
//   - peak memory of unbake for each count in -mem-counts.
//
// Max RSS comes from /usr/bin/time -f %M when it is installed (see the
// note in BENCHMARKS.md on why the child rusage of a Go parent is not
// used); otherwise the command is run in this process and getrusage on
// this process is reported. -cpuprofile FILE also runs verify once in this
// process (internal/cli.Main) under the CPU profiler.
//
// The folders are deleted afterwards unless -keep.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/cli"
	"github.com/badgebake/badgebake/internal/testkit/badgehost"
	"github.com/badgebake/badgebake/internal/testkit/examples"
	"github.com/badgebake/badgebake/payload"
)

func main() {
	n := flag.Int("n", 10000, "number of baked badges for verify and unbake")
	memCounts := flag.String("mem-counts", "10000,50000", "comma-separated file counts for the unbake peak-memory test (\"\" skips it)")
	bin := flag.String("badgebake", "", "badgebake binary (default: built into the temporary folder)")
	parent := flag.String("dir", "", "parent of the temporary folder (default: the system temporary directory)")
	keep := flag.Bool("keep", false, "keep the generated files")
	runs := flag.Int("runs", 2, "measured runs of verify and unbake (median reported), after one warm-up")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of one in-process verify run to this file")
	flag.Parse()

	tmp, err := os.MkdirTemp(*parent, "badgebake-batch-")
	must(err)
	if !*keep {
		defer os.RemoveAll(tmp)
	}
	if *bin == "" {
		*bin = filepath.Join(tmp, "badgebake")
		out, err := exec.Command("go", "build", "-o", *bin, "./cmd/badgebake").CombinedOutput()
		if err != nil {
			fatalf("go build: %v\n%s", err, out)
		}
	}
	srv := badgehost.Start(badgehost.Options{})
	defer srv.Close()
	timeBin := ""
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		timeBin = "/usr/bin/time"
	}
	fmt.Printf("GOMAXPROCS %d, %s/%s, %s; max RSS from %s\n", runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version(),
		map[bool]string{true: "/usr/bin/time -f %M", false: "getrusage of this process (in-process runs)"}[timeBin != ""])

	dir := filepath.Join(tmp, "badges")
	t0 := time.Now()
	must(generate(dir, *n, srv.URL))
	fmt.Printf("generated %d baked PNGs in %v\n", *n, time.Since(t0).Round(time.Millisecond))

	// verify
	var vs []time.Duration
	var vrss int64
	for i := 0; i <= *runs; i++ {
		before := srv.Total()
		d, rss, out := runCLI(timeBin, *bin, "verify", "--json", dir)
		checkVerify(out, *n)
		if i > 0 {
			vs = append(vs, d)
			vrss = max(vrss, rss)
		}
		fmt.Printf("verify run %d: %v, %.0f badges/s, %d requests, max RSS %.1f MiB\n", i, d.Round(time.Millisecond),
			float64(*n)/d.Seconds(), srv.Total()-before, float64(rss)/1024)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		must(err)
		must(pprof.StartCPUProfile(f))
		t := time.Now()
		code := cli.Main([]string{"verify", "--json", dir}, cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
		pprof.StopCPUProfile()
		f.Close()
		fmt.Printf("verify in-process under the profiler: exit %d, %v\n", code, time.Since(t).Round(time.Millisecond))
	}

	// unbake and the practical limit
	var us, ls, lps []time.Duration
	jobs := 4 * runtime.GOMAXPROCS(0)
	for i := 0; i <= *runs; i++ {
		l := limit(dir, 1)
		lp := limit(dir, jobs)
		d, rss, out := runCLI(timeBin, *bin, "unbake", "--json", dir)
		checkUnbake(out, *n)
		if i > 0 {
			us, ls, lps = append(us, d), append(ls, l), append(lps, lp)
		}
		fmt.Printf("unbake run %d: %v (%.0f files/s, max RSS %.1f MiB); limit %v (%.0f files/s), with %d workers %v (%.0f files/s)\n", i,
			d.Round(time.Millisecond), float64(*n)/d.Seconds(), float64(rss)/1024,
			l.Round(time.Millisecond), float64(*n)/l.Seconds(), jobs, lp.Round(time.Millisecond), float64(*n)/lp.Seconds())
	}
	must(os.RemoveAll(dir))

	// peak memory of unbake by count
	var mem []string
	if *memCounts != "" {
		for _, s := range strings.Split(*memCounts, ",") {
			c, err := strconv.Atoi(strings.TrimSpace(s))
			must(err)
			d := filepath.Join(tmp, "mem-"+s)
			must(generate(d, c, srv.URL))
			var peak int64
			var wall time.Duration
			for range 3 {
				w, rss, out := runCLI(timeBin, *bin, "unbake", "--json", d)
				checkUnbake(out, c)
				peak, wall = max(peak, rss), w
			}
			must(os.RemoveAll(d))
			mem = append(mem, fmt.Sprintf("| %d | %.1f MiB | %v |", c, float64(peak)/1024, wall.Round(time.Millisecond)))
		}
	}

	fmt.Printf("\n| Pass | median time | files/s | max RSS |\n|---|---:|---:|---:|\n")
	v := median(vs)
	fmt.Printf("| `badgebake verify --json` (%d badges) | %v | %.0f | %.1f MiB |\n", *n, v.Round(time.Millisecond), float64(*n)/v.Seconds(), float64(vrss)/1024)
	u, l, lp := median(us), median(ls), median(lps)
	fmt.Printf("| `badgebake unbake --json` (%d PNGs) | %v | %.0f | |\n", *n, u.Round(time.Millisecond), float64(*n)/u.Seconds())
	fmt.Printf("| limit: open, read 4 KiB, close (1 worker) | %v | %.0f | |\n", l.Round(time.Millisecond), float64(*n)/l.Seconds())
	fmt.Printf("| limit (%d workers) | %v | %.0f | |\n", jobs, lp.Round(time.Millisecond), float64(*n)/lp.Seconds())
	if len(mem) > 0 {
		fmt.Printf("\n| unbake files | max RSS (largest of 3) | wall (last run) |\n|---:|---:|---:|\n%s\n", strings.Join(mem, "\n"))
	}
}

// generate bakes n copies of the example badge into dir, 1,000 per
// subfolder, badge i carrying base/assertions/i.
func generate(dir string, n int, base string) error {
	img := examples.PNG()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := w; i < n; i += 4 {
				p, err := payload.Parse([]byte(fmt.Sprintf("%s/assertions/%d", base, i)))
				if err == nil {
					buf.Reset()
					_, err = bake.Bake(context.Background(), &buf, bytes.NewReader(img), p, nil)
				}
				sub := filepath.Join(dir, fmt.Sprintf("%03d", i/1000))
				if err == nil {
					err = os.MkdirAll(sub, 0o755)
				}
				if err == nil {
					err = os.WriteFile(filepath.Join(sub, fmt.Sprintf("%06d.png", i)), buf.Bytes(), 0o644)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// runCLI runs the badgebake command and returns its wall time, max RSS in
// KiB and standard output.
func runCLI(timeBin, bin string, args ...string) (time.Duration, int64, []byte) {
	if timeBin == "" {
		var out bytes.Buffer
		t := time.Now()
		cli.Main(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: io.Discard})
		d := time.Since(t)
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return d, ru.Maxrss, out.Bytes()
	}
	rssFile, err := os.CreateTemp("", "rss-")
	must(err)
	defer os.Remove(rssFile.Name())
	rssFile.Close()
	cmd := exec.Command(timeBin, append([]string{"-f", "%M", "-o", rssFile.Name(), bin}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	t := time.Now()
	err = cmd.Run()
	d := time.Since(t)
	if err != nil {
		fatalf("%s %v: %v\n%s", bin, args, err, errOut.String())
	}
	b, err := os.ReadFile(rssFile.Name())
	must(err)
	rss, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	must(err)
	return d, rss, out.Bytes()
}

func checkVerify(out []byte, n int) {
	valid := 0
	for line := range bytes.Lines(out) {
		var v struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Valid  int    `json:"valid"`
		}
		must(json.Unmarshal(line, &v))
		if v.Type == "summary" {
			valid = v.Valid
		}
	}
	if valid != n {
		fatalf("verify: %d valid, want %d\n%s", valid, n, tail(out))
	}
}

func checkUnbake(out []byte, n int) {
	lines := bytes.Count(out, []byte("\n"))
	if lines != n+1 || bytes.Count(out, []byte(`/assertions/`)) != n {
		fatalf("unbake: %d lines for %d files\n%s", lines, n, tail(out))
	}
}

func tail(b []byte) []byte { return b[max(0, len(b)-2000):] }

// limit opens every file under dir, reads its first 4 KiB and closes it,
// with the given number of workers.
func limit(dir string, workers int) time.Duration {
	var files []string
	must(filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	}))
	t := time.Now()
	ch := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4<<10)
			for p := range ch {
				f, err := os.Open(p)
				must(err)
				_, err = f.Read(buf)
				must(err)
				f.Close()
			}
		}()
	}
	for _, f := range files {
		ch <- f
	}
	close(ch)
	wg.Wait()
	return time.Since(t)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}

func must(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "batch: "+format+"\n", args...)
	os.Exit(1)
}
