package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/badgebake/badgebake/batch"
	"github.com/badgebake/badgebake/internal/ui/progress"
	"github.com/spf13/cobra"
)

// batchOptions are the flags of batch mode (unbake and verify over folders).
type batchOptions struct {
	include, exclude []string
	followSymlinks   symlinkMode
	shard            string
	jobs             int
	quiet            bool
}

var batchFlagNames = []string{"include", "exclude", "follow-symlinks", "shard", "jobs", "report"}

func (b *batchOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&b.include, "include", nil, "batch: only files whose name or relative path matches this glob `PATTERN` (repeatable)")
	f.StringArrayVar(&b.exclude, "exclude", nil, "batch: skip files and folders whose name or relative path matches this glob `PATTERN` (repeatable)")
	f.Var(&b.followSymlinks, "follow-symlinks", "batch: follow symbolic links in folders that stay inside the folder (given alone: inside); =any follows them wherever they lead")
	f.Lookup("follow-symlinks").NoOptDefVal = string(symlinksInside)
	f.StringVar(&b.shard, "shard", "", "batch: process only shard `K/N` of the files (by relative-path hash)")
	f.IntVar(&b.jobs, "jobs", batch.DefaultJobs(), "batch: files processed at once")
	f.BoolVarP(&b.quiet, "quiet", "q", false, "batch: no progress line on standard error")
}

// symlinkMode is --follow-symlinks: none (the default), inside (given
// without a value) or any. true and false, from when it was a yes/no flag,
// mean inside and none.
type symlinkMode string

const (
	symlinksNone   symlinkMode = "none"
	symlinksInside symlinkMode = "inside"
	symlinksAny    symlinkMode = "any"
)

func (m *symlinkMode) String() string {
	if *m == "" {
		return string(symlinksNone)
	}
	return string(*m)
}

func (m *symlinkMode) Type() string { return "inside|any" }

func (m *symlinkMode) Set(s string) error {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "inside", "true":
		*m = symlinksInside
	case "any":
		*m = symlinksAny
	case "none", "false":
		*m = symlinksNone
	default:
		return fmt.Errorf("%q is not inside (links that stay inside the folder; the same as no value), any (links wherever they lead) or none", s)
	}
	return nil
}

// walkError is the error of an item the walk could not hand out, with the
// flag that changes it for a link leading out of the folder.
func walkError(err error) error {
	if errors.Is(err, batch.ErrOutside) {
		return fmt.Errorf("%w (--follow-symlinks=any follows it)", err)
	}
	return err
}

// batchMode reports whether args and flags ask for batch mode: a PATH is a
// folder, or a batch flag was given.
func batchMode(cmd *cobra.Command, args []string) bool {
	for _, name := range batchFlagNames {
		if cmd.Flags().Changed(name) {
			return true
		}
	}
	for _, a := range args {
		if fi, err := os.Stat(a); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// config checks the flags and the PATH arguments (each must exist, and
// none may be standard input or a URL).
func (b *batchOptions) config(args []string) (*batch.Options, error) {
	o := &batch.Options{Include: b.include, Exclude: b.exclude, Jobs: b.jobs,
		FollowSymlinks: b.followSymlinks == symlinksInside || b.followSymlinks == symlinksAny, FollowOutside: b.followSymlinks == symlinksAny}
	if b.jobs < 1 {
		return nil, usagef("--jobs must be at least 1")
	}
	if b.shard != "" {
		k, n, err := batch.ParseShard(b.shard)
		if err != nil {
			return nil, usagef("--shard: %v", err)
		}
		o.Shard, o.Shards = k, n
	}
	if err := o.Validate(); err != nil {
		return nil, usagef("%v", err)
	}
	for _, a := range args {
		if a == "-" || isURL(a) {
			return nil, usagef("%q: batch mode reads files and folders only (URLs, - and --data take one input)", clipArg(a))
		}
		if _, err := os.Stat(a); err != nil {
			return nil, &usageError{err}
		}
	}
	return o, nil
}

// batchContext is ctx cancelled by SIGINT or SIGTERM.
func batchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

func newProgress(streams IO, quiet bool) *progress.Line {
	return progress.New(streams.Err, streams.ErrIsTerminal && !quiet)
}

// countAhead counts, in a goroutine of its own, the files a batch run over
// args will have, telling prog the running total (done/≥N) and then the
// final one, so the line can show a percentage and the time left early.
// It walks only when the line is drawn; the function returned stops it
// and waits for it.
func countAhead(ctx context.Context, prog *progress.Line, args []string, o *batch.Options) (stop func()) {
	if !prog.On() {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n, err := batch.Count(ctx, args, o, func(n int) { prog.SetTotal(n, false) })
		if err == nil {
			prog.SetTotal(n, true)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// failures keeps the first maxListedFailures failing files for the table
// printed at the end (and counts the rest), so memory stays bounded.
const maxListedFailures = 200

type failures struct {
	list []string
	more int
}

func (f *failures) add(file, why string) {
	if len(f.list) < maxListedFailures {
		f.list = append(f.list, displayName(file)+": "+why)
	} else {
		f.more++
	}
}

func (f *failures) print(w io.Writer) {
	if len(f.list) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFailing files:")
	for _, l := range f.list {
		fmt.Fprintf(w, "  %s\n", l)
	}
	if f.more > 0 {
		fmt.Fprintf(w, "  … and %d more (--json lists every file)\n", f.more)
	}
}

// printCounts prints a map as indented, sorted "key  count" rows.
func printCounts(w io.Writer, title string, m map[string]int) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	width := 0
	for k := range m {
		keys = append(keys, k)
		width = max(width, len(k))
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-*s  %d\n", width, k, m[k])
	}
}

// batchExit is the exit status of a batch run.
func batchExit(bad bool, st batch.Stats, files int) error {
	switch {
	case st.Interrupted:
		return &silentError{code: ExitUsage}
	case files == 0:
		return usagef("no files matched")
	case bad:
		return &silentError{code: ExitBad}
	}
	return nil
}

func isURL(s string) bool {
	lower := strings.ToLower(s)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}
