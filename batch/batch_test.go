package batch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"a.png", "b.svg", "notes.txt", "sub/c.png", "sub/deep/d.png", "skip/e.png", "sub/f.PNG"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "linked.png"), []byte("x"), 0o644)
	if err := os.Symlink(filepath.Join(outside, "linked.png"), filepath.Join(dir, "link.png")); err != nil {
		t.Skip("no symlinks:", err)
	}
	os.Symlink(outside, filepath.Join(dir, "linkdir"))
	os.Symlink(dir, filepath.Join(dir, "sub", "loop")) // a loop when following
	return dir
}

func walk(t *testing.T, roots []string, o *Options) []string {
	t.Helper()
	var got []string
	err := Walk(context.Background(), roots, o, func(it Item) bool {
		if it.Err != nil {
			t.Errorf("%s: %v", it.Path, it.Err)
		}
		got = append(got, it.Rel)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestWalk(t *testing.T) {
	dir := tree(t)
	all := []string{"a.png", "b.svg", "notes.txt", "skip/e.png", "sub/c.png", "sub/deep/d.png", "sub/f.PNG"}
	if got := walk(t, []string{dir}, &Options{}); !slices.Equal(got, all) {
		t.Errorf("default (no symlinks): %q", got)
	}
	got := walk(t, []string{dir}, &Options{Include: []string{"*.png", "*.PNG"}, Exclude: []string{"skip", "sub/deep/*"}})
	if want := []string{"a.png", "sub/c.png", "sub/f.PNG"}; !slices.Equal(got, want) {
		t.Errorf("include/exclude: %q, want %q", got, want)
	}
	got = walk(t, []string{dir}, &Options{FollowSymlinks: true, FollowOutside: true, Include: []string{"*.png"}})
	if want := []string{"a.png", "link.png", "linkdir/linked.png", "skip/e.png", "sub/c.png", "sub/deep/d.png"}; !slices.Equal(got, want) {
		t.Errorf("following links anywhere: %q, want %q", got, want)
	}
	// A file argument is kept as given; a link named as an argument is followed.
	got = walk(t, []string{filepath.Join(dir, "b.svg"), filepath.Join(dir, "link.png")}, &Options{})
	if want := []string{"b.svg", "link.png"}; !slices.Equal(got, want) {
		t.Errorf("file arguments: %q", got)
	}
	// A missing argument is an item with an error.
	var errs int
	Walk(context.Background(), []string{filepath.Join(dir, "nothere")}, &Options{}, func(it Item) bool {
		if errors.Is(it.Err, os.ErrNotExist) {
			errs++
		}
		return true
	})
	if errs != 1 {
		t.Errorf("missing argument: %d errors", errs)
	}
}

func TestShards(t *testing.T) {
	dir := tree(t)
	all := walk(t, []string{dir}, &Options{})
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		for _, rel := range walk(t, []string{dir}, &Options{Shard: k, Shards: 3}) {
			seen[rel]++
		}
	}
	for _, rel := range all {
		if seen[rel] != 1 {
			t.Errorf("%s in %d shards", rel, seen[rel])
		}
	}
	if len(seen) != len(all) {
		t.Errorf("shards gave %d files, want %d", len(seen), len(all))
	}
}

func TestParseShard(t *testing.T) {
	if k, n, err := ParseShard("2/8"); k != 2 || n != 8 || err != nil {
		t.Errorf("2/8: %d %d %v", k, n, err)
	}
	for _, bad := range []string{"", "0/3", "4/3", "1", "a/b", "1/0"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := (&Options{Include: []string{"["}}).Validate(); err == nil {
		t.Error("bad pattern accepted")
	}
}

func TestRun(t *testing.T) {
	dir := tree(t)
	var running, peak atomic.Int64
	var got []string
	st, err := Run(context.Background(), []string{dir}, &Options{Jobs: 3},
		func(ctx context.Context, it Item) (int, error) {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			return len(it.Rel), nil
		},
		func(r Result[int]) error {
			if r.Err != nil || r.Value != len(r.Item.Rel) {
				t.Errorf("%+v", r)
			}
			got = append(got, r.Item.Rel)
			return nil
		})
	if err != nil || st.Items != 7 || len(got) != 7 || st.Interrupted {
		t.Fatalf("%+v %v %q", st, err, got)
	}
	if peak.Load() > 3 {
		t.Errorf("%d jobs at once, want ≤ 3", peak.Load())
	}
	// A consumer error stops the run.
	boom := errors.New("boom")
	if _, err := Run(context.Background(), []string{dir}, &Options{Jobs: 2},
		func(context.Context, Item) (int, error) { return 0, nil },
		func(Result[int]) error { return boom }); err != boom {
		t.Errorf("consumer error: %v", err)
	}
}

func TestRunCancel(t *testing.T) {
	dir := t.TempDir()
	for i := range 200 {
		os.WriteFile(filepath.Join(dir, "f"+string(rune('a'+i%26))+string(rune('a'+i/26))), nil, 0o644)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var counted int
	var st Stats
	go func() {
		defer close(done)
		st, _ = Run(ctx, []string{dir}, &Options{Jobs: 4},
			func(ctx context.Context, it Item) (int, error) {
				select { // a slow job that honours cancellation
				case <-time.After(time.Hour):
				case <-ctx.Done():
				}
				return 0, ctx.Err()
			},
			func(r Result[int]) error {
				if !r.Abandoned {
					counted++
				}
				return nil
			})
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if !st.Interrupted || st.Items >= 200 || counted != 0 {
		t.Fatalf("%+v, %d counted", st, counted)
	}
}

// TestWalkLinksStayInside: following links, a link whose target lies
// outside the folder argument (directly, through "..", or through a chain
// of links) is an item with an *OutsideError and is not followed; links
// inside are followed, also when the argument itself is a link.
func TestWalkLinksStayInside(t *testing.T) {
	dir := tree(t)
	secret := filepath.Join(t.TempDir(), "secret.png")
	os.WriteFile(secret, []byte("secret"), 0o644)
	up, err := filepath.Rel(dir, secret)
	if err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"alias.png":          filepath.Join("sub", "c.png"),         // inside, relative
		"sub/up.png":         filepath.Join("..", "a.png"),          // inside, through ..
		"aliasdir":           "sub",                                 // a folder inside
		"escape.png":         up,                                    // outside, through ..
		"sub/deep/chain.png": filepath.Join("..", "..", "link.png"), // inside link to a link leading out
		"secret.png":         secret,
	} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	type item struct{ rel, err string }
	collect := func(root string, o *Options) (items []item) {
		err := Walk(context.Background(), []string{root}, o, func(it Item) bool {
			msg := ""
			if it.Err != nil {
				msg = it.Err.Error()
				var oe *OutsideError
				if errors.As(it.Err, &oe) != errors.Is(it.Err, ErrOutside) {
					t.Errorf("%s: errors.As and errors.Is disagree: %v", it.Rel, it.Err)
				}
				if !errors.Is(it.Err, ErrOutside) {
					msg = "other"
				}
			}
			items = append(items, item{it.Rel, msg})
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	out := "a symbolic link leading out of the folder " + strconv.Quote(dir) + ": not followed, nothing read"
	got := collect(dir, &Options{FollowSymlinks: true, Include: []string{"*.png"}})
	want := []item{
		{"a.png", ""}, {"alias.png", ""}, {"aliasdir/c.png", ""}, {"aliasdir/deep/chain.png", out},
		{"aliasdir/deep/d.png", ""}, {"aliasdir/up.png", ""},
		{"escape.png", out}, {"link.png", out}, {"linkdir", out}, {"secret.png", out},
		{"skip/e.png", ""}, {"sub/c.png", ""}, {"sub/deep/chain.png", out}, {"sub/deep/d.png", ""}, {"sub/up.png", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("inside only:\n got %q\nwant %q", got, want)
	}

	// The folder argument itself a link: inside is judged against its target.
	linkedRoot := filepath.Join(t.TempDir(), "root")
	if err := os.Symlink(dir, linkedRoot); err != nil {
		t.Fatal(err)
	}
	got = collect(linkedRoot, &Options{FollowSymlinks: true, Include: []string{"alias.png", "secret.png", "up.png"}})
	outLinked := "a symbolic link leading out of the folder " + strconv.Quote(linkedRoot) + ": not followed, nothing read"
	want = []item{{"alias.png", ""}, {"aliasdir/up.png", ""}, {"linkdir", outLinked}, {"secret.png", outLinked}, {"sub/up.png", ""}}
	if !slices.Equal(got, want) {
		t.Errorf("linked root:\n got %q\nwant %q", got, want)
	}

	// Patterns and shards apply to the refused links like to any file.
	got = collect(dir, &Options{FollowSymlinks: true, Exclude: []string{"linkdir", "secret.png", "*chain*", "escape.png", "link.png"}})
	for _, it := range got {
		if it.err != "" {
			t.Errorf("excluded link reported: %v", it)
		}
	}
	n := 0
	for k := 1; k <= 3; k++ {
		for _, it := range collect(dir, &Options{FollowSymlinks: true, Shard: k, Shards: 3}) {
			if it.err == out {
				n++
			}
		}
	}
	if n != 6 {
		t.Errorf("shards reported %d refused links, want 6", n)
	}
}

// RunOrdered consumes in walk order whatever the jobs, and Count counts
// what Walk yields.
func TestRunOrderedAndCount(t *testing.T) {
	dir := tree(t)
	want := walk(t, []string{dir}, &Options{})
	for _, jobs := range []int{1, 8} {
		var got []string
		_, err := RunOrdered(context.Background(), []string{dir}, &Options{Jobs: jobs},
			func(_ context.Context, it Item) (int, error) {
				if it.Rel == "a.png" { // the first file finishes last
					time.Sleep(5 * time.Millisecond)
				}
				return 0, nil
			},
			func(r Result[int]) error { got = append(got, r.Item.Rel); return nil })
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("jobs %d: %q, %v; want %q", jobs, got, err, want)
		}
	}
	var reported []int
	n, err := Count(context.Background(), []string{dir}, &Options{}, func(n int) { reported = append(reported, n) })
	if err != nil || n != len(want) || !slices.Equal(reported, []int{len(want)}) {
		t.Errorf("Count: %d %v, reported %v; want %d", n, err, reported, len(want))
	}
}
