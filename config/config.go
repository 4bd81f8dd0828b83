// Package config loads voc.yaml, the one configuration file of voc, and
// writes the commented template `voc init` gives a new user.
//
// Precedence is the same everywhere: a command-line flag beats an
// environment variable (VOC_*), which beats voc.yaml, which beats the
// built-in default. The template is the documentation: every option Config
// knows appears in it, and a test keeps the two in step.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voc-analytics/voc/collectors/complaints"
	"github.com/voc-analytics/voc/collectors/survey"
)

// DefaultPath is where voc looks for its configuration when neither
// --config nor VOC_CONFIG names a file.
const DefaultPath = "voc.yaml"

// DefaultDB is the warehouse file used when nothing else names one.
const DefaultDB = "voc.duckdb"

// Config is the parsed voc.yaml.
type Config struct {
	// DB is the DuckDB warehouse file.
	DB string `yaml:"db"`
	// Timezone is used for timestamps that carry no zone (most survey
	// exports) and for week boundaries in reports. Empty means the machine's.
	Timezone string `yaml:"timezone"`
	// MemoryLimit caps the memory DuckDB uses for the warehouse ("1GiB");
	// work past it spills to disk. "" after Parse means DuckDB's own
	// default (80% of the machine), written as memory_limit: none.
	MemoryLimit string `yaml:"memory_limit"`
	// Sources are the named places feedback comes from.
	Sources map[string]Source `yaml:"sources"`
	// Sentiment configures the model that scores text on the five levels.
	Sentiment Sentiment `yaml:"sentiment"`
	// Themes configures complaint-theme tagging and trend detection.
	Themes Themes `yaml:"themes"`
	// Reports configures the HTML reports.
	Reports Reports `yaml:"reports"`
	// Schedule is when `voc schedule` runs each job (see schedules.go).
	Schedule Schedule `yaml:"schedule"`
	// Complaints sets the service levels and heuristics of the
	// complaint-handling measures (`voc complaints`, the weekly report).
	Complaints Complaints `yaml:"complaints"`

	// path is the file this was read from, "" for defaults.
	path string
}

// Source configures one named source of feedback. Type says which
// collector reads it; the other keys are that collector's settings. Keys a
// type does not use are ignored by it (and listed per type in voc.yaml).
type Source struct {
	// Type says which collector reads it: "survey" for survey exports
	// imported with `voc import survey`, "complaints" for helpdesk exports
	// imported with `voc import complaints`; html, jsonld, jsonapi, appstore
	// and file for the collectors `voc collect` runs.
	Type string `yaml:"type"`
	// Encoding of exported files, or of fetched pages and API answers;
	// empty means detect.
	Encoding string `yaml:"encoding"`
	// Product and Channel fill items whose export or page has no such
	// field. For shops Channel names the shop or platform.
	Product string `yaml:"product"`
	Channel string `yaml:"channel"`
	// Mapping names the columns when the export's headers are not ones
	// voc recognises by itself (survey and file sources).
	Mapping *survey.Mapping `yaml:"mapping"`
	// Complaints holds a complaints source's settings: the column mapping
	// of its helpdesk export.
	Complaints *ComplaintSource `yaml:"complaints"`

	// URLs are where a web collector starts: the first review page (html),
	// product or listing pages (jsonld), the API endpoint (jsonapi).
	URLs []string `yaml:"urls"`
	// MaxPages is the page budget of one run (default 50).
	MaxPages int `yaml:"max_pages"`
	// Incremental stops paging once a run reaches reviews an earlier run
	// stored (the source's watermark). Default true; false pages to the
	// budget every time (still storing nothing twice).
	Incremental *bool `yaml:"incremental"`
	// RatingScale is the top of the source's rating scale: 5 (default)
	// for stars, 10 for ten-point scores, 100 for percentages.
	RatingScale float64 `yaml:"rating_scale"`
	// Lang forces the language of every item ("zh-Hans", "zh-Hant", "en");
	// empty detects it from the script of the text.
	Lang string `yaml:"lang"`

	// HTTP is how web collectors behave towards the sites they read.
	HTTP HTTP `yaml:"http"`
	// Settings of one collector type each; only the one Type names is used.
	HTML     *HTML     `yaml:"html"`
	JSONLD   *JSONLD   `yaml:"jsonld"`
	JSONAPI  *JSONAPI  `yaml:"jsonapi"`
	AppStore *AppStore `yaml:"appstore"`
	File     *File     `yaml:"file"`
}

// IsIncremental resolves Incremental's default (true).
func (s Source) IsIncremental() bool { return s.Incremental == nil || *s.Incremental }

// HTTP is the politeness and robustness of web collectors. The zero value
// gets the defaults documented in voc.yaml.
type HTTP struct {
	// UserAgent is sent with every request; empty means voc's own, which
	// names voc and how to reach whoever runs it.
	UserAgent string `yaml:"user_agent"`
	// Timeout bounds one attempt (connect to last byte). Default 30s.
	Timeout time.Duration `yaml:"timeout"`
	// Retries after a 429, a 5xx or a network error (default 3; 0 is 3, -1 is none).
	Retries int `yaml:"retries"`
	// Backoff is the first wait before a retry, doubled each time up to
	// MaxBackoff (defaults 1s and 1m); each actual wait is drawn between
	// half of that and all of it, so retries do not march in lockstep. A Retry-After header wins when it
	// asks for no more than MaxBackoff; a longer one gives up.
	Backoff    time.Duration `yaml:"backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// Delay between two requests to the same host (default 1s), plus up to
	// RandomDelay more; Parallelism requests at once per host (default 1).
	Delay       time.Duration `yaml:"delay"`
	RandomDelay time.Duration `yaml:"random_delay"`
	Parallelism int           `yaml:"parallelism"`
	// MaxBodySize refuses bigger answers, in bytes (default 10 MiB).
	MaxBodySize int64 `yaml:"max_body_size"`
	// IgnoreRobotsTxt skips robots.txt. Only for sites you own or have
	// permission to read: robots.txt is honoured by default.
	IgnoreRobotsTxt bool `yaml:"ignore_robots_txt"`
	// Headers and Cookies are sent with every request of this source. A
	// value written as ${NAME} is read from the environment when voc.yaml
	// is loaded, so session cookies and API keys stay out of the file.
	Headers map[string]string `yaml:"headers"`
	Cookies map[string]string `yaml:"cookies"`
	// AllowHosts are hosts ("shop.example" or "cdn.example:8443") the
	// source may fetch from besides those of its urls, by a redirect or a
	// next-page link. Others are refused: a page cannot make voc fetch an
	// internal address.
	AllowHosts []string `yaml:"allow_hosts"`
}

// HTML configures the html collector: CSS selectors for the review block
// and its fields. A field selector is "css", "css@attr" (an attribute of
// the element found) or "@attr" (an attribute of the review block itself).
type HTML struct {
	Review  string `yaml:"review"`
	ID      string `yaml:"id"`
	Rating  string `yaml:"rating"`
	Text    string `yaml:"text"`
	Author  string `yaml:"author"`
	Date    string `yaml:"date"`
	Product string `yaml:"product"`
	Reply   string `yaml:"reply"`
	// Next is the selector of the next-page link (its href is followed).
	Next string `yaml:"next"`
	// PageURL is a URL template with {page} for the page number, used
	// instead of Next; pages run from FirstPage (default 1).
	PageURL   string `yaml:"page_url"`
	FirstPage int    `yaml:"first_page"`
	// Empty is the selector of a "no reviews yet" notice: a page where it
	// matches may have no reviews without being reported as a layout change.
	Empty string `yaml:"empty"`
	// DateLayout is a Go time layout for dates voc cannot read by itself.
	DateLayout string `yaml:"date_layout"`
}

// Field returns the selector configured for a field key (id, rating,
// text, author, date, product, reply), for messages.
func (h HTML) Field(key string) string {
	return map[string]string{"id": h.ID, "rating": h.Rating, "text": h.Text, "author": h.Author,
		"date": h.Date, "product": h.Product, "reply": h.Reply}[key]
}

// JSONLD configures the jsonld collector: schema.org Product, Review and
// AggregateRating in JSON-LD (and microdata) on each page of URLs, plus
// the pages linked from them by Follow.
type JSONLD struct {
	// Follow is the CSS selector of links to product pages on listing pages.
	Follow string `yaml:"follow"`
}

// JSONAPI configures the jsonapi collector for review APIs answering JSON
// (JSONP wrappers are stripped). Paths are dotted: comments[].content.
type JSONAPI struct {
	// Items is the path of the review list, e.g. "data.comments"; it may be
	// left out when every field path starts with it, as in comments[].content.
	Items  string     `yaml:"items"`
	Fields JSONFields `yaml:"fields"`
	// Pagination is "page" (PageParam counts from FirstPage), "cursor"
	// (CursorPath in the answer gives CursorParam of the next request) or
	// "none" (default: page when PageParam is set, cursor when CursorPath is).
	Pagination  string `yaml:"pagination"`
	PageParam   string `yaml:"page_param"`
	FirstPage   int    `yaml:"first_page"`
	CursorParam string `yaml:"cursor_param"`
	CursorPath  string `yaml:"cursor_path"`
	// DateLayout is a Go time layout for dates voc cannot read by itself.
	DateLayout string `yaml:"date_layout"`
}

// JSONFields are the paths of a review's fields, relative to one element
// of Items (or absolute with the items path and [] in front).
type JSONFields struct {
	ID      string `yaml:"id"`
	Rating  string `yaml:"rating"`
	Text    string `yaml:"text"`
	Author  string `yaml:"author"`
	Date    string `yaml:"date"`
	Product string `yaml:"product"`
	Reply   string `yaml:"reply"`
}

// AppStore configures the appstore collector: the public customer-reviews
// JSON feed of one app, per country, most recent first.
type AppStore struct {
	AppID     string   `yaml:"app_id"`
	Countries []string `yaml:"countries"`
	// BaseURL of the feed; default https://itunes.apple.com.
	BaseURL string `yaml:"base_url"`
}

// File configures the file collector: survey exports dropped in Dir.
type File struct {
	Dir string `yaml:"dir"`
	// Pattern is a glob of file names to pick up (default *.csv and *.xlsx).
	Pattern string `yaml:"pattern"`
	// DoneDir, when set, is where imported files are moved; otherwise they
	// stay and are remembered by their content, so each is imported once.
	DoneDir string `yaml:"done_dir"`
}

// SourceTypes lists the source types this build understands: survey for
// `voc import survey`, complaints for `voc import complaints`, the rest for
// `voc collect`.
var SourceTypes = []string{"survey", "complaints", "html", "jsonld", "jsonapi", "appstore", "file"}

//go:embed voc.yaml
var template []byte

// Template returns the commented voc.yaml that `voc init` writes.
func Template() []byte { return bytes.Clone(template) }

// Default is the configuration used when there is no voc.yaml.
func Default() *Config {
	return &Config{DB: DefaultDB, MemoryLimit: DefaultMemoryLimit, Sources: map[string]Source{}}
}

// Load reads path. A missing file is not an error when mustExist is false
// (voc runs with defaults); a malformed one always is, with its line.
func Load(path string, mustExist bool) (*Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !mustExist {
		return Default(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(b, path)
	if err != nil {
		return nil, err
	}
	c.resolvePaths(filepath.Dir(path))
	return c, nil
}

// resolvePaths makes the file paths a voc.yaml names relative to the
// file's own folder, so `voc --config /etc/voc/voc.yaml` (or a daemon
// started from anywhere) finds the same files as a run from that folder.
func (c *Config) resolvePaths(dir string) {
	for _, p := range []*string{&c.DB, &c.Sentiment.Model, &c.Themes.Taxonomy, &c.Themes.Model, &c.Reports.Dir} {
		if *p != "" && !filepath.IsAbs(*p) && !(p == &c.Themes.Model && *p == "none") {
			*p = filepath.Join(dir, *p)
		}
	}
	for name, s := range c.Sources {
		if s.File == nil {
			continue
		}
		f := *s.File
		for _, p := range []*string{&f.Dir, &f.DoneDir} {
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(dir, *p)
			}
		}
		s.File = &f
		c.Sources[name] = s
	}
}

// Parse decodes a voc.yaml document. Unknown keys are errors: a misspelt
// option silently ignored is worse than a refusal.
func Parse(b []byte, name string) (*Config, error) {
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file means all defaults
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	if c.DB == "" {
		c.DB = DefaultDB
	}
	if c.Sources == nil {
		c.Sources = map[string]Source{}
	}
	c.path = name
	if err := c.expandSecrets(); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	return c, nil
}

func (c *Config) validate() error {
	if _, err := c.Location(); err != nil {
		return err
	}
	if c.MemoryLimit == "none" {
		c.MemoryLimit = ""
	} else if !memoryLimitRe.MatchString(c.MemoryLimit) {
		return fmt.Errorf("memory_limit: %q is not a size such as 1GiB or 512MB (or none)", c.MemoryLimit)
	}
	if err := c.Schedule.Validate(c.Sources); err != nil {
		return err
	}
	if err := c.Complaints.validate(); err != nil {
		return err
	}
	for _, l := range c.Reports.Langs {
		if l != "zh" && l != "en" {
			return fmt.Errorf("reports.langs: %q is not zh or en", l)
		}
	}
	for name, s := range c.Sources {
		if name == "" {
			return errors.New("sources: a source needs a name")
		}
		if !validType(s.Type) {
			return fmt.Errorf("sources.%s.type: %q is not one of %v", name, s.Type, SourceTypes)
		}
		if err := s.validate(); err != nil {
			return fmt.Errorf("sources.%s.%w", name, err)
		}
	}
	return nil
}

// DefaultMemoryLimit keeps a run's DuckDB side to a size a shared server
// can give, leaving room for the Go side (models, a batch of items) and for
// other work; DuckDB spills what does not fit to disk.
const DefaultMemoryLimit = "1GiB"

// memoryLimitRe is what DuckDB's memory_limit accepts, checked here so a
// typo is an error naming voc.yaml rather than a failed open later.
var memoryLimitRe = regexp.MustCompile(`(?i)^\d+(\.\d+)?\s*(b|bytes|kb|mb|gb|tb|kib|mib|gib|tib)$`)

func validType(t string) bool {
	for _, k := range SourceTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Path is the file the configuration came from, or "" for built-in defaults.
func (c *Config) Path() string { return c.path }

// Location resolves Timezone; empty means the machine's zone.
func (c *Config) Location() (*time.Location, error) {
	if c.Timezone == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone %q: %w", c.Timezone, err)
	}
	return loc, nil
}

// validate checks what can be checked without the collector: the settings
// block of the source's type is there and the numbers make sense. The
// collector checks the rest (selectors, paths) when it is built.
func (s Source) validate() error {
	missing := func(key string) error { return fmt.Errorf("%s: a %s source needs a %s: block", key, s.Type, key) }
	switch s.Type {
	case "html":
		if s.HTML == nil {
			return missing("html")
		}
	case "jsonapi":
		if s.JSONAPI == nil {
			return missing("jsonapi")
		}
	case "appstore":
		if s.AppStore == nil {
			return missing("appstore")
		}
	case "file":
		if s.File == nil || s.File.Dir == "" {
			return errors.New("file.dir: a file source needs the folder to watch")
		}
	}
	switch {
	case s.MaxPages < 0:
		return fmt.Errorf("max_pages: %d is negative", s.MaxPages)
	case s.RatingScale < 0:
		return fmt.Errorf("rating_scale: %g is negative", s.RatingScale)
	case s.HTTP.Parallelism < 0:
		return fmt.Errorf("http.parallelism: %d is negative", s.HTTP.Parallelism)
	case s.HTTP.MaxBodySize < 0:
		return fmt.Errorf("http.max_body_size: %d is negative", s.HTTP.MaxBodySize)
	case s.HTTP.Timeout < 0 || s.HTTP.Backoff < 0 || s.HTTP.MaxBackoff < 0 || s.HTTP.Delay < 0 || s.HTTP.RandomDelay < 0:
		return errors.New("http: durations must not be negative")
	}
	return nil
}

// Sentiment configures scoring.
type Sentiment struct {
	// Model is a model file written by `voc train sentiment`; empty means
	// the model built into voc.
	Model string `yaml:"model"`
	// Reasons is how many phrases are stored with each score to explain it.
	Reasons int `yaml:"reasons"`
}

// Themes configures complaint themes.
type Themes struct {
	// Taxonomy is a YAML file of themes merged over the built-in taxonomy:
	// it can add themes and terms and rename, never remove or re-id.
	Taxonomy string `yaml:"taxonomy"`
	// Model is a theme model written by `voc train themes`; empty means the
	// model built into voc, "none" the lexicon alone.
	Model string `yaml:"model"`
	// Recurring: complaints in at least MinWeeks of the last Weeks weeks.
	Recurring struct {
		Weeks    int `yaml:"weeks"`
		MinWeeks int `yaml:"min_weeks"`
	} `yaml:"recurring"`
	// Emerging: this week's complaints significantly above the baseline.
	Emerging struct {
		// Alpha is the significance level of the one-sided Poisson test.
		Alpha float64 `yaml:"alpha"`
		// MinCount is the fewest complaints in a week that can be news.
		MinCount int `yaml:"min_count"`
		// BaselineWeeks is how many earlier weeks form the baseline.
		BaselineWeeks int `yaml:"baseline_weeks"`
	} `yaml:"emerging"`
}

// Reports configures the HTML reports `voc report` and the schedule write.
type Reports struct {
	// Dir is where reports are written (an index.html lists them all).
	Dir string `yaml:"dir"`
	// Langs are the languages each report is written in: zh, en or both.
	Langs []string `yaml:"langs"`
}

// ReportDir resolves Dir's default.
func (r Reports) ReportDir() string {
	if r.Dir == "" {
		return "reports"
	}
	return r.Dir
}

// ReportLangs resolves Langs' default (Chinese).
func (r Reports) ReportLangs() []string {
	if len(r.Langs) == 0 {
		return []string{"zh"}
	}
	return r.Langs
}

// expandSecrets replaces ${NAME} in header and cookie values with the
// environment variable NAME. An unset variable is an error: a request sent
// with an empty session cookie fails in confusing ways far from here.
func (c *Config) expandSecrets() error {
	for name, s := range c.Sources {
		for _, m := range []map[string]string{s.HTTP.Headers, s.HTTP.Cookies} {
			for k, v := range m {
				var missing []string
				m[k] = os.Expand(v, func(env string) string {
					val, ok := os.LookupEnv(env)
					if !ok {
						missing = append(missing, env)
					}
					return val
				})
				if len(missing) > 0 {
					return fmt.Errorf("sources.%s.http: %s refers to unset environment variable %s", name, k, strings.Join(missing, ", "))
				}
			}
		}
	}
	return nil
}

// ComplaintSource is the complaints block of a complaints source.
type ComplaintSource struct {
	// Mapping names the columns voc does not recognise by their headers.
	Mapping *complaints.Mapping `yaml:"mapping"`
}

// Complaints configures the complaint-handling measures. Zero values get
// the defaults documented in voc.yaml (see the Defaults methods).
type Complaints struct {
	// FirstResponseSLA and CloseSLA are the service levels tickets are
	// measured against (defaults 24h and 48h).
	FirstResponseSLA time.Duration `yaml:"first_response_sla"`
	CloseSLA         time.Duration `yaml:"close_sla"`
	// RepeatWindow: a customer's ticket on the same theme at most this long
	// after an earlier one is a repeat (default 720h, 30 days).
	RepeatWindow time.Duration `yaml:"repeat_window"`
	// AtRiskAfter: customers whose last word was dissatisfied and who have
	// been silent this long are listed as at risk (default 720h, 30 days).
	AtRiskAfter time.Duration `yaml:"at_risk_after"`
	// Review tunes the "review: possibly malicious" flags.
	Review ComplaintReview `yaml:"review"`
}

// ComplaintReview are the thresholds of the possibly-malicious flags.
type ComplaintReview struct {
	// DemandRatio: demanded compensation at least this multiple of the
	// order value (default 3).
	DemandRatio float64 `yaml:"demand_ratio"`
	// DemandAmount: demanded compensation at least this much when the
	// order value is unknown (default 1000).
	DemandAmount float64 `yaml:"demand_amount"`
	// RepeatDemands: one customer demanding compensation in this many
	// tickets (default 3).
	RepeatDemands int `yaml:"repeat_demands"`
	// SharedDemands: the same demand, word for word, from this many
	// different customers within repeat_window (default 3).
	SharedDemands int `yaml:"shared_demands"`
}

func (c Complaints) validate() error {
	switch {
	case c.FirstResponseSLA < 0 || c.CloseSLA < 0 || c.RepeatWindow < 0 || c.AtRiskAfter < 0:
		return errors.New("complaints: durations must not be negative")
	case c.Review.DemandRatio < 0 || c.Review.DemandAmount < 0 || c.Review.RepeatDemands < 0 || c.Review.SharedDemands < 0:
		return errors.New("complaints.review: thresholds must not be negative")
	}
	return nil
}
