package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/pipeline"
	"github.com/voc-analytics/voc/warehouse"
)

// JobPipeline is the job name pipeline runs are recorded under.
const JobPipeline = "pipeline"

// Pipeline is what a pipeline run needs: the scorer, the theme matcher with
// the fingerprint of its taxonomy, and the options of each stage.
type Pipeline struct {
	Scorer   pipeline.Scorer
	Score    pipeline.ScoreOptions
	Tagger   pipeline.Tagger
	Taxonomy string // fingerprint of the Tagger's taxonomy (themes.Fingerprint)
	Tag      pipeline.TagOptions
	Trend    pipeline.TrendOptions
}

// PipelineSummary is what one pipeline run did.
type PipelineSummary struct {
	RunID       int64                      `json:"run_id"`
	ProductKeys pipeline.ProductKeySummary `json:"product_keys"`
	Score       pipeline.ScoreSummary      `json:"score"`
	Tag         pipeline.TagSummary        `json:"tag"`
	// Emerging and Recurring list the themes flagged in the latest week.
	Emerging  []string `json:"emerging"`
	Recurring []string `json:"recurring"`
}

// RunPipeline keys the products of new and edited items (so reports group
// 降噪耳機 with 降噪耳机), scores and tags every item that needs it,
// recomputes the theme trends and records the run. A cancelled run keeps
// the batches it committed; the next run carries on from there.
func RunPipeline(ctx context.Context, db *warehouse.DB, p Pipeline) (*PipelineSummary, error) {
	run, err := db.StartRun(ctx, JobPipeline, "")
	if err != nil {
		return nil, err
	}
	sum := &PipelineSummary{RunID: run.ID, Emerging: []string{}, Recurring: []string{}}
	err = runStages(ctx, db, p, sum)
	run.Status, run.Loaded = voc.RunOK, sum.Score.Scored
	if err != nil {
		run.Status, run.Error = voc.RunFailed, err.Error()
	}
	detail, _ := json.Marshal(sum)
	run.Detail = string(detail)
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := db.FinishRun(finishCtx, run); ferr != nil && err == nil {
		err = ferr
	}
	return sum, err
}

func runStages(ctx context.Context, db *warehouse.DB, p Pipeline, sum *PipelineSummary) error {
	var err error
	if sum.ProductKeys, err = pipeline.ProductKeys(ctx, db); err != nil {
		return err
	}
	if sum.Score, err = pipeline.Score(ctx, db, p.Scorer, p.Score); err != nil {
		return err
	}
	if p.Tagger == nil {
		return nil
	}
	if sum.Tag, err = pipeline.Tag(ctx, db, p.Tagger, p.Taxonomy, p.Tag); err != nil {
		return err
	}
	weeks, err := pipeline.Trends(ctx, db, p.Trend)
	if err != nil {
		return err
	}
	var latest time.Time
	for _, w := range weeks {
		if w.Week.After(latest) {
			latest = w.Week
		}
	}
	for _, w := range weeks {
		if !w.Week.Equal(latest) {
			continue
		}
		if w.Emerging {
			sum.Emerging = append(sum.Emerging, w.Theme)
		}
		if w.Recurring {
			sum.Recurring = append(sum.Recurring, w.Theme)
		}
	}
	return nil
}
