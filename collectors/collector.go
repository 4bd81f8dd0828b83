package collectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/config"
	"github.com/voc-analytics/voc/pipeline/normalize"
)

// Collector reads one configured source. Collect fetches pages in order,
// newest reviews first where the source allows, and hands each one to
// run.Emit, stopping when Emit says so, when the page budget is spent or
// when the source has no more pages. It returns an error naming the source
// and the URL or file when something went wrong; what was emitted before
// the error stays stored.
type Collector interface {
	Collect(ctx context.Context, run *Run) error
}

// Factory builds a collector for one source from its configuration. It
// checks the settings the type needs (selectors, paths, ids) and returns
// an error naming the source and key when one is missing or malformed.
type Factory func(name string, src config.Source) (Collector, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Add registers a collector type under the name voc.yaml uses for it. Each
// type calls it from an init function in its own package; registering a
// name twice is a programming error and panics.
func Add(typ string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[typ]; dup {
		panic("collectors: type " + typ + " registered twice")
	}
	registry[typ] = f
}

// Types lists the registered collector types, sorted.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Registered reports whether typ has a collector (survey sources, which
// `voc import survey` reads, have none).
func Registered(typ string) bool {
	registryMu.RLock()
	defer registryMu.RUnlock()
	_, ok := registry[typ]
	return ok
}

// ErrNoCollector is returned by New for a source type nothing registered.
var ErrNoCollector = errors.New("no collector for this source type")

// New builds the collector for source name.
func New(name string, src config.Source) (Collector, error) {
	registryMu.RLock()
	f, ok := registry[src.Type]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("source %s: type %q: %w (collected types: %v)", name, src.Type, ErrNoCollector, Types())
	}
	c, err := f(name, src)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", name, err)
	}
	return c, nil
}

// Page is one fetched page or API answer, or one file: its raw bytes and
// what was read from them. Every item's RawRef points into Payload.
type Page struct {
	URL     string
	Status  int
	Payload voc.RawPayload
	Items   []voc.Item
	Rejects []voc.Reject
	// Stream names the sequence of pages this one belongs to when a source
	// has several (an app's countries, a shop's products); "" for one.
	Stream string
}

// Sink receives pages. Page stores (or, in a dry run, shows) one page as
// one batch and says whether paging should go on: false once the page
// reached reviews stored by an earlier run, or enough was shown.
// PayloadSeen reports whether a payload with this id was stored for the
// source before, so a file is imported once.
type Sink interface {
	Page(ctx context.Context, p *Page) (more bool, err error)
	PayloadSeen(ctx context.Context, id string) (bool, error)
}

// Run is one collection of one source: what a collector needs from the job
// running it, and the figures it keeps while it works.
type Run struct {
	Source   string
	Config   config.Source
	Location *time.Location // zone of dates written without one
	Now      time.Time      // reference for "3天前"; fixed for the whole run
	Log      *slog.Logger
	Sink     Sink
	Stats    *Stats
	// Transport, when set, carries the HTTP requests instead of the
	// default one (tests count or fail requests with it).
	Transport http.RoundTripper

	mu       sync.Mutex
	urls     map[string]bool
	payloads map[string]bool
	pages    int
}

// NewRun prepares a run; nil fields get working defaults.
func NewRun(source string, src config.Source, sink Sink) *Run {
	return &Run{Source: source, Config: src, Location: time.Local, Now: time.Now(), Log: slog.New(slog.DiscardHandler), Sink: sink, Stats: NewStats()}
}

// DefaultMaxPages is the page budget of a run when max_pages is not set.
const DefaultMaxPages = 50

// Budget is the most pages this run may fetch.
func (r *Run) Budget() int {
	if r.Config.MaxPages > 0 {
		return r.Config.MaxPages
	}
	return DefaultMaxPages
}

// Stop reasons recorded in Stats.Stopped.
const (
	StopEnd       = "end"       // the source had no more pages
	StopWatermark = "watermark" // reached reviews an earlier run stored
	StopBudget    = "budget"    // max_pages fetched
	StopLoop      = "loop"      // a URL or a page's bytes came round again
	StopError     = "error"
)

// Claim asks to fetch url as a page of this run. It is false when the page
// budget is spent or url was already fetched in this run (a pagination
// loop); the reason is recorded in the stats.
func (r *Run) Claim(url string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urls == nil {
		r.urls = map[string]bool{}
	}
	if r.urls[url] {
		r.Log.Warn("pagination loop: page fetched before in this run", "source", r.Source, "url", url)
		r.Stats.stop(StopLoop)
		return false
	}
	if r.pages >= r.Budget() {
		r.Stats.stop(StopBudget)
		return false
	}
	r.urls[url] = true
	r.pages++
	return true
}

// Emit hands a page to the sink and counts it. A page whose bytes were
// already seen in this run's stream is a loop (a site answering every page number
// past the last with the last page, say): it is not stored again and
// paging stops. Items get the run's defaults (source, kind, channel,
// product, language, collection time) where the collector left them empty.
func (r *Run) Emit(ctx context.Context, p *Page) (more bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if p.Payload.ID == "" {
		p.Payload.ID = voc.PayloadID(p.Payload.Body)
	}
	p.Payload.Source = r.Source
	r.mu.Lock()
	if r.payloads == nil {
		r.payloads = map[string]bool{}
	}
	key := p.Stream + "\x00" + p.Payload.ID // empty last pages of two streams may well be equal
	loop := r.payloads[key]
	r.payloads[key] = true
	r.mu.Unlock()
	if loop {
		r.Log.Warn("pagination loop: same page content again", "source", r.Source, "url", p.URL)
		r.Stats.stop(StopLoop)
		return false, nil
	}
	for i := range p.Items {
		r.fill(&p.Items[i])
	}
	for i := range p.Rejects {
		p.Rejects[i].Source = r.Source
	}
	r.Stats.page(len(p.Items), len(p.Rejects))
	more, err = r.Sink.Page(ctx, p)
	if err != nil {
		return false, err
	}
	if !more {
		r.Stats.stop(StopWatermark)
	}
	return more, nil
}

func (r *Run) fill(it *voc.Item) {
	it.Source = r.Source
	if it.Kind == "" {
		it.Kind = voc.KindReview
	}
	if it.Channel == "" {
		it.Channel = r.Config.Channel
	}
	if it.Product == "" {
		it.Product = r.Config.Product
	}
	if r.Config.Lang != "" {
		it.Lang = r.Config.Lang
	} else if it.Lang == "" {
		it.Lang = normalize.Lang(it.Text)
	}
	if it.CollectedAt.IsZero() {
		it.CollectedAt = r.Now
	}
	if it.ExternalID == "" {
		// The displayed name still tells two identical short reviews
		// apart, even where it cannot identify a customer.
		it.ExternalID = ItemKey(it)
	}
	it.AuthorKey = StableAuthor(it.AuthorKey)
}

// BudgetLeft tells a collector with several streams (countries, products)
// whether it may start another after Emit ended one: false once the page
// budget of the run is spent.
func (r *Run) BudgetLeft() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pages < r.Budget()
}

// Streams runs stream for each start (a start URL, a country, an API
// endpoint) in turn, with one fetcher shared by all, until they are done,
// one fails, or the page budget is spent.
func (r *Run) Streams(ctx context.Context, starts []string, stream func(f *Fetcher, start string) error) error {
	f, err := r.NewFetcher(ctx)
	if err != nil {
		return err
	}
	for _, s := range starts {
		if !r.BudgetLeft() {
			break
		}
		if err := stream(f, s); err != nil {
			return err
		}
	}
	return nil
}

// Scale is the rating scale of the source's numbers.
func (r *Run) Scale() float64 {
	if r.Config.RatingScale > 0 {
		return r.Config.RatingScale
	}
	return 5
}

// Stats are the figures of one run, kept while it works and stored as the
// run's detail. Safe for concurrent use.
type Stats struct {
	mu            sync.Mutex
	Requests      int            `json:"requests"`
	Retries       int            `json:"retries"`
	Pages         int            `json:"pages"`
	Bytes         int64          `json:"bytes"`
	Items         int            `json:"items_parsed"`
	ParseFailures int            `json:"parse_failures"`
	Status        map[string]int `json:"http_status"`
	Stopped       string         `json:"stopped,omitempty"`
}

// NewStats returns empty figures.
func NewStats() *Stats { return &Stats{Status: map[string]int{}} }

func (s *Stats) page(items, rejects int) {
	s.mu.Lock()
	s.Pages++
	s.Items += items
	s.ParseFailures += rejects
	s.mu.Unlock()
}

// stopRank orders stop reasons by how much they tell: a run that hit a
// loop on one stream and the watermark on another reports the loop.
var stopRank = map[string]int{"": 0, StopEnd: 1, StopWatermark: 2, StopBudget: 3, StopLoop: 4, StopError: 5}

func (s *Stats) stop(reason string) {
	s.mu.Lock()
	if stopRank[reason] > stopRank[s.Stopped] {
		s.Stopped = reason
	}
	s.mu.Unlock()
}

// Stop records why the run ended, unless an earlier, more telling reason
// (budget, loop, error) was recorded already.
func (s *Stats) Stop(reason string) { s.stop(reason) }

func (s *Stats) response(status int, bytes int64, retry bool) {
	s.mu.Lock()
	s.Requests++
	s.Status[fmt.Sprint(status)]++
	s.Bytes += bytes
	if retry {
		s.Retries++
	}
	s.mu.Unlock()
}

func (s *Stats) addBytes(n int) {
	s.mu.Lock()
	s.Bytes += int64(n)
	s.mu.Unlock()
}

func (s *Stats) networkError(retry bool) {
	s.mu.Lock()
	s.Requests++
	s.Status["error"]++
	if retry {
		s.Retries++
	}
	s.mu.Unlock()
}

// Snapshot copies the figures for reporting.
func (s *Stats) Snapshot() StatsSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := make(map[string]int, len(s.Status))
	for k, v := range s.Status {
		st[k] = v
	}
	return StatsSnapshot{Requests: s.Requests, Retries: s.Retries, Pages: s.Pages, Bytes: s.Bytes,
		Items: s.Items, ParseFailures: s.ParseFailures, Status: st, Stopped: s.Stopped}
}

// StatsSnapshot is a copy of Stats, safe to keep and encode.
type StatsSnapshot struct {
	Requests      int            `json:"requests"`
	Retries       int            `json:"retries"`
	Pages         int            `json:"pages"`
	Bytes         int64          `json:"bytes"`
	Items         int            `json:"items_parsed"`
	ParseFailures int            `json:"parse_failures"`
	Status        map[string]int `json:"http_status"`
	Stopped       string         `json:"stopped,omitempty"`
}

// ErrLayoutChanged reports a page that answered 200 but where the
// configured selectors found nothing: the site changed its markup, and
// the source's selectors need updating. It is never reported as "zero
// reviews".
var ErrLayoutChanged = errors.New("layout changed")

// LayoutError says which source, page and selector stopped matching.
type LayoutError struct {
	Source, URL, Key, Selector string
	Detail                     string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("source %s: %s: layout changed: %s selector %q %s", e.Source, e.URL, e.Key, e.Selector, e.Detail)
}

// Is makes errors.Is(err, ErrLayoutChanged) true.
func (e *LayoutError) Is(target error) bool { return target == ErrLayoutChanged }
