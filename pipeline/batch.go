package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// batches drives a pass over pending items: it reads them in id order,
// size at a time, hands each batch to handle (which computes and stores it
// in one transaction), and reports progress, until nothing is pending. It
// stops between batches when ctx is cancelled, so a pass always ends on a
// whole batch. It returns how many items were handled.
func batches[T any](ctx context.Context, what string, size int, next func(after int64, limit int) ([]T, error),
	id func(T) int64, handle func([]T) error, progress func(done int)) (int, error) {
	var after int64
	done := 0
	for {
		batch, err := next(after, size)
		if err != nil {
			return done, err
		}
		if len(batch) == 0 {
			return done, nil
		}
		if err := ctx.Err(); err != nil {
			return done, fmt.Errorf("%s: stopped after %d items: %w", what, done, err)
		}
		if err := handle(batch); err != nil {
			return done, fmt.Errorf("%s: %w", what, err)
		}
		after = id(batch[len(batch)-1])
		done += len(batch)
		if progress != nil {
			progress(done)
		}
	}
}

// parallel calls f(i) for every i in [0, n) on all cores: the per-item work
// of a batch (scoring, tagging) is CPU-bound and independent, and the
// batch's one write waits for all of it. Results go to index i of a slice
// the caller owns, so their order, and everything counted from them, is
// the same as a loop's.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}
