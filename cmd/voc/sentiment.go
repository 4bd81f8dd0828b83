package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/jobs"
	"github.com/voc-analytics/voc/models/sentiment"
	"github.com/voc-analytics/voc/output"
	"github.com/voc-analytics/voc/pipeline"
)

// sentimentModel loads the model voc.yaml names, or the built-in one. It is
// loaded once per invocation.
func (a *app) sentimentModel(override string) (*sentiment.Model, error) {
	path := override
	if path == "" && a.cfg != nil {
		path = a.cfg.Sentiment.Model
	}
	if path == "" {
		return sentiment.Default()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sentiment model: %w", err)
	}
	defer f.Close()
	m, err := sentiment.Load(f)
	if err != nil {
		return nil, fmt.Errorf("sentiment model %s: %w", path, err)
	}
	return m, nil
}

// scoreLine is the output contract of `voc score`, relied on by external
// evaluation: do not rename or drop fields.
type scoreLine struct {
	ID         json.RawMessage `json:"id"`
	Level      int             `json:"level"`
	Score      float64         `json:"score"`
	Confidence float64         `json:"confidence"`
	Label      string          `json:"label"`
	LabelZH    string          `json:"label_zh"`
	// NoText marks a line whose text had nothing to read: its level is the
	// rating given with it, or 3 (neutral) with confidence 0.
	NoText bool `json:"no_text,omitempty"`
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// scorer is the sentiment model reconciled with the theme tagger (see
// pipeline.Consistent): what `voc score`, `voc explain` and the pipeline
// give a text.
func (a *app) scorer(modelPath string) (*pipeline.Consistent, error) {
	m, err := a.sentimentModel(modelPath)
	if err != nil {
		return nil, err
	}
	matcher, fingerprint, err := a.matcher("")
	if err != nil {
		return nil, err
	}
	return pipeline.NewConsistent(m, matcher, fingerprint), nil
}

func scoreOne(m pipeline.FastScorer, in textInput) scoreLine {
	r := m.Score(in.Text)
	out := scoreLine{ID: in.ID}
	if r.NoText || !r.Level.Valid() {
		lvl := in.Rating
		if !lvl.Valid() {
			lvl = voc.Neutral
		}
		out.Level, out.Score, out.NoText = int(lvl), float64(lvl), true
		if in.Rating.Valid() {
			out.Confidence = 1
		}
	} else {
		out.Level, out.Score, out.Confidence = int(r.Level), round4(r.Score), round4(r.Confidence)
	}
	out.Label, out.LabelZH = voc.Level(out.Level).LabelEN(), voc.Level(out.Level).LabelZH()
	return out
}

func (a *app) scoreCommand() *cobra.Command {
	var modelPath string
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Score JSON lines of text on the five-level scale (stdin to stdout)",
		Long: `score reads JSON lines {"id": ..., "text": "..."} on stdin and writes one JSON
line per input, in order, as soon as it is scored:

  {"id": ..., "level": 1-5, "score": 1.0-5.0, "confidence": 0-1, "label": "...", "label_zh": "..."}

The id is passed back as given (string, number or any JSON value). An input
may carry "rating" or "stars" (1-5): when its text is empty, that rating is
its level. Empty text without a rating is level 3 with confidence 0 and
"no_text": true. A line that is not valid JSON gets {"id": ..., "error":
"line N: ..."} and the exit code is 2.`,
		Example: `  echo '{"id": 1, "text": "物流太慢了，包装也破了"}' | voc score
  voc score < reviews.jsonl > scored.jsonl
  voc score --model my.model < reviews.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := a.scorer(modelPath)
			if err != nil {
				return err
			}
			_, bad, err := streamJSONL(cmd.Context(), a.stdin, a.stdout, func(in textInput) any { return scoreOne(m, in) })
			if err != nil {
				return err
			}
			if bad > 0 {
				return partialError{fmt.Sprintf("%d input lines could not be read", bad)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&modelPath, "model", "", "model file (default: voc.yaml's sentiment.model, else the built-in model)")
	return cmd
}

func (a *app) explainCommand() *cobra.Command {
	var modelPath string
	var n int
	cmd := &cobra.Command{
		Use:   "explain TEXT",
		Short: "Show the level of a text and the phrases that decided it",
		Long: `explain scores one text and lists the phrases that pushed its score up (+)
or down (-), strongest first: why a review is a 2. Use - to read the text
from stdin.`,
		Example: `  voc explain "物流不慢，但是客服态度太差了"
  voc explain --json "Not bad at all, but the battery died in a week"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := a.scorer(modelPath)
			if err != nil {
				return err
			}
			text := strings.Join(args, " ")
			if text == "-" {
				b, err := readAllLimited(a.stdin, maxLineBytes)
				if err != nil {
					return err
				}
				text = string(b)
			}
			r := m.Model.Explain(text, n)
			sc := pipeline.ScoreText(m, text, n)
			if a.jsonOut {
				return a.writeJSON(map[string]any{
					"text": text, "level": int(sc.TextLevel), "score": round4(sc.Value), "confidence": round4(sc.Confidence),
					"label": sc.TextLevel.LabelEN(), "label_zh": sc.TextLevel.LabelZH(), "no_text": r.NoText,
					"reasons": nonNil(sc.Reasons), "model": m.Version(),
				})
			}
			if r.NoText {
				a.printf("no text to score: the item keeps its rating's level\n")
				return nil
			}
			a.printf("%s  (score %.2f, confidence %.0f%%)\n", sc.TextLevel, sc.Value, sc.Confidence*100)
			if sc.TextLevel != r.Level {
				a.printf("the phrases alone read %s; the text complains and praises nothing, so it is no satisfied customer\n", r.Level)
			}
			a.printf("\n")
			t := output.Table{Columns: []string{"effect", "phrase"}}
			for _, c := range sc.Reasons {
				t.Rows = append(t.Rows, []any{fmt.Sprintf("%+.2f", c.Weight), c.Phrase})
			}
			return output.WriteTable(a.stdout, t)
		},
	}
	cmd.Flags().StringVar(&modelPath, "model", "", "model file (default: voc.yaml's sentiment.model, else the built-in model)")
	cmd.Flags().IntVarP(&n, "n", "n", 8, "how many phrases to show")
	return cmd
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// datasetName names a labelled file for per-dataset figures: the folder of
// a corpus's train.jsonl, else the file's own name.
func datasetName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if base == "train" || base == "test" || base == "dev" {
		return filepath.Base(filepath.Dir(path))
	}
	return base
}

func (a *app) readExamples(cmd *cobra.Command, files []string) ([]sentiment.Example, error) {
	var all []sentiment.Example
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("labelled data: %w", err)
		}
		exs, err := sentiment.ReadJSONL(cmd.Context(), fh, datasetName(f))
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("labelled data %s: %w", f, err)
		}
		all = append(all, exs...)
	}
	return all, nil
}

func (a *app) evalCommand() *cobra.Command {
	var (
		files     []string
		modelPath string
		split     string
		balanced  bool
		seed      int64
	)
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Measure the sentiment model on labelled data",
		Long: `eval scores labelled JSON lines ({"text", "stars"} with 1-5 stars, or {"text",
"label"} with 0/1 for binary corpora) and prints exact accuracy, within-one
accuracy, mean absolute error, quadratic weighted kappa, binary accuracy
(levels 1-2 vs 4-5; a 3 counts as wrong) and the confusion matrix, pooled and
per dataset (a corpus's folder name, or the file name).

--split heldout evaluates only the held-out part that 'voc train sentiment'
never trains on; --balanced samples equal counts per star level (and per
label) within each dataset, so a skewed corpus cannot flatter the figures.`,
		Example: `  voc eval --data my-labelled.jsonl
  voc eval --split heldout --balanced --data ../shared/data/jd_comments_marginc/train.jsonl --data ../shared/data/amazon_marc_zh/train.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return errors.New("eval: name labelled data with --data FILE")
			}
			m, err := a.sentimentModel(modelPath)
			if err != nil {
				return err
			}
			all, err := a.readExamples(cmd, files)
			if err != nil {
				return err
			}
			var exs []sentiment.Example
			switch split {
			case "all":
				exs = all
			case "heldout":
				for _, ex := range all {
					if sentiment.Split(ex) {
						exs = append(exs, ex)
					}
				}
			default:
				return fmt.Errorf("eval: --split must be all or heldout, not %q", split)
			}
			if balanced {
				exs = sentiment.Balanced(exs, seed)
			}
			if len(exs) == 0 {
				return errors.New("eval: no labelled examples to evaluate")
			}
			preds := make([]sentiment.Prediction, len(exs))
			p := a.progress("scoring")
			for i, ex := range exs {
				preds[i] = sentiment.Prediction{Example: ex, Level: m.Score(ex.Text).Level}
				if i%1000 == 0 {
					p.update(i, len(exs))
				}
			}
			p.done()
			// ByDataset ends with "all", the pooled figures.
			names, per := sentiment.ByDataset(preds)
			pooled := per["all"]
			names = names[:len(names)-1]
			if a.jsonOut {
				out := map[string]any{"model": m.Version(), "split": split, "balanced": balanced, "pooled": metricsJSON(pooled), "datasets": map[string]any{}}
				for _, n := range names {
					out["datasets"].(map[string]any)[n] = metricsJSON(per[n])
				}
				return a.writeJSON(out)
			}
			a.printf("model %s, %d examples (split %s, balanced %v)\n\n", m.Version(), len(exs), split, balanced)
			t := output.Table{Columns: []string{"dataset", "n", "exact", "within-1", "MAE", "QWK", "binary"}}
			row := func(name string, mt sentiment.Metrics) {
				t.Rows = append(t.Rows, []any{name, int64(mt.N), pct(mt.Exact), pct(mt.WithinOne), fmt.Sprintf("%.3f", mt.MAE), qwkText(mt), pct(mt.BinaryAcc)})
			}
			for _, n := range names {
				row(n, per[n])
			}
			row("pooled", pooled)
			if err := output.WriteTable(a.stdout, t); err != nil {
				return err
			}
			a.printf("\nconfusion (star-rated examples; rows gold, columns predicted):\n%s", pooled.ConfusionTable())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&files, "data", nil, "labelled JSON lines file (repeatable)")
	f.StringVar(&modelPath, "model", "", "model file (default: voc.yaml's sentiment.model, else the built-in model)")
	f.StringVar(&split, "split", "all", "which examples: all, or heldout (the part training never sees)")
	f.BoolVar(&balanced, "balanced", false, "sample equal counts per star level / label within each dataset")
	f.Int64Var(&seed, "seed", 1, "seed for --balanced sampling")
	cmd.AddCommand(a.evalThemesCommand())
	return cmd
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func qwkText(mt sentiment.Metrics) string {
	if mt.NStars == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", mt.QWK)
}

func metricsJSON(mt sentiment.Metrics) map[string]any {
	return map[string]any{
		"n": mt.N, "n_stars": mt.NStars, "n_binary": mt.NBinary, "exact": mt.Exact, "within_one": mt.WithinOne,
		"mae": mt.MAE, "qwk": mt.QWK, "binary_accuracy": mt.BinaryAcc, "confusion": mt.Confusion,
	}
}

func (a *app) trainCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "train",
		Short:   "Train models from labelled data",
		Example: `  voc train sentiment --data mine.jsonl --out my.model`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		files []string
		out   string
		opt   sentiment.TrainOptions
	)
	ts := &cobra.Command{
		Use:   "sentiment",
		Short: "Train a five-level sentiment model from labelled reviews",
		Long: `train sentiment trains a model from labelled JSON lines: {"text", "stars"}
(1-5) and/or binary {"text", "label"} (1 positive, 0 negative). The held-out
split (10% of each file, chosen by a hash of the text) is never trained on,
so 'voc eval --split heldout' measures on unseen reviews. The same data and
seed give the same model, byte for byte.

Point voc.yaml's sentiment.model at the file to use it.`,
		Example: `  voc train sentiment --data mine.jsonl --out my.model
  voc train sentiment --out voc.model $(for d in ../shared/data/*/; do echo --data $d/train.jsonl; done)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 || out == "" {
				return errors.New("train sentiment: need --data FILE and --out FILE")
			}
			all, err := a.readExamples(cmd, files)
			if err != nil {
				return err
			}
			var train []sentiment.Example
			for _, ex := range all {
				if !sentiment.Split(ex) {
					train = append(train, ex)
				}
			}
			p := a.progress("training")
			opt.Progress = p.update
			m, err := sentiment.Train(cmd.Context(), train, opt)
			p.done()
			if err != nil {
				return err
			}
			f, err := os.Create(out)
			if err != nil {
				return fmt.Errorf("train sentiment: %w", err)
			}
			if err := m.Save(f); err != nil {
				f.Close()
				return fmt.Errorf("train sentiment: write %s: %w", out, err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("train sentiment: write %s: %w", out, err)
			}
			if a.jsonOut {
				return a.writeJSON(map[string]any{"model": out, "version": m.Version(), "trained_on": len(train), "held_out": len(all) - len(train)})
			}
			a.printf("trained on %d examples (%d held out); wrote %s, version %s\n", len(train), len(all)-len(train), out, m.Version())
			a.printf("measure it: voc eval --model %s --split heldout --balanced --data ...\n", out)
			return nil
		},
	}
	f := ts.Flags()
	f.StringArrayVar(&files, "data", nil, "labelled JSON lines file (repeatable)")
	f.StringVar(&out, "out", "", "model file to write")
	f.Int64Var(&opt.Seed, "seed", 1, "random seed (same data and seed give the same model)")
	f.IntVar(&opt.Epochs, "epochs", 0, "passes over the data (default 10)")
	f.StringVar(&opt.Link, "link", "ordinal", `output layer: "ordinal" (four "level > k" heads) or "softmax" (five-way)`)
	cmd.AddCommand(ts, a.trainThemesCommand())
	return cmd
}

func (a *app) pipelineCommand() *cobra.Command {
	var modelPath string
	cmd := &cobra.Command{
		Use:   "pipeline",
		Short: "Score and tag every item that needs it, and update theme trends",
		Long: `pipeline first keys the products of new and edited items (降噪耳機 and
降噪耳机, "AirPods Pro" and "airpods pro" group as one product in reports),
then reads the items that have no score from the current model for their
current content (new items, edited ones, and all of history after a model
change), scores their text on the five-level scale and stores level, score,
confidence and the phrases behind each score; then tags the items the
current taxonomy has not seen with complaint themes and escalation risk; then
recomputes each theme's weekly figures and its recurring/emerging status.
Each batch is one transaction: an interrupted run keeps what it finished and
the next run carries on.`,
		Example: `  voc pipeline
  voc pipeline --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := a.progress("pipeline")
			job, err := a.pipelineConfig(modelPath, p.update)
			if err != nil {
				return err
			}
			db, err := a.openDB(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer db.Close()
			sum, err := jobs.RunPipeline(cmd.Context(), db, job)
			p.done()
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.writeJSON(sum)
			}
			a.printPipeline(sum)
			return nil
		},
	}
	cmd.Flags().StringVar(&modelPath, "model", "", "model file (default: voc.yaml's sentiment.model, else the built-in model)")
	return cmd
}

func (a *app) printPipeline(sum *jobs.PipelineSummary) {
	if pk := sum.ProductKeys; pk.Products > 0 {
		a.printf("keyed %d product names on %d items (spellings of one product now group together)\n", pk.Products, pk.Items)
	}
	s := sum.Score
	a.printf("scored %d items with model %s in %s (%d without text, %d where rating and text disagree)\n",
		s.Scored, s.Model, s.Duration.Round(1e6), s.NoText, s.Disagreements)
	if s.Scored > s.NoText {
		a.printf("text levels:")
		for l := voc.VerySatisfied; l >= voc.VeryDissatisfied; l-- {
			a.printf("  %d %s %d", int(l), l.LabelZH(), s.Levels[l])
		}
		a.printf("\n")
	}
	t := sum.Tag
	if t.Tagged > 0 {
		a.printf("tagged %d items with taxonomy %s: %d with themes, %d threatening escalation\n", t.Tagged, t.Taxonomy, t.WithThemes, t.Escalations)
	}
	if len(sum.Emerging) > 0 {
		a.printf("emerging this week: %s\n", strings.Join(sum.Emerging, ", "))
	}
	if len(sum.Recurring) > 0 {
		a.printf("recurring: %s\n", strings.Join(sum.Recurring, ", "))
	}
}
