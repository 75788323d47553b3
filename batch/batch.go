// Package batch expands PATH arguments into the files they name and runs a
// job on each file with a bounded pool of workers.
//
// Walking: a file argument is taken as it is; a folder is walked recursively
// in lexical order (so the order files are handed out is deterministic).
// Symbolic links found while walking are skipped unless
// Options.FollowSymlinks is set, and even then a link whose target lies
// outside the folder argument (after resolving every link, the argument's
// own included) is not followed unless Options.FollowOutside is set too: it
// becomes an item with an *OutsideError, and its target is never opened. An
// argument that is itself a link is always followed, as the user named it. Include and exclude patterns
// (filepath.Match syntax) are matched against a file's base name and against
// its slash-separated path relative to the argument; exclude patterns also
// prune folders. Only regular files are returned.
//
// Sharding: with Options.Shards = N and Options.Shard = K (1-based), only the
// files whose relative path hashes (FNV-1a, 64 bits) to K-1 modulo N are
// kept, so N runs of the same command over the same tree, one per shard,
// cover every file exactly once.
//
// Running: Run hands files to Options.Jobs workers through an unbuffered
// channel; the producer selects on the context, so cancelling it never
// deadlocks. Results reach one consumer callback, in the caller's goroutine,
// as they finish: nothing is accumulated. RunOrdered and PoolOrdered hand
// them over in walk order instead, holding at most a bounded window of
// early finishers. Count walks ahead to tell how many items a run will have.
package batch

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Options select the files and size the worker pool.
type Options struct {
	Include        []string // keep only files matching one of these (all when empty)
	Exclude        []string // drop files and folders matching one of these
	FollowSymlinks bool     // follow symbolic links found while walking that stay inside the folder argument
	FollowOutside  bool     // with FollowSymlinks: follow links leading out of the folder argument too
	Shard, Shards  int      // keep shard Shard (1-based) of Shards; Shards 0 keeps all
	Jobs           int      // workers; DefaultJobs() when 0 or less
}

// DefaultJobs is the default number of workers: the work is mostly waiting
// for files and the network, so four per processor.
func DefaultJobs() int { return 4 * runtime.GOMAXPROCS(0) }

// ParseShard parses "K/N" (1 ≤ K ≤ N).
func ParseShard(s string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(s, "/")
	if ok {
		k, err = strconv.Atoi(ks)
		if err == nil {
			n, err = strconv.Atoi(ns)
		}
	}
	if !ok || err != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("shard %q is not K/N with 1 ≤ K ≤ N (e.g. 2/8)", s)
	}
	return k, n, nil
}

// Validate checks the patterns and the shard.
func (o *Options) Validate() error {
	for _, p := range append(append([]string(nil), o.Include...), o.Exclude...) {
		if _, err := filepath.Match(p, ""); err != nil {
			return fmt.Errorf("bad pattern %q: %w", p, err)
		}
	}
	if o.Shards < 0 || (o.Shards > 0 && (o.Shard < 1 || o.Shard > o.Shards)) {
		return fmt.Errorf("shard %d/%d is not K/N with 1 ≤ K ≤ N", o.Shard, o.Shards)
	}
	return nil
}

// ErrOutside is the error (matched with errors.Is) of a symbolic link that
// was not followed because it leads outside the folder being walked.
var ErrOutside = errors.New("batch: symbolic link leads outside the folder")

// OutsideError is the error of an item that is a symbolic link leading
// outside the folder argument Root: it was not followed, and nothing was
// read from its target.
type OutsideError struct {
	Path string // the link, as walked
	Root string // the folder argument
}

func (e *OutsideError) Error() string {
	return "a symbolic link leading out of the folder " + strconv.Quote(e.Root) + ": not followed, nothing read"
}

func (e *OutsideError) Is(target error) bool { return target == ErrOutside }

// Item is one file to process, or a problem met while walking (Err set).
type Item struct {
	Path string // the path to open: the argument joined with Rel
	Rel  string // slash-separated path relative to the argument (a file argument: its base name)
	Err  error  // could not be walked or examined
}

// ShardOf returns the 0-based shard of N a relative path falls in.
func ShardOf(rel string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(rel))
	return int(h.Sum64() % uint64(n))
}

func matchAny(patterns []string, name, rel string) bool {
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, name); ok {
			return true
		}
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
	}
	return false
}

// keep reports whether a file passes the patterns and the shard.
func (o *Options) keep(name, rel string) bool {
	if len(o.Include) > 0 && !matchAny(o.Include, name, rel) {
		return false
	}
	if matchAny(o.Exclude, name, rel) {
		return false
	}
	return o.inShard(rel)
}

// inShard reports whether a relative path falls in the shard kept.
func (o *Options) inShard(rel string) bool {
	return o.Shards <= 1 || ShardOf(rel, o.Shards) == o.Shard-1
}

// errStop ends a walk early when yield says so.
var errStop = errors.New("batch: stopped")

// Walk expands roots into items, in order, calling yield for each until it
// returns false (then Walk returns the context's error, or nil). Problems
// with one file or folder become items with Err set; the walk goes on.
func Walk(ctx context.Context, roots []string, o *Options, yield func(Item) bool) error {
	for _, root := range roots {
		if err := ctx.Err(); err != nil {
			return err
		}
		fi, err := os.Stat(root)
		if err != nil {
			if !yield(Item{Path: root, Rel: filepath.ToSlash(root), Err: err}) {
				return ctx.Err()
			}
			continue
		}
		if !fi.IsDir() {
			name := filepath.Base(root)
			if o.keep(name, name) && !yield(Item{Path: root, Rel: name}) {
				return ctx.Err()
			}
			continue
		}
		w := &walker{ctx: ctx, o: o, yield: yield, root: root}
		if o.FollowSymlinks {
			w.active = map[string]bool{}
			if !o.FollowOutside {
				if w.realRoot, err = filepath.EvalSymlinks(root); err != nil {
					if !yield(Item{Path: root, Rel: filepath.ToSlash(root), Err: err}) {
						return ctx.Err()
					}
					continue
				}
			}
		}
		if err := w.dir(root, ""); err != nil {
			if err == errStop {
				return ctx.Err()
			}
			return err
		}
	}
	return nil
}

type walker struct {
	ctx      context.Context
	o        *Options
	yield    func(Item) bool
	active   map[string]bool // real paths of the folders being walked (following links: loop guard)
	root     string          // the folder argument
	realRoot string          // its real path, when links must stay inside it; else ""
}

// inside reports whether real, a path with every link resolved, is the
// root folder or lies under it.
func (w *walker) inside(real string) bool {
	rel, err := filepath.Rel(w.realRoot, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// outside returns the item of a link at p that leads out of the root, or
// nil when it may be followed. Only paths are examined, never the target's
// content.
func (w *walker) outside(p, r string) (*Item, error) {
	if w.realRoot == "" {
		return nil, nil
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	if w.inside(real) {
		return nil, nil
	}
	return &Item{Path: p, Rel: r, Err: &OutsideError{Path: p, Root: w.root}}, nil
}

func (w *walker) emit(it Item) error {
	if !w.yield(it) {
		return errStop
	}
	return nil
}

func (w *walker) dir(dir, rel string) error {
	if w.active != nil {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return w.emit(Item{Path: dir, Rel: rel, Err: err})
		}
		if w.active[real] {
			return nil // a link back into a folder being walked
		}
		w.active[real] = true
		defer delete(w.active, real)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return w.emit(Item{Path: dir, Rel: rel, Err: err})
	}
	for _, e := range entries {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		p, r := filepath.Join(dir, name), path.Join(rel, name)
		typ := e.Type()
		var out *Item // a link leading out of the root: reported, not followed
		if typ&fs.ModeSymlink != 0 {
			if !w.o.FollowSymlinks {
				continue
			}
			fi, err := os.Stat(p)
			if err == nil {
				out, err = w.outside(p, r)
			}
			if err != nil {
				if err := w.emit(Item{Path: p, Rel: r, Err: err}); err != nil {
					return err
				}
				continue
			}
			typ = fi.Mode().Type()
		}
		switch {
		case typ.IsDir():
			if matchAny(w.o.Exclude, name, r) {
				continue
			}
			if out != nil {
				if w.o.inShard(r) {
					if err := w.emit(*out); err != nil {
						return err
					}
				}
				continue
			}
			if err := w.dir(p, r); err != nil {
				return err
			}
		case typ.IsRegular():
			if w.o.keep(name, r) {
				it := Item{Path: p, Rel: r}
				if out != nil {
					it = *out
				}
				if err := w.emit(it); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Result is what one job gave.
type Result[R any] struct {
	Item  Item
	Value R
	Err   error // the job's error, or Item.Err
	// Abandoned is set when the run was cancelled before or while the job
	// ran: the result may be incomplete and is best not counted.
	Abandoned bool
}

// Stats describe a finished run.
type Stats struct {
	Items       int  // items handed out (files and walk problems)
	Interrupted bool // the context was cancelled before the walk finished
}

// Run walks roots and runs job on every file with o.Jobs workers (see
// Pool), passing each result to consume as it finishes, one at a time, in
// the caller's goroutine. Items with Err set skip the job and reach consume
// with that error. If consume returns an error the run stops and Run
// returns it. When ctx is cancelled no new file is started, jobs in flight
// get the cancelled context, and Run returns once they have returned
// (Stats.Interrupted set, nil error).
func Run[R any](ctx context.Context, roots []string, o *Options, job func(context.Context, Item) (R, error), consume func(Result[R]) error) (Stats, error) {
	return run(Pool[Item, R], ctx, roots, o, job, consume)
}

// RunOrdered is Run with consume called in walk order (see PoolOrdered),
// so that its output is the same on every run and for every o.Jobs.
func RunOrdered[R any](ctx context.Context, roots []string, o *Options, job func(context.Context, Item) (R, error), consume func(Result[R]) error) (Stats, error) {
	return run(PoolOrdered[Item, R], ctx, roots, o, job, consume)
}

type poolFunc[R any] func(context.Context, int, func(context.Context, func(Item) bool) error,
	func(context.Context, Item) (R, error), func(Done[Item, R]) error) (Stats, error)

func run[R any](p poolFunc[R], ctx context.Context, roots []string, o *Options, job func(context.Context, Item) (R, error), consume func(Result[R]) error) (Stats, error) {
	walk := func(ctx context.Context, yield func(Item) bool) error { return Walk(ctx, roots, o, yield) }
	work := func(ctx context.Context, it Item) (R, error) {
		if it.Err != nil {
			var zero R
			return zero, it.Err
		}
		return job(ctx, it)
	}
	return p(ctx, o.Jobs, walk, work, func(d Done[Item, R]) error {
		return consume(Result[R]{Item: d.In, Value: d.Value, Err: d.Err, Abandoned: d.Abandoned})
	})
}

// Count counts the items Walk would yield for the same roots and options
// (files and walk problems), calling progress (when not nil) with the
// running count every so often and at the end. It lets a caller show how
// far a Run has gone while the run walks the same tree.
func Count(ctx context.Context, roots []string, o *Options, progress func(n int)) (int, error) {
	n := 0
	err := Walk(ctx, roots, o, func(Item) bool {
		n++
		if progress != nil && n%countEvery == 0 {
			progress(n)
		}
		return true
	})
	if err == nil && progress != nil {
		progress(n)
	}
	return n, err
}

// countEvery is how often Count reports its running count.
const countEvery = 256
