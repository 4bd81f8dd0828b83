package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// handle is the daemon's access to the warehouse file. Unless hold is set
// it opens the file read-write only while a job runs and closes it after,
// so read-only tools can use the file in between (DuckDB admits no reader
// while a writer holds the file).
type handle struct {
	path string
	hold bool
	// memoryLimit is passed to every open (warehouse.Options.MemoryLimit).
	memoryLimit string
	lockWait    time.Duration
	log         *slog.Logger

	mu sync.Mutex
	db *warehouse.DB
	// pending are runs to record that came while the file was closed (a
	// skip) or could not be opened (a job that never started); they are
	// written at the next open.
	pending []voc.Run
}

// lockPoll is how often a job waiting for the warehouse tries again.
const lockPoll = 200 * time.Millisecond

// open opens the warehouse read-write, waiting up to lockWait while another
// process holds it; the error then names that process.
func (h *handle) open(ctx context.Context) (*warehouse.DB, error) {
	h.mu.Lock()
	if h.db != nil {
		db := h.db
		h.mu.Unlock()
		return db, nil
	}
	h.mu.Unlock()
	deadline := time.Now().Add(h.lockWait)
	logged := false
	for {
		db, err := warehouse.Open(ctx, h.path, warehouse.Options{MemoryLimit: h.memoryLimit})
		if err == nil {
			h.mu.Lock()
			h.db = db
			h.flushLocked(ctx)
			h.mu.Unlock()
			return db, nil
		}
		if !errors.Is(err, warehouse.ErrLocked) || time.Now().After(deadline) {
			return nil, err
		}
		if !logged {
			h.log.Warn("warehouse held by another process; waiting", "db", h.path, "for", h.lockWait, "err", err)
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for warehouse %s: %w (%v)", h.path, ctx.Err(), err)
		case <-time.After(lockPoll):
		}
	}
}

// release closes the warehouse after a job, unless the daemon holds it.
func (h *handle) release() {
	if h.hold {
		return
	}
	h.close()
}

// close closes the warehouse if it is open.
func (h *handle) close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.db == nil {
		return nil
	}
	h.flushLocked(context.Background())
	err := h.db.Close()
	h.db = nil
	return err
}

// record writes run now if the warehouse is open, else at the next open.
func (h *handle) record(run voc.Run) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending = append(h.pending, run)
	if h.db != nil {
		h.flushLocked(context.Background())
	}
}

func (h *handle) flushLocked(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for len(h.pending) > 0 {
		r := h.pending[0]
		if _, err := h.db.RecordRun(ctx, r); err != nil {
			h.log.Error("record run", "job", Job{Name: r.Job, Source: r.Source}.ID(), "status", r.Status, "err", err)
		}
		h.pending = h.pending[1:]
	}
}

// unrecorded lists the runs that could not be written (the warehouse was
// never opened again), for the daemon's last words.
func (h *handle) unrecorded() []voc.Run {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]voc.Run(nil), h.pending...)
}
