// Command voc collects customer feedback (reviews, survey answers,
// complaints) into a DuckDB warehouse, scores it on the five-level
// satisfaction scale and reports on it.
//
// Exit codes: 0 success, 1 failure, 2 partial success (the job finished but
// some input was rejected; see `voc query "SELECT * FROM rejects"`).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // time zones for voc.yaml's timezone on machines without zoneinfo
)

// Exit codes, shared with schedules and batch callers.
const (
	exitOK      = 0
	exitFailed  = 1
	exitPartial = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it with their own arguments
// and buffers.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &countingWriter{w: stdout}
	a := newApp(stdin, out, stderr)
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var p partialError
	if errors.As(err, &p) {
		return exitPartial
	}
	// --json promises one document on stdout: a command that already
	// wrote its summary (which says what failed) gets no second one.
	if a.jsonOut && out.n == 0 {
		_ = writeJSONError(stdout, err)
	}
	fmt.Fprintf(stderr, "voc: %v\n", err)
	return exitFailed
}

// partialError marks a job that finished but left some input out. The
// command has already reported what it did; the error only sets the exit code.
type partialError struct{ msg string }

func (e partialError) Error() string { return e.msg }

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
