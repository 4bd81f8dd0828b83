//go:build unix

package schedules

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// TestDaemonProcess is not a test: the tests below run the test binary
// again with it selected, as a daemon process of its own that they signal
// the way systemd or a user's Ctrl-C would.
//
// Its one job, "writer", is due every second and behaves like voc's real
// jobs: it records its own run, stores items in one transaction and
// commits after VOC_TEST_JOB_TIME, or rolls back when its context is
// cancelled. It prints "job started" when its transaction is open.
func TestDaemonProcess(t *testing.T) {
	path := os.Getenv("VOC_TEST_DAEMON_DB")
	if path == "" {
		t.Skip("helper for the daemon process tests; runs only as their child process")
	}
	jobTime, _ := time.ParseDuration(os.Getenv("VOC_TEST_JOB_TIME"))
	grace, _ := time.ParseDuration(os.Getenv("VOC_TEST_GRACE"))
	spec := os.Getenv("VOC_TEST_SPEC")
	writer := Job{Name: "writer", Spec: spec, Run: func(ctx context.Context, db *warehouse.DB) (voc.Run, error) {
		run, err := db.StartRun(ctx, "writer", "")
		if err != nil {
			return voc.Run{}, err
		}
		items := make([]voc.Item, 50)
		for i := range items {
			items[i] = voc.Item{Source: "test", Kind: voc.KindReview, ExternalID: fmt.Sprintf("r%d-%d", run.ID, i),
				Text: "物流很快", Rating: voc.VerySatisfied}
		}
		err = db.InTx(ctx, func(tx *warehouse.Tx) error {
			if _, err := tx.UpsertItems(ctx, items); err != nil {
				return err
			}
			fmt.Println("job started")
			select {
			case <-time.After(jobTime):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		run.Status, run.Loaded = voc.RunOK, len(items)
		if err != nil {
			run.Status, run.Loaded, run.Error = voc.RunFailed, 0, err.Error()
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if ferr := db.FinishRun(fctx, run); ferr != nil && err == nil {
			err = ferr
		}
		return run, err
	}}
	d, err := New(path, []Job{writer}, Options{
		Grace: grace, Hold: os.Getenv("VOC_TEST_HOLD") == "1",
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-d.Ready()
		fmt.Println("ready")
	}()
	if err := d.Run(ctx); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// daemonProcess is a running TestDaemonProcess.
type daemonProcess struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
	done   chan error
}

func startDaemon(t *testing.T, path, spec string, jobTime, grace time.Duration, hold bool) *daemonProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDaemonProcess$", "-test.count=1")
	holdEnv := "0"
	if hold {
		holdEnv = "1"
	}
	cmd.Env = append(os.Environ(), "VOC_TEST_DAEMON_DB="+path, "VOC_TEST_SPEC="+spec,
		"VOC_TEST_JOB_TIME="+jobTime.String(), "VOC_TEST_GRACE="+grace.String(), "VOC_TEST_HOLD="+holdEnv)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &daemonProcess{cmd: cmd, lines: make(chan string, 100), stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("daemon's log:\n%s", p.stderr)
		}
	})
	return p
}

// await waits for the daemon to print want.
func (p *daemonProcess) await(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("daemon exited before saying %q", want)
			}
			if strings.HasPrefix(line, "error:") {
				t.Fatalf("daemon: %s", line)
			}
			if line == want {
				return
			}
		case <-timeout:
			t.Fatalf("daemon did not say %q within 15s", want)
		}
	}
}

// stop sends SIGTERM and waits for the process to exit; it returns how
// long the exit took.
func (p *daemonProcess) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range p.lines { // drain until the process closes stdout
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("daemon exited with %v, want exit status 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("daemon did not exit within 20s of SIGTERM")
	}
	return time.Since(start)
}

// SIGTERM while a job runs: the job finishes within the grace period and
// is recorded ok with its items, or is cancelled after it and recorded
// failed with nothing half-written; either way the process exits 0 and
// the file opens cleanly.
func TestShutdownOnSIGTERM(t *testing.T) {
	tests := []struct {
		name      string
		jobTime   time.Duration
		grace     time.Duration
		wantState voc.RunStatus
		wantItems int
		minExit   time.Duration
		maxExit   time.Duration
	}{
		{"finishes within grace", 1500 * time.Millisecond, 10 * time.Second, voc.RunOK, 50, time.Second, 8 * time.Second},
		{"cancelled after grace", time.Minute, 1500 * time.Millisecond, voc.RunFailed, 0, 1500 * time.Millisecond, 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "voc.duckdb")
			p := startDaemon(t, path, "* * * * * *", tt.jobTime, tt.grace, false)
			p.await(t, "ready")
			p.await(t, "job started")
			took := p.stop(t)
			if took < tt.minExit || took > tt.maxExit {
				t.Errorf("exit took %v, want between %v and %v", took, tt.minExit, tt.maxExit)
			}

			ctx := context.Background()
			db, err := warehouse.Open(ctx, path, warehouse.Options{})
			if err != nil {
				t.Fatalf("the warehouse does not open after the daemon: %v", err)
			}
			defer db.Close()
			runs, err := db.Runs(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			// One run: the daemon started nothing after SIGTERM.
			if len(runs) != 1 {
				t.Fatalf("%d runs recorded, want 1: %+v", len(runs), runs)
			}
			r := runs[0]
			if r.Job != "writer" || r.Status != tt.wantState || r.Trigger != voc.TriggerSchedule || r.Finished.IsZero() {
				t.Errorf("run recorded as %+v, want %s", r, tt.wantState)
			}
			if tt.wantState == voc.RunFailed && !strings.Contains(r.Error, "context canceled") {
				t.Errorf("cancelled run's error %q does not say it was cancelled", r.Error)
			}
			res, err := db.Query(ctx, `SELECT count(*) FROM items`)
			if err != nil {
				t.Fatal(err)
			}
			if n := res.Rows[0][0]; n != int64(tt.wantItems) {
				t.Errorf("%v items stored, want %d", n, tt.wantItems)
			}
			if _, err := os.Stat(path + ".wal"); err == nil {
				t.Errorf("a WAL file is left next to the warehouse: it was not closed cleanly")
			}
		})
	}
}

// Between jobs the daemon leaves the warehouse to readers (voc query,
// voc status); with Hold it keeps it and readers are told who holds it.
// A second daemon is refused either way, with the first one's PID.
func TestWarehouseWhileDaemonRuns(t *testing.T) {
	for _, hold := range []bool{false, true} {
		t.Run(fmt.Sprintf("hold=%v", hold), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "voc.duckdb")
			p := startDaemon(t, path, "@hourly", 0, time.Second, hold)
			p.await(t, "ready")
			pid := p.cmd.Process.Pid
			ctx := context.Background()

			ro, err := warehouse.Open(ctx, path, warehouse.Options{ReadOnly: true})
			if !hold {
				if err != nil {
					t.Fatalf("read-only open between jobs: %v", err)
				}
				if _, err := ro.Runs(ctx, 0); err != nil {
					t.Errorf("read runs while the daemon waits: %v", err)
				}
				ro.Close()
			} else {
				var le *warehouse.LockError
				if !errors.As(err, &le) || le.PID != pid {
					if err == nil {
						ro.Close()
					}
					t.Fatalf("read-only open while the daemon holds the file: err = %v, want a LockError naming PID %d", err, pid)
				}
			}

			second, err := New(path, []Job{{Name: "x", Spec: "@hourly", Run: func(context.Context, *warehouse.DB) (voc.Run, error) {
				return voc.Run{}, nil
			}}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = second.Run(ctx)
			var dre *DaemonRunningError
			if !errors.As(err, &dre) || dre.PID != pid {
				t.Fatalf("second daemon: err = %v, want a DaemonRunningError naming PID %d", err, pid)
			}
			if !strings.Contains(err.Error(), "(PID "+strconv.Itoa(pid)+")") {
				t.Errorf("message %q does not name the PID", err)
			}
			p.stop(t)
			if b, _ := os.ReadFile(LockPath(path)); len(b) != 0 {
				t.Errorf("lock file still names a holder after the daemon stopped: %q", b)
			}
		})
	}
}
