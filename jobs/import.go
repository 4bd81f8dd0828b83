package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/voc-analytics/voc"
	"github.com/voc-analytics/voc/collectors/survey"
	"github.com/voc-analytics/voc/warehouse"
)

// JobImportSurvey is the job name runs of ImportSurvey are recorded under.
const JobImportSurvey = "import survey"

// ImportSummary is what an import did, in the counts a user checks:
// Loaded new items, Duplicates already stored (left as they were), Updated
// items whose content changed since they were stored, Rejected rows
// quarantined in the rejects table.
type ImportSummary struct {
	Source     string       `json:"source"`
	Loaded     int          `json:"loaded"`
	Duplicates int          `json:"duplicates"`
	Updated    int          `json:"updated"`
	Rejected   int          `json:"rejected"`
	Files      []FileImport `json:"files"`
}

// FileImport is one file's part of an import.
type FileImport struct {
	File       string            `json:"file"`
	Format     string            `json:"format"`
	Encoding   string            `json:"encoding"`
	Columns    map[string]string `json:"columns"`
	Rows       int               `json:"rows"`
	Loaded     int               `json:"loaded"`
	Duplicates int               `json:"duplicates"`
	Updated    int               `json:"updated"`
	Rejected   int               `json:"rejected"`
	RunID      int64             `json:"run_id"`
	Rejects    []RejectInfo      `json:"rejects"`
	Duration   time.Duration     `json:"duration_ns"`
}

// RejectInfo locates one rejected row.
type RejectInfo struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Partial reports whether some input was left out.
func (s *ImportSummary) Partial() bool { return s.Rejected > 0 }

// ImportSurvey loads survey exports into the warehouse, one file at a time.
// Each file is one transaction (its raw bytes, its items and its rejects
// are stored together or not at all) and one run in the history. The first
// file that fails to parse or store stops the import with an error naming
// it; the files before it stay imported, and the summary says what they did.
func ImportSurvey(ctx context.Context, db *warehouse.DB, source string, files []string, opt survey.Options) (*ImportSummary, error) {
	if source == "" {
		return nil, fmt.Errorf("import survey: a source name is needed (--source)")
	}
	opt.Source = source
	sum := &ImportSummary{Source: source, Files: []FileImport{}}
	if err := db.EnsureSource(ctx, source, "survey"); err != nil {
		return sum, err
	}
	for _, f := range files {
		fi, err := importFile(ctx, db, f, opt)
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

func importFile(ctx context.Context, db *warehouse.DB, path string, opt survey.Options) (*FileImport, error) {
	start := time.Now()
	run, err := db.StartRun(ctx, JobImportSurvey, opt.Source)
	if err != nil {
		return nil, err
	}
	fi, err := parseAndStore(ctx, db, path, opt, run.ID)
	fi.Duration = time.Since(start)
	run.Status = voc.RunOK
	if err != nil {
		run.Status = voc.RunFailed
		run.Error = err.Error()
	} else {
		run.Loaded, run.Dupes, run.Updated, run.Rejected = fi.Loaded, fi.Duplicates, fi.Updated, fi.Rejected
		if fi.Rejected > 0 {
			run.Status = voc.RunPartial
		}
	}
	detail, _ := json.Marshal(map[string]any{"file": path, "format": fi.Format, "encoding": fi.Encoding, "rows": fi.Rows})
	run.Detail = string(detail)
	// The run is recorded even when the import failed or ctx was cancelled:
	// history that forgets failures is no history.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := db.FinishRun(finishCtx, run); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return fi, err
	}
	return fi, nil
}

func parseAndStore(ctx context.Context, db *warehouse.DB, path string, opt survey.Options, runID int64) (*FileImport, error) {
	fi := &FileImport{File: path, RunID: runID, Rejects: []RejectInfo{}}
	res, err := survey.ParseFile(ctx, path, opt)
	if err != nil {
		return fi, err
	}
	fi.Format, fi.Encoding, fi.Columns, fi.Rows = res.Format, res.Encoding, res.Columns, res.Rows
	for _, r := range res.Rejects {
		fi.Rejects = append(fi.Rejects, RejectInfo{File: r.File, Line: r.Line, Reason: r.Reason})
	}
	var up warehouse.UpsertResult
	err = db.InTx(ctx, func(tx *warehouse.Tx) error {
		if _, err := tx.SaveRaw(ctx, res.Payload); err != nil {
			return err
		}
		var err error
		if up, err = tx.UpsertItems(ctx, res.Items); err != nil {
			return err
		}
		_, err = tx.AddRejects(ctx, runID, res.Rejects)
		return err
	})
	if err != nil {
		return fi, fmt.Errorf("import %s: %w", path, err)
	}
	// Counted only once committed: a rolled-back import loaded nothing.
	fi.Loaded, fi.Duplicates, fi.Updated = up.Inserted, up.Unchanged, up.Updated
	fi.Rejected = len(res.Rejects)
	return fi, nil
}
