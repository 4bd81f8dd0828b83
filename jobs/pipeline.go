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

// PipelineSummary is what one pipeline run did.
type PipelineSummary struct {
	RunID int64                 `json:"run_id"`
	Score pipeline.ScoreSummary `json:"score"`
}

// RunPipeline scores every item that needs it and records the run. A
// cancelled run keeps the batches it committed; the next run carries on
// from there.
func RunPipeline(ctx context.Context, db *warehouse.DB, scorer pipeline.Scorer, opt pipeline.ScoreOptions) (*PipelineSummary, error) {
	run, err := db.StartRun(ctx, JobPipeline, "")
	if err != nil {
		return nil, err
	}
	sum := &PipelineSummary{RunID: run.ID}
	sum.Score, err = pipeline.Score(ctx, db, scorer, opt)
	run.Status, run.Loaded = voc.RunOK, sum.Score.Scored
	if err != nil {
		run.Status, run.Error = voc.RunFailed, err.Error()
	}
	detail, _ := json.Marshal(sum.Score)
	run.Detail = string(detail)
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := db.FinishRun(finishCtx, run); ferr != nil && err == nil {
		err = ferr
	}
	return sum, err
}
