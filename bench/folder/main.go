// Command folder is the folder benchmark of BENCHMARKS.md: it generates a
// folder of baked PNGs and measures, in one run, how fast they can be
// unbaked by
//
//   - the practical limit of any extractor that opens each file: open, read
//     the first 4 KiB, close;
//   - the badgebake library: unbake.UnbakeFile on every file, sequentially;
//   - the badgebake command: one "badgebake unbake --json FILES..." process;
//   - Mozilla's extractor: openbadges-bakery's extract() on every file in one
//     node process (bench/mozilla-extract.js).
//
// Every pass runs once to warm the page cache and the code, then -runs times,
// interleaved; the median is reported. Every pass checks every payload.
//
// It also measures the peak memory (max RSS) of "badgebake bake" on PNGs of
// different sizes.
//
// Run it through bench/run.sh, which builds the command and installs the
// Mozilla package first.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/badgebake/badgebake/carrier"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/badgebake/badgebake/bake"
	"github.com/badgebake/badgebake/internal/testkit/benchdata"
	"github.com/badgebake/badgebake/payload"
	"github.com/badgebake/badgebake/png"
	"github.com/badgebake/badgebake/unbake"
)

// urlPrefix + the file's base name (without .png) is the URL baked into it.
const urlPrefix = "https://example.org/assertions/"

type config struct {
	n                 int
	size              int
	dir               string
	keep              bool
	runs              int
	layouts           []string
	badgebake         string
	node, mozilla     string
	bakery            string
	rssSizes          []int
	markdown          string
	limitBytes        int
	rusage            bool
	skipCLI, skipNode string // why a pass is skipped, "" when it runs
}

func main() {
	var cfg config
	var layouts, rss string
	flag.IntVar(&cfg.n, "n", 2000, "number of files in the folder")
	flag.IntVar(&cfg.size, "size", 1<<20, "size of each PNG before baking, in bytes")
	flag.StringVar(&cfg.dir, "dir", "", "parent directory for the generated folder (default: the system temporary directory)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the generated files")
	flag.IntVar(&cfg.runs, "runs", 3, "measured runs of every pass, after one warm-up run")
	flag.StringVar(&layouts, "layouts", "ihdr,end,ihdr-8k,end-8k", "comma-separated layouts: ihdr (badge after IHDR) or end (badge after the image data, before IEND), with one IDAT or, with -8k, 8 KiB IDATs")
	flag.StringVar(&cfg.badgebake, "badgebake", "bench/out/badgebake", "badgebake binary for the CLI pass and the memory test (\"\" skips them)")
	flag.StringVar(&cfg.node, "node", "node", "node binary")
	flag.StringVar(&cfg.mozilla, "mozilla", "bench/mozilla-extract.js", "the Mozilla extractor script (\"\" skips the Mozilla pass)")
	flag.StringVar(&cfg.bakery, "bakery", "bench/out/node/node_modules/openbadges-bakery", "the installed openbadges-bakery package")
	flag.StringVar(&rss, "rss-sizes", "1,50", "comma-separated PNG sizes in MiB for the peak-memory test of badgebake bake (\"\" skips it)")
	flag.StringVar(&cfg.markdown, "markdown", "", "also write the result tables as Markdown to this file")
	flag.IntVar(&cfg.limitBytes, "limit-bytes", 4<<10, "bytes the practical-limit pass reads from each file")
	flag.BoolVar(&cfg.rusage, "rusage", false, "measure max RSS with the child's wait4 rusage even when /usr/bin/time is there (to see why it is not used)")
	flag.Parse()
	if cfg.n < 1 || cfg.size < 1024 || cfg.runs < 1 {
		fatalf("-n, -size and -runs must be positive (size at least 1024)")
	}
	for l := range strings.SplitSeq(layouts, ",") {
		if l = strings.TrimSpace(l); l != "" {
			if _, _, err := parseLayout(l); err != nil {
				fatalf("%v", err)
			}
			cfg.layouts = append(cfg.layouts, l)
		}
	}
	for s := range strings.SplitSeq(rss, ",") {
		if s = strings.TrimSpace(s); s != "" {
			mib, err := strconv.Atoi(s)
			if err != nil || mib < 1 {
				fatalf("-rss-sizes: bad size %q", s)
			}
			cfg.rssSizes = append(cfg.rssSizes, mib)
		}
	}
	cfg.resolveTools()

	rep := &report{}
	rep.machine()
	for _, l := range cfg.layouts {
		if err := runLayout(&cfg, rep, l); err != nil {
			fatalf("layout %s: %v", l, err)
		}
	}
	if len(cfg.rssSizes) > 0 {
		if cfg.skipCLI != "" {
			rep.printf("\nPeak memory of badgebake bake: skipped (%s)\n", cfg.skipCLI)
		} else if err := runMemory(&cfg, rep); err != nil {
			fatalf("memory: %v", err)
		}
	}
	rep.printf("\nload average at the end: %s\n", loadavg())
	if cfg.markdown != "" {
		if err := os.WriteFile(cfg.markdown, rep.md.Bytes(), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "folder: "+format+"\n", args...)
	os.Exit(1)
}

// resolveTools decides which child-process passes can run.
func (cfg *config) resolveTools() {
	if cfg.badgebake == "" {
		cfg.skipCLI = "no -badgebake binary given"
	} else if abs, err := filepath.Abs(cfg.badgebake); err != nil {
		cfg.skipCLI = err.Error()
	} else if _, err := os.Stat(abs); err != nil {
		cfg.skipCLI = fmt.Sprintf("%s not found; build it with go build -o %s ./cmd/badgebake", cfg.badgebake, cfg.badgebake)
	} else {
		cfg.badgebake = abs
	}
	switch {
	case cfg.mozilla == "":
		cfg.skipNode = "no -mozilla script given"
	default:
		node, err := exec.LookPath(cfg.node)
		if err != nil {
			cfg.skipNode = fmt.Sprintf("node (%s) not found", cfg.node)
			break
		}
		cfg.node = node
		if _, err := os.Stat(filepath.Join(cfg.bakery, "package.json")); err != nil {
			cfg.skipNode = fmt.Sprintf("openbadges-bakery is not installed at %s (bench/run.sh installs it with npm)", cfg.bakery)
			break
		}
		for _, p := range []*string{&cfg.mozilla, &cfg.bakery} {
			abs, err := filepath.Abs(*p)
			if err != nil {
				cfg.skipNode = err.Error()
			}
			*p = abs
		}
	}
}

// parseLayout: "ihdr" or "end", optionally with "-8k".
func parseLayout(l string) (badgeLast bool, idat int, err error) {
	base, split := strings.CutSuffix(l, "-8k")
	if split {
		idat = 8 << 10
	}
	switch base {
	case "ihdr":
		return false, idat, nil
	case "end":
		return true, idat, nil
	}
	return false, 0, fmt.Errorf("unknown layout %q (want ihdr, end, ihdr-8k or end-8k)", l)
}

func describeLayout(l string) string {
	badgeLast, idat, _ := parseLayout(l)
	s := "badge iTXt right after IHDR"
	if badgeLast {
		s = "badge iTXt after the image data (before IEND)"
	}
	if idat > 0 {
		return s + fmt.Sprintf(", image data in %d KiB IDAT chunks", idat>>10)
	}
	return s + ", image data in one IDAT chunk"
}

// writeCleanPNG writes a PNG of exactly size bytes without a badge to w:
// IHDR, image data (pseudo-random bytes, never decoded) in IDAT chunks of
// idat bytes (one chunk when 0), IEND. It returns the offset of IEND.
func writeCleanPNG(w io.Writer, size, idat int) (iend int, err error) {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], 1024)
	binary.BigEndian.PutUint32(ihdr[4:], uint32(max(1, size>>10)))
	ihdr[8] = 8 // bit depth 8, grey
	if _, err := io.WriteString(w, png.Signature); err != nil {
		return 0, err
	}
	if err := png.WriteChunk(w, png.TypeIHDR, ihdr[:]); err != nil {
		return 0, err
	}
	left := size - 8 - 25 - 12 // signature, IHDR, IEND
	if idat <= 0 {
		idat = left - 12
	}
	rng := rand.NewChaCha8([32]byte{7})
	data := make([]byte, min(idat, 1<<20))
	for left > 0 {
		n := min(idat, left-12)
		if rest := left - 12 - n; rest > 0 && rest < 12 {
			n += rest // a tail too short for a chunk of its own
		}
		// The chunk's data, n pseudo-random bytes, written piecewise.
		var hdr [8]byte
		binary.BigEndian.PutUint32(hdr[:4], uint32(n))
		copy(hdr[4:], png.TypeIDAT[:])
		crc := crc32.NewIEEE()
		crc.Write(hdr[4:])
		if _, err := w.Write(hdr[:]); err != nil {
			return 0, err
		}
		for k := n; k > 0; {
			m := min(k, len(data))
			rng.Read(data[:m])
			crc.Write(data[:m])
			if _, err := w.Write(data[:m]); err != nil {
				return 0, err
			}
			k -= m
		}
		if _, err := w.Write(crc.Sum(nil)); err != nil {
			return 0, err
		}
		left -= 12 + n
	}
	iend = size - 12
	return iend, png.WriteChunk(w, png.TypeIEND, nil)
}

// cleanPNG is writeCleanPNG into memory.
func cleanPNG(size, idat int) (img []byte, iend int) {
	var b bytes.Buffer
	b.Grow(size)
	iend, err := writeCleanPNG(&b, size, idat)
	must(err)
	if b.Len() != size {
		panic(fmt.Sprintf("generated %d bytes, want %d", b.Len(), size))
	}
	return b.Bytes(), iend
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// folder is a generated folder of baked PNGs.
type folder struct {
	dir   string
	names []string // base names, sorted
	paths []string
	want  []string // the URL each file carries
}

// generate writes cfg.n baked PNGs into dir. Badges after IHDR are baked with
// bake.Bake from a clean file (as users do); badges at the end are written
// chunk by chunk with the png package. It returns the time bake.Bake took.
func generate(cfg *config, dir, layout string) (*folder, time.Duration, error) {
	badgeLast, idat, _ := parseLayout(layout)
	clean, iend := cleanPNG(cfg.size, idat)
	f := &folder{dir: dir}
	width := len(strconv.Itoa(cfg.n - 1))
	for i := range cfg.n {
		name := fmt.Sprintf("badge-%0*d", width, i)
		f.names = append(f.names, name+".png")
		f.paths = append(f.paths, filepath.Join(dir, name+".png"))
		f.want = append(f.want, urlPrefix+name)
	}
	if badgeLast {
		var buf bytes.Buffer
		for i, path := range f.paths {
			buf.Reset()
			buf.Write(clean[:iend])
			must(png.WriteChunk(&buf, png.TypeITXt, png.ITXtData(carrier.KeywordOB2, []byte(f.want[i]))))
			buf.Write(clean[iend:])
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				return nil, 0, err
			}
		}
		return f, 0, nil
	}
	base := filepath.Join(dir, "clean.png.src")
	if err := os.WriteFile(base, clean, 0o644); err != nil {
		return nil, 0, err
	}
	defer os.Remove(base)
	ctx := context.Background()
	start := time.Now()
	for i, path := range f.paths {
		if err := bakeFile(ctx, base, path, f.want[i]); err != nil {
			return nil, 0, err
		}
	}
	return f, time.Since(start), nil
}

func bakeFile(ctx context.Context, in, out, url string) error {
	p, err := payload.Parse([]byte(url))
	if err != nil {
		return err
	}
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := bake.Bake(ctx, dst, src, p, nil); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// measurement is one run of one pass.
type measurement struct {
	elapsed time.Duration // the time files/s is computed from
	wall    time.Duration // child processes: the whole process, start-up included
	read    time.Duration // Mozilla: time in fs.readFile
}

type pass struct {
	name string
	skip string
	run  func() (measurement, error)
	ms   []measurement
}

func (p *pass) median() measurement {
	ms := slices.Clone(p.ms)
	slices.SortFunc(ms, func(a, b measurement) int { return int(a.elapsed - b.elapsed) })
	return ms[len(ms)/2]
}

func (p *pass) medianWall() time.Duration {
	ws := make([]time.Duration, len(p.ms))
	for i, m := range p.ms {
		ws[i] = m.wall
	}
	slices.Sort(ws)
	return ws[len(ws)/2]
}

func runLayout(cfg *config, rep *report, layout string) error {
	parent := cfg.dir
	if parent == "" {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "badgebake-folder-"+layout+"-")
	if err != nil {
		return err
	}
	if cfg.keep {
		defer rep.printf("kept %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	rep.printf("\n## Folder: %d × %s PNG, %s\n\n", cfg.n, mib(cfg.size), describeLayout(layout))
	rep.printf("generating in %s …\n", dir)
	f, bakeTime, err := generate(cfg, dir, layout)
	if err != nil {
		return err
	}
	if bakeTime > 0 {
		rep.printf("generated with bake.Bake (file to new file, page cache, not synced): %s files/s\n", rate(cfg.n, bakeTime))
	}
	// Write the dirty pages out now, so that write-back does not run during
	// the measurements. The files stay in the page cache.
	syscall.Sync()

	passes := []*pass{
		{name: fmt.Sprintf("practical limit (open, read %d KiB, close)", cfg.limitBytes>>10), run: func() (measurement, error) { return limitPass(f, cfg.limitBytes) }},
		{name: "badgebake library (unbake.UnbakeFile)", run: func() (measurement, error) { return libPass(f) }},
		{name: "badgebake CLI (one `unbake --json` process)", skip: cfg.skipCLI, run: func() (measurement, error) { return cliPass(cfg, f) }},
		{name: "Mozilla openbadges-bakery 1.0.5 extract()", skip: cfg.skipNode, run: func() (measurement, error) { return nodePass(cfg, f) }},
	}
	rep.printf("load average before: %s\n", loadavg())
	for round := 0; round <= cfg.runs; round++ {
		for _, p := range passes {
			if p.skip != "" {
				continue
			}
			m, err := p.run()
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if round == 0 {
				continue // warm-up
			}
			p.ms = append(p.ms, m)
		}
	}
	rep.layoutTable(cfg, layout, passes, bakeTime)
	return nil
}

func limitPass(f *folder, n int) (measurement, error) {
	buf := make([]byte, n)
	start := time.Now()
	for _, path := range f.paths {
		fd, err := os.Open(path)
		if err != nil {
			return measurement{}, err
		}
		if _, err := io.ReadFull(fd, buf); err != nil {
			fd.Close()
			return measurement{}, fmt.Errorf("%s: %w", path, err)
		}
		fd.Close()
	}
	return measurement{elapsed: time.Since(start)}, nil
}

func libPass(f *folder) (measurement, error) {
	start := time.Now()
	for i, path := range f.paths {
		res, err := unbake.UnbakeFile(path, nil)
		if err != nil {
			return measurement{}, fmt.Errorf("%s: %w", path, err)
		}
		if res.Payload != f.want[i] {
			return measurement{}, fmt.Errorf("%s: payload %q, want %q", path, res.Payload, f.want[i])
		}
	}
	return measurement{elapsed: time.Since(start)}, nil
}

func cliPass(cfg *config, f *folder) (measurement, error) {
	cmd := exec.Command(cfg.badgebake, append([]string{"unbake", "--json"}, f.names...)...)
	cmd.Dir = f.dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measurement{}, fmt.Errorf("%v: %s", err, firstLine(errOut.String()))
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	i := 0
	for ; sc.Scan(); i++ {
		var rec struct {
			File    string `json:"file"`
			Payload string `json:"payload"`
			Error   string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return measurement{}, fmt.Errorf("output line %d: %w", i+1, err)
		}
		if i >= len(f.names) || rec.File != f.names[i] || rec.Payload != f.want[i] || rec.Error != "" {
			return measurement{}, fmt.Errorf("output line %d: %s", i+1, sc.Text())
		}
	}
	if i != len(f.names) {
		return measurement{}, fmt.Errorf("%d output lines for %d files", i, len(f.names))
	}
	return measurement{elapsed: wall, wall: wall}, nil
}

func nodePass(cfg *config, f *folder) (measurement, error) {
	cmd := exec.Command(cfg.node, "--no-deprecation", cfg.mozilla, cfg.bakery, f.dir, urlPrefix)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measurement{}, fmt.Errorf("%v: %s", err, firstLine(errOut.String()))
	}
	var res struct {
		Files     int   `json:"files"`
		OK        int   `json:"ok"`
		LoopNs    int64 `json:"loop_ns"`
		ReadNs    int64 `json:"read_ns"`
		ExtractNs int64 `json:"extract_ns"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &res); err != nil {
		return measurement{}, fmt.Errorf("output %q: %w", out.String(), err)
	}
	if res.Files != len(f.names) || res.OK != res.Files {
		return measurement{}, fmt.Errorf("extracted %d of %d files correctly, want %d", res.OK, res.Files, len(f.names))
	}
	return measurement{elapsed: time.Duration(res.LoopNs), wall: wall, read: time.Duration(res.ReadNs)}, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// runMemory measures the max RSS of badgebake bake (and of a re-bake, and of
// unbake) on clean PNGs of each size.
func runMemory(cfg *config, rep *report) error {
	dir, err := os.MkdirTemp(cfg.dir, "badgebake-rss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	meter := newRSSMeter(cfg.rusage)
	rep.printf("\n## Peak memory of the badgebake command\n\n")
	rep.printf("Max RSS %s.\n\n", meter.describe())
	var rows []memRow
	for _, m := range cfg.rssSizes {
		size := m << 20
		in := filepath.Join(dir, fmt.Sprintf("in-%dMiB.png", m))
		out := filepath.Join(dir, fmt.Sprintf("baked-%dMiB.png", m))
		out2 := filepath.Join(dir, fmt.Sprintf("rebaked-%dMiB.png", m))
		if err := writeCleanFile(in, size); err != nil {
			return err
		}
		r := memRow{size: size}
		var walls, walls2 []time.Duration
		// One warm-up run, then the largest RSS and the median time of three.
		// --no-verify: bake now runs the verifier, which would fetch the
		// made-up hosted URL; this measures the image work, not the network.
		for i := range 4 {
			rss, wall, err := meter.run(cfg.badgebake, "bake", "-q", "--no-verify", in, urlPrefix+"1", "-o", out)
			if err != nil {
				return err
			}
			rss2, wall2, err := meter.run(cfg.badgebake, "bake", "-q", "--no-verify", out, urlPrefix+"2", "-o", out2)
			if err != nil {
				return err
			}
			rss3, _, err := meter.run(cfg.badgebake, "unbake", out2)
			if err != nil {
				return err
			}
			if i == 0 {
				continue
			}
			r.bake, r.rebake, r.unbake = max(r.bake, rss), max(r.rebake, rss2), max(r.unbake, rss3)
			walls, walls2 = append(walls, wall), append(walls2, wall2)
		}
		slices.Sort(walls)
		slices.Sort(walls2)
		r.bakeWall, r.rebakeWall = walls[len(walls)/2], walls2[len(walls2)/2]
		res, err := unbake.UnbakeFile(out2, nil)
		if err != nil || res.Payload != urlPrefix+"2" {
			return fmt.Errorf("re-baked file: %v %v", res, err)
		}
		rows = append(rows, r)
	}
	rep.memoryTable(rows)
	return nil
}

// writeCleanFile writes a clean PNG of size bytes to path without holding it
// in memory.
func writeCleanFile(path string, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := writeCleanPNG(w, size, 0); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rssMeter measures the peak memory of a child process.
//
// The obvious way, the child's rusage from wait4 (ru_maxrss through
// cmd.ProcessState.SysUsage), is wrong for a child of a Go program on Linux:
// os/exec starts children with CLONE_VM|CLONE_VFORK, and on exec the kernel
// folds the peak RSS of the address space being left (the parent's) into the
// child's ru_maxrss. Every child of this process would report at least this
// process's own peak. /usr/bin/time forks from its own small address space, so
// its %M is the child's own peak. Without it, the rusage figure is reported
// with this process's peak next to it, as an upper bound.
type rssMeter struct {
	time string // path of GNU time, or ""
}

func newRSSMeter(rusage bool) *rssMeter {
	m := &rssMeter{}
	if rusage {
		return m
	}
	if out, err := exec.Command("/usr/bin/time", "-f", "%M", "true").CombinedOutput(); err == nil {
		if _, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil {
			m.time = "/usr/bin/time"
		}
	}
	return m
}

func (m *rssMeter) describe() string {
	if m.time != "" {
		return "from `/usr/bin/time -f %M` (the child's own peak; the child's wait4 rusage as seen by this Go program would include this program's peak, see rssMeter)"
	}
	return fmt.Sprintf("from the child's wait4 rusage, an UPPER BOUND (-rusage given, or /usr/bin/time not installed): on Linux the figure includes this program's own peak RSS (%s) because os/exec uses vfork", selfHWM())
}

// run runs the command and returns its max RSS in KiB and its wall time.
func (m *rssMeter) run(name string, args ...string) (int64, time.Duration, error) {
	var cmd *exec.Cmd
	var out string
	if m.time != "" {
		f, err := os.CreateTemp("", "rss-*")
		if err != nil {
			return 0, 0, err
		}
		out = f.Name()
		f.Close()
		defer os.Remove(out)
		cmd = exec.Command(m.time, append([]string{"-f", "%M", "-o", out, name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errOut
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, firstLine(errOut.String()))
	}
	wall := time.Since(start)
	if m.time != "" {
		b, err := os.ReadFile(out)
		if err != nil {
			return 0, 0, err
		}
		kib, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return kib, wall, err
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, errors.New("no rusage for the child process")
	}
	return ru.Maxrss, wall, nil // KiB on Linux
}

// selfHWM is this process's peak RSS (VmHWM).
func selfHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "unknown"
}

// report prints to standard output and collects Markdown.
type report struct {
	md bytes.Buffer
}

func (r *report) printf(format string, args ...any) {
	fmt.Printf(format, args...)
	fmt.Fprintf(&r.md, format, args...)
}

func (r *report) machine() {
	cpu := benchdata.CPUModel()
	nodeVersion := "not found"
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		nodeVersion = strings.TrimSpace(string(out))
	}
	var uts syscall.Utsname
	kernel := "unknown"
	if syscall.Uname(&uts) == nil {
		kernel = utsString(uts.Release[:])
	}
	r.printf("# Folder benchmark, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	r.printf("- CPU: %s, %d cores (GOMAXPROCS %d)\n", cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	r.printf("- Go %s, Node %s, Linux %s\n", strings.TrimPrefix(runtime.Version(), "go"), nodeVersion, kernel)
	r.printf("- command: %s\n", strings.Join(os.Args, " "))
}

func utsString(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func (r *report) layoutTable(cfg *config, layout string, passes []*pass, bakeTime time.Duration) {
	n := cfg.n
	limit, lib, cli, moz := passes[0], passes[1], passes[2], passes[3]
	r.printf("\nMedian of %d runs after one warm-up run (page cache warm); range = slowest–fastest run.\n\n", cfg.runs)
	r.printf("| pass | files/s | range (files/s) | µs/file | time vs limit |\n|---|---:|---:|---:|---:|\n")
	lim := limit.median().elapsed
	row := func(name string, d time.Duration, ds []time.Duration) {
		slices.Sort(ds)
		r.printf("| %s | %s | %s–%s | %.1f | %.2f× |\n", name, rate(n, d), rate(n, ds[len(ds)-1]), rate(n, ds[0]),
			float64(d.Microseconds())/float64(n), float64(d)/float64(lim))
	}
	elapsed := func(p *pass) []time.Duration {
		var ds []time.Duration
		for _, m := range p.ms {
			ds = append(ds, m.elapsed)
		}
		return ds
	}
	walls := func(p *pass) []time.Duration {
		var ds []time.Duration
		for _, m := range p.ms {
			ds = append(ds, m.wall)
		}
		return ds
	}
	for _, p := range passes {
		if p.skip != "" {
			r.printf("| %s | skipped: %s | | | |\n", p.name, p.skip)
			continue
		}
		if p == moz {
			row(p.name+", in-process loop", p.median().elapsed, elapsed(p))
			row(p.name+", whole node process", p.medianWall(), walls(p))
			continue
		}
		row(p.name, p.median().elapsed, elapsed(p))
	}
	r.printf("\n")
	libT := lib.median().elapsed
	r.printf("- badgebake library vs practical limit: %.2f× the time per file (target: within 2×) — %s\n",
		float64(libT)/float64(lim), verdict(float64(libT)/float64(lim) <= 2))
	if moz.skip == "" {
		m := moz.median()
		ratio := float64(m.elapsed) / float64(libT)
		r.printf("- badgebake library vs Mozilla extract loop: %.1f× the throughput (target: at least 25×) — %s\n", ratio, verdict(ratio >= 25))
		r.printf("- Mozilla's loop: %.0f%% of its time in fs.readFile of the whole file, the rest in extract()\n",
			100*float64(m.read)/float64(m.elapsed))
		if cli.skip == "" {
			r.printf("- badgebake CLI process vs node process (both with start-up): %.1f× the throughput\n",
				float64(moz.medianWall())/float64(cli.medianWall()))
		}
	}
	if bakeTime > 0 {
		r.printf("- generating the folder with bake.Bake (file to new file): %s files/s\n", rate(n, bakeTime))
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// memRow is the peak memory of badgebake on one PNG size.
type memRow struct {
	size                 int
	bake, rebake, unbake int64 // max RSS in KiB
	bakeWall, rebakeWall time.Duration
}

func (r *report) memoryTable(rows []memRow) {
	r.printf("| PNG size | bake max RSS | re-bake max RSS | unbake max RSS | bake wall | re-bake wall |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range rows {
		r.printf("| %s | %.1f MiB | %.1f MiB | %.1f MiB | %s | %s |\n", mib(x.size),
			float64(x.bake)/1024, float64(x.rebake)/1024, float64(x.unbake)/1024,
			x.bakeWall.Round(100*time.Microsecond), x.rebakeWall.Round(100*time.Microsecond))
	}
	r.printf("\nCommands: `badgebake bake -q --no-verify in.png URL -o out.png`, `badgebake bake -q --no-verify out.png URL2 -o out2.png`, `badgebake unbake out2.png`; largest max RSS and median wall time of three runs after a warm-up; wall times include process start-up and the fsync of the output.\n")
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	v := float64(n) / d.Seconds()
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func mib(size int) string {
	if size%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", size>>20)
	}
	return fmt.Sprintf("%d bytes", size)
}
