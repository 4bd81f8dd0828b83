// Package appstore is the appstore collector: an app's customer reviews
// from the public App Store review feed (the iTunes "customerreviews" RSS
// in its JSON form), most recent first, per country, up to the ten pages
// the feed serves.
//
// The base URL is configurable (appstore.base_url) so tests and mirrors
// can stand in for itunes.apple.com.
package appstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

func init() { collectors.Add("appstore", New) }

// DefaultBaseURL is where the feed lives.
const DefaultBaseURL = "https://itunes.apple.com"

// MaxPages is how many pages the feed serves per app and country.
const MaxPages = 10

var (
	appID   = regexp.MustCompile(`^\d{1,15}$`)
	country = regexp.MustCompile(`^[a-z]{2}$`)
)

// Entry is one review of the feed.
type Entry struct {
	ID      string
	Author  string
	Rating  string
	Title   string
	Content string
	Updated string
	Version string
	AppName string // set on the feed's app entry (older feeds), which has no rating
}

type label struct {
	Label string `json:"label"`
}

type rawEntry struct {
	ID     label `json:"id"`
	Author struct {
		Name label `json:"name"`
	} `json:"author"`
	Rating  label `json:"im:rating"`
	Title   label `json:"title"`
	Content label `json:"content"`
	Updated label `json:"updated"`
	Version label `json:"im:version"`
	Name    label `json:"im:name"`
}

// ParseFeed reads one page of the feed. "entry" is an array, a single
// object when the page has one review, or absent past the last page.
func ParseFeed(b []byte) ([]Entry, error) {
	var f struct {
		Feed *struct {
			Entry json.RawMessage `json:"entry"`
		} `json:"feed"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("decode feed: %w", err)
	}
	if f.Feed == nil {
		return nil, errors.New("decode feed: no \"feed\" object")
	}
	raw := []rawEntry{}
	switch e := strings.TrimSpace(string(f.Feed.Entry)); {
	case e == "" || e == "null":
	case strings.HasPrefix(e, "["):
		if err := json.Unmarshal(f.Feed.Entry, &raw); err != nil {
			return nil, fmt.Errorf("decode feed entries: %w", err)
		}
	default:
		var one rawEntry
		if err := json.Unmarshal(f.Feed.Entry, &one); err != nil {
			return nil, fmt.Errorf("decode feed entry: %w", err)
		}
		raw = append(raw, one)
	}
	out := make([]Entry, 0, len(raw))
	for _, r := range raw {
		out = append(out, Entry{ID: r.ID.Label, Author: r.Author.Name.Label, Rating: r.Rating.Label, Title: r.Title.Label,
			Content: r.Content.Label, Updated: r.Updated.Label, Version: r.Version.Label, AppName: r.Name.Label})
	}
	return out, nil
}

type collector struct {
	name      string
	base      string
	app       string
	countries []string
}

// New builds an appstore collector.
func New(name string, src config.Source) (collectors.Collector, error) {
	s := src.AppStore
	if s == nil || !appID.MatchString(s.AppID) {
		return nil, errors.New("appstore.app_id: the numeric App Store id of the app is required (the digits after id in its App Store URL)")
	}
	c := &collector{name: name, base: strings.TrimRight(s.BaseURL, "/"), app: s.AppID, countries: s.Countries}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if u, err := url.Parse(c.base); err != nil || u.Host == "" {
		return nil, fmt.Errorf("appstore.base_url: %q is not an absolute URL", s.BaseURL)
	}
	if len(c.countries) == 0 {
		c.countries = []string{"us"}
	}
	for i, cc := range c.countries {
		cc = strings.ToLower(strings.TrimSpace(cc))
		if !country.MatchString(cc) {
			return nil, fmt.Errorf("appstore.countries: %q is not a two-letter country code", cc)
		}
		c.countries[i] = cc
	}
	return c, nil
}

// FeedURL is the page-th page of the feed for one country.
func FeedURL(base, country, app string, page int) string {
	return fmt.Sprintf("%s/%s/rss/customerreviews/page=%d/id=%s/sortby=mostrecent/json", base, country, page, app)
}

// Collect reads each country's feed, newest first, until the watermark,
// an empty page or page ten.
func (c *collector) Collect(ctx context.Context, run *collectors.Run) error {
	return run.Streams(ctx, c.countries, func(f *collectors.Fetcher, cc string) error {
		return c.country(ctx, run, f, cc)
	})
}

func (c *collector) country(ctx context.Context, run *collectors.Run, f *collectors.Fetcher, cc string) error {
	for page := 1; page <= MaxPages; page++ {
		u := FeedURL(c.base, cc, c.app, page)
		if !run.Claim(u) {
			return nil
		}
		resp, err := f.Get(ctx, u)
		if err != nil {
			return err
		}
		entries, err := ParseFeed(resp.Text)
		if err != nil {
			return &collectors.LayoutError{Source: c.name, URL: u, Key: "appstore", Selector: "feed.entry", Detail: err.Error()}
		}
		payload := resp.Payload()
		p := &collectors.Page{URL: u, Status: resp.Status, Payload: payload, Stream: cc}
		n := 0
		for i, e := range entries {
			if e.Rating == "" {
				continue // the app's own entry, not a review
			}
			n++
			r, err := collectors.ParseRating(e.Rating, 5)
			if err != nil {
				p.Rejects = append(p.Rejects, voc.Reject{File: u, Line: i + 1, Reason: err.Error(), Raw: e.ID})
				continue
			}
			it := voc.Item{ExternalID: e.ID, AuthorKey: e.Author, Rating: r.Level(), Text: strings.TrimSpace(e.Content),
				RawRef: fmt.Sprintf("%s#entry-%d", payload.ID, i+1), Extra: map[string]string{"country": cc}}
			if e.Title != "" {
				it.Text = strings.TrimSpace(e.Title + "\n" + it.Text)
			}
			if e.Version != "" {
				it.Extra["version"] = e.Version
			}
			if e.Updated != "" {
				t, err := collectors.ParseDate(e.Updated, run.Now, run.Location, "")
				if err != nil {
					p.Rejects = append(p.Rejects, voc.Reject{File: u, Line: i + 1, Reason: err.Error(), Raw: e.ID})
					continue
				}
				it.CreatedAt = t.UTC()
			}
			p.Items = append(p.Items, it)
		}
		more, err := run.Emit(ctx, p)
		if err != nil || !more {
			return err
		}
		if n == 0 {
			run.Stats.Stop(collectors.StopEnd)
			return nil
		}
	}
	run.Stats.Stop(collectors.StopEnd)
	return nil
}
