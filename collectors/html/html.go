// Package html is the html collector: reviews read from shop pages with CSS
// selectors, page after page.
//
// voc.yaml names a selector for the review block and one for each field
// (id, rating, text, author, date, product, reply), and says how to page:
// a next-link selector, or a URL template with {page}. Ratings and dates
// are read in the many forms shops write them (see collectors.ParseRating
// and collectors.ParseDate). A page that answered 200 but where the review
// selector (or the rating or text selector, in every review of the page)
// matches nothing is a layout change, reported as an error naming the
// source, URL and selector, never as "no new reviews".
//
// It owns selectors and paging; fetching politely is collectors.Fetcher's.
package html

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

func init() { collectors.Add("html", New) }

// Field is a compiled field selector: CSS, an attribute, or both.
type Field struct {
	Key  string // the voc.yaml key, for messages
	CSS  string // "" selects the review block itself
	Attr string // "" takes the text
	sel  cascadia.Selector
}

var attrName = regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`)

// ParseField reads "css", "css@attr" or "@attr". An empty spec is no field.
func ParseField(key, spec string) (*Field, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	f := &Field{Key: key, CSS: spec}
	if i := strings.LastIndexByte(spec, '@'); i >= 0 && attrName.MatchString(spec[i+1:]) {
		f.CSS, f.Attr = strings.TrimSpace(spec[:i]), spec[i+1:]
	}
	if f.CSS != "" {
		sel, err := cascadia.Compile(f.CSS)
		if err != nil {
			return nil, fmt.Errorf("html.%s: selector %q: %w", key, f.CSS, err)
		}
		f.sel = sel
	}
	return f, nil
}

// value reads the field in block; found is false when the CSS matched
// nothing (or the attribute is absent).
func (f *Field) value(block *goquery.Selection) (v string, found bool) {
	s := block
	if f.sel != nil {
		s = block.FindMatcher(f.sel)
		if s.Length() == 0 {
			return "", false
		}
		s = s.First()
	}
	if f.Attr != "" {
		return s.Attr(f.Attr)
	}
	return strings.Join(strings.Fields(s.Text()), " "), true
}

type collector struct {
	name   string
	cfg    config.HTML
	review cascadia.Selector
	next   cascadia.Selector
	empty  cascadia.Selector
	fields map[string]*Field
	starts []string
}

// New builds an html collector from its voc.yaml settings.
func New(name string, src config.Source) (collectors.Collector, error) {
	if src.HTML == nil || strings.TrimSpace(src.HTML.Review) == "" {
		return nil, errors.New("html.review: the selector of one review block is required")
	}
	c := &collector{name: name, cfg: *src.HTML, fields: map[string]*Field{}}
	var err error
	if c.review, err = cascadia.Compile(c.cfg.Review); err != nil {
		return nil, fmt.Errorf("html.review: selector %q: %w", c.cfg.Review, err)
	}
	for key, spec := range map[string]string{"id": c.cfg.ID, "rating": c.cfg.Rating, "text": c.cfg.Text, "author": c.cfg.Author,
		"date": c.cfg.Date, "product": c.cfg.Product, "reply": c.cfg.Reply} {
		f, err := ParseField(key, spec)
		if err != nil {
			return nil, err
		}
		if f != nil {
			c.fields[key] = f
		}
	}
	if c.fields["rating"] == nil && c.fields["text"] == nil {
		return nil, errors.New("html: a rating or a text selector is needed")
	}
	if c.cfg.Next != "" {
		if c.next, err = cascadia.Compile(c.cfg.Next); err != nil {
			return nil, fmt.Errorf("html.next: selector %q: %w", c.cfg.Next, err)
		}
	}
	if c.cfg.Empty != "" {
		if c.empty, err = cascadia.Compile(c.cfg.Empty); err != nil {
			return nil, fmt.Errorf("html.empty: selector %q: %w", c.cfg.Empty, err)
		}
	}
	if c.cfg.PageURL != "" {
		if !strings.Contains(c.cfg.PageURL, "{page}") {
			return nil, fmt.Errorf("html.page_url: %q has no {page}", c.cfg.PageURL)
		}
		if c.cfg.FirstPage == 0 {
			c.cfg.FirstPage = 1
		}
		c.starts = []string{c.pageURL(c.cfg.FirstPage)}
	} else {
		c.starts = src.URLs
	}
	if len(c.starts) == 0 {
		return nil, errors.New("html: urls (or html.page_url) are needed")
	}
	for _, u := range c.starts {
		if pu, err := url.Parse(u); err != nil || pu.Host == "" {
			return nil, fmt.Errorf("urls: %q is not an absolute URL", u)
		}
	}
	return c, nil
}

func (c *collector) pageURL(n int) string {
	return strings.ReplaceAll(c.cfg.PageURL, "{page}", strconv.Itoa(n))
}

// Collect pages through each start URL in turn.
func (c *collector) Collect(ctx context.Context, run *collectors.Run) error {
	return run.Streams(ctx, c.starts, func(f *collectors.Fetcher, start string) error {
		return c.stream(ctx, run, f, start)
	})
}

func (c *collector) stream(ctx context.Context, run *collectors.Run, f *collectors.Fetcher, start string) error {
	u := start
	for n := 0; ; n++ {
		if !run.Claim(u) {
			return nil
		}
		resp, err := f.Get(ctx, u)
		var se *collectors.StatusError
		if n > 0 && c.cfg.PageURL != "" && errors.As(err, &se) && se.Status == 404 {
			run.Stats.Stop(collectors.StopEnd) // past the last page number
			return nil
		}
		if err != nil {
			return err
		}
		page, next, err := c.Parse(run, resp, n)
		if err != nil {
			return err
		}
		page.Stream = start
		more, err := run.Emit(ctx, page)
		if err != nil || !more {
			return err
		}
		if next == "" || len(page.Items)+len(page.Rejects) == 0 {
			run.Stats.Stop(collectors.StopEnd)
			return nil
		}
		u = next
	}
}

// Parse reads one fetched page (the n-th of its stream, from 0): its
// reviews, and the URL of the next page ("" when there is none).
func (c *collector) Parse(run *collectors.Run, resp *collectors.Response, n int) (*collectors.Page, string, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(resp.Text))
	if err != nil {
		return nil, "", fmt.Errorf("source %s: %s: parse HTML: %w", c.name, resp.URL, err)
	}
	base, _ := url.Parse(resp.URL)
	payload := resp.Payload()
	page := &collectors.Page{URL: resp.URL, Status: resp.Status, Payload: payload}
	blocks := doc.FindMatcher(c.review)
	if blocks.Length() == 0 {
		switch {
		case c.empty != nil && doc.FindMatcher(c.empty).Length() > 0:
			return page, "", nil
		case n > 0 && c.cfg.PageURL != "":
			return page, "", nil // past the last page of a numbered series
		}
		return nil, "", &collectors.LayoutError{Source: c.name, URL: resp.URL, Key: "review", Selector: c.cfg.Review,
			Detail: "matched nothing on a page that answered " + strconv.Itoa(resp.Status)}
	}
	found := map[string]int{}
	blocks.Each(func(i int, b *goquery.Selection) {
		it, rej := c.item(run, b, doc.Selection, found)
		loc := fmt.Sprintf("%s#review-%d", payload.ID, i+1)
		if rej != "" {
			raw, _ := goquery.OuterHtml(b)
			page.Rejects = append(page.Rejects, voc.Reject{File: resp.URL, Line: i + 1, Reason: rej, Raw: clipRaw(raw)})
			return
		}
		it.RawRef = loc
		page.Items = append(page.Items, it)
	})
	if blocks.Length() >= 2 {
		for _, key := range []string{"rating", "text"} {
			if f := c.fields[key]; f != nil && found[key] == 0 {
				return nil, "", &collectors.LayoutError{Source: c.name, URL: resp.URL, Key: key, Selector: c.cfg.Field(key),
					Detail: fmt.Sprintf("matched in none of the %d reviews on the page", blocks.Length())}
			}
		}
	}
	next := ""
	switch {
	case c.cfg.PageURL != "":
		next = c.pageURL(c.cfg.FirstPage + n + 1)
	case c.next != nil:
		if href, ok := doc.FindMatcher(c.next).First().Attr("href"); ok && strings.TrimSpace(href) != "" && !strings.HasPrefix(strings.TrimSpace(href), "javascript:") {
			if ref, err := url.Parse(strings.TrimSpace(href)); err == nil && base != nil {
				next = base.ResolveReference(ref).String()
			}
		}
	}
	return page, next, nil
}

// item reads one review block. The product selector, unlike the others,
// falls back to the whole page: shops name the product once, above the
// reviews.
func (c *collector) item(run *collectors.Run, b, page *goquery.Selection, found map[string]int) (voc.Item, string) {
	var it voc.Item
	get := func(key string) (string, bool) {
		f := c.fields[key]
		if f == nil {
			return "", false
		}
		v, ok := f.value(b)
		if ok {
			found[key]++
		}
		return strings.TrimSpace(v), ok
	}
	it.ExternalID, _ = get("id")
	it.Text, _ = get("text")
	it.AuthorKey, _ = get("author")
	it.Product, _ = get("product")
	if f := c.fields["product"]; f != nil && it.Product == "" && f.sel != nil {
		it.Product, _ = f.value(page)
	}
	if reply, _ := get("reply"); reply != "" {
		it.Extra = map[string]string{"reply": reply}
	}
	if v, ok := get("rating"); ok {
		r, err := collectors.ParseRating(v, run.Scale())
		if err != nil {
			return it, err.Error()
		}
		it.Rating = r.Level()
	}
	if v, ok := get("date"); ok && v != "" {
		t, err := collectors.ParseDate(v, run.Now, run.Location, c.cfg.DateLayout)
		if err != nil {
			return it, err.Error()
		}
		it.CreatedAt = t.UTC()
	}
	if it.Text == "" && it.Rating == voc.LevelNone {
		return it, "review with neither text nor rating"
	}
	return it, ""
}

func clipRaw(s string) string {
	const n = 2000
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
