package pipeline

import (
	"context"
	"fmt"
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
