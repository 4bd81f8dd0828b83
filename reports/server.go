package reports

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/warehouse"
)

// ServerOptions configures `voc serve`.
type ServerOptions struct {
	Options
	// Addr is the listen address; "" means 127.0.0.1:8047.
	Addr string
	// Token is the access token. Required when Addr is not a loopback
	// address; when set, every request must carry it (see Handler).
	Token string
	// Dir, when set, is a directory of written reports served under
	// /files/ (what `voc report weekly --out` wrote).
	Dir string
	// Log receives one line per failed request; nil discards.
	Log *slog.Logger
	// Open, when set, opens the warehouse (read-only) for each request and
	// the request closes it: between requests the file is free, so
	// imports, pipelines and the daemon can write while the server runs.
	// Without it the server uses the DB NewServer was given.
	Open func(context.Context) (*warehouse.DB, error)
	// MaxConns bounds open connections (default 256): idle keep-alive
	// connections cannot exhaust file descriptors. IdleTimeout and
	// ReadHeaderTimeout default to 60 s and 10 s.
	MaxConns                       int
	IdleTimeout, ReadHeaderTimeout time.Duration
}

// DefaultAddr is where `voc serve` listens unless told otherwise: loopback
// only, so reports of customer data are not on the network by accident.
const DefaultAddr = "127.0.0.1:8047"

// tokenCookie carries the access token after a ?token= link was opened.
const tokenCookie = "voc_token"

// ErrTokenRequired is returned for a non-loopback address without a token.
var ErrTokenRequired = errors.New("an access token is required to listen on a non-loopback address (--token or VOC_TOKEN)")

// Server serves live reports from a warehouse opened read-only: every page
// is computed from the warehouse when asked for, with the same templates
// as the written reports.
type Server struct {
	db       *warehouse.DB
	opt      ServerOptions
	loopback bool
}

// NewServer checks opt and returns a server over db, which should be
// opened read-only: the server never writes, and DuckDB then lets `voc
// query` and other readers use the file alongside it. A non-loopback Addr
// without a Token is refused with ErrTokenRequired.
func NewServer(db *warehouse.DB, opt ServerOptions) (*Server, error) {
	opt.Options = opt.Options.withDefaults()
	if opt.Addr == "" {
		opt.Addr = DefaultAddr
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	loop, err := isLoopback(opt.Addr)
	if err != nil {
		return nil, err
	}
	if !loop && opt.Token == "" {
		return nil, fmt.Errorf("serve on %s: %w", opt.Addr, ErrTokenRequired)
	}
	if db == nil && opt.Open == nil {
		return nil, errors.New("serve: no warehouse")
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = 256
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 60 * time.Second
	}
	if opt.ReadHeaderTimeout <= 0 {
		opt.ReadHeaderTimeout = 10 * time.Second
	}
	return &Server{db: db, opt: opt, loopback: loop}, nil
}

// isLoopback reports whether addr ("host:port") listens on loopback only.
// An empty host or 0.0.0.0 means every interface, which is not.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("serve: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false, nil // a host name may resolve anywhere
	}
	return ip.IsLoopback(), nil
}

// ListenAndServe serves until ctx is cancelled, then shuts down
// gracefully: open requests get up to 5 seconds to finish. ready, if not
// nil, receives the bound address once the server listens.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln = netutil.LimitListener(ln, s.opt.MaxConns)
	srv := &http.Server{Handler: s.Handler(), BaseContext: func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: s.opt.ReadHeaderTimeout, ReadTimeout: 30 * time.Second, WriteTimeout: 2 * time.Minute,
		IdleTimeout: s.opt.IdleTimeout, MaxHeaderBytes: 64 << 10}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Handler is the server's routes behind the token check:
//
//	/                               weeks with data, newest first
//	/week/2026-W47?lang=zh          the weekly report, live
//	/week/2026-W47/theme/ID?...     a theme drill-down; week, product,
//	                                source, level and q filter its items
//	/files/...                      written reports, when Dir is set
//
// With a token, a request must carry it as "Authorization: Bearer T" or
// in the cookie a "?token=T" link sets (then redirected to the same URL
// without the token, so it does not linger in history or logs); anything
// else gets 401.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /week/{week}", s.weekly)
	mux.HandleFunc("GET /week/{week}/theme/{theme}", s.theme)
	if s.opt.Dir != "" {
		mux.Handle("GET /files/", http.StripPrefix("/files/", s.files()))
	}
	return s.secure(mux)
}

// files serves the written reports through an os.Root, which follows no
// symbolic link out of the folder: a link to /etc/passwd dropped among the
// reports is a 404, not a leak.
func (s *Server) files() http.Handler {
	root, err := os.OpenRoot(s.opt.Dir)
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.fail(w, r, http.StatusInternalServerError, fmt.Errorf("reports folder: %w", err))
		})
	}
	return http.FileServerFS(root.FS())
}

// hostOK reports whether a request to a server without a token names it
// by a loopback name: a page on another site that rebinds its own DNS
// name to 127.0.0.1 sends that name, and must not read the reports.
func hostOK(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if s.opt.Token == "" && s.loopback && !hostOK(r.Host) {
			http.Error(w, "421 misdirected request: this server answers to localhost and loopback addresses only", http.StatusMisdirectedRequest)
			return
		}
		if s.opt.Token != "" {
			if q := r.URL.Query().Get("token"); q != "" && s.tokenOK(q) {
				http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: q, Path: "/", HttpOnly: true,
					SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
				u := *r.URL
				v := u.Query()
				v.Del("token")
				u.RawQuery = v.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			if !s.authorized(r) {
				h.Set("WWW-Authenticate", `Bearer realm="voc"`)
				http.Error(w, "401 unauthorized: open the link with ?token=, or send Authorization: Bearer", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.opt.Token)) == 1
}

func (s *Server) authorized(r *http.Request) bool {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && s.tokenOK(strings.TrimSpace(auth)) {
		return true
	}
	if c, err := r.Cookie(tokenCookie); err == nil && s.tokenOK(c.Value) {
		return true
	}
	return false
}

func (s *Server) lang(r *http.Request) Options {
	o := s.opt.Options
	if l := r.URL.Query().Get("lang"); l != "" {
		o.Lang = l
	}
	return o.withDefaults()
}

// fail logs the error and answers without its detail: paths of the
// warehouse and SQL are not for whoever holds a link.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, err error) {
	if code >= 500 {
		s.opt.Log.Error("serve", "path", r.URL.Path, "err", err)
		http.Error(w, http.StatusText(code), code)
		return
	}
	http.Error(w, err.Error(), code)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, render func(*bytes.Buffer) error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", cspLiveHeader)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// warehouse gives a request its warehouse and the function that releases
// it; ok is false when it answered the request itself: 503 while a writer
// holds the file, which a reader may not share.
func (s *Server) warehouse(w http.ResponseWriter, r *http.Request) (*warehouse.DB, func(), bool) {
	if s.opt.Open == nil {
		return s.db, func() {}, true
	}
	db, err := s.opt.Open(r.Context())
	if errors.Is(err, warehouse.ErrLocked) {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "503 the warehouse is being written (an import, collection or pipeline); try again in a moment", http.StatusServiceUnavailable)
		return nil, nil, false
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return nil, nil, false
	}
	return db, func() { db.Close() }, true
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	db, done, ok := s.warehouse(w, r)
	if !ok {
		return
	}
	defer done()
	o := s.lang(r)
	ix := indexPage{Zone: o.Location.String()}
	first, last, ok, err := db.ReportSpan(r.Context())
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if ok {
		lo, hi := WeekOf(first.In(o.Location)), WeekOf(last.In(o.Location))
		for wk := hi; !wk.Before(lo) && len(ix.Entries) < 104; wk = wk.Add(-1) {
			e := indexEntry{Week: wk.String(), Href: liveLinks{}.Weekly(wk, o.Lang)}
			for _, l := range []string{"zh", "en"} {
				e.Langs = append(e.Langs, indexLang{Lang: l, Href: liveLinks{}.Weekly(wk, l)})
			}
			ix.Entries = append(ix.Entries, e)
		}
	}
	s.write(w, r, func(b *bytes.Buffer) error {
		return renderPage(b, "index", page{Lang: o.Lang, Title: textsFor(o.Lang).Get("index_title"),
			Generated: generatedAt(o.Now(), o.Location), L: liveLinks{}, Body: ix})
	})
}

func (s *Server) week(w http.ResponseWriter, r *http.Request) (Week, bool) {
	wk, err := ParseWeek(r.PathValue("week"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return Week{}, false
	}
	return wk, true
}

func (s *Server) weekly(w http.ResponseWriter, r *http.Request) {
	wk, ok := s.week(w, r)
	if !ok {
		return
	}
	db, done, ok := s.warehouse(w, r)
	if !ok {
		return
	}
	defer done()
	o := s.lang(r)
	rep, err := BuildWeekly(r.Context(), db, wk, o)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.write(w, r, func(b *bytes.Buffer) error {
		return renderWeekly(b, rep, liveLinks{}, generatedAt(o.Now(), o.Location))
	})
}

func (s *Server) theme(w http.ResponseWriter, r *http.Request) {
	wk, ok := s.week(w, r)
	if !ok {
		return
	}
	o := s.lang(r)
	id := r.PathValue("theme")
	if !o.knownTheme(id) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no theme %q", id))
		return
	}
	db, done, ok := s.warehouse(w, r)
	if !ok {
		return
	}
	defer done()
	q := r.URL.Query()
	sel := Selection{Week: q.Get("week"), Product: q.Get("product"), Source: q.Get("source"), Text: q.Get("q")}
	if l := q.Get("level"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 5 {
			s.fail(w, r, http.StatusBadRequest, fmt.Errorf("level %q: want 1-5", l))
			return
		}
		sel.Level = n
	}
	var filterWeek *Week
	if sel.Week != "" {
		fw, err := ParseWeek(sel.Week)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, err)
			return
		}
		filterWeek = &fw
	}
	p, err := BuildTheme(r.Context(), db, id, wk, o)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	// The item list is queried again with the reader's filters, so a
	// filter reaches every item of the window, not only the embedded ones.
	if sel != (Selection{}) {
		period := p.Window
		if filterWeek != nil {
			period = filterWeek.Period(o.Location)
		}
		f := warehouse.ItemFilter{Product: sel.Product, Source: sel.Source, Text: sel.Text}
		f.Level = voc.Level(sel.Level)
		its, total, err := db.ReportThemeItems(r.Context(), id, period, f, o.MaxThemeItems)
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		p.Items, p.ItemTotal = items(its, o.Location), total
		if filterWeek != nil && !slices.Contains(p.Filters.Weeks, sel.Week) {
			p.Filters.Weeks = append(p.Filters.Weeks, sel.Week)
		}
		if sel.Product != "" && !slices.ContainsFunc(p.Filters.Products, func(o Option) bool { return o.Value == sel.Product }) {
			p.Filters.Products = append(p.Filters.Products, Option{Value: sel.Product, Label: sel.Product})
		}
	}
	p.Sel = sel
	s.write(w, r, func(b *bytes.Buffer) error {
		return renderTheme(b, p, liveLinks{}, generatedAt(o.Now(), o.Location))
	})
}
