package batch

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
)

// numbers yields 0 … n-1.
func numbers(n int) func(context.Context, func(int) bool) error {
	return func(_ context.Context, yield func(int) bool) error {
		for i := range n {
			if !yield(i) {
				return nil
			}
		}
		return nil
	}
}

// Pool runs any sequence of work, not only files, with at most jobs at once.
func TestPoolAnySequence(t *testing.T) {
	var running, most atomic.Int32
	var got []int
	st, err := Pool(t.Context(), 3, numbers(100), func(_ context.Context, i int) (int, error) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		defer running.Add(-1)
		if i == 7 {
			return 0, errors.New("seven")
		}
		return i * i, nil
	}, func(d Done[int, int]) error {
		if (d.In == 7) != (d.Err != nil) || (d.Err == nil && d.Value != d.In*d.In) {
			t.Errorf("outcome %+v", d)
		}
		got = append(got, d.In)
		return nil
	})
	if err != nil || st.Items != 100 || st.Interrupted {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	slices.Sort(got)
	if len(got) != 100 || got[0] != 0 || got[99] != 99 {
		t.Errorf("got %d outcomes", len(got))
	}
	if most.Load() > 3 {
		t.Errorf("%d jobs ran at once, want at most 3", most.Load())
	}
}

// A consume error stops the run and is the pool's error; a produce error
// too; a cancellation interrupts it. The same for PoolOrdered (which
// consumes in order up to the error), without deadlock.
func TestPoolErrors(t *testing.T) {
	type poolFunc = func(context.Context, int, func(context.Context, func(int) bool) error,
		func(context.Context, int) (int, error), func(Done[int, int]) error) (Stats, error)
	for name, pool := range map[string]poolFunc{"Pool": Pool[int, int], "PoolOrdered": PoolOrdered[int, int]} {
		t.Run(name, func(t *testing.T) {
			stop := errors.New("stop")
			n := 0
			_, err := pool(t.Context(), 2, numbers(1000), func(_ context.Context, i int) (int, error) { return i, nil },
				func(d Done[int, int]) error {
					if name == "PoolOrdered" && d.In != n {
						t.Errorf("consumed %d, want %d", d.In, n)
					}
					if n++; n == 5 {
						return stop
					}
					return nil
				})
			if !errors.Is(err, stop) {
				t.Errorf("consume error: %v", err)
			}
			broken := errors.New("broken")
			_, err = pool(t.Context(), 2, func(context.Context, func(int) bool) error { return broken },
				func(_ context.Context, i int) (int, error) { return i, nil }, func(Done[int, int]) error { return nil })
			if !errors.Is(err, broken) {
				t.Errorf("produce error: %v", err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			st, err := pool(ctx, 2, numbers(1000), func(_ context.Context, i int) (int, error) {
				if i == 10 {
					cancel()
				}
				return i, nil
			}, func(Done[int, int]) error { return nil })
			if err != nil || !st.Interrupted || st.Items >= 1000 {
				t.Errorf("cancelled: stats %+v, err %v", st, err)
			}
		})
	}
}

// PoolOrdered consumes in the order produced, however the jobs finish:
// here each job waits for the one after it in its group of four, so they
// finish backwards.
func TestPoolOrderedOrder(t *testing.T) {
	const n, jobs = 200, 4
	finished := make([]chan struct{}, n)
	for i := range finished {
		finished[i] = make(chan struct{})
	}
	var got []int
	st, err := PoolOrdered(t.Context(), jobs, numbers(n), func(_ context.Context, i int) (int, error) {
		defer close(finished[i])
		if i%jobs != jobs-1 && i+1 < n {
			<-finished[i+1]
		}
		return i * 2, nil
	}, func(d Done[int, int]) error {
		if d.Value != d.In*2 {
			t.Errorf("outcome %+v", d)
		}
		got = append(got, d.In)
		return nil
	})
	if err != nil || st.Items != n {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("consumed %d at place %d: %v", v, i, got[:i+1])
		}
	}
	if len(got) != n {
		t.Errorf("consumed %d, want %d", len(got), n)
	}
}

// The pieces handed out and not yet consumed never exceed the window: the
// first job holds the run back until the producer has filled the window,
// and by the time it is consumed the producer has not gone further.
func TestPoolOrderedWindow(t *testing.T) {
	const jobs = 2
	window := WindowPerJob * jobs
	var produced atomic.Int32
	full := make(chan struct{})
	produce := func(ctx context.Context, yield func(int) bool) error {
		for i := range 100 {
			if !yield(i) {
				return nil
			}
			if produced.Add(1) == int32(window) {
				close(full)
			}
		}
		return nil
	}
	_, err := PoolOrdered(t.Context(), jobs, produce, func(_ context.Context, i int) (int, error) {
		if i == 0 {
			<-full
		}
		return i, nil
	}, func(d Done[int, int]) error {
		if d.In == 0 {
			if p := produced.Load(); p != int32(window) {
				t.Errorf("%d handed out before the first was consumed, want the window, %d", p, window)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
