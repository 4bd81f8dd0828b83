package jobs

import (
	"context"

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
	opt.Source = source
	return importFiles(ctx, db, fileImport{job: JobImportComplaints, source: source, typ: "complaints"}, files,
		func(path string, runID int64, fi *FileImport) (*parsed, error) {
			res, err := complaints.ParseFile(ctx, path, opt)
			if err != nil {
				return nil, err
			}
			fi.Format, fi.Encoding, fi.Columns, fi.Rows = "complaints", res.Encoding, res.Columns, res.Rows
			recs := make([]voc.ComplaintTicket, len(res.Tickets))
			for i, t := range res.Tickets {
				recs[i] = t.ComplaintTicket
			}
			return &parsed{payload: res.Payload, rejects: res.Rejects, store: func(tx *warehouse.Tx) (warehouse.UpsertResult, error) {
				return tx.UpsertComplaints(ctx, recs)
			}}, nil
		})
}
