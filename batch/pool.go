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
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if jobs <= 0 {
		jobs = DefaultJobs()
	}
	work := make(chan T)
	outcomes := make(chan Done[T, R])
	var (
		produceErr error
		handed     int
	)
	go func() {
		defer close(work)
		produceErr = produce(ctx, func(in T) bool {
			select {
			case work <- in:
				handed++
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for in := range work {
				d := Done[T, R]{In: in}
				if ctx.Err() != nil {
					d.Abandoned = true
				} else {
					d.Value, d.Err = job(ctx, in)
					d.Abandoned = ctx.Err() != nil
				}
				outcomes <- d
			}
		})
	}
	go func() {
		wg.Wait()
		close(outcomes)
	}()
	var consumeErr error
	for d := range outcomes {
		if consumeErr != nil {
			continue // drain, so the workers can finish
		}
		if err := consume(d); err != nil {
			consumeErr = err
			cancel()
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
