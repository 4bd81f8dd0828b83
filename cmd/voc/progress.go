package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
)

// progress draws one self-overwriting status line on a terminal's stderr.
// In batch mode (--json, or stderr not a terminal) it draws nothing, so
// logs and pipes stay clean.
type progress struct {
	w     io.Writer
	label string
	on    bool
	mu    sync.Mutex
	last  time.Time
	start time.Time
}

func (a *app) progress(label string) *progress {
	on := false
	if f, ok := a.stderr.(*os.File); ok && !a.jsonOut {
		on = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return &progress{w: a.stderr, label: label, on: on, start: time.Now()}
}

// update redraws at most ten times a second; total <= 0 means unknown.
func (p *progress) update(done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && done != total {
		return
	}
	p.last = time.Now()
	if total > 0 {
		fmt.Fprintf(p.w, "\r\033[K%s %3d%% (%d/%d) %s", p.label, done*100/total, done, total, time.Since(p.start).Round(time.Second))
	} else {
		fmt.Fprintf(p.w, "\r\033[K%s %d %s", p.label, done, time.Since(p.start).Round(time.Second))
	}
}

// done clears the line.
func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
