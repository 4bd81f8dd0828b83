package reports

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestServerRefusesOpenAddressWithoutToken(t *testing.T) {
	db := fixtureDB(t)
	tests := []struct {
		addr, token string
		wantErr     error
	}{
		{"127.0.0.1:0", "", nil},
		{"localhost:0", "", nil},
		{"[::1]:0", "", nil},
		{"0.0.0.0:8047", "", ErrTokenRequired},
		{":8047", "", ErrTokenRequired},
		{"192.168.1.5:8047", "", ErrTokenRequired},
		{"reports.example:8047", "", ErrTokenRequired},
		{"0.0.0.0:8047", "s3cret", nil},
	}
	for _, tc := range tests {
		_, err := NewServer(db, ServerOptions{Addr: tc.addr, Token: tc.token})
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("NewServer(%q, token %q) = %v, want %v", tc.addr, tc.token, err, tc.wantErr)
		}
	}
}

func TestServerToken(t *testing.T) {
	db := fixtureDB(t)
	srv, err := NewServer(db, ServerOptions{Options: fixtureOptions("en"), Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	tests := []struct {
		name     string
		url      string
		header   string
		cookie   string
		want     int
		location string
	}{
		{"no token", "/", "", "", http.StatusUnauthorized, ""},
		{"wrong bearer", "/", "Bearer nope", "", http.StatusUnauthorized, ""},
		{"bearer", "/", "Bearer s3cret", "", http.StatusOK, ""},
		{"wrong cookie", "/", "", "nope", http.StatusUnauthorized, ""},
		{"cookie", "/week/2026-W47", "", "s3cret", http.StatusOK, ""},
		{"token link sets the cookie", "/week/2026-W47?lang=zh&token=s3cret", "", "", http.StatusSeeOther, "/week/2026-W47?lang=zh"},
		{"wrong token link", "/?token=nope", "", "", http.StatusUnauthorized, ""},
		{"bad week", "/week/2026-W99", "Bearer s3cret", "", http.StatusBadRequest, ""},
		{"bad level", "/week/2026-W47/theme/quality?level=9", "Bearer s3cret", "", http.StatusBadRequest, ""},
		{"no files dir", "/files/index.html", "Bearer s3cret", "", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		req := httptest.NewRequest("GET", tc.url, nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		if tc.cookie != "" {
			req.AddCookie(&http.Cookie{Name: tokenCookie, Value: tc.cookie})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d: %s", tc.name, rec.Code, tc.want, rec.Body.String())
		}
		if tc.location != "" {
			if got := rec.Header().Get("Location"); got != tc.location {
				t.Errorf("%s: redirect to %q, want %q", tc.name, got, tc.location)
			}
			if c := rec.Result().Cookies(); len(c) != 1 || c[0].Value != "s3cret" || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode {
				t.Errorf("%s: cookie %+v", tc.name, c)
			}
		}
		if rec.Code == http.StatusOK && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: no CSP header", tc.name)
		}
	}
}

// TestServerLiveFilter checks that a theme page's filters reach the
// warehouse: the rows are exactly the items the filter selects.
func TestServerLiveFilter(t *testing.T) {
	db := fixtureDB(t)
	srv, err := NewServer(db, ServerOptions{Options: fixtureOptions("en")})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	get := func(url string) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", url, nil)
		req.Host = "localhost:8047"
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", url, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	all := strings.Count(get("/week/2026-W47/theme/delivery_speed"), "<tr data-week=")
	tests := []struct {
		query string
		check func(n int) bool
	}{
		{"?level=1", func(n int) bool { return n > 0 && n < all }},
		{"?week=2026-W47", func(n int) bool { return n > 0 && n < all }},
		{"?q=ONERROR", func(n int) bool { return n == 1 }}, // case-insensitive: the one <img onerror> item
		{"?product=no-such-product", func(n int) bool { return n == 0 }},
	}
	for _, tc := range tests {
		body := get("/week/2026-W47/theme/delivery_speed" + tc.query)
		if n := strings.Count(body, "<tr data-week="); !tc.check(n) {
			t.Errorf("%s: %d rows of %d", tc.query, n, all)
		}
	}
	if body := get("/"); !strings.Contains(body, "/week/2026-W47?lang=en") {
		t.Error("index does not list 2026-W47")
	}
}

func TestServerGracefulShutdown(t *testing.T) {
	db := fixtureDB(t)
	srv, err := NewServer(db, ServerOptions{Options: fixtureOptions("en"), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, func(a string) { addrc <- a }) }()
	addr := <-addrc
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// TestPagesEscapeUntrustedText checks the HTML itself, without a browser:
// no hostile string survives unescaped, the chart options carry no JS
// functions, and the page has exactly its two scripts.
func TestPagesEscapeUntrustedText(t *testing.T) {
	db := fixtureDB(t)
	ctx := context.Background()
	w, err := BuildWeekly(ctx, db, fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := BuildTheme(ctx, db, "delivery_speed", fixtureWeek, fixtureOptions("en"))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]func(*bytes.Buffer) error{
		"weekly": func(b *bytes.Buffer) error { return w.WriteHTML(b, time.Now(), shanghai) },
		"theme":  func(b *bytes.Buffer) error { return p.WriteHTML(b, time.Now(), shanghai) },
	}
	for name, render := range pages {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		// ECharts' own source is trusted and contains markup of its own.
		html := strings.Replace(b.String(), echartsJS, "", 1)
		for _, bad := range []string{"<script>alert", "<img src=x", "<img id=pwned", "<svg onload", `"><img`, "__f__", "href=\"javascript:"} {
			if strings.Contains(html, bad) {
				i := strings.Index(html, bad)
				t.Errorf("%s page contains %q unescaped: ...%s...", name, bad, html[max(0, i-80):min(len(html), i+80)])
			}
		}
		if n := strings.Count(html, "<script"); n != 2+strings.Count(html, `<script type="application/json"`) {
			t.Errorf("%s page: %d <script> tags, want 2 plus the JSON blocks", name, n)
		}
		if !strings.Contains(html, `http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-`) {
			t.Errorf("%s page: no strict CSP meta", name)
		}
		if strings.Contains(html, "<script src") || strings.Contains(html, "<link") {
			t.Errorf("%s page loads something from elsewhere: it must open offline", name)
		}
	}
}
