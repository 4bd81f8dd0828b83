package collectors

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voc-analytics/voc/config"
)

// fastHTTP is politeness scaled down to milliseconds, so tests do not sleep.
func fastHTTP() config.HTTP {
	return config.HTTP{Delay: time.Microsecond, Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, Timeout: 2 * time.Second}
}

func testRun(t *testing.T, h config.HTTP) *Run {
	t.Helper()
	return NewRun("test-shop", config.Source{HTTP: h}, nil)
}

func TestFetcher(t *testing.T) {
	gbk, err := os.ReadFile("html/testdata/cup-gbk.html")
	if err != nil {
		t.Fatal(err)
	}
	big5, err := os.ReadFile("html/testdata/tw-big5.html")
	if err != nil {
		t.Fatal(err)
	}
	var flaky, down atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		down.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	})
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/private/page", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) })
	mux.HandleFunc("/gbk", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(gbk)
	})
	mux.HandleFunc("/big5", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=big5")
		w.Write(big5)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 5000)))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("session")
		sess := ""
		if c != nil {
			sess = c.Value
		}
		w.Write([]byte(r.UserAgent() + "|" + r.Header.Get("Referer") + "|" + sess))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	tests := []struct {
		name   string
		path   string
		http   func(*config.HTTP)
		want   string // substring of the decoded text
		err    error
		status int
		check  func(t *testing.T, r *Run)
	}{
		{name: "503 twice then OK is retried", path: "/flaky", want: "ok", check: func(t *testing.T, r *Run) {
			s := r.Stats.Snapshot()
			if s.Status["503"] != 2 || s.Status["200"] != 2 || s.Retries != 2 { // robots.txt and the page
				t.Errorf("stats = %+v, want two 503s retried, robots.txt and the page 200", s)
			}
		}},
		{name: "5xx gives up after the retries", path: "/down", status: 502, check: func(t *testing.T, r *Run) {
			if n := down.Load(); n != 4 {
				t.Errorf("%d attempts, want 1 + 3 retries", n)
			}
		}},
		{name: "Retry-After longer than max_backoff gives up at once", path: "/busy", status: 429, check: func(t *testing.T, r *Run) {
			if s := r.Stats.Snapshot(); s.Status["429"] != 1 {
				t.Errorf("stats = %+v, want one 429", s)
			}
		}},
		{name: "404 is not retried", path: "/gone", status: 404, check: func(t *testing.T, r *Run) {
			if s := r.Stats.Snapshot(); s.Requests != 2 { // robots.txt and the page
				t.Errorf("stats = %+v", s)
			}
		}},
		{name: "robots.txt disallow is honoured", path: "/private/page", err: ErrRobotsDisallowed},
		{name: "robots.txt can be overridden", path: "/private/page", want: "secret", http: func(h *config.HTTP) { h.IgnoreRobotsTxt = true }},
		{name: "GBK page declared by meta", path: "/gbk", want: "保温效果很好，就是物流慢"},
		{name: "Big5 page declared by header", path: "/big5", want: "客服態度很差，一直推託"},
		{name: "body over max_body_size", path: "/big", err: ErrBodyTooLarge, http: func(h *config.HTTP) { h.MaxBodySize = 1000 }},
		{name: "user agent, headers and cookies", path: "/echo", want: "voc-test/1|https://shop.example/|abc123", http: func(h *config.HTTP) {
			h.UserAgent = "voc-test/1"
			h.Headers = map[string]string{"Referer": "https://shop.example/"}
			h.Cookies = map[string]string{"session": "abc123"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fastHTTP()
			if tt.http != nil {
				tt.http(&h)
			}
			r := testRun(t, h)
			f, err := r.NewFetcher(ctx)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := f.Get(ctx, srv.URL+tt.path)
			switch {
			case tt.err != nil:
				if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), "test-shop") || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("err = %v, want %v naming the source and URL", err, tt.err)
				}
			case tt.status != 0:
				var se *StatusError
				if !errors.As(err, &se) || se.Status != tt.status || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("err = %v, want HTTP %d", err, tt.status)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(resp.Text), tt.want) {
					t.Fatalf("text = %.200q, want it to contain %q", resp.Text, tt.want)
				}
				if tt.path == "/gbk" && (resp.Charset != "gbk" || string(resp.Body) != string(gbk)) {
					t.Errorf("charset %q; raw body kept: %v", resp.Charset, string(resp.Body) == string(gbk))
				}
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestRetryAfterHonoured checks the wait a 429 asks for is kept: the
// second attempt comes no sooner than Retry-After says.
func TestRetryAfterHonoured(t *testing.T) {
	var first atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if first.CompareAndSwap(0, time.Now().UnixNano()) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(time.Duration(time.Now().UnixNano() - first.Load()).String()))
	}))
	defer srv.Close()
	h := fastHTTP()
	h.MaxBackoff = 2 * time.Second
	r := testRun(t, h)
	f, err := r.NewFetcher(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.Get(context.Background(), srv.URL+"/reviews")
	if err != nil {
		t.Fatal(err)
	}
	waited, err := time.ParseDuration(string(resp.Text))
	if err != nil || waited < 950*time.Millisecond {
		t.Fatalf("retried after %s (%v), want about 1s as Retry-After asked", resp.Text, err)
	}
	if s := r.Stats.Snapshot(); s.Status["429"] != 1 || s.Status["200"] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestFetcherCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	h := fastHTTP()
	h.IgnoreRobotsTxt = true
	h.Backoff, h.MaxBackoff, h.Retries = time.Minute, time.Minute, 5
	ctx, cancel := context.WithCancel(context.Background())
	r := testRun(t, h)
	f, err := r.NewFetcher(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = f.Get(ctx, srv.URL+"/x")
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %s, want a prompt context.Canceled", err, time.Since(start))
	}
}

func TestDecode(t *testing.T) {
	gbk, _ := os.ReadFile("html/testdata/cup-gbk.html")
	noMeta := []byte(strings.Replace(string(gbk), "charset=gbk", "", 1))
	tests := []struct {
		name, ct, force string
		body            []byte
		charset, want   string
	}{
		{"utf-8 with BOM", "", "", []byte("\xef\xbb\xbf好评"), "utf-8", "好评"},
		{"meta charset", "text/html", "", gbk, "gbk", "物流慢"},
		{"no declaration: detected", "text/html", "", noMeta, "gbk", "物流慢"},
		{"forced", "text/html; charset=utf-8", "gbk", noMeta, "gbk", "物流慢"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, cs, err := Decode(tt.body, tt.ct, tt.force)
			if err != nil || cs != tt.charset || !strings.Contains(string(out), tt.want) {
				t.Errorf("Decode = %.80q, %q, %v; want %q containing %q", out, cs, err, tt.charset, tt.want)
			}
		})
	}
}

// Retries wait between half and all of the doubled backoff, and not the
// same time on every call, so sources that failed together spread out.
func TestBackoffJitter(t *testing.T) {
	tr := &retryTransport{cfg: config.HTTP{Backoff: time.Second, MaxBackoff: 5 * time.Second}}
	for _, c := range []struct {
		attempt int
		full    time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {2, 4 * time.Second}, {3, 5 * time.Second}, {10, 5 * time.Second}} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := tr.backoff(c.attempt)
			if d < c.full/2 || d > c.full {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", c.attempt, d, c.full/2, c.full)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct waits in 50 draws: no jitter", c.attempt, len(seen))
		}
	}
}
