package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors/complaints"
	"github.com/voc-analytics/voc/warehouse"
)

// JobImportComplaints is the job name runs of ImportComplaints are
// recorded under.
const JobImportComplaints = "import complaints"

// ImportComplaints loads helpdesk exports of complaint tickets, one file at
// a time, each file one transaction (raw bytes, items, ticket rows and
// rejects together) and one run in the history, as ImportSurvey does.
//
// Counts are per ticket: Loaded new tickets, Duplicates tickets stored as
// they are, Updated tickets whose content or handling changed since (a
// re-export where a ticket got closed), Rejected rows quarantined.
func ImportComplaints(ctx context.Context, db *warehouse.DB, source string, files []string, opt complaints.Options) (*ImportSummary, error) {
	if source == "" {
		return nil, fmt.Errorf("import complaints: a source name is needed (--source)")
	}
	opt.Source = source
	sum := &ImportSummary{Source: source, Files: []FileImport{}}
	if err := db.EnsureSource(ctx, source, "complaints"); err != nil {
		return sum, err
	}
	for _, f := range files {
		fi, err := importComplaintFile(ctx, db, f, opt)
		if fi != nil {
			sum.Files = append(sum.Files, *fi)
			sum.Loaded += fi.Loaded
			sum.Duplicates += fi.Duplicates
			sum.Updated += fi.Updated
			sum.Rejected += fi.Rejected
		}
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func importComplaintFile(ctx context.Context, db *warehouse.DB, path string, opt complaints.Options) (*FileImport, error) {
	start := time.Now()
	run, err := db.StartRun(ctx, JobImportComplaints, opt.Source)
	if err != nil {
		return nil, err
	}
	fi, err := storeComplaints(ctx, db, path, opt, run.ID)
	fi.Duration = time.Since(start)
	run.Status = voc.RunOK
	if err != nil {
		run.Status, run.Error = voc.RunFailed, err.Error()
	} else {
		run.Loaded, run.Dupes, run.Updated, run.Rejected = fi.Loaded, fi.Duplicates, fi.Updated, fi.Rejected
		if fi.Rejected > 0 {
			run.Status = voc.RunPartial
		}
	}
	detail, _ := json.Marshal(map[string]any{"file": path, "format": fi.Format, "encoding": fi.Encoding, "rows": fi.Rows})
	run.Detail = string(detail)
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := db.FinishRun(finishCtx, run); ferr != nil && err == nil {
		err = ferr
	}
	return fi, err
}

func storeComplaints(ctx context.Context, db *warehouse.DB, path string, opt complaints.Options, runID int64) (*FileImport, error) {
	fi := &FileImport{File: path, RunID: runID, Format: "complaints", Rejects: []RejectInfo{}}
	res, err := complaints.ParseFile(ctx, path, opt)
	if err != nil {
		return fi, err
	}
	fi.Encoding, fi.Columns, fi.Rows = res.Encoding, res.Columns, res.Rows
	for _, r := range res.Rejects {
		fi.Rejects = append(fi.Rejects, RejectInfo{File: r.File, Line: r.Line, Reason: r.Reason})
	}
	recs := make([]warehouse.ComplaintRecord, len(res.Tickets))
	for i, t := range res.Tickets {
		recs[i] = warehouse.ComplaintRecord{
			Item: t.Item, Channel: t.Channel, ChannelRaw: t.ChannelRaw,
			FirstResponseAt: t.FirstResponseAt, ClosedAt: t.ClosedAt, Category: t.Category, Notes: t.Notes,
			Result: t.Result, Compensation: t.Compensation, CompensationAmount: t.CompensationAmount,
			Demanded: t.Demanded, DemandTerms: t.DemandTerms, Punitive: t.Punitive, OrderValue: t.OrderValue,
			Satisfaction: t.Satisfaction, EscalatedTo: t.EscalatedTo,
		}
	}
	var up warehouse.UpsertResult
	err = db.InTx(ctx, func(tx *warehouse.Tx) error {
		if _, err := tx.SaveRaw(ctx, res.Payload); err != nil {
			return err
		}
		var err error
		if up, err = tx.UpsertComplaints(ctx, recs); err != nil {
			return err
		}
		_, err = tx.AddRejects(ctx, runID, res.Rejects)
		return err
	})
	if err != nil {
		return fi, fmt.Errorf("import %s: %w", path, err)
	}
	fi.Loaded, fi.Duplicates, fi.Updated = up.Inserted, up.Unchanged, up.Updated
	fi.Rejected = len(res.Rejects)
	return fi, nil
}
