package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/voc-analytics/voc/collectors/complaints"
	"github.com/voc-analytics/voc/collectors/survey"
)

func TestTemplateLoadsAndDocumentsEveryOption(t *testing.T) {
	c, err := Parse(Template(), "voc.yaml")
	if err != nil {
		t.Fatalf("the template voc init writes does not load: %v", err)
	}
	if c.DB != DefaultDB {
		t.Errorf("template db = %q, want the default %q", c.DB, DefaultDB)
	}
	// Every yaml key of every config struct appears in the template, as an
	// option or a commented example, so `voc init` really lists them all.
	text := string(Template())
	for _, typ := range []reflect.Type{reflect.TypeOf(Config{}), reflect.TypeOf(Source{}), reflect.TypeOf(survey.Mapping{}),
		reflect.TypeOf(HTTP{}), reflect.TypeOf(HTML{}), reflect.TypeOf(JSONLD{}), reflect.TypeOf(JSONAPI{}), reflect.TypeOf(JSONFields{}),
		reflect.TypeOf(AppStore{}), reflect.TypeOf(File{}), reflect.TypeOf(ComplaintSource{}), reflect.TypeOf(complaints.Mapping{}),
		reflect.TypeOf(Complaints{}), reflect.TypeOf(ComplaintReview{})} {
		for i := 0; i < typ.NumField(); i++ {
			key, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
			if key == "" || key == "-" {
				continue
			}
			if !strings.Contains(text, key+":") {
				t.Errorf("option %s.%s (%s:) is not documented in voc.yaml", typ.Name(), typ.Field(i).Name, key)
			}
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		check   func(*testing.T, *Config)
	}{
		{name: "empty file gives defaults", yaml: "", check: func(t *testing.T, c *Config) {
			if c.DB != DefaultDB || c.Sources == nil || c.MemoryLimit != DefaultMemoryLimit {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "source with mapping", yaml: `
db: /var/lib/voc/voc.duckdb
timezone: Asia/Taipei
sources:
  crm:
    type: survey
    encoding: big5
    mapping:
      header_rows: 2
      satisfaction: 整體滿意度
      comment: 其他建議
`, check: func(t *testing.T, c *Config) {
			s := c.Sources["crm"]
			if c.DB != "/var/lib/voc/voc.duckdb" || s.Encoding != "big5" || s.Mapping == nil ||
				s.Mapping.HeaderRows != 2 || s.Mapping.Satisfaction != "整體滿意度" {
				t.Errorf("got %+v / %+v", c, s.Mapping)
			}
			if loc, err := c.Location(); err != nil || loc.String() != "Asia/Taipei" {
				t.Errorf("location = %v, %v", loc, err)
			}
		}},
		{name: "collector sources", yaml: `
sources:
  shop:
    type: html
    channel: 天猫旗舰店
    urls: ["https://shop.example.com/r"]
    max_pages: 5
    incremental: false
    http:
      delay: 1500ms
      retries: -1
      headers: {Referer: "https://shop.example.com/"}
    html:
      review: li.review
      rating: ".stars@class"
  api:
    type: jsonapi
    rating_scale: 10
    jsonapi:
      fields: {text: "comments[].content"}
      cursor_path: next
  drop:
    type: file
    file: {dir: incoming}
`, check: func(t *testing.T, c *Config) {
			s := c.Sources["shop"]
			if s.HTML == nil || s.HTML.Rating != ".stars@class" || s.MaxPages != 5 || s.IsIncremental() || s.HTTP.Delay != 1500*time.Millisecond ||
				s.HTTP.Retries != -1 || s.HTTP.Headers["Referer"] == "" || s.URLs[0] != "https://shop.example.com/r" {
				t.Errorf("html source = %+v", s)
			}
			if a := c.Sources["api"]; a.RatingScale != 10 || a.JSONAPI.Fields.Text != "comments[].content" || !a.IsIncremental() {
				t.Errorf("jsonapi source = %+v", a)
			}
		}},
		{name: "html source without selectors", yaml: "sources:\n  s:\n    type: html\n", wantErr: "sources.s.html"},
		{name: "file source without folder", yaml: "sources:\n  s:\n    type: file\n", wantErr: "file.dir"},
		{name: "negative budget", yaml: "sources:\n  s:\n    type: jsonld\n    max_pages: -1\n", wantErr: "max_pages"},
		{name: "misspelt collector option", yaml: "sources:\n  s:\n    type: html\n    html:\n      reviews: li\n", wantErr: "reviews"},
		{name: "misspelt option is refused with its line", yaml: "db: x.duckdb\ntimezon: UTC\n", wantErr: "line 2"},
		{name: "unknown source type", yaml: "sources:\n  a:\n    type: carrier-pigeon\n", wantErr: `sources.a.type: "carrier-pigeon"`},
		{name: "bad time zone", yaml: "timezone: Mars/Olympus\n", wantErr: "Mars/Olympus"},
		{name: "memory limit", yaml: "memory_limit: 512 MB\n", check: func(t *testing.T, c *Config) {
			if c.MemoryLimit != "512 MB" {
				t.Errorf("memory_limit = %q, want 512 MB", c.MemoryLimit)
			}
		}},
		{name: "no memory limit", yaml: "memory_limit: none\n", check: func(t *testing.T, c *Config) {
			if c.MemoryLimit != "" {
				t.Errorf("memory_limit none = %q, want DuckDB's default (empty)", c.MemoryLimit)
			}
		}},
		{name: "memory limit without unit", yaml: "memory_limit: 1024\n", wantErr: "memory_limit"},
		{name: "memory limit typo", yaml: "memory_limit: 1 gigabyte\n", wantErr: `memory_limit: "1 gigabyte"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "test.yaml")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "test.yaml") {
					t.Fatalf("err = %v, want one naming test.yaml and containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	if c, err := Load(t.TempDir()+"/none.yaml", false); err != nil || c.DB != DefaultDB {
		t.Errorf("optional missing config: %v, %v", c, err)
	}
	if _, err := Load(t.TempDir()+"/none.yaml", true); err == nil {
		t.Error("a config named explicitly must exist")
	}
}

func TestLoadResolvesPathsAgainstTheFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/voc.yaml"
	text := "db: data/voc.duckdb\nthemes:\n  taxonomy: mine.yaml\nsentiment:\n  model: /abs/m.model\nsources:\n  drop:\n    type: file\n    file:\n      dir: inbox\n      done_dir: done\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != dir+"/data/voc.duckdb" || c.Themes.Taxonomy != dir+"/mine.yaml" || c.Sentiment.Model != "/abs/m.model" {
		t.Errorf("paths: db %s, taxonomy %s, model %s", c.DB, c.Themes.Taxonomy, c.Sentiment.Model)
	}
	if f := c.Sources["drop"].File; f.Dir != dir+"/inbox" || f.DoneDir != dir+"/done" {
		t.Errorf("file source: %+v", f)
	}
}

func TestSecretsComeFromTheEnvironment(t *testing.T) {
	t.Setenv("VOC_TEST_SESSION", "s3cret")
	text := "sources:\n  shop:\n    type: jsonapi\n    urls: [\"http://127.0.0.1/api\"]\n    jsonapi:\n      items: \"comments[]\"\n      fields: {text: content}\n    http:\n      cookies: {session: \"${VOC_TEST_SESSION}\"}\n      headers: {X-Key: \"key-${VOC_TEST_SESSION}\"}\n"
	c, err := Parse([]byte(text), "voc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := c.Sources["shop"].HTTP
	if h.Cookies["session"] != "s3cret" || h.Headers["X-Key"] != "key-s3cret" {
		t.Errorf("cookies %v headers %v", h.Cookies, h.Headers)
	}
	_, err = Parse([]byte(strings.ReplaceAll(text, "VOC_TEST_SESSION", "VOC_TEST_UNSET_SECRET")), "voc.yaml")
	if err == nil || !strings.Contains(err.Error(), "VOC_TEST_UNSET_SECRET") {
		t.Errorf("unset variable: %v", err)
	}
}
