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
	"time"

	"gopkg.in/yaml.v3"

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
	// Sources are the named places feedback comes from.
	Sources map[string]Source `yaml:"sources"`
	// Sentiment configures the model that scores text on the five levels.
	Sentiment Sentiment `yaml:"sentiment"`

	// path is the file this was read from, "" for defaults.
	path string
}

// Source configures one named source of feedback.
type Source struct {
	// Type says which collector reads it: "survey" for survey exports.
	Type string `yaml:"type"`
	// Encoding of exported files; empty means detect.
	Encoding string `yaml:"encoding"`
	// Product and Channel fill items whose export has no such column.
	Product string `yaml:"product"`
	Channel string `yaml:"channel"`
	// Mapping names the columns when the export's headers are not ones
	// voc recognises by itself.
	Mapping *survey.Mapping `yaml:"mapping"`
}

// SourceTypes lists the source types this build understands.
var SourceTypes = []string{"survey"}

//go:embed voc.yaml
var template []byte

// Template returns the commented voc.yaml that `voc init` writes.
func Template() []byte { return bytes.Clone(template) }

// Default is the configuration used when there is no voc.yaml.
func Default() *Config {
	return &Config{DB: DefaultDB, Sources: map[string]Source{}}
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
	return Parse(b, path)
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
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	return c, nil
}

func (c *Config) validate() error {
	if _, err := c.Location(); err != nil {
		return err
	}
	for name, s := range c.Sources {
		if name == "" {
			return errors.New("sources: a source needs a name")
		}
		if !validType(s.Type) {
			return fmt.Errorf("sources.%s.type: %q is not one of %v", name, s.Type, SourceTypes)
		}
	}
	return nil
}

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

// Sentiment configures scoring.
type Sentiment struct {
	// Model is a model file written by `voc train sentiment`; empty means
	// the model built into voc.
	Model string `yaml:"model"`
	// Reasons is how many phrases are stored with each score to explain it.
	Reasons int `yaml:"reasons"`
}
