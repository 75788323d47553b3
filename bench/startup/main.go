// Command startup is the start-up benchmark of BENCHMARKS.md: what
// "badgebake version" costs against an empty Go program, both static,
// measured in the same run. It builds the empty program itself
// (CGO_ENABLED=0), then runs it and each badgebake command given, in
// turn, -runs times, and reports for each the median and mean wall time,
// the median CPU time (user + system, from the child's rusage; steadier
// than wall time on a shared machine), the median peak RSS, and each
// median as a ratio to the empty program's.
//
// A third reference, "std floor", is a program that only imports the
// standard-library packages cmd/badgebake links (go list -deps; run from
// the repository): their init and size alone, which no change to
// badgebake's own start-up can go below while it links them. With
// -layers, two more: the same plus every other module's packages the
// command links ("std + modules"), and a program that imports
// internal/cli and does nothing ("all inits"): what main itself costs is
// the rest.
//
// Peak RSS is read by GNU time (/usr/bin/time -f %M): Linux counts the
// parent's resident memory in a child's max RSS until the child execs, so
// a Go parent's own RSS would hide the empty program's. GNU time's own
// floor is about 1 MiB (/usr/bin/time /bin/true).
//
//	CGO_ENABLED=0 go build -o /tmp/badgebake ./cmd/badgebake
//	go run ./bench/startup -runs 200 after=/tmp/badgebake [before=/tmp/badgebake-before]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type subject struct {
	name string
	argv []string
	wall []time.Duration
	cpu  []time.Duration
	rss  []int // KiB
}

func main() {
	runs := flag.Int("runs", 200, "runs of each program")
	rssRuns := flag.Int("rss-runs", 20, "runs of each program under GNU time, for its peak RSS")
	timeCmd := flag.String("time", "/usr/bin/time", "GNU time, for peak RSS")
	layers := flag.Bool("layers", false, "also measure std + modules and all inits without main")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: startup [-runs N] NAME=BADGEBAKE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "startup")
	check(err)
	defer os.RemoveAll(dir)
	empty := build(dir, "empty", "package main\n\nfunc main() {}\n")
	floor := build(dir, "stdfloor", importsOnly(deps(true)))

	subjects := []*subject{
		{name: "empty Go program", argv: []string{empty}},
		{name: "std floor (imports only)", argv: []string{floor}},
	}
	if *layers {
		subjects = append(subjects,
			&subject{name: "std + modules (imports only)", argv: []string{buildInModule(dir, "modules", importsOnly(append(deps(true), deps(false)...)))}},
			&subject{name: "all inits (imports internal/cli only)", argv: []string{buildInModule(dir, "inits", importsOnly([]string{"github.com/badgebake/badgebake/internal/cli"}))}},
		)
	}
	for _, a := range flag.Args() {
		name, bin, ok := strings.Cut(a, "=")
		if !ok {
			name, bin = a, a
		}
		subjects = append(subjects, &subject{name: name + ": badgebake version", argv: []string{bin, "version"}})
	}

	// Interleaved, so that the load of a shared machine falls on all alike.
	for _, s := range subjects { // warm the page cache
		for range 5 {
			run(s.argv)
		}
	}
	for range *runs {
		for _, s := range subjects {
			wall, cpu := run(s.argv)
			s.wall = append(s.wall, wall)
			s.cpu = append(s.cpu, cpu)
		}
	}
	for range *rssRuns {
		for _, s := range subjects {
			s.rss = append(s.rss, peakRSS(*timeCmd, s.argv))
		}
	}

	host, _ := os.Hostname()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("%s, %s, %d runs each (peak RSS: %d runs), load average %s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), host, *runs, *rssRuns, strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Println()
	fmt.Println("| program | wall median | wall mean | CPU median | peak RSS median | wall / empty | CPU / empty | RSS / empty |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	base := subjects[0]
	for _, s := range subjects {
		fmt.Printf("| %s | %s | %s | %s | %.1f MiB | %.2f | %.2f | %.2f |\n",
			s.name, ms(median(s.wall)), ms(mean(s.wall)), ms(median(s.cpu)), float64(median(s.rss))/1024,
			float64(median(s.wall))/float64(median(base.wall)),
			float64(median(s.cpu))/float64(median(base.cpu)),
			float64(median(s.rss))/float64(median(base.rss)))
	}
}

// deps lists the packages cmd/badgebake links that a program may import:
// the standard library's (std) or other modules' (not std), without
// internal and vendored ones and without badgebake's own.
func deps(std bool) []string {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if .Standard}}std {{else}}mod {{end}}{{.ImportPath}}", "./cmd/badgebake").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go list -deps ./cmd/badgebake (run from the repository): %v\n", err)
		os.Exit(1)
	}
	want := map[bool]string{true: "std", false: "mod"}[std]
	var pkgs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kind, p, _ := strings.Cut(line, " ")
		if kind != want || p == "unsafe" || strings.HasPrefix(p, "runtime") || strings.HasPrefix(p, "vendor/") ||
			strings.HasPrefix(p, "github.com/badgebake/badgebake") ||
			p == "internal" || strings.HasPrefix(p, "internal/") || strings.Contains(p, "/internal/") || strings.HasSuffix(p, "/internal") {
			continue
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// importsOnly is a main package that imports pkgs for their init only.
func importsOnly(pkgs []string) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "\t_ %q\n", p)
	}
	b.WriteString(")\n\nfunc main() {}\n")
	return b.String()
}

// buildInModule builds a one-file main package inside this module (so
// that it may import the module's packages and use its go.mod), from a
// folder under bench/startup that it removes again, into dir.
func buildInModule(dir, name, source string) string {
	src, err := os.MkdirTemp("bench/startup", "tmp-"+name+"-")
	check(err)
	defer os.RemoveAll(src)
	check(os.WriteFile(filepath.Join(src, "main.go"), []byte(source), 0o644))
	bin := filepath.Join(dir, name+"-program")
	cmd := exec.Command("go", "build", "-o", bin, "./"+src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the %s program: %v\n%s", name, err, out)
		os.Exit(1)
	}
	return bin
}

// build builds a one-file main package statically.
func build(dir, name, source string) string {
	src := filepath.Join(dir, name)
	check(os.MkdirAll(src, 0o755))
	check(os.WriteFile(filepath.Join(src, "go.mod"), []byte("module "+name+"\n"), 0o644))
	check(os.WriteFile(filepath.Join(src, "main.go"), []byte(source), 0o644))
	bin := filepath.Join(dir, name+"-program")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the %s program: %v\n%s", name, err, out)
		os.Exit(1)
	}
	return bin
}

// run runs argv once, its output discarded; it must exit 0.
func run(argv []string) (wall, cpu time.Duration) {
	cmd := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	err := cmd.Run()
	wall = time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", strings.Join(argv, " "), err)
		os.Exit(1)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return wall, cpu
}

// peakRSS runs argv under GNU time and returns its max RSS in KiB.
func peakRSS(timeCmd string, argv []string) int {
	var errOut bytes.Buffer
	cmd := exec.Command(timeCmd, append([]string{"-f", "%M"}, argv...)...)
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s %s: %v (GNU time is needed for peak RSS: apt-get install time)\n%s", timeCmd, strings.Join(argv, " "), err, errOut.Bytes())
		os.Exit(1)
	}
	lines := strings.Fields(errOut.String())
	kib, err := strconv.Atoi(lines[len(lines)-1])
	check(err)
	return kib
}

func median[T int | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func mean(v []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range v {
		sum += d
	}
	return sum / time.Duration(len(v))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
