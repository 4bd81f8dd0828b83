package collectors

import (
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/voc-analytics/voc/config"
)

// A redirect is held to robots.txt on every hop, and a source keeps to its
// own hosts: a review page cannot point voc at an internal address, by a
// redirect or by a next-page link.
func TestCrawlerKeepsToRobotsAndItsHosts(t *testing.T) {
	var internalHits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits.Add(1)
		w.Write([]byte("admin panel"))
	}))
	defer internal.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.HandleFunc("/to-private", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/private/page", http.StatusFound) })
	mux.HandleFunc("/to-internal", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
	})
	mux.HandleFunc("/to-public", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/public", http.StatusFound) })
	mux.HandleFunc("/public", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("reviews")) })
	mux.HandleFunc("/private/page", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) })
	shop := httptest.NewServer(mux)
	defer shop.Close()

	r := NewRun("test-shop", config.Source{URLs: []string{shop.URL + "/public"}, HTTP: fastHTTP()}, nil)
	f, err := r.NewFetcher(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := f.Get(context.Background(), shop.URL+"/to-public"); err != nil || string(resp.Body) != "reviews" {
		t.Fatalf("an allowed redirect: %v", err)
	}
	if _, err := f.Get(context.Background(), shop.URL+"/to-private"); !errors.Is(err, ErrRobotsDisallowed) {
		t.Errorf("redirect to a disallowed path: err = %v, want ErrRobotsDisallowed", err)
	}
	if _, err := f.Get(context.Background(), shop.URL+"/to-internal"); !errors.Is(err, ErrOffHost) {
		t.Errorf("redirect to another host: err = %v, want ErrOffHost", err)
	}
	if _, err := f.Get(context.Background(), internal.URL+"/admin"); !errors.Is(err, ErrOffHost) {
		t.Errorf("a next link to another host: err = %v, want ErrOffHost", err)
	}
	if n := internalHits.Load(); n != 0 {
		t.Errorf("the internal server got %d requests", n)
	}
	// http.allow_hosts lets the source reach a host it names
	h := fastHTTP()
	h.AllowHosts = []string{strings.TrimPrefix(internal.URL, "http://")}
	r = NewRun("test-shop", config.Source{URLs: []string{shop.URL + "/public"}, HTTP: h}, nil)
	if f, err = r.NewFetcher(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(context.Background(), internal.URL+"/admin"); err != nil {
		t.Errorf("an allowed host: %v", err)
	}
}

// A gzip bomb is unpacked only up to http.max_body_size, even when the
// source's headers ask for gzip themselves.
func TestCrawlerBoundsDecompressedBodies(t *testing.T) {
	const unpacked = 1 << 30
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		zero := make([]byte, 1<<20)
		for i := 0; i < unpacked/len(zero); i++ {
			if _, err := zw.Write(zero); err != nil {
				return // the client stopped reading: good
			}
		}
		zw.Close()
	}))
	defer srv.Close()
	h := fastHTTP()
	h.Headers = map[string]string{"Accept-Encoding": "gzip"}
	h.MaxBodySize = 4 << 20
	r := NewRun("test-shop", config.Source{URLs: []string{srv.URL}, HTTP: h}, nil)
	f, err := r.NewFetcher(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = f.Get(context.Background(), srv.URL+"/bomb")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("err = %v, want ErrBodyTooLarge", err)
	}
	t.Logf("allocated %d MB reading a 1 GiB bomb", (after.TotalAlloc-before.TotalAlloc)>>20)
	if a := after.TotalAlloc - before.TotalAlloc; a > 256<<20 {
		t.Errorf("allocated %d MB", a>>20)
	}
}
