// Package file is the file collector: survey exports dropped into a
// folder are picked up by `voc collect`, parsed by collectors/survey and
// stored the way `voc import survey` stores them (raw file, items and
// rejects in one transaction).
//
// Each file is imported once: after a successful import it is moved to
// file.done_dir when one is set; either way its content address is
// remembered in the warehouse (raw_payloads), so a file left in place, or
// copied in again, is skipped.
package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors"
	"github.com/voc-analytics/voc/collectors/survey"
	"github.com/voc-analytics/voc/collectors/tabular"
	"github.com/voc-analytics/voc/config"
)

func init() { collectors.Add("file", New) }

// DefaultPatterns are the files picked up when file.pattern is empty.
var DefaultPatterns = []string{"*.csv", "*.xlsx", "*.txt", "*.tsv"}

type collector struct {
	name     string
	src      config.Source
	dir      string
	done     string
	patterns []string
}

// New builds a file collector.
func New(name string, src config.Source) (collectors.Collector, error) {
	if src.File == nil || src.File.Dir == "" {
		return nil, errors.New("file.dir: the folder to watch is required")
	}
	c := &collector{name: name, src: src, dir: src.File.Dir, done: src.File.DoneDir, patterns: DefaultPatterns}
	if p := strings.TrimSpace(src.File.Pattern); p != "" {
		c.patterns = nil
		for _, g := range strings.Split(p, ",") {
			g = strings.TrimSpace(g)
			if _, err := filepath.Match(g, "x"); err != nil {
				return nil, fmt.Errorf("file.pattern: %q: %w", g, err)
			}
			c.patterns = append(c.patterns, g)
		}
	}
	if c.done != "" && filepath.Clean(c.done) == filepath.Clean(c.dir) {
		return nil, errors.New("file.done_dir: must not be the watched folder itself")
	}
	return c, nil
}

func (c *collector) match(name string) bool {
	for _, p := range c.patterns {
		if ok, _ := filepath.Match(p, name); ok {
			return true
		}
	}
	return false
}

// Collect imports the new files of the folder in name order. A file that
// cannot be read or parsed is skipped and named in the returned error; the
// others are still imported.
func (c *collector) Collect(ctx context.Context, run *collectors.Run) error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("source %s: read folder: %w", c.name, err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && c.match(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		path := filepath.Join(c.dir, n)
		if !run.Claim(path) {
			break
		}
		if err := c.importFile(ctx, run, path); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, err)
		}
	}
	run.Stats.Stop(collectors.StopEnd)
	return errors.Join(errs...)
}

func (c *collector) importFile(ctx context.Context, run *collectors.Run, path string) error {
	b, err := tabular.ReadFile(path)
	if err != nil {
		return fmt.Errorf("source %s: %w", c.name, err)
	}
	seen, err := run.Sink.PayloadSeen(ctx, voc.PayloadID(b))
	if err != nil {
		return fmt.Errorf("source %s: %s: %w", c.name, path, err)
	}
	if seen {
		run.Log.Info("already imported", "source", c.name, "file", path)
		return c.moveDone(path)
	}
	res, err := survey.Parse(ctx, bytes.NewReader(b), path, survey.Options{
		Source: c.name, Encoding: c.src.Encoding, Mapping: c.src.Mapping, Location: run.Location,
		Now: func() time.Time { return run.Now }, Product: c.src.Product, Channel: c.src.Channel,
	})
	if err != nil {
		return fmt.Errorf("source %s: %w", c.name, err)
	}
	if _, err := run.Emit(ctx, &collectors.Page{URL: path, Payload: res.Payload, Items: res.Items, Rejects: res.Rejects, Stream: path}); err != nil {
		return fmt.Errorf("source %s: %s: %w", c.name, path, err)
	}
	return c.moveDone(path)
}

// moveDone moves an imported file out of the way, when a done_dir is set.
func (c *collector) moveDone(path string) error {
	if c.done == "" {
		return nil
	}
	if err := os.MkdirAll(c.done, 0o755); err != nil {
		return fmt.Errorf("source %s: file.done_dir: %w", c.name, err)
	}
	dst := filepath.Join(c.done, filepath.Base(path))
	if _, err := os.Stat(dst); err == nil {
		ext := filepath.Ext(dst)
		dst = strings.TrimSuffix(dst, ext) + "." + voc.PayloadID([]byte(path))[:8] + ext
	}
	if err := os.Rename(path, dst); err != nil {
		return fmt.Errorf("source %s: move %s to %s: %w", c.name, path, c.done, err)
	}
	return nil
}
