package reports

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc/warehouse"
)

func serveStatus(t *testing.T, h http.Handler, host, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", path, nil)
	req.Host = host
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// Without a token, a loopback server answers only to loopback names: a
// page that rebinds its own DNS name to 127.0.0.1 cannot read reports.
// Unknown theme ids are 404, not a server error.
func TestServeLoopbackNamesAndUnknownThemes(t *testing.T) {
	srv, err := NewServer(fixtureDB(t), ServerOptions{Options: fixtureOptions("en")})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	for host, want := range map[string]int{
		"localhost:8047": 200, "127.0.0.1:8047": 200, "[::1]:8047": 200, "LOCALHOST": 200,
		"evil.example:8047": http.StatusMisdirectedRequest, "127.0.0.1.evil.example": http.StatusMisdirectedRequest, "": http.StatusMisdirectedRequest,
	} {
		if code, _ := serveStatus(t, h, host, "/"); code != want {
			t.Errorf("Host %q: %d, want %d", host, code, want)
		}
	}
	if code, _ := serveStatus(t, h, "localhost", "/week/2026-W47/theme/no_such_theme"); code != http.StatusNotFound {
		t.Errorf("unknown theme: %d, want 404", code)
	}
}

// A symbolic link in the reports folder is not followed out of it.
func TestServeFilesStayInTheirFolder(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(secret, []byte("customer phone numbers"), 0o600)
	os.WriteFile(filepath.Join(dir, "weekly.html"), []byte("<p>report</p>"), 0o644)
	if err := os.Symlink(secret, filepath.Join(dir, "leak.html")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	srv, err := NewServer(fixtureDB(t), ServerOptions{Options: fixtureOptions("en"), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	if code, body := serveStatus(t, h, "localhost", "/files/weekly.html"); code != 200 || !strings.Contains(body, "report") {
		t.Errorf("a report: %d %q", code, body)
	}
	if code, body := serveStatus(t, h, "localhost", "/files/leak.html"); code == 200 || strings.Contains(body, "customer phone") {
		t.Errorf("the link out of the folder: %d %q", code, body)
	}
}

// Connections that send nothing cannot starve users: the server holds at
// most MaxConns, and drops one that sends no request within the header
// timeout, so a real request gets through.
func TestServeIdleConnectionsDoNotStarveUsers(t *testing.T) {
	srv, err := NewServer(fixtureDB(t), ServerOptions{Options: fixtureOptions("en"), Addr: "127.0.0.1:0",
		MaxConns: 4, ReadHeaderTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, func(a string) { addrc <- a }) }()
	addr := <-addrc
	var idle []net.Conn
	for range 8 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("a user behind 8 idle connections: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A server that opens the warehouse per request lets writers in between
// requests, and answers 503 (not an error page) while one writes.
func TestServeLetsWritersIn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "voc.duckdb")
	if db, err := warehouse.Open(ctx, path, warehouse.Options{}); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	open := func(ctx context.Context) (*warehouse.DB, error) {
		return warehouse.Open(ctx, path, warehouse.Options{ReadOnly: true})
	}
	srv, err := NewServer(nil, ServerOptions{Options: fixtureOptions("en"), Open: open})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	if code, body := serveStatus(t, h, "localhost", "/"); code != 200 {
		t.Fatalf("index: %d %s", code, body)
	}
	// the writer is another process, as an import or the daemon is
	writer := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
	writer.Env = append(os.Environ(), "VOC_REPORTS_WRITER="+path)
	stdin, _ := writer.StdinPipe()
	stdout, _ := writer.StdoutPipe()
	writer.Stderr = os.Stderr
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("a writer while the server runs: %q %v", line, err)
	}
	if code, body := serveStatus(t, h, "localhost", "/"); code != http.StatusServiceUnavailable || !strings.Contains(body, "being written") {
		t.Errorf("during the write: %d %q, want 503", code, body)
	}
	stdin.Close()
	if err := writer.Wait(); err != nil {
		t.Fatal(err)
	}
	if code, _ := serveStatus(t, h, "localhost", "/"); code != 200 {
		t.Errorf("after the write: %d", code)
	}
	if _, err := NewServer(nil, ServerOptions{}); err == nil || errors.Is(err, ErrTokenRequired) {
		t.Errorf("a server with no warehouse: %v", err)
	}
}

// TestHelperWriter is not a test: TestServeLetsWritersIn runs the test
// binary again with it selected, to write from another process.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv("VOC_REPORTS_WRITER")
	if path == "" {
		t.Skip("helper for TestServeLetsWritersIn")
	}
	db, err := warehouse.Open(context.Background(), path, warehouse.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // EOF: stop
	db.Close()
	os.Exit(0)
}
