package batch

import (
	"context"
	"errors"
	"sync"
)

// Done is the outcome of one piece of work of a Pool.
type Done[T, R any] struct {
	In    T
	Value R
	Err   error
	// Abandoned is set when the run was cancelled before or while the job
	// ran: the result may be incomplete and is best not counted.
	Abandoned bool
}

// Pool runs job on every piece of work produce yields, with jobs workers
// (DefaultJobs() when 0 or less), and passes each outcome to consume as it
// finishes, one at a time, in the caller's goroutine: nothing is
// accumulated, so a run over millions of pieces holds only the jobs in
// flight. produce runs in a goroutine of its own and should stop when yield
// returns false (the context was cancelled, or consume failed); its error,
// unless it is the context's, is Pool's.
//
// If consume returns an error the run stops and Pool returns it. When ctx
// is cancelled no new piece is started, jobs in flight get the cancelled
// context (their outcomes come marked Abandoned), and Pool returns once
// they have returned (Stats.Interrupted set, nil error).
func Pool[T, R any](ctx context.Context, jobs int, produce func(ctx context.Context, yield func(T) bool) error,
	job func(context.Context, T) (R, error), consume func(Done[T, R]) error) (Stats, error) {
	return pool(ctx, jobs, 0, produce, job, consume)
}

// WindowPerJob sizes the reorder window of PoolOrdered and RunOrdered: the
// pieces handed out but not yet consumed number at most WindowPerJob times
// the workers.
const WindowPerJob = 4

// PoolOrdered is Pool with consume called in the order produce yielded
// the pieces, whatever order the jobs finish in: an outcome that finishes
// early waits for those before it. Outcomes still stream (each is consumed
// as soon as the ones before it are), and memory stays bounded: at most
// WindowPerJob × jobs pieces are handed out and not yet consumed; beyond
// that, produce waits until the oldest is consumed.
func PoolOrdered[T, R any](ctx context.Context, jobs int, produce func(ctx context.Context, yield func(T) bool) error,
	job func(context.Context, T) (R, error), consume func(Done[T, R]) error) (Stats, error) {
	if jobs <= 0 {
		jobs = DefaultJobs()
	}
	return pool(ctx, jobs, WindowPerJob*jobs, produce, job, consume)
}

// piece is a piece of work with its place in the sequence produced.
type piece[T any] struct {
	seq int
	in  T
}

// pool is Pool, ordered when window > 0: then at most window pieces are
// handed out and not yet consumed.
func pool[T, R any](ctx context.Context, jobs, window int, produce func(ctx context.Context, yield func(T) bool) error,
	job func(context.Context, T) (R, error), consume func(Done[T, R]) error) (Stats, error) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if jobs <= 0 {
		jobs = DefaultJobs()
	}
	work := make(chan piece[T])
	outcomes := make(chan piece[Done[T, R]])
	// slots holds a token for every piece handed out and not yet
	// consumed (ordered runs only).
	var slots chan struct{}
	if window > 0 {
		slots = make(chan struct{}, window)
	}
	var (
		produceErr error
		handed     int
	)
	go func() {
		defer close(work)
		produceErr = produce(ctx, func(in T) bool {
			if slots != nil {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return false
				}
			}
			select {
			case work <- piece[T]{handed, in}:
				handed++
				return true
			case <-ctx.Done():
				if slots != nil {
					<-slots
				}
				return false
			}
		})
	}()
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for p := range work {
				d := Done[T, R]{In: p.in}
				if ctx.Err() != nil {
					d.Abandoned = true
				} else {
					d.Value, d.Err = job(ctx, p.in)
					d.Abandoned = ctx.Err() != nil
				}
				outcomes <- piece[Done[T, R]]{p.seq, d}
			}
		})
	}
	go func() {
		wg.Wait()
		close(outcomes)
	}()
	var consumeErr error
	deliver := func(d Done[T, R]) {
		if consumeErr != nil {
			return // drain, so the workers can finish
		}
		if err := consume(d); err != nil {
			consumeErr = err
			cancel()
		}
	}
	// Ordered: the outcomes that finished before their turn, by sequence
	// number; never more than window of them.
	waiting := map[int]Done[T, R]{}
	next := 0
	for p := range outcomes {
		if slots == nil {
			deliver(p.in)
			continue
		}
		waiting[p.seq] = p.in
		for {
			d, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			deliver(d)
			<-slots
		}
	}
	st := Stats{Items: handed, Interrupted: parent.Err() != nil}
	if consumeErr != nil {
		return st, consumeErr
	}
	if produceErr != nil && !errors.Is(produceErr, context.Canceled) && !errors.Is(produceErr, context.DeadlineExceeded) {
		return st, produceErr
	}
	return st, nil
}
