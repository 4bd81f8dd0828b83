package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc/models/themes"
)

// themeModel loads the theme model voc.yaml names (or override): the
// built-in one when empty, none for "none".
func (a *app) themeModel(override string) (*themes.Model, error) {
	path := override
	if path == "" && a.cfg != nil {
		path = a.cfg.Themes.Model
	}
	switch path {
	case "":
		return themes.DefaultModel()
	case "none":
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("theme model: %w", err)
	}
	defer f.Close()
	m, err := themes.LoadModel(f)
	if err != nil {
		return nil, fmt.Errorf("theme model %s: %w", path, err)
	}
	return m, nil
}

// matcher is the theme matcher every command tags with: the taxonomy of
// voc.yaml and its theme model. The fingerprint names both, so stored tags
// are redone when either changes.
func (a *app) matcher(modelOverride string) (*themes.Matcher, string, error) {
	tax, err := a.taxonomy()
	if err != nil {
		return nil, "", err
	}
	md, err := a.themeModel(modelOverride)
	if err != nil {
		return nil, "", err
	}
	if md == nil {
		return themes.NewMatcher(tax), themes.Fingerprint(tax, nil), nil
	}
	// the theme model reads clause polarity from the sentiment model it
	// was trained with (`voc train themes` uses the configured one)
	pol, err := a.sentimentModel("")
	if err != nil {
		return nil, "", err
	}
	return themes.NewMatcher(tax, themes.WithModel(md, pol)), themes.Fingerprint(tax, md), nil
}

// corpusRecord is one review of a corpus folder (../shared/data/NAME/
// train.jsonl): its text and the corpus's own rating.
type corpusRecord struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Stars *int   `json:"stars"`
	Label string `json:"label"`
}

// readCorpus reads every */train.jsonl under dir, in a stable order.
func readCorpus(dir string) ([]corpusRecord, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "train.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("corpus %s: no */train.jsonl files", dir)
	}
	sort.Strings(files)
	var out []corpusRecord
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 64*1024), 1<<22)
		for line := 1; sc.Scan(); line++ {
			var r corpusRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				fh.Close()
				return nil, fmt.Errorf("corpus %s line %d: %w", f, line, err)
			}
			r.Text = strings.TrimPrefix(r.Text, "\ufeff")
			out = append(out, r)
		}
		err = sc.Err()
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("corpus %s: %w", f, err)
		}
	}
	return out, nil
}

// labelledSet reads labelled files; lines without text take it (and the
// corpus rating) from the corpus folder by id.
func (a *app) labelledSet(cmd *cobra.Command, files []string, corpusDir string) ([]themes.Labelled, []corpusRecord, error) {
	var all []themes.Labelled
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, nil, fmt.Errorf("labelled data: %w", err)
		}
		ls, err := themes.ReadLabelled(cmd.Context(), fh, f)
		fh.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("labelled data: %w", err)
		}
		all = append(all, ls...)
	}
	need := false
	for _, l := range all {
		if l.Text == "" {
			need = true
		}
	}
	if !need {
		return all, nil, nil
	}
	corpus, err := readCorpus(corpusDir)
	if errors.Is(err, fs.ErrNotExist) || err != nil && strings.Contains(err.Error(), "no */train.jsonl") {
		return nil, nil, fmt.Errorf("labelled data holds ids only; their texts come from --corpus %s: %w", corpusDir, err)
	}
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]corpusRecord, len(corpus))
	for _, r := range corpus {
		byID[r.ID] = r
	}
	for i, l := range all {
		if l.Text != "" {
			continue
		}
		r, ok := byID[l.ID]
		if !ok {
			return nil, nil, fmt.Errorf("labelled data: id %q is in no corpus file under %s", l.ID, corpusDir)
		}
		all[i].Text, all[i].Stars, all[i].Label = r.Text, r.Stars, r.Label
	}
	return all, corpus, nil
}

func pickSplit(all []themes.Labelled, split string) ([]themes.Labelled, error) {
	if split == "all" {
		return all, nil
	}
	var out []themes.Labelled
	for _, l := range all {
		if l.Split == split {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no labelled reviews in split %q", split)
	}
	return out, nil
}

// defaultLabels is the project's real-review labelled set, and
// defaultCorpus where its texts live, relative to the project root.
const (
	defaultLabels = "models/themes/labels/real.jsonl"
	defaultCorpus = "../shared/data"
)

func (a *app) evalThemesCommand() *cobra.Command {
	var (
		files         []string
		corpus, split string
		modelPath     string
		errorsOut     bool
	)
	cmd := &cobra.Command{
		Use:   "themes",
		Short: "Measure theme tagging on labelled reviews",
		Long: `eval themes tags labelled JSON lines and prints precision, recall and F1
per theme and pooled (micro, over the 12 built-in themes), complaint-or-not
(with its recall on the reviews the corpus rates negative) and escalation.

A line is {"id", "text", "themes": ["quality", ...], "complaint": true,
"escalation": false, "split": "measure"}; "stars" or "label" (pos/neg) mark
negative reviews. Lines without "text" take it from --corpus by id, as the
project's own set (models/themes/labels/real.jsonl) does. --split picks the
part to measure: the real set's "measure" part is never tuned on.`,
		Example: `  voc eval themes --data models/themes/labels/real.jsonl --split measure
  voc eval themes --data mine.jsonl --model none     # the lexicon alone
  voc eval themes --data mine.jsonl --errors          # list what it gets wrong`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return errors.New("eval themes: name labelled data with --data FILE")
			}
			all, _, err := a.labelledSet(cmd, files, corpus)
			if err != nil {
				return err
			}
			items, err := pickSplit(all, split)
			if err != nil {
				return fmt.Errorf("eval themes: %w", err)
			}
			m, version, err := a.matcher(modelPath)
			if err != nil {
				return err
			}
			rep := themes.Evaluate(m, items, themes.BuiltinThemeIDs(), errorsOut)
			if a.jsonOut {
				return a.writeJSON(map[string]any{"tagger": version, "split": split, "report": rep})
			}
			a.printf("tagger %s, split %s\n\n", version, split)
			if err := rep.WriteTable(a.stdout); err != nil {
				return err
			}
			for _, e := range rep.Errors {
				a.printf("%s\t%s\t%s\n", e.ID, strings.Join(e.Wrong, " "), oneLine(e.Text))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&files, "data", nil, "labelled JSON lines file (repeatable)")
	f.StringVar(&corpus, "corpus", defaultCorpus, "folder of corpora (NAME/train.jsonl) that texts are taken from by id")
	f.StringVar(&split, "split", "all", `which part: all, or a split name ("measure", "tune")`)
	f.StringVar(&modelPath, "model", "", `theme model file (default: voc.yaml's themes.model, else the built-in one; "none": lexicon alone)`)
	f.BoolVar(&errorsOut, "errors", false, "list every review the tagger gets wrong")
	return cmd
}

// oneLine makes a review printable on one terminal line: control
// characters (escape sequences included) become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return ' '
		}
		return r
	}, s)
}

func (a *app) trainThemesCommand() *cobra.Command {
	var (
		files         []string
		corpus, split string
		out           string
		opt           themes.TrainOptions
	)
	cmd := &cobra.Command{
		Use:   "themes",
		Short: "Train the learned theme model from labelled and unlabelled reviews",
		Long: `train themes trains the model that tags complaint themes beside the word lists
of the taxonomy. It learns from the labelled reviews of --split (the real
set's "tune" part by default; the "measure" part is never trained on) and
from weak labels on every other review under --corpus: the lexicon's
complaint hits and the sentiment model's clearly positive or negative
clauses. Reviews of any labelled file, and texts equal to one, are never
used as weak data. Thresholds per theme are calibrated on held-out folds of
the labelled part. The same data and seed give the same model, byte for
byte.

Point voc.yaml's themes.model at the file to use it; models/README.md says
how the built-in model was made.`,
		Example: `  voc train themes --out themes.model
  voc train themes --data models/themes/labels/real.jsonl --corpus ../shared/data --out themes.model`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("train themes: need --out FILE")
			}
			all, records, err := a.labelledSet(cmd, files, corpus)
			if err != nil {
				return err
			}
			gold, err := pickSplit(all, split)
			if err != nil {
				return fmt.Errorf("train themes: %w", err)
			}
			if records == nil {
				if records, err = readCorpus(corpus); err != nil {
					return fmt.Errorf("train themes: weak data: %w", err)
				}
			}
			skipID, skipText := map[string]bool{}, map[string]bool{}
			for _, l := range all {
				skipID[l.ID], skipText[l.Text] = true, true
			}
			var weak []string
			for _, r := range records {
				if !skipID[r.ID] && !skipText[r.Text] && strings.TrimSpace(r.Text) != "" {
					weak = append(weak, r.Text)
				}
			}
			tax, err := a.taxonomy()
			if err != nil {
				return err
			}
			scorer, err := a.sentimentModel("")
			if err != nil {
				return err
			}
			p := a.progress("training")
			opt.Progress = p.update
			m, err := themes.Train(cmd.Context(), themes.TrainData{Gold: gold, Weak: weak, Lexicon: themes.NewMatcher(tax), Scorer: scorer}, opt)
			p.done()
			if err != nil {
				return err
			}
			if err := writeFileAtomic(out, m.Save); err != nil {
				return fmt.Errorf("train themes: write %s: %w", out, err)
			}
			thr := map[string]float64{}
			for _, h := range m.Heads() {
				thr[h] = m.Threshold(h)
			}
			if a.jsonOut {
				return a.writeJSON(map[string]any{"model": out, "version": m.Version(), "gold": len(gold), "weak": len(weak), "thresholds": thr})
			}
			a.printf("trained on %d labelled reviews and %d weakly labelled ones; wrote %s, version %s\n\n", len(gold), len(weak), out, m.Version())
			a.printf("%-22s %9s   held-out folds of the labelled part: %5s %5s %5s %6s %6s\n", "head", "threshold", "tp", "fp", "fn", "P", "R")
			for _, h := range m.Heads() {
				c, _ := m.Heldout(h)
				a.printf("%-22s %9.3f   %42d %5d %5d %6.3f %6.3f\n", h, thr[h], c.TP, c.FP, c.FN, c.Precision(), c.Recall())
			}
			a.printf("measure it: voc eval themes --model %s --data %s --split measure\n", out, defaultLabels)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&files, "data", []string{defaultLabels}, "labelled JSON lines file (repeatable)")
	f.StringVar(&corpus, "corpus", defaultCorpus, "folder of corpora (NAME/train.jsonl): texts by id, and the weak data")
	f.StringVar(&split, "split", "tune", `which labelled part to train on ("all" for every line)`)
	f.StringVar(&out, "out", "", "model file to write")
	f.Int64Var(&opt.Seed, "seed", 1, "random seed (same data and seed give the same model)")
	f.IntVar(&opt.Epochs, "epochs", 0, "passes over the data (default 6)")
	f.Float64Var(&opt.WeakThemes, "weak-themes", 0, "weight of the lexicon's weak theme labels on unlabelled clauses (default 0: off, see models/README.md)")
	f.Float64Var(&opt.WeakComplaint, "weak-complaint", 0, "weight of the sentiment model's weak complaint labels (default 0.3)")
	f.Float64Var(&opt.MinPrecision, "min-precision", 0, "pick each theme's threshold for the best F1 at this held-out precision or better (default: best F1)")
	f.Float64Var(&opt.GoldWeight, "gold-weight", 0, "weight of a labelled review (default 4)")
	f.UintVar(&opt.Bits, "bits", 0, "log2 of the hash buckets (default 18)")
	return cmd
}

// writeFileAtomic writes path through a temporary file in the same folder,
// so a crash never leaves half a model where a good one was.
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
