package pipeline

import (
	"context"
	"slices"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/models/sentiment"
	"github.com/voc-analytics/voc/warehouse"
)

// Scorer reads the satisfaction level of a text. The trained model in
// models/sentiment is one; a user-trained model is another. Version must
// change whenever the scores would, so history is re-scored exactly when
// the model changes. Explain is called from several goroutines at once.
type Scorer interface {
	Version() string
	Explain(text string, n int) sentiment.Result
}

// ScoreOptions tunes a scoring pass. The zero value is sensible.
type ScoreOptions struct {
	// BatchSize is how many items are read, scored and stored per
	// transaction: a crash loses at most one batch of work, never stores
	// half of one.
	BatchSize int
	// Reasons is how many phrases to keep per item as its explanation.
	Reasons int
	// Progress, if set, is called after each batch.
	Progress func(done, total int)
}

// ScoreSummary says what a scoring pass did.
type ScoreSummary struct {
	Model         string        `json:"model"`
	Scored        int           `json:"scored"`
	NoText        int           `json:"no_text"`
	Disagreements int           `json:"disagreements"`
	Levels        [6]int        `json:"levels"` // text levels found, index 1-5; 0 counts items without text
	Duration      time.Duration `json:"duration_ns"`
}

// Score reads every item that has no score from this model for its current
// content (new items, edited items, and all of history when the model
// changed), scores its text and stores the result with its explanation.
func Score(ctx context.Context, db *warehouse.DB, s Scorer, opt ScoreOptions) (ScoreSummary, error) {
	start := time.Now()
	if opt.BatchSize <= 0 {
		opt.BatchSize = 5000
	}
	if opt.Reasons <= 0 {
		opt.Reasons = 5
	}
	sum := ScoreSummary{Model: s.Version()}
	total, err := db.CountToScore(ctx, sum.Model)
	if err != nil {
		return sum, err
	}
	out := make([]warehouse.ScoredItem, 0, opt.BatchSize)
	sum.Scored, err = batches(ctx, "score", opt.BatchSize,
		func(after int64, n int) ([]warehouse.ScoreInput, error) {
			return db.ItemsToScore(ctx, sum.Model, after, n)
		},
		func(in warehouse.ScoreInput) int64 { return in.ID },
		func(batch []warehouse.ScoreInput) error {
			out = slices.Grow(out[:0], len(batch))[:len(batch)]
			parallel(len(batch), func(i int) {
				in := batch[i]
				sc := ScoreText(s, in.Text, opt.Reasons)
				sc.ItemID, sc.Rating = in.ID, in.Rating
				out[i] = warehouse.ScoredItem{Score: sc, ContentHash: in.ContentHash}
			})
			for _, it := range out {
				sc := it.Score
				sum.Levels[sc.TextLevel]++
				if !sc.TextLevel.Valid() {
					sum.NoText++
				}
				if sc.Disagrees() {
					sum.Disagreements++
				}
			}
			return db.SaveScores(ctx, out)
		},
		progressOf(opt.Progress, total))
	if err != nil {
		return sum, err
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// ScoreText scores one text as the pipeline stores it. An empty text has
// no text level: its item keeps the level of its rating.
func ScoreText(s Scorer, text string, reasons int) voc.Score {
	r := s.Explain(text, reasons)
	sc := voc.Score{Model: s.Version()}
	if r.NoText || !r.Level.Valid() {
		return sc
	}
	sc.TextLevel, sc.Value, sc.Confidence = r.Level, r.Score, r.Confidence
	for _, c := range r.Reasons {
		sc.Reasons = append(sc.Reasons, voc.Reason{Phrase: c.Phrase, Weight: c.Weight})
	}
	return sc
}

// progressOf adapts a (done, total) progress callback; nil stays nil.
func progressOf(f func(done, total int), total int) func(int) {
	if f == nil {
		return nil
	}
	return func(done int) { f(done, total) }
}
