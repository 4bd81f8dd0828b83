package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// testLog sends the daemon's log to the test's.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// runDaemon runs a daemon on jobs for about d, stops it and returns what
// Run returned.
func runDaemon(t *testing.T, path string, jobs []Job, opt Options, d time.Duration) error {
	t.Helper()
	if opt.Log == nil {
		opt.Log = testLog(t)
	}
	dm, err := New(path, jobs, opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return dm.Run(ctx)
}

// runsOf opens the warehouse after the daemon stopped and lists the runs
// of job, oldest first.
func runsOf(t *testing.T, path, job string) []voc.Run {
	t.Helper()
	db, err := warehouse.Open(context.Background(), path, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the warehouse after the daemon: %v", err)
	}
	defer db.Close()
	all, err := db.Runs(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []voc.Run
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Job == job {
			out = append(out, all[i])
		}
	}
	return out
}

func byStatus(runs []voc.Run) map[voc.RunStatus][]voc.Run {
	m := map[voc.RunStatus][]voc.Run{}
	for _, r := range runs {
		m[r.Status] = append(m[r.Status], r)
	}
	return m
}

// A job due every second that takes 2.2 s never runs twice at once: the
// ticks that come while it runs are recorded as skipped.
func TestOverlapIsSkippedAndRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	var running, maxRunning, runs atomic.Int32
	slow := Job{Name: "slow", Spec: "* * * * * *", Run: func(ctx context.Context, _ *warehouse.DB) (voc.Run, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		runs.Add(1)
		select {
		case <-time.After(2200 * time.Millisecond):
		case <-ctx.Done():
			return voc.Run{}, ctx.Err()
		}
		return voc.Run{Loaded: 7}, nil
	}}
	if err := runDaemon(t, path, []Job{slow}, Options{Grace: 5 * time.Second}, 3500*time.Millisecond); err != nil {
		t.Fatalf("daemon: %v", err)
	}
	if maxRunning.Load() != 1 {
		t.Errorf("%d runs of the job at once, want 1", maxRunning.Load())
	}
	got := byStatus(runsOf(t, path, "slow"))
	if len(got[voc.RunOK]) != int(runs.Load()) || runs.Load() < 1 {
		t.Errorf("%d runs done, %d recorded ok: %+v", runs.Load(), len(got[voc.RunOK]), got)
	}
	for _, r := range got[voc.RunOK] {
		if r.Loaded != 7 || r.Trigger != voc.TriggerSchedule || r.Finished.Sub(r.Started) < 2*time.Second {
			t.Errorf("ok run recorded as %+v", r)
		}
	}
	// The job runs 2.2 s under a one-second schedule, so at least one tick
	// comes while it runs (two on an idle machine; a loaded one may start
	// the run late enough that the daemon stops before the second).
	skipped := got[voc.RunSkipped]
	if len(skipped) < 1 {
		t.Fatalf("%d skipped runs recorded, want at least 1: %+v", len(skipped), got)
	}
	for _, r := range skipped {
		if !strings.HasPrefix(r.Error, "skipped: still running") || r.Trigger != voc.TriggerSchedule {
			t.Errorf("skipped run recorded as %+v", r)
		}
	}
	if n := len(got[voc.RunRunning]) + len(got[voc.RunFailed]); n > 0 {
		t.Errorf("%d runs running or failed, want none (the last run finished within grace): %+v", n, got)
	}
}

// A panicking job is recorded as failed with the panic's text, and the
// daemon keeps running it and the other jobs.
func TestPanicIsRecordedAndDaemonLivesOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	var calm atomic.Int32
	// The daemon stops when calm starts its third run, however slow the
	// machine: a fixed run time saw only one tick now and then on a
	// loaded machine. The third run finishes within the grace period.
	ctx, stop := context.WithTimeout(context.Background(), 2*time.Minute)
	defer stop()
	jobs := []Job{
		{Name: "boom", Spec: "* * * * * *", Run: func(context.Context, *warehouse.DB) (voc.Run, error) {
			var m map[string]int
			//lint:ignore SA5000 the point: a real runtime panic, not only panic("...")
			m["nil map"]++
			return voc.Run{}, nil
		}},
		{Name: "calm", Spec: "* * * * * *", After: []string{"boom"}, Run: func(context.Context, *warehouse.DB) (voc.Run, error) {
			if calm.Add(1) == 3 {
				stop()
			}
			return voc.Run{}, nil
		}},
	}
	dm, err := New(path, jobs, Options{Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := dm.Run(ctx); err != nil {
		t.Fatalf("daemon: %v", err)
	}
	if calm.Load() < 3 {
		t.Fatalf("calm ran %d times in two minutes", calm.Load())
	}
	boom := runsOf(t, path, "boom")
	if len(boom) < 2 {
		t.Fatalf("boom ran %d times, want at least 2 (the daemon goes on after a panic)", len(boom))
	}
	for _, r := range boom {
		if r.Status != voc.RunFailed || !strings.Contains(r.Error, "panic: assignment to entry in nil map") {
			t.Errorf("panicked run recorded as %+v", r)
		}
	}
	calmRuns := runsOf(t, path, "calm")
	if len(calmRuns) < 2 || int(calm.Load()) != len(calmRuns) {
		t.Fatalf("calm ran %d times, %d recorded", calm.Load(), len(calmRuns))
	}
	for _, r := range calmRuns {
		if r.Status != voc.RunOK {
			t.Errorf("calm run %+v", r)
		}
	}
	// Due together, calm waits for boom (After): its last run starts after
	// boom's last one.
	if lb, lc := boom[len(boom)-1], calmRuns[len(calmRuns)-1]; lc.Started.Before(lb.Started) {
		t.Errorf("calm started %v, before boom %v", lc.Started, lb.Started)
	}
}

// seed records past runs the way an earlier process would have.
func seed(t *testing.T, path string, runs ...voc.Run) {
	t.Helper()
	db, err := warehouse.Open(context.Background(), path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, r := range runs {
		if _, err := db.RecordRun(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// At its start the daemon runs, once, the catch-up jobs whose scheduled
// time passed since their last run, and no other.
func TestCatchUpAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	now := time.Now()
	seed(t, path,
		voc.Run{Job: "weekly report", Started: now.Add(-8 * 24 * time.Hour), Status: voc.RunOK},
		voc.Run{Job: "hourly", Started: now.Add(-10 * time.Minute), Status: voc.RunOK},
		voc.Run{Job: "collect", Source: "shop-a", Started: now.Add(-3 * time.Hour), Status: voc.RunOK},
		voc.Run{Job: "collect", Source: "shop-b", Started: now.Add(-30 * time.Minute), Status: voc.RunOK},
		voc.Run{Job: "no catch-up", Started: now.Add(-8 * 24 * time.Hour), Status: voc.RunOK},
	)
	var mu sync.Mutex
	var ran []string
	job := func(name, source, spec string, catchUp bool) Job {
		j := Job{Name: name, Source: source, Spec: spec, CatchUp: catchUp}
		j.Run = func(context.Context, *warehouse.DB) (voc.Run, error) {
			mu.Lock()
			ran = append(ran, j.ID())
			mu.Unlock()
			return voc.Run{}, nil
		}
		return j
	}
	jobs := []Job{
		job("weekly report", "", "0 8 * * 1", true), // last run 8 days ago: a Monday 08:00 passed since
		job("hourly", "", "@every 1h", true),        // last run 10 minutes ago: not due for 50 minutes
		job("collect", "shop-a", "@every 2h", true), // 3 hours ago: due an hour ago
		job("collect", "shop-b", "@every 2h", true), // 30 minutes ago: not due
		job("no catch-up", "", "0 8 * * 1", false),  // missed, but catch-up is off
		job("never ran", "", "@every 1h", true),     // nothing says it was expected before
	}
	if err := runDaemon(t, path, jobs, Options{}, 1500*time.Millisecond); err != nil {
		t.Fatalf("daemon: %v", err)
	}
	if want := "collect shop-a,weekly report"; strings.Join(sortedCopy(ran), ",") != want {
		t.Errorf("ran %v at start, want %s once each", ran, want)
	}
	for _, name := range []string{"weekly report", "collect"} {
		runs := runsOf(t, path, name)
		last := runs[len(runs)-1]
		if last.Trigger != voc.TriggerCatchUp || last.Status != voc.RunOK || last.Started.Before(now) {
			t.Errorf("%s: last run %+v, want a catch-up run now", name, last)
		}
	}
	if n := len(runsOf(t, path, "hourly")); n != 1 {
		t.Errorf("hourly has %d runs, want only the seeded one", n)
	}
	if n := len(runsOf(t, path, "never ran")); n != 0 {
		t.Errorf("never ran has %d runs, want 0", n)
	}

	// The daemon's runs count as runs: started again at once, it catches
	// up nothing.
	ran = nil
	if err := runDaemon(t, path, jobs, Options{}, 800*time.Millisecond); err != nil {
		t.Fatalf("daemon again: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ran) != 0 {
		t.Errorf("second start ran %v, want nothing", ran)
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

// A job that records its own runs through StartRun (as jobs.RunPipeline
// does) is recorded once, with the scheduler's trigger; one that panics
// half-way has its open run marked failed.
func TestOwnRunsAreNotRecordedTwice(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	db, err := warehouse.Open(ctx, path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	selfRecording := func(name string, panicAt bool) Job {
		return Job{Name: name, Run: func(ctx context.Context, db *warehouse.DB) (voc.Run, error) {
			run, err := db.StartRun(ctx, name, "")
			if err != nil {
				return voc.Run{}, err
			}
			if panicAt {
				panic("half-way")
			}
			run.Status, run.Loaded = voc.RunPartial, 3
			return run, db.FinishRun(ctx, run)
		}}
	}
	plain := Job{Name: "plain", Run: func(context.Context, *warehouse.DB) (voc.Run, error) {
		return voc.Run{Loaded: 2, Rejected: 1, Status: voc.RunPartial, Detail: `{"pages":4}`}, nil
	}}
	failing := Job{Name: "failing", Source: "shop-a", Run: func(context.Context, *warehouse.DB) (voc.Run, error) {
		return voc.Run{}, errors.New("HTTP 503 from shop.example")
	}}
	outs, err := RunOnce(ctx, db, []Job{selfRecording("own", false), selfRecording("own-panics", true), plain, failing}, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 4 {
		t.Fatalf("%d outcomes, want 4", len(outs))
	}
	runs, _ := db.Runs(ctx, 0)
	count := map[string]int{}
	byJob := map[string]voc.Run{}
	for _, r := range runs {
		count[r.Job]++
		byJob[r.Job] = r
		if r.Trigger != voc.TriggerManual {
			t.Errorf("run %+v: trigger %q, want manual", r, r.Trigger)
		}
	}
	for _, name := range []string{"own", "own-panics", "plain", "failing"} {
		if count[name] != 1 {
			t.Errorf("job %s recorded %d times, want once", name, count[name])
		}
	}
	if r := byJob["own"]; r.Status != voc.RunPartial || r.Loaded != 3 {
		t.Errorf("own run %+v", r)
	}
	if r := byJob["own-panics"]; r.Status != voc.RunFailed || r.Error != "panic: half-way" {
		t.Errorf("panicked own run %+v", r)
	}
	if r := byJob["plain"]; r.Status != voc.RunPartial || r.Loaded != 2 || r.Rejected != 1 || !strings.Contains(r.Detail, "pages") {
		t.Errorf("plain run %+v", r)
	}
	if r := byJob["failing"]; r.Status != voc.RunFailed || r.Source != "shop-a" || r.Error != "HTTP 503 from shop.example" {
		t.Errorf("failing run %+v", r)
	}
	if o := outs[3]; o.Err == nil || o.Err.Error() != "job failing shop-a: HTTP 503 from shop.example" {
		t.Errorf("outcome error %v does not name the job", o.Err)
	}
	if o := outs[1]; o.Err == nil || !strings.Contains(o.Err.Error(), "job own-panics: panic: half-way") {
		t.Errorf("panic outcome error %v", o.Err)
	}
	// A pipeline failing is a failed run as a whole; a collect failing
	// next to others that worked is partial.
	if s := Summarize(outs); s != voc.RunFailed {
		t.Errorf("Summarize = %s, want failed (a job of no source panicked)", s)
	}
	if s := Summarize(outs[2:]); s != voc.RunPartial {
		t.Errorf("Summarize(plain, failing collect) = %s, want partial", s)
	}
	if s := Summarize(outs[3:]); s != voc.RunFailed {
		t.Errorf("Summarize(only a failing collect) = %s, want failed", s)
	}
	if s := Summarize(outs[:1]); s != voc.RunPartial {
		t.Errorf("Summarize(partial) = %s", s)
	}
}

func TestNewRefusesBadJobs(t *testing.T) {
	run := func(context.Context, *warehouse.DB) (voc.Run, error) { return voc.Run{}, nil }
	tests := []struct {
		jobs []Job
		want string
	}{
		{[]Job{{Name: "collect", Source: "shop-a", Spec: "every hour", Run: run}}, "job collect shop-a: cron spec \"every hour\""},
		{[]Job{{Name: "pipeline", Spec: "@hourly"}}, "job pipeline has no Run"},
		{[]Job{{Name: "a", Spec: "@hourly", Run: run}, {Name: "a", Spec: "@daily", Run: run}}, "job a is listed twice"},
		{[]Job{{Name: "a", Spec: "@hourly", Run: run, After: []string{"b"}}, {Name: "b", Spec: "@hourly", Run: run, After: []string{"a"}}}, "circle"},
	}
	for _, tt := range tests {
		_, err := New(filepath.Join(t.TempDir(), "voc.duckdb"), tt.jobs, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%v): err = %v, want %q", tt.jobs, err, tt.want)
		}
	}
}

// A second daemon on the same warehouse, even in the same process, is
// refused with an error naming the first one.
func TestSecondDaemonIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	job := Job{Name: "hourly", Spec: "@hourly", Run: func(context.Context, *warehouse.DB) (voc.Run, error) { return voc.Run{}, nil }}
	first, err := New(path, []Job{job}, Options{Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("first daemon: %v", err)
		}
	}()
	select {
	case <-first.Ready():
	case err := <-done:
		t.Fatalf("first daemon: %v", err)
	}
	second, _ := New(path, []Job{job}, Options{})
	err = second.Run(context.Background())
	var dre *DaemonRunningError
	if !errors.As(err, &dre) || dre.PID != os.Getpid() {
		t.Fatalf("second daemon: err = %v, want a DaemonRunningError naming PID %d", err, os.Getpid())
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("(PID %d)", os.Getpid())) {
		t.Errorf("message %q does not name the PID", err)
	}
}
