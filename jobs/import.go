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
	opt.Source = source
	return importFiles(ctx, db, fileImport{job: JobImportSurvey, source: source, typ: "survey"}, files,
		func(path string, runID int64, fi *FileImport) (*parsed, error) {
			res, err := survey.ParseFile(ctx, path, opt)
			if err != nil {
				return nil, err
			}
			fi.Format, fi.Encoding, fi.Columns, fi.Rows = res.Format, res.Encoding, res.Columns, res.Rows
			return &parsed{payload: res.Payload, rejects: res.Rejects, store: func(tx *warehouse.Tx) (warehouse.UpsertResult, error) {
				return tx.UpsertItems(ctx, res.Items)
			}}, nil
		})
}

// fileImport names what an import of export files records.
type fileImport struct {
	job, source, typ string
}

// parsed is one export file read and ready to store: its raw bytes, its
// rejects, and how to store its records inside the file's transaction.
type parsed struct {
	payload voc.RawPayload
	rejects []voc.Reject
	store   func(tx *warehouse.Tx) (warehouse.UpsertResult, error)
}

// importFiles is the shared body of the file imports: one run and one
// transaction per file, stopping at the first file that fails.
func importFiles(ctx context.Context, db *warehouse.DB, imp fileImport, files []string,
	parse func(path string, runID int64, fi *FileImport) (*parsed, error)) (*ImportSummary, error) {
	if imp.source == "" {
		return nil, fmt.Errorf("%s: a source name is needed (--source)", imp.job)
	}
	sum := &ImportSummary{Source: imp.source, Files: []FileImport{}}
	if err := db.EnsureSource(ctx, imp.source, imp.typ); err != nil {
		return sum, err
	}
	for _, f := range files {
		fi, err := importFile(ctx, db, imp, f, parse)
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

func importFile(ctx context.Context, db *warehouse.DB, imp fileImport, path string,
	parse func(path string, runID int64, fi *FileImport) (*parsed, error)) (*FileImport, error) {
	start := time.Now()
	run, err := db.StartRun(ctx, imp.job, imp.source)
	if err != nil {
		return nil, err
	}
	fi := &FileImport{File: path, RunID: run.ID, Rejects: []RejectInfo{}}
	err = parseAndStore(ctx, db, path, run.ID, fi, parse)
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
	return fi, err
}

func parseAndStore(ctx context.Context, db *warehouse.DB, path string, runID int64, fi *FileImport,
	parse func(path string, runID int64, fi *FileImport) (*parsed, error)) error {
	p, err := parse(path, runID, fi)
	if err != nil {
		return err
	}
	for _, r := range p.rejects {
		fi.Rejects = append(fi.Rejects, RejectInfo{File: r.File, Line: r.Line, Reason: r.Reason})
	}
	var up warehouse.UpsertResult
	err = db.InTx(ctx, func(tx *warehouse.Tx) error {
		if _, err := tx.SaveRaw(ctx, p.payload); err != nil {
			return err
		}
		var err error
		if up, err = p.store(tx); err != nil {
			return err
		}
		_, err = tx.AddRejects(ctx, runID, p.rejects)
		return err
	})
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	// Counted only once committed: a rolled-back import loaded nothing.
	fi.Loaded, fi.Duplicates, fi.Updated = up.Inserted, up.Unchanged, up.Updated
	fi.Rejected = len(p.rejects)
	return nil
}
