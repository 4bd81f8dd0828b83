// Package jsonapi is the jsonapi collector: reviews from the JSON (or
// JSONP) APIs shops' own pages load them from, paged by page number or by
// cursor, with voc.yaml giving the paths of the list and of each field
// (see Path). A 200 answer where the list's path matches nothing is a
// layout change; an empty list is the end.
package jsonapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/config"
)

func init() { collectors.Add("jsonapi", New) }

// Pagination modes.
const (
	PageNumber = "page"
	Cursor     = "cursor"
	None       = "none"
)

// Spec is a compiled jsonapi configuration.
type Spec struct {
	Items      Path
	Fields     map[string]Path // id, rating, text, author, date, product, reply
	Pagination string
	PageParam  string
	FirstPage  int
	CursorPar  string
	CursorPath Path
	DateLayout string
}

// Compile checks and compiles the settings: every path parses, and field
// paths written absolutely (comments[].content) share one items path.
func Compile(c config.JSONAPI) (*Spec, error) {
	s := &Spec{Fields: map[string]Path{}, PageParam: c.PageParam, FirstPage: c.FirstPage, CursorPar: c.CursorParam, DateLayout: c.DateLayout}
	explicit := strings.TrimSuffix(strings.TrimPrefix(c.Items, "$."), "[]")
	items := explicit
	raw := map[string]string{"id": c.Fields.ID, "rating": c.Fields.Rating, "text": c.Fields.Text, "author": c.Fields.Author,
		"date": c.Fields.Date, "product": c.Fields.Product, "reply": c.Fields.Reply}
	for _, key := range []string{"id", "rating", "text", "author", "date", "product", "reply"} {
		p := strings.TrimPrefix(raw[key], "$.")
		if p == "" {
			continue
		}
		switch {
		case explicit != "":
			// Fields under the configured list are made relative to it;
			// others are relative already.
			if rel, ok := strings.CutPrefix(p, explicit+"[]"); ok {
				p = strings.TrimPrefix(rel, ".")
			}
		default:
			it, rel, ok := splitItems(p)
			if !ok {
				return nil, fmt.Errorf("jsonapi.fields.%s: %q: without jsonapi.items, field paths must run through the list, as in comments[].content", key, raw[key])
			}
			it = strings.TrimSuffix(it, "[]")
			if items != "" && it != items {
				return nil, fmt.Errorf("jsonapi.fields.%s: %q is under %q, other fields under %q", key, raw[key], it, items)
			}
			items, p = it, rel
		}
		cp, err := CompilePath(p)
		if err != nil {
			return nil, fmt.Errorf("jsonapi.fields.%s: %w", key, err)
		}
		s.Fields[key] = cp
	}
	if s.Fields["text"].IsZero() && s.Fields["rating"].IsZero() {
		return nil, errors.New("jsonapi.fields: a text or a rating path is needed")
	}
	var err error
	if s.Items, err = CompilePath(items); err != nil {
		return nil, fmt.Errorf("jsonapi.items: %w", err)
	}
	if c.CursorPath != "" {
		if s.CursorPath, err = CompilePath(c.CursorPath); err != nil {
			return nil, fmt.Errorf("jsonapi.cursor_path: %w", err)
		}
	}
	s.Pagination = c.Pagination
	if s.Pagination == "" {
		switch {
		case c.PageParam != "":
			s.Pagination = PageNumber
		case c.CursorPath != "":
			s.Pagination = Cursor
		default:
			s.Pagination = None
		}
	}
	switch s.Pagination {
	case PageNumber:
		if s.PageParam == "" {
			s.PageParam = "page"
		}
		if c.FirstPage == 0 {
			s.FirstPage = 1
		}
	case Cursor:
		if s.CursorPath.IsZero() {
			return nil, errors.New("jsonapi.cursor_path: cursor pagination needs the path of the next cursor in the answer")
		}
		if s.CursorPar == "" {
			s.CursorPar = "cursor"
		}
	case None:
	default:
		return nil, fmt.Errorf("jsonapi.pagination: %q is not page, cursor or none", s.Pagination)
	}
	return s, nil
}

// Answer is one decoded API answer: its reviews and the next cursor.
type Answer struct {
	Items   []voc.Item
	Rejects []voc.Reject
	Cursor  string
	// Listed is false when the items path matched nothing at all (not
	// even an empty list): the API changed shape.
	Listed bool
	// Found counts, per field, the items where its path matched.
	Found map[string]int
}

// Parse decodes one answer (JSON, or JSONP) with the spec. now and loc
// resolve relative and zone-less dates; scale is the rating scale of bare
// numbers. Items get no RawRef: the caller knows the payload.
func (s *Spec) Parse(body []byte, uri string, now Clock, scale float64) (*Answer, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(StripJSONP(body)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	a := &Answer{Found: map[string]int{}}
	list := s.Items.Get(v)
	a.Listed = len(list) > 0
	var elems []any
	for _, l := range list {
		if arr, ok := l.([]any); ok {
			elems = append(elems, arr...)
		} else {
			elems = append(elems, l)
		}
	}
	for i, e := range elems {
		it, reason := s.item(e, now, scale, a.Found)
		if reason != "" {
			raw, _ := json.Marshal(e)
			a.Rejects = append(a.Rejects, voc.Reject{File: uri, Line: i + 1, Reason: reason, Raw: string(raw)})
			continue
		}
		a.Items = append(a.Items, it)
	}
	if !s.CursorPath.IsZero() {
		if c, ok := s.CursorPath.First(v); ok {
			a.Cursor = Text(c)
		}
	}
	return a, nil
}

func (s *Spec) item(e any, now Clock, scale float64, found map[string]int) (voc.Item, string) {
	var it voc.Item
	get := func(key string) (any, bool) {
		p, ok := s.Fields[key]
		if !ok {
			return nil, false
		}
		v, ok := p.First(e)
		if ok && v != nil {
			found[key]++
		}
		return v, ok && v != nil
	}
	text := func(key string) string { v, _ := get(key); return Text(v) }
	it.ExternalID = text("id")
	it.Text = text("text")
	it.AuthorKey = text("author")
	it.Product = text("product")
	if r := text("reply"); r != "" {
		it.Extra = map[string]string{"reply": r}
	}
	if v, ok := get("rating"); ok {
		r, err := collectors.ParseRating(Text(v), scale)
		if err != nil {
			return it, err.Error()
		}
		it.Rating = r.Level()
	}
	if v, ok := get("date"); ok && Text(v) != "" {
		t, err := collectors.ParseDate(Text(v), now.Now, now.Loc, s.DateLayout)
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

type collector struct {
	name string
	spec *Spec
	urls []string
}

// New builds a jsonapi collector.
func New(name string, src config.Source) (collectors.Collector, error) {
	if src.JSONAPI == nil {
		return nil, errors.New("jsonapi: settings are missing")
	}
	spec, err := Compile(*src.JSONAPI)
	if err != nil {
		return nil, err
	}
	if len(src.URLs) == 0 {
		return nil, errors.New("urls: a jsonapi source needs the API endpoint")
	}
	for _, u := range src.URLs {
		if pu, err := url.Parse(u); err != nil || pu.Host == "" {
			return nil, fmt.Errorf("urls: %q is not an absolute URL", u)
		}
	}
	return &collector{name: name, spec: spec, urls: src.URLs}, nil
}

// Collect pages through each endpoint in turn (one per product, often).
func (c *collector) Collect(ctx context.Context, run *collectors.Run) error {
	return run.Streams(ctx, c.urls, func(f *collectors.Fetcher, u string) error {
		return c.stream(ctx, run, f, u)
	})
}

func (c *collector) stream(ctx context.Context, run *collectors.Run, f *collectors.Fetcher, endpoint string) error {
	page := c.spec.FirstPage
	cursor := ""
	for n := 0; ; n++ {
		u, err := c.requestURL(endpoint, page, cursor, n)
		if err != nil {
			return fmt.Errorf("source %s: %w", c.name, err)
		}
		if !run.Claim(u) {
			return nil
		}
		resp, err := f.Get(ctx, u)
		if err != nil {
			return err
		}
		a, err := c.spec.Parse(resp.Text, resp.URL, Clock{Now: run.Now, Loc: run.Location}, run.Scale())
		if err != nil {
			return fmt.Errorf("source %s: %s: %w", c.name, resp.URL, err)
		}
		if !a.Listed {
			return &collectors.LayoutError{Source: c.name, URL: resp.URL, Key: "jsonapi.items", Selector: c.spec.Items.String(),
				Detail: "matched nothing in an answer with status " + strconv.Itoa(resp.Status)}
		}
		if total := len(a.Items) + len(a.Rejects); total >= 2 {
			for _, key := range []string{"rating", "text"} {
				if p, ok := c.spec.Fields[key]; ok && a.Found[key] == 0 {
					return &collectors.LayoutError{Source: c.name, URL: resp.URL, Key: "jsonapi.fields." + key, Selector: p.String(),
						Detail: fmt.Sprintf("matched in none of the %d reviews of the answer", total)}
				}
			}
		}
		payload := resp.Payload()
		for i := range a.Items {
			a.Items[i].RawRef = fmt.Sprintf("%s#item-%d", payload.ID, i+1)
		}
		more, err := run.Emit(ctx, &collectors.Page{URL: resp.URL, Status: resp.Status, Payload: payload, Items: a.Items, Rejects: a.Rejects, Stream: endpoint})
		if err != nil || !more {
			return err
		}
		switch {
		case c.spec.Pagination == None, len(a.Items)+len(a.Rejects) == 0:
			run.Stats.Stop(collectors.StopEnd)
			return nil
		case c.spec.Pagination == Cursor:
			if a.Cursor == "" || a.Cursor == "0" || a.Cursor == "null" || a.Cursor == cursor {
				run.Stats.Stop(collectors.StopEnd)
				return nil
			}
			cursor = a.Cursor
		default:
			page++
		}
	}
}

func (c *collector) requestURL(endpoint string, page int, cursor string, n int) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	q := u.Query()
	switch c.spec.Pagination {
	case PageNumber:
		q.Set(c.spec.PageParam, strconv.Itoa(page))
	case Cursor:
		if n == 0 && cursor == "" {
			return endpoint, nil
		}
		q.Set(c.spec.CursorPar, cursor)
	default:
		return endpoint, nil
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Clock is what relative and zone-less dates are read against: relative
// dates count back from Now, dates without a zone are in Loc.
type Clock struct {
	Now time.Time
	Loc *time.Location
}
