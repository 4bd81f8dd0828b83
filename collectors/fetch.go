package collectors

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors/survey"
	"github.com/voc-analytics/voc/config"
)

// DefaultUserAgent names voc, so a site's operator can tell who reads
// their pages; set http.user_agent to add a contact address.
const DefaultUserAgent = "voc/1 (customer-feedback collector; +https://github.com/voc-analytics/voc)"

// Defaults of the http settings (see voc.yaml).
const (
	DefaultTimeout     = 30 * time.Second
	DefaultRetries     = 3
	DefaultBackoff     = time.Second
	DefaultMaxBackoff  = time.Minute
	DefaultDelay       = time.Second
	DefaultMaxBodySize = 10 << 20
)

// ErrRobotsDisallowed reports a URL robots.txt asks voc not to fetch.
var ErrRobotsDisallowed = errors.New("disallowed by robots.txt (http.ignore_robots_txt overrides, with the site's permission only)")

// ErrBodyTooLarge reports an answer bigger than http.max_body_size, after
// decompression.
var ErrBodyTooLarge = errors.New("answer larger than http.max_body_size")

// ErrOffHost reports a URL on a host the source does not fetch from.
var ErrOffHost = errors.New("host is not one of the source's (its urls' hosts and http.allow_hosts)")

// StatusError is an HTTP answer that was not 2xx after all retries.
type StatusError struct {
	Source, URL string
	Status      int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("source %s: GET %s: HTTP %d %s", e.Source, e.URL, e.Status, http.StatusText(e.Status))
}

// Response is a fetched page: the bytes as sent and the text decoded to
// UTF-8.
type Response struct {
	URL         string // after redirects
	Status      int
	Header      http.Header
	ContentType string // as the server sent it
	Body        []byte // raw bytes, for the raw payload
	Charset     string // the encoding Text was decoded from
	Text        []byte // Body decoded to UTF-8
	FetchedAt   time.Time
}

// Payload is the response as it is stored: the raw bytes with the URL,
// content type and fetch time.
func (r *Response) Payload() voc.RawPayload {
	return voc.RawPayload{ID: voc.PayloadID(r.Body), URI: r.URL, ContentType: r.ContentType, FetchedAt: r.FetchedAt, Body: r.Body}
}

// Fetcher does a source's HTTP through colly: robots.txt, the per-host
// delay and parallelism, the User-Agent, headers and cookies, per-attempt
// timeouts, retries with exponential backoff on 429, 5xx and network
// errors (honouring Retry-After), a body size limit, and decoding of
// GBK, Big5 and other legacy charsets. Safe for concurrent use; one
// Fetcher serves one run of one source.
type Fetcher struct {
	source   string
	c        *colly.Collector
	cfg      config.HTTP
	encoding string
	stats    *Stats
	base     http.RoundTripper

	mu sync.Mutex
	// hosts the source may fetch from: its urls' hosts and
	// http.allow_hosts; a source with neither keeps to the host of its
	// first request.
	hosts  map[string]bool
	robots map[string]*robotstxt.RobotsData // by scheme://host, for redirects
}

type fetchResult struct {
	resp *colly.Response
	err  error
}

// NewFetcher prepares the HTTP of run. Requests are bound to ctx: cancelling
// it aborts the ones in flight and the waits between retries.
func (r *Run) NewFetcher(ctx context.Context) (*Fetcher, error) {
	cfg := r.Config.HTTP
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.Delay == 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = 1
	}
	if cfg.MaxBodySize == 0 {
		cfg.MaxBodySize = DefaultMaxBodySize
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if r.Config.Encoding != "" {
		if _, err := htmlindex.Get(r.Config.Encoding); err != nil {
			return nil, fmt.Errorf("source %s: encoding %q: %w", r.Source, r.Config.Encoding, err)
		}
	}
	c := colly.NewCollector(
		colly.UserAgent(cfg.UserAgent),
		colly.AllowURLRevisit(), // loops are caught by Run.Claim, retries below
		colly.ParseHTTPErrorResponse(),
		colly.MaxBodySize(0), // limited in the transport, which reports it
		colly.StdlibContext(ctx),
	)
	c.IgnoreRobotsTxt = cfg.IgnoreRobotsTxt
	c.SetRequestTimeout(0) // per attempt, in the transport
	base := r.Transport
	if base == nil {
		base = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   max(2, cfg.Parallelism),
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   cfg.Timeout,
			ResponseHeaderTimeout: cfg.Timeout,
		}
	}
	c.WithTransport(&retryTransport{base: base, cfg: cfg, stats: r.Stats, log: r})
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Delay: cfg.Delay, RandomDelay: cfg.RandomDelay, Parallelism: cfg.Parallelism}); err != nil {
		return nil, fmt.Errorf("source %s: rate limit: %w", r.Source, err)
	}
	if len(cfg.Headers) > 0 {
		h := http.Header{}
		for k, v := range cfg.Headers {
			h.Set(k, v)
		}
		c.Headers = &h
	}
	if len(cfg.Cookies) > 0 {
		var parts []string
		for k, v := range cfg.Cookies {
			parts = append(parts, (&http.Cookie{Name: k, Value: v}).String())
		}
		cookie := strings.Join(parts, "; ")
		c.OnRequest(func(req *colly.Request) {
			if req.Headers.Get("Cookie") == "" {
				req.Headers.Set("Cookie", cookie)
			}
		})
	}
	c.OnResponse(func(resp *colly.Response) {
		if res, ok := resp.Ctx.GetAny("result").(*fetchResult); ok {
			res.resp = resp
		}
	})
	c.OnError(func(resp *colly.Response, err error) {
		if resp == nil || resp.Ctx == nil {
			return
		}
		if res, ok := resp.Ctx.GetAny("result").(*fetchResult); ok {
			res.resp, res.err = resp, err
		}
	})
	f := &Fetcher{source: r.Source, c: c, cfg: cfg, encoding: r.Config.Encoding, stats: r.Stats, base: base,
		hosts: map[string]bool{}, robots: map[string]*robotstxt.RobotsData{}}
	for _, u := range r.Config.URLs {
		if pu, err := url.Parse(u); err == nil && pu.Host != "" {
			f.hosts[strings.ToLower(pu.Host)] = true
		}
	}
	for _, h := range cfg.AllowHosts {
		f.hosts[strings.ToLower(strings.TrimSpace(h))] = true
	}
	c.SetRedirectHandler(f.checkRedirect)
	return f, nil
}

// hostOK reports whether the source may fetch from u's host, pinning the
// first host of a source that names none.
func (f *Fetcher) hostOK(u *url.URL) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := strings.ToLower(u.Host)
	if len(f.hosts) == 0 {
		f.hosts[h] = true
	}
	return f.hosts[h]
}

// checkRedirect is colly's redirect policy for the source: every hop stays
// on the source's hosts and is allowed by that host's robots.txt (colly
// asks robots.txt for the first URL only), at most 10 hops.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !f.hostOK(req.URL) {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrOffHost)
	}
	if f.cfg.IgnoreRobotsTxt {
		return nil
	}
	ok, err := f.robotsAllow(req.Context(), req.URL)
	if err != nil {
		return fmt.Errorf("redirect to %s: robots.txt: %w", req.URL.Redacted(), err)
	}
	if !ok {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrRobotsDisallowed)
	}
	return nil
}

// robotsAllow reads (once per host) and applies the robots.txt of u's
// host, as colly does for first requests: a missing file (4xx) allows
// everything, a server error forbids.
func (f *Fetcher) robotsAllow(ctx context.Context, u *url.URL) (bool, error) {
	key := u.Scheme + "://" + u.Host
	f.mu.Lock()
	rd, ok := f.robots[key]
	f.mu.Unlock()
	if !ok {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, key+"/robots.txt", nil)
		if err != nil {
			return false, err
		}
		req.Header.Set("User-Agent", f.cfg.UserAgent)
		resp, err := f.base.RoundTrip(req)
		if err != nil {
			return false, err
		}
		rd, err = robotstxt.FromStatusAndBytes(resp.StatusCode, readCapped(resp.Body, 512<<10))
		resp.Body.Close()
		if err != nil {
			return false, err
		}
		f.mu.Lock()
		f.robots[key] = rd
		f.mu.Unlock()
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return rd.TestAgent(path, f.cfg.UserAgent), nil
}

// readCapped reads at most n bytes of r.
func readCapped(r io.Reader, n int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, n)) //nolint:errcheck // a short robots.txt is still one
	return b
}

// Get fetches u. A non-2xx answer after retries is a *StatusError; a URL
// robots.txt disallows is ErrRobotsDisallowed; both name the source and URL.
func (f *Fetcher) Get(ctx context.Context, u string) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("source %s: GET %s: not an http(s) URL", f.source, u)
	}
	if !f.hostOK(pu) {
		return nil, fmt.Errorf("source %s: GET %s: %w", f.source, pu.Redacted(), ErrOffHost)
	}
	res := &fetchResult{}
	cctx := colly.NewContext()
	cctx.Put("result", res)
	var hdr http.Header
	if f.c.Headers != nil {
		hdr = f.c.Headers.Clone()
	}
	err = f.c.Request(http.MethodGet, u, nil, cctx, hdr)
	if err == nil {
		err = res.err
	}
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("source %s: GET %s: %w", f.source, u, cerr)
	}
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		return nil, fmt.Errorf("source %s: GET %s: %w", f.source, u, ErrRobotsDisallowed)
	}
	if res.resp == nil {
		if err == nil {
			err = errors.New("no answer")
		}
		return nil, fmt.Errorf("source %s: GET %s: %w", f.source, u, err)
	}
	cr := res.resp
	out := &Response{URL: cr.Request.URL.String(), Status: cr.StatusCode, FetchedAt: time.Now().UTC()}
	if cr.Headers != nil {
		out.Header = cr.Headers.Clone()
		out.ContentType = out.Header.Get(origContentType)
		out.Header.Del(origContentType)
		if out.ContentType == "" {
			out.ContentType = out.Header.Get("Content-Type")
		}
		out.Header.Set("Content-Type", out.ContentType)
	}
	if err != nil && !isStatusErr(err) {
		return nil, fmt.Errorf("source %s: GET %s: %w", f.source, u, err)
	}
	if cr.StatusCode < 200 || cr.StatusCode > 299 {
		return out, &StatusError{Source: f.source, URL: u, Status: cr.StatusCode}
	}
	out.Body = cr.Body
	f.stats.addBytes(len(cr.Body))
	text, cs, err := Decode(cr.Body, out.ContentType, f.encoding)
	if err != nil {
		return nil, fmt.Errorf("source %s: GET %s: decode %s: %w", f.source, u, cs, err)
	}
	out.Text, out.Charset = text, cs
	return out, nil
}

// isStatusErr: colly reports non-2xx as an error named by the status text
// even when it parsed the answer; the status code says it better.
func isStatusErr(err error) bool {
	if err == nil {
		return false
	}
	for code := 100; code < 600; code++ {
		if t := http.StatusText(code); t != "" && err.Error() == t {
			return true
		}
	}
	return false
}

// Decode turns a page's bytes into UTF-8: the encoding named by force,
// else a BOM or the Content-Type charset, else valid UTF-8, else a
// <meta charset> in the first KB, else Chinese detection (GBK, GB18030 or
// Big5, as survey exports are told apart).
func Decode(body []byte, contentType, force string) ([]byte, string, error) {
	var enc encoding.Encoding
	name := force
	if force != "" {
		e, err := htmlindex.Get(force)
		if err != nil {
			return nil, force, err
		}
		enc = e
	} else {
		e, n, certain := charset.DetermineEncoding(body, contentType)
		switch {
		case certain:
			enc, name = e, n
		case utf8.Valid(body):
			enc, name = encoding.Nop, "utf-8"
		case n != "windows-1252" && n != "utf-8": // a <meta charset>
			enc, name = e, n
		default:
			name = survey.DetectEncoding(body)
			e, err := htmlindex.Get(name)
			if err != nil {
				return nil, name, err
			}
			enc = e
		}
	}
	if name == "utf-8" {
		return bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	return out, name, err
}

// origContentType carries the server's Content-Type past colly, which
// would otherwise convert bodies with a declared charset itself and leave
// us without the original bytes for the raw payload.
const origContentType = "X-Voc-Original-Content-Type"

// retryTransport gives each attempt its own timeout, retries 429, 5xx and
// network errors with exponential backoff (or the Retry-After the server
// asked for, when not longer than max_backoff), counts every answer and
// caps the body size.
type retryTransport struct {
	base  http.RoundTripper
	cfg   config.HTTP
	stats *Stats
	log   *Run
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
		resp, err := t.base.RoundTrip(req.Clone(actx))
		last := attempt >= t.cfg.Retries
		if err != nil {
			cancel()
			if ctx.Err() != nil || last {
				t.stats.networkError(false)
				return nil, err
			}
			t.stats.networkError(true)
			if serr := sleep(ctx, t.backoff(attempt)); serr != nil {
				return nil, err
			}
			continue
		}
		retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		if retryable && !last {
			wait, ok := t.wait(resp, attempt)
			if ok {
				t.stats.response(resp.StatusCode, 0, true)
				io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // draining for reuse only
				resp.Body.Close()
				cancel()
				t.log.Log.Info("retrying", "source", t.log.Source, "url", req.URL.String(), "status", resp.StatusCode, "wait", wait)
				if err := sleep(ctx, wait); err != nil {
					return nil, err
				}
				continue
			}
		}
		t.stats.response(resp.StatusCode, 0, false)
		if resp.ContentLength > t.cfg.MaxBodySize {
			resp.Body.Close()
			cancel()
			return nil, fmt.Errorf("%w (%d > %d bytes)", ErrBodyTooLarge, resp.ContentLength, t.cfg.MaxBodySize)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			resp.Header.Set(origContentType, ct)
			if mt, _, err := mime.ParseMediaType(ct); err == nil {
				resp.Header.Set("Content-Type", mt)
			} else {
				resp.Header.Del("Content-Type")
			}
		}
		resp.Body = &limitedBody{r: resp.Body, left: t.cfg.MaxBodySize, cancel: cancel}
		// A compressed answer is unpacked here, under the same limit, so
		// a small gzip bomb cannot expand to gigabytes downstream (Go
		// leaves it packed when a configured header asked for gzip).
		if !resp.Uncompressed && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				resp.Body.Close()
				return nil, fmt.Errorf("gzip answer: %w", err)
			}
			resp.Body = &limitedBody{r: gzipBody{zr, resp.Body}, left: t.cfg.MaxBodySize, cancel: cancel}
			resp.Header.Del("Content-Encoding")
			resp.Header.Del("Content-Length")
			resp.ContentLength = -1
			resp.Uncompressed = true
		}
		return resp, nil
	}
}

// backoff is cfg.Backoff doubled per attempt, capped by MaxBackoff, with
// "equal jitter": a random wait between half of that and all of it. Sources
// on one host, or several voc processes, that failed together would
// otherwise retry in lockstep and hit a recovering server together.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.cfg.Backoff
	for i := 0; i < attempt && d < t.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, t.cfg.MaxBackoff)
	if d <= 1 {
		return max(d, 0)
	}
	return d/2 + rand.N(d-d/2+1)
}

// wait is how long to wait before retrying resp: its Retry-After (seconds
// or an HTTP date) when given, else the backoff. ok is false when the
// server asks for longer than MaxBackoff: give up rather than hang.
func (t *retryTransport) wait(resp *http.Response, attempt int) (time.Duration, bool) {
	ra := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if ra == "" {
		return t.backoff(attempt), true
	}
	var d time.Duration
	if secs, err := strconv.Atoi(ra); err == nil {
		d = time.Duration(max(0, secs)) * time.Second
	} else if at, err := http.ParseTime(ra); err == nil {
		d = max(0, time.Until(at))
	} else {
		return t.backoff(attempt), true
	}
	if d > t.cfg.MaxBackoff {
		return 0, false
	}
	return d, true
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// gzipBody reads the unpacked stream and closes the packed one.
type gzipBody struct {
	*gzip.Reader
	raw io.Closer
}

func (g gzipBody) Close() error {
	g.Reader.Close()
	return g.raw.Close()
}

type limitedBody struct {
	r      io.ReadCloser
	left   int64
	cancel context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, ErrBodyTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error {
	err := b.r.Close()
	b.cancel()
	return err
}
