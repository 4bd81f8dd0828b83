package schedules

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DaemonRunningError is what a second daemon on the same warehouse gets.
type DaemonRunningError struct {
	DB   string // the warehouse file
	Lock string // the lock file held by the running daemon
	PID  int    // the running daemon's process id; 0 when unknown
}

func (e *DaemonRunningError) Error() string {
	holder := "another voc daemon"
	if e.PID > 0 {
		holder = fmt.Sprintf("another voc daemon (PID %d)", e.PID)
	}
	return fmt.Sprintf("warehouse %s is already scheduled by %s holding %s; stop it first (SIGTERM), or use --db for another warehouse",
		e.DB, holder, e.Lock)
}

// errLockHeld is what lockFile returns when another process has the lock.
var errLockHeld = errors.New("lock held by another process")

// daemonLock is the lock file that makes one daemon per warehouse: an
// exclusive OS lock (flock, LockFileEx) held for the daemon's life and
// released by the OS when the process dies, so a crash leaves no stale
// lock behind. The file holds the PID of its holder, for the message.
type daemonLock struct{ f *os.File }

// LockPath is the daemon's lock file for the warehouse at db.
func LockPath(db string) string { return db + ".daemon.lock" }

func lockDaemon(db string) (*daemonLock, error) {
	path := LockPath(db)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("daemon lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("daemon lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		defer f.Close()
		if errors.Is(err, errLockHeld) {
			b, _ := os.ReadFile(path)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return nil, &DaemonRunningError{DB: db, Lock: path, PID: pid}
		}
		return nil, fmt.Errorf("daemon lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("daemon lock %s: %w", path, err)
		}
	}
	return &daemonLock{f: f}, nil
}

// release empties the lock file (it stays, so there is no race between a
// removal and a new daemon locking it) and lets the lock go.
func (l *daemonLock) release() error {
	l.f.Truncate(0) //nolint:errcheck // the PID is only advice; the OS lock is the truth
	return l.f.Close()
}
