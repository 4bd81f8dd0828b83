// Package jsonld is the jsonld collector: reviews a page publishes for
// search engines as schema.org Product, Review and AggregateRating, in
// JSON-LD <script> blocks or as microdata. Most shops do, so this reads
// any of them without selectors.
//
// Pages come from urls; with jsonld.follow, the links that selector finds
// on those pages (a listing or category page) are read too. A page that
// answered 200 but holds no schema.org Product or Review at all is a
// layout change; a product without reviews is not.
package jsonld

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

func init() { collectors.Add("jsonld", New) }

// Review is one schema.org Review as found on a page.
type Review struct {
	ID      string
	Product string
	Author  string
	Title   string
	Body    string
	Date    string
	// Rating is nil when the review has no reviewRating.
	Rating *collectors.Rating
}

// Aggregate is a product's AggregateRating.
type Aggregate struct {
	Product string  `json:"product"`
	Value   float64 `json:"value"`
	Best    float64 `json:"best"`
	Count   int     `json:"count"`
}

// Found is what a page's structured data holds.
type Found struct {
	Products   []string
	Reviews    []Review
	Aggregates []Aggregate
}

// Extract reads every JSON-LD block and the microdata of an HTML page.
// Blocks that are not valid JSON are skipped and counted in bad (pages
// carry broken JSON-LD more often than one would think).
func Extract(page []byte) (found Found, bad int, err error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return found, 0, err
	}
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		f, err := ExtractJSONLD([]byte(s.Text()))
		if err != nil {
			bad++
			return
		}
		found.merge(f)
	})
	found.merge(extractMicrodata(doc))
	return found, bad, nil
}

func (f *Found) merge(o Found) {
	f.Products = append(f.Products, o.Products...)
	f.Reviews = append(f.Reviews, o.Reviews...)
	f.Aggregates = append(f.Aggregates, o.Aggregates...)
}

// ExtractJSONLD reads one JSON-LD block: an object, an array of them, or
// an @graph; Products with their review and aggregateRating, and Reviews
// on their own with itemReviewed.
func ExtractJSONLD(block []byte) (Found, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(block)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return Found{}, fmt.Errorf("JSON-LD: %w", err)
	}
	var f Found
	walk(v, "", &f, 0)
	return f, nil
}

func walk(v any, product string, f *Found, depth int) {
	if depth > 32 {
		return
	}
	switch n := v.(type) {
	case []any:
		for _, e := range n {
			walk(e, product, f, depth+1)
		}
	case map[string]any:
		if g, ok := n["@graph"]; ok {
			walk(g, product, f, depth+1)
		}
		switch {
		case hasType(n, "Product") || hasType(n, "SoftwareApplication") || hasType(n, "MobileApplication") || hasType(n, "Book"):
			name := str(n["name"])
			f.Products = append(f.Products, name)
			if ag, ok := n["aggregateRating"].(map[string]any); ok {
				a := Aggregate{Product: name, Best: 5}
				a.Value, _ = num(ag["ratingValue"])
				if b, ok := num(ag["bestRating"]); ok && b > 0 {
					a.Best = b
				}
				c, ok := num(ag["reviewCount"])
				if !ok {
					c, _ = num(ag["ratingCount"])
				}
				a.Count = int(c)
				f.Aggregates = append(f.Aggregates, a)
			}
			for _, key := range []string{"review", "reviews"} {
				walk(n[key], name, f, depth+1)
			}
		case hasType(n, "Review"):
			r := review(n, product)
			f.Reviews = append(f.Reviews, r)
		default:
			for k, e := range n {
				if k != "@graph" && k != "@context" {
					if _, ok := e.(map[string]any); ok {
						walk(e, product, f, depth+1)
					} else if _, ok := e.([]any); ok {
						walk(e, product, f, depth+1)
					}
				}
			}
		}
	}
}

func review(n map[string]any, product string) Review {
	r := Review{Product: product}
	if it, ok := n["itemReviewed"].(map[string]any); ok && str(it["name"]) != "" {
		r.Product = str(it["name"])
	}
	r.ID = firstNonEmpty(str(n["@id"]), str(n["identifier"]), str(n["url"]))
	r.Author = name(n["author"])
	r.Title = str(n["name"])
	r.Body = firstNonEmpty(str(n["reviewBody"]), str(n["description"]), str(n["text"]))
	r.Date = firstNonEmpty(str(n["datePublished"]), str(n["dateCreated"]))
	if rr, ok := n["reviewRating"].(map[string]any); ok {
		if v, ok := num(rr["ratingValue"]); ok {
			best := 5.0
			if b, ok := num(rr["bestRating"]); ok && b > 0 {
				best = b
			}
			rt := collectors.Rating{Value: v, Scale: best}
			r.Rating = &rt
		}
	}
	return r
}

func hasType(n map[string]any, t string) bool {
	switch v := n["@type"].(type) {
	case string:
		return strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(v, "http://schema.org/"), "https://schema.org/"), t)
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && strings.EqualFold(s, t) {
				return true
			}
		}
	}
	return false
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case map[string]any: // {"@value": ...} or {"@id": ...}
		return firstNonEmpty(str(x["@value"]), str(x["@id"]))
	case []any:
		if len(x) > 0 {
			return str(x[0])
		}
	}
	return ""
}

func name(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return str(x["name"])
	case []any:
		if len(x) > 0 {
			return name(x[0])
		}
	}
	return str(v)
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		r, err := collectors.ParseRating(x, 1e9)
		return r.Value, err == nil
	case map[string]any:
		return num(x["@value"])
	}
	return 0, false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// extractMicrodata reads itemscope/itemprop markup: Reviews, inside
// Products or not.
func extractMicrodata(doc *goquery.Document) Found {
	var f Found
	doc.Find(`[itemscope][itemtype$="schema.org/Product"]`).Each(func(_ int, s *goquery.Selection) {
		f.Products = append(f.Products, prop(s, "name"))
	})
	doc.Find(`[itemscope][itemtype$="schema.org/Review"]`).Each(func(_ int, s *goquery.Selection) {
		product := ""
		if p := s.ParentsFiltered(`[itemscope][itemtype$="schema.org/Product"]`); p.Length() > 0 {
			product = prop(p.First(), "name")
		}
		r := Review{Product: product, Author: prop(s, "author"), Title: prop(s, "name"),
			Body: firstNonEmpty(prop(s, "reviewBody"), prop(s, "description")), Date: prop(s, "datePublished")}
		if v := prop(s, "ratingValue"); v != "" {
			best := 5.0
			if b, err := strconv.ParseFloat(prop(s, "bestRating"), 64); err == nil && b > 0 {
				best = b
			}
			if rt, err := collectors.ParseRating(v, best); err == nil {
				rt.Scale = best
				r.Rating = &rt
			}
		}
		f.Reviews = append(f.Reviews, r)
	})
	return f
}

// prop is an itemprop's value within item s: content, datetime or the text.
func prop(s *goquery.Selection, name string) string {
	e := s.Find(`[itemprop~="` + name + `"]`).First()
	if e.Length() == 0 {
		return ""
	}
	for _, a := range []string{"content", "datetime"} {
		if v, ok := e.Attr(a); ok {
			return strings.TrimSpace(v)
		}
	}
	if e.Is("[itemscope]") { // author as a Person
		if n := prop(e, "name"); n != "" {
			return n
		}
	}
	return strings.Join(strings.Fields(e.Text()), " ")
}

type collector struct {
	name      string
	urls      []string
	follow    cascadia.Selector
	followCSS string
}

// New builds a jsonld collector.
func New(name string, src config.Source) (collectors.Collector, error) {
	c := &collector{name: name, urls: src.URLs}
	if len(c.urls) == 0 {
		return nil, errors.New("urls: a jsonld source needs product or listing page URLs")
	}
	for _, u := range c.urls {
		if pu, err := url.Parse(u); err != nil || pu.Host == "" {
			return nil, fmt.Errorf("urls: %q is not an absolute URL", u)
		}
	}
	if src.JSONLD != nil && src.JSONLD.Follow != "" {
		sel, err := cascadia.Compile(src.JSONLD.Follow)
		if err != nil {
			return nil, fmt.Errorf("jsonld.follow: selector %q: %w", src.JSONLD.Follow, err)
		}
		c.follow, c.followCSS = sel, src.JSONLD.Follow
	}
	return c, nil
}

// Collect reads the configured pages, then the pages they link to
// (jsonld.follow), fetching up to http.parallelism at a time.
func (c *collector) Collect(ctx context.Context, run *collectors.Run) error {
	f, err := run.NewFetcher(ctx)
	if err != nil {
		return err
	}
	var products []string
	for _, u := range c.urls {
		if !run.Claim(u) {
			break
		}
		resp, err := f.Get(ctx, u)
		if err != nil {
			return err
		}
		if c.follow != nil {
			links, err := c.links(resp)
			if err != nil {
				return err
			}
			products = append(products, links...)
			page, err := c.parse(run, resp, false)
			if err != nil {
				return err
			}
			if _, err := run.Emit(ctx, page); err != nil {
				return err
			}
			continue
		}
		page, err := c.parse(run, resp, true)
		if err != nil {
			return err
		}
		if _, err := run.Emit(ctx, page); err != nil {
			return err
		}
	}
	return c.fetchAll(ctx, run, f, products)
}

// fetchAll fetches product pages with up to parallelism workers and emits
// them in the order they come back. Each product page is a stream of its
// own: reaching the watermark on one says nothing about the next.
func (c *collector) fetchAll(ctx context.Context, run *collectors.Run, f *collectors.Fetcher, urls []string) error {
	if len(urls) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		page *collectors.Page
		err  error
	}
	todo := make(chan string)
	results := make(chan result)
	var wg sync.WaitGroup
	for range max(1, run.Config.HTTP.Parallelism) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range todo {
				resp, err := f.Get(ctx, u)
				var page *collectors.Page
				if err == nil {
					page, err = c.parse(run, resp, true)
				}
				select {
				case results <- result{page, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(todo)
		for _, u := range urls {
			if !run.Claim(u) {
				continue // fetched already (listed twice), or budget spent
			}
			select {
			case todo <- u:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var first error
	for r := range results {
		if first != nil {
			continue
		}
		if r.err != nil {
			first = r.err
			cancel()
			continue
		}
		if _, err := run.Emit(ctx, r.page); err != nil {
			first = err
			cancel()
		}
	}
	if first == nil {
		run.Stats.Stop(collectors.StopEnd)
	}
	return first
}

func (c *collector) links(resp *collectors.Response) ([]string, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(resp.Text))
	if err != nil {
		return nil, fmt.Errorf("source %s: %s: parse HTML: %w", c.name, resp.URL, err)
	}
	base, _ := url.Parse(resp.URL)
	var out []string
	seen := map[string]bool{}
	doc.FindMatcher(c.follow).Each(func(_ int, s *goquery.Selection) {
		href, ok := s.Attr("href")
		if !ok {
			return
		}
		ref, err := url.Parse(strings.TrimSpace(href))
		if err != nil || base == nil {
			return
		}
		u := base.ResolveReference(ref)
		u.Fragment = ""
		if (u.Scheme == "http" || u.Scheme == "https") && !seen[u.String()] {
			seen[u.String()] = true
			out = append(out, u.String())
		}
	})
	if len(out) == 0 {
		return nil, &collectors.LayoutError{Source: c.name, URL: resp.URL, Key: "jsonld.follow", Selector: c.followCSS,
			Detail: "found no links on a page that answered " + strconv.Itoa(resp.Status)}
	}
	return out, nil
}

func (c *collector) parse(run *collectors.Run, resp *collectors.Response, product bool) (*collectors.Page, error) {
	found, bad, err := Extract(resp.Text)
	if err != nil {
		return nil, fmt.Errorf("source %s: %s: parse HTML: %w", c.name, resp.URL, err)
	}
	payload := resp.Payload()
	page := &collectors.Page{URL: resp.URL, Status: resp.Status, Payload: payload, Stream: resp.URL}
	if product && len(found.Products) == 0 && len(found.Reviews) == 0 {
		detail := "found no schema.org Product or Review on a page that answered " + strconv.Itoa(resp.Status)
		if bad > 0 {
			detail += fmt.Sprintf(" (%d JSON-LD blocks were not valid JSON)", bad)
		}
		return nil, &collectors.LayoutError{Source: c.name, URL: resp.URL, Key: "jsonld", Selector: `script[type="application/ld+json"]`, Detail: detail}
	}
	for i, r := range found.Reviews {
		it := voc.Item{ExternalID: r.ID, Product: r.Product, AuthorKey: r.Author, Text: r.Body,
			RawRef: fmt.Sprintf("%s#review-%d", payload.ID, i+1)}
		if r.Title != "" && !strings.HasPrefix(r.Body, r.Title) {
			it.Text = strings.TrimSpace(r.Title + "\n" + r.Body)
		}
		if r.Rating != nil {
			it.Rating = r.Rating.Level()
		}
		if r.Date != "" {
			t, err := collectors.ParseDate(r.Date, run.Now, run.Location, "")
			if err != nil {
				page.Rejects = append(page.Rejects, voc.Reject{File: resp.URL, Line: i + 1, Reason: err.Error(), Raw: r.Date})
				continue
			}
			it.CreatedAt = t.UTC()
		}
		if it.Text == "" && it.Rating == voc.LevelNone {
			page.Rejects = append(page.Rejects, voc.Reject{File: resp.URL, Line: i + 1, Reason: "review with neither text nor rating", Raw: r.ID})
			continue
		}
		page.Items = append(page.Items, it)
	}
	return page, nil
}
